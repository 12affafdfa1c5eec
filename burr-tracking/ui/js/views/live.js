// Live mode of the app view: waits for the app's log to grow, then loads the new steps and draws
// them, selecting the newest step when it was selected.
import * as api from "../api.js";
import { drawGraphBox } from "./app_graph.js";
import { drawHead } from "./app_head.js";
import { drawDetail } from "./step_detail.js";
import { drawSteps, scrollSelectedIntoView } from "./step_list.js";

/** Follows the log while `page.live` is on, until `ctrl` aborts or the visit ends. After a
 * failed request it tries again two seconds later. */
export async function follow(page, ctrl) {
  const { project, appId, steps, visit } = page;
  visit.signal.addEventListener("abort", () => ctrl.abort());
  while (page.live && !ctrl.signal.aborted && visit.alive()) {
    try {
      const w = await api.waitForLog(project, appId, page.summary.log_size, ctrl.signal);
      if (w.log_size === page.summary.log_size) continue;
      const newestSelected = page.selected === null || page.selected === steps.lastSeq();
      page.summary = await api.summary(project, appId, ctrl.signal);
      await steps.loadFrom(steps.lastSeq() ?? 0, ctrl.signal);
      if (!steps.seqs.length) continue;
      if (newestSelected) page.selected = steps.lastSeq();
      drawHead(page);
      drawSteps(page);
      if (newestSelected) {
        page.keepQuery();
        scrollSelectedIntoView(page);
      }
      await drawDetail(page);
      drawGraphBox(page);
    } catch (e) {
      if (e.name === "AbortError") return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
