//! Masking: attribute values removed or replaced before any span leaves the process.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

/// The value that stands in for a masked one.
pub const MASKED: &str = "[masked]";

/// What a masking function decides for one attribute.
///
/// # Examples
///
/// ```
/// use burr_core::otel::Masked;
///
/// let decide = |key: &str| if key.ends_with("_token") { Masked::Remove } else { Masked::Keep };
/// assert_eq!(decide("api_token"), Masked::Remove);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Masked {
    /// Export the attribute as it is.
    Keep,
    /// Export this value in its place.
    Replace(Value),
    /// Do not export the attribute at all.
    Remove,
}

type MaskFn = dyn Fn(&str, &Value) -> Masked + Send + Sync;

/// The masking rules of an exporter: attribute keys whose values are replaced by [`MASKED`],
/// then an optional user function that decides for every other attribute.
#[derive(Clone, Default)]
pub(crate) struct Mask {
    pub(crate) keys: HashSet<String>,
    pub(crate) function: Option<Arc<MaskFn>>,
}

impl fmt::Debug for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mask")
            .field("keys", &self.keys)
            .field("function", &self.function.is_some())
            .finish()
    }
}

impl Mask {
    fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.function.is_none()
    }

    fn decide(&self, key: &str, value: &Value) -> Masked {
        if self.keys.contains(key) {
            return Masked::Replace(Value::from(MASKED));
        }
        match &self.function {
            Some(f) => f(key, value),
            None => Masked::Keep,
        }
    }

    /// Applies the rules to a list of attributes, in place.
    fn apply(&self, attributes: &mut Vec<KeyValue>) {
        attributes.retain_mut(|kv| match self.decide(kv.key.as_str(), &kv.value) {
            Masked::Keep => true,
            Masked::Replace(value) => {
                kv.value = value;
                true
            }
            Masked::Remove => false,
        });
    }

    /// Applies the rules to every attribute of a finished span: its own, its events' and
    /// its links'.
    pub(crate) fn apply_to_span(&self, span: &mut SpanData) {
        if self.is_empty() {
            return;
        }
        self.apply(&mut span.attributes);
        for event in &mut span.events.events {
            self.apply(&mut event.attributes);
        }
        for link in &mut span.links.links {
            self.apply(&mut link.attributes);
        }
    }
}

/// A span processor that masks each finished span, then hands it to `inner` (the batch
/// processor that exports).
#[derive(Debug)]
pub(crate) struct Masking<P> {
    pub(crate) mask: Mask,
    pub(crate) inner: P,
}

impl<P: SpanProcessor> SpanProcessor for Masking<P> {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, mut span: SpanData) {
        self.mask.apply_to_span(&mut span);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_keys_are_replaced_and_the_function_decides_the_rest() {
        let mask = Mask {
            keys: HashSet::from(["password".to_string()]),
            function: Some(Arc::new(|key: &str, _: &Value| {
                if key == "secret" {
                    Masked::Remove
                } else if key == "email" {
                    Masked::Replace(Value::from("someone@…"))
                } else {
                    Masked::Keep
                }
            })),
        };
        let mut attributes = vec![
            KeyValue::new("password", "hunter2"),
            KeyValue::new("secret", "s"),
            KeyValue::new("email", "a@b.c"),
            KeyValue::new("tokens", 3),
        ];
        mask.apply(&mut attributes);
        assert_eq!(
            attributes,
            vec![
                KeyValue::new("password", MASKED),
                KeyValue::new("email", "someone@…"),
                KeyValue::new("tokens", 3),
            ]
        );
    }
}
