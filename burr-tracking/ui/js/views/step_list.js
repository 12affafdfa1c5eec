// The list of an app's steps: sequence id, action (with tags), start, a bar for the duration,
// and status.
import { clear, h } from "../dom.js";
import { clock, dateTime, dur, plural } from "../format.js";
import { stepStatus, stepTimes } from "../step.js";
import { statusChip } from "./parts.js";
import { runtimeTags } from "./runtime.js";

export function drawSteps(page) {
  const { steps, stepsBox: box } = page;
  const keep = box.scrollTop;
  clear(box);
  if (!steps.seqs.length) {
    box.appendChild(h("div", { class: "empty" }, "This app has no steps yet."));
    return;
  }
  const order = page.asc ? steps.seqs : [...steps.seqs].reverse();
  let maxDur = 1;
  for (const seq of steps.seqs) {
    const d = stepTimes(steps.get(seq)).dur;
    if (d !== null) maxDur = Math.max(maxDur, d);
  }
  const rows = [];
  for (let i = 0; i < order.length; i++) {
    if (i > 0 && Math.abs(order[i] - order[i - 1]) > 1) {
      const [lo, hi] = [Math.min(order[i], order[i - 1]), Math.max(order[i], order[i - 1])];
      rows.push(h("tr", { class: "gap", "data-gap": `${lo + 1}-${hi - 1}` }, h("td", { colspan: 5, class: "more" },
        h("button", { onclick: () => page.loadGap(lo, hi) }, `${(hi - lo - 1).toLocaleString()} steps not loaded (#${(lo + 1).toLocaleString()}–#${(hi - 1).toLocaleString()}): load`))));
    }
    rows.push(stepRow(page, order[i], maxDur));
  }
  const more = steps.hasOlder ? h("tr", null, h("td", { colspan: 5, class: "more" }, h("button", { onclick: () => page.loadOlder() }, `Load older steps (${(steps.seqs[0]).toLocaleString()} earlier)`))) : null;
  const tbody = h("tbody", null, page.asc ? [more, rows] : [rows, more]);
  box.appendChild(h("table", null,
    h("colgroup", null, h("col", { class: "seq", style: `width:${Math.max(44, String(steps.lastSeq()).length * 9 + 22)}px` }), h("col"), h("col", { class: "time" }), h("col", { class: "dur" }), h("col", { class: "st" })),
    h("thead", null, h("tr", null, h("th", { style: "text-align:right" }, "#"), h("th", null, "Action"), h("th", null, "Start"), h("th", null, "Duration"), h("th", { style: "text-align:right" }, "Status"))),
    tbody));
  box.scrollTop = keep;
}

/** The row of step `seq`; its duration bar is drawn relative to `maxDur`. */
function stepRow(page, seq, maxDur) {
  const step = page.steps.get(seq);
  const t = stepTimes(step);
  const status = stepStatus(step);
  const width = t.dur === null ? 100 : Math.max(1.5, (t.dur / maxDur) * 100);
  const streamed = (step.streaming_events || []).length > 0;
  return h("tr", { class: `step${seq === page.selected ? " sel" : ""}`, "data-seq": seq, onclick: () => page.select(seq) },
    h("td", { class: "seq" }, seq),
    h("td", { class: "act", title: step.step_start_log.action }, step.step_start_log.action,
      runtimeTags(page, seq),
      streamed ? h("span", { class: "tag stream", title: "streamed its result" }, "stream") : null,
      step.spans && step.spans.length ? h("span", { class: "tag", title: `${plural(step.spans.length, "span")}` }, plural(step.spans.length, "span")) : null,
      childTags(page.childrenAt(seq))),
    h("td", { class: "time", title: dateTime(step.step_start_log.start_time) }, clock(step.step_start_log.start_time)),
    h("td", { class: "dur" }, h("div", { class: "dbar", title: t.dur === null ? "running" : dur(t.dur) },
      h("span", { class: "trk" }, h("span", { class: `fill${status === "failure" ? " bad" : status === "running" ? " run" : status === "suspended" ? " wait" : ""}`, style: `width:${width.toFixed(2)}%` })),
      h("span", { class: "lbl" }, t.dur === null ? "…" : dur(t.dur)))),
    h("td", { class: "st" }, statusChip(status)));
}

/** Marks the selected step's row without drawing the list again. */
export function markSelected(page) {
  for (const row of page.stepsBox.querySelectorAll("tr.step")) row.classList.toggle("sel", Number(row.dataset.seq) === page.selected);
}

export function scrollSelectedIntoView(page) {
  const row = page.stepsBox.querySelector("tr.sel");
  if (row) row.scrollIntoView({ block: "nearest" });
}

/** One tag per kind of child started at a step: "forked", "spawned", or "5 children". */
function childTags(kids) {
  const tags = [];
  for (const [kind, cls, one] of [["fork", "fork", "forked"], ["spawn_start", "spawn", "spawned"]]) {
    const these = kids.filter((k) => (kind === "fork" ? k.event_type === "fork" : k.event_type !== "fork"));
    if (!these.length) continue;
    const title = these.map((k) => `${k.event_type} ${k.child.app_id}`).join("\n");
    tags.push(h("span", { class: `tag ${cls}`, title }, these.length === 1 ? one : kind === "fork" ? `${these.length} forks` : `${these.length} children`));
  }
  return tags;
}
