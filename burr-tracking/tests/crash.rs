//! A tracked application killed with SIGKILL in the middle of its run loses no completed step:
//! every complete line of its log parses, at most the last line is torn, every completed step
//! loads back, and a resumed run repairs the torn tail and continues the sequence. The client
//! writes a step's lines in one write at its end, and those of a step that outlasts its 50 ms
//! bound earlier: some steps here are slow, so that kills land both between steps and in a
//! step whose beginning is on disk and whose end is not.
//!
//! A tracked and SQLite-persisted application killed at random points resumes from either
//! record, the persister or the log, into one history that both hold alike
//! (`killed_tracked_and_persisted_runs_resume_from_either_source`; `BURR_CRASH_RUNS` sets the
//! number of kills, 12 by default).
//!
//! The application runs in a child process: this test binary re-executed with
//! `BURR_CRASH_CHILD` (tracked only) or `BURR_CRASH_PERSISTED_CHILD` (tracked and persisted)
//! set, which makes the `child_process_entry` test run the application forever instead of
//! returning.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use burr_core::{
    ActionError, Application, ApplicationBuilder, FnAction, InitializeFrom, State, StateSaver,
    default,
};
use burr_tracking::format::LogRecord;
use burr_tracking::{LocalTrackingClient, SqlitePersister, TrackingLoader, load_state};

const CHILD_ENV: &str = "BURR_CRASH_CHILD";
/// `<dir>` and `persister` or `log`: run the tracked and persisted application under `<dir>`,
/// resuming from that record.
const PERSISTED_CHILD_ENV: &str = "BURR_CRASH_PERSISTED_CHILD";
const APP: &str = "crashy";

/// Every how many steps one outlasts the tracking client's 50 ms bound (it sleeps
/// [`SLOW_STEP`] inside its span), so that a kill also lands in a step whose beginning, span
/// and attribute are on disk and whose end is not.
const SLOW_EVERY: i64 = 8;
const SLOW_STEP: Duration = Duration::from_millis(60);

/// Counts, opens a span with an attribute, and keeps a blob in the state so that lines are
/// large enough for a kill to land in the middle of a write now and then. Every
/// [`SLOW_EVERY`]th step is slow.
fn grow() -> FnAction {
    FnAction::new(["counter"], ["counter", "blob"], |state, _, ctx| {
        let n: i64 = state.get("counter")?;
        let span = ctx.tracer().span("work");
        span.log_attribute("n", n);
        if n % SLOW_EVERY == SLOW_EVERY - 1 {
            std::thread::sleep(SLOW_STEP);
        }
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

/// Where a tracked and persisted application resumes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Persister,
    Log,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Persister => "persister",
            Source::Log => "log",
        }
    }
}

fn db_path(dir: &Path) -> PathBuf {
    dir.join("state.db")
}

/// The application under `dir` (log under `dir`, SQLite in `dir/state.db`), tracked and
/// persisted, resumed from `source`.
fn build_persisted(dir: &Path, source: Source) -> Application {
    let tracker = LocalTrackingClient::new("p")
        .expect("valid project")
        .with_storage_dir(dir);
    let persister = || {
        let p = SqlitePersister::open(db_path(dir)).expect("the database opens");
        p.initialize().expect("the table is created");
        p
    };
    let start = State::new().update("counter", 0);
    let init = match source {
        Source::Persister => InitializeFrom::new(persister(), start, "grow"),
        Source::Log => InitializeFrom::new(tracker.loader().expect("valid project"), start, "grow"),
    };
    ApplicationBuilder::new()
        .with_action("grow", grow())
        .with_transition("grow", "grow", default())
        .initialize_from(init)
        .with_app_id(APP)
        .with_tracker(tracker)
        .with_state_persister(persister())
        .build()
        .unwrap_or_else(|e| panic!("resuming from the {}: {e}", source.name()))
}

