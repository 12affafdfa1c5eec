//! Lifecycle hooks: code that runs around an application's life, its calls, steps, spans and
//! streams. A tracker is just a hook.
//!
//! Implement [`LifecycleHook`] (sync) or [`AsyncLifecycleHook`] (async) and override only the
//! methods you need; every method has an empty default. Each event is a struct with public
//! fields, marked `#[non_exhaustive]` so that new fields can be added without breaking hooks.
//!
//! Order: hooks run in the order they were added; in async methods the sync hooks run first,
//! then the async ones (awaited in order). Sync application methods skip async hooks, except
//! span, attribute and stream events, which are also delivered to async hooks right after the
//! step when the step runs through an async method.

mod events;
mod hook;

use futures_util::future::BoxFuture;

use crate::persistence::StepJournal;

pub use events::{
    ApplicationCreated, AttributesEvent, ExecuteCall, ExecuteMethod, Pointer, PostRunStep,
    PreRunStep, SpanEvent, SpanInfo, StreamEnd, StreamItem, StreamStart,
};
pub(crate) use hook::Hooks;
pub use hook::{Hook, IntoHook};

/// A sync lifecycle hook. Every method defaults to doing nothing.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use burr_core::{LifecycleHook, PostRunStep};
///
/// #[derive(Default)]
/// struct Log(Mutex<Vec<String>>);
/// impl LifecycleHook for Log {
///     fn post_run_step(&self, e: &PostRunStep<'_>) {
///         self.0.lock().unwrap().push(format!("{}:{}", e.sequence_id, e.action.name));
///     }
/// }
/// let _hook = Arc::new(Log::default());
/// ```
#[allow(unused_variables)]
pub trait LifecycleHook: Send + Sync + 'static {
    /// The application was built.
    fn post_application_create(&self, event: &ApplicationCreated<'_>) {}
    /// An outermost public call starts.
    fn pre_run_execute_call(&self, event: &ExecuteCall<'_>) {}
    /// An outermost public call ends.
    fn post_run_execute_call(&self, event: &ExecuteCall<'_>) {}
    /// An action is about to run.
    fn pre_run_step(&self, event: &PreRunStep<'_>) {}
    /// An action ran.
    fn post_run_step(&self, event: &PostRunStep<'_>) {}
    /// A span started.
    fn pre_start_span(&self, event: &SpanEvent<'_>) {}
    /// A span ended.
    fn post_end_span(&self, event: &SpanEvent<'_>) {}
    /// Attributes were logged.
    fn do_log_attributes(&self, event: &AttributesEvent<'_>) {}
    /// A stream started.
    fn pre_start_stream(&self, event: &StreamStart<'_>) {}
    /// A stream produced an item.
    fn post_stream_item(&self, event: &StreamItem<'_>) {}
    /// A stream ended.
    fn post_end_stream(&self, event: &StreamEnd<'_>) {}

    /// The record of steps this hook keeps, when it is a tracker that the builder should
    /// reconcile with the state persister on resume (see [`StepJournal`]); `None` by default.
    ///
    /// # Examples
    ///
    /// ```
    /// struct Quiet;
    /// impl burr_core::LifecycleHook for Quiet {}
    /// assert!(burr_core::LifecycleHook::step_journal(&Quiet).is_none());
    /// ```
    fn step_journal(&self) -> Option<&dyn StepJournal> {
        None
    }
}

/// An async lifecycle hook. Every method defaults to doing nothing.
///
/// # Examples
///
/// ```
/// use burr_core::{AsyncLifecycleHook, PostRunStep};
/// use futures_util::future::BoxFuture;
///
/// struct Notify;
/// impl AsyncLifecycleHook for Notify {
///     fn post_run_step<'a>(&'a self, e: &'a PostRunStep<'a>) -> BoxFuture<'a, ()> {
///         Box::pin(async move { let _ = e.sequence_id; })
///     }
/// }
/// # let _ = Notify;
/// ```
#[allow(unused_variables)]
pub trait AsyncLifecycleHook: Send + Sync + 'static {
    /// An outermost public call starts.
    fn pre_run_execute_call<'a>(&'a self, event: &'a ExecuteCall<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// An outermost public call ends.
    fn post_run_execute_call<'a>(&'a self, event: &'a ExecuteCall<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// An action is about to run.
    fn pre_run_step<'a>(&'a self, event: &'a PreRunStep<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// An action ran.
    fn post_run_step<'a>(&'a self, event: &'a PostRunStep<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// A span started (delivered after the step).
    fn pre_start_span<'a>(&'a self, event: &'a SpanEvent<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// A span ended (delivered after the step).
    fn post_end_span<'a>(&'a self, event: &'a SpanEvent<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// Attributes were logged (delivered after the step).
    fn do_log_attributes<'a>(&'a self, event: &'a AttributesEvent<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// A stream started.
    fn pre_start_stream<'a>(&'a self, event: &'a StreamStart<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// A stream produced an item.
    fn post_stream_item<'a>(&'a self, event: &'a StreamItem<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// A stream ended.
    fn post_end_stream<'a>(&'a self, event: &'a StreamEnd<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

impl std::fmt::Debug for dyn LifecycleHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LifecycleHook")
    }
}
