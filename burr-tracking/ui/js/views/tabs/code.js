// The Code tab: the source of the step's action and the state fields it reads and writes.
import { h } from "../../dom.js";
import { section } from "../parts.js";

export const name = "code";
export const label = "Code";

export function draw(pane, page, step) {
  const actionName = step.step_start_log.action;
  const action = ((page.summary.application || {}).actions || []).find((a) => a.name === actionName);
  pane.appendChild(section(`Code of ${actionName}`, action ? h("div", { class: "box" }, h("pre", { class: "code" }, action.code || "")) : h("div", { class: "muted" }, "No code recorded for this action.")));
  if (action) pane.appendChild(section("Reads / writes", h("div", { class: "box mono" }, `reads: ${(action.reads || []).join(", ") || "—"}`, h("br"), `writes: ${(action.writes || []).join(", ") || "—"}`)));
}
