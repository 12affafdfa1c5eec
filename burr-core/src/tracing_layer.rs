//! The bridge between Burr's spans and the [`tracing`] ecosystem, in both directions.
//!
//! **Burr to `tracing` (always on).** Every step the runtime runs is a `tracing` span named
//! `burr.step`, and every Burr span (opened with [`Tracer::span`](crate::Tracer::span) or
//! `#[trace]`) is a `tracing` span named `burr.span` nested inside it, all with target `burr`
//! and level `INFO`. `tracing` span names are static, so the Burr name travels in the fields:
//!
//! | span        | fields |
//! |-------------|--------|
//! | `burr.step` | `otel.name` (the action), `burr.action`, `burr.sequence_id`, `burr.app_id`, `burr.partition_key` |
//! | `burr.span` | `otel.name` (the span's name), `burr.span_name`, `burr.span_id` (`"3:0.1"`), `burr.action`, `burr.sequence_id`, `burr.app_id` |
//!
//! `otel.name` is the field `tracing-opentelemetry` uses as the exported span's name, so an
//! OpenTelemetry backend shows the action and span names. Attributes logged through the tracer
//! become `INFO` events named `burr.attribute` (target `burr`) inside their span, with the
//! fields `key` and `value` (the value as compact JSON). A span is entered only while its code
//! runs: the runtime enters the step span (and the current Burr span) around the action and
//! around every poll of an async action, never across an `.await`. When no subscriber is
//! interested in target `burr`, all of this costs a couple of level checks per step.
//!
//! **`tracing` to Burr (feature `tracing-layer`).** `BurrLayer` is a
//! `tracing-subscriber` layer that turns the spans and events of the code an action calls
//! (for instance functions instrumented with `#[tracing::instrument]` in other crates) into
//! Burr spans and attributes, so they appear in the tracking UI.

use serde_json::Value;
use tracing::Span;

use crate::hooks::SpanInfo;

/// The target of every span and event the runtime emits.
pub(crate) const TARGET: &str = "burr";

/// The `tracing` span of one step (disabled when nobody listens).
pub(crate) fn step_span(
    app_id: &str,
    partition_key: Option<&str>,
    action: &str,
    sequence_id: u64,
) -> Span {
    tracing::info_span!(
        target: TARGET,
        "burr.step",
        otel.name = action,
        burr.action = action,
        burr.sequence_id = sequence_id,
        burr.app_id = app_id,
        burr.partition_key = partition_key,
    )
}

/// The `tracing` span of one Burr span. `parent` is the span to nest under; `None` nests
/// under whatever `tracing` span is current on this thread.
pub(crate) fn burr_span(
    parent: Option<&Span>,
    info: &SpanInfo,
    action: &str,
    app_id: &str,
) -> Span {
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
pub(crate) fn attribute_events(parent: Option<&Span>, attributes: &[(String, Value)]) {
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
pub(crate) fn enter(span: &Span) {
    span.with_subscriber(|(id, dispatch)| dispatch.enter(id));
}

/// Exits `span` on this thread (the pair of [`enter`]).
#[inline]
pub(crate) fn exit(span: &Span) {
    span.with_subscriber(|(id, dispatch)| dispatch.exit(id));
}
