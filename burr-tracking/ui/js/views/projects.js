// The list of projects, newest first, with a filter; the demo projects are offered while they are
// missing (prominently in an empty folder).
import * as api from "../api.js";
import { clear, h } from "../dom.js";
import { ago, dateTime, plural, tsMillis } from "../format.js";
import { projectHref } from "../router.js";
import { annotationsLink } from "./annotations.js";
import { setCrumbs, show } from "./frame.js";

/** The demo projects the server writes (burr-tracking's `demo.rs`). */
const DEMO_PROJECTS = ["demo_counter", "demo_chatbot"];

export async function projectsPage(visit) {
  setCrumbs([{ text: "projects" }]);
  document.title = "Projects · burr";
  const page = {
    visit,
    projects: [],
    filter: h("input", { type: "search", placeholder: "Filter projects", "aria-label": "Filter projects" }),
    count: h("p", { class: "sub", id: "projects-sub" }, ""),
    body: h("div", { class: "card" }, h("div", { class: "empty" }, "Loading…")),
  };
  show(h("div", { class: "page" }, h("h1", null, "Projects"), page.count, h("div", { class: "toolbar" }, page.filter), page.body));
  page.filter.addEventListener("input", () => draw(page));
  await load(page);
  page.filter.focus();
  visit.poll(5000, () => load(page));
}

async function load(page) {
  const list = await api.projects(page.visit.signal);
  if (!page.visit.alive()) return;
  list.sort((a, b) => (tsMillis(b.last_written) || 0) - (tsMillis(a.last_written) || 0) || a.name.localeCompare(b.name));
  page.projects = list;
  page.count.textContent = plural(list.length, "project");
  draw(page);
}

function draw(page) {
  const term = page.filter.value.trim().toLowerCase();
  const shown = page.projects.filter((p) => !term || p.name.toLowerCase().includes(term));
  clear(page.body);
  if (!page.projects.length) {
    page.body.appendChild(demoOffer(page));
    return;
  }
  const rows = shown.map((p) =>
    h("tr", { "data-project": p.name },
      h("td", null, p.name.startsWith("demo_") ? h("span", { class: "chip demo" }, "demo") : null, " ",
        h("a", { class: "rowlink", href: projectHref(p.name) }, p.name)),
      h("td", { class: "num" }, p.num_apps.toLocaleString()),
      h("td", { title: dateTime(p.last_written) }, ago(p.last_written)),
      h("td", { class: "muted", title: dateTime(p.created) }, dateTime(p.created)),
      h("td", null, annotationsLink(p.name)),
    ));
  page.body.appendChild(h("table", { class: "grid" },
    h("thead", null, h("tr", null, h("th", null, "Project"), h("th", { class: "num" }, "Apps"), h("th", null, "Last written"), h("th", null, "Created"), h("th", null, "Annotations"))),
    h("tbody", null, rows)));
  const names = new Set(page.projects.map((p) => p.name));
  if (DEMO_PROJECTS.some((d) => !names.has(d))) {
    page.body.appendChild(h("p", { class: "sub demo-more" }, "Look around with the demo projects too: ", demoButton(page)));
  }
}

/** The button that runs the demo applications into this folder, then shows them. */
function demoButton(page) {
  const add = h("button", { class: "on", id: "add-demo", onclick: async () => {
    add.disabled = true;
    add.textContent = "Running the demo applications…";
    try {
      await api.addDemoProjects();
      await load(page);
    } catch (e) {
      add.disabled = false;
      add.textContent = "Add demo projects";
      page.body.appendChild(h("div", { class: "banner err" }, String(e.message || e)));
    }
  } }, "Add demo projects");
  return add;
}

function demoOffer(page) {
  return h("div", { class: "empty" },
    h("p", null, "No projects yet. Run an application with a tracker and it shows up here."),
    h("p", null, "Or look around first: the demo projects come from small burr applications (a counter and a chatbot with spans, a failure, a fork and a spawned app), run now into this folder."),
    demoButton(page));
}
