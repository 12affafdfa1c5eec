// The Stream tab: what a streaming step's stream events say (`begin_stream`, `first_item_stream`,
// `end_stream`): the time to the first item, the items streamed and their pace, the stream on
// a timeline beside the step, and each event with its time.
import { h } from "../../dom.js";
import { clock, dur } from "../../format.js";
import { stepTimes, streamOf } from "../../step.js";
import { section } from "../parts.js";

export const name = "stream";
export const label = "Stream";

/** The items streamed (or, before the stream ends, its events), shown by the tab's label. */
export function count(step) {
  const s = streamOf(step);
  if (!s) return 0;
  return s.items !== null ? s.items : s.events.length;
}

const EVENT_NAMES = { begin_stream: "stream started", first_item_stream: "first item", end_stream: "stream ended" };
const EVENT_TIME = { begin_stream: "stream_init_time", first_item_stream: "first_item_time", end_stream: "end_time" };

export function draw(pane, page, step) {
  const s = streamOf(step);
  if (!s) {
    pane.appendChild(section("Stream", h("div", { class: "muted", id: "no-stream" }, "This step did not stream its result.")));
    return;
  }
  const t = stepTimes(step);
  const stat = (key, v, l, title) => h("div", { class: "stat", "data-stat": key, title }, h("div", { class: "v" }, v), h("div", { class: "l" }, l));
  const rate = s.items !== null && s.duration !== null && s.duration > 0 ? s.items / (s.duration / 1000) : null;
  const perItem = s.items !== null && s.items > 1 && s.first !== null && s.end !== null ? (s.end - s.first) / (s.items - 1) : null;
  const sinceStep = (ms) => (ms !== null && t.start !== null ? ms - t.start : null);
  const orDash = (ms) => (ms === null ? "—" : dur(ms));
  pane.appendChild(section("Stream",
    h("div", { class: "stats", id: "stream-stats" },
      stat("first", orDash(s.ttfi), "time to first item", "From the stream's start to its first item"),
      stat("items", s.items === null ? "streaming…" : s.items.toLocaleString(), "items streamed"),
      stat("rate", rate === null ? "—" : `${rate < 10 ? rate.toFixed(2) : Math.round(rate).toLocaleString()}/s`, "items per second", "The items over the stream's duration"),
      stat("per-item", orDash(perItem), "per item after the first", "From the first item to the stream's end, per item"),
      stat("duration", orDash(s.duration), "stream duration", "From the stream's start to its end"),
      stat("first-from-step", orDash(sinceStep(s.first)), "first item after the step began", "What a caller waited from the step's start")),
    s.items === null ? h("span", { class: "chip run", id: "stream-open" }, "still streaming") : null));
  pane.appendChild(section("Timeline", timeline(step, s)));
  pane.appendChild(section("Events", h("div", { class: "box" }, h("table", { class: "attrtable", id: "stream-events" }, h("tbody", null,
    s.events.map(({ event, ms }) => {
      const at = event[EVENT_TIME[event.type]];
      const since = sinceStep(ms);
      return h("tr", { "data-event": event.type },
        h("td", { class: "ak" }, EVENT_NAMES[event.type] || String(event.type)),
        h("td", { class: "mono" }, event.type === "end_stream" ? `${Number(event.items_streamed).toLocaleString()} items` : ""),
        h("td", { class: "at", title: typeof at === "string" ? at : "" }, clock(at)),
        h("td", { class: "at" }, since === null ? "" : since === 0 ? "as the step began" : since < 0 ? `${dur(-since)} before the step began` : `${dur(since)} after the step began`));
    }))))));
}

/** The step and its stream on one axis, the first item marked. */
function timeline(step, s) {
  const t = stepTimes(step);
  const points = [t.start, t.end, s.begin, s.first, s.end].filter((v) => v !== null);
  if (!points.length) return h("div", { class: "muted" }, "The stream's events have no times.");
  const lo = Math.min(...points);
  const hi = Math.max(lo + 1, ...points);
  const pct = (v) => ((v - lo) / (hi - lo)) * 100;
  const bar = (b, e, cls) => {
    const left = b === null ? 0 : pct(b);
    const right = e === null ? 100 : pct(e);
    return h("div", { class: `sbar ${cls}${e === null ? " open" : ""}`, style: `left:${left.toFixed(2)}%;width:${Math.max(0.4, right - left).toFixed(2)}%` });
  };
  const row = (key, text, track, d) => h("div", { class: "srow", "data-row": key }, h("div", { class: "sname" }, text), h("div", { class: "track" }, track), h("div", { class: "sdur" }, d));
  const mark = s.first === null ? null : h("div", { class: "mark first", style: `left:${pct(s.first).toFixed(2)}%`, title: `first item, ${dur(s.ttfi)} after the stream's start` });
  return h("div", { class: "wf stream-wf", id: "stream-timeline" },
    row("step", step.step_start_log.action, bar(t.start, t.end, "step"), t.dur !== null ? dur(t.dur) : "running"),
    row("stream", "stream", [bar(s.begin !== null ? s.begin : t.start, s.end, "stream"), mark], s.duration !== null ? dur(s.duration) : "open"));
}
