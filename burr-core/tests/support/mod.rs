//! What the integration tests of burr-core share: the recording hook (sync and async), the
//! counter action, and a current-thread tokio runtime.
//!
//! Every file under `tests/` is its own crate and uses only part of this module, so unused items
//! are not warnings here.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use burr_core::*;
use futures_util::future::BoxFuture;
use serde_json::json;

/// A hook that records every lifecycle event as one line, in the order the events fire.
///
/// The lines, one per hook method (`<outcome>` is `ok`, or `err: ` and the error's message):
///
/// | hook method               | line                                              |
/// |---------------------------|---------------------------------------------------|
/// | `post_application_create` | `create <entrypoint>`                             |
/// | `pre_run_execute_call`    | `pre_exec <method>`                               |
/// | `post_run_execute_call`   | `post_exec <method> <outcome>`                    |
/// | `pre_run_step`            | `pre_step <sequence id> <action>`                 |
/// | `post_run_step`           | `post_step <sequence id> <action> <outcome>`      |
/// | `pre_start_stream`        | `start_stream <action>`                           |
/// | `post_stream_item`        | `stream_item <item index>`                        |
/// | `post_end_stream`         | `end_stream <items streamed>`                     |
/// | `pre_start_span`          | `start_span <span id> <name> in <parent id or ->` |
/// | `post_end_span`           | `end_span <span id> <name>`                       |
/// | `do_log_attributes`       | `attributes <span id or -> <key>=<json> ...`      |
///
/// `<method>` is the method's Burr name (`run`, `astream_result`...); a span id is Burr's
/// (`0:1.0`). For example `pre_step 0 counter`, `post_exec stream_result err: ...`,
/// `start_span 0:0.0 inner in 0:0`.
///
/// Application ids are random unless set, so they stay out of the lines: each creation is also
/// kept with its app id and spawning parent, for [`Recorder::apps`] and [`Recorder::children`].
///
/// It also checks, on every stream item, that the first item did not start before the stream.
#[derive(Default)]
pub(crate) struct Recorder {
    events: Mutex<Vec<String>>,
    apps: Mutex<Vec<(String, Option<Pointer>)>>,
}

impl Recorder {
    /// A new recorder, shared: pass `rec.clone()` to `with_hook` or `with_tracker`.
    pub(crate) fn new() -> Arc<Self> {
        Arc::default()
    }

    fn push(&self, event: String) {
        self.events.lock().unwrap().push(event);
    }

    /// Every line so far.
    pub(crate) fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    /// Every line so far, leaving the recorder empty.
    pub(crate) fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.events.lock().unwrap())
    }

    /// The last line.
    pub(crate) fn last(&self) -> String {
        self.events
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("no events")
    }

    /// How many lines start with `prefix`.
    pub(crate) fn count(&self, prefix: &str) -> usize {
        let events = self.events.lock().unwrap();
        events.iter().filter(|e| e.starts_with(prefix)).count()
    }

    /// The sequence ids of the finished steps (`post_step` lines), in order.
    pub(crate) fn seqs(&self) -> Vec<u64> {
        self.events()
            .iter()
            .filter_map(|e| e.strip_prefix("post_step "))
            .map(|e| e.split(' ').next().unwrap().parse().unwrap())
            .collect()
    }

    /// The span and attribute lines only, in order.
    pub(crate) fn spans(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter(|e| {
                ["start_span ", "end_span ", "attributes "]
                    .iter()
                    .any(|p| e.starts_with(p))
            })
            .collect()
    }

    /// Every application created: its app id and the application that spawned it, if any.
    pub(crate) fn apps(&self) -> Vec<(String, Option<Pointer>)> {
        self.apps.lock().unwrap().clone()
    }

    /// The applications spawned by `parent` (an app id), with the pointer to it they got.
    pub(crate) fn children(&self, parent: &str) -> Vec<(String, Pointer)> {
        self.apps()
            .into_iter()
            .filter_map(|(id, p)| p.filter(|p| p.app_id == parent).map(|p| (id, p)))
            .collect()
    }
}

fn outcome(error: Option<&Error>) -> String {
    error.map_or_else(|| "ok".to_string(), |e| format!("err: {e}"))
}

