//! `stream_iterate` and `stream_iterate_async`: step after step, each with its container.

use super::result::{AsyncStreamingResult, StreamingResult};
use super::{Core, Running};
use crate::application::Application;
use crate::application::engine::{Mode, drive};
use crate::application::halt::{Halt, Halts};
use crate::error::Error;
use crate::hooks::ExecuteMethod;
use crate::step::{Inputs, ResultMap};

/// Where a streamed iteration stands between two steps (shared by both iterators).
struct Progress {
    inputs: Inputs,
    halts: Result<Halts, Error>,
    method: ExecuteMethod,
    mode: Mode,
    /// The step whose container was dropped unfinished: finished before the next one.
    pending: Option<Running>,
    /// The last step's action and result.
    last: Option<(String, Option<ResultMap>)>,
    done: bool,
}

impl Progress {
    async fn start(
        app: &mut Application,
        halt: &Halt,
        inputs: Inputs,
        method: ExecuteMethod,
        mode: Mode,
    ) -> Self {
        let halts = match mode {
            Mode::Sync => app.check_sync(),
            Mode::Async => Ok(()),
        }
        .and_then(|()| Halts::resolve(&app.graph, halt));
        app.fire_execute(method, true, None, mode).await;
        Progress {
            inputs,
            halts,
            method,
            mode,
            pending: None,
            last: None,
            done: false,
        }
    }

    /// Ends the iteration: saves the step it stopped at (whatever the save policy) and
    /// closes the execute call. The error of that save, when the iteration had none.
    async fn end(&mut self, app: &mut Application, error: Option<&Error>) -> Option<Error> {
        if self.done {
            return None;
        }
        self.done = true;
        let saved = app.save_at_stop(self.mode, error.is_some()).await.err();
        app.fire_execute(self.method, false, error.or(saved.as_ref()), self.mode)
            .await;
        saved
    }

    /// Finishes the step left pending by a dropped container.
    async fn finish_pending(&mut self, app: &mut Application) -> Result<(), Error> {
        let Some(r) = self.pending.take() else {
            return Ok(());
        };
        let (result, _) = Core::running(app, r, self.mode).finish().await?;
        if let Some(last) = &mut self.last {
            last.1 = result;
        }
        Ok(())
    }

    /// Whether the last step ends the iteration.
    fn should_stop(&mut self, app: &Application) -> Result<bool, Error> {
        let halts = match &self.halts {
            Ok(h) => h,
            Err(_) => {
                return Err(std::mem::replace(&mut self.halts, Ok(Halts::default()))
                    .err()
                    .unwrap_or_else(|| Error::Other("invalid halt".into())));
            }
        };
        let Some(last) = &self.last else {
            return Ok(false);
        };
        let result = last.1.clone().unwrap_or_default();
        Ok(app.check_halt(halts, &result)?.is_some())
    }

    async fn next<'s>(
        &'s mut self,
        app: &'s mut Application,
    ) -> Option<Result<(String, Core<'s>), Error>> {
        if self.done {
            return None;
        }
        let stop = match self.finish_pending(app).await {
            Ok(()) => self.should_stop(app),
            Err(e) => Err(e),
        };
        match stop {
            Err(e) => {
                self.end(app, Some(&e)).await;
                return Some(Err(e));
            }
            Ok(true) => return self.end(app, None).await.map(Err),
            Ok(false) => {}
        }
        if !app.has_next_action() {
            return self.end(app, None).await.map(Err);
        }
        let inputs = self.inputs.clone();
        match app
            .stream_step(&inputs, self.method, false, self.mode)
            .await
        {
            Ok((name, mut core)) => {
                let result = match &core.outcome {
                    Some(Ok((r, _))) => r.clone(),
                    _ => None,
                };
                self.last = Some((name.clone(), result));
                core.stash = Some(&mut self.pending);
                Some(Ok((name, core)))
            }
            Err(e) => {
                // The execute call was closed with the error.
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl Application {
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
    /// # Ok::<(), Error>(())
    /// ```
    pub fn stream_iterate(&mut self, halt: Halt, inputs: impl Into<Inputs>) -> StreamIterate<'_> {
        let progress = drive(Progress::start(
            self,
            &halt,
            inputs.into(),
            ExecuteMethod::StreamIterate,
            Mode::Sync,
        ));
        StreamIterate {
            app: self,
            progress,
        }
    }

    /// The async [`Application::stream_iterate`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let mut steps = app.stream_iterate_async(halt_after(["a"]), inputs! { x: 1 }).await;
    /// let (name, stream) = steps.next().await.unwrap()?;
    /// assert_eq!(name, "a");
    /// assert_eq!(stream.finish().await?.1.get::<i32>("x")?, 1);
    /// assert!(steps.next().await.is_none());
    /// # Ok::<(), Error>(())
    /// # }).unwrap();
    /// ```
    #[doc(alias = "astream_iterate")]
    pub async fn stream_iterate_async(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> AsyncStreamIterate<'_> {
        let progress = Progress::start(
            self,
            &halt,
            inputs.into(),
            ExecuteMethod::AStreamIterate,
            Mode::Async,
        )
        .await;
        AsyncStreamIterate {
            app: self,
            progress,
        }
    }
}

/// The steps of [`Application::stream_iterate`]: call [`StreamIterate::next`] in a
/// `while let` loop (a lending iterator: each container borrows the iterator).
pub struct StreamIterate<'a> {
    app: &'a mut Application,
    progress: Progress,
}

impl std::fmt::Debug for StreamIterate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamIterate")
            .field("done", &self.progress.done)
            .finish_non_exhaustive()
    }
}

impl StreamIterate<'_> {
    /// Runs the next step: its action's name and container, an error, or `None` when the
    /// iteration ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let mut steps = app.stream_iterate(halt_after(["a"]), inputs! { x: 1 });
    /// let (name, _) = steps.next().unwrap()?;
    /// assert_eq!(name, "a");
    /// # Ok::<(), Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<(String, StreamingResult<'_>), Error>> {
        let step = drive(self.progress.next(self.app))?;
        Some(step.map(|(name, core)| (name, StreamingResult { core })))
    }
}

impl Drop for StreamIterate<'_> {
    fn drop(&mut self) {
        // Failures of the pending step were reported to its hooks; nothing is left to tell.
        let _ = drive(self.progress.finish_pending(self.app));
        drive(self.progress.end(self.app, None));
    }
}

/// The steps of [`Application::stream_iterate_async`]: call
/// [`AsyncStreamIterate::next`] in a `while let` loop.
pub struct AsyncStreamIterate<'a> {
    app: &'a mut Application,
    progress: Progress,
}

impl std::fmt::Debug for AsyncStreamIterate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncStreamIterate")
            .field("done", &self.progress.done)
            .finish_non_exhaustive()
    }
}

impl AsyncStreamIterate<'_> {
    /// Runs the next step: its action's name and container, an error, or `None` when the
    /// iteration ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let mut steps = app.stream_iterate_async(halt_after(["a"]), inputs! { x: 1 }).await;
    /// assert!(steps.next().await.is_some());
    /// # Ok::<(), Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn next(&mut self) -> Option<Result<(String, AsyncStreamingResult<'_>), Error>> {
        let step = self.progress.next(self.app).await?;
        Some(step.map(|(name, core)| (name, AsyncStreamingResult::new(core))))
    }
}
