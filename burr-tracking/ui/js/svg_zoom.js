// Zoom, pan and fit for an SVG drawn in a box: the wheel zooms around the pointer, dragging
// pans, and buttons zoom in and out, fit the whole picture, or show it at its own size
// (centred on the current node). A picture too large to fit at a readable size opens at its
// own size rather than shrunk.

/** Below this scale the text of a fitted picture is too small to read: open it at 1:1. */
const READABLE = 0.8;

/** Makes `svg` (whose width and height attributes give its own size), drawn in `box`,
 * zoomable; returns the bar of buttons to put beside it. Call `open()` on the result once both
 * are in the page. */
export function zoomable(svg, box, h) {
  const W = Number(svg.getAttribute("width")) || 1;
  const H = Number(svg.getAttribute("height")) || 1;
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  let vb = { x: 0, y: 0, w: W, h: H };
  const apply = () => svg.setAttribute("viewBox", `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
  const rect = () => box.getBoundingClientRect();
  const fit = () => { vb = { x: 0, y: 0, w: W, h: H }; apply(); };
  const centre = () => {
    const cur = svg.querySelector(".node.cur");
    if (!cur || !cur.getBBox) return { x: W / 2, y: H / 2 };
    const b = cur.getBBox();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };
  const actual = () => {
    const r = rect();
    const c = centre();
    vb = { x: c.x - r.width / 2, y: c.y - r.height / 2, w: r.width, h: r.height };
    apply();
  };
  /** Zooms by `factor` (below 1: in) around the point `p` of the picture. */
  const zoom = (factor, p) => {
    const w = Math.min(W * 8, Math.max(W / 40, vb.w * factor));
    const k = w / vb.w;
    vb = { x: p.x - (p.x - vb.x) * k, y: p.y - (p.y - vb.y) * k, w, h: vb.h * k };
    apply();
  };
  const toPicture = (clientX, clientY) => {
    const m = svg.getScreenCTM();
    if (!m) return { x: vb.x + vb.w / 2, y: vb.y + vb.h / 2 };
    const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, toPicture(e.clientX, e.clientY));
  }, { passive: false });
  let drag = null;
  svg.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vb: { ...vb } };
    svg.setPointerCapture(e.pointerId);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const m = svg.getScreenCTM();
    const scale = m ? m.a : 1;
    vb = { ...drag.vb, x: drag.vb.x - (e.clientX - drag.x) / scale, y: drag.vb.y - (e.clientY - drag.y) / scale };
    apply();
  });
  const stop = () => { drag = null; svg.classList.remove("dragging"); };
  svg.addEventListener("pointerup", stop);
  svg.addEventListener("pointercancel", stop);
  apply();
  const mid = () => ({ x: vb.x + vb.w / 2, y: vb.y + vb.h / 2 });
  const bar = h("div", { class: "zoombar" },
    h("button", { id: "graph-zoom-in", title: "Zoom in (or the mouse wheel)", onclick: () => zoom(1 / 1.25, mid()) }, "+"),
    h("button", { id: "graph-zoom-out", title: "Zoom out", onclick: () => zoom(1.25, mid()) }, "−"),
    h("button", { id: "graph-fit", title: "Show the whole graph", onclick: fit }, "Fit"),
    h("button", { id: "graph-actual", title: "Actual size, around the current action", onclick: actual }, "1:1"));
  return {
    bar,
    /** Picks the first view: the whole picture if readable so, else its own size. */
    open() {
      const r = rect();
      const scale = Math.min(r.width / W, r.height / H);
      if (r.width > 0 && scale < READABLE) actual();
      else fit();
    },
  };
}
