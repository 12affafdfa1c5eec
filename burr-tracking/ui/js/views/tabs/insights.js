// The Insights tab: LLM calls, tokens, cost and time per span name, for the step (from the
// step the page holds) and for the whole app (from the server, which adds up all its steps;
// the steps loaded in the page when the server cannot answer).
import * as api from "../../api.js";
import { clear, h } from "../../dom.js";
import { dur, plural } from "../../format.js";
import { fromServer, insights } from "../../insights.js";
import { section } from "../parts.js";

export const name = "insights";
export const label = "Insights";

/** Per page: the log size the app's sums were asked at, and the answer's promise. */
const appSums = new WeakMap();

export function count(step) {
  return insights([step]).calls;
}

export function draw(pane, page, step) {
  pane.appendChild(section("This step", table(insights([step]), "step-insights")));
  const title = h("span", { id: "app-insights-title" }, "This app");
  const box = h("div", null, h("div", { class: "muted", id: "app-insights-loading" }, "Adding up all the app's steps…"));
  pane.appendChild(section(title, box));
  sumsOfApp(page).then(
    (sums) => {
      title.textContent = `This app (all ${plural(sums.steps, "step")})`;
      clear(box);
      box.appendChild(table(sums, "app-insights"));
    },
    (e) => {
      if (e.name === "AbortError") return;
      const loaded = page.steps.seqs.map((s) => page.steps.get(s));
      const total = page.summary.num_steps;
      title.textContent = loaded.length < total ? `This app (the ${plural(loaded.length, "step")} loaded, of ${total})` : "This app";
      clear(box);
      box.append(h("div", { class: "muted" }, `The server did not add up all the steps: ${e.message}`), table(insights(loaded), "app-insights"));
    });
}

/** Least time between two askings of the server's sums while the log grows (each one reads
 * every step of the app). */
const ASK_AGAIN_MS = 10000;

/** The server's sums over all the app's steps, asked again when the log has grown: not while
 * an asking is under way, nor sooner than `ASK_AGAIN_MS` after the last one (a live app grows
 * all the time; the sums say how many steps they cover). */
function sumsOfApp(page) {
  const logSize = page.summary.log_size;
  const known = appSums.get(page);
  if (known && (known.logSize === logSize || known.pending || Date.now() - known.at < ASK_AGAIN_MS)) {
    return known.promise;
  }
  const promise = api.insights(page.project, page.appId, page.visit.signal).then(fromServer);
  const entry = { logSize, promise, pending: true, at: Date.now() };
  appSums.set(page, entry);
  promise.then(
    () => {
      entry.pending = false;
    },
    () => {
      // A failure is not kept: the next drawing asks again.
      if (appSums.get(page) === entry) appSums.delete(page);
    },
  );
  return promise;
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
  return h("div", { id, "data-steps": sums.steps },
    h("table", { class: "grid kv" }, h("tbody", null, rows.map(([k, v]) => h("tr", null, h("th", null, k), h("td", { class: "num" }, v))))),
    spans.length
      ? h("table", { class: "grid" },
        h("thead", null, h("tr", null, h("th", null, "Span"), h("th", { class: "num" }, "Count"), h("th", { class: "num" }, "Total"), h("th", { class: "num" }, "Longest"))),
        h("tbody", null, spans.map(([spanName, r]) => h("tr", { "data-span-name": spanName },
          h("td", { class: "mono" }, spanName),
          h("td", { class: "num" }, r.count.toLocaleString() + (r.open ? ` (${r.open} open)` : "")),
          h("td", { class: "num" }, dur(r.total)),
          h("td", { class: "num" }, dur(r.max))))))
      : h("div", { class: "muted" }, "No spans."),
    sums.spansLeftOut ? h("div", { class: "muted" }, `and ${plural(sums.spansLeftOut, "span")} of further names`) : null);
}
