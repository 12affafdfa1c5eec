//! An application that survives its process: every step is saved to SQLite. The first run
//! stops half-way; a second process resumes it by app id and finishes; then a new application
//! is forked from step 3 of the first. Both are tracked, so the UI shows the fork link.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example persistence
//! ```
//!
//! The SQLite file goes to the system's temporary directory; tracking files to
//! `$BURR_PATH/persistence` (`~/.burr` when `BURR_PATH` is unset).

#[path = "support/mod.rs"]
mod support;

use std::process::Command;

use burr::InitializeFrom;
use burr::persistence::StateSaver;
use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use burr::tracking::SqlitePersister;

/// Adds one to `count`.
#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

/// Records the final count.
#[action(reads = [count], writes = [summary])]
fn report(state: State) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    Ok(state.update("summary", format!("counted to {count}")))
}

const PROJECT: &str = "persistence";

fn builder(db: &SqlitePersister) -> Result<ApplicationBuilder, Box<dyn std::error::Error>> {
    Ok(ApplicationBuilder::new()
        .with_actions(actions![increment, report])
        .with_transitions([
            ("increment", "increment", expr("count < 10")?),
            ("increment", "report", default()),
        ])
        .with_state_persister(db.clone())
        .with_tracker(LocalTrackingClient::new(PROJECT)?))
}

fn open_db() -> Result<SqlitePersister, Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join("burr-persistence-example.sqlite");
    let db = SqlitePersister::open(&path)?;
    db.initialize()?;
    Ok(db)
}

/// First process: runs 5 steps, then "crashes" (returns).
fn first_half() -> Result<String, Box<dyn std::error::Error>> {
    let db = open_db()?;
    let mut app = builder(&db)?
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()?;
    for _ in 0..5 {
        app.step()?;
    }
    println!(
        "[first process] stopped after step {} with count = {}",
        app.sequence_id().unwrap_or_default(),
        app.state().get::<i64>("count")?
    );
    Ok(app.app_id().to_string())
}

/// Second process: resumes `app_id` from its last saved step and finishes.
fn resume(app_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    let db = open_db()?;
    let mut app = builder(&db)?
        .initialize_from(InitializeFrom::new(
            db.clone(),
            state! { count: 0 },
            "increment",
        ))
        .with_app_id(app_id)
        .build()?;
    println!(
        "[second process] resumed {app_id} at step {} (next: {})",
        app.sequence_id().map_or(0, |s| s + 1),
        app.next_action().unwrap_or("none")
    );
    let out = app.run(halt_after(["report"]), ())?;
    println!("[second process] {}", out.state.get::<String>("summary")?);
    Ok(())
}

/// Forks a new application from step 3 of `app_id`.
fn fork(app_id: &str) -> Result<(), Box<dyn std::error::Error>> {
    let db = open_db()?;
    let mut app = builder(&db)?
        .initialize_from(
            InitializeFrom::new(db.clone(), state! { count: 0 }, "increment").fork_from(
                app_id,
                Some(3),
                None,
            ),
        )
        .build()?;
    println!(
        "[fork] {} forked from {app_id} at step 3 with count = {}",
        app.app_id(),
        app.state().get::<i64>("count")?
    );
    let out = app.run(halt_after(["report"]), ())?;
    println!("[fork] {}", out.state.get::<String>("summary")?);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [mode, app_id] = args.as_slice()
        && mode == "resume"
    {
        return resume(app_id);
    }
    let app_id = first_half()?;
    // A second process picks the application up from SQLite.
    let status = Command::new(std::env::current_exe()?)
        .args(["resume", &app_id])
        .status()?;
    if !status.success() {
        return Err(format!("the resuming process failed: {status}").into());
    }
    fork(&app_id)?;
    support::print_how_to_open("persistence");
    Ok(())
}
