//! Files written by `LocalTrackingClient` are served by Apache Burr's own tracking server, and
//! its API shows the same steps, spans, attributes, stream events, forks and children as for
//! the twin application written by Apache Burr itself.
//!
//! The twin is `tests/fixtures/tiny_app.py`: a traced counter loop with nested spans,
//! attributes and a `@trace` function, an action with an input and a result, a streaming
//! action, a failing action, a fork at step 2 and a child spawned at step 1. The Rust side
//! below builds the same application. Both are written under one root (projects `rust` and
//! `python`), Burr's server is started on it, and every response is compared with
//! timestamps, source code and traceback texts left out.
//!
//! Needs `python3` with `apache-burr[tracking-server]`; skips with a message when missing,
//! unless `BURR_REQUIRE_SERVICES=1`.

mod support;

use std::path::Path;

use burr_core::action::{ActionKind, Call};
use burr_core::policy::RetryPolicy;
use burr_core::stream::ActionStream;
use burr_core::{
    Action, ActionContext, ActionError, ApplicationBuilder, FnAction, Graph, InitializeFrom,
    InputSpec, Inputs, Pointer, ResultAction, ResultMap, State, StepOutput, default, expr,
    halt_after,
};
use burr_tracking::LocalTrackingClient;
use serde_json::{Map, Value, json};
use support::burr_server::BurrServer;
use support::python;
use support::roots::fixtures;

// ---------------------------------------------------------------------------------------------
// The Rust twin of tests/fixtures/tiny_app.py
// ---------------------------------------------------------------------------------------------

/// What `@trace()` on `double(x)` records in Burr: a span named after the function with the
/// passed arguments, the function's name and source hash, and its return value.
fn double(ctx: &ActionContext, x: i64) -> i64 {
    let span = ctx.tracer().span("double");
    span.log_attribute("x", x);
    span.log_attribute("__burr_function", "double");
    span.log_attribute("__burr_function_hash", "0".repeat(64));
    let out = x * 2;
    span.log_attribute("return", out);
    out
}

fn counter() -> FnAction {
    FnAction::new(
        ["counter"],
        ["counter", "last_double"],
        |state, _, ctx| -> Result<State, ActionError> {
            let n: i64 = state.get("counter")?;
            let t = ctx.tracer();
            t.log_attribute("action_level_attr", json!({ "n": n }));
            let doubled;
            {
                let outer = t.span("outer");
                outer.log_attribute("outer_attr", 1.5);
                let inner = t.span_with_dependencies("inner", ["outer"]);
                inner.log_attributes([
                    ("a", json!(1)),
                    ("b", json!([1, 2])),
                    ("c", Value::Null),
                    ("word", json!("héllo ✓")),
                ]);
                doubled = double(ctx, n);
            }
            drop(t.span("second_top"));
            Ok(state
                .update("counter", n + 1)
                .update("last_double", doubled))
        },
    )
}

fn add() -> FnAction {
    FnAction::new(
        ["counter"],
        ["total"],
        |state, inputs, _| -> Result<StepOutput, ActionError> {
            let total = state.get::<i64>("counter")? + inputs.get::<i64>("add", "amount")?;
            let mut result = ResultMap::new();
            result.insert("total".into(), json!(total));
            result.insert("ratio".into(), json!(total as f64 / 3.0));
            Ok(StepOutput {
                result,
                state: state.update("total", total),
            })
        },
    )
    .with_inputs([InputSpec::required("amount")])
}

/// A streaming action: a closure action cannot stream, so this one implements `Action`.
struct StreamIt;

impl Action for StreamIt {
    fn reads(&self) -> Vec<String> {
        vec!["total".into()]
    }
    fn writes(&self) -> Vec<String> {
        vec!["streamed".into()]
    }
    fn kind(&self) -> ActionKind {
        ActionKind::Stream
    }
    fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        Call::Stream(ActionStream::from_fn(ctx, move |emit| {
            let mut items = Vec::new();
            for i in 0..3 {
                items.push(i);
                emit.item(json!({ "item": i }))?;
            }
            let mut result = ResultMap::new();
            result.insert("items".into(), json!(items));
            Ok(StepOutput {
                result,
                state: state.update("streamed", json!(items)),
            })
        }))
    }
}

fn boom() -> FnAction {
    FnAction::new(["counter"], ["counter"], |_, _, _| {
        Err::<State, _>(ActionError::msg("kaboom"))
    })
}

fn graph(builder: ApplicationBuilder) -> ApplicationBuilder {
    builder
        .with_action("counter", counter())
        .with_action("add", add())
        .with_action("stream_it", StreamIt)
        .with_action("boom", boom())
        .with_transition("counter", "counter", expr("counter < 5").unwrap())
        .with_transition("counter", "add", default())
        .with_transition("add", "stream_it", default())
        .with_transition("stream_it", "boom", default())
}

