//! A tracked application killed with SIGKILL in the middle of its run loses no completed step:
//! every complete line of its log parses, at most the last line is torn, every completed step
//! loads back, and a resumed run repairs the torn tail and continues the sequence.
//!
//! The application runs in a child process: this test binary re-executed with
//! `BURR_CRASH_CHILD` set, which makes the `child_process_entry` test run the application
//! forever instead of returning.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use burr_core::{ActionError, ApplicationBuilder, FnAction, InitializeFrom, State, default};
use burr_tracking::format::LogRecord;
use burr_tracking::{LocalTrackingClient, TrackingLoader, load_state};

const CHILD_ENV: &str = "BURR_CRASH_CHILD";
const APP: &str = "crashy";

/// Counts, opens a span with an attribute, and keeps a blob in the state so that lines are
/// large enough for a kill to land in the middle of a write now and then.
fn grow() -> FnAction {
    FnAction::new(["counter"], ["counter", "blob"], |state, _, ctx| {
        let n: i64 = state.get("counter")?;
        let span = ctx.tracer().span("work");
        span.log_attribute("n", n);
        drop(span);
        let blob = format!("{n:08}").repeat(1024);
        Ok::<_, ActionError>(state.update("counter", n + 1).update("blob", blob))
    })
}

/// Runs the application under `root` until killed (resuming from its log if it has one).
fn run_forever(root: &Path) -> ! {
    let tracker = LocalTrackingClient::new("p")
        .expect("valid project")
        .with_storage_dir(root);
    let loader = TrackingLoader::with_root(root, "p").expect("valid project");
    let mut app = ApplicationBuilder::new()
        .with_action("grow", grow())
        .with_transition("grow", "grow", default())
        .initialize_from(InitializeFrom::new(
            loader,
            State::new().update("counter", 0),
            "grow",
        ))
        .with_app_id(APP)
        .with_tracker(tracker)
        .build()
        .expect("the application builds");
    loop {
        app.step().expect("the step runs");
    }
}

#[test]
fn child_process_entry() {
    if let Some(root) = std::env::var_os(CHILD_ENV) {
        run_forever(Path::new(&root));
    }
}

/// Starts the child, waits until the log has grown past `min_len` bytes, then kills it.
fn run_and_kill(root: &Path, min_len: u64) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let log = log_path(root);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let len = fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        if len > min_len {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child exited on its own: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "the child wrote too little in time"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no destructor, no flush, no chance to finish the current write.
    child.kill().unwrap();
    child.wait().unwrap();
}

fn log_path(root: &Path) -> PathBuf {
    root.join("p").join(APP).join("log.jsonl")
}

struct Checked {
    /// Sequence ids of the completed steps, in file order.
    completed: Vec<u64>,
    torn_tail: bool,
}

/// Every line but a torn last one parses; returns the completed steps.
fn check_log(root: &Path) -> Checked {
    let bytes = fs::read(log_path(root)).unwrap();
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let tail = lines.pop().unwrap_or_default();
    // Bytes after the last newline are the torn remains of the write the kill interrupted.
    let torn_tail = !tail.is_empty();
    let mut completed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record = LogRecord::from_json_line(line).unwrap_or_else(|e| {
            panic!(
                "line {} does not parse ({e}): {}",
                i + 1,
                String::from_utf8_lossy(line)
            )
        });
        if let LogRecord::EndEntry(e) = record {
            assert_eq!(e.state["counter"], e.sequence_id + 1);
            completed.push(e.sequence_id);
        }
    }
    Checked {
        completed,
        torn_tail,
    }
}

fn check_reloads(root: &Path, completed: &[u64]) {
    for &seq in completed {
        let loaded = load_state(root, "p", APP, Some(seq))
            .unwrap_or_else(|e| panic!("step {seq} does not load: {e}"));
        assert_eq!(loaded.sequence_id, seq);
        assert_eq!(loaded.position, "grow");
        assert_eq!(loaded.state.get::<u64>("counter").unwrap(), seq + 1);
    }
    let last = load_state(root, "p", APP, None).unwrap();
    assert_eq!(Some(&last.sequence_id), completed.last());
}

#[test]
fn a_killed_run_loses_no_completed_step_and_resumes() {
    let root = tempfile::tempdir().unwrap();

    run_and_kill(root.path(), 1 << 20);
    let first = check_log(root.path());
    assert!(
        first.completed.len() > 10,
        "{} steps",
        first.completed.len()
    );
    let expected: Vec<u64> = (0..first.completed.len() as u64).collect();
    assert_eq!(first.completed, expected, "steps are consecutive from 0");
    check_reloads(root.path(), &first.completed);

    // Resume in a new process: the torn tail (if any) is cut, the sequence continues.
    let len = fs::metadata(log_path(root.path())).unwrap().len();
    run_and_kill(root.path(), len + (1 << 20));
    let second = check_log(root.path());
    assert!(second.completed.len() > first.completed.len() + 10);
    let expected: Vec<u64> = (0..second.completed.len() as u64).collect();
    assert_eq!(
        second.completed, expected,
        "the resumed run continues the sequence"
    );
    check_reloads(root.path(), &second.completed);
    eprintln!(
        "completed steps: {} then {}; torn tails: {} then {}",
        first.completed.len(),
        second.completed.len(),
        first.torn_tail,
        second.torn_tail
    );
}

#[test]
fn resuming_cuts_a_torn_tail_before_appending() {
    let root = tempfile::tempdir().unwrap();
    let tracker = || {
        LocalTrackingClient::new("p")
            .unwrap()
            .with_storage_dir(root.path())
    };
    let build = || {
        ApplicationBuilder::new()
            .with_action("grow", grow())
            .with_transition("grow", "grow", default())
            .initialize_from(InitializeFrom::new(
                TrackingLoader::with_root(root.path(), "p").unwrap(),
                State::new().update("counter", 0),
                "grow",
            ))
            .with_app_id(APP)
            .with_tracker(tracker())
            .build()
            .unwrap()
    };
    let mut app = build();
    app.step().unwrap();
    app.step().unwrap();
    drop(app);
    // Simulate a crash in the middle of the third step's first line.
    let path = log_path(root.path());
    let mut bytes = fs::read(&path).unwrap();
    let intact = bytes.len();
    bytes.extend_from_slice(br#"{"type":"begin_entry","start_ti"#);
    fs::write(&path, &bytes).unwrap();

    let mut app = build();
    assert_eq!(fs::metadata(&path).unwrap().len() as usize, intact);
    let step = app.step().unwrap().unwrap();
    assert_eq!(step.sequence_id, 2);
    let checked = check_log(root.path());
    assert_eq!(checked.completed, [0, 1, 2]);
    assert!(!checked.torn_tail);
}
