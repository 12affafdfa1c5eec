//! How the tracking client's lines reach the disk: a step's lines in one write at its end, so
//! that a completed step is on disk when the step call returns, and a step that runs long
//! still shows its beginning, spans and attributes while it runs.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use burr_core::{ActionError, ApplicationBuilder, FnAction, State, StepOutput, default};
use burr_tracking::format::LogRecord;
use burr_tracking::{LocalTrackingClient, load_state};
use serde_json::json;

fn client(root: &Path) -> LocalTrackingClient {
    LocalTrackingClient::new("p")
        .unwrap()
        .with_storage_dir(root)
}

/// The kinds of the log's lines; every line parses and the log ends with a newline.
fn kinds(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "{text}");
    text.lines()
        .map(|l| {
            let record =
                LogRecord::from_json_line(l.as_bytes()).unwrap_or_else(|e| panic!("{e}: {l}"));
            record.type_name().into_owned()
        })
        .collect()
}

/// Opens `outer > inner` with an attribute on `outer`: seven lines with the step's own two.
fn traced() -> FnAction {
    FnAction::new(
        ["counter"],
        ["counter"],
        |s, _, ctx| -> Result<StepOutput, ActionError> {
            {
                let outer = ctx.tracer().span("outer");
                outer.log_attribute("k", 1);
                let _inner = ctx.tracer().span("inner");
            }
            let n: i64 = s.get("counter")?;
            Ok(StepOutput::state(s.update("counter", n + 1)))
        },
    )
}

#[test]
fn a_completed_step_is_on_disk_when_the_step_returns() {
    let root = tempfile::tempdir().unwrap();
    let log = root.path().join("p/done/log.jsonl");
    // The caller keeps a clone: the application's end is not the client's.
    let tracker = client(root.path());
    let mut app = ApplicationBuilder::new()
        .with_action("traced", traced())
        .with_transition("traced", "traced", default())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("traced")
        .with_app_id("done")
        .with_tracker(tracker.clone())
        .build()
        .unwrap();
    let step = [
        "begin_entry",
        "begin_span",
        "attribute",
        "begin_span",
        "end_span",
        "end_span",
        "end_entry",
    ];
    for n in 1..=3 {
        app.step().unwrap();
        // Read right away, in the same process, while the client lives on.
        assert_eq!(kinds(&log), step.repeat(n));
        let loaded = load_state(root.path(), "p", "done", None).unwrap();
        assert_eq!(loaded.sequence_id, n as u64 - 1);
        assert_eq!(loaded.state.get::<i64>("counter").unwrap(), n as i64);
    }
    drop(app);
    assert_eq!(kinds(&log), step.repeat(3));
}

/// A step that opens a span, logs an attribute, then blocks in user code until its own log
/// shows them (or far too long has passed); it keeps how long it waited and what it saw.
fn blocked(log: PathBuf) -> FnAction {
    FnAction::new(
        ["seen"],
        ["seen", "waited_ms"],
        move |s, _, ctx| -> Result<StepOutput, ActionError> {
            let span = ctx.tracer().span("look");
            span.log_attribute("phase", "waiting");
            let since = Instant::now();
            let text = loop {
                let text = fs::read_to_string(&log)?;
                if text.contains(r#""key":"phase""#) {
                    break text;
                }
                if since.elapsed() > Duration::from_secs(10) {
                    return Err(ActionError::msg(
                        "the running step's lines never reached the log",
                    ));
                }
                std::thread::sleep(Duration::from_millis(2));
            };
            let waited = since.elapsed().as_millis() as u64;
            drop(span);
            let seen: Vec<String> = text.lines().map(str::to_string).collect();
            Ok(StepOutput::state(
                s.update("seen", json!(seen)).update("waited_ms", waited),
            ))
        },
    )
}

#[test]
fn a_long_step_shows_its_beginning_and_spans_while_it_runs() {
    let root = tempfile::tempdir().unwrap();
    let log = root.path().join("p/live/log.jsonl");
    let mut app = ApplicationBuilder::new()
        .with_action("peek", blocked(log.clone()))
        .with_state(State::new().update("seen", json!([])))
        .with_entrypoint("peek")
        .with_app_id("live")
        .with_tracker(client(root.path()))
        .build()
        .unwrap();
    app.step().unwrap();
    let seen: Vec<String> = app.state().get("seen").unwrap();
    let waited: u64 = app.state().get("waited_ms").unwrap();
    eprintln!("the running step's lines were on disk after {waited} ms");
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen[0].starts_with(r#"{"type":"begin_entry""#), "{seen:?}");
    assert!(
        seen[1].starts_with(r#"{"type":"begin_span""#) && seen[1].contains(r#""span_name":"look""#)
    );
    assert!(seen[2].starts_with(r#"{"type":"attribute""#), "{seen:?}");
    // The bound is 50 ms; a loaded machine may add its own delay, never seconds.
    assert!(waited < 5_000, "{waited} ms");
    assert_eq!(
        kinds(&log),
        [
            "begin_entry",
            "begin_span",
            "attribute",
            "end_span",
            "end_entry"
        ]
    );
}

#[test]
fn steps_of_many_applications_on_many_threads_stay_whole() {
    let root = tempfile::tempdir().unwrap();
    let tracker = client(root.path());
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let tracker = tracker.clone();
            std::thread::spawn(move || {
                let mut app = ApplicationBuilder::new()
                    .with_action("traced", traced())
                    .with_transition("traced", "traced", default())
                    .with_state(State::new().update("counter", 0))
                    .with_entrypoint("traced")
                    .with_app_id(format!("t{i}"))
                    .with_tracker(tracker)
                    .build()
                    .unwrap();
                for _ in 0..100 {
                    app.step().unwrap();
                    // Some steps outlast the bound: their lines go out in two writes.
                    if i % 2 == 0 {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for i in 0..4 {
        let kinds = kinds(&root.path().join(format!("p/t{i}/log.jsonl")));
        assert_eq!(kinds.len(), 100 * 7);
        for step in kinds.chunks(7) {
            assert_eq!(step[0], "begin_entry");
            assert_eq!(step[6], "end_entry");
        }
    }
}
