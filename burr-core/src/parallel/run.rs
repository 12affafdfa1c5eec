//! How the tasks of a parallel step run: on scoped threads, or as futures on the parent's task.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures_util::StreamExt;

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

/// Runs the tasks with `run_async`, at most `limit` at once; results in task order. The first
/// failure drops (cancels) the others.
pub(super) async fn run_tasks(
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
    results
        .into_iter()
        .map(|s| s.ok_or_else(|| ActionError::msg("a sub-application did not run")))
        .collect()
}
