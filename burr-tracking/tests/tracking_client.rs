//! The local tracking client, end to end: what it writes for an application's creation, its
//! steps, spans, attributes, failures, forks, spawned children and resumes, read back through
//! the typed records of `format` and the loader.

use std::fs;
use std::path::Path;

use burr_core::action::{ActionKind, Call};
use burr_core::{
    Action, ActionContext, ActionError, ApplicationBuilder, FnAction, InitializeFrom, InputSpec,
    Inputs, Pointer, ResultMap, State, StepOutput, default, expr, halt_after,
};
use burr_tracking::LocalTrackingClient;
use burr_tracking::format::{
    ApplicationMetadataModel, ApplicationModel, ChildApplicationModel, ChildEventType, LogRecord,
};
use burr_tracking::{TrackingLoader, load_state};
use serde_json::{Value, json};

/// A closure action with its source code, which tracking shows (a closure cannot give one).
struct WithSource {
    action: FnAction,
    source: &'static str,
}

impl Action for WithSource {
    fn reads(&self) -> Vec<String> {
        self.action.reads()
    }
    fn writes(&self) -> Vec<String> {
        self.action.writes()
    }
    fn inputs(&self) -> Vec<InputSpec> {
        self.action.inputs()
    }
    fn source(&self) -> Option<String> {
        Some(self.source.to_string())
    }
    fn kind(&self) -> ActionKind {
        self.action.kind()
    }
    fn call<'a>(&'a self, state: State, inputs: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        self.action.call(state, inputs, ctx)
    }
}

fn counter_action() -> WithSource {
    WithSource {
        action: FnAction::new(["counter"], ["counter"], |s, _, _| {
            let n: i64 = s.get("counter")?;
            Ok::<_, ActionError>(s.update("counter", n + 1))
        }),
        source: "fn counter(state: State) -> State { .. }",
    }
}

fn read_log(path: &Path) -> Vec<LogRecord> {
    let text = fs::read_to_string(path).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "log must end with a newline"
    );
    text.lines()
        .map(|l| {
            assert!(!l.is_empty(), "no blank lines");
            let r = LogRecord::from_json_line(l.as_bytes()).unwrap_or_else(|e| panic!("{e}: {l}"));
            // Every line is exactly what the typed record writes back.
            assert_eq!(r.to_json_line(), format!("{l}\n"));
            r
        })
        .collect()
}

fn kinds(records: &[LogRecord]) -> Vec<String> {
    records.iter().map(|r| r.type_name().into_owned()).collect()
}

fn client(root: &Path) -> LocalTrackingClient {
    LocalTrackingClient::new("p")
        .unwrap()
        .with_storage_dir(root)
}

#[test]
fn creation_writes_graph_metadata_and_an_empty_log() {
    let root = tempfile::tempdir().unwrap();
    let add = FnAction::new(
        ["counter"],
        ["counter"],
        |s, i, _| -> Result<StepOutput, ActionError> {
            let n: i64 = s.get("counter")?;
            let amount: i64 = i.get("add", "amount")?;
            Ok(StepOutput::state(s.update("counter", n + amount)))
        },
    )
    .with_inputs([InputSpec::required("amount"), InputSpec::optional("note")]);
    let _app = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_action("add", add)
        .with_transition("counter", "counter", expr("counter < 5").unwrap())
        .with_transition("counter", "add", default())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_app_id("app-1")
        .with_partition_key("user_1")
        .with_tracker(client(root.path()))
        .build()
        .unwrap();
    let dir = root.path().join("p/app-1");
    assert_eq!(fs::read(dir.join("log.jsonl")).unwrap(), b"");
    let graph_text = fs::read_to_string(dir.join("graph.json")).unwrap();
    assert_eq!(
        graph_text,
        concat!(
            r#"{"type": "application", "entrypoint": "counter", "actions": ["#,
            r#"{"type": "action", "name": "counter", "reads": ["counter"], "writes": ["counter"], "code": "fn counter(state: State) -> State { .. }", "inputs": [], "optional_inputs": []}, "#,
            r#"{"type": "action", "name": "add", "reads": ["counter"], "writes": ["counter"], "code": "No source available", "inputs": ["note"], "optional_inputs": ["amount"]}], "#,
            r#""transitions": [{"type": "transition", "from_": "counter", "to": "counter", "condition": "counter < 5"}, "#,
            r#"{"type": "transition", "from_": "counter", "to": "add", "condition": "default"}]}"#
        )
    );
    let graph: ApplicationModel = serde_json::from_str(&graph_text).unwrap();
    assert_eq!(graph.entrypoint, "counter");
    assert_eq!(
        fs::read_to_string(dir.join("metadata.json")).unwrap(),
        r#"{"type": "application_metadata", "partition_key": "user_1", "parent_pointer": null, "spawning_parent_pointer": null}"#
    );
    // No temporary files are left behind.
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["graph.json", "log.jsonl", "metadata.json"]);
}

