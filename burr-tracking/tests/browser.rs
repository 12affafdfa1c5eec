//! Drives the web UI in headless Chromium (playwright-core, `tests/browser/ui.mjs`) against a
//! real server on a loopback port and a tracking folder written here.
//!
//! Needs `node`, `/usr/bin/chromium` and `npm install` in `tests/browser` (`.ci/setup` does
//! all three). Without them the test says why and passes, unless `BURR_REQUIRE_SERVICES=1`.
//!
//! The walkthrough's live check writes an app of `BURR_UI_LIVE_STEPS` steps (2,000,000 unless
//! set: about 550 MB of log) while the page is open, and checks the contract: the
//! newest row is the writer's last step within 10 s of the writer finishing, and the page's
//! DOM stays bounded.
#![cfg(feature = "server")]

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use burr_core::policy::RetryPolicy;
use burr_core::{
    ActionError, ApplicationBuilder, FnAction, Halted, ResultAction, State, halt_after,
};
use burr_tracking::LocalTrackingClient;
use burr_tracking::layout::{GRAPH_FILE, LOG_FILE, METADATA_FILE};
use burr_tracking::server::{self, Store};
use serde_json::{Value, json};
use support::{roots, skip};

/// The test, as a skip names it.
const WHAT: &str = "the browser test";

const CHROMIUM: &str = "/usr/bin/chromium";
const HOSTILE: &str = "<img src=x onerror=window.__pwned=1>";

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("browser")
}

// ------------------------------------------------------------------------------------ fixtures

struct Log(Vec<String>);

impl Log {
    fn line(&mut self, value: Value) {
        self.0.push(value.to_string());
    }
    fn step(&mut self, seq: u64, action: &str, second: u64, state: Value, inputs: Value) {
        self.begin(seq, action, second, inputs);
        self.end(seq, action, second, state, None);
    }
    fn begin(&mut self, seq: u64, action: &str, second: u64, inputs: Value) {
        self.line(json!({"type": "begin_entry", "start_time": format!("2026-11-22T10:00:{second:02}.100000"), "action": action, "inputs": inputs, "sequence_id": seq}));
    }
    fn end(&mut self, seq: u64, action: &str, second: u64, state: Value, exception: Option<&str>) {
        let result = if exception.is_some() {
            Value::Null
        } else {
            json!({"ok": true})
        };
        self.line(json!({"type": "end_entry", "end_time": format!("2026-11-22T10:00:{second:02}.{:06}", 300_000 + seq * 20_000), "action": action, "result": result, "exception": exception, "state": state, "sequence_id": seq}));
    }
    fn span(
        &mut self,
        seq: u64,
        id: &str,
        name: &str,
        parent: Option<&str>,
        (second, from_ms, to_ms): (u64, u64, u64),
    ) {
        self.line(json!({"type": "begin_span", "start_time": format!("2026-11-22T10:00:{second:02}.{:06}", 100_000 + from_ms * 1000), "action_sequence_id": seq, "span_id": id, "span_name": name, "parent_span_id": parent, "span_dependencies": []}));
        self.line(json!({"type": "end_span", "end_time": format!("2026-11-22T10:00:{second:02}.{:06}", 100_000 + to_ms * 1000), "action_sequence_id": seq, "span_id": id}));
    }
    fn attribute(&mut self, seq: u64, span: Option<&str>, key: &str, value: Value) {
        self.line(json!({"type": "attribute", "key": key, "action_sequence_id": seq, "span_id": span, "value": value, "tags": {}, "time_logged": "2026-11-22T10:00:05.150000Z"}));
    }
}

fn graph(entry: &str, actions: &[(&str, &[&str])], transitions: &[(&str, &str, &str)]) -> String {
    let actions: Vec<Value> = actions
        .iter()
        .map(|(name, inputs)| json!({"type": "action", "name": name, "reads": ["chat_history"], "writes": ["chat_history"], "code": format!("fn {name}(state: State) -> State {{\n    state\n}}"), "inputs": inputs, "optional_inputs": []}))
        .collect();
    let transitions: Vec<Value> = transitions
        .iter()
        .map(|(from, to, cond)| json!({"type": "transition", "from_": from, "to": to, "condition": cond}))
        .collect();
    json!({"type": "application", "entrypoint": entry, "actions": actions, "transitions": transitions}).to_string()
}

