//! [`OtelConfig`]: where and how spans are exported, from the standard `OTEL_*` variables
//! unless the code says otherwise.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Value;

use super::error::OtelError;
use super::exporter::OtelExporter;
use super::mask::{Mask, Masked};

/// The collector burr exports to when neither the code nor the environment names one.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4318";

/// The service name spans carry when neither the code nor `OTEL_SERVICE_NAME` (or
/// `service.name` in `OTEL_RESOURCE_ATTRIBUTES`) names one.
pub const DEFAULT_SERVICE_NAME: &str = "burr";

/// How spans are encoded over OTLP/HTTP.
///
/// # Examples
///
/// ```
/// use burr_core::otel::OtlpProtocol;
///
/// assert_eq!(OtlpProtocol::from_name("http/json").unwrap(), OtlpProtocol::HttpJson);
/// assert!(OtlpProtocol::from_name("grpc").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OtlpProtocol {
    /// `http/protobuf`: the OTLP default.
    #[default]
    HttpProtobuf,
    /// `http/json`.
    HttpJson,
}

impl OtlpProtocol {
    /// The protocol an `OTEL_EXPORTER_OTLP_PROTOCOL` value names.
    ///
    /// # Errors
    ///
    /// [`OtelError::UnsupportedProtocol`] for `grpc` and for any unknown name.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::otel::OtlpProtocol;
    ///
    /// assert_eq!(OtlpProtocol::from_name(" HTTP/Protobuf ").unwrap(), OtlpProtocol::HttpProtobuf);
    /// ```
    pub fn from_name(name: &str) -> Result<Self, OtelError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "http/protobuf" => Ok(OtlpProtocol::HttpProtobuf),
            "http/json" => Ok(OtlpProtocol::HttpJson),
            _ => Err(OtelError::UnsupportedProtocol(name.to_string())),
        }
    }
}

/// Where and how an application's runs, steps and spans are exported to OpenTelemetry.
///
/// Each setting not given here comes from the standard variables:
///
/// | setting | variables (first set wins) | default |
/// |---|---|---|
/// | endpoint | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is), `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/traces` appended) | [`DEFAULT_ENDPOINT`] |
/// | protocol | `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, `OTEL_EXPORTER_OTLP_PROTOCOL` | `http/protobuf` |
/// | service name | `OTEL_SERVICE_NAME`, `service.name` in `OTEL_RESOURCE_ATTRIBUTES` | [`DEFAULT_SERVICE_NAME`] |
/// | timeout, headers, compression | `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT`, `_HEADERS`, `_COMPRESSION` | 10 s, none, none |
/// | batching | `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` | 5 s, 2048, 512 |
///
/// # Examples
///
/// ```
/// use burr_core::otel::OtelConfig;
///
/// let config = OtelConfig::new()
///     .endpoint("http://127.0.0.1:4318")
///     .service_name("chat-service")
///     .mask_keys(["api_key", "password"]);
/// assert_eq!(config.resolved_endpoint(), "http://127.0.0.1:4318/v1/traces");
/// ```
#[derive(Debug, Clone, Default)]
pub struct OtelConfig {
    endpoint: Option<String>,
    protocol: Option<Result<OtlpProtocol, String>>,
    service_name: Option<String>,
    timeout: Option<Duration>,
    pub(crate) mask: Mask,
}

impl OtelConfig {
    /// A configuration that takes every setting from the environment (or its default).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = burr_core::otel::OtelConfig::new();
    /// # let _ = config;
    /// ```
    pub fn new() -> Self {
        OtelConfig::default()
    }

    /// Exports to the collector at `base_url` (as `OTEL_EXPORTER_OTLP_ENDPOINT`: the path
    /// `/v1/traces` is appended).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = burr_core::otel::OtelConfig::new().endpoint("http://collector:4318/");
    /// assert_eq!(config.resolved_endpoint(), "http://collector:4318/v1/traces");
    /// ```
    pub fn endpoint(mut self, base_url: impl Into<String>) -> Self {
        self.endpoint = Some(base_url.into());
        self
    }

