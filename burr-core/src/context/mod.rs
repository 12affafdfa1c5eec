//! What an action gets besides its state and inputs: the [`ActionContext`] (ids, sequence
//! id, the application's tracker and persister) and the [`Tracer`] that opens spans and logs
//! attributes.
//!
//! While an action runs, its context is also reachable without being passed around
//! ([`Tracer::current`]), which is how `#[trace]` finds the span to nest under. The current
//! context lives in a thread-local that the runtime installs around the action (and around
//! every poll of an async action's future), so it follows the action across `.await` points
//! and costs a single thread-local read outside any action.
//!
//! Steps and spans are also `tracing` spans (target `burr`), entered exactly while their
//! code runs; see [`tracing_layer`](crate::tracing_layer) for their fields and the way back.

mod emit;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use crate::hooks::{AttributesEvent, Hooks, SpanEvent, SpanInfo};
use crate::persistence::{Loader, Saver};

/// Application-wide things a step's context points to (shared, cloned per step for free).
#[derive(Debug, Default)]
pub(crate) struct AppShared {
    pub(crate) app_id: Arc<str>,
    pub(crate) partition_key: Option<Arc<str>>,
    pub(crate) hooks: Hooks,
    pub(crate) tracker: Option<crate::hooks::Hook>,
    pub(crate) saver: Option<Saver>,
    pub(crate) loader: Option<Loader>,
}

/// The context of one step, handed to the action.
///
/// # Examples
///
/// ```
/// let ctx = burr_core::ActionContext::detached("my-app", "act", 3);
/// assert_eq!(ctx.app_id(), "my-app");
/// assert_eq!(ctx.sequence_id(), 3);
/// assert_eq!(ctx.action_name(), "act");
/// ```
#[derive(Debug, Clone)]
pub struct ActionContext {
    pub(crate) app: Arc<AppShared>,
    pub(crate) action_name: Arc<str>,
    pub(crate) sequence_id: u64,
    pub(crate) tracer: Tracer,
}

impl ActionContext {
    pub(crate) fn new(app: &Arc<AppShared>, action_name: &Arc<str>, sequence_id: u64) -> Self {
        Self::with_step_span(app, action_name, sequence_id, tracing::Span::none())
    }

    /// The context of a step the runtime runs: it also opens the step's `tracing` span, and
    /// records spans when the application has hooks or a `tracing` subscriber listens.
    pub(crate) fn for_step(app: &Arc<AppShared>, action_name: &Arc<str>, sequence_id: u64) -> Self {
        let span = emit::step_span(
            &app.app_id,
            app.partition_key.as_deref(),
            action_name,
            sequence_id,
        );
        Self::with_step_span(app, action_name, sequence_id, span)
    }

    fn with_step_span(
        app: &Arc<AppShared>,
        action_name: &Arc<str>,
        sequence_id: u64,
        tspan: tracing::Span,
    ) -> Self {
        let tracer = if app.hooks.is_empty() && tspan.is_disabled() {
            Tracer::noop()
        } else {
            Tracer {
                step: Some(Arc::new(StepTrace {
                    app: app.clone(),
                    action: action_name.clone(),
                    sequence_id,
                    top: AtomicU32::new(0),
                    deferred: Mutex::new(Vec::new()),
                    tspan,
                })),
            }
        };
        ActionContext {
            app: app.clone(),
            action_name: action_name.clone(),
            sequence_id,
            tracer,
        }
    }

    /// A context outside any application (for calling an action's body directly in tests).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = burr_core::ActionContext::detached("app", "act", 0);
    /// assert_eq!(ctx.partition_key(), None);
    /// ```
    pub fn detached(app_id: &str, action_name: &str, sequence_id: u64) -> Self {
        let app = Arc::new(AppShared {
            app_id: Arc::from(app_id),
            ..AppShared::default()
        });
        ActionContext::new(&app, &Arc::from(action_name), sequence_id)
    }

    /// The application id.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::ActionContext::detached("a", "b", 0).app_id(), "a");
    /// ```
    pub fn app_id(&self) -> &str {
        &self.app.app_id
    }

    /// The partition key, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::ActionContext::detached("a", "b", 0).partition_key().is_none());
    /// ```
    pub fn partition_key(&self) -> Option<&str> {
        self.app.partition_key.as_deref()
    }

