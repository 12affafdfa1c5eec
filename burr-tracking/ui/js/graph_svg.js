// Draws an app's graph as SVG, marked with the current action, the actions visited up to it and
// the transitions taken.
import { s } from "./dom.js";
import { short } from "./format.js";
import { layoutGraph } from "./graph_layout.js";

const FONT = "12.5px system-ui, sans-serif";

let measureCtx = null;
function textWidth(str) {
  if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
  if (!measureCtx) return str.length * 7.2;
  measureCtx.font = FONT;
  return measureCtx.measureText(str).width;
}

/** The graph of `app`. `mark` holds `current` (the current action's name or null),
 * `currentFailed`, `visited` (action names), `taken` (`"from\0to"` pairs of action names) and
 * `showInputs`. */
export function graphSvg(app, mark) {
  const layout = layoutGraph(app, mark.showInputs, textWidth);
  const { width: W, height: H } = layout;
  const svg = s("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "graph of actions and transitions", id: "graph" });
  const arrow = (id, cls) => s("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: cls }));
  svg.appendChild(s("defs", null, arrow("ah", "arrow"), arrow("aht", "arrow taken")));
  const gLabels = s("g");
  svg.appendChild(drawEdges(layout, mark, gLabels));
  svg.appendChild(drawNodes(layout, mark));
  svg.appendChild(gLabels);
  return svg;
}

/** The edges, as one group; their labels go into `gLabels`, which is drawn over the nodes. */
function drawEdges({ names, edges, nodes, chains }, mark, gLabels) {
  const gEdges = s("g");
  const edgeAttrs = (e) => {
    const tk = mark.taken.has(`${names[e.from]}\u0000${names[e.to]}`);
    return { class: `edge${tk ? " taken" : ""}`, marker: `url(#${tk ? "aht" : "ah"})` };
  };
  const title = (e) => s("title", null, `${names[e.from]} → ${names[e.to]}: ${e.label}`);
  const label = (x, y, text, anchor) => {
    if (!text || text === "default") return;
    gLabels.appendChild(s("text", { x, y, class: "elabel", "text-anchor": anchor || "middle" }, short(text, 30), s("title", null, text)));
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
      label((a.x + b.x) / 2, y - lift * 0.75 - 3, e.label, "middle");
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
    // Label near the target, where edges fanning out of one node have spread apart.
    const seg = reversed ? curves[0] : curves[curves.length - 1];
    const p = bez(...seg, reversed ? 0.35 : 0.62);
    label(p[0] + 5, p[1] + 3, e.label, "start");
  }
  for (const e of edges) {
    if (e.from !== e.to) continue;
    // A loop on the left side of its node.
    const a = nodes[e.from];
    const at = edgeAttrs(e);
    const x = a.x - a.w / 2, y = a.y;
    const d = `M${x},${y - 7} C${x - 34},${y - 26} ${x - 34},${y + 26} ${x},${y + 7}`;
    gEdges.appendChild(s("path", { d, class: at.class, "marker-end": at.marker }, title(e)));
    label(x - 30, y + 3, e.label, "end");
  }
  for (const nd of nodes) {
    if (nd.kind !== "input") continue;
    const t = nodes[nd.target];
    gEdges.appendChild(s("path", { d: `M${nd.x},${nd.y + nd.h / 2} C${nd.x},${(nd.y + t.y) / 2} ${t.x},${(nd.y + t.y) / 2} ${t.x},${t.y - t.h / 2}`, class: "edge", "stroke-dasharray": "3 3", "marker-end": "url(#ah)" }));
  }
  return gEdges;
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