    /// Encodes spans with `protocol`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::otel::{OtelConfig, OtlpProtocol};
    ///
    /// let config = OtelConfig::new().protocol(OtlpProtocol::HttpJson);
    /// # let _ = config;
    /// ```
    pub fn protocol(mut self, protocol: OtlpProtocol) -> Self {
        self.protocol = Some(Ok(protocol));
        self
    }

    /// Encodes spans with the protocol named as `OTEL_EXPORTER_OTLP_PROTOCOL` names it; an
    /// unsupported name makes [`OtelConfig::start`] fail.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = burr_core::otel::OtelConfig::new().protocol_name("http/json");
    /// # let _ = config;
    /// ```
    pub fn protocol_name(mut self, name: &str) -> Self {
        self.protocol = Some(OtlpProtocol::from_name(name).map_err(|_| name.to_string()));
        self
    }

    /// The `service.name` of every exported span.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = burr_core::otel::OtelConfig::new().service_name("agent");
    /// # let _ = config;
    /// ```
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// The longest one export request may take.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let config = burr_core::otel::OtelConfig::new().timeout(Duration::from_secs(2));
    /// # let _ = config;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Replaces the values of these attribute keys with [`MASKED`](super::MASKED) before
    /// export, wherever they appear (span, event and link attributes). The natural list is
    /// the one given to `#[trace(input_filterlist = [...])]`, plus the keys of secrets an
    /// action logs.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = burr_core::otel::OtelConfig::new().mask_keys(["api_key"]);
    /// # let _ = config;
    /// ```
    pub fn mask_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.mask.keys.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Decides, for every attribute whose key [`OtelConfig::mask_keys`] does not list,
    /// whether it is exported as it is, with another value, or not at all.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::otel::{Masked, OtelConfig};
    ///
    /// let config = OtelConfig::new().mask(|key, _value| {
    ///     if key.ends_with("email") { Masked::Replace("someone@…".into()) } else { Masked::Keep }
    /// });
    /// # let _ = config;
    /// ```
    pub fn mask(mut self, decide: impl Fn(&str, &Value) -> Masked + Send + Sync + 'static) -> Self {
        self.mask.function = Some(Arc::new(decide));
        self
    }

    /// The URL spans are posted to: the configured endpoint, else the environment's, else
    /// [`DEFAULT_ENDPOINT`], with `/v1/traces` appended to a base URL.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = burr_core::otel::OtelConfig::new().endpoint("http://127.0.0.1:4318");
    /// assert_eq!(config.resolved_endpoint(), "http://127.0.0.1:4318/v1/traces");
    /// ```
    pub fn resolved_endpoint(&self) -> String {
        self.resolve(&env).endpoint
    }