    /// The step's sequence id.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::ActionContext::detached("a", "b", 9).sequence_id(), 9);
    /// ```
    pub fn sequence_id(&self) -> u64 {
        self.sequence_id
    }

    /// The running action's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::ActionContext::detached("a", "b", 0).action_name(), "b");
    /// ```
    pub fn action_name(&self) -> &str {
        &self.action_name
    }

    /// The tracer of this step.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = burr_core::ActionContext::detached("a", "b", 0);
    /// let _span = ctx.tracer().span("work");
    /// ```
    pub fn tracer(&self) -> &Tracer {
        &self.tracer
    }

    /// The application's tracker, if it has one (sub-applications reuse it).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::ActionContext::detached("a", "b", 0).tracker().is_none());
    /// ```
    pub fn tracker(&self) -> Option<&crate::hooks::Hook> {
        self.app.tracker.as_ref()
    }

    /// The application's state saver, if it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::ActionContext::detached("a", "b", 0).state_persister().is_none());
    /// ```
    pub fn state_persister(&self) -> Option<&Saver> {
        self.app.saver.as_ref()
    }

    /// The application's state loader (from `initialize_from`), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::ActionContext::detached("a", "b", 0).state_initializer().is_none());
    /// ```
    pub fn state_initializer(&self) -> Option<&Loader> {
        self.app.loader.as_ref()
    }

    /// The pointer a sub-application spawned from this step records as its parent.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = burr_core::ActionContext::detached("a", "b", 4).as_parent();
    /// assert_eq!((p.app_id.as_str(), p.sequence_id), ("a", Some(4)));
    /// ```
    pub fn as_parent(&self) -> crate::hooks::Pointer {
        crate::hooks::Pointer {
            app_id: self.app_id().to_string(),
            sequence_id: Some(self.sequence_id),
            partition_key: self.partition_key().map(str::to_string),
        }
    }
}

/// Span bookkeeping of one step.
pub(crate) struct StepTrace {
    app: Arc<AppShared>,
    action: Arc<str>,
    sequence_id: u64,
    top: AtomicU32,
    /// Span and attribute events waiting for the async hooks (delivered after the step).
    deferred: Mutex<Vec<Deferred>>,
    /// The step's `tracing` span (disabled when nobody listens).
    tspan: tracing::Span,
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
pub(crate) enum Deferred {
    Start(SpanInfo, SystemTime),
    End(SpanInfo, SystemTime),
    Attributes(Option<SpanInfo>, Vec<(String, Value)>, SystemTime),
}

impl StepTrace {
    /// The description of a new span under `parent` (or at the top of the step): takes the
    /// next id among its siblings.
    fn span_info(
        &self,
        parent: Option<&SpanNode>,
        name: &str,
        dependencies: Vec<String>,
    ) -> SpanInfo {
        let uid = match parent {
            Some(p) => format!(
                "{}.{}",
                p.info.uid,
                p.children.fetch_add(1, Ordering::Relaxed)
            ),
            None => format!(
                "{}:{}",
                self.sequence_id,
                self.top.fetch_add(1, Ordering::Relaxed)
            ),
        };
        SpanInfo {
            uid,
            name: name.to_string(),
            parent_uid: parent.map(|p| p.info.uid.clone()),
            dependencies,
            action_sequence_id: self.sequence_id,
        }
    }

