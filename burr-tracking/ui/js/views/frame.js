// The frame around every view: breadcrumbs and connection status in the top bar, and the main
// area the views draw into.
import { append, clear, h } from "../dom.js";

const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");
const conn = document.getElementById("conn");

/** Shows the breadcrumbs `[{text, href}]`; the one without `href` is the current place. */
export function setCrumbs(items) {
  clear(crumbs);
  items.forEach((it, i) => {
    if (i) crumbs.appendChild(h("span", { class: "sep" }, "/"));
    crumbs.appendChild(it.href ? h("a", { href: it.href, title: it.text }, it.text) : h("span", { class: "cur", title: it.text }, it.text));
  });
}

/** Replaces what the main area shows. */
export function show(...nodes) {
  clear(main);
  append(main, nodes);
}

/** Shows why a view could not be drawn. */
export function showError(e) {
  show(h("div", { class: "page" }, h("div", { class: "banner err" }, e.message || String(e)), h("a", { href: "#/" }, "Back to all projects")));
}

export function showConnection(reachable) {
  conn.textContent = reachable ? "" : "server unreachable";
  conn.className = reachable ? "conn" : "conn err";
}