/// Writes one application: its graph, metadata and log.
fn write_app(
    root: &Path,
    project: &str,
    app: &str,
    graph_json: &str,
    metadata: Value,
    log: &Log,
) -> PathBuf {
    let mut text = log.0.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    roots::write_app(
        root,
        project,
        app,
        &[
            (GRAPH_FILE, graph_json.as_bytes()),
            (METADATA_FILE, metadata.to_string().as_bytes()),
            (LOG_FILE, text.as_bytes()),
        ],
    )
}

fn metadata(pk: Option<&str>, parent: Option<(&str, u64)>, spawner: Option<(&str, u64)>) -> Value {
    let ptr = |p: Option<(&str, u64)>| {
        p.map(|(app, seq)| json!({"type": "pointer_data", "app_id": app, "sequence_id": seq, "partition_key": pk}))
    };
    json!({"type": "application_metadata", "partition_key": pk, "parent_pointer": ptr(parent), "spawning_parent_pointer": ptr(spawner)})
}

/// Writes the folder the browser walks through; returns the log the script appends to.
fn build_fixture(root: &Path) -> PathBuf {
    let chat_graph = graph(
        "prompt",
        &[
            ("prompt", &["user_input"]),
            ("check_safety", &[]),
            ("decide_mode", &[]),
            ("answer_question", &[]),
            ("generate_image", &[]),
            ("response", &[]),
        ],
        &[
            ("prompt", "check_safety", "default"),
            ("check_safety", "decide_mode", "safe"),
            ("check_safety", "response", "default"),
            ("decide_mode", "generate_image", "mode=generate_image"),
            ("decide_mode", "answer_question", "default"),
            ("generate_image", "response", "default"),
            ("answer_question", "response", "default"),
            ("response", "prompt", "default"),
        ],
    );
    // A chatbot with spans, attributes, a stream and a failure.
    let mut log = Log(Vec::new());
    let mut history = vec![];
    let mut seq = 0;
    for (turn, question) in ["Please draw a giraffe.", "What is the capital of France?"]
        .iter()
        .enumerate()
    {
        let base = turn as u64 * 5;
        history.push(json!({"role": "user", "content": question}));
        log.step(seq, "prompt", base, json!({"chat_history": history, "prompt": question, "__SEQUENCE_ID": seq, "__PRIOR_STEP": "prompt"}), json!({"user_input": question}));
        seq += 1;
        log.step(seq, "check_safety", base + 1, json!({"chat_history": history, "prompt": question, "safe": true, "__SEQUENCE_ID": seq, "__PRIOR_STEP": "check_safety"}), json!({}));
        seq += 1;
        let mode = if turn == 0 {
            "generate_image"
        } else {
            "answer_question"
        };
        log.step(seq, "decide_mode", base + 2, json!({"chat_history": history, "prompt": question, "safe": true, "mode": mode, "__SEQUENCE_ID": seq, "__PRIOR_STEP": "decide_mode"}), json!({}));
        seq += 1;
        log.begin(seq, mode, base + 3, json!({}));
        log.attribute(seq, None, "model", json!("canned-model-1"));
        log.span(
            seq,
            &format!("{seq}:0"),
            "create_client",
            None,
            (base + 3, 0, 40),
        );
        log.span(
            seq,
            &format!("{seq}:1"),
            "query_model",
            None,
            (base + 3, 45, 160),
        );
        log.span(
            seq,
            &format!("{seq}:1.0"),
            "build_prompt",
            Some(&format!("{seq}:1")),
            (base + 3, 50, 70),
        );
        log.attribute(seq, Some(&format!("{seq}:1.0")), "prompt_tokens", json!(42));
        // The LLM call, in the GenAI names (and Burr's Insights names).
        for (key, value) in [
            ("gen_ai.operation.name", json!("chat")),
            ("gen_ai.response.model", json!("canned-1")),
            ("gen_ai.usage.input_tokens", json!(40)),
            ("gen_ai.usage.prompt_tokens", json!(40)),
            ("gen_ai.usage.output_tokens", json!(12)),
            ("gen_ai.usage.completion_tokens", json!(12)),
            ("gen_ai.usage.cost", json!(0.0005)),
        ] {
            log.attribute(seq, Some(&format!("{seq}:1")), key, value);
        }
        log.span(
            seq,
            &format!("{seq}:1.1"),
            "http_call",
            Some(&format!("{seq}:1")),
            (base + 3, 72, 150),
        );
        log.attribute(
            seq,
            Some(&format!("{seq}:1.1")),
            "url",
            json!("local://canned"),
        );
        log.span(
            seq,
            &format!("{seq}:2"),
            "process_response",
            None,
            (base + 3, 162, 190),
        );
        if turn == 1 {
            log.line(json!({"type": "begin_stream", "action_sequence_id": seq, "span_id": null, "stream_init_time": "2026-11-22T10:00:08.100000Z"}));
            log.line(json!({"type": "first_item_stream", "action_sequence_id": seq, "span_id": null, "first_item_time": "2026-11-22T10:00:08.145000Z"}));
        }
        let answer = if turn == 0 {
            "An image of a giraffe."
        } else {
            "Paris."
        };
        let mut after = history.clone();
        after.push(json!({"role": "assistant", "content": answer}));
        log.end(seq, mode, base + 3, json!({"chat_history": after, "prompt": question, "safe": true, "mode": mode, "response": {"content": answer, "type": "text"}, "__SEQUENCE_ID": seq, "__PRIOR_STEP": mode}), None);
        if turn == 1 {
            log.line(json!({"type": "end_stream", "action_sequence_id": seq, "span_id": null, "end_time": "2026-11-22T10:00:08.400000Z", "items_streamed": 12}));
        }
        seq += 1;
        history = after;
        log.step(
            seq,
            "response",
            base + 4,
            json!({"chat_history": history, "__SEQUENCE_ID": seq, "__PRIOR_STEP": "response"}),
            json!({}),
        );
        seq += 1;
    }
    log.begin(seq, "prompt", 20, json!({"user_input": "break please"}));
    log.end(seq, "prompt", 20, json!({"chat_history": history, "__SEQUENCE_ID": seq, "__PRIOR_STEP": "response"}), Some("Traceback (most recent call last):\n  File \"chat.rs\", line 3, in prompt\nRuntimeError: the canned model refused\n"));
    let main = write_app(
        root,
        "chatbot",
        "chat-1",
        &chat_graph,
        metadata(Some("user-1"), None, None),
        &log,
    );
    fs::write(
        main.join("children.jsonl"),
        [
            json!({"type": "child_application_data", "child": {"type": "pointer_data", "app_id": "chat-1-fork", "sequence_id": null, "partition_key": "user-1"}, "event_time": "2026-11-22T10:01:00", "event_type": "fork", "sequence_id": 4}),
            json!({"type": "child_application_data", "child": {"type": "pointer_data", "app_id": "chat-1-child", "sequence_id": null, "partition_key": null}, "event_time": "2026-11-22T10:01:01", "event_type": "spawn_start", "sequence_id": 3}),
        ]
        .map(|v| v.to_string() + "\n")
        .concat(),
    )
    .unwrap();
    let mut fork = Log(Vec::new());
    fork.step(
        5,
        "prompt",
        30,
        json!({"chat_history": [], "__SEQUENCE_ID": 5, "__PRIOR_STEP": "prompt"}),
        json!({}),
    );
    // Step 6 begins at an invalid time (second 60): the reader drops it, and every count
    // leaves it out (the header's too).
    fork.begin(6, "prompt", 60, json!({}));
    fork.end(
        6,
        "prompt",
        31,
        json!({"chat_history": [], "__SEQUENCE_ID": 6, "__PRIOR_STEP": "prompt"}),
        None,
    );
    fork.step(
        7,
        "prompt",
        32,
        json!({"chat_history": [], "__SEQUENCE_ID": 7, "__PRIOR_STEP": "prompt"}),
        json!({}),
    );
    write_app(
        root,
        "chatbot",
        "chat-1-fork",
        &chat_graph,
        metadata(Some("user-1"), Some(("chat-1", 4)), None),
        &fork,
    );
    let mut child = Log(Vec::new());
    child.step(
        0,
        "prompt",
        31,
        json!({"chat_history": [], "__SEQUENCE_ID": 0, "__PRIOR_STEP": "prompt"}),
        json!({}),
    );
    write_app(
        root,
        "chatbot",
        "chat-1-child",
        &chat_graph,
        metadata(None, None, Some(("chat-1", 3))),
        &child,
    );

    // A counter, and a running app the script appends to.
    let counter_graph = graph(
        "counter",
        &[("counter", &[]), ("result", &[])],
        &[
            ("counter", "counter", "counter < 5"),
            ("counter", "result", "default"),
        ],
    );
    let mut counter = Log(Vec::new());
    for i in 0..5 {
        counter.step(
            i,
            "counter",
            40 + i,
            json!({"counter": i + 1, "__SEQUENCE_ID": i, "__PRIOR_STEP": "counter"}),
            json!({}),
        );
    }
    counter.step(
        5,
        "result",
        46,
        json!({"counter": 5, "__SEQUENCE_ID": 5, "__PRIOR_STEP": "result"}),
        json!({}),
    );
    write_app(
        root,
        "counter",
        "count-to-5",
        &counter_graph,
        metadata(None, None, None),
        &counter,
    );
    let mut live = Log(Vec::new());
    live.step(0, "counter", 50, json!({"counter": 1}), json!({}));
    live.begin(1, "counter", 51, json!({}));
    // Step 1 streams: it began and sent its first item; the script appends its end.
    live.line(json!({"type": "begin_stream", "action_sequence_id": 1, "span_id": null, "stream_init_time": "2026-11-22T10:00:51.150000Z"}));
    live.line(json!({"type": "first_item_stream", "action_sequence_id": 1, "span_id": null, "first_item_time": "2026-11-22T10:00:51.400000Z"}));
    let live_dir = write_app(
        root,
        "counter",
        "live",
        &counter_graph,
        metadata(None, None, None),
        &live,
    );

    // A parallel step that spawned five children, with state keys that are names of
    // Object.prototype's properties.
    let mut fanout = Log(Vec::new());
    fanout.step(0, "counter", 56, json!({"counter": 0}), json!({}));
    fanout.step(
        1,
        "counter",
        57,
        json!({"counter": 1, "constructor": "c", "__proto__": {"x": 1}, "toString": 2}),
        json!({}),
    );
    let fanout_dir = write_app(
        root,
        "counter",
        "fanout",
        &counter_graph,
        metadata(None, None, None),
        &fanout,
    );
    let children: String = (0..5)
        .map(|i| {
            format!(
                "{}\n",
                json!({"type": "child_application_data", "child": {"type": "pointer_data", "app_id": format!("fanout-child-{i}"), "sequence_id": null, "partition_key": null}, "event_time": "2026-11-22T10:01:01.000000", "event_type": "spawn_start", "sequence_id": 1})
            )
        })
        .collect();
    fs::write(fanout_dir.join("children.jsonl"), children).unwrap();

    // Hostile strings everywhere a log can put them.
    let hostile_graph = graph(
        HOSTILE,
        &[(HOSTILE, &[HOSTILE])],
        &[(HOSTILE, HOSTILE, HOSTILE)],
    );
    let mut bad = Log(Vec::new());
    bad.begin(0, HOSTILE, 55, json!({HOSTILE: HOSTILE}));
    bad.span(0, "0:0", HOSTILE, None, (55, 0, 10));
    bad.attribute(0, Some("0:0"), HOSTILE, json!(HOSTILE));
    bad.end(
        0,
        HOSTILE,
        55,
        json!({"note": HOSTILE, HOSTILE: [HOSTILE]}),
        Some(HOSTILE),
    );
    write_app(
        root,
        "hostile",
        "xss-app",
        &hostile_graph,
        metadata(Some(HOSTILE), None, None),
        &bad,
    );
    // An app written by Apache Burr: its actions' code is Python (a hostile string in it).
    let python_graph = json!({"type": "application", "entrypoint": "counter", "actions": [
        {"type": "action", "name": "counter", "reads": ["count"], "writes": ["count"],
         "code": format!("@action(reads=[\"count\"], writes=[\"count\"])\ndef counter(state: State, step: int = 1) -> State:\n    \"\"\"Adds `step`; says '{HOSTILE}'.\"\"\"\n    # one more\n    return state.update(count=state[\"count\"] + step)\n"),
         "inputs": [], "optional_inputs": ["step"]},
    ], "transitions": [{"type": "transition", "from_": "counter", "to": "counter", "condition": "default"}]});
    let mut python = Log(Vec::new());
    python.step(0, "counter", 58, json!({"count": 1}), json!({}));
    // Its step streamed, written two hours east of UTC: the step's times are local and naive,
    // the stream's are UTC.
    python.line(json!({"type": "begin_stream", "action_sequence_id": 0, "span_id": null, "stream_init_time": "2026-11-22T08:00:58.120000Z"}));
    python.line(json!({"type": "first_item_stream", "action_sequence_id": 0, "span_id": null, "first_item_time": "2026-11-22T08:00:58.270000Z"}));
    python.line(json!({"type": "end_stream", "action_sequence_id": 0, "span_id": null, "end_time": "2026-11-22T08:00:58.290000Z", "items_streamed": 3}));
    write_app(
        root,
        "python",
        "py-counter",
        &python_graph.to_string(),
        metadata(None, None, None),
        &python,
    );
    build_runtime_apps(root);
    live_dir.join("log.jsonl")
}

