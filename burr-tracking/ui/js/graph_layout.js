// Places the actions of an app's graph in layers. Layers come from the longest path over forward
// edges (back edges are found by a depth-first search from the entrypoint), the order within a
// layer from rounds of barycenter sorting, and an edge that spans several layers passes through
// one dummy point per layer it crosses.

const NH = 30; // node height
const LGAP = 74; // from one layer to the next
const XGAP = 34; // between nodes of a layer
const PAD = 24; // around the drawing

/** Lays out `app` (its `actions`, `transitions` and `entrypoint`). With `showInputs` the inputs
 * of each action become nodes in a row of their own above it. `measure(text)` is the width of a label in pixels.
 *
 * Returns `names` (of the actions, by index), `edges` (`{from, to, label}`, by action index),
 * `nodes` (actions first, then inputs and dummy points; each with `name`, `kind`, `layer`, `x`,
 * `y`, `w` and `h`), `chains` (`{ei, chain, reversed, flat}` per edge between two different
 * actions: the nodes it passes through), `entry` (the entrypoint's index), `width` and `height`. */
export function layoutGraph(app, showInputs, measure) {
  const names = app.actions.map((a) => String(a.name));
  const id = new Map(names.map((n, i) => [n, i]));
  const edges = [];
  for (const t of app.transitions || []) {
    if (id.has(t.from_) && id.has(t.to)) edges.push({ from: id.get(t.from_), to: id.get(t.to), label: String(t.condition ?? "") });
  }
  const n = names.length;
  const out = Array.from({ length: n }, () => []);
  edges.forEach((e, i) => out[e.from].push(i));
  const entry = id.has(app.entrypoint) ? id.get(app.entrypoint) : 0;
  const { back, order } = depthFirst(n, edges, out, entry);
  const layer = new Array(n).fill(0);
  for (const v of order) {
    for (const ei of out[v]) if (!back.has(ei)) layer[edges[ei].to] = Math.max(layer[edges[ei].to], layer[v] + 1);
  }
  const nodes = names.map((name, i) => ({ name, kind: "action", layer: layer[i] }));
  if (showInputs) addInputs(app, layer, nodes);
  const { chains, segs } = chainEdges(edges, nodes);
  const layers = orderLayers(nodes, segs, order);
  const { width, height } = place(nodes, layers, measure);
  return { names, edges, nodes, chains, entry, width, height };
}

/** The back edges (by index) and the actions in reverse postorder, searching from `entry` first. */
function depthFirst(n, edges, out, entry) {
  const stateOf = new Array(n).fill(0); // 0 not reached, 1 on the path, 2 done
  const back = new Set();
  const postorder = [];
  const visit = (start) => {
    const stack = [[start, 0]];
    stateOf[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, i] = top;
      if (i < out[v].length) {
        top[1]++;
        const ei = out[v][i];
        const w = edges[ei].to;
        if (stateOf[w] === 1) back.add(ei);
        else if (stateOf[w] === 0) { stateOf[w] = 1; stack.push([w, 0]); }
      } else {
        stateOf[v] = 2;
        postorder.push(v);
        stack.pop();
      }
    }
  };
  if (n) visit(entry);
  for (let v = 0; v < n; v++) if (!stateOf[v]) visit(v);
  return { back, order: postorder.reverse() };
}

/** Adds a node per input of each action, in a row of inputs just above the action's row: an
 * input never shares a row with an action, so it never sits beside one and reads as an action
 * of that row. Rows of inputs are made only where an action has inputs. Burr's internal inputs
 * (`__...`) are left out. */
function addInputs(app, layer, nodes) {
  const inputs = [];
  app.actions.forEach((a, i) => {
    for (const inp of [].concat(a.inputs || [], a.optional_inputs || [])) {
      if (typeof inp !== "string" || inp.startsWith("__")) continue;
      inputs.push({ name: inp, kind: "input", layer: 2 * layer[i], target: i });
    }
  });
  if (!inputs.length) return;
  // Action rows take the odd numbers, input rows the even ones; then the rows used are
  // numbered again from 0.
  for (const nd of nodes) nd.layer = 2 * nd.layer + 1;
  nodes.push(...inputs);
  const used = [...new Set(nodes.map((nd) => nd.layer))].sort((a, b) => a - b);
  const row = new Map(used.map((l, i) => [l, i]));
  for (const nd of nodes) nd.layer = row.get(nd.layer);
}

