// The steps of one app loaded so far, by sequence id, and the requests that load more. At most
// `MAX_LOADED` steps are kept (the list draws a row for each): loading past that forgets the
// steps farthest from where the user looks, and the gaps it leaves are drawn as gap rows.
import * as api from "./api.js";

/** Steps per request. */
const STEP_PAGE = 200;
/** The most steps kept loaded (and drawn). */
export const MAX_LOADED = 1000;

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

  /** Adds steps; beyond `MAX_LOADED`, forgets those farthest from `keep` (a sequence id: the
   * newest when not given), never `keep` itself. */
  add(list, keep) {
    for (const step of list) this.bySeq.set(step.step_start_log.sequence_id, step);
    this.seqs = [...this.bySeq.keys()].sort((a, b) => a - b);
    if (this.seqs.length <= MAX_LOADED) return;
    const anchor = keep ?? this.lastSeq();
    const byDistance = [...this.seqs].sort((a, b) => Math.abs(b - anchor) - Math.abs(a - anchor));
    for (const seq of byDistance.slice(0, this.seqs.length - MAX_LOADED)) {
      if (seq !== keep) this.bySeq.delete(seq);
    }
    const first = this.seqs[0];
    this.seqs = [...this.bySeq.keys()].sort((a, b) => a - b);
    if (this.seqs[0] !== first) this.hasOlder = true;
  }

  /** The gaps between loaded steps: `[after, before]` pairs of loaded sequence ids with
   * steps between them that are not loaded. */
  gaps() {
    const out = [];
    for (let i = 1; i < this.seqs.length; i++) {
      if (this.seqs[i] - this.seqs[i - 1] > 1) out.push([this.seqs[i - 1], this.seqs[i]]);
    }
    return out;
  }

  request(query, signal = this.signal) {
    return api.steps(this.project, this.appId, query, signal);
  }

  async loadNewest(signal) {
    const answer = await this.request({ order: "desc", limit: STEP_PAGE }, signal);
    if (answer.steps.length && this.seqs.length && answer.steps[answer.steps.length - 1].step_start_log.sequence_id > this.lastSeq() + 1) {
      // Far behind: what lies between stays a gap.
      this.hasOlder = true;
    } else if (!this.seqs.length) {
      this.hasOlder = answer.has_more;
    }
    this.add(answer.steps);
    return answer;
  }

  async loadOlder(keep) {
    if (!this.seqs.length) return;
    const answer = await this.request({ order: "desc", limit: STEP_PAGE, to: this.seqs[0] - 1 });
    const first = this.seqs[0];
    this.add(answer.steps, keep ?? (answer.steps.length ? answer.steps[answer.steps.length - 1].step_start_log.sequence_id : first));
    this.hasOlder = answer.has_more;
  }

  /** Loads the steps of a gap, from its newer end down. */
  async loadGap(after, before) {
    const answer = await this.request({ order: "desc", limit: STEP_PAGE, from: after + 1, to: before - 1 });
    this.add(answer.steps, before);
  }

  /** Loads step `seq` and the steps around it when it is not loaded. */
  async ensureLoaded(seq) {
    if (this.has(seq)) return;
    const answer = await this.request({ order: "asc", limit: STEP_PAGE, from: Math.max(0, seq - 20), to: seq + STEP_PAGE - 21 });
    this.add(answer.steps, seq);
    if (this.seqs.length && answer.steps.length && answer.steps[0].step_start_log.sequence_id > 0) this.hasOlder = true;
  }

  /** The oldest steps of the app, from `first` (its first sequence id). */
  async loadOldest(first) {
    const answer = await this.request({ order: "asc", limit: STEP_PAGE, from: first ?? 0 });
    this.add(answer.steps, first ?? 0);
    this.hasOlder = false;
  }

  /** The step before `seq` (asking the server when it is not loaded), or null. */
  async previous(seq) {
    if (this.has(seq - 1)) return this.get(seq - 1);
    if (seq <= 0) return null;
    const answer = await this.request({ order: "desc", limit: 1, to: seq - 1 });
    return answer.steps[0] || null;
  }

  /** Loads step `seq` again and the steps after it, the newest first: at most `MAX_LOADED`
   * (past that, the newest of them, leaving a gap after `seq`). It asks for the newest steps,
   * which the server answers from the log's end when it has not read all the log yet. */
  async loadSince(seq, signal) {
    const answer = await this.request({ order: "desc", limit: MAX_LOADED, from: seq }, signal);
    this.add(answer.steps);
    return answer;
  }
}
