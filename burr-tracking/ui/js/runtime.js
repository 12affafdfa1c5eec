// What burr-rs's runtime logged on a step as attributes: the failed attempts it retried, the
// number of attempts a success took, and the suspension the step stopped at. The keys are
// those of `burr_core::policy`; a value of the wrong shape reads as missing, never as an error.

export const RETRY_KEY = "burr.retry";
export const ATTEMPTS_KEY = "burr.attempts";
export const SUSPENDED_KEY = "burr.suspended";
/** The state key under which a suspended step keeps its suspension. */
const SUSPENDED_STATE_KEY = "__suspended";

const num = (v) => (typeof v === "number" && isFinite(v) ? v : null);
const obj = (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? v : null);
const text = (v) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

function attributes(step, key) {
  return (step.attributes || []).filter((a) => a && a.key === key);
}

/** The failed attempts that were retried, by attempt number: `{attempt, maxAttempts, error,
 * retryInMs}`, where a number the log does not give is null. */
export function retries(step) {
  const list = attributes(step, RETRY_KEY).map((a, i) => {
    const v = obj(a.value) || {};
    return { attempt: num(v.attempt), maxAttempts: num(v.max_attempts), error: text(v.error), retryInMs: num(v.retry_in_ms), i };
  });
  return list.sort((a, b) => (a.attempt ?? a.i + 1) - (b.attempt ?? b.i + 1) || a.i - b.i);
}

/** How the step's attempts went, or null when it ran once: `attempts` is the number it took
 * (null while the step still runs), `maxAttempts` the policy's limit when logged, `retried`
 * the failed attempts that were retried. */
export function attemptsOf(step) {
  const retried = retries(step);
  const logged = attributes(step, ATTEMPTS_KEY).map((a) => num(a.value)).filter((n) => n !== null);
  if (!retried.length && !logged.length) return null;
  const last = retried.length ? retried[retried.length - 1] : null;
  let attempts = logged.length ? logged[logged.length - 1] : null;
  // A step that ended without logging its count failed on the attempt after its last retry.
  if (attempts === null && step.step_end_log && last) attempts = (last.attempt ?? retried.length) + 1;
  const maxAttempts = retried.map((r) => r.maxAttempts).filter((n) => n !== null).pop() ?? null;
  return { attempts, maxAttempts, retried };
}

/** The suspension the step stopped at, `{channel, payload}`, or null: from the step's
 * attribute, else from the suspension its end state keeps. */
export function suspensionOf(step) {
  const logged = attributes(step, SUSPENDED_KEY).pop();
  if (logged) {
    const v = obj(logged.value) || {};
    return { channel: text(v.channel), payload: v.payload === undefined ? null : v.payload };
  }
  const end = step.step_end_log;
  const kept = end && obj(end.state) ? obj(end.state[SUSPENDED_STATE_KEY]) : null;
  if (kept && (kept.sequence_id === undefined || kept.sequence_id === step.step_start_log.sequence_id)) {
    return { channel: text(kept.channel), payload: kept.payload === undefined ? null : kept.payload };
  }
  return null;
}
