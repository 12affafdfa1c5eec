// The changes between two JSON values, path by path.
import { h } from "./dom.js";
import { short } from "./format.js";

/** Appends to `out` one `{kind: "add" | "del" | "chg", path, was, now}` per difference. */
function diffList(a, b, path, out) {
  const isObj = (x) => x !== null && typeof x === "object";
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) {
        const p = `${path}[${i}]`;
        if (i >= a.length) out.push({ kind: "add", path: p, now: b[i] });
        else if (i >= b.length) out.push({ kind: "del", path: p, was: a[i] });
        else diffList(a[i], b[i], p, out);
      }
    } else {
      for (const k of Object.keys(a)) {
        const p = path ? `${path}.${k}` : k;
        // Own keys only: a key such as `constructor` is not inherited from Object.prototype.
        if (!Object.hasOwn(b, k)) out.push({ kind: "del", path: p, was: a[k] });
        else diffList(a[k], b[k], p, out);
      }
      for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) out.push({ kind: "add", path: path ? `${path}.${k}` : k, now: b[k] });
    }
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ kind: "chg", path, was: a, now: b });
  return out;
}

/** The changes from `before` to `after`, leaving out burr's internal keys (`__...`). */
export function diffView(before, after) {
  const changes = diffList(before, after, "", []).filter((c) => !c.path.startsWith("__"));
  if (!changes.length) return h("div", { class: "muted" }, "No change against the previous step.");
  const show = (v) => h("span", { class: "val" }, v === undefined ? "" : short(v, 2000));
  return h("div", { class: "diff", id: "diff" }, changes.map((c) =>
    h("div", { class: `d ${c.kind}` },
      h("span", { class: "sym" }, c.kind === "add" ? "+" : c.kind === "del" ? "−" : "~"),
      h("span", { class: "path" }, c.path),
      c.kind === "chg" ? h("span", null, h("span", { class: "val old" }, short(c.was, 1000)), "  →  ", show(c.now)) : show(c.kind === "add" ? c.now : c.was))));
}