fn write_rust_twin(root: &Path, project: &str) {
    let tracker = || {
        LocalTrackingClient::new(project)
            .unwrap()
            .with_storage_dir(root)
    };
    let mut app = graph(ApplicationBuilder::new())
        .with_app_id("app-main")
        .with_partition_key("user_1")
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_tracker(tracker())
        .build()
        .unwrap();
    app.run(halt_after(["add"]), Inputs::new().with("amount", 10))
        .unwrap();
    let (action, stream) = app
        .stream_result(halt_after(["stream_it"]), Inputs::new())
        .unwrap();
    assert_eq!(action, "stream_it");
    let mut stream = stream;
    assert_eq!(stream.by_ref().count(), 3);
    stream.finish().unwrap();
    assert!(app.step().is_err());
    drop(app);

    let mut fork =
        graph(ApplicationBuilder::new())
            .initialize_from(
                InitializeFrom::new(tracker(), State::new().update("counter", 0), "counter")
                    .fork_from("app-main", Some(2), Some("user_1")),
            )
            .with_app_id("app-fork")
            .with_partition_key("user_1")
            .with_tracker(tracker())
            .build()
            .unwrap();
    fork.step().unwrap();

    let mut child = graph(ApplicationBuilder::new())
        .with_app_id("app-child")
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_spawning_parent(Pointer {
            app_id: "app-main".into(),
            sequence_id: Some(1),
            partition_key: Some("user_1".into()),
        })
        .with_tracker(tracker())
        .build()
        .unwrap();
    child.step().unwrap();
}

/// Extra Rust-only applications that must be served without error: a resumed application,
/// an untracked spawn parent, hostile strings in state and attributes.
fn write_rust_extras(root: &Path, project: &str) {
    let tracker = || {
        LocalTrackingClient::new(project)
            .unwrap()
            .with_storage_dir(root)
    };
    let hostile = "</script><script>alert(1)</script> \u{0} \u{2028} \"quoted\" \\ é 😀";
    let mut app = graph(ApplicationBuilder::new())
        .with_app_id("hostile")
        .with_state(
            State::new()
                .update("counter", 0)
                .update("text", hostile)
                .update(
                    "nested",
                    json!({ "k": [hostile, 1e300, -0.0, 12345678901234567_i64] }),
                ),
        )
        .with_entrypoint("counter")
        .with_tracker(tracker())
        .build()
        .unwrap();
    app.step().unwrap();
    drop(app);
    // Resume the same id: only the log grows.
    let mut resumed = graph(ApplicationBuilder::new())
        .initialize_from(InitializeFrom::new(
            tracker(),
            State::new().update("counter", 0),
            "counter",
        ))
        .with_app_id("hostile")
        .with_tracker(tracker())
        .build()
        .unwrap();
    resumed.step().unwrap();
    // A child whose parent was never tracked.
    let mut orphan = graph(ApplicationBuilder::new())
        .with_app_id("orphan")
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_spawning_parent(Pointer {
            app_id: "never-tracked".into(),
            sequence_id: Some(0),
            partition_key: None,
        })
        .with_tracker(tracker())
        .build()
        .unwrap();
    orphan.step().unwrap();
}

