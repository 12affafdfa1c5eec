//! Generated code raises no warning under strict lints.
#![deny(missing_docs, unused, rust_2018_idioms, unsafe_code, nonstandard_style)]

use burr::prelude::*;

/// Increments `count`.
#[action(reads = [count], writes = [count])]
pub fn increment(state: State, by: Option<i64>) -> Result<State, ActionError> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + by.unwrap_or(1)))
}

/// Does nothing, asynchronously.
#[action(reads = [], writes = [])]
pub async fn pause(state: State) -> State {
    state
}

/// Doubles.
#[trace]
pub fn double(x: u8) -> u8 {
    x * 2
}

/// Doubles, asynchronously.
#[trace(capture_outputs = false)]
pub async fn double_later(x: u8) -> u8 {
    x * 2
}

fn main() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment, pause])
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()
        .unwrap();
    app.step().unwrap();
    assert_eq!(double(2), 4);
    drop(double_later(1));
}
