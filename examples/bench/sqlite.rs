//! `sqlite`: saves N steps of a small counter state through `SqlitePersister`, as an
//! application with a state persister does after every step.
//!
//! ```not_rust
//! cargo run --release --example bench -- sqlite --steps 10000 --db /tmp/bench.db
//! ```
//!
//! Without `--db` the database is a fresh file in the temp directory, removed afterwards.
//! Each run saves under a new app id, so runs can share a database.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use burr::State;
use burr::persistence::{PersistenceError, SaveRequest, StateSaver, Status};
use burr::tracking::persist::sqlite::SqlitePersister;
use serde_json::{Value, json};

use crate::flag;

/// Runs the scenario; failures come back as `{"scenario": "sqlite", "error": ...}`.
pub(crate) fn run(args: &[String]) -> Value {
    let steps: u64 = flag(args, "--steps").unwrap_or(10_000);
    let chosen: Option<PathBuf> = flag(args, "--db");
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let run_id = format!("bench-{}-{nanos}", std::process::id());
    let path = chosen
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("burr-{run_id}.db")));
    let outcome = save_steps(&path, &run_id, steps);
    if chosen.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
    match outcome {
        Ok(seconds) => json!({
            "scenario": "sqlite",
            "steps": steps,
            "seconds": seconds,
            "us_per_step": seconds * 1e6 / steps.max(1) as f64,
        }),
        Err(e) => json!({
            "scenario": "sqlite",
            "steps": steps,
            "error": e.to_string(),
        }),
    }
}

/// Saves `steps` steps of app `app_id`; returns the seconds spent saving.
fn save_steps(path: &PathBuf, app_id: &str, steps: u64) -> Result<f64, PersistenceError> {
    let persister = SqlitePersister::open(path)?;
    persister.initialize()?;
    let mut state = State::new().update("count", 0).update("label", "counter");
    let start = Instant::now();
    for seq in 0..steps {
        state = state
            .update("count", seq + 1)
            .with_sequence_id(seq)
            .with_prior_step("increment");
        persister.save(SaveRequest {
            partition_key: None,
            app_id,
            sequence_id: seq,
            position: "increment",
            state: &state,
            status: Status::Completed,
        })?;
    }
    Ok(start.elapsed().as_secs_f64())
}
