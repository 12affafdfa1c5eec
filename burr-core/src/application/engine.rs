//! The step engine: the one place where a step happens, for every public method.
//!
//! A step is: [`prepare`](Application::prepare) (sequence id, next action, inputs) → the
//! `pre_run_step` hooks → [`call`](Application::call_action) the action → apply its output
//! (the reads/writes checks) → save → commit → the `post_run_step` hooks. Each part is an
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
use super::suspend::{SUSPENDED_KEY, Suspension};
use super::{Application, StepResult};
use crate::action::Call;
use crate::action::stream::{ActionStream, StreamEvent};
use crate::context::{ActionContext, Asked, Scoped, scoped};
use crate::error::{ActionError, Error};
use crate::persistence::JournalEntry as PersistedEntry;
use crate::persistence::{PersistenceError, SaveRequest, Saver, Status};
use crate::policy::{
    ATTEMPT_ATTRIBUTE, ATTEMPTS_ATTRIBUTE, RetryPolicy, SUSPENDED_ATTRIBUTE, sleep,
};
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
    result: Option<Box<ResultMap>>,
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

/// A step's outcome once checked (see [`Application::settle`]), before it is saved.
struct Settled {
    /// The output to commit, or the failure.
    outcome: Result<StepOutput, Error>,
    /// What the action's suspension left: channel, payload, journal, a refused resume value.
    suspension: Option<Box<Asked>>,
    /// The failure an error transition routed.
    routed: Option<Arc<Error>>,
    /// Whether the step is to be saved.
    save: bool,
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
            && (n.info.inputs.iter()).any(|i| i.required && !given.contains(&i.name))
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

    /// Concludes a step with the action's outcome: applies it (the reads/writes checks),
    /// saves, commits, and fires the `post_run_step` hooks.
    pub(crate) async fn finish_step(
        &mut self,
        p: &Prepared,
        outcome: Result<StepOutput, Error>,
        mode: Mode,
    ) -> Result<Committed, Box<Error>> {
        if mode.is_async()
            && let Some(step) = p.ctx.tracer.step()
        {
            // Boxed, so that the futures of sync calls stay small.
            Box::pin(step.flush_async()).await;
        }
        let settled = self.settle(p, outcome);
        // Errors are boxed from here to the return, so that what moves is one word.
        let saved: Result<(), Box<Error>> = match &self.shared.saver {
            Some(_) if !settled.save => Ok(()),
            None => Ok(()),
            Some(Saver::Sync(s)) => s
                .save(self.save_request(p, settled.outcome.as_ref().ok()))
                .map_err(|e| self.save_error(p, e)),
            Some(Saver::Async(_)) if !mode.is_async() => Err(Box::new(Error::AsyncOnly)),
            Some(Saver::Async(s)) => s
                .save(self.save_request(p, settled.outcome.as_ref().ok()))
                .await
                .map_err(|e| self.save_error(p, e)),
        };
        let result = self.conclude(p, settled, saved);
        fire!(self, mode, post_run_step, self.post_step_event(p, &result));
        result
    }

    /// Whether step `p`, in `mode`, ends without awaiting anything: a sync call of an
    /// application with no persister and no hooks (nothing to flush, save or fire).
    #[inline(always)]
    fn ends_plainly(&self, mode: Mode) -> bool {
        !mode.is_async() && self.shared.saver.is_none() && self.shared.hooks.is_empty()
    }

    /// [`Application::finish_step`] for a step that [ends plainly](Self::ends_plainly): the
    /// same parts, called without a future around them.
    #[inline(always)]
    fn finish_plain_step(
        &mut self,
        p: &Prepared,
        outcome: Result<StepOutput, Error>,
    ) -> Result<Committed, Box<Error>> {
        let settled = self.settle(p, outcome);
        self.conclude(p, settled, Ok(()))
    }

    /// The first part of a step's end: the action's outcome checked and completed in place
    /// (a step's output is only moved into the application at the commit), a suspension
    /// recorded, a failure routed, and whether the step is to be saved.
    #[inline(always)]
    fn settle(&self, p: &Prepared, mut outcome: Result<StepOutput, Error>) -> Settled {
        let suspension = p.ctx.control.take_suspension();
        match &suspension {
            // The action suspended: keep the state it saw, with the suspension.
            Some(asked) => {
                outcome = Ok(self.suspended_output(p, asked));
            }
            None => {
                if let Ok(out) = &mut outcome
                    && let Err(e) = self.apply(p, out)
                {
                    outcome = Err(e);
                }
            }
        }
        let mut routed = None;
        if let Err(e) = &outcome
            && let Some(out) = self.route_error(p, e)
            && let Err(e) = std::mem::replace(&mut outcome, Ok(out))
        {
            routed = Some(Arc::new(e));
        }
        // A suspension, and the step that resumes one, are saved whatever the save policy:
        // the suspension must outlive the process, and a second resume must be refused.
        // A routed failure too, so that a resume after a crash takes the route.
        let save = self.shared.saver.is_some()
            && (suspension.is_some()
                || p.resumes
                || routed.is_some()
                || self.saves_step(p, outcome.is_ok()));
        Settled {
            outcome,
            suspension,
            routed,
            save,
        }
    }

