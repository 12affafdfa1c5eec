//! `step` and `run`, sync and async: thin wrappers over the [step engine](super::engine).
//!
//! Naming rule for every sync/async pair of this crate: the sync method has the plain name
//! and its async twin adds the suffix `_async` (`step` / `step_async`, `run` / `run_async`,
//! `build` / `build_async`). Apache Burr's names (`step_async`, `run_async`, `build_async`...) are search
//! aliases of the async twins.

use super::engine::{Committed, Mode, drive};
use super::halt::{Halt, Halts};
use super::{Application, Halted, Outcome, StepResult};
use crate::error::Error;
use crate::hooks::ExecuteMethod;
use crate::step::{Inputs, ResultMap};

impl Application {
    /// Runs the next action. `Ok(None)` when there is none (the sequence id still advances,
    /// as in Burr). On failure the state is unchanged and the error names the action.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let err = app.step().unwrap_err();
    /// assert!(matches!(err, Error::MissingInputs { .. }));
    /// ```
    pub fn step(&mut self) -> Result<Option<StepResult>, Error> {
        self.step_with(&Inputs::new())
    }

    /// [`Application::step`] with runtime inputs (undeclared ones are ignored).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let s = app.step_with(&inputs! { x: 1, unused: 2 }).unwrap().unwrap();
    /// assert_eq!(s.state.get::<i32>("x").unwrap(), 1);
    /// ```
    pub fn step_with(&mut self, inputs: &Inputs) -> Result<Option<StepResult>, Error> {
        self.check_sync()?;
        drive(self.call_step(inputs, ExecuteMethod::Step, Mode::Sync))
    }

    /// The async [`Application::step`]: runs async and sync actions, and the async hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(matches!(app.step_async().await, Err(Error::MissingInputs { .. })));
    /// # });
    /// ```
    #[doc(alias = "astep")]
    pub async fn step_async(&mut self) -> Result<Option<StepResult>, Error> {
        self.step_with_async(&Inputs::new()).await
    }

    /// The async [`Application::step_with`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let s = app.step_with_async(&inputs! { x: 1 }).await.unwrap().unwrap();
    /// assert_eq!(s.action, "a");
    /// # });
    /// ```
    #[doc(alias = "astep")]
    pub async fn step_with_async(&mut self, inputs: &Inputs) -> Result<Option<StepResult>, Error> {
        self.call_step(inputs, ExecuteMethod::AStep, Mode::Async)
            .await
    }

    async fn call_step(
        &mut self,
        inputs: &Inputs,
        method: ExecuteMethod,
        mode: Mode,
    ) -> Result<Option<StepResult>, Error> {
        self.fire_execute(method, true, None, mode).await;
        let r = self
            .step_once(inputs, mode)
            .await
            .map(|c| c.map(|c| self.step_result(c)))
            .map_err(|e| *e);
        self.fire_execute(method, false, r.as_ref().err(), mode)
            .await;
        r
    }

    /// Steps until a halt condition (or a dead end) and returns the [`Outcome`]. At least one
    /// step runs before the halts are checked; `before` wins over `after`. The same inputs
    /// are offered to every step.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_action("b", ResultAction::new(["x"]))
    ///     .with_transition("a", "b", default())
    ///     .with_entrypoint("a").build().unwrap();
    /// let out = app.run(halt_before(["b"]), inputs! { x: 1 }).unwrap();
    /// assert_eq!((out.action.as_deref(), out.result, out.halted), (Some("b"), None, Halted::Before));
    /// ```
    pub fn run(&mut self, halt: Halt, inputs: impl Into<Inputs>) -> Result<Outcome, Error> {
        self.check_sync()?;
        drive(self.run_in(&halt, &inputs.into(), Mode::Sync))
    }

    /// The async [`Application::run`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let out = app.run_async(halt_after(["a"]), inputs! { x: 2 }).await.unwrap();
    /// assert_eq!(out.halted, Halted::After);
    /// # });
    /// ```
    #[doc(alias = "arun")]
    pub async fn run_async(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<Outcome, Error> {
        self.run_in(&halt, &inputs.into(), Mode::Async).await
    }

    /// `run` or `run_async`, by mode.
    pub(crate) async fn run_in(
        &mut self,
        halt: &Halt,
        inputs: &Inputs,
        mode: Mode,
    ) -> Result<Outcome, Error> {
        let method = match mode {
            Mode::Sync => ExecuteMethod::Run,
            Mode::Async => ExecuteMethod::ARun,
        };
        self.fire_execute(method, true, None, mode).await;
        let r = self.run_steps(halt, inputs, mode).await;
        let r = self.end_run(r, mode).await;
        self.fire_execute(method, false, r.as_ref().err(), mode)
            .await;
        r
    }

    /// Steps until a halt condition or a dead end (no execute-call events: the caller's).
    pub(crate) async fn run_steps(
        &mut self,
        halt: &Halt,
        inputs: &Inputs,
        mode: Mode,
    ) -> Result<Outcome, Error> {
        let halts = Halts::resolve(&self.graph, halt)?;
        if let Some(o) = self.suspended_outcome() {
            return Ok(o);
        }
        if let Some(o) = self.cancelled_outcome(|| None) {
            return Ok(o);
        }
        let mut last: Option<Committed> = None;
        loop {
            match self.step_once(inputs, mode).await.map_err(|e| *e)? {
                None => return Ok(self.dead_end(last)),
                Some(step) => {
                    if let Some(o) = self.check_halt(&halts, step.result())? {
                        return Ok(o);
                    }
                    last = Some(step);
                }
            }
        }
    }

    pub(crate) fn dead_end(&self, last: Option<Committed>) -> Outcome {
        tracing::debug!(target: "burr", app_id = %self.shared.app_id, "run reached a dead end: no transition matched");
        Outcome {
            action: last
                .as_ref()
                .map(|c| self.graph.nodes[c.node].info.name.clone()),
            result: last.map(Committed::into_result),
            state: self.state.clone(),
            halted: Halted::NoTransition,
        }
    }

    /// The outcome when the step that just ran (the prior step, with `result`) ends the run:
    /// the next action is a `before` halt, or this one an `after` halt.
    #[inline]
    pub(super) fn check_halt(
        &self,
        halts: &Halts,
        result: &ResultMap,
    ) -> Result<Option<Outcome>, Error> {
        if let Some(o) = self.suspended_outcome() {
            return Ok(Some(o));
        }
        if !halts.before.is_empty()
            && let Some(next) = self.next_node()?
            && halts.before.contains(&next)
        {
            return Ok(Some(Outcome {
                action: Some(self.graph.nodes[next].info.name.clone()),
                result: None,
                state: self.state.clone(),
                halted: Halted::Before,
            }));
        }
        if let Some(prior) = self.prior.filter(|p| halts.after.contains(p)) {
            return Ok(Some(Outcome {
                action: Some(self.graph.nodes[prior].info.name.clone()),
                result: Some(result.clone()),
                state: self.state.clone(),
                halted: Halted::After,
            }));
        }
        Ok(self.cancelled_outcome(|| {
            self.prior
                .map(|p| (self.graph.nodes[p].info.name.as_str(), result))
        }))
    }
}
