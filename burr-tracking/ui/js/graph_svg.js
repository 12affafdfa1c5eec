// Draws an app's graph as SVG, marked with the current action, the actions visited up to it and
// the transitions taken.
import { s } from "./dom.js";
import { short } from "./format.js";
import { layoutGraph } from "./graph_layout.js";

const FONT = "12.5px system-ui, sans-serif";
/** The font of edge labels (style.css: `svg .elabel`). */
const LABEL_FONT = '10.5px ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace';

let measureCtx = null;
function textWidth(str, font = FONT) {
  if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
  if (!measureCtx) return str.length * (font === FONT ? 7.2 : 6.4);
  measureCtx.font = font;
  return measureCtx.measureText(str).width;
}

/** The graph of `app`. `mark` holds `current` (the current action's name or null),
 * `currentFailed`, `visited` (action names), `taken` (`"from\0to"` pairs of action names) and
 * `showInputs`. */
export function graphSvg(app, mark) {
  const layout = layoutGraph(app, mark.showInputs, textWidth);
  // Drawn once to find how wide the picture is, with its labels, then moved to fit that width
  // (labels land in the same places: the same candidates, shifted alike, are free or not).
  const [lo, hi] = extent(layout, drawEdges(layout, mark).placed);
  const width = Math.max(200, hi - lo + 2 * MARGIN);
  const dx = (width - (hi - lo)) / 2 - lo;
  for (const nd of layout.nodes) nd.x += dx;
  layout.width = width;
  const { width: W, height: H } = layout;
  const svg = s("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "graph of actions and transitions", id: "graph" });
  const arrow = (id, cls) => s("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: cls }));
  svg.appendChild(s("defs", null, arrow("ah", "arrow"), arrow("aht", "arrow taken")));
  const { gEdges, gLabels } = drawEdges(layout, mark);
  svg.appendChild(gEdges);
  svg.appendChild(drawNodes(layout, mark));
  svg.appendChild(gLabels);
  return svg;
}

/** Room left and right of what is drawn. */
const MARGIN = 24;

/** The leftmost and rightmost x of the picture: nodes, the bends of long edges, loops and the
 * labels as placed. */
function extent({ nodes, edges }, placed) {
  let lo = Infinity;
  let hi = -Infinity;
  const take = (l, r) => { lo = Math.min(lo, l); hi = Math.max(hi, r); };
  for (const nd of nodes) {
    const bend = nd.kind === "dummy" ? 24 : 0;
    take(nd.x - nd.w / 2 - bend, nd.x + nd.w / 2 + bend);
  }
  for (const e of edges) {
    if (e.from === e.to) take(nodes[e.from].x - nodes[e.from].w / 2 - 30, nodes[e.from].x);
  }
  for (const p of placed) take(p.box.l, p.box.r);
  return lo === Infinity ? [0, 0] : [lo, hi];
}

/** The edges, as one group, and their labels, as another (drawn over the nodes); `placed`
 * says where each label went. */
function drawEdges({ names, edges, nodes, chains, width, height }, mark) {
  const gEdges = s("g");
  const gLabels = s("g");
  const edgeAttrs = (e) => {
    const tk = mark.taken.has(`${names[e.from]}\u0000${names[e.to]}`);
    return { class: `edge${tk ? " taken" : ""}`, marker: `url(#${tk ? "aht" : "ah"})` };
  };
  const title = (e) => s("title", null, `${names[e.from]} → ${names[e.to]}: ${e.label}`);
  // Labels are placed once every edge is drawn (see `placeLabels`): each offers the places
  // along its edge where it may go, best first.
  const pending = [];
  const label = (text, places) => {
    if (!text || text === "default") return;
    pending.push({ text, places });
  };
  // Pairs linked both ways get their two curves bent apart.
  const pairKey = (a, b) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  const pairCount = new Map();
  for (const e of edges) pairCount.set(pairKey(e.from, e.to), (pairCount.get(pairKey(e.from, e.to)) || 0) + 1);
  const bez = (p0, c1, c2, p1, t) => {
    const u = 1 - t;
    return [0, 1].map((k) => u * u * u * p0[k] + 3 * u * u * t * c1[k] + 3 * u * t * t * c2[k] + t * t * t * p1[k]);
  };
  for (const { ei, chain, reversed, flat } of chains) {
    const e = edges[ei];
    const at = edgeAttrs(e);
    if (flat) {
      // Same layer: an arc over the nodes.
      const a = nodes[e.from], b = nodes[e.to];
      const y = a.y - a.h / 2, lift = 30 + Math.abs(a.x - b.x) * 0.08;
      const d = `M${a.x},${y} C${a.x},${y - lift} ${b.x},${y - lift} ${b.x},${y}`;
      gEdges.appendChild(s("path", { d, class: at.class, "marker-end": at.marker }, title(e)));
      const top = y - lift * 0.75;
      label(e.label, [[(a.x + b.x) / 2, top - 3, "middle"], [(a.x + b.x) / 2, top + 12, "middle"], [(a.x + b.x) / 2, top - 16, "middle"]]);
      continue;
    }
    const bend = pairCount.get(pairKey(e.from, e.to)) > 1 ? (reversed ? 22 : -22) : 0;
    const pts = chain.map((v, i) => {
      const nd = nodes[v];
      if (i === 0) return [nd.x + bend * 0.6, nd.y + nd.h / 2];
      if (i === chain.length - 1) return [nd.x + bend * 0.6, nd.y - nd.h / 2];
      return [nd.x + bend, nd.y];
    });
    let d = `M${pts[0][0]},${pts[0][1]}`;
    const curves = [];
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1], [x1, y1] = pts[i];
      const my = (y0 + y1) / 2;
      const c1 = [x0 + bend, my], c2 = [x1 + bend, my];
      curves.push([pts[i - 1], c1, c2, pts[i]]);
      d += ` C${c1[0]},${c1[1]} ${c2[0]},${c2[1]} ${x1},${y1}`;
    }
    gEdges.appendChild(s("path", { d, class: at.class, "marker-end": reversed ? null : at.marker, "marker-start": reversed ? at.marker : null }, title(e)));
    // Label near the target, where edges fanning out of one node have spread apart; else
    // further along the edge, on either side of it.
    const seg = reversed ? curves[0] : curves[curves.length - 1];
    const places = [];
    for (const t of [0.62, 0.5, 0.75, 0.4, 0.85, 0.3]) {
      const p = bez(...seg, reversed ? 1 - t : t);
      places.push([p[0] + 5, p[1] + 3, "start"], [p[0] - 5, p[1] + 3, "end"]);
    }
    for (const c of curves) {
      if (c === seg) continue;
      const p = bez(...c, 0.5);
      places.push([p[0] + 5, p[1] + 3, "start"], [p[0] - 5, p[1] + 3, "end"]);
    }
    label(e.label, places);
  }
  for (const e of edges) {
    if (e.from !== e.to) continue;
    // A loop on the left side of its node.
    const a = nodes[e.from];
    const at = edgeAttrs(e);
    const x = a.x - a.w / 2, y = a.y;
    const d = `M${x},${y - 7} C${x - 34},${y - 26} ${x - 34},${y + 26} ${x},${y + 7}`;
    gEdges.appendChild(s("path", { d, class: at.class, "marker-end": at.marker }, title(e)));
    label(e.label, [[x - 30, y + 3, "end"], [x - 30, y - 12, "end"], [x - 30, y + 18, "end"]]);
  }
  for (const nd of nodes) {
    if (nd.kind !== "input") continue;
    const t = nodes[nd.target];
    gEdges.appendChild(s("path", { d: `M${nd.x},${nd.y + nd.h / 2} C${nd.x},${(nd.y + t.y) / 2} ${t.x},${(nd.y + t.y) / 2} ${t.x},${t.y - t.h / 2}`, class: "edge", "stroke-dasharray": "3 3", "marker-end": "url(#ah)" }));
  }
  const placed = placeLabels(pending, nodes, width, height);
  for (const { text, x, y, anchor } of placed) {
    gLabels.appendChild(s("text", { x, y, class: "elabel", "text-anchor": anchor }, short(text, 30), s("title", null, text)));
  }
  return { gEdges, gLabels, placed };
}

