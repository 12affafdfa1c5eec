//! What the runtime does for OpenTelemetry while a step runs: a Burr attribute becomes an
//! attribute of its span, and a span's dependencies become links to the spans it names.
//! Both happen only when the `tracing` subscriber exports through [`OtelExporter::layer`]
//! (which carries the [`Exports`] marker); otherwise they cost one check per call.
//!
//! [`OtelExporter::layer`]: crate::otel::OtelExporter::layer

use std::sync::Mutex;

use opentelemetry::trace::{SpanContext, TraceContextExt};
use opentelemetry::{Array, StringValue, Value as OtelValue};
use serde_json::Value;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The marker layer: its presence in a subscriber says that Burr attributes and dependencies
/// are exported (found with `Dispatch::downcast_ref`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Exports;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Exports {}

/// Whether `span` records into a subscriber that exports to OpenTelemetry.
fn exports(span: &Span) -> bool {
    span.with_subscriber(|(_, dispatch)| dispatch.downcast_ref::<Exports>().is_some())
        .unwrap_or(false)
}

/// Sets `attributes` on `span`'s OpenTelemetry span.
pub(crate) fn set_attributes(span: &Span, attributes: &[(String, Value)]) {
    if attributes.is_empty() || !exports(span) {
        return;
    }
    for (key, value) in attributes {
        span.set_attribute(key.clone(), to_otel(value));
        // The semantic conventions' `error.type` says the operation failed: an error status.
        if key == "error.type" {
            let description = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            span.set_status(opentelemetry::trace::Status::error(description));
        }
    }
}

/// The OpenTelemetry value of a Burr attribute: scalars as themselves, a list of one scalar
/// type as an array, anything else (objects, mixed lists, `null`) as its JSON text.
pub(crate) fn to_otel(value: &Value) -> OtelValue {
    match value {
        Value::Bool(b) => OtelValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => OtelValue::I64(i),
            (None, Some(f)) if n.is_f64() => OtelValue::F64(f),
            _ => OtelValue::String(n.to_string().into()),
        },
        Value::String(s) => OtelValue::String(s.clone().into()),
        Value::Array(items) => array(items).unwrap_or_else(|| json_text(value)),
        Value::Null | Value::Object(_) => json_text(value),
    }
}

fn json_text(value: &Value) -> OtelValue {
    OtelValue::String(value.to_string().into())
}

/// A homogeneous list of scalars as an OpenTelemetry array (`None` when it is not one).
fn array(items: &[Value]) -> Option<OtelValue> {
    let array = match items.first()? {
        Value::Bool(_) => Array::Bool(items.iter().map(Value::as_bool).collect::<Option<_>>()?),
        Value::String(_) => Array::String(
            items
                .iter()
                .map(|v| v.as_str().map(|s| StringValue::from(s.to_string())))
                .collect::<Option<_>>()?,
        ),
        Value::Number(n) if n.is_i64() => {
            Array::I64(items.iter().map(Value::as_i64).collect::<Option<_>>()?)
        }
        Value::Number(_) => Array::F64(
            items
                .iter()
                .map(|v| v.as_f64().filter(|_| v.is_f64()))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    };
    Some(OtelValue::Array(array))
}

/// The OpenTelemetry span contexts of a step's Burr spans, by name, so that a span that
/// depends on others links to them.
#[derive(Debug, Default)]
pub(crate) struct StepSpans(Mutex<Vec<(String, SpanContext)>>);

impl StepSpans {
    /// Notes the span `span` named `name` just opened, and links it to the latest span of
    /// each name in `dependencies` (a name no span of the step has is skipped).
    pub(crate) fn opened(&self, span: &Span, name: &str, dependencies: &[String]) {
        if !exports(span) {
            return;
        }
        let context = span.context().span().span_context().clone();
        let mut spans = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for dependency in dependencies {
            if let Some((_, target)) = spans.iter().rev().find(|(n, _)| n == dependency) {
                span.add_link(target.clone());
            }
        }
        if context.is_valid() {
            spans.push((name.to_string(), context));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_keep_their_type_and_the_rest_is_json_text() {
        assert_eq!(to_otel(&json!(true)), OtelValue::Bool(true));
        assert_eq!(to_otel(&json!(-3)), OtelValue::I64(-3));
        assert_eq!(to_otel(&json!(0.5)), OtelValue::F64(0.5));
        assert_eq!(to_otel(&json!("hi")), OtelValue::from("hi"));
        assert_eq!(
            to_otel(&json!(u64::MAX)),
            OtelValue::from(u64::MAX.to_string())
        );
        assert_eq!(to_otel(&json!(null)), OtelValue::from("null"));
        assert_eq!(to_otel(&json!({"a": 1})), OtelValue::from(r#"{"a":1}"#));
    }

    #[test]
    fn lists_of_one_scalar_type_are_arrays() {
        assert_eq!(
            to_otel(&json!(["a", "b"])),
            OtelValue::Array(Array::String(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            to_otel(&json!([1, 2])),
            OtelValue::Array(Array::I64(vec![1, 2]))
        );
        assert_eq!(
            to_otel(&json!([1.5, 2.5])),
            OtelValue::Array(Array::F64(vec![1.5, 2.5]))
        );
        assert_eq!(to_otel(&json!([1, "a"])), OtelValue::from(r#"[1,"a"]"#));
        assert_eq!(to_otel(&json!([1, 2.5])), OtelValue::from("[1,2.5]"));
        assert_eq!(to_otel(&json!([])), OtelValue::from("[]"));
    }
}
