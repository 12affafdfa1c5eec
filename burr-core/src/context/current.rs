//! The context current on this thread while an action runs, which the `tracing` spans follow.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::emit;
use super::trace::{SpanNode, StepTrace};
use super::tracer::Tracer;

/// What is current on this thread while an action runs.
#[derive(Debug, Clone)]
pub(crate) struct Current {
    pub(super) step: Arc<StepTrace>,
    pub(super) span: Option<Arc<SpanNode>>,
}

thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
}

impl Current {
    /// Enters the step's `tracing` span, then the current span's.
    fn enter_tracing(&self) {
        emit::enter(&self.step.tspan);
        if let Some(span) = &self.span {
            emit::enter(&span.tspan);
        }
    }

    /// Exits what [`Current::enter_tracing`] entered, innermost first.
    fn exit_tracing(&self) {
        if let Some(span) = &self.span {
            emit::exit(&span.tspan);
        }
        emit::exit(&self.step.tspan);
    }
}

/// Whether a step is current on this thread (a single thread-local read).
#[inline]
pub(super) fn is_active() -> bool {
    ACTIVE.with(Cell::get)
}

/// The step current on this thread, if any.
#[inline]
pub(super) fn step() -> Option<Arc<StepTrace>> {
    if !ACTIVE.with(Cell::get) {
        return None;
    }
    CURRENT.with(|c| c.borrow().as_ref().map(|cur| cur.step.clone()))
}

/// The current span of `step` on this thread (`Some(None)` when no span is open), or `None`
/// when `step` is not current on this thread.
pub(super) fn span_of(step: &Arc<StepTrace>) -> Option<Option<Arc<SpanNode>>> {
    CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|cur| Arc::ptr_eq(&cur.step, step))
            .map(|cur| cur.span.clone())
    })
}

/// Installs `next` as this thread's context and returns the previous one. The `tracing`
/// spans follow: the previous context's are exited, the next one's entered, so that they
/// are entered exactly while their code runs (and never across an `.await`).
pub(super) fn swap_current(next: Option<Current>) -> Option<Current> {
    ACTIVE.with(|a| a.set(next.is_some()));
    let prev = CURRENT.with(|c| c.borrow_mut().take());
    if let Some(prev) = &prev {
        prev.exit_tracing();
    }
    if let Some(next) = &next {
        next.enter_tracing();
    }
    CURRENT.with(|c| *c.borrow_mut() = next);
    prev
}

/// Runs `f` with `tracer`'s step installed as the current context.
pub(crate) fn scoped<R>(tracer: &Tracer, f: impl FnOnce() -> R) -> R {
    let Some(step) = &tracer.step else {
        // No hooks: make sure an outer action's context does not leak into this one.
        if !ACTIVE.with(Cell::get) {
            return f();
        }
        let prev = swap_current(None);
        let out = f();
        swap_current(prev);
        return out;
    };
    let prev = swap_current(Some(Current {
        step: step.clone(),
        span: None,
    }));
    struct Restore(Option<Option<Current>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(prev) = self.0.take() {
                swap_current(prev);
            }
        }
    }
    let _restore = Restore(Some(prev));
    f()
}

pin_project_lite::pin_project! {
    /// A future that runs with a step's context installed during each poll.
    pub(crate) struct Scoped<F> {
        slot: Option<Current>,
        #[pin]
        inner: F,
    }
}

impl<F> Scoped<F> {
    pub(crate) fn new(tracer: &Tracer, inner: F) -> Self {
        Scoped {
            slot: tracer.step.as_ref().map(|step| Current {
                step: step.clone(),
                span: None,
            }),
            inner,
        }
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let prev = swap_current(this.slot.take());
        let out = this.inner.poll(cx);
        *this.slot = swap_current(prev);
        out
    }
}

/// Makes `span` the current span of `step` on this thread (if `step` is current here), and
/// moves the `tracing` span entered on its behalf along.
pub(super) fn set_current_span(step: &Arc<StepTrace>, span: Option<Arc<SpanNode>>) {
    let entering = span.clone();
    if let Some(left) = replace_current_span(step, span) {
        if let Some(left) = &left {
            emit::exit(&left.tspan);
        }
        if let Some(entering) = &entering {
            emit::enter(&entering.tspan);
        }
    }
}

/// Replaces the current span of `step` on this thread, touching no `tracing` span; returns
/// the span it replaced, or `None` when `step` is not current on this thread.
fn replace_current_span(
    step: &Arc<StepTrace>,
    span: Option<Arc<SpanNode>>,
) -> Option<Option<Arc<SpanNode>>> {
    CURRENT.with(|c| match c.borrow_mut().as_mut() {
        Some(cur) if Arc::ptr_eq(&cur.step, step) => Some(std::mem::replace(&mut cur.span, span)),
        _ => None,
    })
}

// What the `tracing` layer needs: the current context, and making a span current (and no
// longer current) as its `tracing` span is entered (and exited).

/// The context current on this thread, if a step is running here.
#[cfg(feature = "tracing-layer")]
pub(crate) fn current() -> Option<Current> {
    if !ACTIVE.with(Cell::get) {
        return None;
    }
    CURRENT.with(|c| c.borrow().clone())
}

#[cfg(feature = "tracing-layer")]
impl Current {
    pub(crate) fn step(&self) -> &Arc<StepTrace> {
        &self.step
    }

    pub(crate) fn span(&self) -> Option<&Arc<SpanNode>> {
        self.span.as_ref()
    }
}

/// Makes `span` the current span of `step` on this thread (when `step` is current here)
/// as a `tracing` span is entered, and enters `span`'s own `tracing` span if it has one
/// (a span opened inside the entered one and resumed). Returns the span it replaced.
#[cfg(feature = "tracing-layer")]
pub(crate) fn resume_span(
    step: &Arc<StepTrace>,
    span: Arc<SpanNode>,
) -> Option<Option<Arc<SpanNode>>> {
    let replaced = replace_current_span(step, Some(span.clone()))?;
    emit::enter(&span.tspan);
    Some(replaced)
}

/// The reverse of [`resume_span`]: makes `prev` current again, exits the `tracing` span
/// of the span that was current, and returns that span (to resume later).
#[cfg(feature = "tracing-layer")]
pub(crate) fn suspend_span(
    step: &Arc<StepTrace>,
    prev: Option<Arc<SpanNode>>,
) -> Option<Option<Arc<SpanNode>>> {
    let left = replace_current_span(step, prev)?;
    if let Some(left) = &left {
        emit::exit(&left.tspan);
    }
    Some(left)
}
