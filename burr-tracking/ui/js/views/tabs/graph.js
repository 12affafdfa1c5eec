// The Graph tab: the app's graph drawn large.
import { h } from "../../dom.js";
import { graphFor } from "../app_graph.js";
import { section } from "../parts.js";

export const name = "graph";
export const label = "Graph";

export function draw(pane, page) {
  const big = h("div", { class: "biggraph" });
  const svg = graphFor(page);
  if (svg) {
    svg.setAttribute("id", "graph-large");
    big.appendChild(svg);
  } else big.appendChild(h("div", { class: "muted" }, "No graph recorded for this app."));
  pane.appendChild(section("Actions and transitions", big));
}