    /// Every setting resolved against `lookup` (the environment, or a map in tests).
    pub(crate) fn resolve(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Resolved {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let endpoint = match (&self.endpoint, var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
            (Some(base), _) => traces_url(base),
            (None, Some(full)) => full.trim().to_string(),
            (None, None) => traces_url(
                &var("OTEL_EXPORTER_OTLP_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.into()),
            ),
        };
        let protocol = match &self.protocol {
            Some(p) => p.clone(),
            None => var("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                .or_else(|| var("OTEL_EXPORTER_OTLP_PROTOCOL"))
                .map_or(Ok(OtlpProtocol::HttpProtobuf), |name| {
                    OtlpProtocol::from_name(&name).map_err(|_| name)
                }),
        };
        let named_by_env = var("OTEL_SERVICE_NAME").is_some()
            || var("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|attrs| {
                attrs
                    .split(',')
                    .any(|kv| kv.trim().starts_with("service.name="))
            });
        let service_name = match &self.service_name {
            Some(name) => Some(name.clone()),
            None if named_by_env => None,
            None => Some(DEFAULT_SERVICE_NAME.to_string()),
        };
        Resolved {
            endpoint,
            protocol,
            service_name,
            timeout: self.timeout,
        }
    }

    /// Starts the exporter: a batching OTLP/HTTP pipeline whose [`OtelExporter::layer`] goes
    /// into a `tracing` subscriber. Nothing is sent until a span ends.
    ///
    /// # Errors
    ///
    /// [`OtelError::UnsupportedProtocol`] or [`OtelError::Build`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let exporter = burr_core::otel::OtelConfig::new().start().unwrap();
    /// let subscriber = tracing_subscriber::registry().with(exporter.layer());
    /// tracing::subscriber::with_default(subscriber, || {
    ///     // run applications here
    /// });
    /// ```
    pub fn start(self) -> Result<OtelExporter, OtelError> {
        OtelExporter::start(self.resolve(&env), self.mask)
    }

    /// Starts the exporter and makes it the process's global `tracing` subscriber (and the
    /// global OpenTelemetry tracer provider), which is all most programs need. Keep the
    /// returned exporter alive: dropping it flushes what is left and shuts down.
    ///
    /// # Errors
    ///
    /// As [`OtelConfig::start`], and [`OtelError::SubscriberAlreadySet`] when the process
    /// already has a global subscriber (then add [`OtelExporter::layer`] to it instead).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let exporter = burr_core::otel::OtelConfig::new().install()?;
    /// // run applications; every run is a trace
    /// exporter.shutdown()?;
    /// # Ok::<(), burr_core::otel::OtelError>(())
    /// ```
    pub fn install(self) -> Result<OtelExporter, OtelError> {
        let exporter = self.start()?;
        exporter.install()?;
        Ok(exporter)
    }
}

/// Reads one environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The traces URL of a collector's base URL.
fn traces_url(base: &str) -> String {
    format!("{}/v1/traces", base.trim().trim_end_matches('/'))
}

/// A configuration with every setting decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub(crate) endpoint: String,
    pub(crate) protocol: Result<OtlpProtocol, String>,
    /// `None`: the environment names the service.
    pub(crate) service_name: Option<String>,
    pub(crate) timeout: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(config: &OtelConfig, vars: &[(&str, &str)]) -> Resolved {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        config.resolve(&|name| vars.get(name).cloned())
    }

    #[test]
    fn without_settings_it_sends_to_the_local_collector_as_burr() {
        let r = resolve(&OtelConfig::new(), &[]);
        assert_eq!(r.endpoint, "http://127.0.0.1:4318/v1/traces");
        assert_eq!(r.protocol, Ok(OtlpProtocol::HttpProtobuf));
        assert_eq!(r.service_name.as_deref(), Some("burr"));
    }

    #[test]
    fn the_standard_variables_are_read() {
        let r = resolve(
            &OtelConfig::new(),
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
                ("OTEL_SERVICE_NAME", "chat"),
            ],
        );
        assert_eq!(r.endpoint, "http://collector:4318/v1/traces");
        assert_eq!(r.protocol, Ok(OtlpProtocol::HttpJson));
        assert_eq!(
            r.service_name, None,
            "the SDK reads OTEL_SERVICE_NAME itself"
        );
        let r = resolve(
            &OtelConfig::new(),
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318"),
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9/custom"),
                ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"),
                ("OTEL_RESOURCE_ATTRIBUTES", "team=a, service.name=x"),
            ],
        );
        assert_eq!(r.endpoint, "http://t:9/custom");
        assert_eq!(r.protocol, Err("grpc".to_string()));
        assert_eq!(r.service_name, None);
    }

    #[test]
    fn the_code_wins_over_the_environment() {
        let config = OtelConfig::new()
            .endpoint("http://mine:1")
            .protocol(OtlpProtocol::HttpProtobuf)
            .service_name("svc");
        let r = resolve(
            &config,
            &[
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9/custom"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                ("OTEL_SERVICE_NAME", "chat"),
            ],
        );
        assert_eq!(r.endpoint, "http://mine:1/v1/traces");
        assert_eq!(r.protocol, Ok(OtlpProtocol::HttpProtobuf));
        assert_eq!(r.service_name.as_deref(), Some("svc"));
    }
}
