//! Suspending inside an action and resuming from any process: [`Application::suspension`],
//! [`Application::resume`] and [`Application::resume_async`].
//!
//! An action calls [`ActionContext::suspend`](crate::ActionContext::suspend) with a channel
//! name and a payload (what the human is asked) and propagates the error it returns. The
//! step ends as suspended: the state the action saw is kept, with the suspension under the
//! runtime key [`SUSPENDED_KEY`] (the action, the channel, the payload, the step's sequence
//! id and the results the action journaled with
//! [`ActionContext::durable`](crate::ActionContext::durable)); what the action wrote is
//! dropped. The step is saved (as completed) by the state persister and tracked like any
//! other, so the suspension lives wherever the state does (SQLite, PostgreSQL, Redis). `run`
//! and `iterate` stop with [`Halted::Suspended`], and keep stopping there without running
//! anything until the application is resumed; `step` answers [`Error::Suspended`].
//!
//! Any later process builds the same graph with `initialize_from` the same persister and app
//! id and calls [`Application::resume`] with the channel and the value: the suspended action
//! runs again as the next step, its journaled results are replayed instead of repeated, its
//! `suspend` call returns the value, and the run goes on. Two processes resuming the same
//! suspension at once: the persister refuses the second save of the step, and that process
//! gets [`Error::AlreadyResumed`].

use serde::Serialize;
use serde_json::Value;

use super::engine::Mode;
use super::halt::Halt;
use super::{Application, Outcome};
use crate::context::JournalEntry;
use crate::error::Error;
use crate::state::State;
use crate::step::Inputs;

/// The runtime key under which a suspended step keeps its suspension.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_core::SUSPENDED_KEY, "__suspended");
/// ```
pub const SUSPENDED_KEY: &str = "__suspended";

/// What a suspended application waits for.
///
/// # Examples
///
/// ```
/// let app = burr_core::ApplicationBuilder::new()
///     .with_action("a", burr_core::Input::new(["x"]))
///     .with_entrypoint("a")
///     .build()
///     .unwrap();
/// assert!(app.suspension().is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Suspension {
    /// The action that suspended (it runs again on resume).
    pub action: String,
    /// The channel it waits on.
    pub channel: String,
    /// What it showed (what the human is asked).
    pub payload: Value,
    /// The sequence id of the step that suspended.
    pub sequence_id: u64,
}

impl Suspension {
    /// The suspension kept in `state`, if any.
    pub(crate) fn of(state: &State) -> Option<Suspension> {
        let v = state.get_value(SUSPENDED_KEY)?;
        Some(Suspension {
            action: v.get("action")?.as_str()?.to_string(),
            channel: v.get("channel")?.as_str()?.to_string(),
            payload: v.get("payload").cloned().unwrap_or(Value::Null),
            sequence_id: v.get("sequence_id")?.as_u64()?,
        })
    }

    /// The journal kept with the suspension in `state` (empty when there is none).
    pub(crate) fn journal(state: &State) -> Vec<JournalEntry> {
        state
            .get_value(SUSPENDED_KEY)
            .and_then(|v| serde_json::from_value(v.get("journal")?.clone()).ok())
            .unwrap_or_default()
    }

    /// `state` with a suspension recorded.
    pub(crate) fn record(
        state: &State,
        action: &str,
        sequence_id: u64,
        channel: &str,
        payload: Value,
        journal: &[JournalEntry],
    ) -> State {
        state.update(
            SUSPENDED_KEY,
            serde_json::json!({
                "action": action,
                "channel": channel,
                "payload": payload,
                "sequence_id": sequence_id,
                "journal": journal,
            }),
        )
    }
}