    /// The output of step `p` whose action suspended: the state it saw, with the suspension.
    #[cold]
    fn suspended_output(&self, p: &Prepared, asked: &Asked) -> StepOutput {
        let Asked {
            channel,
            payload,
            journal,
            ..
        } = asked;
        let n = &self.graph.nodes[p.node];
        let mut state = Suspension::record(
            &self.state,
            &n.info.name,
            p.seq,
            channel,
            payload.clone(),
            journal,
        );
        state.set_prior_step_name(n.step_name.clone());
        let note = serde_json::json!({"channel": channel, "payload": payload});
        p.ctx.tracer().log_attributes([(SUSPENDED_ATTRIBUTE, note)]);
        StepOutput {
            result: ResultMap::new(),
            state,
        }
    }

    /// The last part of a step's end, once it was saved (`saved`): the commit, the
    /// persister's bookkeeping, and the step span's outcome.
    #[inline(always)]
    fn conclude(
        &mut self,
        p: &Prepared,
        settled: Settled,
        saved: Result<(), Box<Error>>,
    ) -> Result<Committed, Box<Error>> {
        let Settled {
            outcome,
            suspension,
            routed,
            save,
        } = settled;
        let suspended = suspension.is_some();
        let saved_row = save && saved.is_ok();
        let result = self.commit(p, outcome, saved, routed);
        if result.is_ok() {
            self.suspended = suspended.then_some(p.node);
            if let Some(refused) = suspension.and_then(|s| s.bad_resume) {
                self.resume_error = Some(refused);
            }
        } else {
            // The step runs again: what it journaled is replayed, as a fresh process would.
            self.recovered_journal = p.ctx.journal_entries();
        }
        self.track_save(p, saved_row, result.is_ok());
        if let Some(span) = p.ctx.step_span() {
            let error = match &result {
                Ok(c) => c.routed.as_deref(),
                Err(e) => Some(&**e),
            };
            crate::context::record_outcome(span, error.map(|e| e as &dyn std::fmt::Display));
        }
        result
    }

