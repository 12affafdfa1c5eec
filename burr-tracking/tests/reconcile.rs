//! A tracked and SQLite-persisted application whose two records disagree (the way a process
//! killed at the wrong moment leaves them) is reconciled when it resumes, from either record:
//! the persister ahead of the log, the log ahead of the persister, a step begun and never
//! ended, a torn last line. Afterwards both hold the same gapless sequence ids and states,
//! and Apache Burr's own server still reads the log.
//!
//! Everything runs on real files and a real SQLite database.
#![cfg(feature = "sqlite")]

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use burr_core::persistence::{Blocking, INTERRUPTED};
use burr_core::{
    ActionError, Application, ApplicationBuilder, FnAction, InitializeFrom, State, StateSaver,
    default,
};
use burr_tracking::format::LogRecord;
use burr_tracking::{LocalTrackingClient, SqlitePersister};
use support::sinks::{self, Row};

const APP: &str = "recon";

/// Where an application resumes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    Persister,
    Log,
}

const SOURCES: [Source; 2] = [Source::Persister, Source::Log];

fn grow() -> FnAction {
    FnAction::new(["counter"], ["counter"], |state, _, ctx| {
        let n: i64 = state.get("counter")?;
        ctx.tracer().span("work").log_attribute("n", n);
        Ok::<_, ActionError>(state.update("counter", n + 1))
    })
}

fn root(dir: &Path) -> PathBuf {
    dir.join("burr")
}

fn db(dir: &Path) -> PathBuf {
    dir.join("state.db")
}

fn log_path(dir: &Path) -> PathBuf {
    root(dir).join("p").join(APP).join("log.jsonl")
}

fn tracker(dir: &Path) -> LocalTrackingClient {
    LocalTrackingClient::new("p")
        .unwrap()
        .with_storage_dir(root(dir))
}

fn persister(dir: &Path) -> SqlitePersister {
    let p = SqlitePersister::open(db(dir)).unwrap();
    p.initialize().unwrap();
    p
}

fn init(dir: &Path, source: Source) -> InitializeFrom {
    let start = State::new().update("counter", 0);
    match source {
        Source::Persister => InitializeFrom::new(persister(dir), start, "grow"),
        Source::Log => InitializeFrom::new(tracker(dir).loader().unwrap(), start, "grow"),
    }
}

fn builder(dir: &Path, source: Source) -> ApplicationBuilder {
    ApplicationBuilder::new()
        .with_action("grow", grow())
        .with_transition("grow", "grow", default())
        .initialize_from(init(dir, source))
        .with_app_id(APP)
}

/// The application, tracked and persisted, resumed from `source`.
fn build(dir: &Path, source: Source) -> Application {
    builder(dir, source)
        .with_tracker(tracker(dir))
        .with_state_persister(persister(dir))
        .build()
        .unwrap_or_else(|e| panic!("resuming from {source:?}: {e}"))
}

fn run(dir: &Path, source: Source, steps: usize) {
    let mut app = build(dir, source);
    for _ in 0..steps {
        app.step().unwrap().unwrap();
    }
}

fn log_ends(dir: &Path) -> Vec<Row> {
    sinks::log_ends(&log_path(dir))
}

fn log_begins(dir: &Path) -> Vec<u64> {
    sinks::log_begins(&log_path(dir))
}

fn saved(dir: &Path) -> Vec<Row> {
    sinks::saved(&db(dir), APP)
}