/** Every edge between different layers becomes a chain from the upper to the lower node, with a
 * dummy node per layer crossed; back edges are laid out reversed. Edges within one layer are
 * `flat`. Returns the chains and the segments `[upper, lower]` between neighbouring layers. */
function chainEdges(edges, nodes) {
  const segs = [];
  const chains = [];
  edges.forEach((e, ei) => {
    if (e.from === e.to) return;
    const reversed = nodes[e.from].layer > nodes[e.to].layer;
    const [top, bottom] = reversed ? [e.to, e.from] : [e.from, e.to];
    if (nodes[top].layer === nodes[bottom].layer) {
      chains.push({ ei, chain: [e.from, e.to], reversed: false, flat: true });
      return;
    }
    let prev = top;
    const chain = [top];
    for (let l = nodes[top].layer + 1; l < nodes[bottom].layer; l++) {
      nodes.push({ name: "", kind: "dummy", layer: l });
      const d = nodes.length - 1;
      segs.push([prev, d]);
      chain.push(d);
      prev = d;
    }
    segs.push([prev, bottom]);
    chain.push(bottom);
    chains.push({ ei, chain, reversed });
  });
  nodes.forEach((nd, i) => { if (nd.kind === "input") segs.push([i, nd.target]); });
  return { chains, segs };
}

/** The nodes of each layer, left to right: the search order first, then sweeps down and up that
 * sort each layer by the mean position of its neighbours in the layer before. */
function orderLayers(nodes, segs, order) {
  const L = Math.max(0, ...nodes.map((nd) => nd.layer)) + 1;
  const layers = Array.from({ length: L }, () => []);
  const rank = new Map(order.map((v, i) => [v, i]));
  nodes.forEach((nd, i) => layers[nd.layer].push(i));
  for (const ly of layers) ly.sort((a, b) => (rank.get(a) ?? 1e6 + a) - (rank.get(b) ?? 1e6 + b));
  const up = Array.from({ length: nodes.length }, () => []);
  const down = Array.from({ length: nodes.length }, () => []);
  for (const [a, b] of segs) { down[a].push(b); up[b].push(a); }
  const pos = new Map();
  layers.forEach((ly) => ly.forEach((v, i) => pos.set(v, i)));
  for (let it = 0; it < 8; it++) {
    const downward = it % 2 === 0;
    const seq = downward ? layers.keys() : [...layers.keys()].reverse();
    for (const l of seq) {
      const ly = layers[l];
      const bc = new Map(ly.map((v) => {
        const nb = downward ? up[v] : down[v];
        return [v, nb.length ? nb.reduce((s0, w) => s0 + pos.get(w), 0) / nb.length : pos.get(v)];
      }));
      ly.sort((a, b) => bc.get(a) - bc.get(b));
      ly.forEach((v, i) => pos.set(v, i));
    }
  }
  return layers;
}

/** Sets each node's size and centre, every layer centred; returns the drawing's size. */
function place(nodes, layers, measure) {
  nodes.forEach((nd) => { nd.w = nd.kind === "dummy" ? 8 : Math.max(56, measure(nd.name) + 26); nd.h = nd.kind === "dummy" ? 0 : NH; });
  const widths = layers.map((ly) => ly.reduce((s0, v) => s0 + nodes[v].w, 0) + XGAP * Math.max(0, ly.length - 1));
  const width = Math.max(200, ...widths) + PAD * 2 + 220;
  layers.forEach((ly, l) => {
    let x = (width - widths[l]) / 2;
    for (const v of ly) { nodes[v].x = x + nodes[v].w / 2; nodes[v].y = PAD + 8 + l * LGAP + NH / 2; x += nodes[v].w + XGAP; }
  });
  return { width, height: PAD * 2 + 8 + layers.length * LGAP };
}