#[test]
fn steps_spans_and_attributes_are_logged_in_order() {
    let root = tempfile::tempdir().unwrap();
    let traced = FnAction::new(
        ["counter"],
        ["counter"],
        |s, _, ctx| -> Result<StepOutput, ActionError> {
            let t = ctx.tracer();
            t.log_attribute("action_level_attr", json!({"n": 1}));
            {
                let outer = t.span("outer");
                outer.log_attribute("outer_attr", 1.5);
                let inner = t.span_with_dependencies("inner", ["outer"]);
                inner.log_attributes([("a", json!(1)), ("b", json!([1, 2])), ("c", Value::Null)]);
            }
            drop(t.span("second_top"));
            let n: i64 = s.get("counter")?;
            Ok(StepOutput::state(s.update("counter", n + 1)))
        },
    );
    let result = FnAction::new(
        ["counter"],
        Vec::<&str>::new(),
        |s, _, _| -> Result<StepOutput, ActionError> {
            let mut r = ResultMap::new();
            r.insert("counter".into(), s.get_value("counter").unwrap_or_default());
            Ok(StepOutput {
                result: r,
                state: s,
            })
        },
    );
    let mut app = ApplicationBuilder::new()
        .with_action("counter", traced)
        .with_action("result", result)
        .with_transition("counter", "counter", expr("counter < 2").unwrap())
        .with_transition("counter", "result", default())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_app_id("app-2")
        .with_tracker(client(root.path()))
        .build()
        .unwrap();
    app.run(halt_after(["result"]), Inputs::new()).unwrap();
    let log = read_log(&root.path().join("p/app-2/log.jsonl"));
    let step_kinds = [
        "begin_entry",
        "attribute",
        "begin_span",
        "attribute",
        "begin_span",
        "attribute",
        "attribute",
        "attribute",
        "end_span",
        "end_span",
        "begin_span",
        "end_span",
        "end_entry",
    ];
    let mut expected: Vec<&str> = step_kinds.to_vec();
    expected.extend(step_kinds);
    expected.extend(["begin_entry", "end_entry"]);
    assert_eq!(kinds(&log), expected);

    let LogRecord::BeginEntry(b) = &log[0] else {
        panic!()
    };
    assert_eq!((b.action.as_str(), b.sequence_id), ("counter", 0));
    assert!(b.inputs.is_empty());
    let LogRecord::Attribute(a) = &log[1] else {
        panic!()
    };
    assert_eq!(
        (a.key.as_str(), a.span_id.as_deref()),
        ("action_level_attr", None)
    );
    assert!(a.tags.is_empty());
    assert!(a.time_logged.unwrap().to_string().ends_with('Z'));
    let LogRecord::BeginSpan(s) = &log[2] else {
        panic!()
    };
    assert_eq!(
        (
            s.span_id.as_str(),
            s.span_name.as_str(),
            s.parent_span_id.as_deref()
        ),
        ("0:0", "outer", None)
    );
    assert!(!s.start_time.to_string().ends_with('Z'));
    let LogRecord::BeginSpan(s) = &log[4] else {
        panic!()
    };
    assert_eq!(
        (s.span_id.as_str(), s.parent_span_id.as_deref()),
        ("0:0.0", Some("0:0"))
    );
    assert_eq!(s.span_dependencies, ["outer"]);
    let LogRecord::Attribute(a) = &log[7] else {
        panic!()
    };
    assert_eq!(
        (a.key.as_str(), a.span_id.as_deref(), &a.value),
        ("c", Some("0:0.0"), &Value::Null)
    );
    let LogRecord::EndSpan(e) = &log[8] else {
        panic!()
    };
    assert_eq!(e.span_id, "0:0.0");
    let LogRecord::BeginSpan(s) = &log[10] else {
        panic!()
    };
    assert_eq!(s.span_id, "0:1");
    let LogRecord::EndEntry(e) = &log[12] else {
        panic!()
    };
    assert_eq!(e.result, Some(Default::default()));
    assert_eq!(e.exception, None);
    assert_eq!(
        Value::Object(e.state.clone()),
        json!({"counter": 1, "__SEQUENCE_ID": 0, "__PRIOR_STEP": "counter"})
    );
    // The second step's spans carry its sequence id.
    let LogRecord::BeginSpan(s) = &log[15] else {
        panic!()
    };
    assert_eq!((s.span_id.as_str(), s.action_sequence_id), ("1:0", 1));
    let LogRecord::EndEntry(e) = log.last().unwrap() else {
        panic!()
    };
    assert_eq!((e.action.as_str(), e.sequence_id), ("result", 2));
    assert_eq!(
        Value::Object(e.result.clone().unwrap()),
        json!({"counter": 2})
    );
    // Spans, attributes and stream events never carry a top-level `sequence_id` key.
    let text = fs::read_to_string(root.path().join("p/app-2/log.jsonl")).unwrap();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let is_entry = matches!(v["type"].as_str(), Some("begin_entry" | "end_entry"));
        assert_eq!(v.get("sequence_id").is_some(), is_entry, "{line}");
    }
}

