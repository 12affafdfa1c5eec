// What a step's log entries say about it: its status, its times and its stream.
import { isAware, tsMillis } from "./format.js";
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

const QUARTER_HOUR = 15 * 60 * 1000;

/** A streaming step's stream, or null for a step that did not stream: `events` (each
 * `{ event, ms }`, in file order), the times in milliseconds of its `begin`, `first` item and
 * `end` on the step's clock (each null when not logged yet), the `items` streamed (null until
 * the stream ends), `ttfi` (stream start to first item) and `duration` (start to end).
 *
 * Burr stamps stream events in UTC and a step's start and end in the writer's local time,
 * without a zone. The stream's times are put on the step's clock by the writer's zone offset,
 * read from the stream itself: its first event comes during the step, right after its start,
 * so the two readings differ by the offset (rounded here to a quarter hour). */
export function streamOf(step) {
  const events = step.streaming_events || [];
  if (!events.length) return null;
  const timeOf = (e) => (e.type === "begin_stream" ? e.stream_init_time : e.type === "first_item_stream" ? e.first_item_time : e.type === "end_stream" ? e.end_time : null);
  const start = step.step_start_log.start_time;
  const stamped = events.map((e) => ({ event: e, text: timeOf(e), ms: tsMillis(timeOf(e)) }));
  const anchor = stamped.find((x) => x.ms !== null);
  let shift = 0;
  if (anchor && isAware(anchor.text) && !isAware(start) && tsMillis(start) !== null) {
    shift = Math.round((tsMillis(start) - anchor.ms) / QUARTER_HOUR) * QUARTER_HOUR;
  }
  const onStepClock = (x) => (x.ms === null ? null : isAware(x.text) ? x.ms + shift : x.ms);
  const at = (type) => {
    const x = stamped.find((y) => y.event.type === type);
    return x ? onStepClock(x) : null;
  };
  const end = events.find((e) => e.type === "end_stream");
  const b = at("begin_stream");
  const f = at("first_item_stream");
  const e = at("end_stream");
  return {
    events: stamped.map((x) => ({ event: x.event, ms: onStepClock(x) })),
    begin: b,
    first: f,
    end: e,
    items: end && Number.isFinite(Number(end.items_streamed)) ? Number(end.items_streamed) : null,
    ttfi: b !== null && f !== null ? f - b : null,
    duration: b !== null && e !== null ? e - b : null,
  };
}
