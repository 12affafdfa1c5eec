//! The flusher: a small thread per client that writes out the lines a step has held for too
//! long, so that a step that runs long (blocked in a model call, waiting for a human) still
//! shows its `begin_entry`, spans and attributes while it runs.
//!
//! A log holding lines is looked at every [`TICK`]; lines found held at two looks in a row,
//! with no write in between, have waited at least one tick and at most two (less than
//! [`BOUND`]), and are written out. The steps themselves never read a clock for this: a hook
//! only says, when a log starts holding lines, that the flusher should wake up if it sleeps.
//! With no log holding anything the thread sleeps until that happens; it stops when the last
//! clone of its client is dropped, after writing out whatever is still held.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::logs::Logs;

/// The longest a held line waits before the flusher writes it out.
pub(super) const BOUND: Duration = Duration::from_millis(50);

/// How often the flusher looks at the logs while some hold lines: held lines are written out
/// between one and two ticks after they were first held (20 to 40 ms), within [`BOUND`] even
/// when the thread wakes up a little late.
pub(super) const TICK: Duration = Duration::from_millis(20);

const _: () = assert!(2 * TICK.as_millis() < BOUND.as_millis());

/// How a flusher is woken up and told to stop.
#[derive(Debug, Default)]
pub(super) struct Wake {
    /// Whether the client is going away.
    stop: Mutex<bool>,
    cv: Condvar,
    /// The flusher found nothing held and sleeps until a log holds lines again.
    idle: AtomicBool,
}

impl Wake {
    /// A log has started holding lines: wakes the flusher if it sleeps for want of work.
    ///
    /// The flusher marks itself idle *before* it looks at the logs, and a log's lines are
    /// held under the log's lock, which the flusher's look takes too: either the look sees
    /// the held lines, or this call sees the flusher idle and wakes it.
    pub(super) fn held(&self) {
        if self.idle.load(Ordering::Relaxed) && self.idle.swap(false, Ordering::AcqRel) {
            let _stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
            self.cv.notify_one();
        }
    }
}

