//! [`Tracer`] and [`SpanGuard`]: how an action opens spans and logs attributes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use serde::Serialize;
use serde_json::Value;

use super::current::{self, Current, set_current_span, swap_current};
use super::emit;
use super::trace::{SpanNode, StepTrace};

/// Opens spans and logs attributes for the running step (Burr's `__tracer`).
///
/// Outside an application (or in one without hooks) every operation is a no-op.
///
/// # Examples
///
/// ```
/// use burr_core::Tracer;
/// let tracer = Tracer::noop();
/// {
///     let span = tracer.span("retrieve");
///     span.log_attribute("documents", 3);
/// }
/// tracer.log_attribute("model", "canned");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Tracer {
    pub(super) step: Option<Arc<StepTrace>>,
}

impl Tracer {
    /// A tracer that records nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::Tracer::noop().is_recording());
    /// ```
    pub fn noop() -> Self {
        Tracer { step: None }
    }

    /// The tracer of the action running on this thread, if any (what `#[trace]` uses).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::Tracer::current().is_none());
    /// ```
    #[inline]
    pub fn current() -> Option<Tracer> {
        current::step().map(|step| Tracer { step: Some(step) })
    }

    /// Whether a step is recording on this thread right now (one thread-local read).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::Tracer::is_active());
    /// ```
    #[inline]
    pub fn is_active() -> bool {
        current::is_active()
    }

    /// Whether this tracer records: it belongs to a step of an application with hooks, or
    /// a `tracing` subscriber listens to target `burr` (spans then become `tracing` spans).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::Tracer::default().is_recording());
    /// ```
    pub fn is_recording(&self) -> bool {
        self.step.is_some()
    }

    pub(crate) fn step(&self) -> Option<&Arc<StepTrace>> {
        self.step.as_ref()
    }

    /// Opens a span named `name`, nested under the current span; it ends when the guard is
    /// dropped.
    ///
    /// Guards may be dropped in any order. When the current span ends, the innermost span
    /// around it that is still open becomes current; a guard dropped before a span nested in
    /// it leaves that span current. A new span never nests under one that has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// let tracer = burr_core::Tracer::noop();
    /// let outer = tracer.span("outer");
    /// let inner = tracer.span("inner");
    /// drop(inner);
    /// drop(outer);
    /// ```
    pub fn span(&self, name: &str) -> SpanGuard {
        self.span_with_dependencies(name, Vec::<String>::new())
    }

    /// Opens a span that declares the names of spans it depends on.
    ///
    /// # Examples
    ///
    /// ```
    /// let tracer = burr_core::Tracer::noop();
    /// let _s = tracer.span_with_dependencies("answer", ["retrieve"]);
    /// ```
    pub fn span_with_dependencies<S: Into<String>>(
        &self,
        name: &str,
        dependencies: impl IntoIterator<Item = S>,
    ) -> SpanGuard {
        let Some(step) = &self.step else {
            return SpanGuard { open: None };
        };
        let here = current::span_of(step);
        let on_step_thread = here.is_some();
        let parent = here.flatten().and_then(SpanNode::open_self_or_ancestor);
        let info = step.span_info(
            parent.as_deref(),
            name,
            dependencies.into_iter().map(Into::into).collect(),
        );
        // On the action's own thread the current `tracing` span is the right parent; elsewhere
        // (a thread the action spawned) the step's span is.
        let tspan = emit::burr_span(
            (!on_step_thread).then_some(&step.tspan),
            &info,
            &step.action,
            &step.app.app_id,
        );
        #[cfg(feature = "otel")]
        step.otel_spans
            .opened(&tspan, &info.name, &info.dependencies);
        let node = Arc::new(SpanNode::new(info, parent, tspan));
        set_current_span(step, Some(node.clone()));
        step.fire_span(&node.info, true);
        SpanGuard {
            open: Some(OpenSpan {
                step: step.clone(),
                node,
            }),
        }
    }

    /// Logs one attribute on the current span (or on the action when no span is open).
    ///
    /// # Examples
    ///
    /// ```
    /// burr_core::Tracer::noop().log_attribute("tokens", 42);
    /// ```
    pub fn log_attribute(&self, key: &str, value: impl Serialize) {
        self.log_attributes([(key, to_json(&value))]);
    }

    /// Logs several attributes at once.
    ///
    /// # Examples
    ///
    /// ```
    /// burr_core::Tracer::noop().log_attributes([("a", serde_json::json!(1))]);
    /// ```
    pub fn log_attributes<K: Into<String>>(
        &self,
        attributes: impl IntoIterator<Item = (K, Value)>,
    ) {
        let Some(step) = &self.step else { return };
        let here = current::span_of(step);
        let on_step_thread = here.is_some();
        let span = here.flatten().and_then(SpanNode::open_self_or_ancestor);
        let attributes: Vec<(String, Value)> =
            attributes.into_iter().map(|(k, v)| (k.into(), v)).collect();
        emit::attribute_events((!on_step_thread).then_some(&step.tspan), &attributes);
        step.fire_attributes(span.as_ref().map(|s| &s.info), attributes);
    }
}

