//! The events hooks receive, one struct per lifecycle moment, and what they point to.

use std::time::SystemTime;

use serde_json::Value;

use crate::error::Error;
use crate::graph::{ActionInfo, Graph};
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
