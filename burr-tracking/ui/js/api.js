// The client of the tracking server's HTTP API: one function per request the UI makes.
// After each request the listener set with `onConnection` learns whether the server answered.

class HttpError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

let reportConnection = () => {};

/** Sets the function called with `true` when the server answers and `false` when it cannot be
 * reached. */
export function onConnection(listener) {
  reportConnection = listener;
}

/** Sends a request and reads the JSON answer; an error answer throws its `detail`. */
async function request(path, init) {
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === "AbortError") throw e;
    reportConnection(false);
    throw new HttpError(0, "The burr server cannot be reached. Is it still running?");
  }
  reportConnection(true);
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

const get = (path, signal) => request(path, { signal, headers: { accept: "application/json" } });

const enc = encodeURIComponent;
/** A partition key as a path segment; `__none__` stands for "any key". */
const pkSeg = (pk) => (pk === null || pk === undefined || pk === "" ? "__none__" : enc(pk));
const appBase = (project, appId) => `api/v1/${enc(project)}/${enc(appId)}`;

export function projects(signal) {
  return get("api/v0/projects", signal);
}

/** One page of a project's apps, newest first, optionally only those with partition key `pk`. */
export function apps(project, pk, { limit, offset }, signal) {
  return get(`api/v0/${enc(project)}/${pkSeg(pk)}/apps?limit=${limit}&offset=${offset}`, signal);
}

export function summary(project, appId, signal) {
  return get(`${appBase(project, appId)}/summary`, signal);
}

/** A page of an app's steps; `query` holds `order`, `limit`, `from` and `to`. */
export function steps(project, appId, query, signal) {
  return get(`${appBase(project, appId)}/steps?${new URLSearchParams(query)}`, signal);
}

/** What all the app's steps add up to: LLM calls, tokens, cost and time per span name. */
export function insights(project, appId, signal) {
  return get(`${appBase(project, appId)}/insights`, signal);
}

/** Answers when the app's log is no longer `logSize` bytes long, or after 20 seconds. */
export function waitForLog(project, appId, logSize, signal) {
  return get(`${appBase(project, appId)}/wait?log_size=${logSize}&timeout_ms=20000`, signal);
}

export function addDemoProjects() {
  return request("api/v1/demo", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
}

/** The annotations of a project; `filter` may hold `app_id`, `partition_key` and
 * `step_sequence_id`. */
export function annotations(project, filter, signal) {
  const q = new URLSearchParams(Object.entries(filter || {}).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  const qs = q.toString();
  return get(`api/v0/${enc(project)}/annotations${qs ? `?${qs}` : ""}`, signal);
}

const sendJson = (method, path, body) =>
  request(path, { method, headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) });

/** Annotates step `seq` of an app (Burr's `AnnotationCreate` body). */
export function createAnnotation(project, appId, pk, seq, body) {
  return sendJson("POST", `api/v0/${enc(project)}/${enc(appId)}/${pkSeg(pk)}/${seq}/annotations`, body);
}

/** Replaces the content of annotation `id` (Burr's `AnnotationUpdate` body). */
export function updateAnnotation(project, id, body) {
  return sendJson("PUT", `api/v0/${enc(project)}/${id}/update_annotations`, body);
}
