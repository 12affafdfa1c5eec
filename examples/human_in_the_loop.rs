//! A human approves what an action drafted, hours later and from another process: the action
//! suspends, the process exits, and a new process resumes it with the human's answer.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example human_in_the_loop -- --db FILE
//! # prints: suspended <app_id> approval
//! cargo run --example human_in_the_loop -- --db FILE resume <app_id> <value>
//! # prints the final state as one JSON line
//! ```
//!
//! The draft comes from an expensive (canned) model call journaled with `ctx.durable`: the
//! resumed action gets it from the journal instead of calling the model again, and its state
//! says so (`model_called_again: false`); progress notes go to stderr. Steps are saved in the
//! SQLite file `FILE`; tracking files go to `$BURR_PATH/human_in_the_loop` (`~/.burr`
//! when `BURR_PATH` is unset). A `<value>` that is JSON is used as JSON, anything else as a
//! string: `approve` publishes the draft, anything else is kept as feedback.

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use burr::InitializeFrom;
use burr::persistence::StateSaver;
use burr::prelude::*;
use burr::tracking::{LocalTrackingClient, SqlitePersister};

/// Drafts a reply with the (expensive) model, then asks a human to approve it.
#[action(reads = [request], writes = [draft, decision, model_called_again])]
fn draft_reply(state: State, ctx: &ActionContext) -> Result<State, ActionError> {
    let request: String = state.get("request")?;
    let mut called = false;
    let draft: String = ctx.durable("draft", || {
        called = true;
        eprintln!("calling the model to draft a reply (expensive)");
        Ok::<_, ActionError>(format!("Dear customer, about \"{request}\": we are on it."))
    })?;
    if !called {
        eprintln!("the draft came from the journal: the model was not called again");
    }
    let decision: String = ctx.suspend("approval", serde_json::json!({ "draft": draft }))?;
    Ok(state
        .update("draft", draft)
        .update("decision", decision)
        .update("model_called_again", called))
}

/// Sends the approved draft, or records the feedback.
#[action(reads = [draft, decision], writes = [outcome])]
fn finish(state: State) -> Result<State, Error> {
    let decision: String = state.get("decision")?;
    let outcome = if decision == "approve" {
        format!("sent: {}", state.get::<String>("draft")?)
    } else {
        format!("not sent; feedback: {decision}")
    };
    Ok(state.update("outcome", outcome))
}

fn builder(db: &SqlitePersister) -> Result<ApplicationBuilder, Box<dyn std::error::Error>> {
    Ok(ApplicationBuilder::new()
        .with_actions(actions![draft_reply, finish])
        .with_transition("draft_reply", "finish", default())
        .with_state_persister(db.clone())
        .with_tracker(LocalTrackingClient::new("human_in_the_loop")?))
}

fn initial() -> State {
    state! { request: "my order never arrived" }
}

/// First process: runs until the action suspends.
fn start(db: &SqlitePersister) -> Result<(), Box<dyn std::error::Error>> {
    let mut app = builder(db)?
        .with_state(initial())
        .with_entrypoint("draft_reply")
        .build()?;
    let out = app.run(halt_after(["finish"]), ())?;
    match app.suspension() {
        Some(waiting) if out.halted == Halted::Suspended => {
            eprintln!("waiting for a human: {}", waiting.payload);
            println!("suspended {} {}", app.app_id(), waiting.channel);
            Ok(())
        }
        _ => Err(format!("the run ended without suspending ({:?})", out.halted).into()),
    }
}

/// A later process: resumes `app_id` with the human's `value`.
fn resume(
    db: &SqlitePersister,
    app_id: &str,
    value: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut app = builder(db)?
        .initialize_from(InitializeFrom::new(db.clone(), initial(), "draft_reply"))
        .with_app_id(app_id)
        .build()?;
    let channel = app
        .suspension()
        .map(|s| s.channel)
        .ok_or_else(|| format!("application {app_id} is not waiting for anything"))?;
    let value: serde_json::Value =
        serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.into()));
    let out = app.resume(&channel, value, halt_after(["finish"]), ())?;
    println!("{}", serde_json::to_string(&out.state)?);
    Ok(())
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: human_in_the_loop --db FILE [resume <app_id> <value>]";
    let (db, rest) = match args {
        [flag, file, rest @ ..] if flag == "--db" => (PathBuf::from(file), rest),
        _ => return Err(usage.into()),
    };
    let db = SqlitePersister::open(&db)?;
    db.initialize()?;
    match rest {
        [] => start(&db),
        [cmd, app_id, value] if cmd == "resume" => resume(&db, app_id, value),
        _ => Err(usage.into()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => {
            // Standard output is for scripts (the app id, the final state).
            eprintln!("{}", support::how_to_open("human_in_the_loop"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
