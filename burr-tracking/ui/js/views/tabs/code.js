// The Code tab: the source of the step's action, highlighted as Python (Apache Burr's actions)
// or Rust (ours), and the state fields it reads and writes.
import { h } from "../../dom.js";
import { detectLanguage, highlighted } from "../../highlight.js";
import { section } from "../parts.js";

export const name = "code";
export const label = "Code";

const LANGUAGE_NAMES = { python: "Python", rust: "Rust" };

export function draw(pane, page, step) {
  const actionName = step.step_start_log.action;
  const action = ((page.summary.application || {}).actions || []).find((a) => a.name === actionName);
  const source = action ? String(action.code || "") : "";
  if (!source.trim()) {
    pane.appendChild(section(`Code of ${actionName}`, h("div", { class: "muted" }, "No code recorded for this action.")));
  } else {
    const lang = detectLanguage(source);
    const pre = h("pre", { class: "code", id: "code", "data-lang": lang });
    pre.appendChild(highlighted(source, lang));
    pane.appendChild(section(`Code of ${actionName}`, h("div", { class: "box" }, pre), h("span", { class: "chip lang", id: "code-lang" }, LANGUAGE_NAMES[lang])));
  }
  if (action) pane.appendChild(section("Reads / writes", h("div", { class: "box mono" }, `reads: ${(action.reads || []).join(", ") || "—"}`, h("br"), `writes: ${(action.writes || []).join(", ") || "—"}`)));
}
