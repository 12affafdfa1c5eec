//! The `fanout` scenario: one parallel step that runs `--tasks` sub-applications of two
//! steps each (untracked, at most `--concurrency` at once, default 64). The first step of
//! every sub-application keeps the CPU busy for `--work-us` microseconds (a busy loop, not a
//! sleep; default 0). `--threads` picks the tokio runtime: 1 is a current-thread runtime (the
//! sub-applications interleave on one thread), more is a multi-threaded runtime with that
//! many workers (each sub-application is its own task); default: the number of CPUs.

use std::time::{Duration, Instant};

use burr::parallel::{Parallel, RunnableGraph};
use burr::prelude::*;
use serde_json::{Value, json};

#[action(reads = [n, work_us], writes = [n])]
fn first(state: State) -> Result<State, Error> {
    let n: i64 = state.get("n")?;
    spin(Duration::from_micros(state.get("work_us")?));
    Ok(state.update("n", n + 1))
}

#[action(reads = [n], writes = [n])]
fn second(state: State) -> Result<State, Error> {
    let n: i64 = state.get("n")?;
    Ok(state.update("n", n * 2))
}

/// Keeps this thread's CPU busy for `work`.
fn spin(work: Duration) {
    if work.is_zero() {
        return;
    }
    let start = Instant::now();
    while start.elapsed() < work {
        std::hint::spin_loop();
    }
}

/// Runs the scenario; prints nothing, returns the JSON line.
pub(crate) fn run(args: &[String]) -> Value {
    let tasks: usize = crate::flag(args, "--tasks").unwrap_or(1_000);
    let concurrency: usize = crate::flag(args, "--concurrency").unwrap_or(64);
    let work_us: u64 = crate::flag(args, "--work-us").unwrap_or(0);
    let threads: usize = crate::flag(args, "--threads")
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    match fanout(tasks, concurrency, work_us, threads) {
        Ok(v) => v,
        Err(e) => json!({ "scenario": "fanout", "error": e.to_string() }),
    }
}

fn fanout(tasks: usize, concurrency: usize, work_us: u64, threads: usize) -> Result<Value, Error> {
    let graph = RunnableGraph::new("first", ["second"])
        .with_actions(actions![first, second])
        .with_transitions([("first", "second")]);
    let parallel = Parallel::map_states(graph, move |_, _| {
        Ok((0..tasks)
            .map(|i| State::new().update("n", i).update("work_us", work_us))
            .collect())
    })
    .with_writes(["total"])
    .reduce(|state, children| {
        let mut total = 0i64;
        for child in &children {
            total += child.get::<i64>("n")?;
        }
        Ok(state.update("total", total))
    })
    .concurrency(concurrency);
    let mut app = ApplicationBuilder::new()
        .with_action("fanout", parallel)
        .with_entrypoint("fanout")
        .build()?;
    let runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread().build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .build()
    }
    .map_err(|e| Error::Other(e.to_string()))?;
    let start = Instant::now();
    let out = runtime.block_on(app.run_async(halt_after(["fanout"]), ()))?;
    let seconds = start.elapsed().as_secs_f64();
    let n = tasks as i64;
    assert_eq!(
        out.state.get::<i64>("total")?,
        n * (n + 1),
        "every sub-application ran"
    );
    Ok(json!({
        "scenario": "fanout",
        "tasks": tasks,
        "work_us": work_us,
        "threads": threads,
        "seconds": seconds,
        "us_per_task": seconds * 1e6 / tasks.max(1) as f64,
        "tasks_per_second": tasks as f64 / seconds,
    }))
}
