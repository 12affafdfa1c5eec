//! Running streaming actions: [`Application::stream_result`], [`Application::stream_iterate`]
//! and their `_async` twins.
//!
//! `stream_result` runs the application up to the action to stream, starts it, and hands
//! back a container: the caller iterates the intermediate items as they arrive, then calls
//! `finish` for the final result and state. The application's state advances only when the
//! action's final output arrives, after the same reads/writes checks as any other step: the
//! step begins and ends in the [step engine](super::engine) like every other.
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
//! post-step hooks get an [`Error::Stream`] saying so, a sync state persister records the
//! step as failed, and the stream-end hooks run. Dropping cannot await, so async hooks and
//! async persisters are not told about an abandoned `stream_result_async` container.
//!
//! Hooks fire in this order: `pre_run_step`, `pre_start_stream`, `post_stream_item` for each
//! item (0-based index), then `post_run_step`, `post_end_stream`, and the execute-call end.

mod iterate;
mod result;

use std::pin::pin;
use std::time::{Instant, SystemTime};

use futures_util::future::{Either, select};

pub use iterate::{AsyncStreamIterate, StreamIterate};
pub use result::{AsyncStreamingResult, StreamingResult};

use super::engine::{Mode, Prepared, drive, next_event, stream_ended, wait};
use super::events::fire;
use super::halt::{Halt, Halts};
use super::{Application, Halted, Outcome};
use crate::action::Call;
use crate::action::stream::{ActionStream, StreamEvent};
use crate::error::{ActionError, Error};
use crate::hooks::{ExecuteMethod, StreamEnd, StreamItem, StreamStart};
use crate::policy::sleep;
use crate::state::State;
use crate::step::{Inputs, ResultMap, StepOutput};

/// The final result (`None` when nothing ran) and state of a streamed step.
pub type StreamOutcome = (Option<ResultMap>, State);

/// A streaming step in progress.
struct Running {
    p: Prepared,
    events: ActionStream,
    started: SystemTime,
    first_item: Option<SystemTime>,
    items: usize,
    /// The attempt running (1 for the first; see [`crate::policy`]).
    attempt: u32,
    /// When the attempt times out, if the action has a timeout.
    deadline: Option<Instant>,
    /// The execute call to close when the step ends (`None` inside `stream_iterate`).
    method: Option<ExecuteMethod>,
}

/// What a container drives: the application, the running step (if any) and its outcome.
struct Core<'a> {
    app: &'a mut Application,
    mode: Mode,
    running: Option<Running>,
    outcome: Option<Result<StreamOutcome, Error>>,
    /// Inside `stream_iterate`: where an unfinished step goes when the container is dropped,
    /// so that the iterator finishes it before moving on.
    stash: Option<&'a mut Option<Running>>,
}

impl<'a> Core<'a> {
    fn done(app: &'a mut Application, outcome: Result<StreamOutcome, Error>, mode: Mode) -> Self {
        Core {
            app,
            mode,
            running: None,
            outcome: Some(outcome),
            stash: None,
        }
    }

    fn running(app: &'a mut Application, r: Running, mode: Mode) -> Self {
        Core {
            app,
            mode,
            running: Some(r),
            outcome: None,
            stash: None,
        }
    }

