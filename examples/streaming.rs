//! A canned LLM streams its reply token by token: the caller prints each token as it
//! arrives, then the final state. Two turns of a chat, tracked.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example streaming
//! ```
//!
//! The tracking files go to `$BURR_PATH/streaming/<app id>/` (`~/.burr` when
//! `BURR_PATH` is not set); the UI shows each streamed step with its first-token and
//! end-of-stream times.

#[path = "support/mod.rs"]
mod support;

use std::io::Write as _;
use std::time::Duration;

use burr::prelude::*;
use burr::stream::Emitter;
use burr::tracking::LocalTrackingClient;
use serde_json::json;

/// The canned model: a fixed reply per prompt, streamed word by word.
fn canned_reply(prompt: &str) -> &'static str {
    if prompt.contains("stream") {
        "Streaming lets a caller show each token the moment the model produces it, \
         instead of waiting for the whole reply."
    } else {
        "Hello! Ask me anything about state machines, I am a very small canned model."
    }
}

#[action(reads = [], writes = [prompt, chat_history])]
fn user_input(state: State, prompt: String) -> State {
    state
        .update("prompt", prompt.clone())
        .append("chat_history", json!({ "role": "user", "content": prompt }))
}

#[streaming_action(reads = [prompt], writes = [response, chat_history])]
fn respond(state: State, emit: &Emitter) -> Result<(ResultMap, State), ActionError> {
    let prompt: String = state.get("prompt")?;
    let mut reply = String::new();
    for token in canned_reply(&prompt).split_inclusive(' ') {
        // A real model takes a while per token.
        std::thread::sleep(Duration::from_millis(15));
        emit.item(json!({ "delta": token }))?;
        reply.push_str(token);
    }
    let mut result = ResultMap::new();
    result.insert("tokens".into(), json!(reply.split(' ').count()));
    let state = state.update("response", reply.clone()).append(
        "chat_history",
        json!({ "role": "assistant", "content": reply }),
    );
    Ok((result, state))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tracker = LocalTrackingClient::new("streaming")?;
    let project_dir = tracker.project_dir().to_path_buf();
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![user_input, respond])
        .with_transitions([("user_input", "respond"), ("respond", "user_input")])
        .with_state(state! { chat_history: [] })
        .with_entrypoint("user_input")
        .with_tracker(tracker)
        .build()?;

    for prompt in ["Hi there!", "Why would I stream a reply?"] {
        println!("user> {prompt}");
        let (action, mut stream) =
            app.stream_result(halt_after(["respond"]), inputs! { prompt: prompt })?;
        print!("{action}> ");
        for item in stream.by_ref() {
            print!("{}", item["delta"].as_str().unwrap_or_default());
            std::io::stdout().flush()?;
        }
        println!();
        let (result, state) = stream.finish()?;
        println!(
            "  ({} tokens; the history now holds {} messages)",
            result.map_or(json!(0), |r| r["tokens"].clone()),
            state.get::<Vec<serde_json::Value>>("chat_history")?.len()
        );
    }
    println!("final state: {}", app.state().to_json());
    println!("tracked in {}", project_dir.join(app.app_id()).display());
    support::print_how_to_open("streaming");
    Ok(())
}
