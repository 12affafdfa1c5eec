// The header of the app view: id, partition key, status, step count, order and live buttons,
// links to related apps, and the problems found in the log.
import { append, clear, h } from "../dom.js";
import { plural, short } from "../format.js";
import { appHref, projectHref } from "../router.js";
import { stepStatus } from "../step.js";
import { ptrChip, statusChip } from "./parts.js";

export function drawHead(page) {
  const { head, project, summary: sm } = page;
  clear(head);
  const last = page.steps.newest();
  const liveBtn = h("button", { class: page.live ? "on" : "", title: "Follow new steps as they are written (L)", onclick: () => page.setLive(!page.live, true) }, h("span", { class: "livedot" }), " Live");
  const orderBtn = h("button", { title: "Switch between newest first and oldest first", onclick: () => page.toggleOrder() }, page.asc ? "Oldest first" : "Newest first");
  const links = [];
  if (sm.parent_pointer) links.push(ptrChip(project, sm.parent_pointer, "fork", "forked from"));
  if (sm.spawning_parent_pointer) links.push(ptrChip(project, sm.spawning_parent_pointer, "spawn", "spawned by"));
  for (const c of sm.children || []) {
    const kind = c.event_type === "fork" ? "fork" : "spawn";
    links.push(h("a", { class: `chip ${kind}`, href: appHref(project, c.child.app_id), title: `${c.event_type} at step ${c.sequence_id}` }, `${kind === "fork" ? "fork" : "child"} ${short(c.child.app_id, 24)} @${c.sequence_id ?? "?"}`));
  }
  append(head, [
    h("h1", null, h("span", { class: "mono" }, page.appId), sm.partition_key !== null && sm.partition_key !== undefined ? h("a", { class: "chip pk", href: projectHref(project, { pk: sm.partition_key }), title: "partition key" }, sm.partition_key) : null,
      last ? statusChip(stepStatus(last)) : null),
    h("div", { class: "meta" }, h("span", { id: "step-count" }, stepCount(sm)), orderBtn, liveBtn,
      goToBox(page),
      h("span", null, h("span", { class: "kbd" }, "↑"), h("span", { class: "kbd" }, "↓"), " steps ", h("span", { class: "kbd" }, "←"), h("span", { class: "kbd" }, "→"), " tabs")),
    links.length ? h("div", { class: "meta links" }, links) : null,
    page.notice ? h("div", { class: "banner", id: "notice" }, page.notice) : null,
    sm.errors && sm.errors.length ? h("div", { class: "banner err", style: "margin:8px 0 0" }, sm.errors.join("\n")) : null]);
}

/** How many steps the app has: the server's count (`num_steps`, the rows the list can show),
 * never one worked out from sequence ids (a step the reader drops has one and no row). A fork's
 * log starts after its parent's steps, so it says where its own steps start and counts the
 * parent's before them. */
function stepCount(sm) {
  const first = sm.first_sequence_id;
  if (first === null || first === undefined || first === 0 || !sm.num_steps) return plural(sm.num_steps, "step");
  const range = `#${first.toLocaleString()}–#${sm.last_sequence_id.toLocaleString()}`;
  if (!sm.parent_pointer) return `${plural(sm.num_steps, "step")}, ${range}`;
  return `${plural(sm.num_steps, "step")} here, ${range}: ${plural(first + sm.num_steps, "step")} in all (the first ${first.toLocaleString()} are its parent's)`;
}

/** The "go to step #" box. */
function goToBox(page) {
  const box = h("input", { type: "search", id: "goto", inputmode: "numeric", placeholder: "go to #", "aria-label": "Go to step number", size: "8" });
  box.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const n = parseInt(box.value.replace(/[^0-9]/g, ""), 10);
    if (!isNaN(n)) page.goTo(n);
  });
  return box;
}
