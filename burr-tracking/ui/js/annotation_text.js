// Annotations as text: the summary of an observation, and a project's annotations as CSV.

/** What an observation says, in one line: verdict, then its fields. */
export function observationText(o) {
  const parts = [];
  if (o.thumbs_up_thumbs_down === true) parts.push("thumbs up");
  if (o.thumbs_up_thumbs_down === false) parts.push("thumbs down");
  for (const [k, v] of Object.entries(o.data_fields || {})) {
    if (v !== null && v !== undefined && v !== "") parts.push(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  return parts.join(" · ");
}

/** What an observation points at, in one line. */
export function pointerText(p) {
  return `${p.type === "attribute" ? "attribute" : "state"} ${p.field_name}${p.span_id ? ` @${p.span_id}` : ""}`;
}

/** One CSV field: quoted when it holds a quote, a comma or a line break; a leading `=`, `+`,
 * `-` or `@` is prefixed with `'` so a spreadsheet does not run it as a formula. */
function csvField(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A project's annotations as CSV, one row per annotation. */
export function annotationsCsv(list) {
  const head = ["id", "app_id", "partition_key", "step_sequence_id", "step_name", "span_id", "tags", "observations", "pointers", "created", "updated"];
  const rows = list.map((a) => [
    a.id, a.app_id, a.partition_key, a.step_sequence_id, a.step_name, a.span_id,
    (a.tags || []).join(" "),
    (a.observations || []).map(observationText).join(" | "),
    (a.observations || []).flatMap((o) => (o.data_pointers || []).map(pointerText)).join(" | "),
    a.created, a.updated,
  ].map(csvField).join(","));
  return [head.join(","), ...rows].join("\r\n") + "\r\n";
}
