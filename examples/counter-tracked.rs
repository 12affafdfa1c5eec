//! A counter that counts to 10, every step recorded by the local tracking client: open it in
//! the UI afterwards to see each step's state.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example counter-tracked
//! ```
//!
//! The files go to `$BURR_PATH/counter/<app id>/` (`~/.burr` when `BURR_PATH` is not
//! set). Then run `burr` (or `cargo run -p burr-tracking --bin burr`) and open the
//! `counter` project.

#[path = "support/mod.rs"]
mod support;

use burr::prelude::*;
use burr::tracking::LocalTrackingClient;

#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, ActionError> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

#[action(reads = [count], writes = [])]
fn done(state: State) -> Result<(ResultMap, State), ActionError> {
    let mut result = ResultMap::new();
    result.insert(
        "final_count".into(),
        state.get_value("count").unwrap_or_default(),
    );
    Ok((result, state))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tracker = LocalTrackingClient::new("counter")?;
    let project_dir = tracker.project_dir().to_path_buf();
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transition("increment", "increment", expr("count < 10")?)
        .with_transition("increment", "done", default())
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .with_tracker(tracker)
        .build()?;
    let out = app.run(halt_after(["done"]), Inputs::new())?;
    println!("counted to {}", out.state.get::<i64>("count")?);
    println!(
        "tracked {} steps in {}",
        out.state.sequence_id().map_or(0, |s| s + 1),
        project_dir.join(app.app_id()).display()
    );
    println!(
        "see them in the UI: burr --dir {}",
        project_dir.parent().unwrap_or(&project_dir).display()
    );
    support::print_how_to_open("counter");
    Ok(())
}
