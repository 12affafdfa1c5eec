//! Running streaming actions: [`Application::stream_result`] and its async and multi-step
//! twins.
//!
//! `stream_result` runs the application up to the action to stream, starts it, and hands
//! back a container: the caller iterates the intermediate items as they arrive, then calls
//! `finish` for the final result and state. The application's state advances only when the
//! action's final output arrives, after the same reads/writes checks as any other step.
//!
//! | Situation | Container |
//! |---|---|
//! | the target streams | its items, then `finish()` → `(Some(result), state)` |
//! | the target does not stream | no items; `finish()` → `(Some(result), state)` |
//! | the run stopped on a `before` halt | no items; `finish()` → `(None, state)` |
//! | the action fails, or its stream ends without a final output | iteration stops; `finish()` → `Err` |
//! | the caller drops the container before the end | the step is recorded as failed (see below) |
//!
//! Dropping a container before its final item abandons the step: the state stays as it was
//! before the action (with the sequence id already advanced, as for any failed step), the
//! post-step hooks get a [`BurrError::Stream`] saying so, a sync state persister records the
//! step as failed, and the stream-end hooks run. Dropping cannot await, so async hooks and
//! async persisters are not told about an abandoned `astream_result` container.
//!
//! Hooks fire in this order: `pre_run_step`, `pre_start_stream`, `post_stream_item` for each
//! item (0-based index), then `post_run_step`, `post_end_stream`, and the execute-call end.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::SystemTime;

use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;

use crate::action::{Action, Inputs, ResultMap, StepOutput};
use crate::application::{Application, Halt, Halted, Halts, Prepared, StepResult};
use crate::context::{ActionContext, Scoped, scoped};
use crate::error::{ActionError, BurrError};
use crate::hooks::{ExecuteMethod, StreamEnd, StreamItem, StreamStart};
use crate::state::State;
use crate::stream::{ActionStream, StreamEvent};

/// The final result (`None` when nothing ran) and state of a streamed step.
pub type StreamOutcome = (Option<ResultMap>, State);

/// A streaming step in progress.
struct Running {
    p: Prepared,
    events: ActionStream,
    started: SystemTime,
    first_item: Option<SystemTime>,
    items: usize,
    /// The execute call to close when the step ends (`None` inside `stream_iterate`).
    method: Option<ExecuteMethod>,
}

/// What a container drives: the application, the running step (if any) and its outcome.
struct Core<'a> {
    app: &'a mut Application,
    running: Option<Running>,
    outcome: Option<Result<StreamOutcome, BurrError>>,
    /// Inside `stream_iterate`: where an unfinished step goes when the container is dropped,
    /// so that the iterator finishes it before moving on.
    stash: Option<&'a mut Option<Running>>,
}

impl<'a> Core<'a> {
    fn done(app: &'a mut Application, outcome: Result<StreamOutcome, BurrError>) -> Self {
        Core {
            app,
            running: None,
            outcome: Some(outcome),
            stash: None,
        }
    }

    fn action_name(&self, r: &Running) -> String {
        self.app.graph.nodes[r.p.node].info.name.clone()
    }