#[test]
fn a_failed_step_logs_the_error_and_the_state_before() {
    let root = tempfile::tempdir().unwrap();
    let boom = FnAction::new(["counter"], ["counter"], |_, _, _| {
        Err::<StepOutput, _>(ActionError::from(std::io::Error::other("kaboom")))
    });
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_action("boom", boom)
        .with_transition("counter", "boom", default())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_app_id("app-3")
        .with_tracker(client(root.path()))
        .build()
        .unwrap();
    app.step().unwrap();
    assert!(app.step().is_err());
    let log = read_log(&root.path().join("p/app-3/log.jsonl"));
    assert_eq!(
        kinds(&log),
        ["begin_entry", "end_entry", "begin_entry", "end_entry"]
    );
    let LogRecord::EndEntry(e) = &log[3] else {
        panic!()
    };
    assert_eq!((e.action.as_str(), e.sequence_id), ("boom", 1));
    assert_eq!(e.result, None);
    let exception = e.exception.as_deref().unwrap();
    assert!(exception.starts_with("kaboom\n"), "{exception}");
    assert!(
        exception.contains("Traceback (most recent call last):\n"),
        "{exception}"
    );
    assert!(
        exception.ends_with("ActionFailed: action `boom` failed: kaboom\n"),
        "{exception}"
    );
    assert_eq!(
        Value::Object(e.state.clone()),
        json!({"counter": 1, "__SEQUENCE_ID": 1, "__PRIOR_STEP": "counter"})
    );
    let loaded = load_state(root.path(), "p", "app-3", None).unwrap();
    assert_eq!(loaded.position, "boom");
    assert_eq!(loaded.status, burr_core::Status::Failed);
    assert_eq!(
        loaded.state.to_json(),
        json!({"counter": 1, "__SEQUENCE_ID": 1})
    );
}

fn counter_app(root: &Path, app_id: &str, partition_key: Option<&str>) -> burr_core::Application {
    let mut b = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_transition("counter", "counter", default())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_app_id(app_id)
        .with_tracker(client(root));
    if let Some(pk) = partition_key {
        b = b.with_partition_key(pk);
    }
    b.build().unwrap()
}

#[test]
fn a_resumed_application_appends_and_keeps_its_graph() {
    let root = tempfile::tempdir().unwrap();
    let mut app = counter_app(root.path(), "app-r", Some("user"));
    app.step().unwrap();
    app.step().unwrap();
    drop(app);
    let dir = root.path().join("p/app-r");
    let graph_before = fs::read(dir.join("graph.json")).unwrap();
    let graph_mtime = fs::metadata(dir.join("graph.json"))
        .unwrap()
        .modified()
        .unwrap();

    let tracker = client(root.path());
    let mut resumed = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_transition("counter", "counter", default())
        .initialize_from(InitializeFrom::new(
            tracker.loader().unwrap(),
            State::new().update("counter", 0),
            "counter",
        ))
        .with_app_id("app-r")
        .with_partition_key("user")
        .with_tracker(tracker)
        .build()
        .unwrap();
    resumed.step().unwrap();
    assert_eq!(fs::read(dir.join("graph.json")).unwrap(), graph_before);
    assert_eq!(
        fs::metadata(dir.join("graph.json"))
            .unwrap()
            .modified()
            .unwrap(),
        graph_mtime
    );
    let log = read_log(&dir.join("log.jsonl"));
    let ids: Vec<u64> = log.iter().filter_map(LogRecord::step_sequence_id).collect();
    assert_eq!(ids, [0, 0, 1, 1, 2, 2]);
    let LogRecord::EndEntry(e) = log.last().unwrap() else {
        panic!()
    };
    assert_eq!(e.state["counter"], 3);
    assert!(!dir.join("children.jsonl").exists());
}

