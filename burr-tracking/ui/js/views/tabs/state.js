// The State tab: the state after the step, before it, or the changes between the two.
import { h } from "../../dom.js";
import { diffView } from "../../json_diff.js";
import { jsonTree } from "../../json_tree.js";
import { section } from "../parts.js";

export const name = "state";
export const label = "State";

export function draw(pane, page, step, prev) {
  const after = step.step_end_log ? step.step_end_log.state : null;
  const before = prev && prev.step_end_log ? prev.step_end_log.state : null;
  const seg = h("span", { class: "seg" }, ["after", "before", "changes", "raw"].map((v) =>
    h("button", { class: page.stateView === v ? "on" : "", "data-view": v, onclick: () => page.setStateView(v) }, v)));
  const shown = page.stateView === "before" ? before : after;
  const copied = h("span", { class: "muted", role: "status" });
  const copy = h("button", { class: "copy", id: "copy-state", title: "Copy the state as JSON", onclick: async () => {
    try {
      await navigator.clipboard.writeText(JSON.stringify(shown, null, 2));
      copied.textContent = " copied";
    } catch (_) {
      copied.textContent = " (no clipboard here: use the raw view)";
    }
  } }, "Copy JSON");
  let content;
  if (page.stateView === "after") content = after ? jsonTree(after, "Empty state.", true) : h("div", { class: "muted" }, "No state yet: the step is still running.");
  else if (page.stateView === "before") content = before ? jsonTree(before, "Empty state.", true) : h("div", { class: "muted" }, prev ? "The previous step has no end state." : "This is the first step: there is no state before it.");
  else if (page.stateView === "raw") content = after ? h("pre", { class: "code", id: "state-raw" }, JSON.stringify(after, null, 2)) : h("div", { class: "muted" }, "No state yet.");
  else content = after ? diffView(before || {}, after) : h("div", { class: "muted" }, "No state yet.");
  pane.appendChild(section("State", h("div", { class: "box", id: "state" }, content), [seg, " ", shown ? copy : null, copied]));
}
