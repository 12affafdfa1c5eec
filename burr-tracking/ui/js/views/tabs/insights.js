// The Insights tab: LLM calls, tokens, cost and time per span name, for the step and for the
// app's steps loaded in the page.
import { h } from "../../dom.js";
import { dur, plural } from "../../format.js";
import { insights } from "../../insights.js";
import { section } from "../parts.js";

export const name = "insights";
export const label = "Insights";

export function count(step) {
  return insights([step]).calls;
}

export function draw(pane, page, step) {
  pane.appendChild(section("This step", table(insights([step]), "step-insights")));
  const loaded = page.steps.seqs.map((s) => page.steps.get(s));
  const total = page.summary.num_steps;
  const title = loaded.length < total ? `This app (the ${plural(loaded.length, "step")} loaded, of ${total})` : "This app";
  pane.appendChild(section(title, table(insights(loaded), "app-insights")));
}

function table(sums, id) {
  const money = (v) => `$${v.toFixed(v < 0.01 ? 6 : 4)}`;
  const rows = [
    ["LLM calls", sums.calls.toLocaleString()],
    ["Input tokens", sums.inputTokens.toLocaleString()],
    ["Output tokens", sums.outputTokens.toLocaleString()],
    ["Cost", sums.hasCost ? money(sums.cost) : "–"],
  ];
  const spans = [...sums.bySpan.entries()].sort((a, b) => b[1].total - a[1].total);
  return h("div", { id },
    h("table", { class: "grid kv" }, h("tbody", null, rows.map(([k, v]) => h("tr", null, h("th", null, k), h("td", { class: "num" }, v))))),
    spans.length
      ? h("table", { class: "grid" },
        h("thead", null, h("tr", null, h("th", null, "Span"), h("th", { class: "num" }, "Count"), h("th", { class: "num" }, "Total"), h("th", { class: "num" }, "Longest"))),
        h("tbody", null, spans.map(([spanName, r]) => h("tr", { "data-span-name": spanName },
          h("td", { class: "mono" }, spanName),
          h("td", { class: "num" }, r.count.toLocaleString() + (r.open ? ` (${r.open} open)` : "")),
          h("td", { class: "num" }, dur(r.total)),
          h("td", { class: "num" }, dur(r.max))))))
      : h("div", { class: "muted" }, "No spans."));
}
