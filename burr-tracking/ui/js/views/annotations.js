// The annotations of a project: filtered by tag, action or app, each linked to its step, and
// downloaded as JSON or CSV.
import * as api from "../api.js";
import { clear, h } from "../dom.js";
import { dateTime, plural } from "../format.js";
import { annotationsCsv, observationText, pointerText } from "../annotation_text.js";
import { annotationsHref, appHref, projectHref, setQuery } from "../router.js";
import { setCrumbs, show } from "./frame.js";

export async function annotationsPage(visit, project, q) {
  setCrumbs([{ text: "projects", href: "#/" }, { text: project, href: projectHref(project) }, { text: "annotations" }]);
  document.title = `Annotations · ${project} · burr`;
  const page = {
    visit,
    project,
    all: [],
    tag: h("input", { type: "search", id: "filter-tag", placeholder: "Tag", value: q.get("tag") || "", "aria-label": "Filter by tag" }),
    action: h("input", { type: "search", id: "filter-action", placeholder: "Action or app id", value: q.get("action") || "", "aria-label": "Filter by action or app id" }),
    sub: h("p", { class: "sub", id: "annotations-sub" }, ""),
    body: h("div", { class: "card" }, h("div", { class: "empty" }, "Loading…")),
  };
  const again = () => {
    setQuery({ tag: page.tag.value.trim(), action: page.action.value.trim() });
    draw(page);
  };
  page.tag.addEventListener("input", again);
  page.action.addEventListener("input", again);
  const download = (kind) => {
    const list = shown(page);
    const text = kind === "csv" ? annotationsCsv(list) : JSON.stringify(list, null, 2);
    const blob = new Blob([text], { type: kind === "csv" ? "text/csv" : "application/json" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `${project}-annotations.${kind}` });
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  };
  show(h("div", { class: "page" },
    h("h1", null, `Annotations of ${project}`),
    page.sub,
    h("div", { class: "toolbar" }, page.tag, page.action,
      h("button", { id: "download-json", onclick: () => download("json") }, "Download JSON"),
      h("button", { id: "download-csv", onclick: () => download("csv") }, "Download CSV")),
    page.body));
  await load(page);
  visit.poll(5000, () => load(page));
}

async function load(page) {
  const list = await api.annotations(page.project, {}, page.visit.signal);
  if (!page.visit.alive()) return;
  list.sort((a, b) => String(b.updated).localeCompare(String(a.updated)) || b.id - a.id);
  page.all = list;
  draw(page);
}

/** The annotations passing the filters. */
function shown(page) {
  const tag = page.tag.value.trim().toLowerCase();
  const what = page.action.value.trim().toLowerCase();
  return page.all.filter((a) =>
    (!tag || (a.tags || []).some((t) => t.toLowerCase().includes(tag)))
    && (!what || a.step_name.toLowerCase().includes(what) || a.app_id.toLowerCase().includes(what)));
}

function draw(page) {
  const list = shown(page);
  page.sub.textContent = list.length === page.all.length ? plural(list.length, "annotation") : `${plural(list.length, "annotation")} of ${page.all.length}`;
  clear(page.body);
  if (!page.all.length) {
    page.body.appendChild(h("div", { class: "empty" }, "No annotations yet: open a step and use its Annotations tab."));
    return;
  }
  const rows = list.map((a) => h("tr", { "data-annotation": a.id },
    h("td", { class: "mono" }, h("a", { href: appHref(page.project, a.app_id, { seq: a.step_sequence_id, tab: "annotations" }) }, a.app_id)),
    h("td", { class: "muted" }, a.partition_key === null || a.partition_key === undefined ? "–" : a.partition_key),
    h("td", null, h("span", { class: "muted" }, `#${a.step_sequence_id} `), a.step_name),
    h("td", null, (a.tags || []).map((t) => h("span", { class: "chip tag" }, t))),
    h("td", null, (a.observations || []).map((o) => h("div", null, observationText(o),
      (o.data_pointers || []).length ? h("span", { class: "muted" }, ` (${o.data_pointers.map(pointerText).join(", ")})`) : null))),
    h("td", { class: "muted", title: `created ${dateTime(a.created)}` }, dateTime(a.updated))));
  page.body.appendChild(h("table", { class: "grid", id: "annotations-table" },
    h("thead", null, h("tr", null, ["App", "Partition key", "Step", "Tags", "Observations", "Updated"].map((t) => h("th", null, t)))),
    h("tbody", null, rows)));
}

/** The link to a project's annotations. */
export function annotationsLink(project) {
  return h("a", { class: "annotations-link", href: annotationsHref(project) }, "annotations");
}