/// Applications of the production runtime: a step retried twice before it succeeds, a
/// failure routed by an error transition, and a step that suspends and is resumed.
fn write_runtime_extras(root: &Path, project: &str) {
    let tracker = || {
        LocalTrackingClient::new(project)
            .unwrap()
            .with_storage_dir(root)
    };
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let flaky = FnAction::new(["counter"], ["counter"], move |state, _, _| {
        if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
            return Err(ActionError::msg("rate limited"));
        }
        let n: i64 = state.get("counter")?;
        Ok(state.update("counter", n + 1))
    });
    let mut retried = ApplicationBuilder::new()
        .with_action("flaky", flaky)
        .with_retry(
            "flaky",
            RetryPolicy::new(3).initial_delay(std::time::Duration::ZERO),
        )
        .with_app_id("retried")
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("flaky")
        .with_tracker(tracker())
        .build()
        .unwrap();
    retried.step().unwrap();

    let failing = FnAction::new(Vec::<String>::new(), ["counter"], |_, _, _| {
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

    let approve = FnAction::new(Vec::<String>::new(), ["approved"], |state, _, ctx| {
        let approved: bool = ctx.suspend("approval", json!({ "draft": "hello" }))?;
        Ok::<_, ActionError>(state.update("approved", approved))
    });
    let mut suspended = ApplicationBuilder::new()
        .with_action("approve", approve)
        .with_app_id("suspended")
        .with_entrypoint("approve")
        .with_tracker(tracker())
        .build()
        .unwrap();
    suspended.run(halt_after(["approve"]), ()).unwrap();
    suspended
        .resume("approval", true, halt_after(["approve"]), ())
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

fn without_dunder(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with("__"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn strings_without_dunder(v: &Value) -> Value {
    Value::Array(
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|s| !s.as_str().unwrap_or_default().starts_with("__"))
            .cloned()
            .collect(),
    )
}

/// The parts of an app's `ApplicationLogs` that must match the twin's.
fn normalize_logs(logs: &Value) -> Value {
    let app = &logs["application"];
    let actions: Vec<Value> = app["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            json!({
                "name": a["name"], "reads": a["reads"], "writes": a["writes"],
                // The injected `__tracer`/`__context` are Python parameters only.
                "inputs": strings_without_dunder(&a["inputs"]),
                "optional_inputs": strings_without_dunder(&a["optional_inputs"]),
                "has_code": a["code"].as_str().is_some_and(|c| !c.is_empty()),
            })
        })
        .collect();
    let steps: Vec<Value> = logs["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let start = &s["step_start_log"];
            let end = &s["step_end_log"];
            let spans: Vec<Value> = s["spans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|sp| {
                    let b = &sp["begin_entry"];
                    json!({
                        "span_id": b["span_id"], "span_name": b["span_name"],
                        "parent_span_id": b["parent_span_id"],
                        "span_dependencies": b["span_dependencies"],
                        "action_sequence_id": b["action_sequence_id"],
                        "ended": !sp["end_entry"].is_null(),
                    })
                })
                .collect();
            let attributes: Vec<Value> = s["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    let value = if a["key"] == "__burr_function_hash" {
                        json!(a["value"].as_str().map(str::len))
                    } else {
                        a["value"].clone()
                    };
                    json!({
                        "key": a["key"], "span_id": a["span_id"], "value": value,
                        "action_sequence_id": a["action_sequence_id"], "tags": a["tags"],
                        "time_logged_utc": a["time_logged"].as_str().is_some_and(|t| t.ends_with('Z')),
                    })
                })
                .collect();
            let streaming: Vec<Value> = s["streaming_events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    json!({
                        "type": e["type"], "action_sequence_id": e["action_sequence_id"],
                        "span_id": e["span_id"], "items_streamed": e.get("items_streamed"),
                    })
                })
                .collect();
            json!({
                "start": {
                    "action": start["action"], "sequence_id": start["sequence_id"],
                    "inputs": without_dunder(&start["inputs"]),
                    "naive_time": start["start_time"].as_str().is_some_and(|t| !t.ends_with('Z')),
                },
                "end": if end.is_null() { Value::Null } else { json!({
                    "action": end["action"], "sequence_id": end["sequence_id"],
                    "result": end["result"], "failed": !end["exception"].is_null(),
                    "state": end["state"],
                }) },
                "spans": spans,
                "attributes": attributes,
                "streaming_events": streaming,
            })
        })
        .collect();
    let children: Vec<Value> = logs["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!({"child": c["child"], "event_type": c["event_type"], "sequence_id": c["sequence_id"]}))
        .collect();
    json!({
        "entrypoint": app["entrypoint"],
        "actions": actions,
        "transitions": app["transitions"],
        "children": children,
        "parent_pointer": logs["parent_pointer"],
        "spawning_parent_pointer": logs["spawning_parent_pointer"],
        "steps": steps,
    })
}

/// The app list's entries by id, without times.
fn normalize_list(page: &Value) -> Map<String, Value> {
    page["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["app_id"].as_str().unwrap().to_string(),
                json!({
                    "partition_key": a["partition_key"], "num_steps": a["num_steps"],
                    "tags": a["tags"], "parent_pointer": a["parent_pointer"],
                    "spawning_parent_pointer": a["spawning_parent_pointer"],
                }),
            )
        })
        .collect()
}

/// Describes the first difference between two JSON values, with its path.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                if let Some(d) = first_difference(&format!("{path}.{k}"), va, vb) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(&format!("{path}[{i}]"), va, vb) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} items vs {} items", x.len(), y.len()))
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => None,
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

