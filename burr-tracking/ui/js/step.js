// What a step's log entries say about it: its status and its times.
import { tsMillis } from "./format.js";

/** "running" (no end entry yet), "success" or "failure". */
export function stepStatus(step) {
  if (!step.step_end_log) return "running";
  return step.step_end_log.exception === null || step.step_end_log.exception === undefined ? "success" : "failure";
}

/** Start and end in milliseconds and the duration; each is null when unknown. */
export function stepTimes(step) {
  const start = tsMillis(step.step_start_log.start_time);
  const end = step.step_end_log ? tsMillis(step.step_end_log.end_time) : null;
  return { start, end, dur: start !== null && end !== null ? end - start : null };
}
