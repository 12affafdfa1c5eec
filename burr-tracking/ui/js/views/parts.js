// Small pieces that several views draw: status chips, links to related apps, titled sections.
import { h } from "../dom.js";
import { short } from "../format.js";
import { appHref } from "../router.js";

const STATUS_CLASS = { success: "ok", failure: "bad", running: "run", suspended: "wait" };

/** A chip for a step status: "success", "failure", "running" or "suspended". */
export function statusChip(st) {
  return h("span", { class: `chip ${STATUS_CLASS[st] || "run"}` }, st);
}

/** A link to the app a pointer names (a parent or spawning parent), at its step when known. */
export function ptrChip(project, ptr, kind, verb) {
  const seq = ptr.sequence_id;
  return h("a", { class: `chip ${kind}`, href: appHref(project, ptr.app_id, seq === null || seq === undefined ? null : { seq }), title: `${verb} ${ptr.app_id}${seq === null || seq === undefined ? "" : ` at step ${seq}`}` },
    `${verb} ${short(ptr.app_id, 24)}${seq === null || seq === undefined ? "" : ` @${seq}`}`);
}

/** A section with a heading; `extra` goes into the heading after the title. */
export function section(title, content, extra) {
  return h("div", { class: "section" }, h("h3", null, title, extra), content);
}
