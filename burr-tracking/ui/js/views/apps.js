// The apps of one project, a page at a time, newest first: partition key filter, forks and
// spawned apps nested under their parents.
import * as api from "../api.js";
import { append, clear, h } from "../dom.js";
import { ago, dateTime, plural, tsMillis } from "../format.js";
import { appHref, projectHref, setQuery } from "../router.js";
import { annotationsLink } from "./annotations.js";
import { setCrumbs, show } from "./frame.js";
import { ptrChip } from "./parts.js";

/** Apps per page. */
const PAGE = 100;

export async function appsPage(visit, project, q) {
  const pk = q.get("pk") || "";
  const page = {
    visit,
    project,
    pk,
    offset: Math.max(0, parseInt(q.get("offset") || "0", 10) || 0),
    hideEmpty: q.get("empty") === "hide",
    sort: ["app", "pk", "steps", "written"].includes(q.get("sort")) ? q.get("sort") : "written",
    desc: q.get("dir") !== "asc",
    search: h("input", { type: "search", id: "app-search", placeholder: "App id or partition key", "aria-label": "Filter the apps of this page by app id or partition key" }),
    data: null,
    sub: h("p", { class: "sub" }, ""),
    body: h("div", { class: "card" }, h("div", { class: "empty" }, "Loading…")),
    pager: h("div", { class: "pager" }),
  };
  setCrumbs([{ text: "projects", href: "#/" }, { text: project, href: pk ? projectHref(project) : null }].concat(pk ? [{ text: `partition ${pk}` }] : []));
  document.title = `${project} · burr`;
  const pkInput = h("input", { type: "search", placeholder: "Partition key", value: pk, "aria-label": "Filter by partition key" });
  pkInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") location.hash = projectHref(project, { pk: pkInput.value.trim(), empty: page.hideEmpty ? "hide" : "" });
  });
  const emptyBox = h("input", { type: "checkbox", checked: page.hideEmpty, onchange: () => { location.hash = projectHref(project, { pk, offset: 0, empty: emptyBox.checked ? "hide" : "" }); } });
  show(h("div", { class: "page" },
    h("h1", null, project),
    page.sub,
    h("div", { class: "toolbar" }, h("label", null, "Partition", pkInput),
      pk ? h("a", { href: projectHref(project) }, "clear filter") : null,
      h("label", null, emptyBox, "hide apps without steps"),
      page.search,
      annotationsLink(project)),
    page.body, page.pager));
  page.search.addEventListener("input", () => page.data && drawTable(page, page.data));
  await load(page);
  visit.poll(5000, () => load(page));
}

/** The value an app is sorted by for column `key`. */
const SORT_VALUE = {
  app: (a) => a.app_id,
  pk: (a) => a.partition_key ?? "",
  steps: (a) => a.num_steps,
  written: (a) => tsMillis(a.last_written) ?? 0,
};

/** The page's apps in the chosen order: newest first keeps forks and children under their
 * parents; another column sorts them flat. */
function ordered(page, apps) {
  if (page.sort === "written" && page.desc) return nestChildren(apps);
  const value = SORT_VALUE[page.sort];
  const sorted = [...apps].sort((a, b) => {
    const x = value(a), y = value(b);
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return (page.desc ? -c : c) || a.app_id.localeCompare(b.app_id);
  });
  return sorted.map((app) => ({ app, depth: 0 }));
}

/** A column header that sorts the page by `key` (a second click reverses the order). */
function sortHeader(page, key, text, cls) {
  const on = page.sort === key;
  return h("th", { class: cls, "aria-sort": on ? (page.desc ? "descending" : "ascending") : "none" },
    h("button", { class: `sort${on ? " on" : ""}`, "data-sort": key, onclick: () => {
      page.desc = on ? !page.desc : key === "written" || key === "steps";
      page.sort = key;
      setQuery({ pk: page.pk, offset: page.offset || null, empty: page.hideEmpty ? "hide" : "", sort: key === "written" ? "" : key, dir: page.desc ? "" : "asc" });
      drawTable(page, page.data);
    } }, text, on ? (page.desc ? " ↓" : " ↑") : ""));
}

async function load(page) {
  const { project, pk, offset } = page;
  const data = await api.apps(project, pk, { limit: PAGE, offset }, page.visit.signal);
  if (!page.visit.alive()) return;
  // Burr's API lists no apps for a project that does not exist: tell the two apart.
  if (data.total === 0 && !(await projectExists(page))) {
    if (!page.visit.alive()) return;
    page.sub.textContent = "not found";
    clear(page.body);
    page.body.appendChild(h("div", { class: "empty", id: "no-project" }, `There is no project named ${project} in this folder. `, h("a", { href: "#/" }, "See the projects")));
    clear(page.pager);
    return;
  }
  page.sub.textContent = `${plural(data.total, "app")}${pk ? ` with partition key ${pk}` : ""}`;
  drawTable(page, data);
  drawPager(page, data);
}

