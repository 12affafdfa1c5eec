//! Tracked scenarios: `counter --track DIR` (the two-action counter with the local tracking
//! client writing into DIR) and `spans --track DIR` (a counter whose every step opens three
//! nested spans, logs two attributes and calls a `#[trace]` function: four spans and sixteen
//! log lines per step).

use std::path::PathBuf;
use std::time::Instant;

use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use serde_json::{Value, json};

/// The value following `--name` in `args`, parsed.
fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

/// The tracking root: `--track DIR`, else a fresh directory under the system's temp dir.
fn track_dir(args: &[String]) -> PathBuf {
    arg(args, "--track")
        .unwrap_or_else(|| std::env::temp_dir().join(format!("burr-bench-{}", std::process::id())))
}

/// Runs `app` to `done`, timing the run, and reports it as one JSON object.
fn measure(scenario: &str, steps: u64, dir: PathBuf, app: Result<Application, Error>) -> Value {
    let run = || -> Result<Value, Error> {
        let mut app = app?;
        let start = Instant::now();
        let out = app.run(halt_after(["done"]), Inputs::new())?;
        let seconds = start.elapsed().as_secs_f64();
        let count: u64 = out.state.get("count")?;
        if count != steps {
            return Err(Error::Other(format!(
                "the counter reached {count}, not {steps}"
            )));
        }
        let executed = steps + 1;
        Ok(json!({
            "scenario": scenario,
            "steps": executed,
            "seconds": seconds,
            "us_per_step": seconds * 1e6 / executed as f64,
            "track_dir": dir.display().to_string(),
            "app_id": app.app_id(),
        }))
    };
    run().unwrap_or_else(|e| json!({ "scenario": scenario, "error": e.to_string() }))
}

/// The tracker, writing each step's lines in one write at its end (into a folder, or, with
/// the feature `object-store`, a bucket's URL such as `s3://bucket/prefix`).
fn tracker(dir: &std::path::Path) -> Result<LocalTrackingClient, Error> {
    let fail = |e: burr::tracking::client::TrackingError| Error::Other(e.to_string());
    LocalTrackingClient::new("bench")
        .map_err(fail)?
        .with_storage(&dir.to_string_lossy())
        .map_err(fail)
}

/// `counter --steps N --track DIR`: `increment` loops on `count < N`, then `done`
/// (N + 1 steps), every step recorded by the local tracking client.
pub(crate) fn counter_tracked(args: &[String]) -> Value {
    let steps: u64 = arg(args, "--steps").unwrap_or(100_000);
    let dir = track_dir(args);
    let app = (|| {
        ApplicationBuilder::new()
            .with_actions(actions![increment, done])
            .with_transitions([
                ("increment", "increment", expr(&format!("count < {steps}"))?),
                ("increment", "done", default()),
            ])
            .with_state(state! { count: 0 })
            .with_entrypoint("increment")
            .with_tracker(tracker(&dir)?)
            .build()
    })();
    measure("counter", steps, dir, app)
}

/// `spans --steps N --track DIR`: like the tracked counter, but each `increment` opens
/// `outer > middle > inner` with the tracer, logs one attribute on `outer` and one on
/// `middle`, and calls the `#[trace]` function `square` inside `inner`.
pub(crate) fn spans(args: &[String]) -> Value {
    let steps: u64 = arg(args, "--steps").unwrap_or(100_000);
    let dir = track_dir(args);
    let app = (|| {
        ApplicationBuilder::new()
            .with_action("increment", traced_increment {})
            .with_action("done", done {})
            .with_transitions([
                ("increment", "increment", expr(&format!("count < {steps}"))?),
                ("increment", "done", default()),
            ])
            .with_state(state! { count: 0 })
            .with_entrypoint("increment")
            .with_tracker(tracker(&dir)?)
            .build()
    })();
    measure("spans", steps, dir, app)
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

#[trace]
fn square(x: i64) -> i64 {
    x * x
}

#[action(reads = [count], writes = [count])]
fn traced_increment(state: State, tracer: &Tracer) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    {
        let outer = tracer.span("outer");
        outer.log_attribute("count", count);
        let middle = tracer.span("middle");
        middle.log_attribute("half", count / 2);
        let _inner = tracer.span("inner");
        std::hint::black_box(square(count));
    }
    Ok(state.update("count", count + 1))
}