    /// The next item; `None` once the step ended (its outcome is then kept).
    async fn next(&mut self) -> Option<ResultMap> {
        let mut r = self.running.take()?;
        let name = self.app.graph.nodes[r.p.node].info.name.clone();
        if !self.mode.is_async() && matches!(r.events, ActionStream::Async(_)) {
            let e = Error::Stream {
                action: name,
                message: "the action streams asynchronously; use `stream_result_async`".into(),
            };
            self.finalize(r, Err(e)).await;
            return None;
        }
        let end = loop {
            // `None` when the attempt's deadline passed first (async mode).
            let event = match r.deadline {
                Some(deadline) if self.mode.is_async() => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let next = pin!(next_event(&mut r.events, &r.p.ctx, self.mode));
                    match select(next, sleep(left)).await {
                        Either::Left((event, _)) => Some(event),
                        Either::Right(_) => None,
                    }
                }
                _ => Some(next_event(&mut r.events, &r.p.ctx, self.mode).await),
            };
            let timed_out = event.is_none() || r.deadline.is_some_and(|d| Instant::now() > d);
            let end = match event {
                _ if timed_out => Err(Error::Timeout {
                    action: name.clone(),
                    after: self.app.graph.nodes[r.p.node]
                        .policy
                        .timeout
                        .unwrap_or_default(),
                }),
                Some(Some(Ok(StreamEvent::Item(item)))) => {
                    r.items += 1;
                    if r.first_item.is_none()
                        && let Some(span) = r.p.ctx.step_span()
                    {
                        crate::context::stream_first_item(span);
                    }
                    r.first_item.get_or_insert_with(SystemTime::now);
                    let first = r.first_item.unwrap_or(r.started);
                    let step = (r.p.node, r.p.seq, r.items - 1);
                    fire_item(self.app, self.mode, step, (r.started, first), &item).await;
                    self.running = Some(r);
                    return Some(item);
                }
                Some(Some(Ok(StreamEvent::Done(out)))) => Ok(out),
                Some(Some(Err(e))) => Err(e.into_burr(&name)),
                Some(None) | None => Err(stream_ended(&name)),
            };
            // A failure is retried only before the first item reached the caller.
            if end.is_err() && r.items > 0 {
                break end;
            }
            let retry = self.app.graph.nodes[r.p.node].policy.retry.clone();
            match self
                .app
                .retry_after(&r.p, retry.as_deref(), r.attempt, &end)
            {
                None => break end,
                Some(delay) => {
                    wait(self.mode, delay).await;
                    r.attempt += 1;
                    r.deadline = self.app.attempt_deadline(r.p.node);
                    r.p.ctx.control.begin_attempt();
                    r.events = self.app.stream_events(&r.p);
                }
            }
        };
        self.finalize(r, end).await;
        None
    }

    /// Ends the step in the engine, then fires the stream-end hooks and closes the call.
    async fn finalize(&mut self, r: Running, out: Result<StepOutput, Error>) {
        let mode = self.mode;
        if let Some(span) = r.p.ctx.step_span() {
            crate::context::stream_end(span, r.items);
        }
        let mut result = self.app.finish_step(&r.p, out, mode).await.map_err(|e| *e);
        if r.method.is_some() {
            // The step ends the `stream_result` call: it is saved whatever the save policy.
            result = self.app.end_run(result, mode).await;
        }
        let app = &*self.app;
        fire!(
            app,
            mode,
            post_end_stream,
            StreamEnd {
                app_id: &app.shared.app_id,
                partition_key: app.shared.partition_key.as_deref(),
                action: &app.graph.nodes[r.p.node].info.name,
                sequence_id: r.p.seq,
                items_streamed: r.items,
                time: SystemTime::now(),
            }
        );
        if let Some(m) = r.method {
            self.app
                .fire_execute(m, false, result.as_ref().err(), mode)
                .await;
        }
        let state = self.app.state.clone();
        self.outcome = Some(result.map(|c| (Some(c.into_result()), state)));
    }

    /// Drains the remaining items and takes the outcome.
    async fn finish(&mut self) -> Result<StreamOutcome, Error> {
        while self.next().await.is_some() {}
        self.outcome.take().unwrap_or_else(|| {
            Err(Error::Stream {
                action: self.app.state.prior_step().unwrap_or_default().to_string(),
                message: "the outcome of this stream was already taken".into(),
            })
        })
    }
}

/// Fires `post_stream_item` for item `index` of the step `(node, seq)`, whose stream started
/// and produced its first item at `times`.
async fn fire_item(
    app: &Application,
    mode: Mode,
    (node, seq, index): (usize, u64, usize),
    (started, first): (SystemTime, SystemTime),
    item: &ResultMap,
) {
    fire!(
        app,
        mode,
        post_stream_item,
        StreamItem {
            app_id: &app.shared.app_id,
            partition_key: app.shared.partition_key.as_deref(),
            action: &app.graph.nodes[node].info.name,
            sequence_id: seq,
            item,
            item_index: index,
            stream_initialize_time: started,
            first_stream_item_start_time: first,
            time: SystemTime::now(),
        }
    );
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
        let name = self.app.graph.nodes[r.p.node].info.name.clone();
        // Dropping cannot await: the abandoned step ends in sync mode.
        self.mode = Mode::Sync;
        drive(self.finalize(
            r,
            Err(Error::Stream {
                action: name,
                message: "the consumer dropped the stream before its final item; the state was not advanced".into(),
            }),
        ));
    }
}

/// How `stream_result` reached the action to stream.
enum Approach {
    /// The run ended before it: the container only carries this outcome.
    Done(String, Box<Result<StreamOutcome, Error>>),
    /// The next action is the one to stream.
    Next,
}

impl Application {
    fn no_next_action(&self) -> Error {
        Error::Stream {
            action: self.state.prior_step().unwrap_or("<none>").to_string(),
            message: "cannot stream a result: no next action found after it".into(),
        }
    }

