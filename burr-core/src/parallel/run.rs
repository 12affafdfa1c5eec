//! How the tasks of a parallel step run: on scoped threads, as tokio tasks on the runtime's
//! workers, or as futures on the parent's task.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::runtime::RuntimeFlavor;
use tokio::task::{JoinError, JoinHandle};
use tracing::Instrument;
use tracing::instrument::WithSubscriber;

use super::{SubApplicationError, SubGraphTask};
use crate::context::ActionContext;
use crate::error::{ActionError, Error};
use crate::state::State;

fn failed(task: (String, String), source: Error) -> ActionError {
    ActionError::from(SubApplicationError {
        key: task.0,
        app_id: task.1,
        source,
    })
}

/// Runs the tasks on scoped threads, at most `limit` at once; results in task order.
pub(super) fn run_threads(
    tasks: Vec<SubGraphTask>,
    ctx: &ActionContext,
    limit: usize,
) -> Result<Vec<State>, ActionError> {
    let n = tasks.len();
    if limit <= 1 || n <= 1 {
        return tasks
            .into_iter()
            .map(|t| {
                let id = (t.key.clone(), t.app_id.clone());
                t.run(ctx).map_err(|e| failed(id, e))
            })
            .collect();
    }
    let slots: Vec<Mutex<Option<SubGraphTask>>> =
        tasks.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Vec<Mutex<Option<State>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let error: Mutex<Option<ActionError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..limit.min(n) {
            scope.spawn(|| {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let Some(task) = slots[i].lock().unwrap_or_else(|p| p.into_inner()).take()
                    else {
                        continue;
                    };
                    let id = (task.key.clone(), task.app_id.clone());
                    match task.run(ctx) {
                        Ok(state) => {
                            *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(state)
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            let mut slot = error.lock().unwrap_or_else(|p| p.into_inner());
                            if slot.is_none() {
                                *slot = Some(failed(id, e));
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .ok_or_else(|| ActionError::msg("a sub-application did not run"))
        })
        .collect()
}

/// Runs the tasks with `run_async`, at most `limit` at once; results in task order. On a
/// multi-threaded tokio runtime each task is its own tokio task ([`run_spawned`]); elsewhere
/// they are futures interleaved on the parent's task ([`run_interleaved`]).
pub(super) async fn run_tasks(
    tasks: Vec<SubGraphTask>,
    ctx: &ActionContext,
    limit: usize,
) -> Result<Vec<State>, ActionError> {
    let on_workers = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    // With one task (or one at a time) there is nothing to run alongside: spawning would
    // only add a task switch.
    if on_workers && tasks.len() > 1 && limit > 1 {
        run_spawned(tasks, ctx, limit).await
    } else {
        run_interleaved(tasks, ctx, limit).await
    }
}

/// Runs the tasks as futures on the parent's task, at most `limit` at once; the first failure
/// drops (cancels) the others.
async fn run_interleaved(
    tasks: Vec<SubGraphTask>,
    ctx: &ActionContext,
    limit: usize,
) -> Result<Vec<State>, ActionError> {
    let n = tasks.len();
    let mut results: Vec<Option<State>> = vec![None; n];
    let mut running = futures_util::stream::iter(tasks.into_iter().enumerate())
        .map(|(i, t)| {
            let id = (t.key.clone(), t.app_id.clone());
            // Boxed: a sub-application's future is large; moving a pointer is cheaper.
            let fut = Box::pin(t.run_async(ctx));
            async move { (i, id, fut.await) }
        })
        .buffer_unordered(limit);
    while let Some((i, id, r)) = running.next().await {
        match r {
            Ok(state) => results[i] = Some(state),
            Err(e) => return Err(failed(id, e)),
        }
    }
    in_order(results)
}

/// A task spawned on the runtime for one sub-application, aborted when dropped: failing, or
/// dropping the parent's future, stops the children still running.
struct Child {
    index: usize,
    handle: JoinHandle<Result<State, Error>>,
}

impl Drop for Child {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

impl Future for Child {
    type Output = (usize, Result<Result<State, Error>, JoinError>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let index = self.index;
        Pin::new(&mut self.handle).poll(cx).map(|r| (index, r))
    }
}

/// Why the spawned children stopped early.
enum Stop {
    Failed(ActionError),
    Panicked(Box<dyn Any + Send>),
}

/// Runs each task as its own tokio task (so the runtime's workers run them in parallel), at
/// most `limit` at once, each spawned only when a slot is free. The tasks run inside the
/// parent's current `tracing` span and subscriber, so their spans nest as when interleaved.
/// The first failure (or panic, re-raised here) aborts the others and waits until they have
/// stopped.
async fn run_spawned(
    tasks: Vec<SubGraphTask>,
    ctx: &ActionContext,
    limit: usize,
) -> Result<Vec<State>, ActionError> {
    let n = tasks.len();
    let mut ids: Vec<(String, String)> = tasks
        .iter()
        .map(|t| (t.key.clone(), t.app_id.clone()))
        .collect();
    let parent = Arc::new(ctx.clone());
    let span = tracing::Span::current();
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    let spawn = |(index, task): (usize, SubGraphTask)| {
        let parent = parent.clone();
        let run = async move { task.run_async(&parent).await }
            .instrument(span.clone())
            .with_subscriber(dispatch.clone());
        Child {
            index,
            handle: tokio::spawn(run),
        }
    };
    let mut pending = tasks.into_iter().enumerate();
    let mut running: FuturesUnordered<Child> = pending.by_ref().take(limit).map(spawn).collect();
    let mut results: Vec<Option<State>> = vec![None; n];
    let stop = loop {
        let Some((i, joined)) = running.next().await else {
            return in_order(results);
        };
        match joined {
            Ok(Ok(state)) => {
                results[i] = Some(state);
                running.extend(pending.next().map(spawn));
            }
            Ok(Err(e)) => break Stop::Failed(failed(std::mem::take(&mut ids[i]), e)),
            Err(e) => match e.try_into_panic() {
                Ok(payload) => break Stop::Panicked(payload),
                Err(_) => {
                    let e = Error::Other(
                        "its tokio task was cancelled before it finished (is the runtime \
                         shutting down?)"
                            .into(),
                    );
                    break Stop::Failed(failed(std::mem::take(&mut ids[i]), e));
                }
            },
        }
    };
    for child in running.iter() {
        child.handle.abort();
    }
    // Aborted tasks stop at their next `.await`; wait for that, so that no child still runs
    // (and reports to the shared tracker or persister) once the step has failed.
    while running.next().await.is_some() {}
    match stop {
        Stop::Failed(e) => Err(e),
        Stop::Panicked(payload) => std::panic::resume_unwind(payload),
    }
}

fn in_order(results: Vec<Option<State>>) -> Result<Vec<State>, ActionError> {
    results
        .into_iter()
        .map(|s| s.ok_or_else(|| ActionError::msg("a sub-application did not run")))
        .collect()
}
