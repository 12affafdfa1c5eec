// The Result tab: what the step's action returned.
import { h } from "../../dom.js";
import { jsonTree } from "../../json_tree.js";
import { section } from "../parts.js";

export const name = "result";
export const label = "Result";

export function count(step) {
  const end = step.step_end_log;
  return end && end.result ? Object.keys(end.result).length : 0;
}

export function draw(pane, page, step) {
  const end = step.step_end_log;
  pane.appendChild(section("Result", end ? (end.result === null ? h("div", { class: "muted" }, "No result (the step failed).") : jsonTree(end.result, "Empty result.")) : h("div", { class: "muted" }, "The step is still running.")));
}
