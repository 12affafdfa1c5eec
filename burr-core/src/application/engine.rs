//! The step engine: the one place where a step happens, for every public method.
//!
//! A step is: [`prepare`](Application::prepare) (sequence id, next action, inputs) → the
//! `pre_run_step` hooks → [`call`](Application::call_action) the action → the step's end
//! (the reads/writes checks, save, commit, the `post_run_step` hooks: see
//! [`step_end`](super::step_end)). Each part is an
//! `async fn` taking a [`Mode`]: the async API awaits them, the sync API
//! [`drive`]s them. In sync mode nothing pends: async actions and async savers are refused
//! before they run, and async hooks are skipped (see [`crate::hooks`]), so the future
//! completes on its first poll without a runtime.
//!
//! `run`, `iterate`, the streaming methods and parallel sub-applications all go through these
//! functions; the sync/async pairs of the public API are thin wrappers.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::future::{Either, select};

use super::events::fire;
use super::{Application, StepResult};
use crate::action::Call;
use crate::action::stream::{ActionStream, StreamEvent};
use crate::context::{ActionContext, Scoped, scoped};
use crate::error::{ActionError, Error};
use crate::persistence::JournalEntry as PersistedEntry;
use crate::persistence::Saver;
use crate::policy::{ATTEMPT_ATTRIBUTE, ATTEMPTS_ATTRIBUTE, RetryPolicy, sleep};
use crate::state::State;
use crate::step::{Inputs, ResultMap, StepOutput};

/// Which API a call came through: the sync one (`step`, `run`...) or the async one (`step_async`,
/// `run_async`...). Async hooks run only in async mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The sync API: nothing may pend.
    Sync,
    /// The async API.
    Async,
}

impl Mode {
    pub(crate) fn is_async(self) -> bool {
        self == Mode::Async
    }
}

/// Runs a future of the engine to completion from sync code. In sync mode the engine never
/// awaits anything that pends, so the first poll finishes it; should a future pend anyway,
/// the thread parks until it is woken, as a `block_on` would.
pub(crate) fn drive<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    if let Poll::Ready(out) = fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        return out;
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => std::thread::park(),
        }
    }
}

struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// A step that was committed: what every caller needs. The public [`StepResult`], which
/// copies the action's name and the state, is built only for the callers that return it.
#[derive(Debug, Clone)]
pub(crate) struct Committed {
    pub(crate) node: usize,
    pub(crate) seq: u64,
    /// The step's result, `None` when empty (boxed, so that a committed step is small to
    /// move).
    pub(super) result: Option<Box<ResultMap>>,
    /// The failure an error transition routed (the step failed, the run goes on).
    pub(crate) routed: Option<Arc<Error>>,
}

/// The result of a step that returned none.
static NO_RESULT: std::sync::LazyLock<ResultMap> = std::sync::LazyLock::new(ResultMap::new);

impl Committed {
    /// The step's result.
    #[inline]
    pub(crate) fn result(&self) -> &ResultMap {
        self.result.as_deref().unwrap_or(&NO_RESULT)
    }

    /// The step's result, owned.
    pub(crate) fn into_result(self) -> ResultMap {
        self.result.map(|r| *r).unwrap_or_default()
    }
}

/// A step that was prepared (sequence id bumped, action chosen, inputs checked).
pub(crate) struct Prepared {
    pub(crate) node: usize,
    pub(crate) seq: u64,
    /// The inputs the action declared, `None` when it declares none (boxed, so that a
    /// prepared step stays small to move).
    inputs: Option<Box<Inputs>>,
    pub(crate) ctx: ActionContext,
    /// The state before the step, when a saver may need it back (boxed: rare, and a
    /// prepared step moves around).
    pub(crate) before: Option<Box<State>>,
    pub(crate) before_prior: Option<usize>,
    /// Whether the step runs a suspended action again.
    pub(crate) resumes: bool,
    /// Journal entries to save under this step's sequence id before it runs (replayed from
    /// an earlier run, or the answer of a resume).
    pub(crate) resave: Option<Vec<PersistedEntry>>,
}

/// The inputs of a step whose action declares none.
static NO_INPUTS: std::sync::LazyLock<Inputs> = std::sync::LazyLock::new(Inputs::new);