/// The running flusher thread of one client; dropping it stops the thread and joins it.
#[derive(Debug)]
pub(super) struct Flusher {
    logs: Arc<Logs>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Starts the flusher of `logs`; `None` when no thread can be started (lines are then
    /// written at once).
    pub(super) fn start(logs: &Arc<Logs>) -> Option<Flusher> {
        let watched = Arc::clone(logs);
        let tick = logs.tick;
        let thread = std::thread::Builder::new()
            .name("burr-tracking-flush".into())
            .spawn(move || run(&watched, tick));
        match thread {
            Ok(thread) => Some(Flusher {
                logs: Arc::clone(logs),
                thread: Some(thread),
            }),
            Err(e) => {
                tracing::warn!(
                    target: "burr_tracking::client",
                    "cannot start the tracking flusher ({e}): every line is written at once"
                );
                None
            }
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        let wake = &self.logs.wake;
        *wake.stop.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.cv.notify_all();
        if let Some(thread) = self.thread.take() {
            // The thread only ever takes the logs' locks for a write: it ends promptly.
            let _ = thread.join();
        }
    }
}

/// The flusher's loop: a look at the logs every `tick` while some hold lines, else sleep.
fn run(logs: &Logs, tick: Duration) {
    let wake = &logs.wake;
    loop {
        wake.idle.store(true, Ordering::SeqCst);
        let pending = logs.flush_overdue();
        let mut stop = wake.stop.lock().unwrap_or_else(PoisonError::into_inner);
        if pending {
            wake.idle.store(false, Ordering::SeqCst);
            let next = Instant::now() + tick;
            while !*stop {
                let now = Instant::now();
                if now >= next {
                    break;
                }
                stop = wake
                    .cv
                    .wait_timeout(stop, next - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        } else {
            while !*stop && wake.idle.load(Ordering::SeqCst) {
                stop = wake.cv.wait(stop).unwrap_or_else(PoisonError::into_inner);
            }
        }
        if *stop {
            break;
        }
    }
    logs.flush_all();
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use burr_core::{ActionError, ApplicationBuilder, FnAction, State, StepOutput, default};

    use super::super::LocalTrackingClient;
    use super::super::logs::Shared;

    /// A client whose flusher looks at the logs every `tick`.
    fn client(root: &Path, tick: Duration) -> LocalTrackingClient {
        let mut client = LocalTrackingClient::new("p")
            .unwrap()
            .with_storage_dir(root);
        client.shared = Arc::new(Shared::with_tick(tick));
        client
    }

    fn log_len(root: &Path) -> u64 {
        std::fs::metadata(root.join("p/app/log.jsonl")).map_or(0, |m| m.len())
    }

    /// Three nested spans, two attributes, and what the log's length was in the middle of
    /// the step (after the spans) and at its start, as `[start, middle]` in `lens`.
    fn spans_action(root: &Path) -> FnAction {
        let root = root.to_path_buf();
        FnAction::new(
            ["counter", "lens"],
            ["counter", "lens"],
            move |s, _, ctx| -> Result<StepOutput, ActionError> {
                let start = log_len(&root);
                {
                    let outer = ctx.tracer().span("outer");
                    outer.log_attribute("k", 1);
                    let middle = ctx.tracer().span("middle");
                    middle.log_attribute("half", 2);
                    let _inner = ctx.tracer().span("inner");
                }
                let middle = log_len(&root);
                let n: i64 = s.get("counter")?;
                let mut lens: Vec<u64> = s.get("lens")?;
                lens.extend([start, middle]);
                Ok(StepOutput::state(
                    s.update("counter", n + 1).update("lens", lens),
                ))
            },
        )
    }

    #[test]
    fn a_step_with_spans_is_written_in_one_write() {
        let root = tempfile::tempdir().unwrap();
        // The flusher never comes back during the test: every write is a step's own.
        let tracker = client(root.path(), Duration::from_secs(3600));
        let mut app = ApplicationBuilder::new()
            .with_action("traced", spans_action(root.path()))
            .with_transition("traced", "traced", default())
            .with_state(State::new().update("counter", 0).update("lens", [0u64; 0]))
            .with_entrypoint("traced")
            .with_app_id("app")
            .with_tracker(tracker.clone())
            .build()
            .unwrap();
        let mut ends = vec![0];
        for step in 1..=3 {
            app.step().unwrap();
            assert_eq!(tracker.shared.writes("app"), Some(step));
            ends.push(log_len(root.path()));
        }
        // Nothing reached the file while a step ran; each step grew it once, at its end.
        let lens: Vec<u64> = app.state().get("lens").unwrap();
        let during: Vec<u64> = lens.chunks(2).flat_map(|c| c.to_vec()).collect();
        let expected: Vec<u64> = ends[..3].iter().flat_map(|&e| [e, e]).collect();
        assert_eq!(during, expected);
        let text = std::fs::read_to_string(root.path().join("p/app/log.jsonl")).unwrap();
        // begin_entry, 3 begin_span, 2 attribute, 3 end_span, end_entry.
        assert_eq!(text.lines().count(), 3 * 10);
        assert!(text.lines().all(|l| l.starts_with('{') && l.ends_with('}')));
    }

    #[test]
    fn held_lines_of_a_long_step_are_written_within_the_bound() {
        let root = tempfile::tempdir().unwrap();
        let tracker = client(root.path(), super::TICK);
        let watched = root.path().to_path_buf();
        let blocked = FnAction::new(
            ["waited_ms"],
            ["waited_ms"],
            move |s, _, ctx| -> Result<StepOutput, ActionError> {
                let span = ctx.tracer().span("blocked");
                let since = Instant::now();
                let path = watched.join("p/app/log.jsonl");
                // Blocked in user code until the span is on disk (or far too long).
                while !std::fs::read_to_string(&path)?.contains("\"span_name\":\"blocked\"") {
                    assert!(since.elapsed() < Duration::from_secs(10), "never written");
                    std::thread::sleep(Duration::from_millis(1));
                }
                let waited = since.elapsed().as_millis() as u64;
                drop(span);
                Ok(StepOutput::state(s.update("waited_ms", waited)))
            },
        );
        let mut app = ApplicationBuilder::new()
            .with_action("blocked", blocked)
            .with_state(State::new().update("waited_ms", 0))
            .with_entrypoint("blocked")
            .with_app_id("app")
            .with_tracker(tracker.clone())
            .build()
            .unwrap();
        app.step().unwrap();
        let waited: u64 = app.state().get("waited_ms").unwrap();
        // Between one and two ticks, give or take the scheduler of a busy machine.
        assert!(waited >= super::TICK.as_millis() as u64 - 5, "{waited} ms");
        assert!(waited < 2_000, "{waited} ms");
        // The early write and the step's own.
        assert_eq!(tracker.shared.writes("app"), Some(2));
        let text = std::fs::read_to_string(root.path().join("p/app/log.jsonl")).unwrap();
        let kinds: Vec<&str> = text
            .lines()
            .map(|l| l.split('"').nth(3).unwrap_or_default())
            .collect();
        assert_eq!(
            kinds,
            ["begin_entry", "begin_span", "end_span", "end_entry"]
        );
    }

    #[test]
    fn dropping_the_last_clone_writes_what_is_held_and_stops_the_flusher() {
        let root = tempfile::tempdir().unwrap();
        let tracker = client(root.path(), Duration::from_secs(3600));
        let app = ApplicationBuilder::new()
            .with_action(
                "noop",
                FnAction::new(Vec::<String>::new(), Vec::<String>::new(), |s, _, _| {
                    Ok::<_, ActionError>(s)
                }),
            )
            .with_entrypoint("noop")
            .with_app_id("app")
            .with_tracker(tracker.clone())
            .build()
            .unwrap();
        // A line held as if a step had begun and its process moved on.
        let line = crate::format::BeginEntryLine {
            start_time: crate::format::Timestamp::local_at(std::time::SystemTime::now()),
            action: "noop",
            inputs: &serde_json::Map::new(),
            sequence_id: 0,
        };
        tracker.append("app", "begin_entry", &line, true);
        assert_eq!(log_len(root.path()), 0);
        let started = Instant::now();
        drop(app);
        drop(tracker);
        // The flusher was asleep for an hour: stopping it did not wait for that.
        assert!(started.elapsed() < Duration::from_secs(5));
        let text = std::fs::read_to_string(root.path().join("p/app/log.jsonl")).unwrap();
        assert!(text.starts_with("{\"type\":\"begin_entry\"") && text.ends_with("}\n"));
    }
}
