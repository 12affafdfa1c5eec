//! Debugging from the tracking log: an application fails at a step; the state of that step
//! is loaded back by application id, the bad input is corrected, and the same application is
//! rebuilt from its log to re-run the failed step and finish.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example debugging
//! ```
//!
//! The files go to `$BURR_PATH/debugging/<app id>/` (`~/.burr` when `BURR_PATH` is not
//! set): the UI shows the failed step with its error, then the resumed steps.

#[path = "support/mod.rs"]
mod support;

use burr::InitializeFrom;
use burr::persistence::Status;
use burr::prelude::*;
use burr::tracking::{LocalTrackingClient, TrackingLoader, default_root, load_state};

const PROJECT: &str = "debugging";

#[action(reads = [], writes = [raw])]
fn fetch(state: State) -> State {
    // A canned download with a corrupt record in it.
    state.update("raw", "3,4,x,5")
}

#[action(reads = [raw], writes = [numbers])]
fn parse(state: State) -> Result<State, ActionError> {
    let raw: String = state.get("raw")?;
    let numbers = raw
        .split(',')
        .map(|field| field.trim().parse::<i64>())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(state.update("numbers", numbers))
}

#[action(reads = [numbers], writes = [total])]
fn summarize(state: State) -> Result<(ResultMap, State), ActionError> {
    let numbers: Vec<i64> = state.get("numbers")?;
    let total: i64 = numbers.iter().sum();
    let mut result = ResultMap::new();
    result.insert("total".into(), total.into());
    Ok((result, state.update("total", total)))
}

fn builder() -> ApplicationBuilder {
    ApplicationBuilder::new()
        .with_actions(actions![fetch, parse, summarize])
        .with_transition("fetch", "parse", default())
        .with_transition("parse", "summarize", default())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = default_root();

    // 1. The first run fails in `parse`.
    let mut app = builder()
        .with_state(State::new())
        .with_entrypoint("fetch")
        .with_tracker(LocalTrackingClient::new(PROJECT)?.with_storage_dir(&root))
        .build()?;
    let app_id = app.app_id().to_string();
    let err = app
        .run(halt_after(["summarize"]), Inputs::new())
        .expect_err("the corrupt record makes `parse` fail");
    println!("run failed: {err}");
    drop(app);

    // 2. Load the failed step back from the log, by application id.
    let failed = load_state(&root, PROJECT, &app_id, None)?;
    assert_eq!(failed.status, Status::Failed);
    println!(
        "step {} (`{}`) failed; its input state was {}",
        failed.sequence_id, failed.position, failed.state
    );
    // Any earlier step loads too.
    let first = load_state(&root, PROJECT, &app_id, Some(0))?;
    println!("step 0 (`{}`) left {}", first.position, first.state);

    // 3. Correct the input and rebuild the same application from its log: a failed step is
    //    re-run, with the corrected state, and the run finishes.
    let raw: String = failed.state.get("raw")?;
    let fixed = raw
        .split(',')
        .filter(|f| f.trim().parse::<i64>().is_ok())
        .collect::<Vec<_>>()
        .join(",");
    println!("correcting `raw` from {raw:?} to {fixed:?}");
    let mut app = builder()
        .initialize_from(
            InitializeFrom::new(
                TrackingLoader::with_root(&root, PROJECT)?,
                State::new(),
                "fetch",
            )
            .override_state_values(State::new().update("raw", fixed)),
        )
        .with_app_id(&app_id)
        .with_tracker(LocalTrackingClient::new(PROJECT)?.with_storage_dir(&root))
        .build()?;
    assert_eq!(app.next_action(), Some("parse"));
    let out = app.run(halt_after(["summarize"]), Inputs::new())?;
    println!(
        "resumed and finished: total = {}",
        out.state.get::<i64>("total")?
    );

    let last = load_state(&root, PROJECT, &app_id, None)?;
    assert_eq!(
        (last.position.as_str(), last.status),
        ("summarize", Status::Completed)
    );
    println!(
        "the log of {} now ends with step {} (`{}`)",
        app_id, last.sequence_id, last.position
    );
    support::print_how_to_open("debugging");
    Ok(())
}