impl Prepared {
    /// The inputs the action gets (those it declared).
    pub(crate) fn inputs(&self) -> &Inputs {
        self.inputs.as_deref().unwrap_or(&NO_INPUTS)
    }
}

impl Application {
    /// Picks the next action, checks the inputs (and that an async action runs in async
    /// mode), then bumps the sequence id. `None` at a dead end. Nothing changes unless a step
    /// is about to run: a dead end, bad inputs or a refused call spend no sequence id.
    #[inline(always)]
    pub(crate) fn prepare(
        &mut self,
        inputs: &Inputs,
        mode: Mode,
    ) -> Result<Option<Prepared>, Error> {
        // Kept only to roll back when saving fails (nothing else needs it).
        let before = self
            .shared
            .saver
            .as_ref()
            .map(|_| Box::new(self.state.clone()));
        let before_prior = self.prior;
        let Some(node) = self.next_node()? else {
            return Ok(None);
        };
        if self.graph.nodes[node].kind.is_async() && !mode.is_async() {
            return Err(Error::AsyncActionInSyncContext {
                action: self.graph.nodes[node].info.name.clone(),
            });
        }
        let resumes = self.suspended == Some(node);
        if resumes && self.resume_value.is_none() {
            let waiting = self.suspension();
            return Err(Error::Suspended {
                action: self.graph.nodes[node].info.name.clone(),
                channel: waiting.map(|w| w.channel).unwrap_or_default(),
            });
        }
        let n = &self.graph.nodes[node];
        if inputs.names().any(|k| k.starts_with("__")) {
            return Err(Error::ReservedInput(
                inputs
                    .names()
                    .filter(|k| k.starts_with("__"))
                    .map(str::to_string)
                    .collect(),
            ));
        }
        let inputs = (!n.info.inputs.is_empty()).then(|| Box::new(inputs.filtered(&n.info.inputs)));
        if let Some(given) = &inputs
            && (n.info.inputs.iter()).any(|i| lacks(given, i))
        {
            return Err(missing_inputs(&n.info, given));
        }
        let seq = self.state.sequence_id().map_or(0, |s| s + 1);
        self.state.set_sequence_id(seq);
        // A fresh slot (the last step's, emptied, when no one kept it) unless the step
        // resumes or replays a journal.
        let (control, resave) = if resumes || !self.recovered_journal.is_empty() {
            self.replayed_control(node, seq, resumes)
        } else {
            (None, None)
        };
        let n = &self.graph.nodes[node];
        let ctx = ActionContext::for_step(
            &self.shared,
            (&n.name, &n.info.tags),
            seq,
            &self.run_span,
            control,
            self.spare_ctx.take(),
        );
        Ok(Some(Prepared {
            node,
            seq,
            inputs,
            ctx,
            before,
            before_prior,
            resumes,
            resave,
        }))
    }

    /// Prepares the next step and fires its `pre_run_step` hooks; refuses an async action in
    /// sync mode. `None` at a dead end.
    pub(crate) async fn begin_step(
        &mut self,
        inputs: &Inputs,
        mode: Mode,
    ) -> Result<Option<Prepared>, Error> {
        let Some(p) = self.prepare(inputs, mode)? else {
            return Ok(None);
        };
        self.pre_step(&p, mode).await?;
        Ok(Some(p))
    }

    /// What happens between preparing step `p` and calling its action: the journal entries
    /// it replays are saved, and the `pre_run_step` hooks fire. Inline, and nothing when
    /// there is nothing to do (the common case), so that the prepared step stays in place.
    #[inline(always)]
    async fn pre_step(&self, p: &Prepared, mode: Mode) -> Result<(), Error> {
        if p.resave.is_some() || !self.shared.hooks.is_empty() {
            self.save_replayed_and_fire(p, mode).await?;
        }
        Ok(())
    }

    /// [`Application::pre_step`] when there is something to do.
    async fn save_replayed_and_fire(&self, p: &Prepared, mode: Mode) -> Result<(), Error> {
        for entry in p.resave.iter().flatten() {
            match &self.shared.saver {
                Some(Saver::Sync(s)) => s.save_journal(entry)?,
                Some(Saver::Async(s)) if mode.is_async() => s.save_journal(entry).await?,
                _ => {}
            }
        }
        fire!(self, mode, pre_run_step, self.pre_step_event(p));
        Ok(())
    }

