//! One question fanned out to 5 canned "models", each a small sub-application of two
//! actions (ask, then normalize the answer), run concurrently; then a majority vote.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example parallel
//! ```
//!
//! The tracking files go to `$BURR_PATH/parallel/` (`~/.burr` when `BURR_PATH` is not
//! set): the parent application, and one child application per model, each pointing back at
//! the parent's step (the UI shows them as its children).

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use burr::parallel::{Parallel, RunnableGraph};
use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use serde_json::json;

const MODELS: [&str; 5] = ["atlas", "boreal", "cirrus", "delta", "ember"];

/// What each canned model answers (with its own style), and how long it "thinks".
fn canned_answer(model: &str, question: &str) -> (String, u64) {
    let city = if question.contains("France") {
        "Paris"
    } else {
        "unknown"
    };
    match model {
        "atlas" => (format!("The answer is {city}."), 40),
        "boreal" => (format!("{}!", city.to_uppercase()), 25),
        "cirrus" => ("Lyon, I believe.".to_string(), 60),
        "delta" => (format!("  {city}  "), 10),
        _ => (format!("I'd say {city}"), 30),
    }
}

#[action(reads = [question], writes = [raw_answer])]
async fn ask_model(state: State, model: String) -> Result<State, ActionError> {
    let question: String = state.get("question")?;
    let (answer, millis) = canned_answer(&model, &question);
    tokio::time::sleep(Duration::from_millis(millis)).await;
    Ok(state.update("raw_answer", answer))
}

#[action(reads = [raw_answer], writes = [answer])]
fn normalize(state: State) -> Result<State, ActionError> {
    let raw: String = state.get("raw_answer")?;
    let answer = ["Paris", "Lyon"]
        .into_iter()
        .find(|city| raw.to_lowercase().contains(&city.to_lowercase()))
        .unwrap_or("unknown");
    Ok(state.update("answer", answer))
}

#[action(reads = [answers], writes = [final_answer])]
fn vote(state: State) -> Result<(ResultMap, State), ActionError> {
    let answers: Vec<String> = state.get("answers")?;
    let mut best = ("unknown", 0);
    for candidate in &answers {
        let votes = answers.iter().filter(|a| *a == candidate).count();
        if votes > best.1 {
            best = (candidate, votes);
        }
    }
    let mut result = ResultMap::new();
    result.insert("votes".into(), json!(best.1));
    let winner = best.0.to_string();
    Ok((result, state.update("final_answer", winner)))
}

/// The sub-graph one model runs: ask (with the model bound), then normalize.
fn model_graph(model: &str) -> RunnableGraph {
    RunnableGraph::new("ask", ["normalize"])
        .with_action("ask", ask_model::bind([("model", model)]))
        .with_actions(actions![normalize])
        .with_transitions([("ask", "normalize")])
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tracker = LocalTrackingClient::new("parallel")?;
    let project_dir = tracker.project_dir().to_path_buf();

    let fan_out = Parallel::map_actions(MODELS.map(model_graph))
        .with_reads(["question"])
        .with_writes(["answers"])
        .reduce(|state, children| {
            let answers = children
                .iter()
                .map(|child| child.get::<String>("answer"))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(state.update("answers", answers))
        })
        .concurrency(5);

    let mut app = ApplicationBuilder::new()
        .with_action("ask_all", fan_out)
        .with_actions(actions![vote])
        .with_transitions([("ask_all", "vote")])
        .with_state(state! { question: "What is the capital of France?" })
        .with_entrypoint("ask_all")
        .with_tracker(tracker)
        .build()?;

    let started = std::time::Instant::now();
    let out = app.run_async(halt_after(["vote"]), ()).await?;
    println!("question: {}", out.state.get::<String>("question")?);
    let answers: Vec<String> = out.state.get("answers")?;
    for (model, answer) in MODELS.iter().zip(&answers) {
        println!("  {model:>7}: {answer}");
    }
    println!(
        "vote: {} ({} of {} models) in {:?}",
        out.state.get::<String>("final_answer")?,
        out.result.map_or(json!(0), |r| r["votes"].clone()),
        MODELS.len(),
        started.elapsed()
    );
    println!("tracked in {}", project_dir.join(app.app_id()).display());
    support::print_how_to_open("parallel");
    Ok(())
}
