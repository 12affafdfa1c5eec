//! Async parallel steps on a multi-threaded tokio runtime: each sub-application is its own
//! tokio task, so the workers run them in parallel, within the concurrency limit, in task
//! order, stopping the others on the first failure (or panic, or cancellation), with their
//! `tracing` spans nested under the parent's step. On a current-thread runtime they stay
//! futures interleaved on the parent's task, with the same results.

mod support;

use std::collections::HashSet;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use burr_core::parallel::{Parallel, RunnableGraph, SubApplicationError, child_app_id};
use burr_core::*;
use tokio::runtime::Runtime;
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A multi-threaded runtime with `n` workers.
fn workers(n: usize) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(n)
        .enable_all()
        .build()
        .unwrap()
}

/// Both flavours, named for assertion messages.
fn runtimes() -> [(&'static str, Runtime); 2] {
    [("current-thread", support::rt()), ("4 workers", workers(4))]
}

/// How many children are inside their action now, and the most there ever were at once.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    fn enter(&self) {
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.peak.fetch_max(now, SeqCst);
    }

    fn exit(&self) {
        self.now.fetch_sub(1, SeqCst);
    }

    fn peak(&self) -> usize {
        self.peak.load(SeqCst)
    }
}

/// Counts its drops: held by a child's future, it says when the future is gone. It drops
/// slowly (blocking 20 ms first), so that a parent returning before its children are gone is
/// caught.
struct OnDrop(Arc<AtomicUsize>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        std::thread::sleep(Duration::from_millis(20));
        self.0.fetch_add(1, SeqCst);
    }
}

/// Awaits until `done` holds, checking every millisecond; gives up after 10 s (the caller's
/// assertions then fail) so that a broken build fails instead of hanging.
async fn until(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A parent whose only step maps `work` over `n` states `{i}` (tasks `0-0` .. `0-{n-1}`) and
/// collects the children's `i`s into `results`, at most `limit` at once (or the default).
fn fanout(work: FnAction, n: i64, limit: Option<usize>) -> Application {
    let mut action = Parallel::map_states(RunnableGraph::from_action("work", work), move |_, _| {
        Ok((0..n).map(|i| State::new().update("i", i)).collect())
    })
    .with_writes(["results"])
    .reduce(|s, children| {
        let is: Vec<i64> = children
            .iter()
            .map(|c| c.get("i"))
            .collect::<Result<_, _>>()?;
        Ok(s.update("results", is))
    });
    if let Some(limit) = limit {
        action = action.concurrency(limit);
    }
    parent_of(action)
}

fn parent_of(action: Parallel) -> Application {
    ApplicationBuilder::new()
        .with_action("fanout", action)
        .with_entrypoint("fanout")
        .with_app_id("parent")
        .build()
        .unwrap()
}

/// Runs the parent's step on `rt`; the children's `i`s, in the order reduced.
fn run_on(rt: &Runtime, app: &mut Application) -> Result<Vec<i64>, Error> {
    let out = rt.block_on(app.run_async(halt_after(["fanout"]), ()))?;
    Ok(out.state.get("results")?)
}

fn threads_seen() -> Arc<Mutex<HashSet<ThreadId>>> {
    Arc::default()
}

#[test]
fn children_run_on_several_worker_threads_at_once() {
    let threads = threads_seen();
    let gauge = Arc::new(Gauge::default());
    let work = {
        let (threads, gauge) = (threads.clone(), gauge.clone());
        // Sync, so it holds its thread: two children can only be inside it at once on two
        // threads. Each waits (blocking) until a second child got in, or gives up after 10 s.
        FnAction::new(["i"], None::<&str>, move |s, _, _| {
            threads.lock().unwrap().insert(std::thread::current().id());
            gauge.enter();
            let deadline = Instant::now() + Duration::from_secs(10);
            while gauge.peak() < 2 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(5));
            gauge.exit();
            Ok::<_, ActionError>(s)
        })
    };
    let mut app = fanout(work, 4, None);
    let results = run_on(&workers(4), &mut app).unwrap();
    assert_eq!(results, vec![0, 1, 2, 3]);
    let threads = threads.lock().unwrap();
    assert!(gauge.peak() >= 2, "peak {}", gauge.peak());
    assert!(threads.len() >= 2, "{threads:?}");
    // `block_on` polls the parent on this thread, which is not a worker: the children were
    // spawned.
    assert!(!threads.contains(&std::thread::current().id()));
}