/** Where each label goes: the first of its places where it overlaps no label placed before it
 * and no node, inside the drawing (`width` by `height`); when every place is taken, the first
 * place moved up or down until it is free (or, past that, the place that overlaps least). */
function placeLabels(pending, nodes, width, height) {
  const taken = nodes.filter((nd) => nd.kind !== "dummy").map((nd) => ({ l: nd.x - nd.w / 2, r: nd.x + nd.w / 2, t: nd.y - nd.h / 2, b: nd.y + nd.h / 2 }));
  const nodeCount = taken.length;
  const overlap = (a, b) => Math.max(0, Math.min(a.r, b.r) - Math.max(a.l, b.l)) * Math.max(0, Math.min(a.b, b.b) - Math.max(a.t, b.t));
  const placed = [];
  for (const { text, places } of pending) {
    const w = textWidth(short(text, 30), LABEL_FONT);
    const box = ([x, y, anchor]) => {
      const l = anchor === "start" ? x : anchor === "end" ? x - w : x - w / 2;
      return { l: l - 3, r: l + w + 3, t: y - 11, b: y + 4 };
    };
    // Overlapping a label is worse than overlapping a node.
    const outside = (b) => Math.max(0, -b.l) + Math.max(0, b.r - width) + Math.max(0, -b.t) + Math.max(0, b.b - height);
    const cost = (b) => taken.reduce((sum, o, i) => sum + overlap(b, o) * (i < nodeCount ? 1 : 100), outside(b) * 1000);
    let best = null;
    let bestCost = Infinity;
    const tryPlace = (p) => {
      const c = cost(box(p));
      if (c < bestCost) { best = p; bestCost = c; }
      return c === 0;
    };
    let free = places.some(tryPlace);
    for (let k = 1; !free && k <= 12; k++) {
      const [x, y, anchor] = places[0];
      free = tryPlace([x, y + 13 * k, anchor]) || tryPlace([x, y - 13 * k, anchor]);
    }
    taken.push(box(best));
    placed.push({ text, x: best[0], y: best[1], anchor: best[2], box: box(best) });
  }
  return placed;
}

function drawNodes({ nodes, entry }, mark) {
  const gNodes = s("g");
  nodes.forEach((nd, i) => {
    if (nd.kind === "dummy") return;
    const cls = ["node"];
    if (nd.kind === "input") cls.push("input");
    else {
      if (i === entry) cls.push("entry");
      if (mark.current === nd.name) { cls.push("cur"); if (mark.currentFailed) cls.push("bad"); }
      else if (mark.visited.has(nd.name)) cls.push("visited");
    }
    gNodes.appendChild(s("g", { class: cls.join(" "), "data-action": nd.kind === "action" ? nd.name : null },
      s("rect", { x: nd.x - nd.w / 2, y: nd.y - nd.h / 2, width: nd.w, height: nd.h, rx: nd.kind === "input" ? 15 : 7 }),
      s("text", { x: nd.x, y: nd.y + 4.5, "text-anchor": "middle" }, nd.name),
      s("title", null, nd.kind === "input" ? `input ${nd.name}` : nd.name + (i === entry ? " (entrypoint)" : ""))));
  });
  return gNodes;
}
