//! A two-action counter that loops until `count == 10`, then prints the final state.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example counter
//! ```

use burr::prelude::*;

/// Adds one to `count`.
#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

/// Returns the final count as the step's result.
#[action(reads = [count], writes = [])]
fn done(state: State) -> Result<(ResultMap, State), Error> {
    let mut result = ResultMap::new();
    result.insert("final_count".into(), state.get::<i64>("count")?.into());
    Ok((result, state))
}

fn main() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transitions([
            ("increment", "increment", expr("count < 10")?),
            ("increment", "done", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()?;

    for step in app.iterate(halt_after(["done"]), ()) {
        let step = step?;
        println!(
            "step {:>2}: {:<9} count = {}",
            step.sequence_id,
            step.action,
            step.state.get::<i64>("count")?
        );
    }
    println!("final state: {}", app.state());
    println!("graph:\n{}", app.visualize());
    Ok(())
}
