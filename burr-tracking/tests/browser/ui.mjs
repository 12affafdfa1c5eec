// Walks the burr UI in headless Chromium: projects -> app -> step -> span, live updates,
// keyboard, hostile strings, and what the runtime logged (attempts, suspensions). Run by tests/browser.rs, which starts the server and sets:
//   BURR_URL          the server's base URL
//   BURR_EMPTY_URL    a server on an empty folder (the UI offers demo projects there)
//   BURR_LIVE_LOG     the log.jsonl of counter/live, which this script appends to
//   BURR_LONG_STEP    a folder where this script creates `seen`, then `release`, to move on
//                     the step of runtime/long-step, which runs while the script looks at it
//   BURR_SCREENSHOTS  where to save screenshots
//   BURR_UI_LIVE_STEPS how many steps the fast writer writes while the page is open (2,000,000
//                     unless set)
//   CHROMIUM          the browser binary
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { check, launch, report, stopped } from "./harness.mjs";
import { detectLanguage, tokenize } from "../../ui/js/highlight.js";

const base = process.env.BURR_URL;
const emptyBase = process.env.BURR_EMPTY_URL;
const shots = process.env.BURR_SCREENSHOTS;
const liveLog = process.env.BURR_LIVE_LOG;
const longStep = process.env.BURR_LONG_STEP;
const HOSTILE = "<img src=x onerror=window.__pwned=1>";
mkdirSync(shots, { recursive: true });


// ---- the code highlighter's tokenizer, run here under node (it touches no DOM)
{
  // Whatever the text, the tokens give it back: nothing is lost, added or reordered.
  const alphabet = ["a", "r", "b", "fn", "def", " ", "\n", "\"", "'", "\\", "#", "[", "]", "/", "*", "!", "@", "0x", "1", ".", "e", "_", "<img>", "é", "\"\"\""];
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  let lossless = true;
  for (let k = 0; k < 400 && lossless; k++) {
    let text = "";
    for (let j = rand(60); j > 0; j--) text += alphabet[rand(alphabet.length)];
    for (const lang of ["python", "rust"]) {
      if (tokenize(text, lang).map((t) => t.text).join("") !== text) {
        lossless = false;
        console.log(`lost text in ${lang}: ${JSON.stringify(text)}`);
      }
    }
  }
  check(lossless, "the tokenizer gives back every text it cuts, in both languages");
  const kinds = (code, lang) => tokenize(code, lang).filter((t) => t.type).map((t) => `${t.type}:${t.text}`);
  const py = kinds('@action(reads=["n"])\ndef f(self, x=0x1F):\n    """doc\n    more"""  # note\n    return f"{x}" + r\'\\d\'', "python");
  check(["attr:@action", 'str:"n"', "kw:def", "fn:f", "bi:self", "num:0x1F", 'str:"""doc\n    more"""', "com:# note", "kw:return", 'str:f"{x}"', "str:r'\\d'"].every((k) => py.includes(k)), `Python tokens: ${py.join(" ")}`);
  const rs = kinds('#[action(reads = ["n"])]\nfn f<\'a>(s: &\'a str) -> Result<u64, E> {\n    /* a /* nested */ one */ let r = r#"x "y""#;\n    println!("{}", \'\\n\'); Ok(1_000u64) // end\n}', "rust");
  check(['attr:#[action(reads = ["n"])]', "kw:fn", "fn:f", "lt:'a", "ty:str", "ty:Result", "ty:u64", "com:/* a /* nested */ one */", "kw:let", 'str:r#"x "y""#', "mac:println!", "str:'\\n'", "num:1_000u64", "com:// end"].every((k) => rs.includes(k)), `Rust tokens: ${rs.join(" ")}`);
  check(detectLanguage("def f(state):\n    return state\n") === "python" && detectLanguage("fn f(state: State) -> State {\n    state\n}") === "rust", "the language of action code is told from the code");
}

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
const page = await context.newPage();
const external = [];
const errors = [];
page.on("request", (r) => {
  if (![base, emptyBase, "data:"].some((p) => p && r.url().startsWith(p))) external.push(r.url());
});
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => {
  if (m.type() === "error") errors.push(m.text());
});
page.on("dialog", (d) => {
  errors.push(`dialog: ${d.message()}`);
  d.dismiss();
});
page.setDefaultTimeout(10000);

