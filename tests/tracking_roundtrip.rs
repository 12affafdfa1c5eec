//! An application run with the local tracking client, read back: every line of the log
//! parses into the typed model and serializes back to the same bytes, `graph.json` and
//! `metadata.json` round-trip byte for byte, and the records tell the story of the run
//! (steps, spans of the tracer and of `#[trace]`, attributes, a stream, a failure).

use std::fs;

use burr::persistence::Status;
use burr::prelude::*;
use burr::stream::ActionStream;
use burr::tracking::format::{
    ApplicationMetadataModel, ApplicationModel, LogRecord, to_python_json,
};
use burr::tracking::read::{StreamEvent, steps_from_records};
use burr::tracking::{LocalTrackingClient, load_state};
use burr::{ActionContext, ActionKind, Call};
use serde_json::{Value, json};

#[trace(input_filterlist = ["token"])]
fn weigh(item: i64, token: &str) -> i64 {
    let _ = token;
    item * 10
}

#[action(reads = [count], writes = [count, weight])]
fn count(state: State, tracer: &Tracer) -> Result<State, ActionError> {
    let n: i64 = state.get("count")?;
    tracer.log_attribute("before", n);
    let weight = {
        let outer = tracer.span("outer");
        outer.log_attribute("phase", "weighing");
        let _inner = tracer.span_with_dependencies("inner", ["outer"]);
        weigh(n, "secret-token")
    };
    Ok(state.update("count", n + 1).update("weight", weight))
}

/// Streams the letters of `word`, then stores it.
struct Spell;

impl Action for Spell {
    fn reads(&self) -> Vec<String> {
        vec!["count".into()]
    }
    fn writes(&self) -> Vec<String> {
        vec!["spelled".into()]
    }
    fn kind(&self) -> ActionKind {
        ActionKind::Stream
    }
    fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        Call::Stream(ActionStream::from_fn(ctx, move |emit| {
            for letter in ["b", "u", "r", "r"] {
                emit.item(json!({ "letter": letter }))?;
            }
            let mut result = ResultMap::new();
            result.insert("word".into(), "burr".into());
            Ok(StepOutput {
                result,
                state: state.update("spelled", "burr"),
            })
        }))
    }
}

#[action(reads = [count], writes = [count])]
fn explode(state: State) -> Result<State, ActionError> {
    let _ = state;
    Err(ActionError::msg("the fuse was lit"))
}

