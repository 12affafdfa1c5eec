// The Annotations tab: the step's annotations (Apache Burr's records: tags, observations with
// a note, a ground truth, a thumbs up or down, and pointers to state fields or attributes),
// and a form to add one or change one.
import * as api from "../../api.js";
import { clear, h } from "../../dom.js";
import { dateTime } from "../../format.js";
import { observationText, pointerText } from "../../annotation_text.js";
import { section } from "../parts.js";

export const name = "annotations";
export const label = "Annotations";

export function count(step, page) {
  return page ? page.annotationsOf(step.step_start_log.sequence_id).length : 0;
}

export function draw(pane, page, step) {
  const seq = step.step_start_log.sequence_id;
  const mine = page.annotationsOf(seq);
  const list = h("div", { id: "annotations" },
    mine.length ? mine.map((a) => card(page, step, a)) : h("div", { class: "muted" }, "No annotation of this step yet."));
  pane.appendChild(section("Annotations", list));
  pane.appendChild(section("Add an annotation", form(page, step, null)));
}

function card(page, step, a) {
  const box = h("div", { class: "box annotation", "data-annotation": a.id },
    h("div", { class: "meta" },
      h("span", { class: "mono" }, `#${a.id}`),
      (a.tags || []).map((t) => h("span", { class: "chip tag" }, t)),
      a.span_id ? h("span", { class: "muted" }, `span ${a.span_id}`) : null,
      h("span", { class: "muted", title: `created ${dateTime(a.created)}` }, `updated ${dateTime(a.updated)}`)),
    (a.observations || []).map((o) => h("div", { class: "obs" },
      h("div", null, observationText(o) || h("span", { class: "muted" }, "(empty)")),
      (o.data_pointers || []).length ? h("div", { class: "muted" }, "about ", o.data_pointers.map(pointerText).join(", ")) : null)));
  const edit = h("button", { class: "edit", onclick: () => {
    clear(box);
    box.appendChild(form(page, step, a));
  } }, "Edit");
  box.firstChild.appendChild(edit);
  return box;
}

/** The form for a new annotation (`existing` null) or for changing `existing`. */
function form(page, step, existing) {
  const first = existing && existing.observations && existing.observations[0];
  const fields = (first && first.data_fields) || {};
  const tags = h("input", { type: "text", name: "tags", placeholder: "tags, separated by commas", value: existing ? (existing.tags || []).join(", ") : "" });
  const spanSel = h("select", { name: "span" },
    h("option", { value: "" }, "the step"),
    (step.spans || []).map((sp) => h("option", { value: sp.begin_entry.span_id }, `span ${sp.begin_entry.span_id} ${sp.begin_entry.span_name}`)));
  spanSel.value = existing && existing.span_id ? existing.span_id : "";
  const note = h("textarea", { name: "note", rows: "2", placeholder: "note" });
  note.value = fields.note === undefined ? "" : String(fields.note);
  const truth = h("textarea", { name: "ground_truth", rows: "2", placeholder: "ground truth: what the step should have produced" });
  truth.value = fields.ground_truth === undefined ? "" : String(fields.ground_truth);
  const verdict = h("select", { name: "verdict" },
    h("option", { value: "" }, "no verdict"), h("option", { value: "up" }, "thumbs up"), h("option", { value: "down" }, "thumbs down"));
  verdict.value = first && first.thumbs_up_thumbs_down === true ? "up" : first && first.thumbs_up_thumbs_down === false ? "down" : "";
  const stateKeys = step.step_end_log && step.step_end_log.state ? Object.keys(step.step_end_log.state).filter((k) => !k.startsWith("__")) : [];
  const options = [
    ...stateKeys.map((k) => ({ value: JSON.stringify(["state_field", k, null]), text: `state ${k}` })),
    ...(step.attributes || []).map((at) => ({ value: JSON.stringify(["attribute", at.key, at.span_id]), text: `attribute ${at.key}${at.span_id ? ` @${at.span_id}` : ""}` })),
  ];
  const seen = new Set();
  const pointers = h("select", { name: "pointers", multiple: true, size: String(Math.min(4, Math.max(2, options.length))) },
    options.filter((o) => !seen.has(o.value) && seen.add(o.value)).map((o) => h("option", { value: o.value }, o.text)));
  for (const p of (first && first.data_pointers) || []) {
    const value = JSON.stringify([p.type, p.field_name, p.span_id === undefined ? null : p.span_id]);
    for (const opt of pointers.options) if (opt.value === value) opt.selected = true;
  }
  const status = h("span", { class: "muted", role: "status" });
  const save = h("button", { class: "on", type: "submit" }, existing ? "Save changes" : "Add annotation");
  const el = h("form", { class: "annotate", onsubmit: async (e) => {
    e.preventDefault();
    const data_fields = {};
    if (note.value.trim()) data_fields.note = note.value;
    if (truth.value.trim()) data_fields.ground_truth = truth.value;
    const body = {
      span_id: spanSel.value || null,
      step_name: step.step_start_log.action,
      tags: tags.value.split(",").map((t) => t.trim()).filter((t) => t),
      observations: [{
        data_fields,
        thumbs_up_thumbs_down: verdict.value === "up" ? true : verdict.value === "down" ? false : null,
        data_pointers: [...pointers.selectedOptions].map((o) => {
          const [type, field_name, span_id] = JSON.parse(o.value);
          return { type, field_name, span_id };
        }),
      }],
    };
    save.disabled = true;
    status.textContent = "Saving…";
    try {
      if (existing) await api.updateAnnotation(page.project, existing.id, body);
      else await api.createAnnotation(page.project, page.appId, page.summary.partition_key, step.step_start_log.sequence_id, body);
      await page.reloadAnnotations();
    } catch (err) {
      save.disabled = false;
      status.textContent = String(err.message || err);
      status.className = "err";
    }
  } },
  h("label", null, "Tags ", tags),
  h("label", null, "About ", spanSel),
  h("label", null, "Verdict ", verdict),
  note, truth,
  options.length ? h("label", null, "Points at ", pointers) : null,
  h("div", null, save, " ", status));
  return el;
}
