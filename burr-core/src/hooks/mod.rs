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

use std::sync::Arc;
use std::time::SystemTime;

use futures_util::future::BoxFuture;
use serde_json::Value;

use crate::error::Error;
use crate::graph::{ActionInfo, Graph};
use crate::marker;
use crate::state::State;
use crate::step::{Inputs, ResultMap};

/// A pointer to another application (the one this was forked from, or spawned by).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Pointer {
    /// Its application id.
    pub app_id: String,
    /// The sequence id of its step this relation starts from, if any.
    pub sequence_id: Option<u64>,
    /// Its partition key, if any.
    pub partition_key: Option<String>,
}

/// The public application method an execute-call event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExecuteMethod {
    /// `step`
    Step,
    /// `step_async`
    AStep,
    /// `iterate`
    Iterate,
    /// `iterate_async`
    AIterate,
    /// `run`
    Run,
    /// `run_async`
    ARun,
    /// `stream_result`
    StreamResult,
    /// `stream_result_async`
    AStreamResult,
    /// `stream_iterate`
    StreamIterate,
    /// `stream_iterate_async`
    AStreamIterate,
}

impl ExecuteMethod {
    /// The method's name as Burr spells it (`"step"`, `"arun"`...).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::ExecuteMethod::StreamResult.as_str(), "stream_result");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ExecuteMethod::Step => "step",
            ExecuteMethod::AStep => "astep",
            ExecuteMethod::Iterate => "iterate",
            ExecuteMethod::AIterate => "aiterate",
            ExecuteMethod::Run => "run",
            ExecuteMethod::ARun => "arun",
            ExecuteMethod::StreamResult => "stream_result",
            ExecuteMethod::AStreamResult => "astream_result",
            ExecuteMethod::StreamIterate => "stream_iterate",
            ExecuteMethod::AStreamIterate => "astream_iterate",
        }
    }
}

/// A span inside an action, as hooks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanInfo {
    /// Burr's span id: `"{action_sequence_id}:{i}.{j}..."`.
    pub uid: String,
    /// The span's name.
    pub name: String,
    /// The parent span's id, `None` for a top-level span.
    pub parent_uid: Option<String>,
    /// Names of spans this one depends on (free-form, as given).
    pub dependencies: Vec<String>,
    /// Sequence id of the step the span belongs to.
    pub action_sequence_id: u64,
}

/// Fired once, when the application is built.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApplicationCreated<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The initial state.
    pub state: &'a State,
    /// The graph.
    pub graph: &'a Graph,
    /// The application this was forked from.
    pub parent_pointer: Option<&'a Pointer>,
    /// The application that spawned this one.
    pub spawning_parent_pointer: Option<&'a Pointer>,
    /// When.
    pub time: SystemTime,
}

/// Fired around the outermost public call (`run`, `step`...) of an application.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExecuteCall<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The state at that moment.
    pub state: &'a State,
    /// Which method.
    pub method: ExecuteMethod,
    /// The error the call ended with (only on the post event).
    pub error: Option<&'a Error>,
    /// When.
    pub time: SystemTime,
}

/// Fired before an action runs.
#[derive(Debug)]
#[non_exhaustive]
pub struct PreRunStep<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// The state before the action (already carrying the new `__SEQUENCE_ID`).
    pub state: &'a State,
    /// The action.
    pub action: &'a ActionInfo,
    /// The inputs it gets (undeclared ones dropped).
    pub inputs: &'a Inputs,
    /// When.
    pub time: SystemTime,
}

/// Fired after an action ran, successfully or not.
#[derive(Debug)]
#[non_exhaustive]
pub struct PostRunStep<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// The new state (the previous one when the action failed).
    pub state: &'a State,
    /// The action.
    pub action: &'a ActionInfo,
    /// Its result (`None` when it failed).
    pub result: Option<&'a ResultMap>,
    /// Its error.
    pub error: Option<&'a Error>,
    /// When.
    pub time: SystemTime,
}

/// Fired when a span starts or ends.
#[derive(Debug)]
#[non_exhaustive]
pub struct SpanEvent<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The action the span is in.
    pub action: &'a str,
    /// The span.
    pub span: &'a SpanInfo,
    /// When.
    pub time: SystemTime,
}

/// Fired when attributes are logged.
#[derive(Debug)]
#[non_exhaustive]
pub struct AttributesEvent<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The action.
    pub action: &'a str,
    /// The step's sequence id.
    pub action_sequence_id: u64,
    /// The span they belong to (`None` for action-level attributes).
    pub span: Option<&'a SpanInfo>,
    /// The attributes, in the order they were logged.
    pub attributes: &'a [(String, Value)],
    /// When.
    pub time: SystemTime,
}

