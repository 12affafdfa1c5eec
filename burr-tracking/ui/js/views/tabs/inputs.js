// The Inputs tab: the inputs the step was run with.
import { jsonTree } from "../../json_tree.js";
import { section } from "../parts.js";

export const name = "inputs";
export const label = "Inputs";

export function count(step) {
  return Object.keys(step.step_start_log.inputs || {}).length;
}

export function draw(pane, page, step) {
  pane.appendChild(section("Inputs", jsonTree(step.step_start_log.inputs || {}, "No inputs.")));
}
