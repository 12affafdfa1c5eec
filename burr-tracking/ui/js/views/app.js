// One app: its header, its steps, its graph, and the selected step's details in tabs. The view's
// state is an `AppPage`; the parts it is drawn from read it and call its methods.
import * as api from "../api.js";
import { h } from "../dom.js";
import { LoadedSteps } from "../loaded_steps.js";
import { readPrefs, savePref } from "../prefs.js";
import { projectHref, setQuery } from "../router.js";
import { drawGraphBox } from "./app_graph.js";
import { drawHead } from "./app_head.js";
import { setCrumbs, show } from "./frame.js";
import { follow, watchForGrowth } from "./live.js";
import { drawDetail, TAB_NAMES } from "./step_detail.js";
import { drawSteps, markSelected, scrollSelectedIntoView } from "./step_list.js";

export async function appPage(visit, project, appId, q) {
  setCrumbs([{ text: "projects", href: "#/" }, { text: project, href: projectHref(project) }, { text: appId }]);
  document.title = `${appId} · ${project} · burr`;
  show(h("div", { class: "page" }, h("div", { class: "empty" }, "Loading…")));
  const summary = await api.summary(project, appId, visit.signal);
  if (!visit.alive()) return;
  const page = new AppPage(visit, project, appId, summary, q.get("tab"));
  await Promise.all([page.steps.loadNewest(), page.loadAnnotations()]);
  const wanted = q.has("seq") ? parseInt(q.get("seq"), 10) : NaN;
  if (!isNaN(wanted)) await page.steps.ensureLoaded(wanted);
  if (!visit.alive()) return;
  page.selected = !isNaN(wanted) && page.steps.has(wanted) ? wanted : page.steps.lastSeq();
  await page.open();
}

class AppPage {
  constructor(visit, project, appId, summary, tab) {
    this.visit = visit;
    this.project = project;
    this.appId = appId;
    this.summary = summary;
    this.steps = new LoadedSteps(project, appId, visit.signal);
    this.selected = null;
    this.tab = TAB_NAMES.includes(tab) ? tab : "state";
    const prefs = readPrefs();
    this.stateView = prefs.stateView;
    this.asc = prefs.asc;
    this.showInputs = prefs.showInputs;
    this.openSpans = new Set();
    this.live = false;
    this.liveTurnedOff = false;
    this.notice = null;
    this.liveCtrl = null;
    this.detailToken = 0;
    this.annotations = [];
    this.head = h("div", { class: "apphead" });
    this.stepsBox = h("div", { class: "steps", tabindex: "0", "aria-label": "Steps (arrow keys move the selection)" });
    this.graphBox = h("div", { class: "graphbox" });
    this.right = h("div", { class: "rightcol" });
  }

  /** Draws the view and turns live mode on when the newest step is still running. */
  async open() {
    show(h("div", { class: "appview" }, h("div", { class: "leftcol" }, this.head, this.stepsBox, this.graphBox), this.right));
    const keys = (e) => onKey(this, e);
    document.addEventListener("keydown", keys);
    this.visit.onLeave(() => document.removeEventListener("keydown", keys));
    drawHead(this);
    drawSteps(this);
    scrollSelectedIntoView(this);
    await drawDetail(this);
    drawGraphBox(this);
    this.stepsBox.focus({ preventScroll: true });
    const last = this.steps.newest();
    if (last && !last.step_end_log) this.setLive(true);
    else watchForGrowth(this);
  }

  /** Selects step `seq`, loading it (and the steps around it) first; says so when there is
   * no such step. */
  async goTo(seq) {
    await this.steps.ensureLoaded(seq);
    if (!this.visit.alive()) return;
    if (!this.steps.has(seq)) {
      this.notice = `There is no step #${seq}.`;
      drawHead(this);
      return;
    }
    this.notice = null;
    drawSteps(this);
    await this.select(seq);
  }

  /** Selects the app's newest step (loading it when the loaded ones stop short of it). */
  async goNewest() {
    const last = this.summary.last_sequence_id;
    if (last !== null && last !== undefined && !this.steps.has(last)) await this.steps.loadNewest();
    drawSteps(this);
    const order = this.asc ? this.steps.seqs : [...this.steps.seqs].reverse();
    if (order.length) await this.select(this.asc ? order[order.length - 1] : order[0]);
  }

