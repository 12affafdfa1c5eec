//! The `fanout` scenario: one parallel step that runs `--tasks` sub-applications of two
//! trivial steps each (untracked, at most `--concurrency` at once, default 64).

use std::time::Instant;

use burr::parallel::{Parallel, RunnableGraph};
use burr::prelude::*;
use serde_json::{Value, json};

#[action(reads = [n], writes = [n])]
fn first(state: State) -> Result<State, Error> {
    let n: i64 = state.get("n")?;
    Ok(state.update("n", n + 1))
}

#[action(reads = [n], writes = [n])]
fn second(state: State) -> Result<State, Error> {
    let n: i64 = state.get("n")?;
    Ok(state.update("n", n * 2))
}

/// Runs the scenario; prints nothing, returns the JSON line.
pub(crate) fn run(args: &[String]) -> Value {
    let tasks: usize = crate::flag(args, "--tasks").unwrap_or(1_000);
    let concurrency: usize = crate::flag(args, "--concurrency").unwrap_or(64);
    match fanout(tasks, concurrency) {
        Ok(v) => v,
        Err(e) => json!({ "scenario": "fanout", "error": e.to_string() }),
    }
}

fn fanout(tasks: usize, concurrency: usize) -> Result<Value, Error> {
    let graph = RunnableGraph::new("first", ["second"])
        .with_actions(actions![first, second])
        .with_transitions([("first", "second")]);
    let parallel = Parallel::map_states(graph, move |_, _| {
        Ok((0..tasks).map(|i| State::new().update("n", i)).collect())
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
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
        "seconds": seconds,
        "us_per_task": seconds * 1e6 / tasks.max(1) as f64,
    }))
}
