//! A typed application mixes with the rest: untyped actions see the map, and the state comes
//! back typed from `initialize_from`, a persister and the tracking reader (or a typed error
//! naming the field).

use burr::InitializeFrom;
use burr::persistence::{StateLoader, StateSaver};
use burr::prelude::*;
use burr::tracking::SqlitePersister;
use burr::tracking::{LocalTrackingClient, load_state};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedState)]
struct Chat {
    #[burr(append)]
    history: Vec<String>,
    prompt: String,
    turns: u32,
}

#[action(state = Chat, reads = [prompt, turns], writes = [history, turns])]
fn respond(chat: Reads) -> Writes {
    Writes {
        history: vec![format!("echo {}", chat.prompt)],
        turns: chat.turns + 1,
    }
}

/// An untyped action in the same application: it reads and writes the map.
#[action(reads = [turns], writes = [prompt])]
fn next_prompt(state: State) -> Result<State, Error> {
    let turns: u32 = state.get("turns")?;
    Ok(state.update("prompt", format!("question {turns}")))
}

fn chat() -> Chat {
    Chat {
        history: vec![],
        prompt: "hello".into(),
        turns: 0,
    }
}

fn graph() -> ApplicationBuilder {
    ApplicationBuilder::new()
        .with_actions(actions![respond, next_prompt])
        .with_transitions([
            ("respond", "next_prompt", default()),
            ("next_prompt", "respond", default()),
        ])
}

#[test]
fn untyped_actions_run_in_a_typed_application() -> Result<(), Error> {
    let mut app = graph()
        .with_typed_state(&chat())
        .with_entrypoint("respond")
        .build()?;
    for _ in 0..4 {
        app.step()?;
    }
    let c: Chat = app.typed_state()?;
    assert_eq!(c.history, ["echo hello", "echo question 1"]);
    assert_eq!((c.prompt.as_str(), c.turns), ("question 2", 2));
    Ok(())
}

#[test]
fn initialize_from_a_persister_gives_the_typed_state_back() -> Result<(), Box<dyn std::error::Error>>
{
    let db = SqlitePersister::in_memory()?;
    db.initialize()?;
    let mut app = graph()
        .with_typed_state(&chat())
        .with_entrypoint("respond")
        .with_state_persister(db.clone())
        .build()?;
    app.step()?;
    app.step()?;
    let id = app.app_id().to_string();
    let saved = db.load(None, &id, None)?.expect("a saved step");
    assert_eq!(saved.typed_state::<Chat>()?, app.typed_state::<Chat>()?);

    let resumed = graph()
        .initialize_from(InitializeFrom::new(
            db.clone(),
            State::from_typed(&chat())?,
            "respond",
        ))
        .with_app_id(&id)
        .build()?;
    assert_eq!(resumed.typed_state::<Chat>()?, app.typed_state::<Chat>()?);
    assert_eq!(resumed.next_action(), Some("respond"));
    Ok(())
}

#[test]
fn a_saved_field_that_does_not_deserialize_is_named() -> Result<(), Box<dyn std::error::Error>> {
    let db = SqlitePersister::in_memory()?;
    db.initialize()?;
    let bad = State::from_typed(&chat())?.update("turns", "three");
    db.save(burr::persistence::SaveRequest {
        partition_key: None,
        app_id: "bad",
        sequence_id: 0,
        position: "respond",
        state: &bad,
        status: burr::persistence::Status::Completed,
    })?;
    let app = graph()
        .initialize_from(InitializeFrom::new(
            db.clone(),
            State::from_typed(&chat())?,
            "respond",
        ))
        .with_app_id("bad")
        .build()?;
    let err = app.typed_state::<Chat>().unwrap_err();
    assert_eq!(err.field(), "turns");
    Ok(())
}

#[test]
fn the_tracking_reader_gives_the_typed_state_back() -> Result<(), Box<dyn std::error::Error>> {
    let root = tempfile::tempdir()?;
    let mut app = graph()
        .with_typed_state(&chat())
        .with_entrypoint("respond")
        .with_app_id("typed-chat")
        .with_tracker(LocalTrackingClient::new("typed")?.with_storage_dir(root.path()))
        .build()?;
    for _ in 0..3 {
        app.step()?;
    }
    let expected: Chat = app.typed_state()?;
    drop(app);
    let loaded = load_state(root.path(), "typed", "typed-chat", None)?;
    assert_eq!(loaded.typed_state::<Chat>()?, expected);
    let first = load_state(root.path(), "typed", "typed-chat", Some(0))?;
    assert_eq!(first.typed_state::<Chat>()?.history, ["echo hello"]);
    Ok(())
}