try {
  // ---- projects
  await page.goto(base);
  await page.waitForSelector("tr[data-project]");
  const projects = await page.$$eval("tr[data-project]", (rows) => rows.map((r) => r.dataset.project));
  check(["chatbot", "counter", "hostile"].every((p) => projects.includes(p)), `projects listed: ${projects}`);
  const chatRow = await page.textContent('tr[data-project="chatbot"]');
  check(chatRow.includes("3"), "project row shows its app count");
  check(!!(await page.$(".demo-more #add-demo")), "the demo projects are offered in a folder that has projects");
  await page.screenshot({ path: join(shots, "1-projects.png") });

  // ---- apps of a project
  await page.click('tr[data-project="chatbot"] a');
  await page.waitForSelector("tr[data-app]");
  const apps = await page.$$eval("tr[data-app]", (rows) => rows.map((r) => r.dataset.app));
  check(apps.length === 3 && apps.includes("chat-1-fork"), `apps listed: ${apps}`);
  const forkRow = await page.textContent('tr[data-app="chat-1-fork"]');
  check(forkRow.includes("forked from") && forkRow.includes("chat-1"), "fork links to its parent");
  const childRow = await page.textContent('tr[data-app="chat-1-child"]');
  check(childRow.includes("spawned by"), "spawned app links to its parent");
  check((await page.textContent('tr[data-app="chat-1"]')).includes("user-1"), "partition key shown");
  await page.screenshot({ path: join(shots, "2-apps.png") });
  // filter by partition key
  await page.fill('input[aria-label="Filter by partition key"]', "user-1");
  await page.press('input[aria-label="Filter by partition key"]', "Enter");
  await page.waitForFunction(() => document.querySelectorAll("tr[data-app]").length === 2);
  check(true, "partition key filter keeps the two user-1 apps");
  // search this page's apps, and sort them by a column
  await page.goto(`${base}#/project/chatbot`);
  await page.waitForFunction(() => document.querySelectorAll("tr[data-app]").length === 3);
  await page.fill("#app-search", "FORK");
  await page.waitForFunction(() => document.querySelectorAll("tr[data-app]").length === 1);
  check((await page.$eval("tr[data-app]", (r) => r.dataset.app)) === "chat-1-fork", "the search keeps the apps whose id matches");
  await page.fill("#app-search", "");
  await page.waitForFunction(() => document.querySelectorAll("tr[data-app]").length === 3);
  await page.click('button[data-sort="steps"]');
  await page.waitForSelector('button.sort.on[data-sort="steps"]');
  const stepCounts = async () => page.$$eval("tr[data-app] td.num", (c) => c.map((x) => Number(x.textContent.replace(/,/g, ""))));
  const desc = await stepCounts();
  check(desc.every((n, i) => i === 0 || desc[i - 1] >= n), `sorted by steps, most first: ${desc}`);
  await page.click('button[data-sort="steps"]');
  const asc = await stepCounts();
  check(asc.every((n, i) => i === 0 || asc[i - 1] <= n) && asc.join() !== desc.join(), `and reversed: ${asc}`);
  await page.click('button[data-sort="app"]');
  const ids = await page.$$eval("tr[data-app]", (r) => r.map((x) => x.dataset.app));
  check(ids.join() === [...ids].sort().join(), `sorted by app id: ${ids}`);

  // ---- one app
  await page.waitForSelector('tr[data-app="chat-1"] a');
  await page.click('tr[data-app="chat-1"] a');
  await page.waitForSelector("tr.step");
  const rows = await page.$$eval("tr.step", (r) => r.map((x) => Number(x.dataset.seq)));
  check(rows.length === 11 && rows[0] === 10, `steps newest first: ${rows}`);
  check((await page.textContent("tr.step.sel")).includes("failure"), "newest step (a failure) selected first");
  check((await page.textContent("#exception")).includes("the canned model refused"), "exception text shown");
  check(await page.$eval("#graph", (g) => g.querySelectorAll(".node").length >= 6), "graph drawn as SVG");
  check(await page.$eval("#graph", (g) => !!g.querySelector('.node.cur.bad[data-action="prompt"]')), "graph marks the current (failed) action");
  await page.screenshot({ path: join(shots, "3-app-failure.png") });

  // keyboard: down arrow moves to the next (older) step
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector('tr.step.sel[data-seq="9"]');
  check(true, "ArrowDown selects the next step");
  await page.keyboard.press("ArrowDown");
  await page.waitForSelector('tr.step.sel[data-seq="8"]');
  check((await page.textContent("#detail-action")) === "answer_question", "detail follows the selection");
  // state: after / changes
  check((await page.textContent("#state")).includes("Paris."), "state after the step shown");
  await page.click('button[data-view="changes"]');
  await page.waitForSelector("#diff");
  const diff = await page.textContent("#diff");
  check(diff.includes("response") && diff.includes("chat_history[3]"), `diff against the previous step: ${diff.slice(0, 120)}`);
  check(await page.$eval("#graph", (g) => g.querySelectorAll(".node.visited").length >= 3), "graph marks visited actions");
  await page.screenshot({ path: join(shots, "4-app-diff.png") });
  await page.click('button[data-view="after"]');

  // spans
  await page.click('button[data-tab="spans"]');
  await page.waitForSelector("#waterfall");
  const spanRows = await page.$$eval("#waterfall .srow[data-span]", (r) => r.map((x) => x.dataset.span));
  check(JSON.stringify(spanRows) === JSON.stringify(["", "8:0", "8:1", "8:1.0", "8:1.1", "8:2"]), `span waterfall rows in order: ${spanRows}`);
  await page.click('#waterfall .srow[data-span="8:1.0"]');
  await page.waitForSelector("#waterfall .attrs");
  check((await page.textContent("#waterfall .attrs")).includes("prompt_tokens"), "span attributes open under their span");
  check(!(await page.$("#pane-spans #stream-stats")) && !!(await page.$("#stream-pointer")), "the spans tab points to the stream's own tab");
  await page.screenshot({ path: join(shots, "5-app-spans.png") });

  // the stream: its numbers, its timeline beside the step, its events
  check((await page.textContent('button[data-tab="stream"] .count')) === "12", "the Stream tab's label counts the items streamed");
  await page.click("#stream-pointer button");
  await page.waitForSelector("#pane-stream #stream-stats");
  const stat = (key) => page.textContent(`#stream-stats [data-stat="${key}"] .v`);
  const stats = {};
  for (const key of ["first", "items", "rate", "per-item", "duration", "first-from-step"]) stats[key] = await stat(key);
  check(stats.first === "45 ms" && stats.items === "12" && stats.rate === "40/s" && stats["per-item"] === "23 ms" && stats.duration === "300 ms" && stats["first-from-step"] === "45 ms", `stream statistics: ${JSON.stringify(stats)}`);
  check(!(await page.$("#stream-open")), "a stream that ended is not shown as streaming");
  const events = await page.$$eval("#stream-events tr", (rows) => rows.map((r) => [r.dataset.event, r.textContent]));
  check(events.map((e) => e[0]).join() === "begin_stream,first_item_stream,end_stream" && events[2][1].includes("12 items") && events[2][1].includes("300 ms after the step began") && /:08\.145/.test(events[1][1]), `stream events in order, with times: ${JSON.stringify(events)}`);
  const bars = await page.$eval("#stream-timeline", (wf) => {
    const box = (sel) => { const r = wf.querySelector(sel).getBoundingClientRect(); return { left: r.left, right: r.right }; };
    return { step: box('[data-row="step"] .sbar'), stream: box('[data-row="stream"] .sbar'), mark: box('[data-row="stream"] .mark') };
  });
  check(Math.abs(bars.stream.left - bars.step.left) < 1 && bars.stream.right < bars.step.right && bars.mark.left > bars.stream.left && bars.mark.left < bars.stream.right, `the stream's bar starts with the step's and ends before it, the first item inside it: ${JSON.stringify(bars)}`);
  await page.screenshot({ path: join(shots, "5h-stream.png") });

  // insights: the step's LLM call, tokens, cost and span times, and the app's
  await page.click('button[data-tab="insights"]');
  await page.waitForSelector("#step-insights");
  const stepIns = await page.textContent("#step-insights");
  check(/LLM calls\s*1/.test(stepIns) && /Input tokens\s*40/.test(stepIns) && /Output tokens\s*12/.test(stepIns) && stepIns.includes("$0.000500"), `the step's insights: ${stepIns.slice(0, 160)}`);
  check(stepIns.includes("query_model") && stepIns.includes("http_call"), "time per span name");
  const appIns = await page.textContent("#app-insights");
  const calls = Number((/LLM calls\s*(\d+)/.exec(appIns) || [])[1]);
  check(calls > 1, `the app's insights sum its steps' calls: ${calls}`);
  await page.screenshot({ path: join(shots, "5e-insights.png") });

  // reproduce: the Rust that reloads the step and the command that exports it
  await page.click('button[data-tab="reproduce"]');
  await page.waitForSelector("#reproduce-load");
  const load = await page.textContent("#reproduce-load");
  check(load.includes('load_state(&default_root(), "chatbot", "chat-1", Some(8))'), `the load snippet names the step: ${load}`);
  const fork = await page.textContent("#reproduce-fork");
  check(fork.includes('.fork_from("chat-1", Some(8), Some("user-1"))'), "the fork snippet names the step and partition key");
  check((await page.textContent("#reproduce-command")) === "burr test-case chatbot chat-1 8 -o tests/fixtures/test_cases.json", "the test-case command line");
  check((await page.textContent("#reproduce-test")).includes("run_test_case(answer_question {}, case)"), "the test that runs the fixture");
  await page.screenshot({ path: join(shots, "5f-reproduce.png") });
  const loadKinds = await page.$$eval("#reproduce-load [class^=tok-]", (spans) => spans.map((x) => `${x.className}:${x.textContent}`));
  check(["tok-kw:use", "tok-kw:let", "tok-fn:load_state", "tok-mac:println!", 'tok-str:"chatbot"', "tok-num:8"].every((k) => loadKinds.includes(k)), `the Rust snippets are highlighted: ${loadKinds.slice(0, 12).join(" ")}`);
  check((await page.$$("#reproduce-command [class^=tok-]")).length === 0, "the shell command is left plain");

  // the code of the step's action, highlighted as the Rust it is
  await page.click('button[data-tab="code"]');
  await page.waitForSelector("#code");
  check((await page.getAttribute("#code", "data-lang")) === "rust" && (await page.textContent("#code-lang")) === "Rust", "Rust action code is highlighted as Rust");
  const rustCode = await page.$eval("#code", (pre) => ({ text: pre.textContent, kinds: [...pre.querySelectorAll("[class^=tok-]")].map((x) => `${x.className}:${x.textContent}`) }));
  check(rustCode.text === "fn answer_question(state: State) -> State {\n    state\n}", `the code's text is kept whole: ${JSON.stringify(rustCode.text)}`);
  check(["tok-kw:fn", "tok-fn:answer_question", "tok-ty:State"].every((k) => rustCode.kinds.includes(k)), `Rust tokens in the page: ${rustCode.kinds.join(" ")}`);
  await page.screenshot({ path: join(shots, "5g-code-rust.png") });

  // the graph tab shows the graph large
  await page.click('button[data-tab="graph"]');
  await page.waitForSelector("#graph-large");
  check(await page.$eval("#graph-large", (g) => !!g.querySelector('.node.cur[data-action="answer_question"]')), "graph tab marks the selected step's action");
  // zoom, pan, fit: the text stays readable (rendered at 80% of its size or more)
  const scale = () => page.$eval("#graph-large", (g) => g.getScreenCTM().a);
  const viewBox = () => page.$eval("#graph-large", (g) => g.getAttribute("viewBox"));
  const opened = await scale();
  check(opened >= 0.8, `the graph opens readable (scale ${opened.toFixed(2)})`);
  await page.click("#graph-zoom-in");
  check((await scale()) > opened * 1.2, "the + button zooms in");
  const box = await page.$eval("#graph-large", (g) => { const r = g.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
  const before = await viewBox();
  await page.mouse.move(box.x, box.y);
  await page.mouse.down();
  await page.mouse.move(box.x + 80, box.y + 40, { steps: 4 });
  await page.mouse.up();
  check((await viewBox()) !== before, "dragging pans the graph");
  await page.mouse.move(box.x, box.y);
  const zoomedScale = await scale();
  await page.mouse.wheel(0, 300);
  check((await scale()) < zoomedScale, "the wheel zooms out");
  await page.click("#graph-fit");
  const fitted = (await viewBox()).split(" ").map(Number);
  check(fitted[0] === 0 && fitted[1] === 0, `Fit shows the whole graph (${fitted.join(" ")})`);
  await page.screenshot({ path: join(shots, "5b-graph.png") });

  // links: children of the app
  const head = await page.textContent(".apphead");
  check(head.includes("chat-1-fork") && head.includes("chat-1-child"), "app header links to its fork and child");
  await page.click('.apphead a[href*="chat-1-fork"]');
  await page.waitForSelector('tr.step[data-seq="5"]');
  check((await page.textContent(".apphead")).includes("forked from"), "fork links back to its parent");

  // ---- annotations: add one to a step, change it, find it on the project's page, download it
  await page.goto(`${base}#/project/chatbot/app/chat-1?seq=8&tab=annotations`);
  await page.waitForSelector("form.annotate");
  check((await page.textContent("#annotations")).includes("No annotation"), "a step without annotations says so");
  await page.fill('form.annotate input[name="tags"]', `good, ${HOSTILE}`);
  await page.fill('form.annotate textarea[name="note"]', "the answer is right");
  await page.fill('form.annotate textarea[name="ground_truth"]', "Paris.");
  await page.selectOption('form.annotate select[name="verdict"]', "up");
  await page.$eval('form.annotate select[name="pointers"]', (s) => { s.options[0].selected = true; });
  await page.click('form.annotate button[type="submit"]');
  await page.waitForSelector('#annotations .annotation[data-annotation="0"]');
  const made = await page.textContent("#annotations");
  check(made.includes("the answer is right") && made.includes("thumbs up") && made.includes("ground_truth: Paris.") && made.includes("about state"), `the new annotation is shown: ${made.slice(0, 200)}`);
  check(made.includes(HOSTILE) && (await page.evaluate(() => window.__pwned)) === undefined, "a hostile tag is shown as text");
  check((await page.textContent('button[data-tab="annotations"] .count')) === "1", "the tab counts the step's annotations");
  await page.click("#annotations .annotation .edit");
  await page.fill('#annotations form.annotate input[name="tags"]', "checked");
  await page.selectOption('#annotations form.annotate select[name="verdict"]', "down");
  await page.click('#annotations form.annotate button[type="submit"]');
  await page.waitForFunction(() => (document.querySelector("#annotations")?.textContent || "").includes("checked"));
  const changed = await page.textContent("#annotations");
  check(changed.includes("thumbs down") && !changed.includes("good") && changed.includes("the answer is right"), "the annotation is changed in place");
  await page.screenshot({ path: join(shots, "5c-annotations.png") });
  await page.goto(`${base}#/project/chatbot`);
  await page.click(".annotations-link");
  await page.waitForSelector('#annotations-table tr[data-annotation="0"]');
  const table = await page.textContent("#annotations-table");
  check(table.includes("chat-1") && table.includes("answer_question") && table.includes("checked"), `the project's annotations page lists it: ${table.slice(0, 200)}`);
  await page.fill("#filter-tag", "nothing-like-this");
  await page.waitForFunction(() => document.querySelectorAll("#annotations-table tr[data-annotation]").length === 0);
  await page.fill("#filter-tag", "check");
  await page.waitForSelector('#annotations-table tr[data-annotation="0"]');
  check(true, "the tag filter narrows the list");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
  const csvText = readFileSync(await csv.path(), "utf8");
  check(csvText.startsWith("id,app_id,partition_key,step_sequence_id") && csvText.includes("chat-1") && csvText.includes("checked"), `CSV download: ${csvText.slice(0, 160)}`);
  const [json] = await Promise.all([page.waitForEvent("download"), page.click("#download-json")]);
  const downloaded = JSON.parse(readFileSync(await json.path(), "utf8"));
  check(downloaded.length === 1 && downloaded[0].step_sequence_id === 8 && downloaded[0].tags[0] === "checked", "JSON download");
  await page.screenshot({ path: join(shots, "5d-project-annotations.png") });
  await page.click('#annotations-table a[href*="chat-1"]');
  await page.waitForSelector('#annotations .annotation[data-annotation="0"]');
  check((await page.textContent("#detail-action")) === "answer_question", "an annotation links to its step's Annotations tab");

  // ---- live updates
  await page.goto(`${base}#/project/counter/app/live?tab=stream`);
  await page.waitForSelector("tr.step");
  check((await page.textContent("tr.step.sel")).includes("running"), "running step shown as running");
  check(await page.$eval(".apphead button.on", (b) => b.textContent.includes("Live")), "live mode turns on for a running app");
  await page.waitForSelector("#stream-open");
  check((await stat("items")) === "streaming…" && (await stat("first")) === "250 ms", "a stream still going shows its first item and that it streams");
  appendFileSync(
    liveLog,
    JSON.stringify({ type: "end_entry", end_time: "2026-11-22T10:00:51.900000", action: "counter", result: {}, exception: null, state: { counter: 2 }, sequence_id: 1 }) +
      "\n" +
      JSON.stringify({ type: "end_stream", action_sequence_id: 1, span_id: null, end_time: "2026-11-22T10:00:51.950000Z", items_streamed: 7 }) +
      "\n" +
      JSON.stringify({ type: "begin_entry", start_time: "2026-11-22T10:00:52.000000", action: "result", inputs: {}, sequence_id: 2 }) +
      "\n",
  );
  await page.waitForSelector('tr.step.sel[data-seq="2"]', { timeout: 15000 });
  check(true, "a step appended to the log appears and is selected");
  check((await page.textContent('tr.step[data-seq="1"]')).includes("success"), "the finished step is updated");
  await page.waitForSelector("#no-stream");
  await page.click('tr.step[data-seq="1"]');
  await page.waitForSelector('tr.step.sel[data-seq="1"]');
  await page.waitForSelector("#stream-stats");
  check((await stat("items")) === "7" && (await stat("duration")) === "800 ms" && !(await page.$("#stream-open")), "the stream's end, appended live, shows in its tab");
  await page.click('button[data-tab="state"]');
  await page.screenshot({ path: join(shots, "6-live.png") });

  // ---- a fast writer: live mode turns itself on, catches up with the newest step (jumping
  // over what it cannot load) and keeps the list bounded; "go to #" and End reach any step
  {
    const appDir = join(dirname(liveLog), "..", "fast");
    mkdirSync(appDir, { recursive: true });
    copyFileSync(join(dirname(liveLog), "graph.json"), join(appDir, "graph.json"));
    copyFileSync(join(dirname(liveLog), "metadata.json"), join(appDir, "metadata.json"));
    const stepLines = (from, to) => {
      let out = "";
      for (let i = from; i < to; i++) {
        out += `{"type":"begin_entry","start_time":"2026-11-22T11:00:00.000100","action":"counter","inputs":{},"sequence_id":${i}}\n`;
        out += `{"type":"end_entry","end_time":"2026-11-22T11:00:00.000200","action":"counter","result":{},"exception":null,"state":{"counter":${i + 1}},"sequence_id":${i}}\n`;
      }
      return out;
    };
    const fastLog = join(appDir, "log.jsonl");
    writeFileSync(fastLog, stepLines(0, 1));
    await page.goto(`${base}#/project/counter/app/fast`);
    await page.waitForSelector('tr.step.sel[data-seq="0"]');
    check(!(await page.$eval(".apphead", (h) => !!h.querySelector("button.on .livedot"))), "live is off for an app whose newest step has finished");
    const TOTAL = Number(process.env.BURR_UI_LIVE_STEPS || 2000000);
    const started = Date.now();
    for (let from = 1; from < TOTAL; from += 10000) {
      appendFileSync(fastLog, stepLines(from, Math.min(TOTAL, from + 10000)));
      await page.waitForTimeout(50);
    }
    const finished = Date.now();
    console.log(`the fast writer wrote ${TOTAL} steps, ${statSync(fastLog).size} bytes, in ${finished - started} ms`);
    await page.waitForSelector(`tr.step.sel[data-seq="${TOTAL - 1}"]`, { timeout: 20000 });
    const caughtUp = Date.now() - finished;
    check(caughtUp < 10000, `the newest row is the writer's last step ${caughtUp} ms after it finished`);
    check(await page.$eval(".apphead", (h) => !!h.querySelector("button.on .livedot")), "live mode turned itself on when the log grew");
    // The rows and the header's count come from two answers: the header follows the next one.
    const counted = await page
      .waitForFunction((n) => (document.querySelector("#step-count")?.textContent || "").includes(n), TOTAL.toLocaleString("en-US"), { timeout: 10000 })
      .then(() => true, () => false);
    check(counted, `the header counts every step: ${await page.textContent("#step-count")}`);
    const firstRow = await page.$eval("tr.step", (r) => Number(r.dataset.seq));
    check(firstRow === TOTAL - 1, `the top row is the newest step (#${firstRow})`);
    const rowCount = await page.$$eval("tr.step", (r) => r.length);
    const nodes = await page.evaluate(() => document.getElementsByTagName("*").length);
    check(rowCount <= 1000 && nodes < 40000, `the list stays bounded: ${rowCount} rows, ${nodes} elements`);
    await page.screenshot({ path: join(shots, "6c-fast-writer.png") });
    await page.click(".apphead button.on");
    // A step far from the loaded ones needs the whole log indexed (the newest ones came from
    // the log's end while the index caught up in the background): this waits for that.
    await page.fill("#goto", "50000");
    await page.press("#goto", "Enter");
    await page.waitForSelector('tr.step.sel[data-seq="50000"]', { timeout: 120000 });
    check((await page.textContent("#detail-action")) === "counter", "go to # selects a step far from the loaded ones");
    check((await page.$$("tr.gap")).length >= 1, "the steps not loaded around it are drawn as a gap");
    await page.click("#steps-box", { position: { x: 5, y: 5 } }).catch(() => {});
    await page.focus(".steps");
    await page.keyboard.press("End");
    await page.waitForSelector('tr.step.sel[data-seq="0"]');
    check(true, "End selects the app's first step, loading it");
    await page.keyboard.press("Home");
    await page.waitForSelector(`tr.step.sel[data-seq="${TOTAL - 1}"]`);
    check(true, "Home selects the newest step again");
  }

  // ---- a step that runs long, written by the tracking client: its spans show while it runs
  if (longStep) {
    await page.goto(`${base}#/project/runtime/app/long-step`);
    await page.waitForSelector('tr.step.sel[data-seq="0"]');
    check((await page.textContent('tr.step[data-seq="0"]')).includes("running"), "the long step is shown running");
    await page.click('button[data-tab="spans"]');
    await page.waitForSelector('#waterfall .srow[data-span="0:0"]');
    check((await page.textContent("#waterfall")).includes("fetch"), "the running step's open span is shown while the step runs");
    await page.click('#waterfall .srow[data-span="0:0"]');
    await page.waitForSelector("#waterfall .attrs");
    check((await page.textContent("#waterfall .attrs")).includes("local://slow-model"), "and its attribute");
    writeFileSync(join(longStep, "seen"), "");
    await page.waitForSelector('#waterfall .srow[data-span="0:1"]', { timeout: 15000 });
    check((await page.textContent("#waterfall")).includes("render"), "a span the step opens later appears live");
    check((await page.textContent('tr.step[data-seq="0"]')).includes("running"), "while the step still runs");
    await page.screenshot({ path: join(shots, "6b-long-step.png") });
    writeFileSync(join(longStep, "release"), "");
    await page.waitForFunction(() => (document.querySelector('tr.step[data-seq="0"]')?.textContent || "").includes("success"), null, { timeout: 15000 });
    check(true, "the long step then ends as a success");
  }

  // ---- five children of one step are counted; state keys named like Object's properties
  await page.goto(`${base}#/project/counter/app/fanout?seq=1`);
  await page.waitForSelector('tr.step.sel[data-seq="1"]');
  check((await page.textContent('tr.step[data-seq="1"]')).includes("5 children"), "a step that spawned five apps says 5 children");
  await page.click('button[data-view="changes"]');
  await page.waitForSelector("#diff");
  const protoDiff = await page.textContent("#diff");
  check(protoDiff.includes("constructor") && protoDiff.includes("toString"), `keys named like Object's properties are diffed: ${protoDiff.slice(0, 160)}`);
  await page.click('button[data-view="after"]');
  // a fork counts its own steps and says where they start
  await page.goto(`${base}#/project/chatbot/app/chat-1-fork`);
  await page.waitForSelector("#step-count");
  const forkCount = await page.textContent("#step-count");
  // Its step 6 begins at an invalid time and is dropped: two steps of its own, two rows.
  check(forkCount === "2 steps here, #5–#7: 7 steps in all (the first 5 are its parent's)", `a fork's step count: ${forkCount}`);
  const forkRows = await page.$$eval("tr.step", (rows) => rows.map((r) => Number(r.dataset.seq)));
  check(forkRows.join() === "7,5", `the header counts the rows shown: ${forkRows}`);
  // an unknown project is not found, not empty
  await page.goto(`${base}#/project/no-such-project`);
  await page.waitForSelector("#no-project");
  check(true, "an unknown project says it is not found");

  // ---- hostile strings
  await page.goto(`${base}#/project/hostile`);
  await page.waitForSelector("tr[data-app]");
  check((await page.textContent('tr[data-app="xss-app"]')).includes(HOSTILE), "hostile partition key shown as text");
  await page.click('tr[data-app="xss-app"] a');
  await page.waitForSelector("tr.step");
  check((await page.textContent("#state")).includes(HOSTILE), "hostile state string shown as text");
  check((await page.textContent("#exception")).includes(HOSTILE), "hostile exception shown as text");
  await page.click('button[data-tab="spans"]');
  await page.click('#waterfall .srow[data-span="0:0"]');
  await page.waitForSelector("#waterfall .attrs");
  check((await page.textContent("#waterfall")).includes(HOSTILE), "hostile span name and attribute shown as text");
  await page.click('button[data-tab="inputs"]');
  check((await page.textContent("#pane-inputs")).includes(HOSTILE), "hostile input shown as text");
  await page.waitForTimeout(300);
  check((await page.evaluate(() => window.__pwned)) === undefined, "no injected script ran");
  check((await page.$$("main img")).length === 0, "no injected element was created");
  await page.screenshot({ path: join(shots, "7-hostile.png") });
  await page.click('button[data-tab="code"]');
  await page.waitForSelector("#code");
  check((await page.textContent("#code")).includes(HOSTILE) && (await page.$$("main img")).length === 0, "hostile action code is shown as text");
  await page.click('button[data-tab="stream"]');
  await page.waitForSelector("#no-stream");
  check(!(await page.$('button[data-tab="stream"] .count')), "a step that did not stream says so, and its Stream tab has no count");

  // an app written by Apache Burr: its action's code is highlighted as Python
  await page.goto(`${base}#/project/python/app/py-counter?seq=0&tab=code`);
  await page.waitForSelector("#code");
  check((await page.getAttribute("#code", "data-lang")) === "python" && (await page.textContent("#code-lang")) === "Python", "Python action code is highlighted as Python");
  const pyCode = await page.$eval("#code", (pre) => ({ text: pre.textContent, kinds: [...pre.querySelectorAll("[class^=tok-]")].map((x) => `${x.className}:${x.textContent}`) }));
  check(pyCode.text.startsWith('@action(reads=["count"]') && pyCode.text.includes(HOSTILE), "the Python code's text is kept whole");
  check(["tok-attr:@action", "tok-kw:def", "tok-fn:counter", "tok-bi:int", "tok-num:1", "tok-com:# one more", "tok-kw:return"].every((k) => pyCode.kinds.includes(k)), `Python tokens in the page: ${pyCode.kinds.join(" ")}`);
  check(pyCode.kinds.some((k) => k.startsWith("tok-str:") && k.includes(HOSTILE)), "the hostile string is a string token, as text");
  check((await page.evaluate(() => window.__pwned)) === undefined && (await page.$$("main img")).length === 0, "no injected script or element from action code");
  // its stream was written east of UTC: the stream's UTC times are put on the step's clock
  await page.click('button[data-tab="stream"]');
  await page.waitForSelector("#stream-stats");
  const eastStats = { first: await stat("first"), fromStep: await stat("first-from-step"), duration: await stat("duration") };
  check(eastStats.first === "150 ms" && eastStats.fromStep === "170 ms" && eastStats.duration === "170 ms", `a stream stamped in UTC beside a step in local time: ${JSON.stringify(eastStats)}`);
  check((await page.textContent('#stream-events tr[data-event="end_stream"]')).includes("190 ms after the step began"), "its end, on the step's clock");

  // ---- what the runtime logged: retried attempts, a routed error, suspensions
  await page.goto(`${base}#/project/runtime/app/retried`);
  await page.waitForSelector('tr.step.sel[data-seq="0"]');
  const retriedRow = await page.textContent('tr.step[data-seq="0"]');
  check(retriedRow.includes("3 attempts") && retriedRow.includes("success"), `retried step's row shows its attempts: ${retriedRow}`);
  await page.waitForSelector("#attempts");
  const attempts = await page.$$eval("#attempts li", (li) => li.map((x) => x.textContent));
  check(attempts.length === 3, `three attempts listed: ${attempts.length}`);
  check(attempts[0].includes("attempt 1 of 3 failed") && attempts[0].includes("retried at once") && attempts[0].includes("action `ask` failed: 429 too many requests"), `first failed attempt with its error and delay: ${attempts[0]}`);
  check(attempts[1].includes("attempt 2 of 3 failed") && attempts[1].includes(HOSTILE), "second failed attempt's hostile error shown as text");
  check(attempts[2].includes("attempt 3 of 3 succeeded"), `the attempt that succeeded: ${attempts[2]}`);
  await page.click('button[data-tab="spans"]');
  await page.waitForSelector("#waterfall");
  const allAttrs = await page.textContent("#pane-spans");
  check(["burr.retry", "burr.attempts", "model", "canned-model-2"].every((t) => allAttrs.includes(t)), "the attribute list still shows every attribute");
  await page.screenshot({ path: join(shots, "11-retried.png") });
  await page.click('button[data-tab="state"]');

  await page.goto(`${base}#/project/runtime/app/routed`);
  await page.waitForSelector('tr.step.sel[data-seq="1"]');
  check((await page.textContent('tr.step[data-seq="0"]')).includes("→ fallback"), "a failure routed on shows where the run went");
  await page.click('tr.step[data-seq="0"]');
  await page.waitForSelector("#routed");
  check((await page.textContent("#exception")).includes("the model is down"), "routed failure keeps its exception");
  await page.click("#routed a");
  await page.waitForSelector('tr.step.sel[data-seq="1"]');
  check((await page.textContent("#detail-action")) === "fallback", "the routed note leads to the fallback step");

  await page.goto(`${base}#/project/runtime/app/suspended`);
  await page.waitForSelector('tr.step.sel[data-seq="0"]');
  const suspRow = await page.textContent('tr.step[data-seq="0"]');
  check(suspRow.includes("waiting on approval"), `suspended step's row shows its channel: ${suspRow}`);
  check((await page.textContent('tr.step[data-seq="0"] td.st')) === "suspended", "suspended step's status");
  check((await page.textContent(".apphead h1")).includes("suspended"), "app header shows the app waits");
  await page.waitForSelector("#suspension");
  check((await page.textContent("#suspension")).includes("suspended · waiting on approval"), "detail shows the suspension's badge");
  const payload = await page.textContent("#suspension-payload");
  check(payload.includes("draft") && payload.includes('"hi"'), `suspension payload shown: ${payload}`);
  await page.screenshot({ path: join(shots, "12-suspended.png") });

  await page.goto(`${base}#/project/runtime/app/resumed?seq=0`);
  await page.waitForSelector('tr.step.sel[data-seq="0"]');
  check((await page.textContent('tr.step[data-seq="0"]')).includes("resumed on approval"), "a resumed suspension says so in the list");
  check((await page.textContent("#suspension")).includes("suspended · resumed on approval"), "and in the detail");
  check((await page.textContent('tr.step[data-seq="1"] td.st')) === "success", "the resuming step succeeded");
  check((await page.textContent("#suspension")).includes("resumed by #1 approve"), "detail links the resuming step");
  check((await page.evaluate(() => window.__pwned)) === undefined && (await page.$$("main img")).length === 0, "no injected script or element from runtime attributes");

  // ---- the raw state; light and dark, at 1400 and 800 px wide
  await page.goto(`${base}#/project/chatbot/app/chat-1?seq=8`);
  await page.waitForSelector('tr.step.sel[data-seq="8"]');
  await page.click('button[data-view="raw"]');
  const raw = JSON.parse(await page.textContent("#state-raw"));
  check(Array.isArray(raw.chat_history), "the raw view shows the state as JSON");
  check(!!(await page.$("#copy-state")), "the state has a copy button");
  await page.click('button[data-view="after"]');
  const luminance = () => page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });
  for (const theme of ["light", "dark"]) {
    for (let i = 0; i < 3 && (await page.textContent("#theme")) !== `theme: ${theme}`; i++) await page.click("#theme");
    const lum = await luminance();
    check(theme === "dark" ? lum < 60 : lum > 200, `the ${theme} theme is ${theme} (background luminance ${lum.toFixed(0)})`);
    for (const width of [1400, 800]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}#/project/chatbot/app/chat-1?seq=8`);
      await page.waitForSelector('tr.step.sel[data-seq="8"]');
      await page.screenshot({ path: join(shots, `13-app-${theme}-${width}.png`) });
      if (width === 800) {
        const detail = await page.$eval(".detail", (d) => { const r = d.getBoundingClientRect(); return r.width; });
        check(detail >= 700, `at 800 px the step's details keep the width (${detail.toFixed(0)} px)`);
        // One column: the selected step's detail right below the steps, the graph after it.
        const tops = await page.evaluate(() => Object.fromEntries([".steps", ".detail", ".graphbox"].map((s) => {
          const r = document.querySelector(s).getBoundingClientRect();
          return [s, { top: r.top, bottom: r.bottom }];
        })));
        check(
          Math.abs(tops[".detail"].top - tops[".steps"].bottom) < 40 && tops[".graphbox"].top >= tops[".detail"].bottom - 1,
          `at 800 px the step's detail follows the steps and the graph comes after it (${JSON.stringify(tops)})`,
        );
      }
      // highlighted code: every token class readable on the code's background, and told apart
      for (const app of ["python/app/py-counter?seq=0", "chatbot/app/chat-1?seq=8"]) {
        await page.goto(`${base}#/project/${app}&tab=code`);
        await page.waitForSelector("#code");
        const colours = await page.$eval("#code", (pre) => {
          const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          let el = pre;
          while (el && getComputedStyle(el).backgroundColor.match(/[\d.]+/g).length === 4 && Number(getComputedStyle(el).backgroundColor.match(/[\d.]+/g)[3]) === 0) el = el.parentElement;
          const bg = lum(rgb(getComputedStyle(el || document.body).backgroundColor));
          const out = {};
          for (const span of pre.querySelectorAll("[class^=tok-]")) {
            const c = getComputedStyle(span).color;
            const l = lum(rgb(c));
            out[span.className] = { colour: c, contrast: (Math.max(l, bg) + 0.05) / (Math.min(l, bg) + 0.05) };
          }
          return out;
        });
        const low = Object.entries(colours).filter(([, v]) => v.contrast < 4.5).map(([k, v]) => `${k} ${v.contrast.toFixed(2)}`);
        check(Object.keys(colours).length >= 3 && low.length === 0, `${theme} theme, ${app.split("/")[0]} code: token colours readable (${low.join(", ") || "all ≥ 4.5:1"})`);
        check(new Set(Object.values(colours).map((v) => v.colour)).size === Object.keys(colours).length, `${theme} theme: each token class has its own colour`);
        await page.screenshot({ path: join(shots, `14-code-${app.split("/")[0]}-${theme}-${width}.png`) });
      }
      await page.goto(`${base}#/project/chatbot`);
      await page.waitForSelector("tr[data-app]");
      const cut = await page.$eval(".card", (c) => c.scrollWidth > c.clientWidth + 1 && getComputedStyle(c).overflowX !== "auto");
      check(!cut, `at ${width} px the app list is not cut off`);
      await page.screenshot({ path: join(shots, `13-apps-${theme}-${width}.png`) });
    }
  }
  for (let i = 0; i < 3 && (await page.textContent("#theme")) !== "theme: auto"; i++) await page.click("#theme");
  await page.setViewportSize({ width: 1440, height: 900 });

  // ---- back to projects through the breadcrumb
  await page.click('#crumbs a[href="#/"]');
  await page.waitForSelector("tr[data-project]");
  check(true, "breadcrumb leads back to the projects");

  // ---- an empty folder offers demo projects made by burr-rs applications
  if (emptyBase) {
    // Mounted under a prefix: the bare prefix redirects to the page, whose requests stay under it.
    await page.goto(emptyBase);
    check(page.url().startsWith(emptyBase + "/"), `the mounted UI is served under its prefix (${page.url()})`);
    await page.waitForSelector("#add-demo");
    await page.screenshot({ path: join(shots, "8-empty.png") });
    await page.click("#add-demo");
    await page.waitForSelector('tr[data-project="demo_chatbot"]', { timeout: 20000 });
    check(!!(await page.$('tr[data-project="demo_counter"]')), "demo projects added");
    await page.click('tr[data-project="demo_chatbot"] a');
    await page.waitForSelector('tr[data-app="chat-1-fork"]');
    await page.screenshot({ path: join(shots, "9-demo-apps.png") });
    await page.click('tr[data-app="chat-1-draw-and-ask"] a');
    await page.waitForSelector("tr.step");
    await page.click('tr.step[data-seq="8"]');
    await page.click('button[data-tab="spans"]');
    await page.click('#waterfall .srow[data-span="8:1"]');
    await page.waitForSelector("#waterfall .attrs");
    const wf = await page.textContent("#waterfall");
    check(wf.includes("call_model") && wf.includes("http_request") && wf.includes("canned-chat-1"), "demo chatbot spans and attributes shown");
    await page.screenshot({ path: join(shots, "10-demo-spans.png") });
  }

  check(external.length === 0, `no external requests ${external.join(", ")}`);
  check(errors.length === 0, `no page errors ${[...new Set(errors)].slice(0, 5).join(" | ").slice(0, 2000)}`);
} catch (e) {
  await stopped(e, page, join(shots, "failure.png"));
} finally {
  await browser.close();
}

report("walkthrough passed");