  /** Selects the app's first step (loading it when it is not loaded). */
  async goOldest() {
    if (this.steps.hasOlder) await this.steps.loadOldest(this.summary.first_sequence_id);
    drawSteps(this);
    if (this.steps.seqs.length) await this.select(this.steps.seqs[0]);
  }

  async loadGap(after, before) {
    await this.steps.loadGap(after, before);
    drawSteps(this);
  }

  /** Loads the app's annotations (none when the server keeps none). */
  async loadAnnotations() {
    try {
      this.annotations = await api.annotations(this.project, { app_id: this.appId }, this.visit.signal);
    } catch (e) {
      if (e.name === "AbortError") throw e;
      this.annotations = [];
    }
  }

  /** Loads the annotations again and redraws the step's details. */
  async reloadAnnotations() {
    await this.loadAnnotations();
    if (this.visit.alive()) await drawDetail(this);
  }

  /** The annotations of step `seq`. */
  annotationsOf(seq) {
    return (this.annotations || []).filter((a) => a.step_sequence_id === seq);
  }

  /** The forks and spawned apps started at step `seq`. */
  childrenAt(seq) {
    return (this.summary.children || []).filter((c) => c.sequence_id === seq);
  }

  /** Puts the selected step and tab into the location. */
  keepQuery() {
    setQuery({ seq: this.selected, tab: this.tab === "state" ? null : this.tab });
  }

  async select(seq) {
    this.selected = seq;
    this.keepQuery();
    markSelected(this);
    scrollSelectedIntoView(this);
    await drawDetail(this);
    drawGraphBox(this);
  }

  /** Moves the selection `delta` rows down the list (up when negative). */
  move(delta) {
    const { seqs } = this.steps;
    if (!seqs.length) return;
    const order = this.asc ? seqs : [...seqs].reverse();
    let i = order.indexOf(this.selected);
    i = Math.max(0, Math.min(order.length - 1, (i < 0 ? 0 : i) + delta));
    this.select(order[i]);
  }

  showTab(name) {
    this.tab = name;
    this.keepQuery();
    drawDetail(this);
  }

  async loadOlder() {
    await this.steps.loadOlder();
    drawSteps(this);
  }

  toggleOrder() {
    this.asc = !this.asc;
    savePref("asc", this.asc);
    drawSteps(this);
    drawHead(this);
  }

  setStateView(view) {
    this.stateView = view;
    savePref("stateView", view);
    drawDetail(this);
  }

  toggleSpan(key) {
    if (this.openSpans.has(key)) this.openSpans.delete(key);
    else this.openSpans.add(key);
    drawDetail(this);
  }

  setShowInputs(on) {
    this.showInputs = on;
    savePref("showInputs", on);
    drawGraphBox(this);
  }

  /** Turns following new steps on or off; `byUser` when the user asked (live mode then no
   * longer turns itself on). */
  setLive(on, byUser = false) {
    if (byUser) this.liveTurnedOff = !on;
    this.live = on;
    if (this.liveCtrl) {
      this.liveCtrl.abort();
      this.liveCtrl = null;
    }
    drawHead(this);
    if (on) {
      this.liveCtrl = new AbortController();
      follow(this, this.liveCtrl);
    }
  }
}

function onKey(page, e) {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === "ArrowDown" || e.key === "j") { e.preventDefault(); page.move(1); }
  else if (e.key === "ArrowUp" || e.key === "k") { e.preventDefault(); page.move(-1); }
  else if (e.key === "Home") { e.preventDefault(); if (page.asc) page.goOldest(); else page.goNewest(); }
  else if (e.key === "End") { e.preventDefault(); if (page.asc) page.goNewest(); else page.goOldest(); }
  else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
    e.preventDefault();
    const i = TAB_NAMES.indexOf(page.tab) + (e.key === "ArrowRight" ? 1 : -1);
    page.showTab(TAB_NAMES[(i + TAB_NAMES.length) % TAB_NAMES.length]);
  } else if (e.key === "l" || e.key === "L") page.setLive(!page.live, true);
}