#[test]
fn on_a_current_thread_runtime_children_share_the_parents_thread() {
    let threads = threads_seen();
    let gauge = Arc::new(Gauge::default());
    let work = {
        let (threads, gauge) = (threads.clone(), gauge.clone());
        FnAction::new_async(["i"], None::<&str>, move |s, _, _| {
            let (threads, gauge) = (threads.clone(), gauge.clone());
            async move {
                threads.lock().unwrap().insert(std::thread::current().id());
                gauge.enter();
                tokio::time::sleep(Duration::from_millis(2)).await;
                gauge.exit();
                Ok::<_, ActionError>(s)
            }
        })
    };
    let mut app = fanout(work, 6, Some(3));
    let results = run_on(&support::rt(), &mut app).unwrap();
    assert_eq!(results, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(
        *threads.lock().unwrap(),
        HashSet::from([std::thread::current().id()])
    );
    // Interleaved, they still overlap while they wait, up to the limit.
    assert_eq!(gauge.peak(), 3);
}

#[test]
fn the_concurrency_limit_holds_on_worker_threads() {
    let gauge = Arc::new(Gauge::default());
    let work = {
        let gauge = gauge.clone();
        FnAction::new_async(["i"], None::<&str>, move |s, _, _| {
            let gauge = gauge.clone();
            async move {
                gauge.enter();
                // Holds a worker, then waits: without the limit, all 12 would pile up.
                std::thread::sleep(Duration::from_millis(2));
                tokio::time::sleep(Duration::from_millis(3)).await;
                gauge.exit();
                Ok::<_, ActionError>(s)
            }
        })
    };
    let mut app = fanout(work, 12, Some(3));
    let results = run_on(&workers(4), &mut app).unwrap();
    assert_eq!(results, (0..12).collect::<Vec<_>>());
    assert!(gauge.peak() <= 3, "peak {}", gauge.peak());
    assert!(gauge.peak() >= 1);
}

#[test]
fn results_are_in_task_order_whatever_order_the_children_finish_in() {
    for (flavor, rt) in runtimes() {
        let n = 6;
        let finished = Arc::new(Mutex::new(Vec::new()));
        let work = {
            let finished = finished.clone();
            // Child `i` finishes only after child `i + 1` did: they finish in reverse order.
            FnAction::new_async(["i"], None::<&str>, move |s, _, _| {
                let finished = finished.clone();
                async move {
                    let i: i64 = s.get("i")?;
                    until(|| finished.lock().unwrap().len() as i64 >= n - 1 - i).await;
                    finished.lock().unwrap().push(i);
                    Ok::<_, ActionError>(s)
                }
            })
        };
        let mut app = fanout(work, n, None);
        let results = run_on(&rt, &mut app).unwrap();
        assert_eq!(results, vec![0, 1, 2, 3, 4, 5], "{flavor}");
        assert_eq!(
            *finished.lock().unwrap(),
            vec![5, 4, 3, 2, 1, 0],
            "{flavor}"
        );
    }
}

/// Loops until stopped: counts its start, one tick per millisecond, and its drop.
#[derive(Clone, Default)]
struct Looper {
    started: Arc<AtomicUsize>,
    ticks: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
}

impl Looper {
    fn action(&self) -> FnAction {
        let this = self.clone();
        FnAction::new_async(None::<&str>, None::<&str>, move |s, _, _| {
            let this = this.clone();
            async move {
                let _alive = OnDrop(this.dropped.clone());
                this.started.fetch_add(1, SeqCst);
                // About a minute: far longer than any test waits.
                for _ in 0..60_000 {
                    this.ticks.fetch_add(1, SeqCst);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Ok::<_, ActionError>(s)
            }
        })
    }

    /// Asserts that the ticks no longer move.
    fn assert_stopped(&self, flavor: &str) {
        let before = self.ticks.load(SeqCst);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(self.ticks.load(SeqCst), before, "{flavor}: still ticking");
    }
}

/// Runs `f` once `looper` has started `n` times (or after 10 s).
fn after_start<F, Fut>(looper: &Looper, n: usize, f: F) -> FnAction
where
    F: Fn() -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<State, ActionError>> + Send + 'static,
{
    let started = looper.started.clone();
    FnAction::new_async(None::<&str>, None::<&str>, move |_, _, _| {
        let (started, f) = (started.clone(), f.clone());
        async move {
            until(|| started.load(SeqCst) >= n).await;
            f().await
        }
    })
}

fn collect_nothing(s: State, _: Vec<State>) -> Result<State, ActionError> {
    Ok(s)
}

#[test]
fn the_first_failure_fails_the_step_and_stops_the_others() {
    for (flavor, rt) in runtimes() {
        let looper = Looper::default();
        let fails = after_start(&looper, 2, || async {
            Err::<State, _>(ActionError::msg("model unavailable"))
        });
        let graphs = [
            RunnableGraph::from_action("loop", looper.action()),
            RunnableGraph::from_action("fails", fails),
            RunnableGraph::from_action("loop", looper.action()),
        ];
        let action = Parallel::map_actions(graphs)
            .with_writes(["results"])
            .reduce(collect_nothing);
        let mut app = parent_of(action);
        let err = run_on(&rt, &mut app).unwrap_err();
        let Error::ActionFailed { action, source } = &err else {
            panic!("{flavor}: {err}")
        };
        assert_eq!(action, "fanout", "{flavor}");
        let sub = source.downcast_ref::<SubApplicationError>().unwrap();
        assert_eq!(sub.key, "1-0", "{flavor}");
        assert_eq!(
            sub.app_id,
            child_app_id(&ActionContext::detached("parent", "fanout", 0), "1-0"),
            "{flavor}"
        );
        assert!(err.to_string().contains("model unavailable"), "{err}");
        // Both loopers are gone by the time the step has failed, not merely told to stop.
        assert_eq!(looper.started.load(SeqCst), 2, "{flavor}");
        assert_eq!(looper.dropped.load(SeqCst), 2, "{flavor}");
        looper.assert_stopped(flavor);
        assert!(!app.state().contains("results"), "{flavor}");
    }
}

#[test]
fn a_panicking_child_panics_the_step_and_stops_the_others() {
    for (flavor, rt) in runtimes() {
        let looper = Looper::default();
        let panics = after_start(&looper, 1, || async {
            if true {
                panic!("child exploded");
            }
            Ok::<State, ActionError>(State::new())
        });
        let graphs = [
            RunnableGraph::from_action("loop", looper.action()),
            RunnableGraph::from_action("panics", panics),
        ];
        let action = Parallel::map_actions(graphs)
            .with_writes(["results"])
            .reduce(collect_nothing);
        let mut app = parent_of(action);
        let payload = catch_unwind(AssertUnwindSafe(|| run_on(&rt, &mut app))).unwrap_err();
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"child exploded"),
            "{flavor}"
        );
        assert_eq!(looper.dropped.load(SeqCst), 1, "{flavor}");
        looper.assert_stopped(flavor);
    }
}

