//! [`OtelError`]: why export could not start, flush or stop.

/// Why OpenTelemetry export could not start, flush or shut down.
///
/// # Examples
///
/// ```
/// use burr_core::otel::{OtelConfig, OtelError};
///
/// let err = OtelConfig::new().protocol_name("grpc").start().unwrap_err();
/// assert!(matches!(err, OtelError::UnsupportedProtocol(_)));
/// assert!(err.to_string().contains("4318"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtelError {
    /// The protocol asked for (by `OTEL_EXPORTER_OTLP_PROTOCOL` or the configuration) is not
    /// one burr exports with.
    #[error(
        "OTLP protocol {0:?} is not supported: burr exports over OTLP/HTTP (`http/protobuf` or \
         `http/json`); point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's HTTP port (4318)"
    )]
    UnsupportedProtocol(String),
    /// The OTLP exporter could not be built (a malformed endpoint or header, say).
    #[error("the OTLP exporter could not be built: {0}")]
    Build(#[from] opentelemetry_otlp::ExporterBuildError),
    /// A global `tracing` subscriber is already set, so [`OtelConfig::install`] cannot set
    /// one.
    ///
    /// [`OtelConfig::install`]: super::OtelConfig::install
    #[error(
        "a global tracing subscriber is already set: add OtelExporter::layer() to it instead \
         of calling install"
    )]
    SubscriberAlreadySet,
    /// Spans could not be flushed or the exporter could not shut down (the collector is
    /// unreachable or answered with an error).
    #[error("exporting spans failed: {0}")]
    Export(#[from] opentelemetry_sdk::error::OTelSdkError),
}