    /// Runs up to the first `halt.after` action (stopping at a `halt.before` one).
    async fn approach(
        &mut self,
        halt: &Halt,
        inputs: &Inputs,
        mode: Mode,
    ) -> Result<Approach, Error> {
        let halts = Halts::resolve(&self.graph, halt)?;
        let Some(next) = self.next_node()? else {
            return Err(self.no_next_action());
        };
        if halts.after.contains(&next) {
            return Ok(Approach::Next);
        }
        let combined = Halt {
            before: halt.after.iter().chain(&halt.before).cloned().collect(),
            after: Vec::new(),
        };
        let out = self.run_steps(&combined, inputs, mode).await?;
        Ok(self.after_approach(&halts, out))
    }

    fn after_approach(&self, halts: &Halts, out: Outcome) -> Approach {
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

    /// `stream_result` in either mode: opens the execute call, runs up to the action to
    /// stream and starts it.
    async fn open_stream(
        &mut self,
        halt: &Halt,
        inputs: &Inputs,
        method: ExecuteMethod,
        mode: Mode,
    ) -> Result<(String, Core<'_>), Error> {
        self.fire_execute(method, true, None, mode).await;
        let approached = match self.approach(halt, inputs, mode).await {
            // The call ends before streaming: save the step it stopped at.
            Ok(Approach::Next) => Ok(Approach::Next),
            done => self.end_run(done, mode).await,
        };
        match approached {
            Err(e) => {
                self.fire_execute(method, false, Some(&e), mode).await;
                Err(e)
            }
            Ok(Approach::Done(name, outcome)) => {
                self.fire_execute(method, false, None, mode).await;
                Ok((name, Core::done(self, *outcome, mode)))
            }
            Ok(Approach::Next) => self.stream_step(inputs, method, true, mode).await,
        }
    }

    /// Begins the next step and starts its stream; a non-streaming action runs to its end
    /// at once. Errors close the execute call `close`; success closes it only when
    /// `owns_call` (and, for a stream, when it ends).
    async fn stream_step(
        &mut self,
        inputs: &Inputs,
        close: ExecuteMethod,
        owns_call: bool,
        mode: Mode,
    ) -> Result<(String, Core<'_>), Error> {
        let begun = match self.begin_step(inputs, mode).await {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(self.no_next_action()),
            Err(e) => Err(e),
        };
        let p = match begun {
            Ok(p) => p,
            Err(e) => {
                let _ = self.save_at_stop(mode, true).await;
                self.fire_execute(close, false, Some(&e), mode).await;
                return Err(e);
            }
        };
        let n = &self.graph.nodes[p.node];
        let name = n.info.name.clone();
        if !n.kind.is_streaming() {
            let outcome = self.call_action(&p, mode).await;
            let mut step = self.finish_step(&p, outcome, mode).await.map_err(|e| *e);
            if owns_call || step.is_err() {
                // The step ends the call: it is saved whatever the save policy.
                step = self.end_run(step, mode).await;
            }
            return match step {
                Err(e) => {
                    self.fire_execute(close, false, Some(&e), mode).await;
                    Err(e)
                }
                Ok(step) => {
                    if owns_call {
                        self.fire_execute(close, false, None, mode).await;
                    }
                    let outcome = Ok((Some(step.into_result()), self.state.clone()));
                    Ok((name, Core::done(self, outcome, mode)))
                }
            };
        }
        let started = SystemTime::now();
        fire!(
            self,
            mode,
            pre_start_stream,
            StreamStart {
                app_id: &self.shared.app_id,
                partition_key: self.shared.partition_key.as_deref(),
                action: &name,
                sequence_id: p.seq,
                time: started,
            }
        );
        let deadline = self.attempt_deadline(p.node);
        let events = self.stream_events(&p);
        let running = Running {
            p,
            events,
            started,
            first_item: None,
            items: 0,
            attempt: 1,
            deadline,
            method: owns_call.then_some(close),
        };
        Ok((name, Core::running(self, running, mode)))
    }

    /// When an attempt of action `node` starting now times out.
    fn attempt_deadline(&self, node: usize) -> Option<Instant> {
        let timeout = self.graph.nodes[node].policy.timeout?;
        Instant::now().checked_add(timeout)
    }

    /// Calls a streaming action and returns its events.
    fn stream_events(&self, p: &Prepared) -> ActionStream {
        match self.start_call(p) {
            Call::Stream(events) => events,
            // Finished (or failed) before streaming anything.
            Call::Ready(out) => ActionStream::from_iter([out.map(StreamEvent::Done)]),
            Call::Future(_) => ActionStream::from_iter([Err(ActionError::msg(format!(
                "streaming action `{}` answered with a future instead of a stream",
                self.graph.nodes[p.node].info.name
            )))]),
        }
    }
}