#[test]
fn dropping_the_parents_future_stops_the_children() {
    for (flavor, rt) in runtimes() {
        let looper = Looper::default();
        let graphs = (0..3).map(|_| RunnableGraph::from_action("loop", looper.action()));
        let action = Parallel::map_actions(graphs)
            .with_writes(["results"])
            .reduce(collect_nothing);
        let mut app = parent_of(action);
        rt.block_on(async {
            let started = looper.started.clone();
            tokio::select! {
                r = app.run_async(halt_after(["fanout"]), ()) => panic!("{flavor}: finished: {r:?}"),
                () = until(|| started.load(SeqCst) == 3) => {}
            }
            // Dropped: the spawned children are aborted without waiting; they go at their
            // next `.await`.
            until(|| looper.dropped.load(SeqCst) == 3).await;
        });
        assert_eq!(looper.started.load(SeqCst), 3, "{flavor}");
        assert_eq!(looper.dropped.load(SeqCst), 3, "{flavor}");
        looper.assert_stopped(flavor);
    }
}

// ---------------------------------------------------------------------------------------------
// `tracing`: what a subscriber sees of the spawned children.

/// The `burr.app_id` field of a span.
#[derive(Default)]
struct AppId(String);

impl Visit for AppId {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "burr.app_id" {
            self.0 = value.to_string();
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

/// A span's label, kept in its extensions.
struct Label(String);

/// One line per span of target `burr`: `<name> <app id> in <parent's label or ->`.
#[derive(Clone, Default)]
struct Nesting(Arc<Mutex<Vec<String>>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Nesting {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().target() != "burr" {
            return;
        }
        let mut app = AppId::default();
        attrs.record(&mut app);
        let label = format!("{} {}", attrs.metadata().name(), app.0);
        let span = ctx.span(id).unwrap();
        let parent = span
            .parent()
            .and_then(|p| p.extensions().get::<Label>().map(|l| l.0.clone()))
            .unwrap_or_else(|| "-".into());
        span.extensions_mut().insert(Label(label.clone()));
        self.0.lock().unwrap().push(format!("{label} in {parent}"));
    }
}

#[test]
fn spawned_children_nest_under_the_parents_step_span() {
    let nesting = Nesting::default();
    let threads = threads_seen();
    let work = {
        let threads = threads.clone();
        FnAction::new(["i"], None::<&str>, move |s, _, _| {
            threads.lock().unwrap().insert(std::thread::current().id());
            Ok::<_, ActionError>(s)
        })
    };
    let rt = workers(4);
    // A thread-local default, the harder case: the workers have no subscriber of their own.
    let subscriber = tracing_subscriber::registry().with(nesting.clone());
    tracing::subscriber::with_default(subscriber, || {
        let mut app = fanout(work, 3, None);
        assert_eq!(run_on(&rt, &mut app).unwrap(), vec![0, 1, 2]);
    });
    assert!(
        !threads
            .lock()
            .unwrap()
            .contains(&std::thread::current().id())
    );
    let mut expected = vec![
        "burr.run parent in -".to_string(),
        "burr.step parent in burr.run parent".to_string(),
    ];
    for i in 0..3 {
        let child = child_app_id(
            &ActionContext::detached("parent", "fanout", 0),
            &format!("0-{i}"),
        );
        expected.push(format!("burr.run {child} in burr.step parent"));
        expected.push(format!("burr.step {child} in burr.run {child}"));
    }
    let mut seen = nesting.0.lock().unwrap().clone();
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);
}
