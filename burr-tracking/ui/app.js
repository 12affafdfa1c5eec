// The burr tracking UI: projects, apps, and one app's steps, state, spans and graph.
// Plain DOM code with no dependencies. Every string that comes from a log is put into the page
// with textContent or createTextNode, never parsed as HTML.
"use strict";

(() => {
  const main = document.getElementById("main");
  const crumbs = document.getElementById("crumbs");
  const conn = document.getElementById("conn");

  // ---------------------------------------------------------------- DOM helpers

  /** Builds an element. `props` keys: class, title, href, on<event>, data-*, or any property. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") el.className = v;
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else if (k === "checked" || k === "value") el[k] = v;
        else if (k === "style") el.style.cssText = v; // CSSOM: allowed by the page's policy
        else el.setAttribute(k, v === true ? "" : String(v));
      }
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else if (c instanceof Node) el.appendChild(c);
      else el.appendChild(document.createTextNode(String(c)));
    }
  }
  const SVGNS = "http://www.w3.org/2000/svg";
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) el.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  // ---------------------------------------------------------------- formatting

  const TS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

  /** Parses a timestamp from the logs into milliseconds; naive times are read as UTC so that
   * differences between two naive times are right. Returns null when it cannot be read. */
  function tsMillis(v) {
    if (typeof v === "number") return v * 1000;
    if (typeof v !== "string") return null;
    const m = TS.exec(v.trim());
    if (!m) return null;
    const frac = m[7] ? Number("0." + m[7]) * 1000 : 0;
    let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)) + frac;
    if (m[8] && m[8] !== "Z") {
      const sign = m[8][0] === "-" ? -1 : 1;
      const digits = m[8].slice(1).replace(":", "");
      ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60000;
    }
    return ms;
  }
  function isAware(v) {
    return typeof v === "string" && /(Z|[+-]\d{2}:?\d{2})$/.test(v.trim());
  }
  /** Time of day as written in the log (naive stays as written, aware shown in local time). */
  function clock(v) {
    if (typeof v !== "string") return "";
    if (isAware(v)) {
      const ms = tsMillis(v);
      if (ms === null) return v;
      const d = new Date(ms);
      return d.toLocaleTimeString(undefined, { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
    }
    const m = TS.exec(v.trim());
    if (!m || m[4] === undefined) return v;
    const frac = (m[7] || "").padEnd(3, "0").slice(0, 3);
    return `${m[4]}:${m[5]}:${m[6] || "00"}.${frac}`;
  }
  function dateTime(v) {
    if (typeof v !== "string") return "";
    if (isAware(v)) {
      const ms = tsMillis(v);
      return ms === null ? v : new Date(ms).toLocaleString(undefined, { hour12: false });
    }
    return v.replace("T", " ").replace(/(\.\d{3})\d*$/, "$1");
  }
  function ago(v) {
    const ms = tsMillis(v);
    if (ms === null) return "";
    const sec = (Date.now() - ms) / 1000;
    if (sec < 0) return "just now";
    if (sec < 60) return `${Math.floor(sec)}s ago`;
    if (sec < 3600) return `${Math.floor(sec / 60)} min ago`;
    if (sec < 86400) return `${Math.floor(sec / 3600)} h ago`;
    if (sec < 86400 * 45) return `${Math.floor(sec / 86400)} days ago`;
    return new Date(ms).toLocaleDateString();
  }
  function dur(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return "";
    if (ms < 0) ms = 0;
    if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
    if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
    const m = Math.floor(ms / 60000);
    return `${m} min ${Math.round((ms % 60000) / 1000)} s`;
  }
  function plural(n, word) {
    return `${n.toLocaleString()} ${word}${n === 1 ? "" : "s"}`;
  }
  function short(v, n) {
    const str = typeof v === "string" ? v : JSON.stringify(v);
    return str.length > n ? str.slice(0, n - 1) + "…" : str;
  }

  // ---------------------------------------------------------------- data access

  let navToken = 0;
  class HttpError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }
  async function api(path, signal) {
    let res;
    try {
      res = await fetch(path, { signal, headers: { accept: "application/json" } });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      conn.textContent = "server unreachable";
      conn.className = "conn err";
      throw new HttpError(0, "The burr server cannot be reached. Is it still running?");
    }
    conn.textContent = "";
    conn.className = "conn";
    if (!res.ok) {
      let detail = `${res.status} ${res.statusText}`;
      try {
        const body = await res.json();
        if (body && typeof body.detail === "string") detail = body.detail;
      } catch (_) {
        /* not JSON */
      }
      throw new HttpError(res.status, detail);
    }
    return res.json();
  }
  const enc = encodeURIComponent;
  const pkSeg = (pk) => (pk === null || pk === undefined || pk === "" ? "__none__" : enc(pk));

  // ---------------------------------------------------------------- routing

  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, "");
    const [path, query] = raw.split("?");
    const parts = path.split("/").filter((p) => p.length).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch (_) {
        return p;
      }
    });
    return { parts, q: new URLSearchParams(query || "") };
  }
  function href(parts, q) {
    const path = "#/" + parts.map(enc).join("/");
    const qs = q ? new URLSearchParams(Object.entries(q).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString() : "";
    return qs ? `${path}?${qs}` : path;
  }
  const projectHref = (p, q) => href(["project", p], q);
  const appHref = (p, a, q) => href(["project", p, "app", a], q);
  function setQuery(q) {
    const { parts } = parseHash();
    history.replaceState(null, "", href(parts, q));
  }
  function setCrumbs(items) {
    clear(crumbs);
    items.forEach((it, i) => {
      if (i) crumbs.appendChild(h("span", { class: "sep" }, "/"));
      crumbs.appendChild(it.href ? h("a", { href: it.href, title: it.text }, it.text) : h("span", { class: "cur", title: it.text }, it.text));
    });
  }

  let cleanup = () => {};
  function route() {
    cleanup();
    cleanup = () => {};
    const token = ++navToken;
    const { parts, q } = parseHash();
    const ctrl = new AbortController();
    cleanup = () => ctrl.abort();
    const ctx = { token, signal: ctrl.signal, alive: () => token === navToken, onLeave: (f) => { const prev = cleanup; cleanup = () => { prev(); f(); }; } };
    let page;
    if (parts[0] === "project" && parts.length === 2) page = appsPage(ctx, parts[1], q);
    else if (parts[0] === "project" && parts[2] === "app" && parts.length === 4) page = appPage(ctx, parts[1], parts[3], q);
    else page = projectsPage(ctx);
    page.catch((e) => {
      if (e.name === "AbortError" || !ctx.alive()) return;
      clear(main);
      main.appendChild(h("div", { class: "page" }, h("div", { class: "banner err" }, e.message || String(e)), h("a", { href: "#/" }, "Back to all projects")));
    });
  }
  window.addEventListener("hashchange", route);

  function visiblePoll(ctx, ms, fn) {
    const id = setInterval(() => {
      if (document.visibilityState === "visible" && ctx.alive()) fn().catch(() => {});
    }, ms);
    ctx.onLeave(() => clearInterval(id));
  }

  // ---------------------------------------------------------------- projects

  async function projectsPage(ctx) {
    setCrumbs([{ text: "projects" }]);
    document.title = "Projects · burr";
    const page = h("div", { class: "page" });
    const filter = h("input", { type: "search", placeholder: "Filter projects", "aria-label": "Filter projects" });
    const body = h("div", { class: "card" }, h("div", { class: "empty" }, "Loading…"));
    clear(main);
    append(page, [h("h1", null, "Projects"), h("p", { class: "sub", id: "projects-sub" }, ""), h("div", { class: "toolbar" }, filter), body]);
    main.appendChild(page);
    let projects = [];
    const draw = () => {
      const term = filter.value.trim().toLowerCase();
      const shown = projects.filter((p) => !term || p.name.toLowerCase().includes(term));
      clear(body);
      if (!projects.length) {
        const add = h("button", { class: "on", id: "add-demo", onclick: async () => {
          add.disabled = true;
          add.textContent = "Running the demo applications…";
          try {
            const res = await fetch("/api/v1/demo", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
            if (!res.ok) throw new Error((await res.json().catch(() => ({}))).detail || res.statusText);
            await load();
          } catch (e) {
            add.disabled = false;
            add.textContent = "Add demo projects";
            body.appendChild(h("div", { class: "banner err" }, String(e.message || e)));
          }
        } }, "Add demo projects");
        body.appendChild(h("div", { class: "empty" },
          h("p", null, "No projects yet. Run an application with a tracker and it shows up here."),
          h("p", null, "Or look around first: the demo projects come from small burr applications (a counter and a chatbot with spans, a failure, a fork and a spawned app), run now into this folder."),
          add));
        return;
      }
      const rows = shown.map((p) =>
        h("tr", { "data-project": p.name },
          h("td", null, p.name.startsWith("demo_") ? h("span", { class: "chip demo" }, "demo") : null, " ",
            h("a", { class: "rowlink", href: projectHref(p.name) }, p.name)),
          h("td", { class: "num" }, p.num_apps.toLocaleString()),
          h("td", { title: dateTime(p.last_written) }, ago(p.last_written)),
          h("td", { class: "muted", title: dateTime(p.created) }, dateTime(p.created)),
        ));
      body.appendChild(h("table", { class: "grid" },
        h("thead", null, h("tr", null, h("th", null, "Project"), h("th", { class: "num" }, "Apps"), h("th", null, "Last written"), h("th", null, "Created"))),
        h("tbody", null, rows)));
    };
    filter.addEventListener("input", draw);
    const load = async () => {
      const list = await api("/api/v0/projects", ctx.signal);
      if (!ctx.alive()) return;
      list.sort((a, b) => (tsMillis(b.last_written) || 0) - (tsMillis(a.last_written) || 0) || a.name.localeCompare(b.name));
      projects = list;
      document.getElementById("projects-sub").textContent = plural(list.length, "project");
      draw();
    };
    await load();
    filter.focus();
    visiblePoll(ctx, 5000, load);
  }

  // ---------------------------------------------------------------- apps of a project

  const PAGE = 100;
  async function appsPage(ctx, project, q) {
    const pk = q.get("pk") || "";
    const offset = Math.max(0, parseInt(q.get("offset") || "0", 10) || 0);
    const hideEmpty = q.get("empty") === "hide";
    setCrumbs([{ text: "projects", href: "#/" }, { text: project, href: pk ? projectHref(project) : null }].concat(pk ? [{ text: `partition ${pk}` }] : []));
    document.title = `${project} · burr`;
    const pkInput = h("input", { type: "search", placeholder: "Partition key", value: pk, "aria-label": "Filter by partition key" });
    pkInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") location.hash = projectHref(project, { pk: pkInput.value.trim(), empty: hideEmpty ? "hide" : "" });
    });
    const emptyBox = h("input", { type: "checkbox", checked: hideEmpty, onchange: () => { location.hash = projectHref(project, { pk, offset: 0, empty: emptyBox.checked ? "hide" : "" }); } });
    const body = h("div", { class: "card" }, h("div", { class: "empty" }, "Loading…"));
    const pager = h("div", { class: "pager" });
    const sub = h("p", { class: "sub" }, "");
    clear(main);
    main.appendChild(h("div", { class: "page" },
      h("h1", null, project),
      sub,
      h("div", { class: "toolbar" }, h("label", null, "Partition", pkInput),
        pk ? h("a", { href: projectHref(project) }, "clear filter") : null,
        h("label", null, emptyBox, "hide apps without steps")),
      body, pager));

    const load = async () => {
      const data = await api(`/api/v0/${enc(project)}/${pkSeg(pk)}/apps?limit=${PAGE}&offset=${offset}`, ctx.signal);
      if (!ctx.alive()) return;
      sub.textContent = `${plural(data.total, "app")}${pk ? ` with partition key ${pk}` : ""}`;
      const apps = data.applications.filter((a) => !hideEmpty || a.num_steps > 0);
      const kids = new Map();
      for (const a of data.applications) {
        for (const [ptr, kind] of [[a.parent_pointer, "fork"], [a.spawning_parent_pointer, "spawn"]]) {
          if (ptr && ptr.app_id) {
            if (!kids.has(ptr.app_id)) kids.set(ptr.app_id, []);
            kids.get(ptr.app_id).push({ app: a.app_id, kind });
          }
        }
      }
      const anyPk = data.applications.some((a) => a.partition_key !== null && a.partition_key !== undefined);
      clear(body);
      if (!apps.length) {
        body.appendChild(h("div", { class: "empty" }, data.total ? "No app on this page has steps." : "No apps in this project."));
      } else {
        body.appendChild(h("table", { class: "grid" },
          h("thead", null, h("tr", null, h("th", null, "App"), anyPk ? h("th", null, "Partition key") : null, h("th", { class: "num" }, "Steps"), h("th", null, "Last written"), h("th", null, "Links"))),
          h("tbody", null, nestChildren(apps).map(({ app: a, depth }) => {
            const links = [];
            if (a.parent_pointer) links.push(ptrChip(project, a.parent_pointer, "fork", "forked from"));
            if (a.spawning_parent_pointer) links.push(ptrChip(project, a.spawning_parent_pointer, "spawn", "spawned by"));
            const ks = kids.get(a.app_id) || [];
            if (ks.length) links.push(h("span", { class: "chip pk", title: ks.map((k) => `${k.kind}: ${k.app}`).join("\n") }, `${plural(ks.length, "child")}`.replace("childs", "children")));
            return h("tr", { "data-app": a.app_id },
              h("td", { class: depth ? "nested" : null, style: depth ? `padding-left:${14 + depth * 22}px` : null },
                depth ? h("span", { class: "muted", "aria-hidden": "true" }, "↳ ") : null,
                h("a", { class: "rowlink mono", href: appHref(project, a.app_id) }, a.app_id)),
              anyPk ? h("td", null, a.partition_key === null || a.partition_key === undefined ? h("span", { class: "muted" }, "—") : h("a", { class: "chip pk", href: projectHref(project, { pk: a.partition_key }) }, a.partition_key)) : null,
              h("td", { class: "num" }, a.num_steps.toLocaleString()),
              h("td", { title: dateTime(a.last_written) }, ago(a.last_written)),
              h("td", null, h("div", { class: "links" }, links)));
          }))));
      }
      clear(pager);
      if (data.total > PAGE) {
        const go = (o) => { location.hash = projectHref(project, { pk, offset: o, empty: hideEmpty ? "hide" : "" }); };
        append(pager, [
          h("button", { disabled: offset === 0, onclick: () => go(Math.max(0, offset - PAGE)) }, "← Newer"),
          `${(offset + 1).toLocaleString()}–${Math.min(offset + PAGE, data.total).toLocaleString()} of ${data.total.toLocaleString()}`,
          h("button", { disabled: !data.has_another_page, onclick: () => go(offset + PAGE) }, "Older →")]);
      }
    };
    await load();
    visiblePoll(ctx, 5000, load);
  }

  /** Orders apps so that forks and spawned apps come right under their parent when both are
   * on the page (parents keep their order); returns each app with its nesting depth. */
  function nestChildren(apps) {
    const ids = new Set(apps.map((a) => a.app_id));
    const parentOf = (a) => {
      const ptr = a.spawning_parent_pointer || a.parent_pointer;
      return ptr && ids.has(ptr.app_id) && ptr.app_id !== a.app_id ? ptr.app_id : null;
    };
    const children = new Map();
    for (const a of apps) {
      const p = parentOf(a);
      if (p !== null) {
        if (!children.has(p)) children.set(p, []);
        children.get(p).push(a);
      }
    }
    const out = [];
    const seen = new Set();
    const visit = (a, depth) => {
      if (seen.has(a.app_id)) return;
      seen.add(a.app_id);
      out.push({ app: a, depth });
      for (const c of children.get(a.app_id) || []) visit(c, depth + 1);
    };
    for (const a of apps) if (parentOf(a) === null) visit(a, 0);
    for (const a of apps) visit(a, 0); // cycles: whatever is left
    return out;
  }

  function ptrChip(project, ptr, kind, verb) {
    const seq = ptr.sequence_id;
    return h("a", { class: `chip ${kind}`, href: appHref(project, ptr.app_id, seq === null || seq === undefined ? null : { seq }), title: `${verb} ${ptr.app_id}${seq === null || seq === undefined ? "" : ` at step ${seq}`}` },
      `${verb} ${short(ptr.app_id, 24)}${seq === null || seq === undefined ? "" : ` @${seq}`}`);
  }

  // ---------------------------------------------------------------- one app

  const STEP_PAGE = 200;
  const TABS = ["state", "spans", "inputs", "result", "code", "graph"];

  function stepStatus(step) {
    if (!step.step_end_log) return "running";
    return step.step_end_log.exception === null || step.step_end_log.exception === undefined ? "success" : "failure";
  }
  function statusChip(st) {
    return h("span", { class: `chip ${st === "success" ? "ok" : st === "failure" ? "bad" : "run"}` }, st);
  }
  function stepTimes(step) {
    const start = tsMillis(step.step_start_log.start_time);
    const end = step.step_end_log ? tsMillis(step.step_end_log.end_time) : null;
    return { start, end, dur: start !== null && end !== null ? end - start : null };
  }

  async function appPage(ctx, project, appId, q) {
    setCrumbs([{ text: "projects", href: "#/" }, { text: project, href: projectHref(project) }, { text: appId }]);
    document.title = `${appId} · ${project} · burr`;
    const base = `/api/v1/${enc(project)}/${enc(appId)}`;
    clear(main);
    main.appendChild(h("div", { class: "page" }, h("div", { class: "empty" }, "Loading…")));

    const st = {
      summary: await api(`${base}/summary`, ctx.signal),
      steps: new Map(),
      seqs: [], // loaded sequence ids, ascending
      hasOlder: false,
      selected: null,
      tab: TABS.includes(q.get("tab")) ? q.get("tab") : "state",
      stateView: localStorage.getItem("burr.stateView") || "after",
      asc: localStorage.getItem("burr.asc") === "1",
      live: false,
      openSpans: new Set(),
      showInputs: localStorage.getItem("burr.inputs") !== "0",
    };
    if (!ctx.alive()) return;

    function addSteps(list) {
      for (const step of list) st.steps.set(step.step_start_log.sequence_id, step);
      st.seqs = [...st.steps.keys()].sort((a, b) => a - b);
    }
    async function loadNewest() {
      const page = await api(`${base}/steps?order=desc&limit=${STEP_PAGE}`, ctx.signal);
      addSteps(page.steps);
      st.hasOlder = page.has_more;
    }
    async function loadOlder() {
      if (!st.seqs.length) return;
      const page = await api(`${base}/steps?order=desc&limit=${STEP_PAGE}&to=${st.seqs[0] - 1}`, ctx.signal);
      addSteps(page.steps);
      st.hasOlder = page.has_more;
    }
    async function ensureLoaded(seq) {
      if (st.steps.has(seq) || !st.seqs.length || seq > st.seqs[st.seqs.length - 1]) return;
      const page = await api(`${base}/steps?order=asc&limit=${STEP_PAGE}&from=${Math.max(0, seq - 20)}&to=${st.seqs[0] - 1}`, ctx.signal);
      addSteps(page.steps);
      if (page.steps.length && page.steps[0].step_start_log.sequence_id <= (st.summary.first_sequence_id ?? 0)) st.hasOlder = false;
    }
    async function prevStep(seq) {
      const i = st.seqs.indexOf(seq);
      if (i > 0) return st.steps.get(st.seqs[i - 1]);
      if (i === 0 && st.hasOlder) {
        const page = await api(`${base}/steps?order=desc&limit=1&to=${seq - 1}`, ctx.signal);
        return page.steps[0] || null;
      }
      return null;
    }

    await loadNewest();
    const wanted = q.has("seq") ? parseInt(q.get("seq"), 10) : NaN;
    if (!isNaN(wanted)) await ensureLoaded(wanted);
    if (!ctx.alive()) return;
    st.selected = !isNaN(wanted) && st.steps.has(wanted) ? wanted : st.seqs.length ? st.seqs[st.seqs.length - 1] : null;

    // layout
    const head = h("div", { class: "apphead" });
    const stepsBox = h("div", { class: "steps", tabindex: "0", "aria-label": "Steps (arrow keys move the selection)" });
    const graphBox = h("div", { class: "graphbox" });
    const right = h("div", { class: "rightcol" });
    clear(main);
    main.appendChild(h("div", { class: "appview" }, h("div", { class: "leftcol" }, head, stepsBox, graphBox), right));

    function drawHead() {
      const sm = st.summary;
      clear(head);
      const last = st.seqs.length ? st.steps.get(st.seqs[st.seqs.length - 1]) : null;
      const liveBtn = h("button", { class: st.live ? "on" : "", title: "Follow new steps as they are written (L)", onclick: () => setLive(!st.live) }, h("span", { class: "livedot" }), " Live");
      const orderBtn = h("button", { title: "Switch between newest first and oldest first", onclick: () => { st.asc = !st.asc; localStorage.setItem("burr.asc", st.asc ? "1" : "0"); drawSteps(); drawHead(); } }, st.asc ? "Oldest first" : "Newest first");
      const links = [];
      if (sm.parent_pointer) links.push(ptrChip(project, sm.parent_pointer, "fork", "forked from"));
      if (sm.spawning_parent_pointer) links.push(ptrChip(project, sm.spawning_parent_pointer, "spawn", "spawned by"));
      for (const c of sm.children || []) {
        const kind = c.event_type === "fork" ? "fork" : "spawn";
        links.push(h("a", { class: `chip ${kind}`, href: appHref(project, c.child.app_id), title: `${c.event_type} at step ${c.sequence_id}` }, `${kind === "fork" ? "fork" : "child"} ${short(c.child.app_id, 24)} @${c.sequence_id ?? "?"}`));
      }
      append(head, [
        h("h1", null, h("span", { class: "mono" }, appId), sm.partition_key !== null && sm.partition_key !== undefined ? h("a", { class: "chip pk", href: projectHref(project, { pk: sm.partition_key }), title: "partition key" }, sm.partition_key) : null,
          last ? statusChip(stepStatus(last)) : null),
        h("div", { class: "meta" }, h("span", null, plural(sm.num_steps, "step")), orderBtn, liveBtn,
          h("span", null, h("span", { class: "kbd" }, "↑"), h("span", { class: "kbd" }, "↓"), " steps ", h("span", { class: "kbd" }, "←"), h("span", { class: "kbd" }, "→"), " tabs")),
        links.length ? h("div", { class: "meta links" }, links) : null,
        sm.errors && sm.errors.length ? h("div", { class: "banner err", style: "margin:8px 0 0" }, sm.errors.join("\n")) : null]);
    }

    let appSpan = null;
    function computeSpan() {
      let lo = Infinity, hi = -Infinity;
      for (const seq of st.seqs) {
        const t = stepTimes(st.steps.get(seq));
        if (t.start !== null) { lo = Math.min(lo, t.start); hi = Math.max(hi, t.end ?? t.start); }
      }
      appSpan = isFinite(lo) ? { lo, hi: Math.max(hi, lo + 1) } : null;
    }

    function childrenAt(seq) {
      return (st.summary.children || []).filter((c) => c.sequence_id === seq);
    }

    function drawSteps() {
      computeSpan();
      const keep = stepsBox.scrollTop;
      clear(stepsBox);
      if (!st.seqs.length) {
        stepsBox.appendChild(h("div", { class: "empty" }, "This app has no steps yet."));
        return;
      }
      const order = st.asc ? st.seqs : [...st.seqs].reverse();
      let maxDur = 1;
      for (const seq of st.seqs) {
        const d = stepTimes(st.steps.get(seq)).dur;
        if (d !== null) maxDur = Math.max(maxDur, d);
      }
      const rows = order.map((seq) => {
        const step = st.steps.get(seq);
        const t = stepTimes(step);
        const status = stepStatus(step);
        const width = t.dur === null ? 100 : Math.max(1.5, (t.dur / maxDur) * 100);
        const streamed = (step.streaming_events || []).length > 0;
        const kids = childrenAt(seq);
        return h("tr", { class: `step${seq === st.selected ? " sel" : ""}`, "data-seq": seq, onclick: () => select(seq) },
          h("td", { class: "seq" }, seq),
          h("td", { class: "act", title: step.step_start_log.action }, step.step_start_log.action,
            streamed ? h("span", { class: "tag stream", title: "streamed its result" }, "stream") : null,
            step.spans && step.spans.length ? h("span", { class: "tag", title: `${plural(step.spans.length, "span")}` }, plural(step.spans.length, "span")) : null,
            kids.map((k) => h("span", { class: `tag ${k.event_type === "fork" ? "fork" : "spawn"}`, title: `${k.event_type} ${k.child.app_id}` }, k.event_type === "fork" ? "forked" : "spawned"))),
          h("td", { class: "time", title: dateTime(step.step_start_log.start_time) }, clock(step.step_start_log.start_time)),
          h("td", { class: "dur" }, h("div", { class: "dbar", title: t.dur === null ? "running" : dur(t.dur) },
            h("span", { class: "trk" }, h("span", { class: `fill${status === "failure" ? " bad" : status === "running" ? " run" : ""}`, style: `width:${width.toFixed(2)}%` })),
            h("span", { class: "lbl" }, t.dur === null ? "…" : dur(t.dur)))),
          h("td", { class: "st" }, statusChip(status)));
      });
      const more = st.hasOlder ? h("tr", null, h("td", { colspan: 5, class: "more" }, h("button", { onclick: async () => { await loadOlder(); drawSteps(); } }, `Load older steps (${(st.seqs[0]).toLocaleString()} earlier)`))) : null;
      const tbody = h("tbody", null, st.asc ? [more, rows] : [rows, more]);
      stepsBox.appendChild(h("table", null,
        h("colgroup", null, h("col", { class: "seq", style: `width:${Math.max(44, String(st.seqs[st.seqs.length - 1]).length * 9 + 22)}px` }), h("col"), h("col", { class: "time" }), h("col", { class: "dur" }), h("col", { class: "st" })),
        h("thead", null, h("tr", null, h("th", { style: "text-align:right" }, "#"), h("th", null, "Action"), h("th", null, "Start"), h("th", null, "Duration"), h("th", { style: "text-align:right" }, "Status"))),
        tbody));
      stepsBox.scrollTop = keep;
    }

    function scrollSelectedIntoView() {
      const row = stepsBox.querySelector("tr.sel");
      if (row) row.scrollIntoView({ block: "nearest" });
    }

    async function select(seq) {
      st.selected = seq;
      setQuery({ seq, tab: st.tab === "state" ? null : st.tab });
      for (const row of stepsBox.querySelectorAll("tr.step")) row.classList.toggle("sel", Number(row.dataset.seq) === seq);
      scrollSelectedIntoView();
      await drawDetail();
      drawGraph();
    }

    function move(delta) {
      if (!st.seqs.length) return;
      const order = st.asc ? st.seqs : [...st.seqs].reverse();
      let i = order.indexOf(st.selected);
      i = Math.max(0, Math.min(order.length - 1, (i < 0 ? 0 : i) + delta));
      select(order[i]);
    }

    // ---- detail pane
    let detailToken = 0;
    async function drawDetail() {
      const token = ++detailToken;
      const seq = st.selected;
      if (seq === null || !st.steps.has(seq)) {
        clear(right);
        right.appendChild(h("div", { class: "detail" }, h("div", { class: "empty" }, "Select a step.")));
        return;
      }
      const step = st.steps.get(seq);
      const prev = await prevStep(seq).catch(() => null);
      if (token !== detailToken || !ctx.alive()) return;
      const end = step.step_end_log;
      const t = stepTimes(step);
      const status = stepStatus(step);
      const box = h("div", { class: "detail", "data-seq": seq });
      box.appendChild(h("h2", null, h("span", { class: "muted" }, `#${seq}`), h("span", { class: "mono", id: "detail-action" }, step.step_start_log.action), statusChip(status)));
      box.appendChild(h("div", { class: "meta" },
        h("span", { title: dateTime(step.step_start_log.start_time) }, `started ${dateTime(step.step_start_log.start_time)}`),
        t.dur !== null ? h("span", null, `took ${dur(t.dur)}`) : h("span", null, "still running"),
        prev ? h("span", null, `after #${prev.step_start_log.sequence_id} ${prev.step_start_log.action}`) : null));
      for (const c of childrenAt(seq)) {
        box.appendChild(h("div", { class: "meta" }, h("a", { class: `chip ${c.event_type === "fork" ? "fork" : "spawn"}`, href: appHref(project, c.child.app_id) }, `${c.event_type === "fork" ? "forked into" : "spawned"} ${c.child.app_id}`)));
      }
      if (end && end.exception !== null && end.exception !== undefined) {
        const exc = h("pre", { class: "exc", id: "exception", title: "The error's own message is at the end" }, String(end.exception));
        box.appendChild(h("div", { class: "section" }, h("h3", null, "Exception"), exc));
        requestAnimationFrame(() => { exc.scrollTop = exc.scrollHeight; });
      }
      const counts = {
        spans: (step.spans || []).length + (step.attributes || []).length,
        inputs: Object.keys(step.step_start_log.inputs || {}).length,
        result: end && end.result ? Object.keys(end.result).length : 0,
      };
      const tabs = h("div", { class: "tabs", role: "tablist" }, TABS.map((name) =>
        h("button", { role: "tab", class: st.tab === name ? "active" : "", "aria-selected": st.tab === name ? "true" : "false", "data-tab": name, onclick: () => { st.tab = name; setQuery({ seq, tab: name === "state" ? null : name }); drawDetail(); } },
          { state: "State", spans: "Spans & attributes", inputs: "Inputs", result: "Result", code: "Code", graph: "Graph" }[name],
          counts[name] ? h("span", { class: "count" }, counts[name]) : null)));
      box.appendChild(tabs);
      const pane = h("div", { class: "pane", id: `pane-${st.tab}` });
      box.appendChild(pane);
      if (st.tab === "state") drawState(pane, step, prev);
      else if (st.tab === "spans") drawSpans(pane, step);
      else if (st.tab === "inputs") pane.appendChild(section("Inputs", jsonTree(step.step_start_log.inputs || {}, "No inputs.")));
      else if (st.tab === "result") pane.appendChild(section("Result", end ? (end.result === null ? h("div", { class: "muted" }, "No result (the step failed).") : jsonTree(end.result, "Empty result.")) : h("div", { class: "muted" }, "The step is still running.")));
      else if (st.tab === "graph") {
        const big = h("div", { class: "biggraph" });
        const svg = graphFor();
        if (svg) {
          svg.setAttribute("id", "graph-large");
          big.appendChild(svg);
        }
        else big.appendChild(h("div", { class: "muted" }, "No graph recorded for this app."));
        pane.appendChild(section("Actions and transitions", big));
      } else if (st.tab === "code") {
        const action = ((st.summary.application || {}).actions || []).find((a) => a.name === step.step_start_log.action);
        pane.appendChild(section(`Code of ${step.step_start_log.action}`, action ? h("div", { class: "box" }, h("pre", { class: "code" }, action.code || "")) : h("div", { class: "muted" }, "No code recorded for this action.")));
        if (action) pane.appendChild(section("Reads / writes", h("div", { class: "box mono" }, `reads: ${(action.reads || []).join(", ") || "—"}`, h("br"), `writes: ${(action.writes || []).join(", ") || "—"}`)));
      }
      const keepScroll = right.scrollTop;
      clear(right);
      right.appendChild(box);
      right.scrollTop = keepScroll;
    }

    function section(title, content, extra) {
      return h("div", { class: "section" }, h("h3", null, title, extra), content);
    }

    function drawState(pane, step, prev) {
      const after = step.step_end_log ? step.step_end_log.state : null;
      const before = prev && prev.step_end_log ? prev.step_end_log.state : null;
      const seg = h("span", { class: "seg" }, ["after", "before", "changes"].map((v) =>
        h("button", { class: st.stateView === v ? "on" : "", "data-view": v, onclick: () => { st.stateView = v; localStorage.setItem("burr.stateView", v); drawDetail(); } }, v)));
      let content;
      if (st.stateView === "after") content = after ? jsonTree(after, "Empty state.", true) : h("div", { class: "muted" }, "No state yet: the step is still running.");
      else if (st.stateView === "before") content = before ? jsonTree(before, "Empty state.", true) : h("div", { class: "muted" }, prev ? "The previous step has no end state." : "This is the first step: there is no state before it.");
      else content = after ? diffView(before || {}, after) : h("div", { class: "muted" }, "No state yet.");
      pane.appendChild(section("State", h("div", { class: "box", id: "state" }, content), seg));
    }

    function drawSpans(pane, step) {
      const spans = (step.spans || []).slice().sort((a, b) => cmpSpanId(a.begin_entry.span_id, b.begin_entry.span_id));
      const known = new Set(spans.map((sp) => sp.begin_entry.span_id));
      const attrsBySpan = new Map();
      for (const a of step.attributes || []) {
        const key = a.span_id !== null && known.has(a.span_id) ? a.span_id : "";
        if (!attrsBySpan.has(key)) attrsBySpan.set(key, []);
        attrsBySpan.get(key).push(a);
      }
      const t = stepTimes(step);
      let lo = t.start, hi = t.end;
      for (const sp of spans) {
        const b = tsMillis(sp.begin_entry.start_time);
        const e = sp.end_entry ? tsMillis(sp.end_entry.end_time) : null;
        if (b !== null) { lo = lo === null ? b : Math.min(lo, b); hi = hi === null ? b : Math.max(hi, b); }
        if (e !== null) hi = hi === null ? e : Math.max(hi, e);
      }
      if (lo === null) lo = 0;
      if (hi === null || hi <= lo) hi = lo + 1;
      const pct = (v) => ((v - lo) / (hi - lo)) * 100;
      const wf = h("div", { class: "wf", id: "waterfall" });
      const row = (key, depth, label, id, b, e, cls, attrs) => {
        const open = st.openSpans.has(key);
        const left = b === null ? 0 : pct(b);
        const right = e === null ? 100 : pct(e);
        const r = h("div", { class: `srow${open ? " sel" : ""}`, "data-span": key, tabindex: "0", role: "button", "aria-expanded": open ? "true" : "false" },
          h("div", { class: "sname", style: `padding-left:${8 + depth * 16}px`, title: label }, id ? h("span", { class: "sid" }, id) : null, label,
            attrs.length ? h("span", { class: "nattr" }, `${attrs.length} attr${attrs.length === 1 ? "" : "s"}`) : null),
          h("div", { class: "track" }, h("div", { class: `sbar ${cls}${e === null ? " open" : ""}`, style: `left:${left.toFixed(2)}%;width:${Math.max(0.4, right - left).toFixed(2)}%` })),
          h("div", { class: "sdur" }, b !== null && e !== null ? dur(e - b) : "open"));
        const toggle = () => { if (st.openSpans.has(key)) st.openSpans.delete(key); else st.openSpans.add(key); drawDetail(); };
        r.addEventListener("click", toggle);
        r.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); } });
        wf.appendChild(r);
        if (open && attrs.length) {
          wf.appendChild(h("div", { class: "srow attrs-row" }, h("div", { class: "attrs" }, attrTable(attrs))));
        }
      };
      row("", 0, step.step_start_log.action, "step", t.start, t.end, "step", attrsBySpan.get("") || []);
      for (const sp of spans) {
        const id = sp.begin_entry.span_id;
        const local = String(id).includes(":") ? String(id).split(":").slice(1).join(":") : String(id);
        const depth = local.split(".").length;
        row(id, depth, sp.begin_entry.span_name, local, tsMillis(sp.begin_entry.start_time), sp.end_entry ? tsMillis(sp.end_entry.end_time) : null, "", attrsBySpan.get(id) || []);
      }
      pane.appendChild(section("Spans", wf, h("span", { class: "muted", style: "text-transform:none;letter-spacing:0" }, `${plural(spans.length, "span")}, ${plural((step.attributes || []).length, "attribute")} · click a row for its attributes`)));
      const ev = step.streaming_events || [];
      if (ev.length) pane.appendChild(section("Stream", streamStats(ev)));
      const all = step.attributes || [];
      if (all.length) pane.appendChild(section("All attributes", h("div", { class: "box" }, attrTable(all, true))));
    }

    function attrTable(attrs, withSpan) {
      return h("table", { class: "attrtable" }, h("tbody", null, attrs.map((a) =>
        h("tr", null, h("td", { class: "ak" }, a.key), withSpan ? h("td", { class: "at mono" }, a.span_id === null ? "step" : a.span_id) : null,
          h("td", null, jsonTree(a.value)), h("td", { class: "at", title: a.time_logged || "" }, a.time_logged ? clock(a.time_logged) : "")))));
    }

    function streamStats(events) {
      const begin = events.find((e) => e.type === "begin_stream");
      const first = events.find((e) => e.type === "first_item_stream");
      const end = events.find((e) => e.type === "end_stream");
      const b = begin ? tsMillis(begin.stream_init_time) : null;
      const f = first ? tsMillis(first.first_item_time) : null;
      const e = end ? tsMillis(end.end_time) : null;
      const items = end ? end.items_streamed : null;
      const stat = (v, l) => h("div", { class: "stat" }, h("div", { class: "v" }, v), h("div", { class: "l" }, l));
      const rate = items !== null && b !== null && e !== null && e > b ? items / ((e - b) / 1000) : null;
      return h("div", { class: "stats", id: "stream-stats" },
        stat(b !== null && f !== null ? dur(f - b) : "—", "time to first item"),
        stat(items === null ? "streaming…" : items.toLocaleString(), "items"),
        stat(rate === null ? "—" : `${rate < 10 ? rate.toFixed(2) : Math.round(rate).toLocaleString()}/s`, "items per second"),
        stat(b !== null && e !== null ? dur(e - b) : "—", "stream duration"));
    }

    // ---- graph
    /** The graph as SVG, marked with the selected step's action and the path that led to it. */
    function graphFor() {
      const app = st.summary.application;
      if (!app || !Array.isArray(app.actions)) return null;
      const cur = st.selected !== null && st.steps.has(st.selected) ? st.steps.get(st.selected) : null;
      const visited = new Set();
      const taken = new Set();
      let prevAction = null;
      for (const seq of st.seqs) {
        if (st.selected !== null && seq > st.selected) break;
        const a = st.steps.get(seq).step_start_log.action;
        visited.add(a);
        if (prevAction !== null) taken.add(`${prevAction}\u0000${a}`);
        prevAction = a;
      }
      return graphSvg(app, {
        current: cur ? cur.step_start_log.action : null,
        currentFailed: cur ? stepStatus(cur) === "failure" : false,
        visited, taken, showInputs: st.showInputs,
      });
    }

    function drawGraph() {
      clear(graphBox);
      const svg = graphFor();
      if (!svg) {
        graphBox.appendChild(h("div", { class: "empty" }, "No graph recorded for this app."));
        return;
      }
      const toggle = h("label", { class: "hint" }, h("input", { type: "checkbox", checked: st.showInputs, onchange: (e) => { st.showInputs = e.target.checked; localStorage.setItem("burr.inputs", st.showInputs ? "1" : "0"); drawGraph(); } }), " inputs");
      const bigger = h("button", { class: "enlarge", title: "Show the graph large (Graph tab)", onclick: () => { st.tab = "graph"; setQuery({ seq: st.selected, tab: "graph" }); drawDetail(); } }, "Enlarge");
      graphBox.append(toggle, bigger, svg);
    }

    // ---- live updates
    let liveCtrl = null;
    function setLive(on) {
      st.live = on;
      if (liveCtrl) { liveCtrl.abort(); liveCtrl = null; }
      drawHead();
      if (on) liveLoop();
    }
    ctx.onLeave(() => { if (liveCtrl) liveCtrl.abort(); });
    async function liveLoop() {
      const ctrl = new AbortController();
      liveCtrl = ctrl;
      ctx.signal.addEventListener("abort", () => ctrl.abort());
      while (st.live && !ctrl.signal.aborted && ctx.alive()) {
        try {
          const w = await api(`${base}/wait?log_size=${st.summary.log_size}&timeout_ms=20000`, ctrl.signal);
          if (w.log_size === st.summary.log_size) continue;
          const newestSelected = st.selected === null || st.selected === st.seqs[st.seqs.length - 1];
          st.summary = await api(`${base}/summary`, ctrl.signal);
          const from = st.seqs.length ? st.seqs[st.seqs.length - 1] : 0;
          const page = await api(`${base}/steps?order=asc&limit=1000&from=${from}`, ctrl.signal);
          addSteps(page.steps);
          if (!st.seqs.length) continue;
          if (newestSelected) st.selected = st.seqs[st.seqs.length - 1];
          drawHead();
          drawSteps();
          if (newestSelected) { setQuery({ seq: st.selected, tab: st.tab === "state" ? null : st.tab }); scrollSelectedIntoView(); }
          await drawDetail();
          drawGraph();
        } catch (e) {
          if (e.name === "AbortError") return;
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    }

    function onKey(e) {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "ArrowDown" || e.key === "j") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp" || e.key === "k") { e.preventDefault(); move(-1); }
      else if (e.key === "Home") { e.preventDefault(); move(-1e9); }
      else if (e.key === "End") { e.preventDefault(); move(1e9); }
      else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        e.preventDefault();
        const i = TABS.indexOf(st.tab) + (e.key === "ArrowRight" ? 1 : -1);
        st.tab = TABS[(i + TABS.length) % TABS.length];
        setQuery({ seq: st.selected, tab: st.tab === "state" ? null : st.tab });
        drawDetail();
      } else if (e.key === "l" || e.key === "L") setLive(!st.live);
    }
    document.addEventListener("keydown", onKey);
    ctx.onLeave(() => document.removeEventListener("keydown", onKey));

    drawHead();
    drawSteps();
    scrollSelectedIntoView();
    await drawDetail();
    drawGraph();
    stepsBox.focus({ preventScroll: true });
    const last = st.seqs.length ? st.steps.get(st.seqs[st.seqs.length - 1]) : null;
    if (last && !last.step_end_log) setLive(true);
  }

  function cmpSpanId(a, b) {
    const pa = String(a).split(/[:.]/).map(Number);
    const pb = String(b).split(/[:.]/).map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      if (pa[i] === undefined) return -1;
      if (pb[i] === undefined) return 1;
      if (isNaN(pa[i]) || isNaN(pb[i])) return String(a).localeCompare(String(b));
      if (pa[i] !== pb[i]) return pa[i] - pb[i];
    }
    return 0;
  }

  // ---------------------------------------------------------------- JSON tree and diff

  function scalar(v) {
    if (v === null) return h("span", { class: "z" }, "null");
    if (typeof v === "string") return h("span", { class: "s" }, JSON.stringify(v).length > 2 && v.includes("\n") ? v : JSON.stringify(v));
    if (typeof v === "number") return h("span", { class: "n" }, String(v));
    if (typeof v === "boolean") return h("span", { class: "b" }, String(v));
    return h("span", null, String(v));
  }

  /** A collapsible tree of a JSON value; big containers start closed. */
  function jsonTree(value, emptyText, topLevelState) {
    const root = h("div", { class: "jt" });
    if (value !== null && typeof value === "object" && !Object.keys(value).length && emptyText) {
      root.appendChild(h("div", { class: "muted" }, emptyText));
      return root;
    }
    if (value === null || typeof value !== "object") {
      root.appendChild(scalar(value));
      return root;
    }
    let entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    if (topLevelState) {
      // internal keys last
      entries = entries.filter(([k]) => !String(k).startsWith("__")).concat(entries.filter(([k]) => String(k).startsWith("__")));
    }
    for (const [k, v] of entries) root.appendChild(node(k, v, 0, Array.isArray(value)));
    return root;
  }
  function node(key, v, depth, inArray) {
    const label = inArray ? h("span", { class: "jm" }, `${key}: `) : [h("span", { class: "k" }, String(key)), ": "];
    const internal = !inArray && String(key).startsWith("__");
    if (v === null || typeof v !== "object") return h("div", { class: `row${internal ? " internal" : ""}` }, label, scalar(v));
    const isArr = Array.isArray(v);
    const entries = isArr ? v.map((x, i) => [i, x]) : Object.entries(v);
    const size = entries.length;
    if (!size) return h("div", { class: "row" }, label, h("span", { class: "jm" }, isArr ? "[]" : "{}"));
    const row = h("div", { class: `row${size > 25 || depth > 3 ? " closed" : ""}${internal ? " internal" : ""}` });
    const tog = h("span", { class: "tog", role: "button", "aria-label": "expand or collapse" }, "");
    const setTog = () => { tog.textContent = row.classList.contains("closed") ? "▸" : "▾"; };
    tog.addEventListener("click", () => { row.classList.toggle("closed"); setTog(); });
    setTog();
    const kids = h("div", { class: "kids" });
    let rendered = false;
    const render = () => {
      if (rendered) return;
      rendered = true;
      for (const [k, x] of entries) kids.appendChild(node(k, x, depth + 1, isArr));
    };
    if (!row.classList.contains("closed")) render();
    tog.addEventListener("click", render);
    append(row, [tog, label, h("span", { class: "jm" }, isArr ? `[${size} item${size === 1 ? "" : "s"}]` : `{${size} key${size === 1 ? "" : "s"}}`), kids]);
    return row;
  }

  function diffList(a, b, path, out) {
    const isObj = (x) => x !== null && typeof x === "object";
    if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
      if (Array.isArray(a)) {
        const n = Math.max(a.length, b.length);
        for (let i = 0; i < n; i++) {
          const p = `${path}[${i}]`;
          if (i >= a.length) out.push({ kind: "add", path: p, now: b[i] });
          else if (i >= b.length) out.push({ kind: "del", path: p, was: a[i] });
          else diffList(a[i], b[i], p, out);
        }
      } else {
        for (const k of Object.keys(a)) {
          const p = path ? `${path}.${k}` : k;
          if (!(k in b)) out.push({ kind: "del", path: p, was: a[k] });
          else diffList(a[k], b[k], p, out);
        }
        for (const k of Object.keys(b)) if (!(k in a)) out.push({ kind: "add", path: path ? `${path}.${k}` : k, now: b[k] });
      }
      return out;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ kind: "chg", path, was: a, now: b });
    return out;
  }
  function diffView(before, after) {
    const changes = diffList(before, after, "", []).filter((c) => !c.path.startsWith("__"));
    if (!changes.length) return h("div", { class: "muted" }, "No change against the previous step.");
    const show = (v) => h("span", { class: "val" }, v === undefined ? "" : short(v, 2000));
    return h("div", { class: "diff", id: "diff" }, changes.map((c) =>
      h("div", { class: `d ${c.kind}` },
        h("span", { class: "sym" }, c.kind === "add" ? "+" : c.kind === "del" ? "−" : "~"),
        h("span", { class: "path" }, c.path),
        c.kind === "chg" ? h("span", null, h("span", { class: "val old" }, short(c.was, 1000)), "  →  ", show(c.now)) : show(c.kind === "add" ? c.now : c.was))));
  }

  // ---------------------------------------------------------------- graph layout

  let measureCtx = null;
  function textWidth(str, font) {
    if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
    if (!measureCtx) return str.length * 7.2;
    measureCtx.font = font;
    return measureCtx.measureText(str).width;
  }

  /** Layered drawing: layers by longest path over forward edges (back edges found by DFS from
   * the entrypoint), crossing reduction by barycenters, long edges routed through dummy points. */
  function graphSvg(app, mark) {
    const names = app.actions.map((a) => String(a.name));
    const id = new Map(names.map((n, i) => [n, i]));
    const edges = [];
    for (const t of app.transitions || []) {
      if (id.has(t.from_) && id.has(t.to)) edges.push({ from: id.get(t.from_), to: id.get(t.to), label: String(t.condition ?? "") });
    }
    const n = names.length;
    const out = Array.from({ length: n }, () => []);
    edges.forEach((e, i) => out[e.from].push(i));
    // DFS for back edges
    const stateOf = new Array(n).fill(0);
    const back = new Set();
    const order = [];
    const dfs = (start) => {
      const stack = [[start, 0]];
      stateOf[start] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1];
        const [v, i] = top;
        if (i < out[v].length) {
          top[1]++;
          const ei = out[v][i];
          const w = edges[ei].to;
          if (w === v) back.add(ei);
          else if (stateOf[w] === 1) back.add(ei);
          else if (stateOf[w] === 0) { stateOf[w] = 1; stack.push([w, 0]); }
        } else {
          stateOf[v] = 2;
          order.push(v);
          stack.pop();
        }
      }
    };
    const entry = id.has(app.entrypoint) ? id.get(app.entrypoint) : 0;
    if (n) dfs(entry);
    for (let v = 0; v < n; v++) if (!stateOf[v]) dfs(v);
    const layer = new Array(n).fill(0);
    for (const v of order.reverse()) {
      for (const ei of out[v]) if (!back.has(ei)) layer[edges[ei].to] = Math.max(layer[edges[ei].to], layer[v] + 1);
    }
    // input nodes
    const nodes = names.map((name, i) => ({ name, kind: "action", layer: layer[i] }));
    const segs = []; // [fromNode, toNode, edgeIndex|-1]
    const chains = [];
    if (mark.showInputs) {
      let shift = 0;
      app.actions.forEach((a, i) => {
        for (const inp of [].concat(a.inputs || [], a.optional_inputs || [])) {
          if (typeof inp !== "string" || inp.startsWith("__")) continue;
          if (layer[i] === 0) shift = 1;
          nodes.push({ name: inp, kind: "input", layer: layer[i] - 1, target: i });
        }
      });
      if (shift) for (const nd of nodes) nd.layer += 1;
    }
    const L = Math.max(0, ...nodes.map((nd) => nd.layer)) + 1;
    // Every edge between different layers becomes a chain from the upper to the lower node,
    // with a dummy point per layer crossed; back edges are laid out reversed.
    edges.forEach((e, ei) => {
      if (e.from === e.to) return;
      const reversed = nodes[e.from].layer > nodes[e.to].layer;
      const [top, bottom] = reversed ? [e.to, e.from] : [e.from, e.to];
      if (nodes[top].layer === nodes[bottom].layer) {
        chains.push({ ei, chain: [e.from, e.to], reversed: false, flat: true });
        return;
      }
      let prev = top;
      const chain = [top];
      for (let l = nodes[top].layer + 1; l < nodes[bottom].layer; l++) {
        nodes.push({ name: "", kind: "dummy", layer: l });
        const d = nodes.length - 1;
        segs.push([prev, d]);
        chain.push(d);
        prev = d;
      }
      segs.push([prev, bottom]);
      chain.push(bottom);
      chains.push({ ei, chain, reversed });
    });
    nodes.forEach((nd, i) => { if (nd.kind === "input") segs.push([i, nd.target]); });
    const layers = Array.from({ length: L }, () => []);
    // initial order: DFS order (reverse postorder) for actions, others after
    const rank = new Map(order.map((v, i) => [v, i]));
    nodes.forEach((nd, i) => layers[nd.layer].push(i));
    for (const ly of layers) ly.sort((a, b) => (rank.get(a) ?? 1e6 + a) - (rank.get(b) ?? 1e6 + b));
    const up = Array.from({ length: nodes.length }, () => []);
    const down = Array.from({ length: nodes.length }, () => []);
    for (const [a, b] of segs) { down[a].push(b); up[b].push(a); }
    const pos = new Map();
    const reindex = () => layers.forEach((ly) => ly.forEach((v, i) => pos.set(v, i)));
    reindex();
    for (let it = 0; it < 8; it++) {
      const downward = it % 2 === 0;
      const seq = downward ? layers.keys() : [...layers.keys()].reverse();
      for (const l of seq) {
        const ly = layers[l];
        const bc = new Map(ly.map((v) => {
          const nb = downward ? up[v] : down[v];
          return [v, nb.length ? nb.reduce((s0, w) => s0 + pos.get(w), 0) / nb.length : pos.get(v)];
        }));
        ly.sort((a, b) => bc.get(a) - bc.get(b));
        ly.forEach((v, i) => pos.set(v, i));
      }
    }
    // coordinates
    const FONT = "12.5px system-ui, sans-serif";
    const NH = 30, LGAP = 74, XGAP = 34, PAD = 24;
    nodes.forEach((nd) => { nd.w = nd.kind === "dummy" ? 8 : Math.max(56, textWidth(nd.name, FONT) + 26); nd.h = nd.kind === "dummy" ? 0 : NH; });
    const widths = layers.map((ly) => ly.reduce((s0, v) => s0 + nodes[v].w, 0) + XGAP * Math.max(0, ly.length - 1));
    const W = Math.max(200, ...widths) + PAD * 2 + 220;
    layers.forEach((ly, l) => {
      let x = (W - widths[l]) / 2;
      for (const v of ly) { nodes[v].x = x + nodes[v].w / 2; nodes[v].y = PAD + 8 + l * LGAP + NH / 2; x += nodes[v].w + XGAP; }
    });
    const H = PAD * 2 + 8 + L * LGAP;
    const svg = s("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "graph of actions and transitions", id: "graph" });
    const defs = s("defs", null,
      s("marker", { id: "ah", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" })),
      s("marker", { id: "aht", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow taken" })));
    svg.appendChild(defs);
    const gEdges = s("g");
    const gLabels = s("g");
    svg.appendChild(gEdges);
    const isTaken = (e) => mark.taken.has(`${names[e.from]}\u0000${names[e.to]}`);
    const label = (x, y, text, anchor) => {
      if (!text || text === "default") return;
      gLabels.appendChild(s("text", { x, y, class: "elabel", "text-anchor": anchor || "middle" }, short(text, 30), s("title", null, text)));
    };
    // Pairs linked both ways get their two curves bent apart.
    const pairKey = (a, b) => (a < b ? `${a} ${b}` : `${b} ${a}`);
    const pairCount = new Map();
    for (const e of edges) pairCount.set(pairKey(e.from, e.to), (pairCount.get(pairKey(e.from, e.to)) || 0) + 1);
    const bez = (p0, c1, c2, p1, t) => {
      const u = 1 - t;
      return [0, 1].map((k) => u * u * u * p0[k] + 3 * u * u * t * c1[k] + 3 * u * t * t * c2[k] + t * t * t * p1[k]);
    };
    for (const { ei, chain, reversed, flat } of chains) {
      const e = edges[ei];
      const tk = isTaken(e);
      const title = s("title", null, `${names[e.from]} → ${names[e.to]}: ${e.label}`);
      if (flat) {
        // Same layer: an arc over the nodes.
        const a = nodes[e.from], b = nodes[e.to];
        const y = a.y - a.h / 2, lift = 30 + Math.abs(a.x - b.x) * 0.08;
        const d = `M${a.x},${y} C${a.x},${y - lift} ${b.x},${y - lift} ${b.x},${y}`;
        gEdges.appendChild(s("path", { d, class: `edge${tk ? " taken" : ""}`, "marker-end": `url(#${tk ? "aht" : "ah"})` }, title));
        label((a.x + b.x) / 2, y - lift * 0.75 - 3, e.label, "middle");
        continue;
      }
      const bend = pairCount.get(pairKey(e.from, e.to)) > 1 ? (reversed ? 22 : -22) : 0;
      const pts = chain.map((v, i) => {
        const nd = nodes[v];
        if (i === 0) return [nd.x + bend * 0.6, nd.y + nd.h / 2];
        if (i === chain.length - 1) return [nd.x + bend * 0.6, nd.y - nd.h / 2];
        return [nd.x + bend, nd.y];
      });
      let d = `M${pts[0][0]},${pts[0][1]}`;
      const curves = [];
      for (let i = 1; i < pts.length; i++) {
        const [x0, y0] = pts[i - 1], [x1, y1] = pts[i];
        const my = (y0 + y1) / 2;
        const c1 = [x0 + bend, my], c2 = [x1 + bend, my];
        curves.push([pts[i - 1], c1, c2, pts[i]]);
        d += ` C${c1[0]},${c1[1]} ${c2[0]},${c2[1]} ${x1},${y1}`;
      }
      const marker = `url(#${tk ? "aht" : "ah"})`;
      gEdges.appendChild(s("path", { d, class: `edge${tk ? " taken" : ""}`, "marker-end": reversed ? null : marker, "marker-start": reversed ? marker : null }, title));
      // Label near the target, where edges fanning out of one node have spread apart.
      const seg = reversed ? curves[0] : curves[curves.length - 1];
      const at = bez(...seg, reversed ? 0.35 : 0.62);
      label(at[0] + 5, at[1] + 3, e.label, "start");
    }
    edges.forEach((e) => {
      if (e.from !== e.to) return;
      // A loop on the left side of its node.
      const a = nodes[e.from];
      const tk = isTaken(e);
      const x = a.x - a.w / 2, y = a.y;
      const d = `M${x},${y - 7} C${x - 34},${y - 26} ${x - 34},${y + 26} ${x},${y + 7}`;
      gEdges.appendChild(s("path", { d, class: `edge${tk ? " taken" : ""}`, "marker-end": `url(#${tk ? "aht" : "ah"})` }, s("title", null, `${names[e.from]} → ${names[e.to]}: ${e.label}`)));
      label(x - 30, y + 3, e.label, "end");
    });
    nodes.forEach((nd, i) => {
      if (nd.kind !== "input") return;
      const t = nodes[nd.target];
      gEdges.appendChild(s("path", { d: `M${nd.x},${nd.y + nd.h / 2} C${nd.x},${(nd.y + t.y) / 2} ${t.x},${(nd.y + t.y) / 2} ${t.x},${t.y - t.h / 2}`, class: "edge", "stroke-dasharray": "3 3", "marker-end": "url(#ah)" }));
      void i;
    });
    const gNodes = s("g");
    nodes.forEach((nd, i) => {
      if (nd.kind === "dummy") return;
      const cls = ["node"];
      if (nd.kind === "input") cls.push("input");
      else {
        if (i === entry) cls.push("entry");
        if (mark.current === nd.name) { cls.push("cur"); if (mark.currentFailed) cls.push("bad"); }
        else if (mark.visited.has(nd.name)) cls.push("visited");
      }
      gNodes.appendChild(s("g", { class: cls.join(" "), "data-action": nd.kind === "action" ? nd.name : null },
        s("rect", { x: nd.x - nd.w / 2, y: nd.y - nd.h / 2, width: nd.w, height: nd.h, rx: nd.kind === "input" ? 15 : 7 }),
        s("text", { x: nd.x, y: nd.y + 4.5, "text-anchor": "middle" }, nd.name),
        s("title", null, nd.kind === "input" ? `input ${nd.name}` : nd.name + (i === entry ? " (entrypoint)" : ""))));
    });
    svg.appendChild(gNodes);
    svg.appendChild(gLabels);
    return svg;
  }

  route();
})();
