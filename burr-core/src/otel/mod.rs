//! OpenTelemetry export (feature `otel`): every call of an application becomes a trace.
//!
//! ```text
//! run                          (root: one per run / step / iterate / stream_result call)
//! ├── decide_mode              (one span per step, named after its action)
//! │   └── classify             (a Burr span or a #[trace] function)
//! │       └── http.request     (a span another crate opened while the action ran)
//! └── answer
//!     └── chat gpt-4o-mini     (an LLM call logged with burr_core::genai)
//! ```
//!
//! - The root carries `burr.app_id`, `burr.partition_key` and `burr.method`; each step
//!   `burr.action`, `burr.sequence_id`, `burr.app_id`, `burr.partition_key` and `burr.tags`;
//!   each Burr span `burr.span_id` and `burr.span_name`. A failed step (or call) has an
//!   error status with the error's message.
//! - Attributes logged with the [`Tracer`](crate::Tracer) (and the inputs and results
//!   `#[trace]` captures) are attributes of their span; a span opened with
//!   [`Tracer::span_with_dependencies`](crate::Tracer::span_with_dependencies) links to the
//!   spans it names; a streaming step has `burr.stream.first_item` and `burr.stream.end`
//!   events.
//! - Spans are batched and posted over OTLP/HTTP (protobuf or JSON) to the collector the
//!   standard `OTEL_EXPORTER_OTLP_*` variables name (see [`OtelConfig`]), over TLS for an
//!   `https://` endpoint (rustls, with the system's certificates; `SSL_CERT_FILE` adds one);
//!   values can be masked before they leave the process ([`OtelConfig::mask_keys`],
//!   [`OtelConfig::mask`]).
//!
//! # Examples
//!
//! ```no_run
//! use burr_core::otel::OtelConfig;
//!
//! // Reads OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ...; sets the global subscriber.
//! let exporter = OtelConfig::new().mask_keys(["api_key"]).install()?;
//! // ... build and run applications ...
//! println!("traces: {:?}", exporter.trace_ids());
//! exporter.shutdown()?; // flushes what is left
//! # Ok::<(), burr_core::otel::OtelError>(())
//! ```

mod config;
mod error;
mod exporter;
mod mask;

pub use config::{DEFAULT_ENDPOINT, DEFAULT_SERVICE_NAME, OtelConfig, OtlpProtocol};
pub use error::OtelError;
pub use exporter::OtelExporter;
pub use mask::{MASKED, Masked};
