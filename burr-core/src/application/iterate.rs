//! `iterate` and `iterate_async`: a run, one step at a time.

use futures_core::Stream;

use super::engine::{Committed, Mode, drive};
use super::halt::{Halt, Halts};
use super::{Application, Outcome, StepResult};
use crate::error::Error;
use crate::hooks::ExecuteMethod;
use crate::step::Inputs;

/// Where an iteration stands between two steps (shared by the sync and async iterators).
#[derive(Debug)]
struct Progress {
    inputs: Inputs,
    halts: Result<Halts, Error>,
    method: ExecuteMethod,
    started: bool,
    done: bool,
    last: Option<Committed>,
    outcome: Option<Outcome>,
}

impl Progress {
    fn new(app: &Application, halt: &Halt, inputs: Inputs, method: ExecuteMethod) -> Self {
        let halts = match method {
            ExecuteMethod::Iterate => app.check_sync(),
            _ => Ok(()),
        }
        .and_then(|()| Halts::resolve(&app.graph, halt));
        Progress {
            inputs,
            halts,
            method,
            started: false,
            done: false,
            last: None,
            outcome: None,
        }
    }
}

impl Application {
    /// The next step of an iteration; `None` once it ended. The execute call opens with the
    /// first step and closes when the iteration ends.
    async fn next_step(
        &mut self,
        it: &mut Progress,
        mode: Mode,
    ) -> Option<Result<StepResult, Error>> {
        if it.done {
            return None;
        }
        let mut cancelled = None;
        if !it.started {
            it.started = true;
            self.fire_execute(it.method, true, None, mode).await;
            // Asked to stop before the iteration starts: it runs nothing (as `run`).
            cancelled = self.cancelled_outcome(|| None);
        }
        let step = match &it.halts {
            Ok(_) if cancelled.is_some() => {
                it.outcome = cancelled;
                Ok(None)
            }
            Err(_) => Err(std::mem::replace(&mut it.halts, Ok(Halts::default()))
                .err()
                .unwrap_or(Error::Other("invalid halt".into()))),
            Ok(_) if self.suspended_outcome().is_some() => {
                it.outcome = self.suspended_outcome();
                Ok(None)
            }
            Ok(halts) => match self.step_once(&it.inputs, mode).await.map_err(|e| *e) {
                Ok(None) => {
                    it.outcome = Some(self.dead_end(it.last.take()));
                    Ok(None)
                }
                Ok(Some(step)) => match self.check_halt(halts, step.result()) {
                    Ok(Some(o)) => {
                        it.outcome = Some(o);
                        Ok(Some(self.step_result(step)))
                    }
                    Ok(None) => {
                        it.last = Some(step.clone());
                        return Some(Ok(self.step_result(step)));
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
        };
        // The iteration ends here: save the step it stopped at, close the execute call.
        it.done = true;
        let step = self.end_run(step, mode).await;
        self.fire_execute(it.method, false, step.as_ref().err(), mode)
            .await;
        step.transpose()
    }

    /// Iterates step by step until a halt condition; after the iterator ends,
    /// [`Iterate::outcome`] tells how the run ended.
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
    /// let mut it = app.iterate(halt_after(["b"]), inputs! { x: 1 });
    /// let names: Vec<String> = it.by_ref().map(|s| s.unwrap().action).collect();
    /// assert_eq!(names, vec!["a", "b"]);
    /// assert_eq!(it.outcome().unwrap().halted, Halted::After);
    /// ```
    pub fn iterate(&mut self, halt: Halt, inputs: impl Into<Inputs>) -> Iterate<'_> {
        let progress = Progress::new(self, &halt, inputs.into(), ExecuteMethod::Iterate);
        Iterate {
            app: self,
            progress,
        }
    }

    /// The async [`Application::iterate`]: a `Stream` of steps until a halt condition (or an
    /// error, which is the last item).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// use futures_util::StreamExt;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let steps: Vec<_> = app.iterate_async(halt_after(["a"]), inputs! { x: 1 }).collect().await;
    /// assert_eq!(steps.len(), 1);
    /// # });
    /// ```
    #[doc(alias = "aiterate")]
    pub fn iterate_async(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> impl Stream<Item = Result<StepResult, Error>> + Send + '_ {
        let progress = Progress::new(self, &halt, inputs.into(), ExecuteMethod::AIterate);
        futures_util::stream::unfold((self, progress), |(app, mut it)| async move {
            let step = app.next_step(&mut it, Mode::Async).await?;
            Some((step, (app, it)))
        })
    }
}

/// The iterator of [`Application::iterate`].
#[derive(Debug)]
pub struct Iterate<'a> {
    app: &'a mut Application,
    progress: Progress,
}

impl Iterate<'_> {
    /// How the run ended (`None` while it goes on, or when it ended with an error).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let mut it = app.iterate(halt_after(["a"]), inputs! { x: 1 });
    /// assert!(it.outcome().is_none());
    /// it.by_ref().for_each(drop);
    /// assert!(it.outcome().is_some());
    /// ```
    pub fn outcome(&self) -> Option<&Outcome> {
        self.progress.outcome.as_ref()
    }
}

impl Iterator for Iterate<'_> {
    type Item = Result<StepResult, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        drive(self.app.next_step(&mut self.progress, Mode::Sync))
    }
}
