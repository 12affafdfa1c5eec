// A collapsible tree of a JSON value. Containers are drawn when first opened; big or deep ones
// start closed.
import { append, h } from "./dom.js";

function scalar(v) {
  if (v === null) return h("span", { class: "z" }, "null");
  if (typeof v === "string") return h("span", { class: "s" }, JSON.stringify(v).length > 2 && v.includes("\n") ? v : JSON.stringify(v));
  if (typeof v === "number") return h("span", { class: "n" }, String(v));
  if (typeof v === "boolean") return h("span", { class: "b" }, String(v));
  return h("span", null, String(v));
}

/** The tree of `value`; `emptyText` replaces an empty container, and `topLevelState` moves
 * burr's internal keys (`__...`) to the end. */
export function jsonTree(value, emptyText, topLevelState) {
  const root = h("div", { class: "jt" });
  if (value !== null && typeof value === "object" && !Object.keys(value).length && emptyText) {
    root.appendChild(h("div", { class: "muted" }, emptyText));
    return root;
  }
  if (value === null || typeof value !== "object") {
    root.appendChild(scalar(value));
    return root;
  }
  let entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (topLevelState) {
    entries = entries.filter(([k]) => !String(k).startsWith("__")).concat(entries.filter(([k]) => String(k).startsWith("__")));
  }
  for (const [k, v] of entries) root.appendChild(node(k, v, 0, Array.isArray(value)));
  return root;
}

function node(key, v, depth, inArray) {
  const label = inArray ? h("span", { class: "jm" }, `${key}: `) : [h("span", { class: "k" }, String(key)), ": "];
  const internal = !inArray && String(key).startsWith("__");
  if (v === null || typeof v !== "object") return h("div", { class: `row${internal ? " internal" : ""}` }, label, scalar(v));
  const isArr = Array.isArray(v);
  const entries = isArr ? v.map((x, i) => [i, x]) : Object.entries(v);
  const size = entries.length;
  if (!size) return h("div", { class: "row" }, label, h("span", { class: "jm" }, isArr ? "[]" : "{}"));
  const row = h("div", { class: `row${size > 25 || depth > 3 ? " closed" : ""}${internal ? " internal" : ""}` });
  const tog = h("span", { class: "tog", role: "button", "aria-label": "expand or collapse" }, "");
  const setTog = () => { tog.textContent = row.classList.contains("closed") ? "▸" : "▾"; };
  tog.addEventListener("click", () => { row.classList.toggle("closed"); setTog(); });
  setTog();
  const kids = h("div", { class: "kids" });
  let rendered = false;
  const render = () => {
    if (rendered) return;
    rendered = true;
    for (const [k, x] of entries) kids.appendChild(node(k, x, depth + 1, isArr));
  };
  if (!row.classList.contains("closed")) render();
  tog.addEventListener("click", render);
  append(row, [tog, label, h("span", { class: "jm" }, isArr ? `[${size} item${size === 1 ? "" : "s"}]` : `{${size} key${size === 1 ? "" : "s"}}`), kids]);
  return row;
}
