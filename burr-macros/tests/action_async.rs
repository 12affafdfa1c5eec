//! Async actions: run with `step_async`/`run_async`, refused by the sync methods.

use burr::prelude::*;

#[action(reads = [count], writes = [count])]
async fn slow_increment(state: State, by: Option<i64>) -> Result<State, ActionError> {
    tokio::task::yield_now().await;
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + by.unwrap_or(1)))
}

#[action(reads = [count], writes = [])]
fn finish(state: State) -> State {
    state
}

fn app() -> Application {
    ApplicationBuilder::new()
        .with_actions(actions![slow_increment, finish])
        .with_transition(
            "slow_increment",
            "slow_increment",
            expr("count < 10").unwrap(),
        )
        .with_transition("slow_increment", "finish", default())
        .with_state(state! { count: 0 })
        .with_entrypoint("slow_increment")
        .build()
        .unwrap()
}

#[test]
fn declared_async() {
    assert!(slow_increment {}.kind().is_async());
    assert!(!finish {}.kind().is_async());
}

#[tokio::test]
async fn arun_counts_to_ten() {
    let mut app = app();
    let out = app
        .run_async(halt_after(["finish"]), inputs! { by: 2 })
        .await
        .unwrap();
    assert_eq!(out.state.get::<i64>("count").unwrap(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn astep_on_a_multi_thread_runtime() {
    let mut app = app();
    let step = app.step_async().await.unwrap().unwrap();
    assert_eq!(step.action, "slow_increment");
    assert_eq!(step.state.get::<i64>("count").unwrap(), 1);
}

#[test]
fn sync_step_on_an_async_action_is_refused() {
    let mut app = app();
    match app.step().unwrap_err() {
        Error::AsyncActionInSyncContext { action } => assert_eq!(action, "slow_increment"),
        other => panic!("expected AsyncActionInSyncContext, got {other:?}"),
    }
}

#[tokio::test]
async fn the_async_function_stays_callable() {
    let s = slow_increment(state! { count: 1 }, Some(5)).await.unwrap();
    assert_eq!(s.get::<i64>("count").unwrap(), 6);
}
