// The Graph tab: the app's graph drawn large, with zoom (wheel or buttons), pan (drag) and fit.
import { h } from "../../dom.js";
import { zoomable } from "../../svg_zoom.js";
import { graphFor } from "../app_graph.js";
import { section } from "../parts.js";

export const name = "graph";
export const label = "Graph";

export function draw(pane, page) {
  const big = h("div", { class: "biggraph" });
  const svg = graphFor(page);
  if (!svg) {
    big.appendChild(h("div", { class: "muted" }, "No graph recorded for this app."));
    pane.appendChild(section("Actions and transitions", big));
    return;
  }
  svg.setAttribute("id", "graph-large");
  big.appendChild(svg);
  const view = zoomable(svg, big, h);
  pane.appendChild(section("Actions and transitions", big, view.bar));
  requestAnimationFrame(() => view.open());
}