    fn item_event<'e>(&'e self, r: &'e Running, item: &'e ResultMap) -> StreamItem<'e> {
        StreamItem {
            app_id: &self.app.shared.app_id,
            partition_key: self.app.shared.partition_key.as_deref(),
            action: &self.app.graph.nodes[r.p.node].info.name,
            sequence_id: r.p.seq,
            item,
            item_index: r.items - 1,
            stream_initialize_time: r.started,
            first_stream_item_start_time: r.first_item.unwrap_or(r.started),
            time: SystemTime::now(),
        }
    }

    /// Records an item; fires the sync item hooks.
    fn on_item(&mut self, mut r: Running, item: &ResultMap) -> Running {
        r.items += 1;
        r.first_item.get_or_insert_with(SystemTime::now);
        if !self.app.shared.hooks.sync.is_empty() {
            let event = self.item_event(&r, item);
            self.app.shared.hooks.each(|h| h.post_stream_item(&event));
        }
        r
    }

    fn ended(event: Option<StreamEvent>, name: &str) -> Result<StepOutput, BurrError> {
        match event {
            Some(StreamEvent::Done(out)) => Ok(out),
            _ => Err(BurrError::Stream {
                action: name.to_string(),
                message: "the stream ended without a final result and state; a streaming action must end with `StreamEvent::Done`".into(),
            }),
        }
    }

    /// The next item, driving a sync stream.
    fn next_sync(&mut self) -> Option<ResultMap> {
        let mut r = self.running.take()?;
        let name = self.action_name(&r);
        let event = match &mut r.events {
            ActionStream::Sync(it) => scoped(&r.p.ctx.tracer, || it.next()),
            ActionStream::Async(_) => Some(Err(ActionError::from(BurrError::Stream {
                action: name.clone(),
                message: "the action streams asynchronously; use `astream_result`".into(),
            }))),
        };
        match event {
            Some(Ok(StreamEvent::Item(item))) => {
                let r = self.on_item(r, &item);
                self.running = Some(r);
                Some(item)
            }
            Some(Err(e)) => {
                self.finalize_sync(r, Err(e.into_burr(&name)));
                None
            }
            Some(Ok(done)) => {
                self.finalize_sync(r, Self::ended(Some(done), &name));
                None
            }
            None => {
                self.finalize_sync(r, Self::ended(None, &name));
                None
            }
        }
    }

    /// The next item, driving a sync or an async stream and awaiting the async hooks.
    async fn next_async(&mut self) -> Option<ResultMap> {
        let mut r = self.running.take()?;
        let name = self.action_name(&r);
        let event = match &mut r.events {
            ActionStream::Sync(it) => scoped(&r.p.ctx.tracer, || it.next()),
            ActionStream::Async(s) => Scoped::new(&r.p.ctx.tracer, s.next()).await,
        };
        match event {
            Some(Ok(StreamEvent::Item(item))) => {
                let r = self.on_item(r, &item);
                if !self.app.shared.hooks.asynchronous.is_empty() {
                    let event = self.item_event(&r, &item);
                    for h in &self.app.shared.hooks.asynchronous {
                        h.post_stream_item(&event).await;
                    }
                }
                self.running = Some(r);
                Some(item)
            }
            Some(Err(e)) => {
                self.finalize_async(r, Err(e.into_burr(&name))).await;
                None
            }
            Some(Ok(done)) => {
                self.finalize_async(r, Self::ended(Some(done), &name)).await;
                None
            }
            None => {
                self.finalize_async(r, Self::ended(None, &name)).await;
                None
            }
        }
    }

    fn end_event<'e>(&'e self, r: &'e Running) -> StreamEnd<'e> {
        StreamEnd {
            app_id: &self.app.shared.app_id,
            partition_key: self.app.shared.partition_key.as_deref(),
            action: &self.app.graph.nodes[r.p.node].info.name,
            sequence_id: r.p.seq,
            items_streamed: r.items,
            time: SystemTime::now(),
        }
    }

    fn finalize_sync(&mut self, r: Running, out: Result<StepOutput, BurrError>) {
        let node = r.p.node;
        let applied = out.and_then(|o| self.app.apply(node, o));
        let saved = self.app.save_sync(&r.p, applied.as_ref().ok());
        let result = self.app.commit(&r.p, applied, saved);
        if !self.app.shared.hooks.sync.is_empty() {
            let event = self.end_event(&r);
            self.app.shared.hooks.each(|h| h.post_end_stream(&event));
        }
        if let Some(m) = r.method {
            self.app.fire_execute(m, false, result.as_ref().err());
        }
        self.outcome = Some(result.map(|s| (Some(s.result), s.state)));
    }

    async fn finalize_async(&mut self, r: Running, out: Result<StepOutput, BurrError>) {
        if let Some(step) = r.p.ctx.tracer.step() {
            step.flush_async().await;
        }
        let node = r.p.node;
        let applied = out.and_then(|o| self.app.apply(node, o));
        let saved = self.app.save_async(&r.p, applied.as_ref().ok()).await;
        let result = self.app.commit(&r.p, applied, saved);
        self.app.afire_post_step(&r.p, &result).await;
        let event = self.end_event(&r);
        self.app.shared.hooks.each(|h| h.post_end_stream(&event));
        for h in &self.app.shared.hooks.asynchronous {
            h.post_end_stream(&event).await;
        }
        if let Some(m) = r.method {
            self.app
                .afire_execute(m, false, result.as_ref().err())
                .await;
        }
        self.outcome = Some(result.map(|s| (Some(s.result), s.state)));
    }

    fn take_outcome(&mut self) -> Result<StreamOutcome, BurrError> {
        self.outcome.take().unwrap_or_else(|| {
            Err(BurrError::Stream {
                action: self.app.state.prior_step().unwrap_or_default().to_string(),
                message: "the outcome of this stream was already taken".into(),
            })
        })
    }
}

impl Drop for Core<'_> {
    fn drop(&mut self) {
        let Some(r) = self.running.take() else {
            return;
        };
        if let Some(stash) = self.stash.take() {
            *stash = Some(r);
            return;
        }
        let name = self.action_name(&r);
        self.finalize_sync(
            r,
            Err(BurrError::Stream {
                action: name,
                message: "the consumer dropped the stream before its final item; the state was not advanced".into(),
            }),
        );
    }
}

