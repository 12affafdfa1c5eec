// The location hash names what is shown: `#/` the projects, `#/project/P` the apps of project P
// (options `pk`, `offset`, `empty`), `#/project/P/app/A` one app (options `seq`, `tab`),
// `#/project/P/annotations` the annotations of project P (options `tag`, `action`).
// Each change of the hash ends the current visit and starts a new one.

/** The hash as decoded path parts and query parameters. */
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

/** A hash link; query values that are null, undefined or empty are left out. */
function href(parts, q) {
  const path = "#/" + parts.map(encodeURIComponent).join("/");
  const qs = q ? new URLSearchParams(Object.entries(q).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString() : "";
  return qs ? `${path}?${qs}` : path;
}

export const projectHref = (p, q) => href(["project", p], q);
export const appHref = (p, a, q) => href(["project", p, "app", a], q);
export const annotationsHref = (p, q) => href(["project", p, "annotations"], q);

/** Replaces the query of the current hash without starting a new visit. */
export function setQuery(q) {
  const { parts } = parseHash();
  history.replaceState(null, "", href(parts, q));
}

/** One view shown for one location. When the location changes its requests are aborted (through
 * `signal`) and the functions given to `onLeave` run. */
class Visit {
  constructor() {
    this.controller = new AbortController();
    this.signal = this.controller.signal;
    this.leaving = [];
    this.ended = false;
  }

  alive() {
    return !this.ended;
  }

  onLeave(f) {
    this.leaving.push(f);
  }

  /** Runs `fn` every `ms` milliseconds while the page is visible, until the visit ends. */
  poll(ms, fn) {
    const id = setInterval(() => {
      if (document.visibilityState === "visible" && this.alive()) fn().catch(() => {});
    }, ms);
    this.onLeave(() => clearInterval(id));
  }

  end() {
    this.ended = true;
    this.controller.abort();
    for (const f of this.leaving) f();
  }
}

/** Calls `show(visit, parts, q)` for the current hash and again on every change; `onError` gets
 * what a view throws, unless the visit has ended. */
export function startRouter(show, onError) {
  let visit = null;
  const route = () => {
    if (visit) visit.end();
    const current = new Visit();
    visit = current;
    const { parts, q } = parseHash();
    show(current, parts, q).catch((e) => {
      if (e.name === "AbortError" || !current.alive()) return;
      onError(e);
    });
  };
  window.addEventListener("hashchange", route);
  route();
}
