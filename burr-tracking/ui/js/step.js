// What a step's log entries say about it: its status and its times.
import { tsMillis } from "./format.js";
import { suspensionOf } from "./runtime.js";

/** "running" (no end entry yet), "success", "failure" or "suspended" (the step stopped to wait
 * for a human). */
export function stepStatus(step) {
  if (!step.step_end_log) return "running";
  if (step.step_end_log.exception !== null && step.step_end_log.exception !== undefined) return "failure";
  return suspensionOf(step) ? "suspended" : "success";
}

/** Start and end in milliseconds and the duration; each is null when unknown. */
export function stepTimes(step) {
  const start = tsMillis(step.step_start_log.start_time);
  const end = step.step_end_log ? tsMillis(step.step_end_log.end_time) : null;
  return { start, end, dur: start !== null && end !== null ? end - start : null };
}
