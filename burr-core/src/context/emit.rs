//! The `tracing` spans and events the runtime emits for steps, spans and attributes.

use serde_json::Value;
use tracing::Span;

use crate::hooks::SpanInfo;

/// The target of every span and event the runtime emits.
pub(crate) const TARGET: &str = "burr";

/// The `tracing` span of one outermost call (`run`, `step`, `iterate`, `stream_result` and
/// their async forms): the root the steps of the call nest under (disabled when nobody
/// listens). Its status is set by [`record_outcome`].
pub(crate) fn run_span(app_id: &str, partition_key: Option<&str>, method: &'static str) -> Span {
    if !info_may_be_enabled() {
        return Span::none();
    }
    tracing::info_span!(
        target: TARGET,
        "burr.run",
        otel.name = method,
        burr.method = method,
        burr.app_id = app_id,
        burr.partition_key = partition_key,
        otel.status_code = tracing::field::Empty,
        otel.status_description = tracing::field::Empty,
    )
}

/// The `tracing` span of one step, under `run` (the span of the call it belongs to), or under
/// the current span when the call has none. `None` when nobody listens.
#[inline]
pub(super) fn step_span(
    run: &Span,
    app_id: &str,
    partition_key: Option<&str>,
    (action, tags): (&str, &[String]),
    sequence_id: u64,
) -> Option<Span> {
    if !info_may_be_enabled() {
        // No subscriber takes `INFO` spans: skip building one (and `tracing`'s `log`
        // fallback, which would format every field of a span nobody records).
        return None;
    }
    let span = tracing::info_span!(
        target: TARGET,
        parent: run.id().or_else(|| Span::current().id()),
        "burr.step",
        otel.name = action,
        burr.action = action,
        burr.sequence_id = sequence_id,
        burr.app_id = app_id,
        burr.partition_key = partition_key,
        burr.tags = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
        otel.status_description = tracing::field::Empty,
    );
    if !tags.is_empty() && !span.is_disabled() {
        span.record("burr.tags", tracing::field::display(Joined(tags)));
    }
    (!span.is_disabled()).then_some(span)
}

/// Whether some subscriber may take an `INFO` span: `false` when none is set, or when every
/// one filters `INFO` out (the global level hint, one atomic load).
#[inline]
pub(crate) fn info_may_be_enabled() -> bool {
    use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
    STATIC_MAX_LEVEL >= LevelFilter::INFO && LevelFilter::current() >= LevelFilter::INFO
}

/// Tags shown as one comma-separated field.
struct Joined<'a>(&'a [String]);

impl std::fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, tag) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(tag)?;
        }
        Ok(())
    }
}

/// Records how a call or a step ended on its span: `otel.status_code = "ok"`, or the error
/// as `otel.status_description` (which OpenTelemetry reads as an error status).
pub(crate) fn record_outcome(span: &Span, error: Option<&dyn std::fmt::Display>) {
    if span.is_disabled() {
        return;
    }
    match error {
        None => span.record("otel.status_code", "ok"),
        Some(e) => {
            span.record("otel.status_code", "error");
            span.record("otel.status_description", tracing::field::display(e))
        }
    };
}

/// The event of a streaming step's first item, inside the step's span.
pub(crate) fn stream_first_item(step: &Span) {
    tracing::info!(target: TARGET, parent: step, "burr.stream.first_item");
}

/// The event of a streaming step's end, inside the step's span.
pub(crate) fn stream_end(step: &Span, items: usize) {
    tracing::info!(target: TARGET, parent: step, { burr.items_streamed = items }, "burr.stream.end");
}

/// The `tracing` span of one Burr span. `parent` is the span to nest under; `None` nests
/// under whatever `tracing` span is current on this thread.
pub(super) fn burr_span(
    parent: Option<&Span>,
    info: &SpanInfo,
    action: &str,
    app_id: &str,
) -> Span {
    if !info_may_be_enabled() {
        return Span::none();
    }
    tracing::info_span!(
        target: TARGET,
        parent: parent.map_or_else(|| Span::current().id(), Span::id),
        "burr.span",
        otel.name = info.name.as_str(),
        burr.span_name = info.name.as_str(),
        burr.span_id = info.uid.as_str(),
        burr.action = action,
        burr.sequence_id = info.action_sequence_id,
        burr.app_id = app_id,
    )
}

/// Emits one `burr.attribute` event per attribute, inside `parent` (or inside the current
/// `tracing` span when `None`).
pub(super) fn attribute_events(parent: Option<&Span>, attributes: &[(String, Value)]) {
    if !info_may_be_enabled() {
        // Nobody records them (OpenTelemetry reads them through a subscriber too).
        return;
    }
    #[cfg(feature = "otel")]
    match parent {
        Some(span) => super::otel::set_attributes(span, attributes),
        None => super::otel::set_attributes(&Span::current(), attributes),
    }
    for (key, value) in attributes {
        tracing::event!(
            name: "burr.attribute",
            target: TARGET,
            parent: parent.map_or_else(|| Span::current().id(), Span::id),
            tracing::Level::INFO,
            key = key.as_str(),
            value = %value,
        );
    }
}

/// Enters `span` on this thread without a guard (the runtime pairs it with [`exit`]).
#[inline]
pub(super) fn enter(span: &Span) {
    span.with_subscriber(|(id, dispatch)| dispatch.enter(id));
}

/// Exits `span` on this thread (the pair of [`enter`]).
#[inline]
pub(super) fn exit(span: &Span) {
    span.with_subscriber(|(id, dispatch)| dispatch.exit(id));
}