    /// Calls the action of a prepared step with the state it may see, the step's tracer
    /// current around its body.
    pub(crate) fn start_call<'a>(&'a self, p: &'a Prepared) -> Call<'a> {
        let n = &self.graph.nodes[p.node];
        let view = self.state.view_for(&n.view);
        scoped(&p.ctx.tracer, || n.action.call(view, p.inputs(), &p.ctx))
    }

    /// Calls the action of a prepared step and waits for its output; a stream is drained
    /// (its items are not reported: `stream_result` reports them). With a retry policy,
    /// failed attempts are retried; with a timeout, each attempt is bounded (see
    /// [`crate::policy`]).
    pub(crate) async fn call_action(&self, p: &Prepared, mode: Mode) -> Result<StepOutput, Error> {
        let policy = &self.graph.nodes[p.node].policy;
        if policy.is_plain() {
            return self.attempt(p, mode).await;
        }
        let mut attempt = 1;
        loop {
            p.ctx.control.begin_attempt();
            let out = match policy.timeout {
                None => self.attempt(p, mode).await,
                Some(limit) => self.attempt_within(p, mode, limit).await,
            };
            match self.retry_after(p, policy.retry.as_deref(), attempt, &out) {
                Some(delay) => wait(mode, delay).await,
                None => return out,
            }
            attempt += 1;
        }
    }

    /// Whether to try the action again after attempt `attempt` ended with `out`: the delay
    /// to wait, after logging the failed attempt on the step; `None` to stop (logging the
    /// number of attempts a success took).
    pub(crate) fn retry_after(
        &self,
        p: &Prepared,
        retry: Option<&RetryPolicy>,
        attempt: u32,
        out: &Result<StepOutput, Error>,
    ) -> Option<Duration> {
        let retry = retry?;
        if p.ctx.control.is_suspending() {
            // The action asked to suspend (and wrapped the error): nothing to retry.
            return None;
        }
        let tracer = p.ctx.tracer();
        match out {
            Err(e) if attempt < retry.max_attempts() && retry.is_retryable(e) => {
                let delay = retry.delay_after(attempt);
                let record = serde_json::json!({
                    "attempt": attempt,
                    "max_attempts": retry.max_attempts(),
                    "error": e.to_string(),
                    "retry_in_ms": u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                });
                tracer.log_attributes([(ATTEMPT_ATTRIBUTE, record)]);
                Some(delay)
            }
            Ok(_) if attempt > 1 => {
                tracer.log_attribute(ATTEMPTS_ATTRIBUTE, attempt);
                None
            }
            _ => None,
        }
    }

    /// One call of the action, to its output.
    async fn attempt(&self, p: &Prepared, mode: Mode) -> Result<StepOutput, Error> {
        match self.start_call(p) {
            Call::Ready(out) => out.map_err(|e| e.into_burr(&self.graph.nodes[p.node].info.name)),
            call => self.settle_call(call, p, mode).await,
        }
    }

    /// One call of the action, failed with [`Error::Timeout`] past `limit`: a future or a
    /// stream awaited in async mode is dropped at the limit; what runs to its end on this
    /// thread (a sync action, anything in sync mode) is checked when it returns.
    async fn attempt_within(
        &self,
        p: &Prepared,
        mode: Mode,
        limit: Duration,
    ) -> Result<StepOutput, Error> {
        let timeout = || Error::Timeout {
            action: self.graph.nodes[p.node].info.name.clone(),
            after: limit,
        };
        let started = Instant::now();
        let out = match self.start_call(p) {
            Call::Ready(out) => out.map_err(|e| e.into_burr(&self.graph.nodes[p.node].info.name)),
            call if mode.is_async() => {
                let settle = pin!(self.settle_call(call, p, mode));
                match select(settle, sleep(limit)).await {
                    Either::Left((out, _)) => out,
                    Either::Right(((), _)) => return Err(timeout()),
                }
            }
            call => self.settle_call(call, p, mode).await,
        };
        if started.elapsed() > limit {
            return Err(timeout());
        }
        out
    }