/// Serializes an attribute value; a value that cannot be serialized is logged as its error.
fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| Value::String(format!("<unserializable: {e}>")))
}

#[derive(Debug)]
struct OpenSpan {
    step: Arc<StepTrace>,
    node: Arc<SpanNode>,
}

/// An open span; it ends when dropped.
///
/// # Examples
///
/// ```
/// let span = burr_core::Tracer::noop().span("work");
/// span.log_attribute("items", 3);
/// assert_eq!(span.id(), None); // a no-op tracer records nothing
/// ```
#[derive(Debug)]
#[must_use = "a span ends when its guard is dropped"]
pub struct SpanGuard {
    open: Option<OpenSpan>,
}

impl SpanGuard {
    /// A guard for no span.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::SpanGuard::none().id().is_none());
    /// ```
    pub fn none() -> Self {
        SpanGuard { open: None }
    }

    /// The span's id (`"3:0.1"`), if it records.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::SpanGuard::none().id().is_none());
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.open.as_ref().map(|o| o.node.info.uid.as_str())
    }

    /// Logs an attribute on this span.
    ///
    /// # Examples
    ///
    /// ```
    /// burr_core::SpanGuard::none().log_attribute("k", "v");
    /// ```
    pub fn log_attribute(&self, key: &str, value: impl Serialize) {
        self.log_attributes([(key, to_json(&value))]);
    }

    /// Logs several attributes on this span.
    ///
    /// # Examples
    ///
    /// ```
    /// burr_core::SpanGuard::none().log_attributes([("k", serde_json::json!(1))]);
    /// ```
    pub fn log_attributes<K: Into<String>>(
        &self,
        attributes: impl IntoIterator<Item = (K, Value)>,
    ) {
        if let Some(open) = &self.open {
            let attributes: Vec<(String, Value)> =
                attributes.into_iter().map(|(k, v)| (k.into(), v)).collect();
            emit::attribute_events(Some(&open.node.tspan), &attributes);
            open.step.fire_attributes(Some(&open.node.info), attributes);
        }
    }
}

impl Drop for SpanGuard {
    fn drop(&mut self) {
        if let Some(open) = self.open.take() {
            open.node.end();
            // Only the current span hands over to its parent: a guard dropped before a span
            // nested in it leaves that span current (it is still open).
            if current::span_of(&open.step)
                .flatten()
                .is_some_and(|cur| Arc::ptr_eq(&cur, &open.node))
            {
                set_current_span(&open.step, open.node.open_ancestor());
            }
            open.step.fire_span(&open.node.info, false);
        }
    }
}

impl SpanGuard {
    /// Runs `future` inside this span, and ends the span when the future completes.
    ///
    /// The span is current only while `future` is polled: spans opened inside it nest under
    /// it across `.await` points, and futures that run concurrently in the same action (two
    /// branches of a `join!`) each keep their own span. Where the span was opened, its parent
    /// becomes current again at once. This is what `#[trace]` does for `async fn`s.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(tracer: &burr_core::Tracer) -> u32 {
    /// let span = tracer.span("fetch");
    /// span.instrument(async { 42 }).await
    /// # }
    /// # let _ = demo;
    /// ```
    pub fn instrument<F: Future>(self, future: F) -> impl Future<Output = F::Output> {
        let slot = self.open.as_ref().map(|open| {
            set_current_span(&open.step, open.node.open_ancestor());
            Current {
                step: open.step.clone(),
                span: Some(open.node.clone()),
            }
        });
        InSpan {
            guard: Some(self),
            slot,
            inner: future,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future returned by [`SpanGuard::instrument`].
    struct InSpan<F> {
        guard: Option<SpanGuard>,
        // The context installed during each poll: the step, with this span (or whatever span
        // the future left open inside it) current.
        slot: Option<Current>,
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for InSpan<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let Some(slot) = this.slot.take() else {
            let out = this.inner.poll(cx);
            if out.is_ready() {
                this.guard.take();
            }
            return out;
        };
        let prev = swap_current(Some(slot));
        let out = this.inner.poll(cx);
        if out.is_ready() {
            // End the span while it is still current, so that its parent is restored in the
            // installed context and not wherever the caller is.
            this.guard.take();
        }
        *this.slot = swap_current(prev);
        out
    }
}
