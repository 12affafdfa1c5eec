// Live mode of the app view: follows the app's log while it grows. It loads the new steps as
// fast as it can, the newest first (the server answers those from the log's end when the writer
// is ahead of its index); when the writer is more than `JUMP` steps ahead it loads only the
// newest steps and leaves a gap (drawn as a gap row), so the newest row is always the app's
// newest step soon after it is written. Also: the watch that turns live mode on when a log
// that looked finished grows.
import * as api from "../api.js";
import { drawGraphBox } from "./app_graph.js";
import { drawHead } from "./app_head.js";
import { drawDetail } from "./step_detail.js";
import { drawSteps, scrollSelectedIntoView } from "./step_list.js";

/** How far behind the newest step live mode may be and still load every step in between. */
const JUMP = 1000;

/** Follows the log while `page.live` is on, until `ctrl` aborts or the visit ends. After a
 * failed request it tries again two seconds later. */
export async function follow(page, ctrl) {
  const { project, appId, steps, visit } = page;
  visit.signal.addEventListener("abort", () => ctrl.abort());
  // Whether the loaded steps reach the newest one the last summary knew of.
  let caughtUp = false;
  while (page.live && !ctrl.signal.aborted && visit.alive()) {
    try {
      if (caughtUp) {
        const w = await api.waitForLog(project, appId, page.summary.log_size, ctrl.signal);
        if (w.log_size === page.summary.log_size) continue;
      }
      const newestSelected = page.selected === null || page.selected === steps.lastSeq();
      page.summary = await api.summary(project, appId, ctrl.signal);
      let last = page.summary.last_sequence_id;
      const have = steps.lastSeq();
      if (last !== null && last !== undefined) {
        let answer;
        if (have === null || last - have > JUMP) {
          answer = await steps.loadNewest(ctrl.signal);
          if (have !== null) page.notice = `Jumped to the newest steps: the app went ${(last - have).toLocaleString()} steps ahead.`;
        } else {
          answer = await steps.loadSince(have, ctrl.signal);
        }
        // The steps' answer read further than the summary: the header counts what it read,
        // so that it agrees with the newest row.
        if (answer.log_size > page.summary.log_size && answer.steps.length) {
          last = Math.max(last, answer.steps[0].step_start_log.sequence_id);
          page.summary = { ...page.summary, num_steps: answer.total, last_sequence_id: last, log_size: answer.log_size };
        }
      }
      caughtUp = last === null || last === undefined || steps.lastSeq() >= last;
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
      caughtUp = false;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** While live mode is off (and was not turned off by the user), waits for the log to grow and
 * then turns live mode on. */
export async function watchForGrowth(page) {
  const { project, appId, visit } = page;
  while (!page.live && !page.liveTurnedOff && visit.alive()) {
    try {
      const w = await api.waitForLog(project, appId, page.summary.log_size, visit.signal);
      if (w.log_size !== page.summary.log_size && !page.live && !page.liveTurnedOff && visit.alive()) {
        page.setLive(true);
        return;
      }
    } catch (e) {
      if (e.name === "AbortError") return;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
