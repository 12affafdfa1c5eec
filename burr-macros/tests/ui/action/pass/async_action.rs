use burr::prelude::*;

#[action(reads = [count], writes = [count])]
async fn increment(state: State, by: Option<i64>) -> Result<State, ActionError> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + by.unwrap_or(1)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment])
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()
        .unwrap();
    app.step_with_async(&inputs! { by: 5 }).await.unwrap();
    assert_eq!(app.state().get::<i64>("count").unwrap(), 5);
}
