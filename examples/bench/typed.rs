//! `counter-typed`: the counter of the `counter` scenario, with a typed state and typed
//! actions.

use std::time::Instant;

use burr::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::flag;

#[derive(Serialize, Deserialize, TypedState)]
struct Counter {
    count: i64,
}

/// `increment` loops on `count < N`, then `done` (N + 1 steps), as `counter` does.
pub(crate) fn counter_typed(args: &[String]) -> Result<Value, Error> {
    let steps: u64 = flag(args, "--steps").unwrap_or(100_000);
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transitions([
            ("increment", "increment", expr(&format!("count < {steps}"))?),
            ("increment", "done", default()),
        ])
        .with_typed_state(&Counter { count: 0 })
        .with_entrypoint("increment")
        .build()?;
    let start = Instant::now();
    let out = app.run(halt_after(["done"]), ())?;
    let seconds = start.elapsed().as_secs_f64();
    let counter: Counter = out.typed_state()?;
    assert_eq!(counter.count as u64, steps, "the counter must reach N");
    let executed = steps + 1;
    Ok(json!({
        "scenario": "counter-typed",
        "steps": executed,
        "seconds": seconds,
        "us_per_step": seconds * 1e6 / executed as f64,
    }))
}

#[action(state = Counter, reads = [count], writes = [count])]
fn increment(counter: Reads) -> Writes {
    Writes {
        count: counter.count + 1,
    }
}

#[action(state = Counter, reads = [], writes = [])]
fn done() -> Writes {
    Writes {}
}
