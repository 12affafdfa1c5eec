//! A flaky model behind a retry policy: the canned LLM answers "rate limited" twice, then
//! replies. Each failed attempt is printed (by a hook that reads the attributes the runtime
//! logs for it) and tracked, so the UI shows the attempts on the step.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example retries
//! ```
//!
//! Tracking files go to `$BURR_PATH/retries` (`~/.burr` when `BURR_PATH` is unset).

#[path = "support/mod.rs"]
mod support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use burr::hooks::{AttributesEvent, LifecycleHook};
use burr::policy::{ATTEMPT_ATTRIBUTE, ATTEMPTS_ATTRIBUTE, RetryPolicy};
use burr::prelude::*;
use burr::tracking::LocalTrackingClient;

/// The model's error: worth another attempt.
#[derive(Debug)]
struct RateLimited;

impl std::fmt::Display for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("429: rate limited, try again later")
    }
}

impl std::error::Error for RateLimited {}

static CALLS: AtomicU32 = AtomicU32::new(0);

/// A canned model that is rate limited on its first two calls.
fn canned_llm(prompt: &str) -> Result<String, RateLimited> {
    let call = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
    println!("attempt {call}: asking the model");
    if call <= 2 {
        return Err(RateLimited);
    }
    Ok(format!("Here is a haiku about {prompt}: ..."))
}

/// Asks the model about `topic`.
#[action(reads = [topic], writes = [answer])]
fn ask(state: State) -> Result<State, ActionError> {
    let topic: String = state.get("topic")?;
    let answer = canned_llm(&topic)?;
    Ok(state.update("answer", answer))
}

/// Prints the attempts the runtime logs.
struct PrintAttempts;

impl LifecycleHook for PrintAttempts {
    fn do_log_attributes(&self, event: &AttributesEvent<'_>) {
        for (key, value) in event.attributes {
            if key == ATTEMPT_ATTRIBUTE {
                println!(
                    "  attempt {} of {} failed ({}); retrying in {} ms",
                    value["attempt"], value["max_attempts"], value["error"], value["retry_in_ms"]
                );
            } else if key == ATTEMPTS_ATTRIBUTE {
                println!("  succeeded after {value} attempts");
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let retry_rate_limits = RetryPolicy::new(5)
        .initial_delay(Duration::from_millis(50))
        .backoff_factor(2.0)
        .jitter(0.2)
        .retry_if(|e| match e {
            burr::Error::ActionFailed { source, .. } => source.is::<RateLimited>(),
            _ => false,
        });
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![ask])
        .with_retry("ask", retry_rate_limits)
        .with_timeout("ask", Duration::from_secs(30))
        .with_state(state! { topic: "the borrow checker" })
        .with_entrypoint("ask")
        .with_hook(PrintAttempts)
        .with_tracker(LocalTrackingClient::new("retries")?)
        .build()?;
    let out = app.run(halt_after(["ask"]), ())?;
    println!("answer: {}", out.state.get::<String>("answer")?);
    support::print_how_to_open("retries");
    Ok(())
}
