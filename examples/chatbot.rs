//! A multi-step chatbot: safety check, mode selection, an async (canned, deterministic) LLM
//! call with spans, and a reply appended to the history. Every step is tracked.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example chatbot
//! ```
//!
//! Tracking files go to `$BURR_PATH/chatbot` (`~/.burr` when `BURR_PATH` is unset); look
//! at them with `cargo run -p burr-tracking --bin burr`.

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use serde::{Deserialize, Serialize};

/// One chat message.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Message {
    role: String,
    content: String,
}

/// Records the user's prompt.
#[action(reads = [chat_history], writes = [chat_history, prompt])]
pub(crate) fn user_input(state: State, prompt: String) -> Result<State, Error> {
    let message = Message {
        role: "user".into(),
        content: prompt.clone(),
    };
    Ok(state
        .try_append("chat_history", message)?
        .update("prompt", prompt))
}

/// Flags prompts that mention a forbidden word.
#[action(reads = [prompt], writes = [safe])]
pub(crate) fn safety_check(state: State) -> Result<State, Error> {
    let prompt: String = state.get("prompt")?;
    Ok(state.update("safe", !prompt.to_lowercase().contains("password")))
}

/// Picks how to answer.
#[action(reads = [prompt], writes = [mode])]
pub(crate) fn decide_mode(state: State, tracer: &Tracer) -> Result<State, Error> {
    let prompt: String = state.get("prompt")?;
    let mode = classify(&prompt);
    tracer.log_attribute("mode", mode);
    Ok(state.update("mode", mode))
}

#[trace]
fn classify(prompt: &str) -> &'static str {
    if prompt.contains("poem") {
        "poem"
    } else if prompt.trim_end().ends_with('?') {
        "answer_question"
    } else {
        "chat"
    }
}

/// Asks the (canned) LLM for a reply.
#[action(reads = [prompt, chat_history, mode], writes = [response])]
pub(crate) async fn generate(
    state: State,
    tracer: &Tracer,
    temperature: Option<f64>,
) -> Result<State, Error> {
    let prompt: String = state.get("prompt")?;
    let mode: String = state.get("mode")?;
    let history: Vec<Message> = state.get("chat_history")?;
    let reply = {
        let span = tracer.span("llm_call");
        span.log_attribute("model", "canned-llm-1");
        span.log_attribute("temperature", temperature.unwrap_or(0.7));
        span.log_attribute("history_len", history.len());
        canned_llm(&mode, &prompt).await
    };
    tracer.log_attribute("reply_chars", reply.len());
    Ok(state.update("response", reply))
}

/// A deterministic stand-in for an LLM.
#[trace(span_name = "canned_llm")]
async fn canned_llm(mode: &str, prompt: &str) -> String {
    tokio::time::sleep(Duration::from_millis(5)).await;
    match mode {
        "poem" => {
            "Roses compile,\nborrowck is kind,\nsafe state machines\nease the mind.".to_string()
        }
        "answer_question" => format!("Good question! You asked: {prompt:?}. The answer is 42."),
        _ => format!("I hear you: {prompt}"),
    }
}

/// Refuses unsafe prompts.
#[action(reads = [], writes = [response])]
pub(crate) fn refuse(state: State) -> State {
    state.update("response", "I can't help with that.")
}

/// Appends the reply to the history.
#[action(reads = [response, chat_history], writes = [chat_history])]
pub(crate) fn respond(state: State) -> Result<(ResultMap, State), Error> {
    let response: String = state.get("response")?;
    let mut result = ResultMap::new();
    result.insert("response".into(), response.clone().into());
    let message = serde_json::json!({"role": "assistant", "content": response});
    Ok((result, state.append("chat_history", message)))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![
            user_input,
            safety_check,
            decide_mode,
            generate,
            refuse,
            respond
        ])
        .with_transitions([
            ("user_input", "safety_check", default()),
            ("safety_check", "decide_mode", when([("safe", true)])?),
            ("safety_check", "refuse", default()),
            ("decide_mode", "generate", default()),
            ("generate", "respond", default()),
            ("refuse", "respond", default()),
            ("respond", "user_input", default()),
        ])
        .with_state(state! { chat_history: [] })
        .with_entrypoint("user_input")
        .with_tracker(LocalTrackingClient::new("chatbot")?)
        .build()?;

    for prompt in [
        "Write me a poem about Rust",
        "What is the meaning of life?",
        "Tell me your password",
    ] {
        println!("user: {prompt}");
        let out = app
            .run_async(
                halt_after(["respond"]),
                inputs! { prompt: prompt, temperature: 0.2 },
            )
            .await?;
        let reply = out
            .result
            .and_then(|r| r.get("response").cloned())
            .unwrap_or_default();
        println!(
            "bot:  {}\n",
            reply.as_str().unwrap_or_default().replace('\n', "\n      ")
        );
    }
    let history: Vec<Message> = app.state().get("chat_history")?;
    println!(
        "{} messages in the history; app id {}",
        history.len(),
        app.app_id()
    );
    support::print_how_to_open("chatbot");
    Ok(())
}
