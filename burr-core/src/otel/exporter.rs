//! [`OtelExporter`]: the running export pipeline (OTLP/HTTP exporter, batching, masking)
//! and the `tracing` layer that feeds it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, SdkTracer, SdkTracerProvider, Span, SpanData, SpanProcessor,
};
use tracing::{Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;

use super::config::{OtlpProtocol, Resolved};
use super::error::OtelError;
use super::mask::{Mask, Masking};
use crate::context::OtelExports as Exports;

/// How many trace ids of finished runs an exporter remembers.
const RUNS_KEPT: usize = 1024;

/// A running export pipeline: spans go through masking and batching to an OTLP/HTTP
/// collector. Made by [`OtelConfig::start`](super::OtelConfig::start) or
/// [`OtelConfig::install`](super::OtelConfig::install).
///
/// Dropping it flushes the spans still queued and shuts the pipeline down (waiting at most
/// the export timeout); [`OtelExporter::shutdown`] does the same and says whether it worked.
///
/// # Examples
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let exporter = burr_core::otel::OtelConfig::new().start().unwrap();
/// let subscriber = tracing_subscriber::registry().with(exporter.layer());
/// tracing::subscriber::with_default(subscriber, || {
///     let mut app = burr_core::ApplicationBuilder::new()
///         .with_action("a", burr_core::Input::new(["x"]))
///         .with_entrypoint("a")
///         .build()
///         .unwrap();
///     app.step_with(&burr_core::inputs! { x: 1 }).unwrap();
/// });
/// assert_eq!(exporter.trace_ids().len(), 1);
/// ```
#[derive(Debug)]
pub struct OtelExporter {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
    runs: Arc<RunLog>,
    shut_down: bool,
}

impl OtelExporter {
    pub(crate) fn start(settings: Resolved, mask: Mask) -> Result<Self, OtelError> {
        let protocol = match settings.protocol {
            Ok(OtlpProtocol::HttpProtobuf) => Protocol::HttpBinary,
            Ok(OtlpProtocol::HttpJson) => Protocol::HttpJson,
            Err(name) => return Err(OtelError::UnsupportedProtocol(name)),
        };
        let mut builder = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(protocol)
            .with_endpoint(settings.endpoint);
        if let Some(timeout) = settings.timeout {
            builder = builder.with_timeout(timeout);
        }
        let exporter = builder.build()?;
        let mut resource = Resource::builder();
        if let Some(name) = settings.service_name {
            resource = resource.with_service_name(name);
        }
        let runs = Arc::new(RunLog::default());
        let provider = SdkTracerProvider::builder()
            .with_resource(resource.build())
            .with_span_processor(RunRecorder(runs.clone()))
            .with_span_processor(Masking {
                mask,
                inner: BatchSpanProcessor::builder(exporter).build(),
            })
            .build();
        let tracer = provider.tracer("burr");
        Ok(OtelExporter {
            provider,
            tracer,
            runs,
            shut_down: false,
        })
    }

    /// The `tracing` layer that turns spans into OpenTelemetry spans: each call of an
    /// application (`run`, `step`, `iterate`, …) is a root span, its steps are children
    /// named after their actions, Burr spans and `#[trace]` functions nest under them, and
    /// so do the spans other crates open while an action runs. Burr attributes become span
    /// attributes, span dependencies become links.
    ///
    /// Add it to a [`tracing_subscriber::Registry`] beside the other layers of a program.
    ///
    /// # Examples
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let exporter = burr_core::otel::OtelConfig::new().start().unwrap();
    /// let _subscriber = tracing_subscriber::registry()
    ///     .with(exporter.layer())
    ///     .with(tracing_subscriber::fmt::layer());
    /// ```
    pub fn layer<S>(&self) -> impl Layer<S> + Send + Sync + 'static
    where
        S: Subscriber + for<'span> LookupSpan<'span> + Send + Sync,
    {
        tracing_opentelemetry::layer()
            .with_tracer(self.tracer.clone())
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_filter(filter_fn(exported))
            .and_then(Exports)
    }

    /// Makes a registry with [`OtelExporter::layer`] the global `tracing` subscriber, and
    /// this exporter's provider the global OpenTelemetry one.
    pub(crate) fn install(&self) -> Result<(), OtelError> {
        let subscriber = tracing_subscriber::registry().with(self.layer());
        tracing::subscriber::set_global_default(subscriber)
            .map_err(|_| OtelError::SubscriberAlreadySet)?;
        opentelemetry::global::set_tracer_provider(self.provider.clone());
        Ok(())
    }

    /// The trace ids (32 hex digits) of the application calls that have finished, oldest
    /// first (the last 1,024): what to look up in the tracing backend.
    ///
    /// # Examples
    ///
    /// ```
    /// let exporter = burr_core::otel::OtelConfig::new().start().unwrap();
    /// assert!(exporter.trace_ids().is_empty());
    /// ```
    pub fn trace_ids(&self) -> Vec<String> {
        self.runs
            .ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Exports every finished span now.
    ///
    /// # Errors
    ///
    /// [`OtelError::Export`] when the collector could not be reached or refused the spans.
    ///
    /// # Examples
    ///
    /// ```
    /// let exporter = burr_core::otel::OtelConfig::new().start().unwrap();
    /// exporter.flush().unwrap(); // nothing to send yet
    /// ```
    pub fn flush(&self) -> Result<(), OtelError> {
        Ok(self.provider.force_flush()?)
    }

    /// Exports what is left and stops.
    ///
    /// # Errors
    ///
    /// [`OtelError::Export`] when the last spans could not be exported.
    ///
    /// # Examples
    ///
    /// ```
    /// let exporter = burr_core::otel::OtelConfig::new().start().unwrap();
    /// exporter.shutdown().unwrap();
    /// ```
    pub fn shutdown(mut self) -> Result<(), OtelError> {
        self.shut_down = true;
        // The flush says whether the last spans reached the collector; the shutdown alone
        // would not.
        let flushed = self.provider.force_flush();
        let stopped = self.provider.shutdown();
        Ok(flushed.and(stopped)?)
    }
}

impl Drop for OtelExporter {
    fn drop(&mut self) {
        if !self.shut_down {
            // Nothing to report to from a drop: `shutdown` is the call that says.
            let _ = self.provider.shutdown_with_timeout(Duration::from_secs(10));
        }
    }
}

/// Whether the OpenTelemetry layer sees `meta`: Burr attribute events are left out (they
/// become span attributes), and so are the OpenTelemetry crates' own log events (which
/// would land in whatever span is current while a span is handed to the exporter).
fn exported(meta: &Metadata<'_>) -> bool {
    !(meta.is_event()
        && (meta.name() == "burr.attribute" || meta.target().starts_with("opentelemetry")))
}

/// The trace ids of finished runs.
#[derive(Debug, Default)]
struct RunLog {
    ids: Mutex<VecDeque<String>>,
}

/// A span processor that notes the trace id of each finished application call.
#[derive(Debug)]
struct RunRecorder(Arc<RunLog>);

impl SpanProcessor for RunRecorder {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if span
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "burr.method")
        {
            let mut ids = self.0.ids.lock().unwrap_or_else(|p| p.into_inner());
            if ids.len() == RUNS_KEPT {
                ids.pop_front();
            }
            ids.push_back(span.span_context.trace_id().to_string());
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}
