//! Spans and attributes: a two-step question answerer whose steps open nested spans with the
//! injected tracer, log attributes, and call `#[trace]` functions (one sync, one async; the
//! API key of the model call is kept out of the logs). The model and the search are canned.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example tracing
//! ```
//!
//! It prints the span tree of each step, read back from the log it wrote under
//! `$BURR_PATH/demo_tracing/` (`~/.burr` when `BURR_PATH` is not set); the UI shows the same
//! as a waterfall.

#[path = "support/mod.rs"]
mod support;

use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use burr::tracking::format::LogRecord;

/// A canned search: the documents "found" for a query.
#[trace]
async fn retrieve(query: String, limit: usize) -> Vec<String> {
    tokio::task::yield_now().await;
    [
        "Burr runs applications as state machines.",
        "Each step is one action.",
    ]
    .iter()
    .take(limit)
    .map(|d| format!("{d} (for: {query})"))
    .collect()
}

/// A canned model call; `api_key` is never logged.
#[trace(input_filterlist = ["api_key"])]
fn call_model(prompt: &str, api_key: &str) -> String {
    let _ = api_key;
    format!(
        "A short answer, from {} characters of prompt.",
        prompt.len()
    )
}

#[action(reads = [question], writes = [documents])]
async fn search(state: State, tracer: Tracer) -> Result<State, ActionError> {
    let question: String = state.get("question")?;
    // An action-level attribute: no span is open.
    tracer.log_attribute("question_length", question.len());
    let documents = {
        let span = tracer.span("retrieval");
        span.log_attribute("source", "canned index");
        retrieve(question, 2).await
    };
    Ok(state.update("documents", documents))
}

#[action(reads = [question, documents], writes = [answer])]
fn answer(state: State, tracer: &Tracer) -> Result<(ResultMap, State), ActionError> {
    let question: String = state.get("question")?;
    let documents: Vec<String> = state.get("documents")?;
    let reply = {
        let compose = tracer.span("compose");
        compose.log_attribute("documents", documents.len());
        let prompt = {
            let _build = tracer.span("build_prompt");
            format!("Context:\n{}\n\nQuestion: {question}", documents.join("\n"))
        };
        let llm = tracer.span_with_dependencies("llm", ["build_prompt"]);
        llm.log_attributes([
            ("model", serde_json::json!("canned-1")),
            ("temperature", serde_json::json!(0.0)),
        ]);
        call_model(&prompt, "sk-not-a-real-key")
    };
    let mut result = ResultMap::new();
    result.insert("answer".into(), reply.clone().into());
    Ok((result, state.update("answer", reply)))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tracker = LocalTrackingClient::new("tracing")?;
    let project_dir = tracker.project_dir().to_path_buf();
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![search, answer])
        .with_transition("search", "answer", default())
        .with_state(state! { question: "What does Burr do?" })
        .with_entrypoint("search")
        .with_tracker(tracker)
        .build()?;
    let out = app.run_async(halt_after(["answer"]), Inputs::new()).await?;
    println!("answer: {}", out.state.get::<String>("answer")?);

    let log_path = project_dir.join(app.app_id()).join("log.jsonl");
    println!("\nspans and attributes in {}:", log_path.display());
    let text = std::fs::read_to_string(&log_path)?;
    for line in text.lines() {
        match LogRecord::from_json_line(line.as_bytes())? {
            LogRecord::BeginEntry(b) => println!("step {} `{}`", b.sequence_id, b.action),
            LogRecord::BeginSpan(s) => {
                let depth = s
                    .span_id
                    .split(':')
                    .nth(1)
                    .map_or(0, |p| p.split('.').count());
                println!("{}{} [{}]", "  ".repeat(depth), s.span_name, s.span_id);
            }
            LogRecord::Attribute(a) => {
                let depth = a
                    .span_id
                    .as_deref()
                    .and_then(|id| id.split(':').nth(1))
                    .map_or(0, |p| p.split('.').count());
                println!("{}  {} = {}", "  ".repeat(depth), a.key, a.value);
            }
            _ => {}
        }
    }
    assert!(
        !text.contains("sk-not-a-real-key"),
        "the filtered key never reaches the log"
    );
    support::print_how_to_open("tracing");
    Ok(())
}