impl LifecycleHook for Recorder {
    fn post_application_create(&self, e: &ApplicationCreated<'_>) {
        self.apps
            .lock()
            .unwrap()
            .push((e.app_id.to_string(), e.spawning_parent_pointer.cloned()));
        self.push(format!("create {}", e.graph.entrypoint));
    }
    fn pre_run_execute_call(&self, e: &ExecuteCall<'_>) {
        self.push(format!("pre_exec {}", e.method.as_str()));
    }
    fn post_run_execute_call(&self, e: &ExecuteCall<'_>) {
        self.push(format!(
            "post_exec {} {}",
            e.method.as_str(),
            outcome(e.error)
        ));
    }
    fn pre_run_step(&self, e: &PreRunStep<'_>) {
        self.push(format!("pre_step {} {}", e.sequence_id, e.action.name));
    }
    fn post_run_step(&self, e: &PostRunStep<'_>) {
        self.push(format!(
            "post_step {} {} {}",
            e.sequence_id,
            e.action.name,
            outcome(e.error)
        ));
    }
    fn pre_start_stream(&self, e: &StreamStart<'_>) {
        self.push(format!("start_stream {}", e.action));
    }
    fn post_stream_item(&self, e: &StreamItem<'_>) {
        assert!(e.first_stream_item_start_time >= e.stream_initialize_time);
        self.push(format!("stream_item {}", e.item_index));
    }
    fn post_end_stream(&self, e: &StreamEnd<'_>) {
        self.push(format!("end_stream {}", e.items_streamed));
    }
    fn pre_start_span(&self, e: &SpanEvent<'_>) {
        let parent = e.span.parent_uid.as_deref().unwrap_or("-");
        self.push(format!(
            "start_span {} {} in {parent}",
            e.span.uid, e.span.name
        ));
    }
    fn post_end_span(&self, e: &SpanEvent<'_>) {
        self.push(format!("end_span {} {}", e.span.uid, e.span.name));
    }
    fn do_log_attributes(&self, e: &AttributesEvent<'_>) {
        let span = e.span.map_or("-", |s| s.uid.as_str());
        let attrs: Vec<String> = e
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        self.push(format!("attributes {span} {}", attrs.join(" ")));
    }
}

/// The same recorder as an async hook: the same lines, from the async hook methods (there is no
/// async `create`; the sync application methods skip async hooks, except for span, attribute
/// and stream events).
#[derive(Default)]
pub(crate) struct AsyncRecorder(Recorder);

impl AsyncRecorder {
    /// A new recorder, shared: pass `rec.clone()` to `with_hook`.
    pub(crate) fn new() -> Arc<Self> {
        Arc::default()
    }
}

impl std::ops::Deref for AsyncRecorder {
    type Target = Recorder;
    fn deref(&self) -> &Recorder {
        &self.0
    }
}

impl AsyncLifecycleHook for AsyncRecorder {
    fn pre_run_execute_call<'a>(&'a self, e: &'a ExecuteCall<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.pre_run_execute_call(e) })
    }
    fn post_run_execute_call<'a>(&'a self, e: &'a ExecuteCall<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.post_run_execute_call(e) })
    }
    fn pre_run_step<'a>(&'a self, e: &'a PreRunStep<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.pre_run_step(e) })
    }
    fn post_run_step<'a>(&'a self, e: &'a PostRunStep<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.post_run_step(e) })
    }
    fn pre_start_stream<'a>(&'a self, e: &'a StreamStart<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.pre_start_stream(e) })
    }
    fn post_stream_item<'a>(&'a self, e: &'a StreamItem<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.post_stream_item(e) })
    }
    fn post_end_stream<'a>(&'a self, e: &'a StreamEnd<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.post_end_stream(e) })
    }
    fn pre_start_span<'a>(&'a self, e: &'a SpanEvent<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.pre_start_span(e) })
    }
    fn post_end_span<'a>(&'a self, e: &'a SpanEvent<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.post_end_span(e) })
    }
    fn do_log_attributes<'a>(&'a self, e: &'a AttributesEvent<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async move { self.0.do_log_attributes(e) })
    }
}

/// `count += by` (input `by`, optional, default 1), tagged `counting`; its result is the new
/// `count`.
pub(crate) fn counter() -> FnAction {
    FnAction::new(["count"], ["count"], |state, inputs, ctx| {
        let by: i64 = inputs.get_opt(ctx.action_name(), "by")?.unwrap_or(1);
        let count: i64 = state.get("count")?;
        let mut result = ResultMap::new();
        result.insert("count".into(), json!(count + by));
        Ok::<_, ActionError>(StepOutput {
            result,
            state: state.update("count", count + by),
        })
    })
    .with_inputs([InputSpec::optional("by")])
    .with_tags(["counting"])
}

/// A current-thread tokio runtime with time and IO, for tests that are not `#[tokio::test]`.
pub(crate) fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
