// What the steps' attributes and spans add up to: LLM calls, tokens and cost (from the
// OpenTelemetry GenAI names, `gen_ai.*`, and the names Apache Burr's Insights reads), and the
// time spent per span name. `insights` adds up steps the page holds; `fromServer` reads the
// same sums over all of an app's steps from the server's `/insights` answer.
import { tsMillis } from "./format.js";

const num = (v) => (typeof v === "number" && isFinite(v) ? v : null);

/** The sums of a list of steps. */
export function insights(steps) {
  const out = { steps: steps.length, calls: 0, inputTokens: 0, outputTokens: 0, cost: 0, hasCost: false, bySpan: new Map() };
  for (const step of steps) {
    // Per span (or the step itself, ""): its GenAI attributes.
    const perSpan = new Map();
    for (const a of step.attributes || []) {
      if (typeof a.key !== "string" || !a.key.startsWith("gen_ai.")) continue;
      const key = a.span_id || "";
      if (!perSpan.has(key)) perSpan.set(key, {});
      perSpan.get(key)[a.key] = a.value;
    }
    for (const attrs of perSpan.values()) {
      const input = num(attrs["gen_ai.usage.input_tokens"]) ?? num(attrs["gen_ai.usage.prompt_tokens"]);
      const output = num(attrs["gen_ai.usage.output_tokens"]) ?? num(attrs["gen_ai.usage.completion_tokens"]);
      const isCall = attrs["gen_ai.operation.name"] !== undefined || input !== null || output !== null;
      if (!isCall) continue;
      out.calls += 1;
      out.inputTokens += input || 0;
      out.outputTokens += output || 0;
      const cost = num(attrs["gen_ai.usage.cost"]);
      if (cost !== null) {
        out.cost += cost;
        out.hasCost = true;
      }
    }
    for (const sp of step.spans || []) {
      const name = sp.begin_entry.span_name;
      const b = tsMillis(sp.begin_entry.start_time);
      const e = sp.end_entry ? tsMillis(sp.end_entry.end_time) : null;
      if (!out.bySpan.has(name)) out.bySpan.set(name, { count: 0, total: 0, max: 0, open: 0 });
      const row = out.bySpan.get(name);
      row.count += 1;
      if (b !== null && e !== null) {
        row.total += Math.max(0, e - b);
        row.max = Math.max(row.max, e - b);
      } else {
        row.open += 1;
      }
    }
  }
  return out;
}

/** The server's sums over all of an app's steps (`GET /api/v1/{project}/{app_id}/insights`),
 * in the shape `insights` returns. */
export function fromServer(sums) {
  const bySpan = new Map();
  for (const s of sums.spans || []) bySpan.set(s.name, { count: s.count, total: s.total_ms, max: s.max_ms, open: s.open });
  return {
    steps: sums.steps,
    calls: sums.llm_calls,
    inputTokens: sums.input_tokens,
    outputTokens: sums.output_tokens,
    cost: sums.cost ?? 0,
    hasCost: num(sums.cost) !== null,
    bySpan,
    spansLeftOut: sums.spans_left_out || 0,
  };
}
