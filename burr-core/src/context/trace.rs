//! [`StepTrace`]: the span bookkeeping of one step, and the span events it fires to the hooks.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::Value;

use super::AppShared;
use crate::hooks::{AttributesEvent, SpanEvent, SpanInfo};

/// Span bookkeeping of one step.
pub(crate) struct StepTrace {
    pub(super) app: Arc<AppShared>,
    pub(super) action: Arc<str>,
    sequence_id: u64,
    top: AtomicU32,
    /// Span and attribute events waiting for the async hooks (delivered after the step).
    deferred: Mutex<Vec<Deferred>>,
    /// The step's `tracing` span (disabled when nobody listens).
    pub(super) tspan: tracing::Span,
    /// The OpenTelemetry contexts of its spans, for the links of spans that depend on them.
    #[cfg(feature = "otel")]
    pub(super) otel_spans: super::otel::StepSpans,
}

impl std::fmt::Debug for StepTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepTrace")
            .field("action", &self.action)
            .field("sequence_id", &self.sequence_id)
            .finish_non_exhaustive()
    }
}

/// A span or attribute event kept for the async hooks.
#[derive(Debug)]
enum Deferred {
    Start(SpanInfo, SystemTime),
    End(SpanInfo, SystemTime),
    Attributes(Option<SpanInfo>, Vec<(String, Value)>, SystemTime),
}

impl StepTrace {
    /// The bookkeeping of a step that has opened no span yet.
    pub(super) fn new(
        app: Arc<AppShared>,
        action: Arc<str>,
        sequence_id: u64,
        tspan: tracing::Span,
    ) -> Self {
        StepTrace {
            app,
            action,
            sequence_id,
            top: AtomicU32::new(0),
            deferred: Mutex::new(Vec::new()),
            tspan,
            #[cfg(feature = "otel")]
            otel_spans: Default::default(),
        }
    }

    /// The description of a new span under `parent` (or at the top of the step): takes the
    /// next id among its siblings.
    pub(super) fn span_info(
        &self,
        parent: Option<&SpanNode>,
        name: &str,
        dependencies: Vec<String>,
    ) -> SpanInfo {
        let uid = match parent {
            Some(p) => span_uid(&p.info.uid, '.', p.children.fetch_add(1, Ordering::Relaxed)),
            None => {
                let mut seq = Digits::default();
                span_uid(
                    seq.of(self.sequence_id),
                    ':',
                    self.top.fetch_add(1, Ordering::Relaxed),
                )
            }
        };
        SpanInfo {
            uid,
            name: name.to_string(),
            parent_uid: parent.map(|p| p.info.uid.clone()),
            dependencies,
            action_sequence_id: self.sequence_id,
        }
    }

    pub(super) fn fire_span(&self, span: &SpanInfo, start: bool) {
        let time = SystemTime::now();
        let event = SpanEvent {
            app_id: &self.app.app_id,
            partition_key: self.app.partition_key.as_deref(),
            action: &self.action,
            span,
            time,
        };
        if start {
            self.app.hooks.each(|h| h.pre_start_span(&event));
        } else {
            self.app.hooks.each(|h| h.post_end_span(&event));
        }
        if !self.app.hooks.asynchronous.is_empty() {
            let d = if start {
                Deferred::Start(span.clone(), time)
            } else {
                Deferred::End(span.clone(), time)
            };
            self.defer(d);
        }
    }

    pub(super) fn fire_attributes(
        &self,
        span: Option<&SpanInfo>,
        attributes: Vec<(String, Value)>,
    ) {
        let time = SystemTime::now();
        let event = AttributesEvent {
            app_id: &self.app.app_id,
            partition_key: self.app.partition_key.as_deref(),
            action: &self.action,
            action_sequence_id: self.sequence_id,
            span,
            attributes: &attributes,
            time,
        };
        self.app.hooks.each(|h| h.do_log_attributes(&event));
        if !self.app.hooks.asynchronous.is_empty() {
            self.defer(Deferred::Attributes(span.cloned(), attributes, time));
        }
    }

    fn defer(&self, d: Deferred) {
        self.deferred
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(d);
    }

    /// Delivers the deferred events to the async hooks, in order.
    pub(crate) async fn flush_async(&self) {
        let events = std::mem::take(&mut *self.deferred.lock().unwrap_or_else(|p| p.into_inner()));
        let pk = self.app.partition_key.as_deref();
        for d in &events {
            for h in &self.app.hooks.asynchronous {
                match d {
                    Deferred::Start(span, time) | Deferred::End(span, time) => {
                        let event = SpanEvent {
                            app_id: &self.app.app_id,
                            partition_key: pk,
                            action: &self.action,
                            span,
                            time: *time,
                        };
                        if matches!(d, Deferred::Start(..)) {
                            h.pre_start_span(&event).await;
                        } else {
                            h.post_end_span(&event).await;
                        }
                    }
                    Deferred::Attributes(span, attributes, time) => {
                        let event = AttributesEvent {
                            app_id: &self.app.app_id,
                            partition_key: pk,
                            action: &self.action,
                            action_sequence_id: self.sequence_id,
                            span: span.as_ref(),
                            attributes,
                            time: *time,
                        };
                        h.do_log_attributes(&event).await;
                    }
                }
            }
        }
    }
}