    fn fire_span(&self, span: &SpanInfo, start: bool) {
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

    fn fire_attributes(&self, span: Option<&SpanInfo>, attributes: Vec<(String, Value)>) {
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

/// One open span.
#[derive(Debug)]
pub(crate) struct SpanNode {
    info: SpanInfo,
    children: AtomicU32,
    /// Its `tracing` span (disabled for spans that come from `tracing` itself).
    tspan: tracing::Span,
}

/// What is current on this thread while an action runs.
#[derive(Debug, Clone)]
pub(crate) struct Current {
    step: Arc<StepTrace>,
    span: Option<Arc<SpanNode>>,
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

/// Installs `next` as this thread's context and returns the previous one. The `tracing`
/// spans follow: the previous context's are exited, the next one's entered, so that they
/// are entered exactly while their code runs (and never across an `.await`).
fn swap_current(next: Option<Current>) -> Option<Current> {
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
    step: Option<Arc<StepTrace>>,
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
        if !ACTIVE.with(Cell::get) {
            return None;
        }
        CURRENT.with(|c| {
            c.borrow().as_ref().map(|cur| Tracer {
                step: Some(cur.step.clone()),
            })
        })
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
        ACTIVE.with(Cell::get)
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
        let here = CURRENT.with(|c| {
            c.borrow()
                .as_ref()
                .filter(|cur| Arc::ptr_eq(&cur.step, step))
                .map(|cur| cur.span.clone())
        });
        let on_step_thread = here.is_some();
        let parent = here.flatten();
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
        let node = Arc::new(SpanNode {
            info,
            children: AtomicU32::new(0),
            tspan,
        });
        set_current_span(step, Some(node.clone()));
        step.fire_span(&node.info, true);
        SpanGuard {
            open: Some(OpenSpan {
                step: step.clone(),
                node,
                parent,
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
        let span = CURRENT.with(|c| {
            c.borrow()
                .as_ref()
                .filter(|cur| Arc::ptr_eq(&cur.step, step))
                .and_then(|cur| cur.span.clone())
        });
        let attributes: Vec<(String, Value)> =
            attributes.into_iter().map(|(k, v)| (k.into(), v)).collect();
        let on_step_thread = CURRENT.with(|c| {
            c.borrow()
                .as_ref()
                .is_some_and(|cur| Arc::ptr_eq(&cur.step, step))
        });
        emit::attribute_events((!on_step_thread).then_some(&step.tspan), &attributes);
        step.fire_attributes(span.as_ref().map(|s| &s.info), attributes);
    }
}

/// Makes `span` the current span of `step` on this thread (if `step` is current here), and
/// moves the `tracing` span entered on its behalf along.
fn set_current_span(step: &Arc<StepTrace>, span: Option<Arc<SpanNode>>) {
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
pub(crate) fn replace_current_span(
    step: &Arc<StepTrace>,
    span: Option<Arc<SpanNode>>,
) -> Option<Option<Arc<SpanNode>>> {
    CURRENT.with(|c| match c.borrow_mut().as_mut() {
        Some(cur) if Arc::ptr_eq(&cur.step, step) => Some(std::mem::replace(&mut cur.span, span)),
        _ => None,
    })
}

/// What the `tracing` layer needs: spans that come from `tracing` itself get Burr ids and
/// reach the hooks, but get no `tracing` span of their own.
#[cfg(feature = "tracing-layer")]
mod untraced {
    use super::*;

    /// The context current on this thread, if a step is running here.
    pub(crate) fn current() -> Option<Current> {
        if !ACTIVE.with(Cell::get) {
            return None;
        }
        CURRENT.with(|c| c.borrow().clone())
    }

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

    impl StepTrace {
        /// Opens a span under `parent` and fires its start.
        pub(crate) fn open_untraced(&self, parent: Option<&SpanNode>, name: &str) -> Arc<SpanNode> {
            let node = Arc::new(SpanNode {
                info: self.span_info(parent, name, Vec::new()),
                children: AtomicU32::new(0),
                tspan: tracing::Span::none(),
            });
            self.fire_span(&node.info, true);
            node
        }

        /// Fires the end of a span opened with [`StepTrace::open_untraced`].
        pub(crate) fn close_untraced(&self, node: &SpanNode) {
            self.fire_span(&node.info, false);
        }

        /// Logs attributes on `span` (or on the action).
        pub(crate) fn log_untraced(
            &self,
            span: Option<&SpanNode>,
            attributes: Vec<(String, Value)>,
        ) {
            self.fire_attributes(span.map(|s| &s.info), attributes);
        }
    }
}
#[cfg(feature = "tracing-layer")]
pub(crate) use emit::TARGET;
#[cfg(feature = "tracing-layer")]
pub(crate) use untraced::{current, resume_span, suspend_span};

/// Serializes an attribute value; a value that cannot be serialized is logged as its error.
pub(crate) fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| Value::String(format!("<unserializable: {e}>")))
}

#[derive(Debug)]
struct OpenSpan {
    step: Arc<StepTrace>,
    node: Arc<SpanNode>,
    parent: Option<Arc<SpanNode>>,
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
            set_current_span(&open.step, open.parent.clone());
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
            set_current_span(&open.step, open.parent.clone());
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