/// The container [`Application::stream_result`] returns: an `Iterator` over the action's
/// intermediate items, then [`StreamingResult::finish`] for the final result and state.
///
/// Iteration stops early when the action fails; `finish` then returns the error. Dropping
/// the container before the end abandons the step (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// # use burr_core::*;
/// # use burr_core::stream::ActionStream;
/// struct Count;
/// impl Action for Count {
///     fn reads(&self) -> Vec<String> { vec![] }
///     fn writes(&self) -> Vec<String> { vec!["n".into()] }
///     fn is_streaming(&self) -> bool { true }
///     fn stream(&self, state: State, _: Inputs, ctx: &ActionContext) -> Result<ActionStream, ActionError> {
///         Ok(ActionStream::from_fn(ctx, move |emit| {
///             for i in 0..3 { emit.item(serde_json::json!({"i": i}))?; }
///             Ok(StepOutput::state(state.update("n", 3)))
///         }))
///     }
/// }
/// let mut app = ApplicationBuilder::new().with_action("count", Count).with_entrypoint("count").build()?;
/// let (action, mut stream) = app.stream_result(halt_after(["count"]), ())?;
/// assert_eq!(action, "count");
/// let items: Vec<_> = stream.by_ref().collect();
/// assert_eq!(items.len(), 3);
/// let (_result, state) = stream.finish()?;
/// assert_eq!(state.get::<i64>("n")?, 3);
/// # Ok::<(), BurrError>(())
/// ```
pub struct StreamingResult<'a> {
    core: Core<'a>,
}

impl std::fmt::Debug for StreamingResult<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamingResult")
            .field("running", &self.core.running.is_some())
            .finish_non_exhaustive()
    }
}

impl StreamingResult<'_> {
    /// Drains the remaining items and returns the final result and state (`None` result
    /// when the run stopped before the action), or the step's error.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let (_, stream) = app.stream_result(halt_after(["a"]), inputs! { x: 1 })?;
    /// let (result, state) = stream.finish()?; // `a` does not stream: a pass-through
    /// assert_eq!(result.unwrap()["x"], 1);
    /// assert_eq!(state.get::<i32>("x")?, 1);
    /// # Ok::<(), BurrError>(())
    /// ```
    pub fn finish(mut self) -> Result<StreamOutcome, BurrError> {
        while self.core.next_sync().is_some() {}
        self.core.take_outcome()
    }

    /// The number of items streamed so far.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let (_, stream) = app.stream_result(halt_after(["a"]), inputs! { x: 1 })?;
    /// assert_eq!(stream.items_streamed(), 0);
    /// # Ok::<(), BurrError>(())
    /// ```
    pub fn items_streamed(&self) -> usize {
        self.core.running.as_ref().map_or(0, |r| r.items)
    }
}

impl Iterator for StreamingResult<'_> {
    type Item = ResultMap;

    fn next(&mut self) -> Option<ResultMap> {
        self.core.next_sync()
    }
}

type Pending<'a> = BoxFuture<'a, (Box<Core<'a>>, Option<ResultMap>)>;

enum Slot<'a> {
    Idle(Box<Core<'a>>),
    Busy(Pending<'a>),
    Gone,
}

/// The container [`Application::astream_result`] returns: a `Stream` of the action's
/// intermediate items, then [`AsyncStreamingResult::finish`] for the final result and state.
///
/// # Examples
///
/// ```
/// # use burr_core::*;
/// # use burr_core::stream::ActionStream;
/// use futures_util::StreamExt;
/// struct Speak;
/// impl Action for Speak {
///     fn reads(&self) -> Vec<String> { vec![] }
///     fn writes(&self) -> Vec<String> { vec!["said".into()] }
///     fn is_async(&self) -> bool { true }
///     fn is_streaming(&self) -> bool { true }
///     fn stream(&self, state: State, _: Inputs, ctx: &ActionContext) -> Result<ActionStream, ActionError> {
///         Ok(ActionStream::from_async_fn(ctx, |emit| async move {
///             for t in ["hel", "lo"] { emit.item(serde_json::json!({"token": t})).await?; }
///             Ok(StepOutput::state(state.update("said", "hello")))
///         }))
///     }
/// }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mut app = ApplicationBuilder::new().with_action("speak", Speak).with_entrypoint("speak").build()?;
/// let (_, mut stream) = app.astream_result(halt_after(["speak"]), ()).await?;
/// let mut text = String::new();
/// while let Some(item) = stream.next().await {
///     text.push_str(item["token"].as_str().unwrap());
/// }
/// let (_, state) = stream.finish().await?;
/// assert_eq!(text, state.get::<String>("said")?);
/// # Ok::<(), BurrError>(())
/// # }).unwrap();
/// ```
pub struct AsyncStreamingResult<'a> {
    slot: Slot<'a>,
}

impl std::fmt::Debug for AsyncStreamingResult<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncStreamingResult")
            .finish_non_exhaustive()
    }
}

impl<'a> AsyncStreamingResult<'a> {
    fn new(core: Core<'a>) -> Self {
        AsyncStreamingResult {
            slot: Slot::Idle(Box::new(core)),
        }
    }