/// `"{prefix}{separator}{index}"`, built in one allocation of the exact size (span ids are
/// made for every span: `format!` costs several times more).
fn span_uid(prefix: &str, separator: char, index: u32) -> String {
    let mut digits = Digits::default();
    let index = digits.of(u64::from(index));
    let mut uid = String::with_capacity(prefix.len() + 1 + index.len());
    uid.push_str(prefix);
    uid.push(separator);
    uid.push_str(index);
    uid
}

/// The decimal digits of a number, written into a buffer on the stack.
#[derive(Default)]
struct Digits([u8; 20]);

impl Digits {
    /// `n` in decimal.
    fn of(&mut self, mut n: u64) -> &str {
        let mut at = self.0.len();
        loop {
            at -= 1;
            self.0[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        // Only ASCII digits were written.
        std::str::from_utf8(&self.0[at..]).unwrap_or_default()
    }
}

/// One span of a step, open until [`SpanNode::end`].
#[derive(Debug)]
pub(crate) struct SpanNode {
    pub(super) info: SpanInfo,
    children: AtomicU32,
    /// The span it nests under.
    parent: Option<Arc<SpanNode>>,
    ended: AtomicBool,
    /// Its `tracing` span (disabled for spans that come from `tracing` itself).
    pub(super) tspan: tracing::Span,
}

impl SpanNode {
    /// A span with no child yet, nested under `parent`.
    pub(super) fn new(info: SpanInfo, parent: Option<Arc<SpanNode>>, tspan: tracing::Span) -> Self {
        SpanNode {
            info,
            children: AtomicU32::new(0),
            parent,
            ended: AtomicBool::new(false),
            tspan,
        }
    }

    /// Marks the span ended.
    pub(super) fn end(&self) {
        self.ended.store(true, Ordering::Relaxed);
    }

    /// This span if it is still open, or else [`SpanNode::open_ancestor`] (a span ended by a
    /// guard dropped on another thread may still be current here).
    pub(super) fn open_self_or_ancestor(self: Arc<Self>) -> Option<Arc<SpanNode>> {
        if self.ended.load(Ordering::Relaxed) {
            self.open_ancestor()
        } else {
            Some(self)
        }
    }

    /// The innermost span around this one that is still open: where the current span goes
    /// when this one ends. Spans ended out of order (an outer guard dropped before an inner
    /// one) are skipped, so that no new span nests under a span that has ended.
    pub(super) fn open_ancestor(&self) -> Option<Arc<SpanNode>> {
        let mut up = self.parent.clone();
        while let Some(p) = up.as_ref().filter(|p| p.ended.load(Ordering::Relaxed)) {
            up = p.parent.clone();
        }
        up
    }
}

/// What the `tracing` layer needs: spans that come from `tracing` itself get Burr ids and
/// reach the hooks, but get no `tracing` span of their own.
#[cfg(feature = "tracing-layer")]
impl StepTrace {
    /// Opens a span under `parent` and fires its start.
    pub(crate) fn open_untraced(&self, parent: Option<Arc<SpanNode>>, name: &str) -> Arc<SpanNode> {
        let node = Arc::new(SpanNode::new(
            self.span_info(parent.as_deref(), name, Vec::new()),
            parent,
            tracing::Span::none(),
        ));
        self.fire_span(&node.info, true);
        node
    }

    /// Fires the end of a span opened with [`StepTrace::open_untraced`].
    pub(crate) fn close_untraced(&self, node: &SpanNode) {
        node.end();
        self.fire_span(&node.info, false);
    }

    /// Logs attributes on `span` (or on the action).
    pub(crate) fn log_untraced(&self, span: Option<&SpanNode>, attributes: Vec<(String, Value)>) {
        self.fire_attributes(span.map(|s| &s.info), attributes);
    }
}

#[cfg(test)]
mod tests {
    use super::{Digits, span_uid};

    #[test]
    fn span_ids_read_as_burr_writes_them() {
        for n in [0, 7, 10, 99, 1_000_000, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(Digits::default().of(n), n.to_string());
        }
        assert_eq!(span_uid("12", ':', 0), "12:0");
        assert_eq!(span_uid("12:0", '.', 31), "12:0.31");
        assert_eq!(
            span_uid("0:1.2", '.', u32::MAX),
            format!("0:1.2.{}", u32::MAX)
        );
    }
}
