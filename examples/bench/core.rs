//! Untracked engine scenarios: `counter` and `state-growth`.

use std::time::Instant;

use burr::prelude::*;
use serde_json::{Value, json};

use crate::flag;

/// `increment` loops on `count < N`, then `done` (N + 1 steps).
pub(crate) fn counter(args: &[String]) -> Result<Value, Error> {
    let steps: u64 = flag(args, "--steps").unwrap_or(100_000);
    let mut app = counter_app(steps)?;
    let start = Instant::now();
    let out = app.run(halt_after(["done"]), ())?;
    let seconds = start.elapsed().as_secs_f64();
    let count: u64 = out.state.get("count")?;
    assert_eq!(count, steps, "the counter must reach N");
    let executed = steps + 1;
    Ok(json!({
        "scenario": "counter",
        "steps": executed,
        "seconds": seconds,
        "us_per_step": seconds * 1e6 / executed as f64,
    }))
}

/// The two-action counter used by the counter scenarios.
pub(crate) fn counter_app(steps: u64) -> Result<Application, Error> {
    ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transitions([
            ("increment", "increment", expr(&format!("count < {steps}"))?),
            ("increment", "done", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()
}

#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

#[action(reads = [], writes = [])]
fn done(state: State) -> State {
    state
}

/// Appends a 200-byte string to a list each step; reports the mean step cost around steps
/// 100, 1,000 and 10,000.
pub(crate) fn state_growth(args: &[String]) -> Result<Value, Error> {
    let steps: u64 = flag(args, "--steps").unwrap_or(10_000);
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![grow])
        .with_transitions([("grow", "grow", default())])
        .with_state(state! { history: [] })
        .with_entrypoint("grow")
        .build()?;
    let mut times = Vec::with_capacity(steps as usize);
    let inputs = Inputs::new();
    for _ in 0..steps {
        let t = Instant::now();
        app.step_with(&inputs)?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let window = |at: usize| -> Option<f64> {
        if at > times.len() {
            return None;
        }
        let lo = at.saturating_sub(50).max(1) - 1;
        let hi = (at + 50).min(times.len());
        let slice = &times[lo..hi];
        Some(slice.iter().sum::<f64>() / slice.len() as f64)
    };
    let mut at = serde_json::Map::new();
    for point in [100usize, 1_000, 10_000] {
        if let Some(v) = window(point) {
            at.insert(point.to_string(), json!(v));
        }
    }
    Ok(json!({
        "scenario": "state-growth",
        "steps": steps,
        "us_per_step_at": at,
    }))
}

#[action(reads = [history], writes = [history])]
fn grow(state: State) -> State {
    state.append("history", "x".repeat(200))
}

#[trace]
fn traced_add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

#[inline(never)]
fn plain_add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

/// Nanoseconds per call of a trivial function outside any action, plain vs `#[trace]`.
pub(crate) fn trace_noop(args: &[String]) -> Value {
    let calls: u64 = flag(args, "--calls").unwrap_or(100_000_000);
    let time = |f: &dyn Fn(u64, u64) -> u64| {
        let start = Instant::now();
        let mut acc = 0u64;
        for i in 0..calls {
            acc = f(std::hint::black_box(acc), std::hint::black_box(i));
        }
        std::hint::black_box(acc);
        start.elapsed().as_secs_f64() * 1e9 / calls as f64
    };
    // Warm up, then measure each twice and keep the best.
    time(&plain_add);
    time(&traced_add);
    let plain_ns = time(&plain_add).min(time(&plain_add));
    let traced_ns = time(&traced_add).min(time(&traced_add));
    json!({
        "scenario": "trace-noop",
        "calls": calls,
        "plain_ns": plain_ns,
        "traced_ns": traced_ns,
        "overhead_ns": (traced_ns - plain_ns).max(0.0),
    })
}
