// The selected step's details: action, status, times, children, attempts and suspension,
// exception, and one tab of `tabs/` at a time.
import { clear, h } from "../dom.js";
import { dateTime, dur } from "../format.js";
import { appHref } from "../router.js";
import { stepStatus, stepTimes } from "../step.js";
import { statusChip } from "./parts.js";
import { routedNote, runtimeSections } from "./runtime.js";
import * as annotations from "./tabs/annotations.js";
import * as code from "./tabs/code.js";
import * as graph from "./tabs/graph.js";
import * as inputs from "./tabs/inputs.js";
import * as insights from "./tabs/insights.js";
import * as reproduce from "./tabs/reproduce.js";
import * as result from "./tabs/result.js";
import * as spans from "./tabs/spans.js";
import * as state from "./tabs/state.js";
import * as stream from "./tabs/stream.js";

/** The tabs in their order. Each exports `name`, `label`, `draw(pane, page, step, prev)` and
 * may export `count(step, page)`, shown next to the label when not zero. */
const TABS = [state, spans, stream, inputs, result, code, graph, insights, annotations, reproduce];
export const TAB_NAMES = TABS.map((t) => t.name);

export async function drawDetail(page) {
  const token = ++page.detailToken;
  const { right } = page;
  const seq = page.selected;
  if (seq === null || !page.steps.has(seq)) {
    clear(right);
    right.appendChild(h("div", { class: "detail" }, h("div", { class: "empty" }, "Select a step.")));
    return;
  }
  const step = page.steps.get(seq);
  const prev = await page.steps.previous(seq).catch(() => null);
  if (token !== page.detailToken || !page.visit.alive()) return;
  const box = h("div", { class: "detail", "data-seq": seq }, header(page, seq, step, prev));
  box.appendChild(h("div", { class: "tabs", role: "tablist" }, TABS.map((tab) => {
    const count = tab.count ? tab.count(step, page) : 0;
    return h("button", { role: "tab", class: page.tab === tab.name ? "active" : "", "aria-selected": page.tab === tab.name ? "true" : "false", "data-tab": tab.name, onclick: () => page.showTab(tab.name) },
      tab.label, count ? h("span", { class: "count" }, count) : null);
  })));
  const pane = h("div", { class: "pane", id: `pane-${page.tab}` });
  box.appendChild(pane);
  TABS.find((tab) => tab.name === page.tab).draw(pane, page, step, prev);
  const keepScroll = right.scrollTop;
  clear(right);
  right.appendChild(box);
  right.scrollTop = keepScroll;
}

/** What the detail shows above the tabs. */
function header(page, seq, step, prev) {
  const end = step.step_end_log;
  const t = stepTimes(step);
  const parts = [
    h("h2", null, h("span", { class: "muted" }, `#${seq}`), h("span", { class: "mono", id: "detail-action" }, step.step_start_log.action), statusChip(stepStatus(step))),
    h("div", { class: "meta" },
      h("span", { title: dateTime(step.step_start_log.start_time) }, `started ${dateTime(step.step_start_log.start_time)}`),
      t.dur !== null ? h("span", null, `took ${dur(t.dur)}`) : h("span", null, "still running"),
      prev ? h("span", null, `after #${prev.step_start_log.sequence_id} ${prev.step_start_log.action}`) : null),
  ];
  for (const c of page.childrenAt(seq)) {
    parts.push(h("div", { class: "meta" }, h("a", { class: `chip ${c.event_type === "fork" ? "fork" : "spawn"}`, href: appHref(page.project, c.child.app_id) }, `${c.event_type === "fork" ? "forked into" : "spawned"} ${c.child.app_id}`)));
  }
  parts.push(...runtimeSections(page, seq, step));
  if (end && end.exception !== null && end.exception !== undefined) {
    // The error's own message is at the end: scroll there once the text is laid out.
    const exc = h("pre", { class: "exc", id: "exception", title: "The error's own message is at the end" }, String(end.exception));
    parts.push(h("div", { class: "section" }, h("h3", null, "Exception"), exc, routedNote(page, seq, step)));
    requestAnimationFrame(() => { exc.scrollTop = exc.scrollHeight; });
  }
  return parts;
}
