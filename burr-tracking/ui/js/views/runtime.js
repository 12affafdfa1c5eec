// What the runtime did with a step, drawn from its attributes (`../runtime.js`): the tags of its
// row in the step list (attempts, suspension, an error routed on) and the sections of its
// detail (each failed attempt with its error and delay, the suspension with its payload).
import { h } from "../dom.js";
import { dur, plural } from "../format.js";
import { jsonTree } from "../json_tree.js";
import { appHref } from "../router.js";
import { attemptsOf, suspensionOf } from "../runtime.js";
import { stepStatus } from "../step.js";
import { section } from "./parts.js";

/** The step after `seq` when it is loaded: the run went on to it. */
function nextStep(page, seq) {
  return page.steps.get(seq + 1) || null;
}

/** "attempt 2 of 3", or "attempt 2" when the limit is not known. */
function attemptText(n, max) {
  return max === null ? `attempt ${n}` : `attempt ${n} of ${max}`;
}

/** The suspension's badge: waiting on its channel, or answered when a later step ran. In the
 * step list (`tag`) the row's status already says "suspended". */
function suspensionBadge(kind, susp, next) {
  const channel = h("code", { class: "chan" }, susp.channel);
  const lead = kind === "tag" ? "" : "suspended · ";
  return next
    ? h("span", { class: `${kind} wait`, title: `suspended, resumed on ${susp.channel} by step #${next.step_start_log.sequence_id}` }, `${lead}resumed on `, channel)
    : h("span", { class: `${kind} wait`, title: `suspended, waiting for a value on ${susp.channel}` }, `${lead}waiting on `, channel);
}

/** What the attempts badge says: "3 attempts", or the attempt under way while retrying. */
function attemptsBadge(kind, tries) {
  if (tries.attempts === null) {
    const n = tries.retried.length ? (tries.retried[tries.retried.length - 1].attempt ?? tries.retried.length) + 1 : 1;
    return h("span", { class: `${kind} retry`, title: "retrying after a failed attempt" }, `retrying · ${attemptText(n, tries.maxAttempts)}`);
  }
  return h("span", { class: `${kind} retry`, title: tries.retried.length ? `${plural(tries.retried.length, "failed attempt")} retried` : null }, plural(tries.attempts, "attempt"));
}

/** The tags of step `seq`'s row in the step list. */
export function runtimeTags(page, seq) {
  const step = page.steps.get(seq);
  const tags = [];
  const tries = attemptsOf(step);
  if (tries) tags.push(attemptsBadge("tag", tries));
  const susp = suspensionOf(step);
  if (susp) tags.push(suspensionBadge("tag", susp, nextStep(page, seq)));
  const next = stepStatus(step) === "failure" ? nextStep(page, seq) : null;
  if (next) tags.push(h("span", { class: "tag route", title: `the error was routed on to #${next.step_start_log.sequence_id} ${next.step_start_log.action}` }, `→ ${next.step_start_log.action}`));
  return tags;
}

/** The sections of step `seq`'s detail about its attempts and its suspension. */
export function runtimeSections(page, seq, step) {
  const parts = [];
  const tries = attemptsOf(step);
  if (tries) parts.push(section("Attempts", attemptList(step, tries), attemptsBadge("chip", tries)));
  const susp = suspensionOf(step);
  if (susp) {
    const next = nextStep(page, seq);
    parts.push(section("Suspended", h("div", { class: "box", id: "suspension" },
      h("div", { class: "meta" }, suspensionBadge("chip", susp, next),
        next ? stepLink(page, next, "resumed by") : h("span", null, "resume the app with a value on this channel to run the step again")),
      h("div", { class: "payload" }, h("div", { class: "muted" }, "payload"), h("div", { id: "suspension-payload" }, jsonTree(susp.payload, "Empty payload."))))));
  }
  return parts;
}

/** The note under a failed step's exception when the run went on (an error transition). */
export function routedNote(page, seq, step) {
  const next = stepStatus(step) === "failure" ? nextStep(page, seq) : null;
  if (!next) return null;
  return h("div", { class: "meta", id: "routed" }, h("span", null, "the error was routed on:"), stepLink(page, next, "the run went on to"));
}

/** A link that selects step `to`. */
function stepLink(page, to, verb) {
  const seq = to.step_start_log.sequence_id;
  return h("a", { href: appHref(page.project, page.appId, { seq }), onclick: (e) => { e.preventDefault(); page.select(seq); } },
    `${verb} #${seq} ${to.step_start_log.action}`);
}

/** Each failed attempt with its error and delay, then the attempt that ended the step. */
function attemptList(step, tries) {
  const items = tries.retried.map((r, i) => h("li", { class: "attempt bad" },
    h("div", { class: "ahead" }, h("span", { class: "aname" }, `${attemptText(r.attempt ?? i + 1, r.maxAttempts ?? tries.maxAttempts)} failed`),
      h("span", { class: "muted" }, r.retryInMs === null ? "retried" : r.retryInMs === 0 ? "retried at once" : `retried after ${dur(r.retryInMs)}`)),
    r.error ? h("pre", { class: "aerr" }, r.error) : null));
  const status = stepStatus(step);
  const n = tries.attempts ?? (tries.retried.length ? (tries.retried[tries.retried.length - 1].attempt ?? tries.retried.length) + 1 : 1);
  const last = attemptText(n, tries.maxAttempts);
  items.push(status === "running"
    ? h("li", { class: "attempt run" }, h("div", { class: "ahead" }, h("span", { class: "aname" }, `${last} running`)))
    : status === "failure"
      ? h("li", { class: "attempt bad" }, h("div", { class: "ahead" }, h("span", { class: "aname" }, `${last} failed`), h("span", { class: "muted" }, "its error is the step's exception")))
      : h("li", { class: "attempt ok" }, h("div", { class: "ahead" }, h("span", { class: "aname" }, `${last} succeeded`))));
  return h("ol", { class: "attempts", id: "attempts" }, items);
}