fn delete_saved(dir: &Path, sequence_id: u64) {
    let conn = rusqlite::Connection::open(db(dir)).unwrap();
    let n = conn
        .execute(
            "DELETE FROM burr_state WHERE app_id = ?1 AND sequence_id = ?2",
            rusqlite::params![APP, sequence_id as i64],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn assert_consistent(dir: &Path, len: u64) -> Vec<Row> {
    sinks::assert_consistent(&log_path(dir), &db(dir), APP, len)
}

/// Removes the log's last `n` lines.
fn drop_last_lines(dir: &Path, n: usize) -> String {
    let text = fs::read_to_string(log_path(dir)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let removed = lines.split_off(lines.len() - n).join("\n");
    fs::write(
        log_path(dir),
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    removed
}

/// Removes the lines of the last step that follow its `begin_entry` (its span, attribute and
/// `end_entry`): the log is one step behind, as after a kill between the save and the end.
fn drop_last_end(dir: &Path) {
    let text = fs::read_to_string(log_path(dir)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let begin = lines
        .iter()
        .rposition(|l| l.contains("\"begin_entry\""))
        .unwrap();
    let end = lines
        .iter()
        .rposition(|l| l.contains("\"end_entry\""))
        .unwrap();
    assert!(end > begin);
    drop_last_lines(dir, lines.len() - end);
}

#[test]
fn persister_ahead_the_log_gets_the_missing_end_entry() {
    for source in SOURCES {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), source, 3);
        drop_last_end(dir.path());
        assert_eq!(log_ends(dir.path()).len(), 2);

        let mut app = build(dir.path(), source);
        assert_eq!(app.sequence_id(), Some(2), "{source:?}");
        assert_consistent(dir.path(), 3);
        app.step().unwrap();
        app.step().unwrap();
        assert_consistent(dir.path(), 5);
    }
}

#[test]
fn persister_ahead_without_a_begin_entry_the_log_gets_both() {
    for source in SOURCES {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), source, 3);
        // The whole last step is missing from the log, its begin_entry included.
        let text = fs::read_to_string(log_path(dir.path())).unwrap();
        let from = text.rfind("{\"type\":\"begin_entry\"").unwrap();
        fs::write(log_path(dir.path()), &text[..from]).unwrap();
        assert_eq!(log_begins(dir.path()), [0, 1]);

        let mut app = build(dir.path(), source);
        assert_eq!(log_begins(dir.path()), [0, 1, 2], "{source:?}");
        app.step().unwrap();
        assert_consistent(dir.path(), 4);
    }
}

#[test]
fn log_ahead_the_persister_saves_the_missing_step() {
    for source in SOURCES {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), source, 3);
        delete_saved(dir.path(), 2);
        delete_saved(dir.path(), 1);

        let mut app = build(dir.path(), source);
        assert_eq!(app.sequence_id(), Some(2), "{source:?}");
        assert_eq!(saved(dir.path()).len(), 3);
        app.step().unwrap();
        assert_consistent(dir.path(), 4);
    }
}

#[test]
fn a_step_begun_and_never_ended_is_closed_as_failed_and_runs_again() {
    for source in SOURCES {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), source, 2);
        // Killed inside the third step's action: its begin_entry and a span are written.
        let mut log = fs::read_to_string(log_path(dir.path())).unwrap();
        log.push_str(r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"grow","inputs":{},"sequence_id":2}"#);
        log.push('\n');
        log.push_str(r#"{"type":"begin_span","start_time":"2024-01-01T00:00:00","action_sequence_id":2,"span_id":"2:0","span_name":"work","parent_span_id":null,"span_dependencies":[]}"#);
        log.push('\n');
        fs::write(log_path(dir.path()), log).unwrap();

        let mut app = build(dir.path(), source);
        let rows = assert_consistent(dir.path(), 3);
        assert_eq!(
            rows[2],
            (2, true, 2),
            "{source:?}: closed as failed, state before"
        );
        let text = fs::read_to_string(log_path(dir.path())).unwrap();
        let last = text.lines().last().unwrap();
        let Ok(LogRecord::EndEntry(end)) = LogRecord::from_json_line(last.as_bytes()) else {
            panic!("{last}");
        };
        assert_eq!(end.exception.as_deref(), Some(INTERRUPTED));

        // The interrupted action runs again, under the next sequence id.
        assert_eq!(app.next_action(), Some("grow"));
        let step = app.step().unwrap().unwrap();
        assert_eq!(step.sequence_id, 3);
        assert_eq!(step.state.get::<i64>("counter").unwrap(), 3);
        assert_consistent(dir.path(), 4);
    }
}

#[test]
fn a_step_begun_in_a_fresh_application_restarts_from_the_default_state() {
    for source in SOURCES {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(log_path(dir.path()).parent().unwrap()).unwrap();
        fs::write(
            log_path(dir.path()),
            concat!(r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"grow","inputs":{},"sequence_id":0}"#, "\n"),
        )
        .unwrap();
        let mut app = build(dir.path(), source);
        assert_eq!(
            assert_consistent(dir.path(), 1),
            [(0, true, 0)],
            "{source:?}"
        );
        app.step().unwrap();
        assert_consistent(dir.path(), 2);
    }
}

