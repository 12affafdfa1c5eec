//! The return shapes of an action: `State`, `(R, State)`, and `Result` of either.

use std::collections::BTreeMap;

use burr::prelude::*;
use serde::Serialize;

#[derive(Serialize)]
struct Reply {
    text: String,
    tokens: u32,
}

#[action(reads = [prompt], writes = [reply])]
fn answer(state: State) -> Result<(Reply, State), ActionError> {
    let prompt: String = state.get("prompt")?;
    let reply = Reply {
        text: prompt.to_uppercase(),
        tokens: 2,
    };
    let next = state.update("reply", reply.text.clone());
    Ok((reply, next))
}

#[action(reads = [], writes = [n])]
fn with_map(state: State) -> (ResultMap, State) {
    let mut result = ResultMap::new();
    result.insert("n".into(), 1.into());
    (result, state.update("n", 1))
}

#[action(reads = [], writes = [n])]
fn with_btree(state: State) -> (BTreeMap<String, u8>, State) {
    (BTreeMap::from([("n".to_string(), 2)]), state.update("n", 2))
}

#[action(reads = [], writes = [n])]
fn not_an_object(state: State) -> (Vec<u8>, State) {
    (vec![1, 2], state.update("n", 3))
}

fn step(action: impl burr::IntoAction) -> Result<StepResult, Error> {
    let mut app = ApplicationBuilder::new()
        .with_action("act", action)
        .with_state(state! { prompt: "hi" })
        .with_entrypoint("act")
        .build()
        .unwrap();
    app.step().map(Option::unwrap)
}

#[test]
fn tuple_results() {
    let out = step(answer {}).unwrap();
    assert_eq!(out.result["text"], "HI");
    assert_eq!(out.result["tokens"], 2);
    assert_eq!(out.state.get::<String>("reply").unwrap(), "HI");
    assert_eq!(step(with_map {}).unwrap().result["n"], 1);
    assert_eq!(step(with_btree {}).unwrap().result["n"], 2);
}

#[test]
fn a_result_that_is_not_an_object_is_an_error() {
    match step(not_an_object {}).unwrap_err() {
        Error::InvalidOutput { action, message } => {
            assert_eq!(action, "act");
            assert!(
                message.contains("a list") && message.contains("Vec<u8>"),
                "{message}"
            );
        }
        other => panic!("expected an invalid output, got {other:?}"),
    }
}

#[derive(Debug)]
struct ModelDown;

impl std::error::Error for ModelDown {}

impl std::fmt::Display for ModelDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the model is down")
    }
}

#[action(reads = [], writes = [n])]
fn fails(state: State, fail: bool) -> Result<State, ModelDown> {
    if fail {
        Err(ModelDown)
    } else {
        Ok(state.update("n", 1))
    }
}

#[action(reads = [missing], writes = [])]
fn reads_missing(state: State) -> Result<State, ActionError> {
    let _: i64 = state.get("missing")?;
    Ok(state)
}

#[test]
fn user_errors_become_action_failed_with_their_source() {
    let mut app = ApplicationBuilder::new()
        .with_action("fails", fails {})
        .with_entrypoint("fails")
        .build()
        .unwrap();
    match app.step_with(&inputs! { fail: true }).unwrap_err() {
        Error::ActionFailed { action, source } => {
            assert_eq!(action, "fails");
            assert!(source.downcast_ref::<ModelDown>().is_some());
            assert_eq!(source.to_string(), "the model is down");
        }
        other => panic!("expected a failed action, got {other:?}"),
    }
    app.step_with(&inputs! { fail: false }).unwrap();
    assert_eq!(app.state().get::<i64>("n").unwrap(), 1);
}

#[test]
fn engine_errors_raised_in_the_body_stay_typed() {
    let err = step(reads_missing {}).unwrap_err();
    assert!(
        matches!(err, Error::State(burr::StateError::MissingKey { ref key, .. }) if key == "missing"),
        "{err:?}"
    );
}
