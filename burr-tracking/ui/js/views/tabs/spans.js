// The Spans & attributes tab: a waterfall of the step's spans (a click opens a span's
// attributes) and every attribute; a streaming step points to the Stream tab.
import { h } from "../../dom.js";
import { clock, dur, plural, tsMillis } from "../../format.js";
import { jsonTree } from "../../json_tree.js";
import { stepTimes } from "../../step.js";
import { section } from "../parts.js";

export const name = "spans";
export const label = "Spans & attributes";

export function count(step) {
  return (step.spans || []).length + (step.attributes || []).length;
}

export function draw(pane, page, step) {
  const spans = (step.spans || []).slice().sort((a, b) => cmpSpanId(a.begin_entry.span_id, b.begin_entry.span_id));
  const known = new Set(spans.map((sp) => sp.begin_entry.span_id));
  // Attributes by span id; those of the step itself (or of an unknown span) under "".
  const attrsBySpan = new Map();
  for (const a of step.attributes || []) {
    const key = a.span_id !== null && known.has(a.span_id) ? a.span_id : "";
    if (!attrsBySpan.has(key)) attrsBySpan.set(key, []);
    attrsBySpan.get(key).push(a);
  }
  const t = stepTimes(step);
  let lo = t.start, hi = t.end;
  for (const sp of spans) {
    const b = tsMillis(sp.begin_entry.start_time);
    const e = sp.end_entry ? tsMillis(sp.end_entry.end_time) : null;
    if (b !== null) { lo = lo === null ? b : Math.min(lo, b); hi = hi === null ? b : Math.max(hi, b); }
    if (e !== null) hi = hi === null ? e : Math.max(hi, e);
  }
  if (lo === null) lo = 0;
  if (hi === null || hi <= lo) hi = lo + 1;
  const pct = (v) => ((v - lo) / (hi - lo)) * 100;
  const wf = h("div", { class: "wf", id: "waterfall" });
  const row = (key, depth, text, id, b, e, cls, attrs) => {
    const open = page.openSpans.has(key);
    const left = b === null ? 0 : pct(b);
    const right = e === null ? 100 : pct(e);
    const r = h("div", { class: `srow${open ? " sel" : ""}`, "data-span": key, tabindex: "0", role: "button", "aria-expanded": open ? "true" : "false" },
      h("div", { class: "sname", style: `padding-left:${8 + depth * 16}px`, title: text }, id ? h("span", { class: "sid" }, id) : null, text,
        attrs.length ? h("span", { class: "nattr" }, `${attrs.length} attr${attrs.length === 1 ? "" : "s"}`) : null),
      h("div", { class: "track" }, h("div", { class: `sbar ${cls}${e === null ? " open" : ""}`, style: `left:${left.toFixed(2)}%;width:${Math.max(0.4, right - left).toFixed(2)}%` })),
      h("div", { class: "sdur" }, b !== null && e !== null ? dur(e - b) : "open"));
    r.addEventListener("click", () => page.toggleSpan(key));
    r.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); page.toggleSpan(key); } });
    wf.appendChild(r);
    if (open && attrs.length) {
      wf.appendChild(h("div", { class: "srow attrs-row" }, h("div", { class: "attrs" }, attrTable(attrs))));
    }
  };
  row("", 0, step.step_start_log.action, "step", t.start, t.end, "step", attrsBySpan.get("") || []);
  for (const sp of spans) {
    const id = sp.begin_entry.span_id;
    const local = String(id).includes(":") ? String(id).split(":").slice(1).join(":") : String(id);
    const depth = local.split(".").length;
    row(id, depth, sp.begin_entry.span_name, local, tsMillis(sp.begin_entry.start_time), sp.end_entry ? tsMillis(sp.end_entry.end_time) : null, "", attrsBySpan.get(id) || []);
  }
  pane.appendChild(section("Spans", wf, h("span", { class: "muted", style: "text-transform:none;letter-spacing:0" }, `${plural(spans.length, "span")}, ${plural((step.attributes || []).length, "attribute")} · click a row for its attributes`)));
  if ((step.streaming_events || []).length) {
    pane.appendChild(h("p", { class: "muted", id: "stream-pointer" }, "This step streamed its result: ",
      h("button", { class: "linkish", onclick: () => page.showTab("stream") }, "see the Stream tab"), " for its time to first item and items."));
  }
  const all = step.attributes || [];
  if (all.length) pane.appendChild(section("All attributes", h("div", { class: "box" }, attrTable(all, true))));
}

function attrTable(attrs, withSpan) {
  return h("table", { class: "attrtable" }, h("tbody", null, attrs.map((a) =>
    h("tr", null, h("td", { class: "ak" }, a.key), withSpan ? h("td", { class: "at mono" }, a.span_id === null ? "step" : a.span_id) : null,
      h("td", null, jsonTree(a.value)), h("td", { class: "at", title: a.time_logged || "" }, a.time_logged ? clock(a.time_logged) : "")))));
}

/** Orders span ids like `3:1.10` by their numbers, parents before their children. */
function cmpSpanId(a, b) {
  const pa = String(a).split(/[:.]/).map(Number);
  const pb = String(b).split(/[:.]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    if (isNaN(pa[i]) || isNaN(pb[i])) return String(a).localeCompare(String(b));
    if (pa[i] !== pb[i]) return pa[i] - pb[i];
  }
  return 0;
}
