//! The `tracing` spans and events the runtime emits for steps, spans and attributes.

use serde_json::Value;
use tracing::Span;

use crate::hooks::SpanInfo;

/// The target of every span and event the runtime emits.
pub(crate) const TARGET: &str = "burr";

/// The `tracing` span of one step (disabled when nobody listens).
pub(super) fn step_span(
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
pub(super) fn burr_span(
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
pub(super) fn attribute_events(parent: Option<&Span>, attributes: &[(String, Value)]) {
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
