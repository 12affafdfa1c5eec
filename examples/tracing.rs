//! Spans and attributes: a two-step question answerer whose steps open nested spans with the
//! injected tracer, log attributes, and call `#[trace]` functions (one sync, one async; the
//! API key of the model call is kept out of the logs). The model and the search are canned
//! (see `support/question_answerer.rs`, which the `opentelemetry` example runs too).
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example tracing
//! ```
//!
//! It prints the span tree of each step, read back from the log it wrote under
//! `$BURR_PATH/tracing/` (`~/.burr` when `BURR_PATH` is not set); the UI shows the same
//! as a waterfall.

#[path = "support/question_answerer.rs"]
mod question_answerer;
#[path = "support/mod.rs"]
mod support;

use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use burr::tracking::format::LogRecord;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tracker = LocalTrackingClient::new("tracing")?;
    let project_dir = tracker.project_dir().to_path_buf();
    let mut app = question_answerer::builder().with_tracker(tracker).build()?;
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