    async fn core(&mut self) -> Option<Box<Core<'a>>> {
        match std::mem::replace(&mut self.slot, Slot::Gone) {
            Slot::Idle(core) => Some(core),
            Slot::Busy(fut) => Some(fut.await.0),
            Slot::Gone => None,
        }
    }

    /// Drains the remaining items and returns the final result and state, or the step's
    /// error.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let (_, stream) = app.astream_result(halt_after(["a"]), inputs! { x: 1 }).await?;
    /// let (result, _) = stream.finish().await?;
    /// assert_eq!(result.unwrap()["x"], 1);
    /// # Ok::<(), BurrError>(())
    /// # }).unwrap();
    /// ```
    pub async fn finish(mut self) -> Result<StreamOutcome, BurrError> {
        let Some(mut core) = self.core().await else {
            return Err(BurrError::Other(
                "the stream's outcome was already taken".into(),
            ));
        };
        while core.next_async().await.is_some() {}
        core.take_outcome()
    }
}

impl Stream for AsyncStreamingResult<'_> {
    type Item = ResultMap;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ResultMap>> {
        let this = &mut *self;
        loop {
            match std::mem::replace(&mut this.slot, Slot::Gone) {
                Slot::Idle(mut core) => {
                    if core.running.is_none() {
                        this.slot = Slot::Idle(core);
                        return Poll::Ready(None);
                    }
                    this.slot = Slot::Busy(Box::pin(async move {
                        let item = core.next_async().await;
                        (core, item)
                    }));
                }
                Slot::Busy(mut fut) => match fut.as_mut().poll(cx) {
                    Poll::Ready((core, item)) => {
                        this.slot = Slot::Idle(core);
                        return Poll::Ready(item);
                    }
                    Poll::Pending => {
                        this.slot = Slot::Busy(fut);
                        return Poll::Pending;
                    }
                },
                Slot::Gone => return Poll::Ready(None),
            }
        }
    }
}

fn ended_early(ctx: &ActionContext) -> ActionError {
    ActionError::from(BurrError::Stream {
        action: ctx.action_name().to_string(),
        message: "the stream ended without a final result and state; a streaming action must end with `StreamEvent::Done`".into(),
    })
}

/// Runs an action as one plain step (`step`, `run`...): a streaming action's items are
/// dropped and its final output is the step's output.
pub(crate) fn run_action(
    action: &dyn Action,
    streaming: bool,
    state: State,
    inputs: &Inputs,
    ctx: &ActionContext,
) -> Result<StepOutput, ActionError> {
    if !streaming {
        return action.run_and_update(state, inputs, ctx);
    }
    match action.stream(state, inputs.clone(), ctx)? {
        ActionStream::Sync(events) => {
            for event in events {
                if let StreamEvent::Done(out) = event? {
                    return Ok(out);
                }
            }
            Err(ended_early(ctx))
        }
        ActionStream::Async(_) => Err(ActionError::from(BurrError::AsyncActionInSyncContext {
            action: ctx.action_name().to_string(),
        })),
    }
}

/// Async [`run_action`].
pub(crate) async fn run_action_async(
    action: &dyn Action,
    streaming: bool,
    state: State,
    inputs: &Inputs,
    ctx: &ActionContext,
) -> Result<StepOutput, ActionError> {
    if !streaming {
        return action.run_and_update_async(state, inputs, ctx).await;
    }
    match action.stream(state, inputs.clone(), ctx)? {
        ActionStream::Sync(events) => {
            for event in events {
                if let StreamEvent::Done(out) = event? {
                    return Ok(out);
                }
            }
        }
        ActionStream::Async(mut events) => {
            while let Some(event) = events.next().await {
                if let StreamEvent::Done(out) = event? {
                    return Ok(out);
                }
            }
        }
    }
    Err(ended_early(ctx))
}

/// How `stream_result` gets to its target: either a finished pass-through, or the target is
/// next.
enum Approach {
    Done(String, Box<Result<StreamOutcome, BurrError>>),
    Next,
}

impl Application {
    fn no_next_action(&self) -> BurrError {
        BurrError::Stream {
            action: self.state.prior_step().unwrap_or("<none>").to_string(),
            message: "cannot stream a result: no next action found after it".into(),
        }
    }

    /// Resolves the halts and, unless the next action is a `halt.after` target, runs until
    /// one is next (the same rules as `run`, with the targets as `before` halts).
    fn approach_sync(&mut self, halt: &Halt, inputs: &Inputs) -> Result<Approach, BurrError> {
        let halts = Halts::resolve(&self.graph, halt)?;
        let Some(next) = self.graph.next(self.prior, &self.state)? else {
            return Err(self.no_next_action());
        };
        if halts.after.contains(&next) {
            return Ok(Approach::Next);
        }
        let combined = Halt {
            before: halt.after.iter().chain(&halt.before).cloned().collect(),
            after: Vec::new(),
        };
        let out = self.run_inner(&combined, inputs)?;
        Ok(self.after_approach(&halts, out))
    }