#[test]
fn child_process_entry() {
    if let Some(root) = std::env::var_os(CHILD_ENV) {
        run_forever(Path::new(&root));
    }
    if let Some(spec) = std::env::var_os(PERSISTED_CHILD_ENV) {
        let spec = spec.into_string().expect("UTF-8");
        let (source, dir) = spec.split_once(':').expect("source:dir");
        let source = if source == "log" {
            Source::Log
        } else {
            Source::Persister
        };
        let mut app = build_persisted(Path::new(dir), source);
        loop {
            app.step().expect("the step runs");
        }
    }
}

/// Starts the child, waits until the log has grown past `min_len` bytes, then kills it.
fn run_and_kill(root: &Path, min_len: u64) {
    spawn_and_kill(CHILD_ENV, root.as_os_str(), &log_path(root), min_len, 0);
}

/// Starts the child with `env` set to `value`, waits until `log` has grown past `min_len`
/// bytes, lets it run `then_micros` more, then kills it.
fn spawn_and_kill(env: &str, value: &std::ffi::OsStr, log: &Path, min_len: u64, then_micros: u64) {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(env, value)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let log = log.to_path_buf();
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
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_micros(then_micros));
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

/// A small deterministic generator (xorshift64*), so that every run kills at the same points.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// What a kill left, before any resume: which record was ahead.
#[derive(Debug, Default)]
struct Cases {
    agree: u32,
    persister_ahead: u32,
    log_ahead: u32,
    in_step: u32,
    torn_tail: u32,
}

impl Cases {
    /// Classifies what the kill left under `dir`.
    fn count(&mut self, dir: &Path) {
        let bytes = fs::read(log_path(dir)).unwrap();
        let cut = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        if cut < bytes.len() {
            self.torn_tail += 1;
        }
        let (mut ended, mut begun) = (None, None);
        for line in bytes[..cut].split(|b| *b == b'\n') {
            match LogRecord::from_json_line(line) {
                Ok(LogRecord::EndEntry(e)) => ended = Some(e.sequence_id),
                Ok(LogRecord::BeginEntry(b)) => begun = Some(b.sequence_id),
                _ => {}
            }
        }
        let saved = support::sinks::saved(&db_path(dir), APP)
            .last()
            .map(|r| r.0);
        if begun > ended.max(saved) {
            self.in_step += 1;
        } else if saved > ended {
            self.persister_ahead += 1;
        } else if ended > saved {
            self.log_ahead += 1;
        } else {
            self.agree += 1;
        }
    }
}

#[test]
fn killed_tracked_and_persisted_runs_resume_from_either_source() {
    let runs = support::roots::env_count("BURR_CRASH_RUNS", 12);
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Cases::default();
    let mut resumed = 0;
    for run in 0..runs {
        // The child itself resumes (and reconciles) from the persister and the log in turn.
        let source = [Source::Persister, Source::Log][run as usize % 2];
        let len = fs::metadata(log_path(dir.path())).map_or(0, |m| m.len());
        let mut spec = std::ffi::OsString::from(format!("{}:", source.name()));
        spec.push(dir.path());
        spawn_and_kill(
            PERSISTED_CHILD_ENV,
            &spec,
            &log_path(dir.path()),
            len + 1 + rng.below(96 * 1024),
            // Up to a little longer than a slow step.
            rng.below(80_000),
        );
        cases.count(dir.path());
        // Resume a copy from each record: both must then hold the same gapless history.
        for source in [Source::Persister, Source::Log] {
            let copy = tempfile::tempdir().unwrap();
            support::roots::copy_dir(dir.path(), copy.path());
            let mut app = build_persisted(copy.path(), source);
            let next = app.sequence_id().map_or(0, |s| s + 1);
            for i in 0..3 {
                let step = app.step().unwrap().unwrap();
                assert_eq!(
                    step.sequence_id,
                    next + i,
                    "run {run}, from the {}",
                    source.name()
                );
            }
            drop(app);
            support::sinks::assert_consistent(
                &log_path(copy.path()),
                &db_path(copy.path()),
                APP,
                next + 3,
            );
            resumed += 1;
        }
    }
    eprintln!("{runs} kills, {resumed} resumes: {cases:?}");
    assert!(cases.persister_ahead + cases.in_step + cases.log_ahead + cases.agree == runs as u32);
}
