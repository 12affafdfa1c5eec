//! The `chatbot` example with a typed state: the state is declared once as a struct, actions
//! read its fields with their Rust types and return the fields they write, and the compiler
//! checks both against the struct.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example typed_chatbot
//! ```
//!
//! Tracking files go to `$BURR_PATH/typed_chatbot` (`~/.burr` when `BURR_PATH` is
//! unset), in the same records as the untyped `chatbot`; look at them with
//! `cargo run -p burr-tracking --bin burr`.

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use serde::{Deserialize, Serialize};

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Message {
    role: Role,
    content: String,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    User,
    Assistant,
}

/// How the bot answers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    #[default]
    Chat,
    Poem,
    AnswerQuestion,
}

/// The whole state of the application, declared once.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TypedState)]
struct ChatState {
    /// Every message so far; what an action writes here is appended.
    #[burr(append)]
    chat_history: Vec<Message>,
    prompt: String,
    safe: bool,
    mode: Mode,
    response: String,
}

/// Records the user's prompt (a runtime input).
#[action(state = ChatState, reads = [], writes = [chat_history, prompt])]
fn user_input(prompt: String) -> Writes {
    Writes {
        chat_history: vec![Message {
            role: Role::User,
            content: prompt.clone(),
        }],
        prompt,
    }
}

/// Flags prompts that mention a forbidden word.
#[action(state = ChatState, reads = [prompt], writes = [safe])]
fn safety_check(chat: Reads) -> Writes {
    Writes {
        safe: !chat.prompt.to_lowercase().contains("password"),
    }
}

/// Picks how to answer.
#[action(state = ChatState, reads = [prompt], writes = [mode])]
fn decide_mode(chat: Reads, tracer: &Tracer) -> Writes {
    let mode = classify(&chat.prompt);
    tracer.log_attribute("mode", format!("{mode:?}"));
    Writes { mode }
}

#[trace]
fn classify(prompt: &str) -> Mode {
    if prompt.contains("poem") {
        Mode::Poem
    } else if prompt.trim_end().ends_with('?') {
        Mode::AnswerQuestion
    } else {
        Mode::Chat
    }
}

/// Asks the (canned) LLM for a reply.
#[action(state = ChatState, reads = [prompt, chat_history, mode], writes = [response])]
async fn generate(chat: Reads, tracer: &Tracer, temperature: Option<f64>) -> Writes {
    let response = {
        let span = tracer.span("llm_call");
        span.log_attribute("model", "canned-llm-1");
        span.log_attribute("temperature", temperature.unwrap_or(0.7));
        span.log_attribute("history_len", chat.chat_history.len());
        canned_llm(chat.mode, &chat.prompt).await
    };
    tracer.log_attribute("reply_chars", response.len());
    Writes { response }
}

/// A deterministic stand-in for an LLM.
#[trace(span_name = "canned_llm")]
async fn canned_llm(mode: Mode, prompt: &str) -> String {
    tokio::time::sleep(Duration::from_millis(5)).await;
    match mode {
        Mode::Poem => {
            "Roses compile,\nborrowck is kind,\nsafe state machines\nease the mind.".to_string()
        }
        Mode::AnswerQuestion => format!("Good question! You asked: {prompt:?}. The answer is 42."),
        Mode::Chat => format!("I hear you: {prompt}"),
    }
}

/// Refuses unsafe prompts.
#[action(state = ChatState, reads = [], writes = [response])]
fn refuse() -> Writes {
    Writes {
        response: "I can't help with that.".into(),
    }
}

/// The reply, as the step's result.
#[derive(Serialize)]
struct Reply {
    response: String,
}

/// Appends the reply to the history.
#[action(state = ChatState, reads = [response], writes = [chat_history])]
fn respond(chat: Reads) -> (Reply, Writes) {
    let message = Message {
        role: Role::Assistant,
        content: chat.response.clone(),
    };
    (
        Reply {
            response: chat.response,
        },
        Writes {
            chat_history: vec![message],
        },
    )
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
            (
                "safety_check",
                "decide_mode",
                Condition::typed("safe", |s: &ChatState| s.safe),
            ),
            ("safety_check", "refuse", default()),
            ("decide_mode", "generate", default()),
            ("generate", "respond", default()),
            ("refuse", "respond", default()),
            ("respond", "user_input", default()),
        ])
        .with_typed_state(&ChatState::default())
        .with_entrypoint("user_input")
        .with_tracker(LocalTrackingClient::new("typed_chatbot")?)
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
        let chat: ChatState = out.typed_state()?;
        println!("bot:  {}\n", chat.response.replace('\n', "\n      "));
    }
    let chat: ChatState = app.typed_state()?;
    println!(
        "{} messages in the history; app id {}",
        chat.chat_history.len(),
        app.app_id()
    );
    support::print_how_to_open("typed_chatbot");
    Ok(())
}
