//! A chat web service on axum: each request builds the conversation's burr application,
//! resumed from SQLite by its id (new conversations start fresh), runs it to the reply, and
//! answers JSON; the tracking UI is mounted beside the service, under `/burr`.
//!
//! ```text
//! cargo run --example web_service --features server              # serves until Ctrl-C
//! curl -s localhost:7242/chat -H 'content-type: application/json' -d '{"prompt": "hello"}'
//! curl -s localhost:7242/chat -H 'content-type: application/json' -d '{"conversation": "<id>", "prompt": "a poem?"}'
//! cargo run --example web_service --features server -- --demo    # three requests, then exits
//! ```

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::State as Shared;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use burr::InitializeFrom;
use burr::persistence::StateSaver;
use burr::prelude::*;
use burr::tracking::server::{ServeOptions, Store, mount};
use burr::tracking::{LocalTrackingClient, SqlitePersister};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROJECT: &str = "web_service";

#[action(reads = [history], writes = [history, prompt])]
fn user_input(state: State, prompt: String) -> Result<State, Error> {
    Ok(state
        .try_append("history", format!("user: {prompt}"))?
        .update("prompt", prompt))
}

#[action(reads = [prompt, history], writes = [history, reply])]
async fn respond(state: State, tracer: &Tracer) -> Result<State, Error> {
    let prompt: String = state.get("prompt")?;
    let reply = {
        let span = tracer.span("llm_call");
        span.log_attribute("model", "canned-llm-1");
        canned_llm(&prompt).await
    };
    Ok(state
        .try_append("history", format!("assistant: {reply}"))?
        .update("reply", reply))
}

/// A canned model: the same prompt always gets the same reply.
async fn canned_llm(prompt: &str) -> String {
    tokio::task::yield_now().await;
    if prompt.contains("poem") {
        "Requests come and go,\nstate stays where it belongs,\nin one row per step.".into()
    } else {
        format!("You said {prompt:?}.")
    }
}

/// What the service shares between requests: the persister, the tracker, and one lock per
/// conversation being answered, so that two requests on one conversation take turns (each
/// resumes from the step the other saved) instead of both resuming the same step.
#[derive(Clone)]
struct Service {
    db: SqlitePersister,
    tracker: LocalTrackingClient,
    turns: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Service {
    /// The lock of `conversation`, created on first use.
    fn turn_lock(&self, conversation: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        turns.entry(conversation.to_string()).or_default().clone()
    }

    /// Forgets the lock of `conversation` once no request holds or waits for it.
    fn release(&self, conversation: &str, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        // The table's reference and `lock`: nobody else.
        if Arc::strong_count(&lock) == 2 {
            turns.remove(conversation);
        }
    }
}

#[derive(Debug, Deserialize)]
struct ChatRequest {
    /// The conversation to continue; a new one when absent.
    conversation: Option<String>,
    prompt: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ChatReply {
    conversation: String,
    reply: String,
    turns: usize,
}

/// `POST /chat`: one turn of a conversation, as its own run of the application.
async fn chat(
    Shared(service): Shared<Service>,
    Json(request): Json<ChatRequest>,
) -> Result<Json<ChatReply>, (StatusCode, String)> {
    let Some(id) = request.conversation.clone() else {
        return turn(&service, request).await;
    };
    let lock = service.turn_lock(&id);
    let answer = {
        let _turn = lock.lock().await;
        turn(&service, request).await
    };
    service.release(&id, lock);
    answer
}

/// One turn: builds the conversation's application (resumed when it has an id), runs it to
/// the reply.
async fn turn(
    service: &Service,
    request: ChatRequest,
) -> Result<Json<ChatReply>, (StatusCode, String)> {
    let failed = |e: Error| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let mut builder = ApplicationBuilder::new()
        .with_actions(actions![user_input, respond])
        .with_transitions([
            ("user_input", "respond", default()),
            ("respond", "user_input", default()),
        ])
        .with_state_persister(service.db.clone())
        .with_tracker(service.tracker.clone())
        .initialize_from(InitializeFrom::new(
            service.db.clone(),
            state! { history: [] },
            "user_input",
        ));
    if let Some(id) = &request.conversation {
        builder = builder.with_app_id(id);
    }
    let mut app = builder.build_async().await.map_err(failed)?;
    let out = app
        .run_async(halt_after(["respond"]), inputs! { prompt: request.prompt })
        .await
        .map_err(failed)?;
    let history: Vec<String> = out.state.get("history").map_err(|e| failed(e.into()))?;
    Ok(Json(ChatReply {
        conversation: app.app_id().to_string(),
        reply: out.state.get("reply").map_err(|e| failed(e.into()))?,
        turns: history.len() / 2,
    }))
}

/// The service: `/chat`, and the tracking UI and API under `/burr`.
fn router(service: Service, root: PathBuf) -> Router {
    Router::new()
        .route("/chat", post(chat))
        .with_state(service)
        .merge(mount("/burr", Store::new(root), &ServeOptions::default()))
}

/// One HTTP/1.1 request over a fresh connection; the status and body of the answer.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// One `/chat` request, its reply read.
async fn ask(
    addr: SocketAddr,
    body: &serde_json::Value,
) -> Result<ChatReply, Box<dyn std::error::Error>> {
    let (status, text) = send(addr, "POST", "/chat", &body.to_string()).await?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{status}: {text}: {e}"))?)
}

/// A turn of a new conversation, then two requests on it at once (they take turns), then a
/// look at the mounted UI.
async fn demo(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let first = ask(addr, &serde_json::json!({"prompt": "hello"})).await?;
    println!("turn 1 ({}): {}", first.conversation, first.reply);
    let id = &first.conversation;
    let poem = serde_json::json!({"conversation": id, "prompt": "write a poem"});
    let thanks = serde_json::json!({"conversation": id, "prompt": "thanks"});
    let (a, b) = tokio::join!(ask(addr, &poem), ask(addr, &thanks));
    let (a, b) = (a?, b?);
    for reply in [&a, &b] {
        println!(
            "turn {} ({}): {}",
            reply.turns, reply.conversation, reply.reply
        );
    }
    let (status, _) = send(addr, "GET", "/burr/", "").await?;
    println!("tracking UI: http://{addr}/burr/ (status {status})");
    let mut turns = [a.turns, b.turns];
    turns.sort_unstable();
    if turns != [2, 3] || status != 200 {
        return Err("the conversation did not take turns, or the UI is not served".into());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let demo_mode = args.iter().any(|a| a == "--demo");
    let tracker = LocalTrackingClient::new(PROJECT)?;
    let root = burr::tracking::layout::resolve_root()?.path;
    std::fs::create_dir_all(&root)?;
    let db = SqlitePersister::open(root.join("web_service.sqlite"))?;
    db.initialize()?;
    let port = if demo_mode { 0 } else { 7242 };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let service = Service {
        db,
        tracker,
        turns: Arc::default(),
    };
    let app = router(service, root);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    if demo_mode {
        demo(addr).await?;
        server.abort();
    } else {
        println!("chat: POST http://{addr}/chat {{\"prompt\": \"...\"}}");
        println!("tracking UI: http://{addr}/burr/ (Ctrl-C to stop)");
        server.await??;
    }
    support::print_how_to_open("web_service");
    Ok(())
}