/// Applications of project `runtime`, run by burr-core and tracked to `root`: a step that
/// succeeds on its third attempt (its errors carry a hostile string), a failure routed to a
/// fallback, a step suspended on `approval`, and one suspended and then resumed.
fn build_runtime_apps(root: &Path) {
    let tracker = || {
        LocalTrackingClient::new("runtime")
            .unwrap()
            .with_storage_dir(root)
    };
    let calls = Arc::new(AtomicU32::new(0));
    let flaky = FnAction::new(Vec::<String>::new(), ["answer"], move |state, _, ctx| {
        ctx.tracer().log_attribute("model", "canned-model-2");
        if calls.fetch_add(1, Ordering::SeqCst) < 2 {
            return Err(ActionError::msg(format!("429 too many requests {HOSTILE}")));
        }
        Ok(state.update("answer", 42))
    });
    let mut retried = ApplicationBuilder::new()
        .with_action("ask", flaky)
        .with_retry("ask", RetryPolicy::new(3).initial_delay(Duration::ZERO))
        .with_app_id("retried")
        .with_entrypoint("ask")
        .with_tracker(tracker())
        .build()
        .unwrap();
    retried.step().unwrap();

    let failing = FnAction::new(Vec::<String>::new(), ["answer"], |_, _, _| {
        Err::<State, _>(ActionError::msg("the model is down"))
    });
    let mut routed = ApplicationBuilder::new()
        .with_action("ask", failing)
        .with_action("fallback", ResultAction::new(["error"]))
        .with_error_transition("ask", "fallback", "error")
        .with_app_id("routed")
        .with_entrypoint("ask")
        .with_tracker(tracker())
        .build()
        .unwrap();
    routed.run(halt_after(["fallback"]), ()).unwrap();

    for (app_id, resume) in [("suspended", false), ("resumed", true)] {
        let approve = FnAction::new(Vec::<String>::new(), ["approved"], |state, _, ctx| {
            let approved: bool = ctx.suspend("approval", json!({"draft": "hi"}))?;
            Ok::<_, ActionError>(state.update("approved", approved))
        });
        let mut app = ApplicationBuilder::new()
            .with_action("approve", approve)
            .with_app_id(app_id)
            .with_entrypoint("approve")
            .with_tracker(tracker())
            .build()
            .unwrap();
        let out = app.run(halt_after(["approve"]), ()).unwrap();
        assert_eq!(out.halted, Halted::Suspended);
        if resume {
            app.resume("approval", true, halt_after(["approve"]), ())
                .unwrap();
        }
    }
}