#[test]
fn a_torn_last_line_is_cut_before_the_repair() {
    for source in SOURCES {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), source, 3);
        // Killed in the middle of writing the last end_entry.
        let end = drop_last_lines(dir.path(), 1);
        assert!(end.contains("\"end_entry\""));
        let mut log = fs::read(log_path(dir.path())).unwrap();
        log.extend_from_slice(&end.as_bytes()[..end.len() / 2]);
        fs::write(log_path(dir.path()), log).unwrap();

        let mut app = build(dir.path(), source);
        assert_consistent(dir.path(), 3);
        app.step().unwrap();
        assert_consistent(dir.path(), 4);
    }
}

#[test]
fn the_repair_runs_again_when_nothing_is_left_to_repair() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), Source::Log, 3);
    drop_last_end(dir.path());
    drop(build(dir.path(), Source::Log));
    let before = fs::read(log_path(dir.path())).unwrap();
    drop(build(dir.path(), Source::Persister));
    drop(build(dir.path(), Source::Log));
    assert_eq!(
        fs::read(log_path(dir.path())).unwrap(),
        before,
        "nothing more is written"
    );
    assert_consistent(dir.path(), 3);
}

#[test]
fn a_tracker_added_later_starts_its_log_without_copying_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut untracked = builder(dir.path(), Source::Persister)
        .with_state_persister(persister(dir.path()))
        .build()
        .unwrap();
    for _ in 0..5 {
        untracked.step().unwrap();
    }
    drop(untracked);
    let mut app = build(dir.path(), Source::Persister);
    assert!(
        log_ends(dir.path()).is_empty(),
        "nothing copied into the new log"
    );
    app.step().unwrap();
    let ends: Vec<u64> = log_ends(dir.path()).iter().map(|r| r.0).collect();
    assert_eq!(ends, [5]);
}

#[test]
fn an_application_with_one_sink_is_not_reconciled() {
    let dir = tempfile::tempdir().unwrap();
    let tracked = || {
        builder(dir.path(), Source::Log)
            .with_tracker(tracker(dir.path()))
            .build()
            .unwrap()
    };
    let mut app = tracked();
    app.step().unwrap();
    drop(app);
    let mut log = fs::read_to_string(log_path(dir.path())).unwrap();
    log.push_str(r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"grow","inputs":{},"sequence_id":1}"#);
    log.push('\n');
    fs::write(log_path(dir.path()), &log).unwrap();

    let app = tracked();
    assert_eq!(
        fs::read_to_string(log_path(dir.path())).unwrap(),
        log,
        "left as it was"
    );
    assert_eq!(app.sequence_id(), Some(0));
    assert!(!db(dir.path()).exists());
}

#[test]
fn async_builds_reconcile_the_same_way() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    for source in SOURCES {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), source, 3);
        drop_last_end(dir.path());
        rt.block_on(async {
            let mut app = builder(dir.path(), source)
                .with_tracker(tracker(dir.path()))
                .with_state_persister(Blocking::new(persister(dir.path())))
                .build_async()
                .await
                .unwrap();
            assert_consistent(dir.path(), 3);
            app.step_async().await.unwrap();
        });
        assert_consistent(dir.path(), 4);
    }
}

#[test]
fn apache_burrs_server_reads_a_repaired_log() {
    let what = "Apache Burr's server on a repaired log";
    if support::python::burr_package(what, &["burr.tracking.server.run", "uvicorn"]).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), Source::Log, 3);
    // Step 2 lost its end_entry; step 3 began and never ended.
    drop_last_end(dir.path());
    let mut log = fs::read_to_string(log_path(dir.path())).unwrap();
    log.push_str(r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"grow","inputs":{},"sequence_id":3}"#);
    log.push('\n');
    fs::write(log_path(dir.path()), log).unwrap();
    build(dir.path(), Source::Log).step().unwrap();
    assert_consistent(dir.path(), 5);

    let server =
        support::burr_server::BurrServer::start(&root(dir.path()), dir.path().join("server.log"));
    let logs = server.get(&format!("/api/v0/p/{APP}/__none__/apps"));
    let steps = logs["steps"].as_array().unwrap();
    let ids: Vec<u64> = steps
        .iter()
        .map(|s| s["step_start_log"]["sequence_id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [0, 1, 2, 3, 4]);
    for (i, step) in steps.iter().enumerate() {
        let end = &step["step_end_log"];
        assert_eq!(end["sequence_id"], i as u64, "{step}");
        assert_eq!(end["exception"].is_string(), i == 3, "{step}");
    }
    let page = server.get("/api/v0/p/__none__/apps?limit=10");
    assert_eq!(page["applications"][0]["num_steps"], 5, "{page}");
}