#[test]
fn initialize_from_a_tracking_loader_without_an_app_id_starts_from_the_default_state() {
    let root = tempfile::tempdir().unwrap();
    let tracker = client(root.path());
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_transition("counter", "counter", default())
        .initialize_from(InitializeFrom::new(
            tracker.loader().unwrap(),
            State::new().update("counter", 7),
            "counter",
        ))
        .with_tracker(tracker)
        .build()
        .unwrap();
    assert_eq!(app.sequence_id(), None);
    let step = app.step().unwrap().unwrap();
    assert_eq!(step.sequence_id, 0);
    assert_eq!(app.state().get::<i64>("counter").unwrap(), 8);
}

#[test]
fn a_fork_links_to_its_parent_and_continues_its_sequence() {
    let root = tempfile::tempdir().unwrap();
    let mut main = counter_app(root.path(), "app-main", Some("user_1"));
    for _ in 0..4 {
        main.step().unwrap();
    }
    let tracker = client(root.path());
    let mut fork = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_transition("counter", "counter", default())
        .initialize_from(
            InitializeFrom::new(
                tracker.clone(),
                State::new().update("counter", 0),
                "counter",
            )
            .fork_from("app-main", Some(2), Some("user_1")),
        )
        .with_app_id("app-fork")
        .with_partition_key("user_1")
        .with_tracker(tracker)
        .build()
        .unwrap();
    let step = fork.step().unwrap().unwrap();
    assert_eq!(step.sequence_id, 3);
    let meta: ApplicationMetadataModel =
        serde_json::from_slice(&fs::read(root.path().join("p/app-fork/metadata.json")).unwrap())
            .unwrap();
    let parent = meta.parent_pointer.unwrap();
    assert_eq!(
        (parent.app_id.as_str(), parent.sequence_id),
        ("app-main", Some(2))
    );
    assert_eq!(meta.spawning_parent_pointer, None);
    let children = fs::read_to_string(root.path().join("p/app-main/children.jsonl")).unwrap();
    assert_eq!(children.lines().count(), 1);
    let child: ChildApplicationModel = serde_json::from_str(children.trim_end()).unwrap();
    assert_eq!(child.event_type, ChildEventType::Fork);
    assert_eq!(child.sequence_id, Some(2));
    assert_eq!(child.child.app_id, "app-fork");
    assert_eq!(child.child.sequence_id, None);
    assert_eq!(child.child.partition_key.as_deref(), Some("user_1"));
    assert!(!child.event_time.to_string().ends_with('Z'));
    assert!(children.starts_with(r#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"app-fork","sequence_id":null,"partition_key":"user_1"},"event_time":""#));
    // The fork's own log starts at the loaded step + 1, with the loaded state.
    let log = read_log(&root.path().join("p/app-fork/log.jsonl"));
    let LogRecord::EndEntry(e) = &log[1] else {
        panic!()
    };
    assert_eq!((e.sequence_id, &e.state["counter"]), (3, &json!(4)));
}

#[test]
fn a_spawned_child_shares_the_tracker_and_links_to_its_parent() {
    let root = tempfile::tempdir().unwrap();
    let spawner = FnAction::new(
        ["counter"],
        ["counter", "child_total"],
        |s, _, ctx| -> Result<StepOutput, ActionError> {
            let tracker = ctx.tracker().expect("the parent has a tracker").clone();
            let mut child = ApplicationBuilder::new()
                .with_action("counter", counter_action())
                .with_transition("counter", "counter", default())
                .with_state(State::new().update("counter", 10))
                .with_entrypoint("counter")
                .with_app_id(format!("child-{}", ctx.sequence_id()))
                .with_spawning_parent(ctx.as_parent())
                .with_tracker(tracker)
                .build()?;
            child.step()?;
            child.step()?;
            let total: i64 = child.state().get("counter")?;
            let n: i64 = s.get("counter")?;
            Ok(StepOutput::state(
                s.update("counter", n + 1).update("child_total", total),
            ))
        },
    );
    let mut app = ApplicationBuilder::new()
        .with_action("spawner", spawner)
        .with_transition("spawner", "spawner", default())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("spawner")
        .with_app_id("parent")
        .with_tracker(client(root.path()))
        .build()
        .unwrap();
    app.step().unwrap();
    app.step().unwrap();

    // The parent's log holds only its own steps; each child has its own log.
    let parent_log = read_log(&root.path().join("p/parent/log.jsonl"));
    assert_eq!(
        kinds(&parent_log),
        ["begin_entry", "end_entry", "begin_entry", "end_entry"]
    );
    for seq in [0, 1] {
        let child_log = read_log(&root.path().join(format!("p/child-{seq}/log.jsonl")));
        assert_eq!(child_log.len(), 4);
        let meta: ApplicationMetadataModel = serde_json::from_slice(
            &fs::read(root.path().join(format!("p/child-{seq}/metadata.json"))).unwrap(),
        )
        .unwrap();
        let spawner = meta.spawning_parent_pointer.unwrap();
        assert_eq!(
            (spawner.app_id.as_str(), spawner.sequence_id),
            ("parent", Some(seq))
        );
    }
    let children = fs::read_to_string(root.path().join("p/parent/children.jsonl")).unwrap();
    let children: Vec<ChildApplicationModel> = children
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(children.len(), 2);
    assert!(
        children
            .iter()
            .all(|c| c.event_type == ChildEventType::SpawnStart)
    );
    assert_eq!(children[1].sequence_id, Some(1));
    assert_eq!(children[1].child.app_id, "child-1");
}

#[test]
fn an_untracked_parent_gets_a_log_and_a_graph_next_to_its_children() {
    let root = tempfile::tempdir().unwrap();
    let _child = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_app_id("kid")
        .with_spawning_parent(Pointer {
            app_id: "ghost".into(),
            sequence_id: Some(4),
            partition_key: None,
        })
        .with_tracker(client(root.path()))
        .build()
        .unwrap();
    let ghost = root.path().join("p/ghost");
    assert_eq!(fs::read(ghost.join("log.jsonl")).unwrap(), b"");
    let graph: ApplicationModel =
        serde_json::from_slice(&fs::read(ghost.join("graph.json")).unwrap()).unwrap();
    assert!(graph.actions.is_empty());
    assert_eq!(
        fs::read_to_string(ghost.join("children.jsonl"))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn hostile_app_ids_write_nothing_outside_the_root() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    fs::create_dir(&root).unwrap();
    for bad in ["../escape", "..", "a/b", ".hidden", "x\0y"] {
        let mut app = ApplicationBuilder::new()
            .with_action("counter", counter_action())
            .with_transition("counter", "counter", default())
            .with_state(State::new().update("counter", 0))
            .with_entrypoint("counter")
            .with_app_id(bad)
            .with_tracker(client(&root))
            .build()
            .unwrap();
        // The application still runs; it is just not recorded.
        app.step().unwrap();
    }
    // A hostile parent pointer is refused too.
    let _ = ApplicationBuilder::new()
        .with_action("counter", counter_action())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_app_id("ok")
        .with_spawning_parent(Pointer {
            app_id: "../../evil".into(),
            sequence_id: None,
            partition_key: None,
        })
        .with_tracker(client(&root))
        .build()
        .unwrap();
    let mut top: Vec<String> = fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    top.sort();
    assert_eq!(top, ["root"]);
    let apps: Vec<String> = fs::read_dir(root.join("p"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(apps, ["ok"]);
}

#[test]
fn one_client_serves_many_applications_on_many_threads() {
    let root = tempfile::tempdir().unwrap();
    let tracker = client(root.path());
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let tracker = tracker.clone();
            let root = root.path().to_path_buf();
            std::thread::spawn(move || {
                let _ = root;
                let spans = FnAction::new(
                    ["counter"],
                    ["counter"],
                    |s, _, ctx| -> Result<StepOutput, ActionError> {
                        let _a = ctx.tracer().span("a");
                        ctx.tracer().log_attribute("k", "v");
                        let n: i64 = s.get("counter")?;
                        Ok(StepOutput::state(s.update("counter", n + 1)))
                    },
                );
                let mut app = ApplicationBuilder::new()
                    .with_action("counter", spans)
                    .with_transition("counter", "counter", default())
                    .with_state(State::new().update("counter", 0))
                    .with_entrypoint("counter")
                    .with_app_id(format!("t{i}"))
                    .with_tracker(tracker)
                    .build()
                    .unwrap();
                for _ in 0..200 {
                    app.step().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for i in 0..8 {
        let log = read_log(&root.path().join(format!("p/t{i}/log.jsonl")));
        assert_eq!(log.len(), 200 * 5);
        let loaded = load_state(root.path(), "p", &format!("t{i}"), Some(150)).unwrap();
        assert_eq!(loaded.state.get::<i64>("counter").unwrap(), 151);
    }
}

#[test]
fn more_applications_than_open_files_still_log_everything() {
    let root = tempfile::tempdir().unwrap();
    let tracker = client(root.path());
    let mut apps: Vec<_> = (0..300)
        .map(|i| {
            ApplicationBuilder::new()
                .with_action("counter", counter_action())
                .with_transition("counter", "counter", default())
                .with_state(State::new().update("counter", 0))
                .with_entrypoint("counter")
                .with_app_id(format!("many-{i}"))
                .with_tracker(tracker.clone())
                .build()
                .unwrap()
        })
        .collect();
    for app in &mut apps {
        app.step().unwrap();
    }
    for app in &mut apps {
        app.step().unwrap();
    }
    for i in [0, 150, 299] {
        let log = read_log(&root.path().join(format!("p/many-{i}/log.jsonl")));
        assert_eq!(
            kinds(&log),
            ["begin_entry", "end_entry", "begin_entry", "end_entry"]
        );
    }
}

#[test]
fn the_client_is_a_state_loader() {
    let root = tempfile::tempdir().unwrap();
    let mut app = counter_app(root.path(), "loadme", None);
    app.step().unwrap();
    app.step().unwrap();
    let tracker = client(root.path());
    let row = burr_core::StateLoader::load(&tracker, None, "loadme", Some(0))
        .unwrap()
        .unwrap();
    assert_eq!((row.sequence_id, row.position.as_str()), (0, "counter"));
    assert_eq!(row.state.get::<i64>("counter").unwrap(), 1);
    let loader = TrackingLoader::with_root(root.path(), "p").unwrap();
    assert!(
        burr_core::StateLoader::load(&loader, None, "nope", None)
            .unwrap()
            .is_none()
    );
}

/// An async action whose spans stay open across `.await` points.
fn async_traced() -> FnAction {
    FnAction::new_async(["counter"], ["counter"], |state, _, ctx| async move {
        let outer = ctx.tracer().span("outer");
        tokio::task::yield_now().await;
        {
            let inner = ctx.tracer().span("inner");
            tokio::task::yield_now().await;
            inner.log_attribute("awaited", true);
        }
        drop(outer);
        let n: i64 = state.get("counter")?;
        Ok::<_, ActionError>(state.update("counter", n + 1))
    })
}

#[test]
fn async_steps_log_each_line_once() {
    let root = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut app = ApplicationBuilder::new()
            .with_action("traced", async_traced())
            .with_transition("traced", "traced", default())
            .with_state(State::new().update("counter", 0))
            .with_entrypoint("traced")
            .with_app_id("async")
            .with_tracker(client(root.path()))
            .build()
            .unwrap();
        app.step_async().await.unwrap();
        app.step_async().await.unwrap();
    });
    let log = read_log(&root.path().join("p/async/log.jsonl"));
    let step = [
        "begin_entry",
        "begin_span",
        "begin_span",
        "attribute",
        "end_span",
        "end_span",
        "end_entry",
    ];
    assert_eq!(kinds(&log), [step, step].concat());
    let LogRecord::BeginSpan(s) = &log[9] else {
        panic!()
    };
    assert_eq!(
        (s.span_id.as_str(), s.parent_span_id.as_deref()),
        ("1:0.0", Some("1:0"))
    );
    let LogRecord::Attribute(a) = &log[10] else {
        panic!()
    };
    assert_eq!(a.span_id.as_deref(), Some("1:0.0"));
}
