//! OpenTelemetry export: the `tracing` example's question answerer with every run exported as
//! a trace over OTLP/HTTP. The run is the root span, each step a child named after its action,
//! the Burr spans, `#[trace]` functions and the `tracing` span of the canned search nest
//! below, and the model call carries the GenAI `gen_ai.*` attributes. Prompts are masked
//! before they leave the process.
//!
//! Start a collector with a UI, for instance Jaeger (OTLP/HTTP on port 4318):
//!
//! ```not_rust
//! docker run --rm -p 16686:16686 -p 4318:4318 jaegertracing/jaeger:latest
//! cargo run --example opentelemetry --features otel
//! ```
//!
//! then open <http://localhost:16686> and look up the trace id it prints. The collector is
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://127.0.0.1:4318`); the other `OTEL_*`
//! variables apply too (see `burr::otel::OtelConfig`). When nothing listens there the
//! example still prints the trace id and exits 0, once the export has failed or timed out.

#[path = "support/question_answerer.rs"]
mod question_answerer;

use burr::otel::OtelConfig;
use burr::prelude::*;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = OtelConfig::new().mask_keys(["prompt"]);
    let endpoint = config.resolved_endpoint();
    let exporter = config.install()?;

    let mut app = question_answerer::builder().build()?;
    let out = app.run_async(halt_after(["answer"]), Inputs::new()).await?;
    println!("answer: {}", out.state.get::<String>("answer")?);

    let trace_id = exporter.trace_ids().pop().unwrap_or_default();
    println!("trace id: {trace_id}");
    match exporter.shutdown() {
        Ok(()) => println!("exported to {endpoint}"),
        Err(e) => eprintln!("nothing exported to {endpoint}: {e}"),
    }
    Ok(())
}