/** Whether the folder has the page's project. */
async function projectExists(page) {
  const list = await api.projects(page.visit.signal);
  return list.some((p) => p.name === page.project);
}

function drawTable(page, data) {
  page.data = data;
  const term = page.search.value.trim().toLowerCase();
  const apps = data.applications.filter((a) => (!page.hideEmpty || a.num_steps > 0)
    && (!term || a.app_id.toLowerCase().includes(term) || String(a.partition_key ?? "").toLowerCase().includes(term)));
  const kids = new Map();
  for (const a of data.applications) {
    for (const [ptr, kind] of [[a.parent_pointer, "fork"], [a.spawning_parent_pointer, "spawn"]]) {
      if (ptr && ptr.app_id) {
        if (!kids.has(ptr.app_id)) kids.set(ptr.app_id, []);
        kids.get(ptr.app_id).push({ app: a.app_id, kind });
      }
    }
  }
  const anyPk = data.applications.some((a) => a.partition_key !== null && a.partition_key !== undefined);
  clear(page.body);
  if (!apps.length) {
    page.body.appendChild(h("div", { class: "empty" }, term ? "No app on this page matches." : data.total ? "No app on this page has steps." : "No apps in this project."));
    return;
  }
  page.body.appendChild(h("table", { class: "grid" },
    h("thead", null, h("tr", null, sortHeader(page, "app", "App"), anyPk ? sortHeader(page, "pk", "Partition key") : null, sortHeader(page, "steps", "Steps", "num"), sortHeader(page, "written", "Last written"), h("th", null, "Links"))),
    h("tbody", null, ordered(page, apps).map(({ app, depth }) => appRow(page.project, app, depth, kids.get(app.app_id) || [], anyPk)))));
}

/** One app's row; `kids` are its forks and spawned apps on this page. */
function appRow(project, a, depth, kids, anyPk) {
  const links = [];
  if (a.parent_pointer) links.push(ptrChip(project, a.parent_pointer, "fork", "forked from"));
  if (a.spawning_parent_pointer) links.push(ptrChip(project, a.spawning_parent_pointer, "spawn", "spawned by"));
  if (kids.length) links.push(h("span", { class: "chip pk", title: kids.map((k) => `${k.kind}: ${k.app}`).join("\n") }, `${plural(kids.length, "child")}`.replace("childs", "children")));
  return h("tr", { "data-app": a.app_id },
    h("td", { class: depth ? "nested" : null, style: depth ? `padding-left:${14 + depth * 22}px` : null },
      depth ? h("span", { class: "muted", "aria-hidden": "true" }, "↳ ") : null,
      h("a", { class: "rowlink mono", href: appHref(project, a.app_id) }, a.app_id)),
    anyPk ? h("td", null, a.partition_key === null || a.partition_key === undefined ? h("span", { class: "muted" }, "—") : h("a", { class: "chip pk", href: projectHref(project, { pk: a.partition_key }) }, a.partition_key)) : null,
    h("td", { class: "num" }, a.num_steps.toLocaleString()),
    h("td", { title: dateTime(a.last_written) }, ago(a.last_written)),
    h("td", null, h("div", { class: "links" }, links)));
}

function drawPager(page, data) {
  const { project, pk, offset, hideEmpty } = page;
  clear(page.pager);
  if (data.total <= PAGE) return;
  const go = (o) => { location.hash = projectHref(project, { pk, offset: o, empty: hideEmpty ? "hide" : "" }); };
  append(page.pager, [
    h("button", { disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE)) }, "← Newer"),
    `${(offset + 1).toLocaleString()}–${Math.min(offset + PAGE, data.total).toLocaleString()} of ${data.total.toLocaleString()}`,
    h("button", { disabled: !data.has_another_page, onclick: () => go(offset + PAGE) }, "Older →")]);
}

/** Orders apps so that forks and spawned apps come right under their parent when both are
 * on the page (parents keep their order); returns each app with its nesting depth. */
function nestChildren(apps) {
  const ids = new Set(apps.map((a) => a.app_id));
  const parentOf = (a) => {
    const ptr = a.spawning_parent_pointer || a.parent_pointer;
    return ptr && ids.has(ptr.app_id) && ptr.app_id !== a.app_id ? ptr.app_id : null;
  };
  const children = new Map();
  for (const a of apps) {
    const p = parentOf(a);
    if (p !== null) {
      if (!children.has(p)) children.set(p, []);
      children.get(p).push(a);
    }
  }
  const out = [];
  const seen = new Set();
  const visit = (a, depth) => {
    if (seen.has(a.app_id)) return;
    seen.add(a.app_id);
    out.push({ app: a, depth });
    for (const c of children.get(a.app_id) || []) visit(c, depth + 1);
  };
  for (const a of apps) if (parentOf(a) === null) visit(a, 0);
  for (const a of apps) visit(a, 0); // cycles: whatever is left
  return out;
}
