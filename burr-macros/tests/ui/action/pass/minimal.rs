use burr::prelude::*;

#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, ActionError> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

fn main() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment])
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()
        .unwrap();
    app.step().unwrap();
    assert_eq!(app.state().get::<i64>("count").unwrap(), 1);
}
