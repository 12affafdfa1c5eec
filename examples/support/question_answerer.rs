//! The question answerer of the `tracing` and `opentelemetry` examples: two steps that open
//! nested spans with the injected tracer, log attributes, call `#[trace]` functions (one
//! sync, one async; the API key of the model call is kept out of the logs), open a `tracing`
//! span as a library would, and log the model call with the GenAI conventions. The model and
//! the search are canned.

use burr::genai::{LlmRequest, LlmResponse};
use burr::prelude::*;
use tracing::Instrument;

/// A canned search: the documents "found" for a query, looked up inside a `tracing` span of
/// the kind a client library opens.
#[trace]
async fn retrieve(query: String, limit: usize) -> Vec<String> {
    async {
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
    .instrument(tracing::info_span!("index.query", db.system = "canned"))
    .await
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
        let _llm = tracer.span_with_dependencies("llm", ["build_prompt"]);
        let call = tracer.llm_call(&LlmRequest::chat("canned", "canned-1").temperature(0.0));
        let reply = call_model(&prompt, "sk-not-a-real-key");
        call.finish(
            &LlmResponse::new()
                .input_tokens(prompt.split_whitespace().count() as u64)
                .output_tokens(reply.split_whitespace().count() as u64)
                .cost_usd(0.0)
                .finish_reason("stop"),
        );
        reply
    };
    let mut result = ResultMap::new();
    result.insert("answer".into(), reply.clone().into());
    Ok((result, state.update("answer", reply)))
}

/// The application, ready to run to `answer`.
pub(crate) fn builder() -> ApplicationBuilder {
    ApplicationBuilder::new()
        .with_actions(actions![search, answer])
        .with_transition("search", "answer", default())
        .with_state(state! { question: "What does Burr do?" })
        .with_entrypoint("search")
}
