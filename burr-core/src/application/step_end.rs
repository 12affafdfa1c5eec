//! The end of a step: the action's outcome checked against its declarations (or its
//! suspension recorded, or its failure routed), saved, committed, and reported to the
//! `post_run_step` hooks. A sync step with nothing to save or report ends with plain calls
//! (see [`Application::finish_plain_step`]); every other goes through the future of
//! [`Application::finish_step`], made of the same parts.

use std::sync::Arc;

use super::Application;
use super::engine::{Committed, Mode, Prepared};
use super::events::fire;
use super::suspend::{SUSPENDED_KEY, Suspension};
use crate::context::Asked;
use crate::error::Error;
use crate::persistence::{PersistenceError, SaveRequest, Saver, Status};
use crate::policy::SUSPENDED_ATTRIBUTE;
use crate::state::State;
use crate::step::{ResultMap, StepOutput};

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

impl Application {
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
    pub(super) fn ends_plainly(&self, mode: Mode) -> bool {
        !mode.is_async() && self.shared.saver.is_none() && self.shared.hooks.is_empty()
    }

    /// [`Application::finish_step`] for a step that [ends plainly](Self::ends_plainly): the
    /// same parts, called without a future around them.
    #[inline(always)]
    pub(super) fn finish_plain_step(
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