/// Fired when a streaming action starts.
#[derive(Debug)]
#[non_exhaustive]
pub struct StreamStart<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The action.
    pub action: &'a str,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// When.
    pub time: SystemTime,
}

/// Fired for each intermediate item of a stream.
#[derive(Debug)]
#[non_exhaustive]
pub struct StreamItem<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The action.
    pub action: &'a str,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// The item.
    pub item: &'a ResultMap,
    /// Its index (0-based).
    pub item_index: usize,
    /// When the stream started.
    pub stream_initialize_time: SystemTime,
    /// When the first item arrived.
    pub first_stream_item_start_time: SystemTime,
    /// When this item arrived.
    pub time: SystemTime,
}

/// Fired when a stream ends.
#[derive(Debug)]
#[non_exhaustive]
pub struct StreamEnd<'a> {
    /// The application id.
    pub app_id: &'a str,
    /// The partition key.
    pub partition_key: Option<&'a str>,
    /// The action.
    pub action: &'a str,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// How many intermediate items were streamed.
    pub items_streamed: usize,
    /// When.
    pub time: SystemTime,
}

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

/// A hook of either kind, as an application keeps it: what [`IntoHook`] makes of a value.
#[derive(Clone)]
pub enum Hook {
    /// A sync hook: runs in every method.
    Sync(Arc<dyn LifecycleHook>),
    /// An async hook: runs in the `_async` methods only.
    Async(Arc<dyn AsyncLifecycleHook>),
}

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Hook::Sync(_) => "Hook::Sync",
            Hook::Async(_) => "Hook::Async",
        })
    }
}

/// Converts a value into a [`Hook`]: any [`LifecycleHook`] or [`AsyncLifecycleHook`], an
/// `Arc` of one (to share it), or a `Hook`. Whether it is sync or async is decided by its
/// type; `M` is inferred.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use burr_core::hooks::{Hook, IntoHook};
/// struct Quiet;
/// impl burr_core::LifecycleHook for Quiet {}
/// struct Later;
/// impl burr_core::AsyncLifecycleHook for Later {}
/// assert!(matches!(Quiet.into_hook(), Hook::Sync(_)));
/// assert!(matches!(Arc::new(Later).into_hook(), Hook::Async(_)));
/// ```
pub trait IntoHook<M> {
    /// The hook.
    fn into_hook(self) -> Hook;
}

impl<T: LifecycleHook> IntoHook<marker::Sync> for T {
    fn into_hook(self) -> Hook {
        Hook::Sync(Arc::new(self))
    }
}

impl<T: AsyncLifecycleHook> IntoHook<marker::Async> for T {
    fn into_hook(self) -> Hook {
        Hook::Async(Arc::new(self))
    }
}

impl<T: LifecycleHook> IntoHook<marker::SharedSync> for Arc<T> {
    fn into_hook(self) -> Hook {
        Hook::Sync(self)
    }
}

impl<T: AsyncLifecycleHook> IntoHook<marker::SharedAsync> for Arc<T> {
    fn into_hook(self) -> Hook {
        Hook::Async(self)
    }
}

impl IntoHook<marker::SharedSync> for Arc<dyn LifecycleHook> {
    fn into_hook(self) -> Hook {
        Hook::Sync(self)
    }
}

impl IntoHook<marker::SharedAsync> for Arc<dyn AsyncLifecycleHook> {
    fn into_hook(self) -> Hook {
        Hook::Async(self)
    }
}

impl IntoHook<marker::Converted> for Hook {
    fn into_hook(self) -> Hook {
        self
    }
}

/// The hooks of one application.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) sync: Vec<Arc<dyn LifecycleHook>>,
    pub(crate) asynchronous: Vec<Arc<dyn AsyncLifecycleHook>>,
}

impl Hooks {
    pub(crate) fn push(&mut self, hook: Hook) {
        match hook {
            Hook::Sync(h) => self.sync.push(h),
            Hook::Async(h) => self.asynchronous.push(h),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sync.is_empty() && self.asynchronous.is_empty()
    }

    #[inline]
    pub(crate) fn each(&self, f: impl Fn(&dyn LifecycleHook)) {
        for h in &self.sync {
            f(&**h);
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("sync", &self.sync.len())
            .field("async", &self.asynchronous.len())
            .finish()
    }
}