    async fn approach_async(
        &mut self,
        halt: &Halt,
        inputs: &Inputs,
    ) -> Result<Approach, BurrError> {
        let halts = Halts::resolve(&self.graph, halt)?;
        let Some(next) = self.graph.next(self.prior, &self.state)? else {
            return Err(self.no_next_action());
        };
        if halts.after.contains(&next) {
            return Ok(Approach::Next);
        }
        let combined = Halt {
            before: halt.after.iter().chain(&halt.before).cloned().collect(),
            after: Vec::new(),
        };
        let out = self.arun_inner(&combined, inputs).await?;
        Ok(self.after_approach(&halts, out))
    }

    fn after_approach(&self, halts: &Halts, out: crate::application::Outcome) -> Approach {
        let name = out.action.clone().unwrap_or_default();
        match out.halted {
            Halted::Before
                if self
                    .graph
                    .index
                    .get(&name)
                    .is_some_and(|i| halts.after.contains(i)) =>
            {
                Approach::Next
            }
            Halted::Before => Approach::Done(name, Box::new(Ok((None, out.state)))),
            // A dead end before any target: what ran last, as `run` reports it.
            _ => Approach::Done(name, Box::new(Ok((out.result, out.state)))),
        }
    }

    /// Prepares the next step and starts it: a pass-through for a non-streaming action, a
    /// running stream otherwise. Fires the pre-step and stream-start hooks (sync ones).
    fn start_step(
        &mut self,
        inputs: &Inputs,
        method: Option<ExecuteMethod>,
        allow_async: bool,
    ) -> Result<(String, Option<Running>, Option<Prepared>), BurrError> {
        let Some(p) = self.prepare(inputs)? else {
            return Err(self.no_next_action());
        };
        let n = &self.graph.nodes[p.node];
        let name = n.info.name.clone();
        if n.info.is_async && !allow_async {
            return Err(BurrError::AsyncActionInSyncContext { action: name });
        }
        self.fire_pre_step(&p);
        let n = &self.graph.nodes[p.node];
        if !n.info.is_streaming {
            return Ok((name, None, Some(p)));
        }
        let started = SystemTime::now();
        if !self.shared.hooks.sync.is_empty() {
            let event = self.stream_start_event(&p, started);
            self.shared.hooks.each(|h| h.pre_start_stream(&event));
        }
        let action = n.action.clone();
        let view = self.state.view_for(&n.view);
        let events = scoped(&p.ctx.tracer, || {
            action.stream(view, p.inputs.clone(), &p.ctx)
        });
        let events = match events {
            Ok(e) => e,
            Err(e) => {
                // Not even started: an empty stream that fails at once.
                ActionStream::Sync(Box::new(std::iter::once(Err(e))))
            }
        };
        Ok((
            name,
            Some(Running {
                p,
                events,
                started,
                first_item: None,
                items: 0,
                method,
            }),
            None,
        ))
    }