/// Waits (polling) until `path` exists; `false` after two minutes.
fn wait_for_file(path: &Path) -> bool {
    let since = Instant::now();
    while !path.exists() {
        if since.elapsed() > Duration::from_secs(120) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Runs, on its own thread, application `runtime/long-step`, tracked to `root` by the local
/// tracking client while the browser looks at it: its one step opens span `fetch` with an
/// attribute, blocks until the script has seen it (`<signals>/seen`), opens `render`, and
/// blocks until the script releases it (`<signals>/release`). The client writes a step's
/// lines at its end, or within 50 ms for a step that lasts: these spans reach the UI while
/// the step runs only through the latter.
fn start_long_step(root: &Path, signals: &Path) -> std::thread::JoinHandle<()> {
    let tracker = LocalTrackingClient::new("runtime")
        .unwrap()
        .with_storage_dir(root);
    let signals = signals.to_path_buf();
    let long = FnAction::new(Vec::<String>::new(), ["rendered"], move |state, _, ctx| {
        let fetch = ctx.tracer().span("fetch");
        fetch.log_attribute("url", "local://slow-model");
        if !wait_for_file(&signals.join("seen")) {
            return Err(ActionError::msg("the browser never saw the first span"));
        }
        drop(fetch);
        let render = ctx.tracer().span("render");
        render.log_attribute("pages", 3);
        if !wait_for_file(&signals.join("release")) {
            return Err(ActionError::msg("the browser never released the step"));
        }
        drop(render);
        Ok(state.update("rendered", true))
    });
    let mut app = ApplicationBuilder::new()
        .with_action("render_report", long)
        .with_app_id("long-step")
        .with_entrypoint("render_report")
        .with_tracker(tracker)
        .build()
        .unwrap();
    std::thread::spawn(move || {
        app.step().unwrap();
    })
}

// ----------------------------------------------------------------------------------------- test

/// What the browser tests need and this machine lacks (they run `.ci/setup`'s installs).
fn browser_missing(dir: &Path) -> Option<&'static str> {
    if Command::new("node").arg("--version").output().is_err() {
        return Some("`node` is not installed");
    }
    if !Path::new(CHROMIUM).exists() {
        return Some("Debian's chromium is not installed (`apt-get install -y chromium`)");
    }
    if !dir.join("node_modules").join("playwright-core").exists() {
        return Some(
            "playwright-core is not installed (`npm install` in burr-tracking/tests/browser)",
        );
    }
    None
}

/// Runs the browser script `script` with `envs` (and the screenshots folder and the browser),
/// prints what it said, and returns whether it passed, with its standard output.
fn run_script(dir: &Path, script: &str, envs: &[(&str, &std::ffi::OsStr)]) -> (bool, String) {
    let screenshots = dir.join("screenshots");
    fs::create_dir_all(&screenshots).unwrap();
    let output = Command::new("node")
        .arg(dir.join(script))
        .envs(envs.iter().copied())
        .env("BURR_SCREENSHOTS", &screenshots)
        .env("CHROMIUM", CHROMIUM)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    (output.status.success(), stdout)
}

/// Serves `app` on a free loopback port from `runtime`; its address.
fn serve(runtime: &tokio::runtime::Runtime, app: axum::Router) -> std::net::SocketAddr {
    let listener = runtime
        .block_on(server::bind("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}

#[test]
fn ui_walkthrough_in_chromium() {
    let dir = browser_dir();
    if let Some(why) = browser_missing(&dir) {
        return skip(WHAT, why).unwrap_or(());
    }
    let data = tempfile::tempdir().unwrap();
    let live_log = build_fixture(data.path());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = serve(&runtime, server::router(Store::new(data.path())));
    // A second server on an empty folder, where the UI offers the demo projects: mounted under
    // `/burr` in a service of its own, as a user embeds it.
    let empty = tempfile::tempdir().unwrap();
    let empty_store = Store::new(empty.path());
    let service = axum::Router::new()
        .route(
            "/",
            axum::routing::get(|| async { "the service's own page" }),
        )
        .merge(server::mount(
            "/burr",
            empty_store,
            &server::ServeOptions::default(),
        ));
    let empty_addr = serve(&runtime, service);

    let signals = tempfile::tempdir().unwrap();
    let long_step = start_long_step(data.path(), signals.path());

    let url = format!("http://{addr}/");
    let empty_url = format!("http://{empty_addr}/burr");
    let (passed, stdout) = run_script(
        &dir,
        "ui.mjs",
        &[
            ("BURR_URL", url.as_ref()),
            ("BURR_EMPTY_URL", empty_url.as_ref()),
            ("BURR_LIVE_LOG", live_log.as_os_str()),
            ("BURR_LONG_STEP", signals.path().as_os_str()),
        ],
    );
    // Whatever the script did, let the long step end.
    for signal in ["seen", "release"] {
        fs::write(signals.path().join(signal), "").unwrap();
    }
    long_step.join().unwrap();
    assert!(
        passed,
        "the browser walkthrough failed (see its output above)"
    );
    assert!(stdout.contains("walkthrough passed"), "{stdout}");
}

/// Writes, under `root`, one app per graph whose picture the graph check looks at: every tracked
/// example's (`tests/fixtures/example_graphs`, the `graph.json` each example writes), the demo
/// projects', the walkthrough's own and, with Python Burr installed, Apache Burr's demo apps'.
/// Returns `project/app` of one app per distinct graph.
fn build_graph_fixture(root: &Path) -> Vec<String> {
    let examples = roots::fixtures().join("example_graphs");
    let mut names: Vec<PathBuf> = fs::read_dir(&examples)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "the example graphs are missing");
    for path in names {
        let graph_json = fs::read_to_string(&path).unwrap();
        let graph: Value = serde_json::from_str(&graph_json).unwrap();
        let entry = graph["entrypoint"].as_str().unwrap();
        let mut log = Log(Vec::new());
        log.step(0, entry, 1, json!({}), json!({}));
        let app = path.file_stem().unwrap().to_str().unwrap();
        write_app(
            root,
            "examples",
            app,
            &graph_json,
            metadata(None, None, None),
            &log,
        );
    }
    burr_tracking::demo::write_demo_projects(root).unwrap();
    build_fixture(root);
    match support::python::burr_package("Apache Burr's demo graphs in the browser", &[]) {
        Some(package) => {
            let demo = package.join("tracking/server/demo_data");
            for entry in fs::read_dir(&demo).unwrap() {
                let from = entry.unwrap().path();
                let project = format!("burr_{}", from.file_name().unwrap().to_str().unwrap());
                roots::copy_dir(&from, &root.join(project));
            }
        }
        None => eprintln!("the graph check runs without Apache Burr's demo graphs"),
    }
    // One app per distinct graph, with at least one step (the Graph tab is a step's).
    let mut seen = std::collections::HashSet::new();
    let mut apps = Vec::new();
    for project in burr_tracking::read::list_projects(root).unwrap() {
        let mut listed = burr_tracking::read::list_apps(root, &project.name).unwrap();
        listed.sort_by(|a, b| a.app_id.cmp(&b.app_id));
        for app in listed {
            let dir = root.join(&project.name).join(&app.app_id);
            let Ok(graph) = fs::read(dir.join(GRAPH_FILE)) else {
                continue;
            };
            if app.num_steps > 0 && seen.insert(graph) {
                apps.push(format!("{}/{}", project.name, app.app_id));
            }
        }
    }
    apps
}

/// The graph of every example, demo project and Burr demo app, in the Graph tab at 1400 and
/// 800 px in both themes (`tests/browser/graphs.mjs`, with screenshots): no two edge labels
/// overlap, and no input sits on a row of actions.
#[test]
fn graph_pictures_are_readable_in_chromium() {
    const GRAPHS: &str = "the graph pictures in the browser";
    let dir = browser_dir();
    if let Some(why) = browser_missing(&dir) {
        return skip(GRAPHS, why).unwrap_or(());
    }
    let data = tempfile::tempdir().unwrap();
    let apps = build_graph_fixture(data.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = serve(&runtime, server::router(Store::new(data.path())));
    let url = format!("http://{addr}/");
    let apps = serde_json::to_string(&apps).unwrap();
    let (passed, stdout) = run_script(
        &dir,
        "graphs.mjs",
        &[
            ("BURR_URL", url.as_ref()),
            ("BURR_GRAPH_APPS", apps.as_ref()),
        ],
    );
    assert!(passed, "the graph check failed (see its output above)");
    assert!(stdout.contains("graphs passed"), "{stdout}");
}

#[test]
fn apache_burrs_own_ui_runs_against_this_server() {
    const BURR_UI: &str = "Apache Burr's UI against this server";
    let dir = browser_dir();
    if let Some(why) = browser_missing(&dir) {
        return skip(BURR_UI, why).unwrap_or(());
    }
    let Some(package) = support::python::burr_package(BURR_UI, &[]) else {
        return;
    };
    let build = package.join("tracking/server/build");
    if !build.join("index.html").is_file() {
        return skip(BURR_UI, "Apache Burr's package has no built UI").unwrap_or(());
    }
    let data = tempfile::tempdir().unwrap();
    burr_tracking::demo::write_demo_projects(data.path()).unwrap();
    let apps = burr_tracking::read::list_apps(data.path(), "demo_chatbot").unwrap();
    // The app with the most steps (spans, attributes, a stream).
    let app = apps
        .iter()
        .max_by_key(|a| {
            burr_tracking::read::num_steps(
                &data
                    .path()
                    .join("demo_chatbot")
                    .join(&a.app_id)
                    .join("log.jsonl"),
            )
            .unwrap_or(0)
        })
        .unwrap()
        .app_id
        .clone();
    let store = Store::new(data.path());
    let new: burr_tracking::server::annotations::AnnotationCreate = serde_json::from_value(json!({
        "span_id": null, "step_name": "prompt", "tags": ["good"],
        "observations": [{"data_fields": {"note": "looks right"}, "thumbs_up_thumbs_down": true, "data_pointers": []}]
    }))
    .unwrap();
    store
        .create_annotation("demo_chatbot", &app, None, 0, new)
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = serve(&runtime, server::router(store));
    let url = format!("http://{addr}/");
    let app = format!("demo_chatbot/{app}");
    let (passed, _) = run_script(
        &dir,
        "burr_ui.mjs",
        &[
            ("BURR_URL", url.as_ref()),
            ("BURR_UI_BUILD", build.as_os_str()),
            ("BURR_APP", app.as_ref()),
        ],
    );
    assert!(
        passed,
        "Burr's UI walkthrough failed (see its output above)"
    );
}

/// The Insights tab of an app of 1,500 steps (more than the page loads): the app's part shows
/// the server's sums over all of them (`tests/browser/insights.mjs`).
#[test]
fn insights_tab_adds_up_all_steps_in_chromium() {
    const INSIGHTS: &str = "the Insights tab over all steps in the browser";
    let dir = browser_dir();
    if let Some(why) = browser_missing(&dir) {
        return skip(INSIGHTS, why).unwrap_or(());
    }
    let data = tempfile::tempdir().unwrap();
    // Every even step makes one LLM call in a span: 10 input tokens, 5 output, $0.25.
    let mut log = Log(Vec::new());
    for seq in 0..1_500 {
        log.begin(seq, "ask", 1, json!({}));
        if seq % 2 == 0 {
            log.span(seq, &format!("{seq}:0"), "llm", None, (1, 10, 60));
            for (key, value) in [
                ("gen_ai.operation.name", json!("chat")),
                ("gen_ai.usage.input_tokens", json!(10)),
                ("gen_ai.usage.output_tokens", json!(5)),
                ("gen_ai.usage.cost", json!(0.25)),
            ] {
                log.attribute(seq, Some(&format!("{seq}:0")), key, value);
            }
        }
        log.end(seq, "ask", 1, json!({"seq": seq}), None);
    }
    let graph_json = graph("ask", &[("ask", &[])], &[("ask", "ask", "default")]);
    write_app(
        data.path(),
        "insights",
        "many",
        &graph_json,
        metadata(None, None, None),
        &log,
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let addr = serve(&runtime, server::router(Store::new(data.path())));
    let url = format!("http://{addr}/");
    let expect =
        json!({"steps": 1_500, "calls": 750, "input": 7_500, "output": 3_750, "cost": "$187.5000"})
            .to_string();
    let (passed, stdout) = run_script(
        &dir,
        "insights.mjs",
        &[
            ("BURR_URL", url.as_ref()),
            ("BURR_APP", "insights/many".as_ref()),
            ("BURR_EXPECT", expect.as_ref()),
        ],
    );
    assert!(passed, "the Insights check failed (see its output above)");
    assert!(stdout.contains("insights passed"), "{stdout}");
}