    /// Waits for the output of a call that was not ready: a future (async mode only) or a
    /// stream, drained.
    async fn settle_call(
        &self,
        call: Call<'_>,
        p: &Prepared,
        mode: Mode,
    ) -> Result<StepOutput, Error> {
        let name = &self.graph.nodes[p.node].info.name;
        let out = match call {
            Call::Ready(out) => out,
            Call::Future(_) if !mode.is_async() => {
                return Err(Error::AsyncActionInSyncContext {
                    action: name.clone(),
                });
            }
            Call::Future(fut) => Scoped::new(&p.ctx.tracer, fut).await,
            Call::Stream(mut events) => loop {
                match next_event(&mut events, &p.ctx, mode).await {
                    Some(Ok(StreamEvent::Item(_))) => {}
                    Some(Ok(StreamEvent::Done(out))) => break Ok(out),
                    Some(Err(e)) => break Err(e),
                    None => return Err(stream_ended(name)),
                }
            },
        };
        out.map_err(|e| e.into_burr(name))
    }

    /// One whole step: what `step`, `run` and `iterate` repeat. `None` at a dead end. The
    /// error is boxed, so that a step's result is small to move.
    pub(crate) async fn step_once(
        &mut self,
        inputs: &Inputs,
        mode: Mode,
    ) -> Result<Option<Committed>, Box<Error>> {
        // As `begin_step`, with the prepared step kept in this frame.
        let Some(p) = self.prepare(inputs, mode)? else {
            return Ok(None);
        };
        self.pre_step(&p, mode).await?;
        // As `call_action`, with the plain ready case inline: a sync step awaits nothing more.
        let outcome = if self.graph.nodes[p.node].policy.is_plain() {
            match self.start_call(&p) {
                Call::Ready(out) => {
                    out.map_err(|e| e.into_burr(&self.graph.nodes[p.node].info.name))
                }
                call => self.settle_call(call, &p, mode).await,
            }
        } else {
            self.call_action(&p, mode).await
        };
        let committed = if self.ends_plainly(mode) {
            self.finish_plain_step(&p, outcome)
        } else {
            self.finish_step(&p, outcome, mode).await
        };
        self.spare_ctx = Some(p.ctx.into_spare());
        committed.map(Some)
    }

    /// The public description of a step just committed (the state is the current one).
    pub(crate) fn step_result(&self, c: Committed) -> StepResult {
        let error = c.routed.as_ref().map(|e| e.to_string());
        StepResult {
            action: self.graph.nodes[c.node].info.name.clone(),
            sequence_id: c.seq,
            result: c.into_result(),
            state: self.state.clone(),
            error,
        }
    }
}

/// The next event of a running stream, the step's tracer current while it is produced. An
/// async stream in sync mode is an error.
pub(crate) async fn next_event(
    events: &mut ActionStream,
    ctx: &ActionContext,
    mode: Mode,
) -> Option<Result<StreamEvent, ActionError>> {
    match events {
        ActionStream::Sync(it) => scoped(&ctx.tracer, || it.next()),
        ActionStream::Async(_) if !mode.is_async() => {
            Some(Err(ActionError::from(Error::AsyncActionInSyncContext {
                action: ctx.action_name().to_string(),
            })))
        }
        ActionStream::Async(s) => Scoped::new(&ctx.tracer, s.next()).await,
    }
}

/// The error of a step whose action `info` declares inputs missing from `given`.
#[cold]
fn missing_inputs(info: &crate::graph::ActionInfo, given: &Inputs) -> Error {
    Error::MissingInputs {
        action: info.name.clone(),
        missing: (info.inputs.iter())
            .filter(|i| lacks(given, i))
            .map(|i| i.name.clone())
            .collect(),
        given: given.names().map(str::to_string).collect(),
    }
}

/// Whether `given` lacks the input `i`, which its action requires.
#[inline(always)]
fn lacks(given: &Inputs, i: &crate::step::InputSpec) -> bool {
    i.required && !given.contains(&i.name)
}

/// The error of a stream that ended without its final output.
pub(crate) fn stream_ended(action: &str) -> Error {
    Error::Stream {
        action: action.to_string(),
        message: "the stream ended without a final result and state; a streaming action must end with `StreamEvent::Done`".into(),
    }
}

/// Waits `delay`: the thread sleeps in sync mode, the future pends in async mode.
pub(crate) async fn wait(mode: Mode, delay: Duration) {
    if delay.is_zero() {
        return;
    }
    if mode.is_async() {
        sleep(delay).await;
    } else {
        std::thread::sleep(delay);
    }
}
