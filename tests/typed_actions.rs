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
