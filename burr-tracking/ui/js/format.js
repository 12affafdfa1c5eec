// Turns timestamps, durations and values from the logs into short text.

const TS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a timestamp from the logs into milliseconds; naive times are read as UTC so that
 * differences between two naive times are right. Returns null when it cannot be read. */
export function tsMillis(v) {
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

/** Whether a timestamp names its zone (`Z` or an offset); naive ones are the writer's local time. */
export function isAware(v) {
  return typeof v === "string" && /(Z|[+-]\d{2}:?\d{2})$/.test(v.trim());
}

/** Time of day as written in the log (naive stays as written, aware shown in local time). */
export function clock(v) {
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

export function dateTime(v) {
  if (typeof v !== "string") return "";
  if (isAware(v)) {
    const ms = tsMillis(v);
    return ms === null ? v : new Date(ms).toLocaleString(undefined, { hour12: false });
  }
  return v.replace("T", " ").replace(/(\.\d{3})\d*$/, "$1");
}

export function ago(v) {
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

export function dur(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return "";
  if (ms < 0) ms = 0;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60000);
  return `${m} min ${Math.round((ms % 60000) / 1000)} s`;
}

export function plural(n, word) {
  return `${n.toLocaleString()} ${word}${n === 1 ? "" : "s"}`;
}

/** A value as text of at most `n` characters (JSON unless it is a string). */
export function short(v, n) {
  const str = typeof v === "string" ? v : JSON.stringify(v);
  return str.length > n ? str.slice(0, n - 1) + "…" : str;
}