    fn stream_start_event(&self, p: &Prepared, time: SystemTime) -> StreamStart<'_> {
        StreamStart {
            app_id: &self.shared.app_id,
            partition_key: self.shared.partition_key.as_deref(),
            action: &self.graph.nodes[p.node].info.name,
            sequence_id: p.seq,
            time,
        }
    }

    /// Runs a prepared non-streaming step (sync) and returns its outcome.
    fn finish_plain_sync(&mut self, p: &Prepared) -> Result<StepResult, BurrError> {
        let n = &self.graph.nodes[p.node];
        let action = n.action.clone();
        let view = self.state.view_for(&n.view);
        let outcome = scoped(&p.ctx.tracer, || {
            action.run_and_update(view, &p.inputs, &p.ctx)
        });
        self.conclude_sync(p, outcome)
    }

    async fn finish_plain_async(&mut self, p: &Prepared) -> Result<StepResult, BurrError> {
        let n = &self.graph.nodes[p.node];
        let action = n.action.clone();
        let view = self.state.view_for(&n.view);
        let outcome = if n.info.is_async {
            Scoped::new(
                &p.ctx.tracer,
                action.run_and_update_async(view, &p.inputs, &p.ctx),
            )
            .await
        } else {
            scoped(&p.ctx.tracer, || {
                action.run_and_update(view, &p.inputs, &p.ctx)
            })
        };
        if let Some(step) = p.ctx.tracer.step() {
            step.flush_async().await;
        }
        let node = p.node;
        let applied = outcome
            .map_err(|e| e.into_burr(&self.graph.nodes[node].info.name))
            .and_then(|out| self.apply(node, out));
        let saved = self.save_async(p, applied.as_ref().ok()).await;
        let result = self.commit(p, applied, saved);
        self.afire_post_step(p, &result).await;
        result
    }

    /// One streamed step (sync): a container for the next action. `close` is the execute
    /// call to end on error; when `owns_call`, it also ends when the step ends.
    fn stream_step_sync(
        &mut self,
        inputs: &Inputs,
        close: ExecuteMethod,
        owns_call: bool,
    ) -> Result<(String, Core<'_>), BurrError> {
        let started = self.start_step(inputs, owns_call.then_some(close), false);
        let (name, running, plain) = match started {
            Ok(s) => s,
            Err(e) => {
                self.fire_execute(close, false, Some(&e));
                return Err(e);
            }
        };
        if let Some(p) = plain {
            let step = match self.finish_plain_sync(&p) {
                Ok(s) => s,
                Err(e) => {
                    self.fire_execute(close, false, Some(&e));
                    return Err(e);
                }
            };
            if owns_call {
                self.fire_execute(close, false, None);
            }
            return Ok((name, Core::done(self, Ok((Some(step.result), step.state)))));
        }
        let core = Core {
            app: self,
            running,
            outcome: None,
            stash: None,
        };
        Ok((name, core))
    }

    async fn stream_step_async(
        &mut self,
        inputs: &Inputs,
        close: ExecuteMethod,
        owns_call: bool,
    ) -> Result<(String, Core<'_>), BurrError> {
        let p = match self.prepare(inputs) {
            Ok(Some(p)) => p,
            Ok(None) => {
                let e = self.no_next_action();
                self.afire_execute(close, false, Some(&e)).await;
                return Err(e);
            }
            Err(e) => {
                self.afire_execute(close, false, Some(&e)).await;
                return Err(e);
            }
        };
        self.afire_pre_step(&p).await;
        let n = &self.graph.nodes[p.node];
        let name = n.info.name.clone();
        let method = owns_call.then_some(close);
        if !n.info.is_streaming {
            let step = match self.finish_plain_async(&p).await {
                Ok(s) => s,
                Err(e) => {
                    self.afire_execute(close, false, Some(&e)).await;
                    return Err(e);
                }
            };
            if owns_call {
                self.afire_execute(close, false, None).await;
            }
            return Ok((name, Core::done(self, Ok((Some(step.result), step.state)))));
        }
        let started = SystemTime::now();
        {
            let event = self.stream_start_event(&p, started);
            self.shared.hooks.each(|h| h.pre_start_stream(&event));
            for h in &self.shared.hooks.asynchronous {
                h.pre_start_stream(&event).await;
            }
        }
        let action = n.action.clone();
        let view = self.state.view_for(&n.view);
        let events = scoped(&p.ctx.tracer, || {
            action.stream(view, p.inputs.clone(), &p.ctx)
        })
        .unwrap_or_else(|e| ActionStream::Sync(Box::new(std::iter::once(Err(e)))));
        let running = Running {
            p,
            events,
            started,
            first_item: None,
            items: 0,
            method,
        };
        Ok((
            name,
            Core {
                app: self,
                running: Some(running),
                outcome: None,
                stash: None,
            },
        ))
    }

    /// Runs the application up to the action to stream (the first of `halt.after` reached;
    /// a `halt.before` action stops the run first) and starts it. Returns the action's name
    /// and a [`StreamingResult`] to iterate for its items and then `finish` for its result
    /// and state. See the [`streaming`](crate::streaming) module docs for the edge cases.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_action("b", ResultAction::new(["x"]))
    ///     .with_transition("a", "b", default())
    ///     .with_entrypoint("a").build()?;
    /// let (action, stream) = app.stream_result(halt_before(["b"]), inputs! { x: 1 })?;
    /// assert_eq!(action, "b");
    /// assert_eq!(stream.finish()?.0, None); // stopped before `b`
    /// # Ok::<(), BurrError>(())
    /// ```
    pub fn stream_result(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<(String, StreamingResult<'_>), BurrError> {
        self.check_sync()?;
        let inputs = inputs.into();
        let method = ExecuteMethod::StreamResult;
        self.fire_execute(method, true, None);
        match self.approach_sync(&halt, &inputs) {
            Err(e) => {
                self.fire_execute(method, false, Some(&e));
                Err(e)
            }
            Ok(Approach::Done(name, outcome)) => {
                self.fire_execute(method, false, None);
                Ok((
                    name,
                    StreamingResult {
                        core: Core::done(self, *outcome),
                    },
                ))
            }
            Ok(Approach::Next) => self
                .stream_step_sync(&inputs, method, true)
                .map(|(name, core)| (name, StreamingResult { core })),
        }
    }

    /// Async [`Application::stream_result`]: runs async and sync actions, streams async and
    /// sync streaming actions, and awaits the async hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let (action, stream) = app.astream_result(halt_after(["a"]), inputs! { x: 2 }).await?;
    /// assert_eq!(action, "a");
    /// assert_eq!(stream.finish().await?.1.get::<i32>("x")?, 2);
    /// # Ok::<(), BurrError>(())
    /// # }).unwrap();
    /// ```
    pub async fn astream_result(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<(String, AsyncStreamingResult<'_>), BurrError> {
        let inputs = inputs.into();
        let method = ExecuteMethod::AStreamResult;
        self.afire_execute(method, true, None).await;
        match self.approach_async(&halt, &inputs).await {
            Err(e) => {
                self.afire_execute(method, false, Some(&e)).await;
                Err(e)
            }
            Ok(Approach::Done(name, outcome)) => {
                self.afire_execute(method, false, None).await;
                Ok((name, AsyncStreamingResult::new(Core::done(self, *outcome))))
            }
            Ok(Approach::Next) => self
                .stream_step_async(&inputs, method, true)
                .await
                .map(|(name, core)| (name, AsyncStreamingResult::new(core))),
        }
    }

    /// Streams step after step until a halt condition: each call to
    /// [`StreamIterate::next`] runs the next action and returns its name and container
    /// (a pass-through for non-streaming actions). Containers need not be drained: a
    /// container dropped unfinished is finished (drained) before the next step starts.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_action("b", ResultAction::new(["x"]))
    ///     .with_transition("a", "b", default())
    ///     .with_entrypoint("a").build()?;
    /// let mut steps = app.stream_iterate(halt_after(["b"]), inputs! { x: 1 });
    /// let mut names = vec![];
    /// while let Some(step) = steps.next() {
    ///     let (name, stream) = step?;
    ///     names.push(name);
    ///     drop(stream);
    /// }
    /// assert_eq!(names, ["a", "b"]);
    /// # Ok::<(), BurrError>(())
    /// ```
    pub fn stream_iterate(&mut self, halt: Halt, inputs: impl Into<Inputs>) -> StreamIterate<'_> {
        let inputs = inputs.into();
        let halts = self
            .check_sync()
            .and_then(|()| Halts::resolve(&self.graph, &halt));
        self.fire_execute(ExecuteMethod::StreamIterate, true, None);
        StreamIterate {
            app: self,
            inputs,
            halts,
            pending: None,
            last: None,
            done: false,
        }
    }

    /// Async [`Application::stream_iterate`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let mut steps = app.astream_iterate(halt_after(["a"]), inputs! { x: 1 }).await;
    /// let (name, stream) = steps.next().await.unwrap()?;
    /// assert_eq!(name, "a");
    /// assert_eq!(stream.finish().await?.1.get::<i32>("x")?, 1);
    /// assert!(steps.next().await.is_none());
    /// # Ok::<(), BurrError>(())
    /// # }).unwrap();
    /// ```
    pub async fn astream_iterate(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> AsyncStreamIterate<'_> {
        let inputs = inputs.into();
        let halts = Halts::resolve(&self.graph, &halt);
        self.afire_execute(ExecuteMethod::AStreamIterate, true, None)
            .await;
        AsyncStreamIterate {
            app: self,
            inputs,
            halts,
            pending: None,
            last: None,
            done: false,
        }
    }
}