#[test]
fn a_tracked_run_reads_back_into_the_typed_model() -> Result<(), Box<dyn std::error::Error>> {
    let root = tempfile::tempdir()?;
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![count, explode])
        .with_action("spell", Spell)
        .with_transition("count", "count", expr("count < 2")?)
        .with_transition("count", "spell", default())
        .with_transition("spell", "explode", default())
        .with_state(state! { count: 0 })
        .with_entrypoint("count")
        .with_app_id("roundtrip")
        .with_partition_key("tenant-é")
        .with_tracker(LocalTrackingClient::new("rt")?.with_storage_dir(root.path()))
        .build()?;
    app.run(halt_after(["count"]), Inputs::new())?;
    app.run(halt_after(["count"]), Inputs::new())?;
    let (_, mut stream) = app.stream_result(halt_after(["spell"]), Inputs::new())?;
    let letters: Vec<ResultMap> = stream.by_ref().collect();
    assert_eq!(letters.len(), 4);
    stream.finish()?;
    assert!(app.step().is_err());
    drop(app);

    let dir = root.path().join("rt/roundtrip");
    // graph.json and metadata.json: typed, and written exactly as the model writes them.
    let graph_text = fs::read_to_string(dir.join("graph.json"))?;
    let graph: ApplicationModel = serde_json::from_str(&graph_text)?;
    assert_eq!(to_python_json(&graph)?, graph_text);
    let names: Vec<&str> = graph.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["count", "explode", "spell"]);
    assert!(
        graph.actions[0].code.contains("fn count"),
        "the macro records the source"
    );
    assert_eq!(graph.transitions[0].condition, "count < 2");
    let metadata_text = fs::read_to_string(dir.join("metadata.json"))?;
    let metadata: ApplicationMetadataModel = serde_json::from_str(&metadata_text)?;
    assert_eq!(to_python_json(&metadata)?, metadata_text);
    assert!(
        metadata_text.contains(r#""tenant-\u00e9""#),
        "Python's ASCII escapes"
    );
    assert_eq!(metadata.partition_key.as_deref(), Some("tenant-é"));

    // log.jsonl: every line parses and writes back to the same bytes.
    let log_text = fs::read_to_string(dir.join("log.jsonl"))?;
    assert!(log_text.ends_with('\n'));
    let mut records = Vec::new();
    for line in log_text.lines() {
        let record = LogRecord::from_json_line(line.as_bytes())?;
        assert!(!matches!(record, LogRecord::Unknown(_)), "{line}");
        assert_eq!(record.to_json_line(), format!("{line}\n"));
        records.push(record);
    }
    assert!(!log_text.contains("secret-token"));

    let steps = steps_from_records(records.clone());
    let actions: Vec<(&str, u64, bool)> = steps
        .iter()
        .map(|s| {
            let end = s.step_end_log.as_ref().expect("every step ended");
            (
                s.step_start_log.action.as_str(),
                s.step_start_log.sequence_id,
                end.succeeded(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("count", 0, true),
            ("count", 1, true),
            ("spell", 2, true),
            ("explode", 3, false)
        ]
    );

    // The spans of a counting step: the tracer's two, then the `#[trace]` one inside.
    let first = &steps[0];
    let spans: Vec<(&str, &str, Option<&str>, bool)> = first
        .spans
        .iter()
        .map(|s| {
            let b = &s.begin_entry;
            (
                b.span_id.as_str(),
                b.span_name.as_str(),
                b.parent_span_id.as_deref(),
                s.end_entry.is_some(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("0:0", "outer", None, true),
            ("0:0.0", "inner", Some("0:0"), true),
            ("0:0.0.0", "weigh", Some("0:0.0"), true)
        ]
    );
    assert_eq!(first.spans[1].begin_entry.span_dependencies, ["outer"]);
    let attributes: Vec<(&str, Option<&str>)> = first
        .attributes
        .iter()
        .map(|a| (a.key.as_str(), a.span_id.as_deref()))
        .collect();
    assert_eq!(
        attributes,
        [
            ("before", None),
            ("phase", Some("0:0")),
            ("item", Some("0:0.0.0")),
            ("__burr_function", Some("0:0.0.0")),
            ("__burr_function_hash", Some("0:0.0.0")),
            ("return", Some("0:0.0.0")),
        ]
    );
    assert_eq!(first.attributes[5].value, json!(0));
    assert!(
        first
            .attributes
            .iter()
            .all(|a| a.tags.is_empty() && a.time_logged.is_some())
    );
    let end = first.step_end_log.as_ref().unwrap();
    assert_eq!(end.result, Some(Default::default()));
    assert_eq!(
        Value::Object(end.state.clone()),
        json!({"count": 1, "weight": 0, "__SEQUENCE_ID": 0, "__PRIOR_STEP": "count"})
    );

    // The streamed step: begin, first item once, and the end after the step's end_entry.
    let spell = &steps[2];
    let kinds: Vec<&str> = spell
        .streaming_events
        .iter()
        .map(|e| match e {
            StreamEvent::Begin(_) => "begin",
            StreamEvent::FirstItem(_) => "first_item",
            StreamEvent::End(_) => "end",
        })
        .collect();
    assert_eq!(kinds, ["begin", "first_item", "end"]);
    let StreamEvent::End(end_stream) = &spell.streaming_events[2] else {
        unreachable!()
    };
    assert_eq!(end_stream.items_streamed, 4);
    let position = |pred: &dyn Fn(&LogRecord) -> bool| records.iter().position(pred).unwrap();
    let spell_end = position(&|r| matches!(r, LogRecord::EndEntry(e) if e.sequence_id == 2));
    let stream_end = position(&|r| matches!(r, LogRecord::EndStream(_)));
    assert!(
        stream_end > spell_end,
        "end_stream follows the step's end_entry"
    );
    assert_eq!(
        spell
            .step_end_log
            .as_ref()
            .unwrap()
            .result
            .as_ref()
            .unwrap()["word"],
        "burr"
    );

    // The failed step: no result, a traceback-shaped text, the state before it.
    let failed = steps[3].step_end_log.as_ref().unwrap();
    assert_eq!(failed.result, None);
    let exception = failed.exception.as_deref().unwrap();
    assert!(exception.ends_with("ActionFailed: action `explode` failed: the fuse was lit\n"));
    assert_eq!(failed.state["__SEQUENCE_ID"], 3);
    assert_eq!(failed.state["__PRIOR_STEP"], "spell");

    // Every step loads back.
    for (seq, status) in [
        (0, Status::Completed),
        (2, Status::Completed),
        (3, Status::Failed),
    ] {
        let loaded = load_state(root.path(), "rt", "roundtrip", Some(seq))?;
        assert_eq!((loaded.sequence_id, loaded.status), (seq, status));
    }
    Ok(())
}