    /// The error of step `p` whose row the persister refused: a second resume of one
    /// suspension (its row is there already) says so.
    #[cold]
    fn save_error(&self, p: &Prepared, e: PersistenceError) -> Box<Error> {
        Box::new(match e {
            PersistenceError::Duplicate(_) if p.resumes => Error::AlreadyResumed {
                app_id: self.shared.app_id.to_string(),
                channel: self.suspension().map(|s| s.channel).unwrap_or_default(),
            },
            e => Error::from(e),
        })
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

    /// Checks the action's output against its declarations and completes its state in place:
    /// the full state with the action's writes, the runtime's keys set.
    #[inline(always)]
    fn apply(&self, p: &Prepared, out: &mut StepOutput) -> Result<(), Error> {
        let n = &self.graph.nodes[p.node];
        let writes = &n.info.writes;
        let out = &mut out.state;
        if let Some(e) = out.write_error() {
            return Err(Error::State(e.clone()));
        }
        let before = &self.state;
        if out.is_view_of(&n.view) {
            if !out.wrote_exactly_declared() {
                let (undeclared, missing) = out.write_violations();
                write_errors(&n.info.name, writes, undeclared, missing, out)?;
            }
            out.leave_view();
        } else {
            // The action built a state of its own: what differs from what it could see is
            // what it wrote.
            let reads = &n.info.reads;
            let mut written: Vec<String> = out
                .raw_keys()
                .filter(|k| !(reads.iter().any(|r| r == k) && before.same_field(out, k)))
                .map(str::to_string)
                .collect();
            written.extend(
                reads
                    .iter()
                    .filter(|r| before.has_raw(r) && !out.has_raw(r))
                    .cloned(),
            );
            let undeclared = written
                .iter()
                .filter(|k| !writes.contains(k))
                .cloned()
                .collect();
            let missing = writes
                .iter()
                .filter(|w| !written.contains(w))
                .cloned()
                .collect();
            write_errors(&n.info.name, writes, undeclared, missing, out)?;
            let mut merged = before.clone();
            for k in &written {
                merged.copy_field_from(out, k);
            }
            *out = merged;
        }
        if p.resumes {
            // The suspension is over.
            *out = out.wipe_delete([SUSPENDED_KEY]);
        }
        // The runtime's keys are the runtime's, whatever the action did to them.
        out.set_sequence_id(p.seq);
        out.set_prior_step_name(n.step_name.clone());
        Ok(())
    }

    /// The output of a failed step that an error transition routes: the state before the
    /// step with the error captured under the route's key; `None` when the action has no
    /// error transition or the error is not one of its body (or a timeout).
    fn route_error(&self, p: &Prepared, e: &Error) -> Option<StepOutput> {
        let n = &self.graph.nodes[p.node];
        let (_, key) = n.error_route.as_ref()?;
        let kind = match e {
            Error::ActionFailed { .. } => "action_failed",
            Error::Timeout { .. } => "timeout",
            _ => return None,
        };
        let captured = serde_json::json!({
            "action": n.info.name,
            "sequence_id": p.seq,
            "kind": kind,
            "message": e.to_string(),
        });
        let mut state = self.state.update(key, captured);
        if p.resumes {
            // The suspension is over: the resumed action ran, and failed.
            state = state.wipe_delete([SUSPENDED_KEY]);
        }
        state.set_prior_step_name(n.step_name.clone());
        Some(StepOutput {
            result: ResultMap::new(),
            state,
        })
    }

    /// What the saver gets: the new state when the step completed, the state before it
    /// when it failed.
    fn save_request<'a>(&'a self, p: &Prepared, out: Option<&'a StepOutput>) -> SaveRequest<'a> {
        SaveRequest {
            partition_key: self.shared.partition_key.as_deref(),
            app_id: &self.shared.app_id,
            sequence_id: p.seq,
            position: &self.graph.nodes[p.node].info.name,
            state: out.map_or(&self.state, |o| &o.state),
            status: if out.is_some() {
                Status::Completed
            } else {
                Status::Failed
            },
        }
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

    /// Applies the outcome to the application: the new state when the step completed and was
    /// saved; the state before the step when saving failed, so that it can be retried.
    /// `routed` is the failure an error transition routed, if any.
    #[inline(always)]
    fn commit(
        &mut self,
        p: &Prepared,
        applied: Result<StepOutput, Error>,
        saved: Result<(), Box<Error>>,
        routed: Option<Arc<Error>>,
    ) -> Result<Committed, Box<Error>> {
        let out = applied.map_err(Box::new)?;
        if let Err(e) = saved {
            if let Some(before) = &p.before {
                self.state = (**before).clone();
                self.prior = p.before_prior;
            }
            return Err(e);
        }
        let StepOutput { result, state } = out;
        self.state = state;
        self.prior = Some(p.node);
        Ok(Committed {
            node: p.node,
            seq: p.seq,
            result: (!result.is_empty()).then(|| Box::new(result)),
            routed,
        })
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
            .filter(|i| i.required && !given.contains(&i.name))
            .map(|i| i.name.clone())
            .collect(),
        given: given.names().map(str::to_string).collect(),
    }
}

/// The error of a stream that ended without its final output.
pub(crate) fn stream_ended(action: &str) -> Error {
    Error::Stream {
        action: action.to_string(),
        message: "the stream ended without a final result and state; a streaming action must end with `StreamEvent::Done`".into(),
    }
}

/// The reads/writes check's verdict: undeclared keys the action wrote, then undeclared keys
/// it deleted (absent from its output `out`), then declared writes it left alone.
fn write_errors(
    action: &str,
    writes: &[String],
    undeclared: Vec<String>,
    missing: Vec<String>,
    out: &State,
) -> Result<(), Error> {
    if !undeclared.is_empty() {
        let (deleted, written): (Vec<String>, Vec<String>) =
            undeclared.into_iter().partition(|k| !out.holds(k));
        if !written.is_empty() {
            return Err(Error::UndeclaredWrite {
                action: action.to_string(),
                keys: written,
                writes: writes.to_vec(),
            });
        }
        return Err(Error::UndeclaredDelete {
            action: action.to_string(),
            keys: deleted,
            writes: writes.to_vec(),
        });
    }
    if !missing.is_empty() {
        return Err(Error::MissingWrite {
            action: action.to_string(),
            keys: missing,
            writes: writes.to_vec(),
        });
    }
    Ok(())
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