/// Step-by-step streaming, returned by [`Application::stream_iterate`]. Each container
/// borrows the iterator, so this is a "lending" iterator: use `while let Some(step) =
/// it.next()`.
pub struct StreamIterate<'a> {
    app: &'a mut Application,
    inputs: Inputs,
    halts: Result<Halts, BurrError>,
    pending: Option<Running>,
    last: Option<(String, Option<ResultMap>)>,
    done: bool,
}

impl std::fmt::Debug for StreamIterate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamIterate")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Whether the last completed step stops the iteration.
fn should_stop(
    app: &Application,
    halts: &Halts,
    last: &(String, Option<ResultMap>),
) -> Result<bool, BurrError> {
    let step = StepResult {
        action: last.0.clone(),
        sequence_id: app.state.sequence_id().unwrap_or_default(),
        result: last.1.clone().unwrap_or_default(),
        state: app.state.clone(),
    };
    Ok(app.check_halt(halts, &step)?.is_some())
}

impl StreamIterate<'_> {
    fn end(&mut self, error: Option<&BurrError>) {
        if !self.done {
            self.done = true;
            self.app
                .fire_execute(ExecuteMethod::StreamIterate, false, error);
        }
    }

    /// Finishes the previous step if its container was dropped unfinished, checks the halts
    /// and starts the next step. `None` once a halt condition holds or no action is left.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let mut steps = app.stream_iterate(halt_after(["a"]), inputs! { x: 1 });
    /// assert!(steps.next().is_some());
    /// assert!(steps.next().is_none());
    /// # Ok::<(), BurrError>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<(String, StreamingResult<'_>), BurrError>> {
        if self.done {
            return None;
        }
        if let Some(r) = self.pending.take() {
            let mut core = Core {
                app: &mut *self.app,
                running: Some(r),
                outcome: None,
                stash: None,
            };
            while core.next_sync().is_some() {}
            let outcome = core.take_outcome();
            drop(core);
            match outcome {
                Ok((result, _)) => {
                    if let Some(last) = &mut self.last {
                        last.1 = result;
                    }
                }
                Err(e) => {
                    self.end(Some(&e));
                    return Some(Err(e));
                }
            }
        }
        let halts = match &self.halts {
            Ok(h) => h,
            Err(_) => {
                let e = std::mem::replace(&mut self.halts, Ok(Halts::default()))
                    .err()
                    .unwrap_or_else(|| BurrError::Other("invalid halt".into()));
                self.end(Some(&e));
                return Some(Err(e));
            }
        };
        if let Some(last) = &self.last {
            match should_stop(self.app, halts, last) {
                Ok(true) => {
                    self.end(None);
                    return None;
                }
                Ok(false) => {}
                Err(e) => {
                    self.end(Some(&e));
                    return Some(Err(e));
                }
            }
        }
        if !self.app.has_next_action() {
            self.end(None);
            return None;
        }
        let inputs = self.inputs.clone();
        match self
            .app
            .stream_step_sync(&inputs, ExecuteMethod::StreamIterate, false)
        {
            Ok((name, mut core)) => {
                let result = match &core.outcome {
                    Some(Ok((r, _))) => r.clone(),
                    _ => None,
                };
                self.last = Some((name.clone(), result));
                core.stash = Some(&mut self.pending);
                Some(Ok((name, StreamingResult { core })))
            }
            Err(e) => {
                // The execute call was closed with the error.
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl Drop for StreamIterate<'_> {
    fn drop(&mut self) {
        if let Some(r) = self.pending.take() {
            let mut core = Core {
                app: &mut *self.app,
                running: Some(r),
                outcome: None,
                stash: None,
            };
            while core.next_sync().is_some() {}
        }
        self.end(None);
    }
}

/// Async step-by-step streaming, returned by [`Application::astream_iterate`]; a lending
/// async iterator (`while let Some(step) = it.next().await`).
pub struct AsyncStreamIterate<'a> {
    app: &'a mut Application,
    inputs: Inputs,
    halts: Result<Halts, BurrError>,
    pending: Option<Running>,
    last: Option<(String, Option<ResultMap>)>,
    done: bool,
}