#[test]
fn burrs_server_serves_rust_files_like_python_ones() {
    let what = "the comparison with Apache Burr's server";
    if python::burr_package(what, &["burr.tracking.server.run", "uvicorn"]).is_none() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    write_rust_twin(root.path(), "rust");
    write_rust_extras(root.path(), "rust_extras");
    write_runtime_extras(root.path(), "rust_runtime");
    let python_out = tempfile::tempdir().unwrap();
    python::run([
        fixtures().join("tiny_app.py").as_os_str(),
        python_out.path().as_os_str(),
    ]);
    std::fs::rename(python_out.path().join("p"), root.path().join("python")).unwrap();

    let server_log = root.path().join("server.log.txt");
    let server = BurrServer::start(root.path(), server_log);

    let projects = server.get("/api/v0/projects");
    let mut names: Vec<&str> = projects
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["python", "rust", "rust_extras", "rust_runtime"]);

    // Every app list and every app's logs answer 200.
    for project in ["python", "rust", "rust_extras", "rust_runtime"] {
        let page = server.get(&format!("/api/v0/{project}/__none__/apps?limit=1000"));
        for app in page["applications"].as_array().unwrap() {
            let app_id = app["app_id"].as_str().unwrap();
            let logs = server.get(&format!("/api/v0/{project}/{app_id}/__none__/apps"));
            assert!(logs["steps"].is_array());
        }
    }
    let extras = normalize_list(&server.get("/api/v0/rust_extras/__none__/apps?limit=1000"));
    assert_eq!(extras["hostile"]["num_steps"], 2);
    assert_eq!(extras["orphan"]["num_steps"], 1);
    assert_eq!(extras["never-tracked"]["num_steps"], 0);
    let hostile = server.get("/api/v0/rust_extras/hostile/__none__/apps");
    assert_eq!(
        hostile["steps"][1]["step_end_log"]["state"]["text"],
        "</script><script>alert(1)</script> \u{0} \u{2028} \"quoted\" \\ é 😀"
    );
    // Retried, routed and suspended runs: the attempts and the suspension are attributes,
    // the routed failure an exception, all served as any other step.
    let retried = server.get("/api/v0/rust_runtime/retried/__none__/apps");
    let attributes: Vec<&str> = retried["steps"][0]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(attributes, ["burr.retry", "burr.retry", "burr.attempts"]);
    let routed = server.get("/api/v0/rust_runtime/routed/__none__/apps");
    let steps = routed["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert!(
        steps[0]["step_end_log"]["exception"]
            .as_str()
            .unwrap()
            .contains("the model is down")
    );
    assert_eq!(steps[1]["step_start_log"]["action"], "fallback");
    let suspended = server.get("/api/v0/rust_runtime/suspended/__none__/apps");
    let steps = suspended["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["attributes"][0]["key"], "burr.suspended");
    assert!(steps[0]["step_end_log"]["state"]["__suspended"].is_object());
    assert_eq!(steps[1]["step_end_log"]["state"]["approved"], true);
    let ghost = server.get("/api/v0/rust_extras/never-tracked/__none__/apps");
    assert_eq!(ghost["children"][0]["child"]["app_id"], "orphan");

    // The app lists match, partition filtering included.
    for partition in ["__none__", "user_1"] {
        let rust =
            normalize_list(&server.get(&format!("/api/v0/rust/{partition}/apps?limit=1000")));
        let python =
            normalize_list(&server.get(&format!("/api/v0/python/{partition}/apps?limit=1000")));
        assert_eq!(
            Value::Object(rust.clone()),
            Value::Object(python),
            "{partition}"
        );
        assert!(!rust.is_empty());
    }

    // Every app's logs match its twin's.
    for app in ["app-main", "app-fork", "app-child"] {
        let rust = normalize_logs(&server.get(&format!("/api/v0/rust/{app}/__none__/apps")));
        let python = normalize_logs(&server.get(&format!("/api/v0/python/{app}/__none__/apps")));
        if let Some(diff) = first_difference(app, &rust, &python) {
            panic!(
                "{app} differs from its Python twin at {diff}\nrust:   {}\npython: {}",
                serde_json::to_string(&rust).unwrap(),
                serde_json::to_string(&python).unwrap()
            );
        }
    }
    let main = server.get("/api/v0/rust/app-main/__none__/apps");
    assert_eq!(main["steps"].as_array().unwrap().len(), 8);
    let boom = &main["steps"][7]["step_end_log"]["exception"];
    assert!(
        boom.as_str()
            .unwrap()
            .ends_with("ActionFailed: action `boom` failed: kaboom\n")
    );
}

/// The graph the Rust twin declares is the one Burr's writer would produce (names, reads,
/// writes and swapped input lists), checked without the server.
#[test]
fn the_rust_twin_declares_the_python_graph() {
    let app = graph(ApplicationBuilder::new())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .build()
        .unwrap();
    let g: &Graph = app.graph();
    let names: Vec<&str> = g.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["counter", "add", "stream_it", "boom"]);
    assert!(g.action("stream_it").unwrap().is_streaming);
    assert_eq!(g.transitions[0].condition, "counter < 5");
}
