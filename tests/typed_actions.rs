//! Typed actions: `#[action(state = S, reads = [..], writes = [..])]` reads the declared
//! fields with their types and returns the fields it writes.

use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedState)]
struct Chat {
    #[burr(append)]
    history: Vec<String>,
    prompt: String,
    response: Option<String>,
    #[burr(add)]
    turns: u32,
}

#[action(state = Chat, reads = [prompt, history], writes = [response, history, turns])]
fn respond(chat: Reads, tone: Option<String>) -> Writes {
    let reply = format!(
        "{}{} (after {} messages)",
        tone.unwrap_or_default(),
        chat.prompt.to_uppercase(),
        chat.history.len()
    );
    Writes {
        response: Some(reply.clone()),
        history: vec![chat.prompt, reply],
        turns: 1,
    }
}

fn chat() -> Chat {
    Chat {
        history: vec![],
        prompt: "hi".into(),
        response: None,
        turns: 0,
    }
}

#[test]
fn a_typed_action_reads_fields_and_writes_them_by_their_rules() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![respond])
        .with_transitions([("respond", "respond", default())])
        .with_typed_state(&chat())
        .with_entrypoint("respond")
        .build()?;
    app.step()?;
    app.step()?;
    let c: Chat = app.typed_state()?;
    assert_eq!(c.turns, 2);
    assert_eq!(c.history.len(), 4);
    assert_eq!(c.response.as_deref(), Some("HI (after 2 messages)"));
    Ok(())
}

#[test]
fn declarations_are_the_fields_keys() {
    let a = respond {};
    assert_eq!(a.reads(), ["prompt", "history"]);
    assert_eq!(a.writes(), ["response", "history", "turns"]);
    assert_eq!(a.inputs().len(), 1);
}

#[derive(Serialize)]
struct Summary {
    chars: usize,
}

/// An async typed action with a result.
#[action(state = Chat, reads = [prompt], writes = [response])]
async fn summarize(chat: Reads) -> Result<(Summary, Writes), ActionError> {
    Ok((
        Summary {
            chars: chat.prompt.len(),
        },
        Writes {
            response: Some(format!("{} chars", chat.prompt.len())),
        },
    ))
}

#[tokio::test]
async fn async_typed_actions_return_a_result_beside_their_writes() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![summarize])
        .with_typed_state(&chat())
        .with_entrypoint("summarize")
        .build_async()
        .await?;
    let out = app.run_async(halt_after(["summarize"]), ()).await?;
    assert_eq!(out.result.as_ref().unwrap()["chars"], 2);
    assert_eq!(
        out.typed_state::<Chat>()?.response.as_deref(),
        Some("2 chars")
    );
    Ok(())
}

#[test]
fn a_read_that_does_not_deserialize_fails_the_step_naming_the_field() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![respond])
        .with_typed_state(&chat())
        .with_state(state! { prompt: 42 })
        .with_entrypoint("respond")
        .build()?;
    let err = app.step().unwrap_err();
    assert!(
        matches!(&err, Error::TypedState(e) if e.field() == "prompt"),
        "{err}"
    );
    assert!(
        err.to_string().contains("field `prompt` of `Chat`"),
        "{err}"
    );
    Ok(())
}

/// A typed action that returns a map state it built itself: the engine's write checks
/// apply as for any action (a value it writes anew is a write, and `prompt` is not declared
/// in `writes`).
#[action(state = Chat, reads = [prompt], writes = [response])]
fn forgets(chat: Reads) -> State {
    State::new().update("prompt", chat.prompt)
}

#[test]
fn writes_are_still_checked_at_run_time() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![forgets])
        .with_typed_state(&chat())
        .with_entrypoint("forgets")
        .build()?;
    let err = app.step().unwrap_err();
    assert!(
        matches!(&err, Error::UndeclaredWrite { keys, .. } if keys == &["prompt"]),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_typed_action_is_an_ordinary_function_too() {
    let w = respond(
        __burr_respond_Reads {
            prompt: "yo".into(),
            history: vec![],
        },
        None,
    );
    assert_eq!(w.history, ["yo", "YO (after 0 messages)"]);
}