impl std::fmt::Debug for AsyncStreamIterate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncStreamIterate")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl AsyncStreamIterate<'_> {
    async fn end(&mut self, error: Option<&BurrError>) {
        if !self.done {
            self.done = true;
            self.app
                .afire_execute(ExecuteMethod::AStreamIterate, false, error)
                .await;
        }
    }

    /// Async [`StreamIterate::next`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let mut steps = app.astream_iterate(halt_after(["a"]), inputs! { x: 1 }).await;
    /// assert!(steps.next().await.is_some());
    /// assert!(steps.next().await.is_none());
    /// # Ok::<(), BurrError>(())
    /// # }).unwrap();
    /// ```
    pub async fn next(&mut self) -> Option<Result<(String, AsyncStreamingResult<'_>), BurrError>> {
        if self.done {
            return None;
        }
        if let Some(r) = self.pending.take() {
            let mut core = Core {
                app: &mut *self.app,
                running: Some(r),
                outcome: None,
                stash: None,
            };
            while core.next_async().await.is_some() {}
            let outcome = core.take_outcome();
            drop(core);
            match outcome {
                Ok((result, _)) => {
                    if let Some(last) = &mut self.last {
                        last.1 = result;
                    }
                }
                Err(e) => {
                    self.end(Some(&e)).await;
                    return Some(Err(e));
                }
            }
        }
        let stop = match &self.halts {
            Err(_) => Err(std::mem::replace(&mut self.halts, Ok(Halts::default()))
                .err()
                .unwrap_or_else(|| BurrError::Other("invalid halt".into()))),
            Ok(halts) => match &self.last {
                Some(last) => should_stop(self.app, halts, last),
                None => Ok(false),
            },
        };
        match stop {
            Err(e) => {
                self.end(Some(&e)).await;
                return Some(Err(e));
            }
            Ok(true) => {
                self.end(None).await;
                return None;
            }
            Ok(false) => {}
        }
        if !self.app.has_next_action() {
            self.end(None).await;
            return None;
        }
        let inputs = self.inputs.clone();
        match self
            .app
            .stream_step_async(&inputs, ExecuteMethod::AStreamIterate, false)
            .await
        {
            Ok((name, mut core)) => {
                let result = match &core.outcome {
                    Some(Ok((r, _))) => r.clone(),
                    _ => None,
                };
                self.last = Some((name.clone(), result));
                core.stash = Some(&mut self.pending);
                Some(Ok((name, AsyncStreamingResult::new(core))))
            }
            Err(e) => {
                // The execute call was closed with the error.
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
