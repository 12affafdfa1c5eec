// The frame around every view: breadcrumbs and connection status in the top bar, and the main
// area the views draw into.
import { append, clear, h } from "../dom.js";
import { readPrefs, savePref } from "../prefs.js";

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

const THEMES = ["auto", "light", "dark"];
const systemDark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

/** Applies the theme kept in the preferences ("auto" follows the system). */
function applyTheme(button) {
  const theme = readPrefs().theme;
  const dark = theme === "dark" || (theme === "auto" && !!systemDark && systemDark.matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  if (button) button.textContent = `theme: ${theme}`;
}

/** Puts the theme button (auto, light, dark) in the top bar and applies the kept theme. */
export function setUpTheme() {
  const button = h("button", { class: "theme", id: "theme", title: "Light or dark (auto follows the system)", onclick: () => {
    const next = THEMES[(THEMES.indexOf(readPrefs().theme) + 1) % THEMES.length];
    savePref("theme", next);
    applyTheme(button);
  } });
  conn.after(button);
  applyTheme(button);
  if (systemDark && systemDark.addEventListener) systemDark.addEventListener("change", () => applyTheme(button));
}
