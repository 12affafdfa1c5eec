// The Reproduce tab: the Rust that reloads the step (its state, or a fork of the app from it)
// and the `burr test-case` command that exports it as a test fixture, each with a copy button;
// the Rust is highlighted.
import { h } from "../../dom.js";
import { highlighted } from "../../highlight.js";
import { section } from "../parts.js";

export const name = "reproduce";
export const label = "Reproduce";

/** `text` as a Rust string literal. */
const rustStr = (text) => JSON.stringify(String(text));

/** `text` as one shell word. */
const shellWord = (text) => (/^[A-Za-z0-9_.:\/=-]+$/.test(text) ? text : `'${String(text).replace(/'/g, "'\\''")}'`);

export function draw(pane, page, step) {
  const seq = step.step_start_log.sequence_id;
  const action = step.step_start_log.action;
  const pk = page.summary.partition_key;
  const pkRust = pk === null || pk === undefined ? "None" : `Some(${rustStr(pk)})`;
  const entry = (page.summary.application || {}).entrypoint || action;
  const load = [
    "use burr::tracking::{default_root, load_state};",
    "",
    `// The state after step #${seq} (${action}): the one before it if the step failed.`,
    `let loaded = load_state(&default_root(), ${rustStr(page.project)}, ${rustStr(page.appId)}, Some(${seq}))?;`,
    "println!(\"{:?} at {}\", loaded.state, loaded.position);",
  ].join("\n");
  const fork = [
    "use burr::prelude::*;",
    "use burr::tracking::LocalTrackingClient;",
    "",
    `// A new app that starts where step #${seq} left ${page.appId}.`,
    `let tracker = LocalTrackingClient::new(${rustStr(page.project)})?;`,
    "let mut app = ApplicationBuilder::new()",
    "    // .with_actions(actions![...]) and .with_transitions(...) of your application",
    "    .initialize_from(",
    `        InitializeFrom::new(tracker.clone(), State::new(), ${rustStr(entry)})`,
    `            .fork_from(${rustStr(page.appId)}, Some(${seq}), ${pkRust}),`,
    "    )",
    "    .with_tracker(tracker)",
    "    .build()?;",
  ].join("\n");
  const command = `burr test-case ${[page.project, page.appId].map(shellWord).join(" ")} ${seq} -o tests/fixtures/test_cases.json`;
  const test = [
    "#[test]",
    `fn ${/^[A-Za-z_][A-Za-z0-9_]*$/.test(action) ? action : "step"}_matches_its_recorded_steps() {`,
    "    let cases = burr::testing::load_test_cases(\"tests/fixtures/test_cases.json\").unwrap();",
    `    for case in cases.iter().filter(|c| c.action == ${rustStr(action)}) {`,
    `        burr::testing::run_test_case(${/^[A-Za-z_][A-Za-z0-9_]*$/.test(action) ? action : "my_action"} {}, case).unwrap();`,
    "    }",
    "}",
  ].join("\n");
  pane.appendChild(section("Load this step's state", snippet("reproduce-load", load, "rust")));
  pane.appendChild(section("Fork the app from this step", snippet("reproduce-fork", fork, "rust")));
  pane.appendChild(section("Export it as a test case", h("div", null,
    snippet("reproduce-command", command),
    h("p", { class: "muted" }, "The case holds the state before the step, its inputs, the state after it and its result; this test runs the action against every case of the file:"),
    snippet("reproduce-test", test, "rust"))));
}

/** A block of code with a copy button; `lang` ("rust") highlights it. */
function snippet(id, text, lang) {
  const pre = h("pre", { class: "code", id, "data-lang": lang });
  pre.appendChild(lang ? highlighted(text, lang) : document.createTextNode(text));
  const status = h("span", { class: "muted", role: "status" });
  const copy = h("button", { class: "copy", onclick: async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "copied";
    } catch (_) {
      // No clipboard (a page served over plain HTTP to another host): select the text.
      const range = document.createRange();
      range.selectNodeContents(pre);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      status.textContent = "selected: press Ctrl+C";
    }
  } }, "Copy");
  return h("div", { class: "box snippet" }, h("div", { class: "snippet-bar" }, copy, " ", status), pre);
}
