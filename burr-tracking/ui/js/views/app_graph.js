// The app's graph, marked with the selected step's action and the path that led to it, and the
// small copy of it under the list of steps.
import { clear, h } from "../dom.js";
import { graphSvg } from "../graph_svg.js";
import { stepStatus } from "../step.js";

/** The graph as SVG, or null when the app has none. */
export function graphFor(page) {
  const app = page.summary.application;
  if (!app || !Array.isArray(app.actions)) return null;
  const { steps, selected } = page;
  const cur = selected !== null && steps.has(selected) ? steps.get(selected) : null;
  const visited = new Set();
  const taken = new Set();
  let prevAction = null;
  for (const seq of steps.seqs) {
    if (selected !== null && seq > selected) break;
    const a = steps.get(seq).step_start_log.action;
    visited.add(a);
    if (prevAction !== null) taken.add(`${prevAction}\u0000${a}`);
    prevAction = a;
  }
  return graphSvg(app, {
    current: cur ? cur.step_start_log.action : null,
    currentFailed: cur ? stepStatus(cur) === "failure" : false,
    visited, taken, showInputs: page.showInputs,
  });
}

export function drawGraphBox(page) {
  const box = page.graphBox;
  clear(box);
  const svg = graphFor(page);
  if (!svg) {
    box.appendChild(h("div", { class: "empty" }, "No graph recorded for this app."));
    return;
  }
  const toggle = h("label", { class: "hint" }, h("input", { type: "checkbox", checked: page.showInputs, onchange: (e) => page.setShowInputs(e.target.checked) }), " inputs");
  const bigger = h("button", { class: "enlarge", title: "Show the graph large (Graph tab)", onclick: () => page.showTab("graph") }, "Enlarge");
  box.append(toggle, bigger, svg);
}