impl Application {
    /// What the application waits for, when a step suspended.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{ActionError, ApplicationBuilder, FnAction, Halted, halt_after};
    /// let approve = FnAction::new(Vec::<String>::new(), ["approved"], |state, _, ctx| {
    ///     let approved: bool = ctx.suspend("approval", serde_json::json!({"draft": "hi"}))?;
    ///     Ok::<_, ActionError>(state.update("approved", approved))
    /// });
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("approve", approve)
    ///     .with_entrypoint("approve")
    ///     .build()
    ///     .unwrap();
    /// let out = app.run(halt_after(["approve"]), ()).unwrap();
    /// assert_eq!(out.halted, Halted::Suspended);
    /// let waiting = app.suspension().unwrap();
    /// assert_eq!((waiting.action.as_str(), waiting.channel.as_str()), ("approve", "approval"));
    ///
    /// let out = app.resume("approval", true, halt_after(["approve"]), ()).unwrap();
    /// assert!(out.state.get::<bool>("approved").unwrap());
    /// assert!(app.suspension().is_none());
    /// ```
    pub fn suspension(&self) -> Option<Suspension> {
        Suspension::of(&self.state)
    }

    /// Resumes a suspended application with `value` on `channel`: the suspended action runs
    /// again and its `suspend` call returns `value`, then the run goes on as
    /// [`Application::run`] would with `halt` and `inputs`.
    ///
    /// Errors: [`Error::NotSuspended`], [`Error::WrongChannel`], [`Error::ResumeValue`] (the
    /// action asks for another type: the application stays suspended) and
    /// [`Error::AlreadyResumed`] (another process resumed it first).
    ///
    /// # Examples
    ///
    /// See [`Application::suspension`].
    pub fn resume(
        &mut self,
        channel: &str,
        value: impl Serialize,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<Outcome, Error> {
        self.check_sync()?;
        super::engine::drive(self.resume_in(channel, value, &halt, &inputs.into(), Mode::Sync))
    }

    /// The async twin of [`Application::resume`].
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = burr_core::ApplicationBuilder::new()
    ///     .with_action("a", burr_core::Input::new(["x"]))
    ///     .with_entrypoint("a")
    ///     .build()
    ///     .unwrap();
    /// let err = app.resume_async("c", 1, burr_core::Halt::default(), ()).await.unwrap_err();
    /// assert!(matches!(err, burr_core::Error::NotSuspended { .. }));
    /// # });
    /// ```
    pub async fn resume_async(
        &mut self,
        channel: &str,
        value: impl Serialize,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<Outcome, Error> {
        self.resume_in(channel, value, &halt, &inputs.into(), Mode::Async)
            .await
    }

    async fn resume_in(
        &mut self,
        channel: &str,
        value: impl Serialize,
        halt: &Halt,
        inputs: &Inputs,
        mode: Mode,
    ) -> Result<Outcome, Error> {
        let Some(waiting) = self.suspension() else {
            return Err(Error::NotSuspended {
                app_id: self.app_id().to_string(),
            });
        };
        if waiting.channel != channel {
            return Err(Error::WrongChannel {
                expected: waiting.channel,
                given: channel.to_string(),
            });
        }
        let value = serde_json::to_value(value).map_err(|e| Error::ResumeValue {
            channel: channel.to_string(),
            expected: "JSON".into(),
            message: e.to_string(),
        })?;
        self.resume_value = Some((channel.to_string(), value));
        let out = self.run_in(halt, inputs, mode).await;
        self.resume_value = None;
        match self.resume_error.take() {
            Some(e) => Err(e),
            None => out,
        }
    }

    /// The outcome of a run on a suspended application that is not being resumed.
    #[inline(always)]
    pub(crate) fn suspended_outcome(&self) -> Option<Outcome> {
        if self.suspended.is_none() || self.resume_value.is_some() {
            return None;
        }
        self.waiting_outcome()
    }

    /// [`Application::suspended_outcome`] of an application that is suspended.
    #[cold]
    #[inline(never)]
    fn waiting_outcome(&self) -> Option<Outcome> {
        let waiting = self.suspension()?;
        Some(Outcome {
            action: Some(waiting.action),
            result: None,
            state: self.state.clone(),
            halted: super::Halted::Suspended,
        })
    }
}
