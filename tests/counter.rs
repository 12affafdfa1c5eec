//! The counter end to end through the facade: `#[action]`, `actions!`, `expr`, `run`,
//! `iterate`, `run_async`, and the three shapes of a run's outcome.

use burr::prelude::*;

#[action(reads = [count], writes = [count])]
fn increment(state: State, by: Option<i64>) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + by.unwrap_or(1)))
}

#[action(reads = [count], writes = [])]
fn done(state: State) -> Result<(ResultMap, State), Error> {
    let mut result = ResultMap::new();
    result.insert("final".into(), state.get::<i64>("count")?.into());
    Ok((result, state))
}

fn app() -> Application {
    ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transitions([
            ("increment", "increment", expr("count < 10").unwrap()),
            ("increment", "done", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()
        .unwrap()
}

#[test]
fn counts_to_ten_then_halts_after_done() {
    let mut app = app();
    let out = app.run(halt_after(["done"]), ()).unwrap();
    assert_eq!(out.halted, Halted::After);
    assert_eq!(out.action.as_deref(), Some("done"));
    assert_eq!(out.result.unwrap()["final"], 10);
    assert_eq!(app.sequence_id(), Some(10));
    assert_eq!(app.state().prior_step(), Some("done"));
    let (action, result, state): (Option<String>, Option<ResultMap>, State) =
        app.run(halt_after(["done"]), ()).unwrap().into();
    // At a dead end the run returns the last step (here: nothing ran).
    assert_eq!((action, result), (None, None));
    assert_eq!(state.get::<i64>("count").unwrap(), 10);
}

#[test]
fn halting_before_done_returns_it_without_result() {
    let mut app = app();
    let out = app.run(halt_before(["done"]), inputs! { by: 3 }).unwrap();
    assert_eq!(
        (out.action.as_deref(), out.result, out.halted),
        (Some("done"), None, Halted::Before)
    );
    assert_eq!(out.state.get::<i64>("count").unwrap(), 12);
}

#[test]
fn iterate_yields_eleven_steps() {
    let mut app = app();
    let steps: Vec<StepResult> = app
        .iterate(halt_after(["done"]), ())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(steps.len(), 11);
    assert_eq!(steps.last().unwrap().action, "done");
    assert_eq!(
        steps.iter().map(|s| s.sequence_id).collect::<Vec<_>>(),
        (0..11).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn runs_from_tokio_too() {
    let mut app = app();
    let out = app.run_async(halt_after(["done"]), ()).await.unwrap();
    assert_eq!(out.state.get::<i64>("count").unwrap(), 10);
}

#[test]
fn a_wrong_input_type_is_a_typed_error() {
    let mut app = app();
    let err = app.step_with(&inputs! { by: "three" }).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref input, .. } if input == "by"),
        "{err}"
    );
}
