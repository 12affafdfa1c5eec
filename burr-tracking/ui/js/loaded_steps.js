// The steps of one app loaded so far, by sequence id, and the requests that load more.
import * as api from "./api.js";

/** Steps per request. */
const STEP_PAGE = 200;

export class LoadedSteps {
  constructor(project, appId, signal) {
    this.project = project;
    this.appId = appId;
    this.signal = signal;
    this.bySeq = new Map();
    this.seqs = []; // loaded sequence ids, ascending
    this.hasOlder = false;
  }

  has(seq) {
    return this.bySeq.has(seq);
  }

  get(seq) {
    return this.bySeq.get(seq);
  }

  /** The newest loaded sequence id, or null. */
  lastSeq() {
    return this.seqs.length ? this.seqs[this.seqs.length - 1] : null;
  }

  /** The newest loaded step, or null. */
  newest() {
    return this.seqs.length ? this.bySeq.get(this.lastSeq()) : null;
  }

  add(list) {
    for (const step of list) this.bySeq.set(step.step_start_log.sequence_id, step);
    this.seqs = [...this.bySeq.keys()].sort((a, b) => a - b);
  }

  request(query, signal = this.signal) {
    return api.steps(this.project, this.appId, query, signal);
  }

  async loadNewest() {
    const answer = await this.request({ order: "desc", limit: STEP_PAGE });
    this.add(answer.steps);
    this.hasOlder = answer.has_more;
  }

  async loadOlder() {
    if (!this.seqs.length) return;
    const answer = await this.request({ order: "desc", limit: STEP_PAGE, to: this.seqs[0] - 1 });
    this.add(answer.steps);
    this.hasOlder = answer.has_more;
  }

  /** Loads step `seq` and a few before it when it is older than the loaded ones; `firstSeq` is
   * the app's first sequence id. */
  async ensureLoaded(seq, firstSeq) {
    if (this.has(seq) || !this.seqs.length || seq > this.lastSeq()) return;
    const answer = await this.request({ order: "asc", limit: STEP_PAGE, from: Math.max(0, seq - 20), to: this.seqs[0] - 1 });
    this.add(answer.steps);
    if (answer.steps.length && answer.steps[0].step_start_log.sequence_id <= (firstSeq ?? 0)) this.hasOlder = false;
  }

  /** The step before `seq` (asking the server when it is not loaded), or null. */
  async previous(seq) {
    const i = this.seqs.indexOf(seq);
    if (i > 0) return this.bySeq.get(this.seqs[i - 1]);
    if (i === 0 && this.hasOlder) {
      const answer = await this.request({ order: "desc", limit: 1, to: seq - 1 });
      return answer.steps[0] || null;
    }
    return null;
  }

  /** Loads step `seq` again and every step after it. */
  async loadFrom(seq, signal) {
    const answer = await this.request({ order: "asc", limit: 1000, from: seq }, signal);
    this.add(answer.steps);
  }
}
