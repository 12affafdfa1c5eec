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

mod control;
mod current;
mod emit;
#[cfg(feature = "otel")]
mod otel;
mod trace;
mod tracer;

use std::sync::Arc;

use crate::hooks::Hooks;
use crate::persistence::{Loader, Saver};

pub(crate) use control::{Asked, ControlRef, JournalEntry, StepControl, suspend_key};
#[cfg(feature = "tracing-layer")]
pub(crate) use current::{Current, current, resume_span, suspend_span};
pub(crate) use current::{Scoped, scoped};
#[cfg(feature = "tracing-layer")]
pub(crate) use emit::TARGET;
pub(crate) use emit::{record_outcome, run_span, stream_end, stream_first_item};
#[cfg(feature = "otel")]
pub(crate) use otel::Exports as OtelExports;
#[cfg(feature = "tracing-layer")]
pub(crate) use trace::SpanNode;
pub(crate) use trace::StepTrace;
pub use tracer::{SpanGuard, Tracer};

/// Application-wide things a step's context points to (shared, cloned per step for free).
#[derive(Debug, Default)]
pub(crate) struct AppShared {
    pub(crate) app_id: Arc<str>,
    pub(crate) partition_key: Option<Arc<str>>,
    pub(crate) hooks: Hooks,
    pub(crate) tracker: Option<crate::hooks::Hook>,
    pub(crate) saver: Option<Saver>,
    pub(crate) loader: Option<Loader>,
    /// Set by a cancel handle: runs stop at the next step boundary.
    pub(crate) cancel: std::sync::atomic::AtomicBool,
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
    /// The step's journal and suspension (see [`ActionContext::durable`]).
    pub(crate) control: ControlRef,
}

impl ActionContext {
    pub(crate) fn new(app: &Arc<AppShared>, action_name: &Arc<str>, sequence_id: u64) -> Self {
        Self::with_step_span(app, action_name, sequence_id, None, ControlRef::default())
    }

    /// The context of a step the runtime runs: it also opens the step's `tracing` span (under
    /// `run`, the span of the call the step belongs to), and records spans when the
    /// application has hooks or a `tracing` subscriber listens. `control` is the step's
    /// journal and suspension slot, `None` for an empty one. `spare` is the context of the
    /// step before, reused in place when it belongs to the same application (and its slot
    /// with it, emptied, when nothing else kept it).
    pub(crate) fn for_step(
        app: &Arc<AppShared>,
        (action_name, tags): (&Arc<str>, &[String]),
        sequence_id: u64,
        run: &tracing::Span,
        control: Option<ControlRef>,
        spare: Option<ActionContext>,
    ) -> Self {
        let span = emit::step_span(
            run,
            &app.app_id,
            app.partition_key.as_deref(),
            (action_name, tags),
            sequence_id,
        );
        match spare {
            Some(mut ctx) if Arc::ptr_eq(&ctx.app, app) => {
                if !Arc::ptr_eq(&ctx.action_name, action_name) {
                    ctx.action_name = action_name.clone();
                }
                ctx.sequence_id = sequence_id;
                ctx.tracer = Self::tracer_for(app, action_name, sequence_id, span);
                match control {
                    Some(control) => ctx.control = control,
                    None => StepControl::empty(&mut ctx.control),
                }
                ctx
            }
            _ => Self::with_step_span(
                app,
                action_name,
                sequence_id,
                span,
                control.unwrap_or_default(),
            ),
        }
    }

    /// The context of a step that has ended, kept for the next step to reuse: its tracer
    /// goes now, so that nothing keeps the step's spans open.
    pub(crate) fn into_spare(mut self) -> Self {
        self.tracer = Tracer::noop();
        self
    }

    /// The tracer of a step: one that records when the application has hooks or a
    /// `tracing` subscriber takes the step's span.
    fn tracer_for(
        app: &Arc<AppShared>,
        action_name: &Arc<str>,
        sequence_id: u64,
        tspan: Option<tracing::Span>,
    ) -> Tracer {
        if app.hooks.is_empty() && tspan.is_none() {
            return Tracer::noop();
        }
        Tracer {
            step: Some(Arc::new(StepTrace::new(
                app.clone(),
                action_name.clone(),
                sequence_id,
                tspan.unwrap_or_else(tracing::Span::none),
            ))),
        }
    }

    fn with_step_span(
        app: &Arc<AppShared>,
        action_name: &Arc<str>,
        sequence_id: u64,
        tspan: Option<tracing::Span>,
        control: ControlRef,
    ) -> Self {
        let tracer = Self::tracer_for(app, action_name, sequence_id, tspan);
        ActionContext {
            app: app.clone(),
            action_name: action_name.clone(),
            sequence_id,
            tracer,
            control,
        }
    }

    /// The step's `tracing` span, when it records (see [`crate::tracing_layer`]).
    pub(crate) fn step_span(&self) -> Option<&tracing::Span> {
        self.tracer.step.as_ref().map(|s| &s.tspan)
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

    /// Whether the application was asked to stop (see
    /// [`CancelHandle`](crate::CancelHandle)): a long action may finish early.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::ActionContext::detached("app", "a", 0).is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.app.cancel.load(std::sync::atomic::Ordering::Relaxed)
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
