//! `stream_result` and `stream_result_async`, and the containers they return.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::future::BoxFuture;

use super::{Core, StreamOutcome};
use crate::application::engine::{Mode, drive};
use crate::application::{Application, Halt};
use crate::error::Error;
use crate::hooks::ExecuteMethod;
use crate::step::{Inputs, ResultMap};

impl Application {
    /// Runs the application up to the action to stream (the first of `halt.after` reached;
    /// a `halt.before` action stops the run first) and starts it. Returns the action's name
    /// and a [`StreamingResult`] to iterate for its items and then `finish` for its result
    /// and state. See the [`stream`](crate::stream) module docs for the edge cases.
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
    /// # Ok::<(), Error>(())
    /// ```
    pub fn stream_result(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<(String, StreamingResult<'_>), Error> {
        self.check_sync()?;
        let inputs = inputs.into();
        let (name, core) =
            drive(self.open_stream(&halt, &inputs, ExecuteMethod::StreamResult, Mode::Sync))?;
        Ok((name, StreamingResult { core }))
    }

    /// The async [`Application::stream_result`]: runs async and sync actions, streams async
    /// and sync streaming actions, and awaits the async hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build()?;
    /// let (action, stream) = app.stream_result_async(halt_after(["a"]), inputs! { x: 2 }).await?;
    /// assert_eq!(action, "a");
    /// assert_eq!(stream.finish().await?.1.get::<i32>("x")?, 2);
    /// # Ok::<(), Error>(())
    /// # }).unwrap();
    /// ```
    #[doc(alias = "astream_result")]
    pub async fn stream_result_async(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<(String, AsyncStreamingResult<'_>), Error> {
        let inputs = inputs.into();
        let (name, core) = self
            .open_stream(&halt, &inputs, ExecuteMethod::AStreamResult, Mode::Async)
            .await?;
        Ok((name, AsyncStreamingResult::new(core)))
    }
}

/// The container [`Application::stream_result`] returns: an `Iterator` over the action's
/// intermediate items, then [`StreamingResult::finish`] for the final result and state.
///
/// Iteration stops early when the action fails; `finish` then returns the error. Dropping
/// the container before the end abandons the step (see the [`stream`](crate::stream) docs).
///
/// # Examples
///
/// ```
/// # use burr_core::*;
/// use burr_core::action::{ActionKind, Call};
/// use burr_core::stream::ActionStream;
/// struct Count;
/// impl Action for Count {
///     fn reads(&self) -> Vec<String> { vec![] }
///     fn writes(&self) -> Vec<String> { vec!["n".into()] }
///     fn kind(&self) -> ActionKind { ActionKind::Stream }
///     fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
///         Call::Stream(ActionStream::from_fn(ctx, move |emit| {
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
/// # Ok::<(), Error>(())
/// ```
pub struct StreamingResult<'a> {
    pub(super) core: Core<'a>,
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
    /// # Ok::<(), Error>(())
    /// ```
    pub fn finish(mut self) -> Result<StreamOutcome, Error> {
        drive(self.core.finish())
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
    /// # Ok::<(), Error>(())
    /// ```
    pub fn items_streamed(&self) -> usize {
        self.core.running.as_ref().map_or(0, |r| r.items)
    }
}

impl Iterator for StreamingResult<'_> {
    type Item = ResultMap;

    fn next(&mut self) -> Option<ResultMap> {
        drive(self.core.next())
    }
}

type Pending<'a> = BoxFuture<'a, (Box<Core<'a>>, Option<ResultMap>)>;

/// Where an async container's core is: idle between items, or inside the future of the
/// next item.
enum Slot<'a> {
    Idle(Box<Core<'a>>),
    Busy(Pending<'a>),
    Gone,
}

/// The container [`Application::stream_result_async`] returns: a `Stream` of the action's
/// intermediate items, then [`AsyncStreamingResult::finish`] for the final result and state.
///
/// # Examples
///
/// ```
/// # use burr_core::*;
/// use burr_core::action::{ActionKind, Call};
/// use burr_core::stream::ActionStream;
/// use futures_util::StreamExt;
/// struct Speak;
/// impl Action for Speak {
///     fn reads(&self) -> Vec<String> { vec![] }
///     fn writes(&self) -> Vec<String> { vec!["said".into()] }
///     fn kind(&self) -> ActionKind { ActionKind::AsyncStream }
///     fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
///         Call::Stream(ActionStream::from_async_fn(ctx, |emit| async move {
///             for t in ["hel", "lo"] { emit.item(serde_json::json!({"token": t})).await?; }
///             Ok(StepOutput::state(state.update("said", "hello")))
///         }))
///     }
/// }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let mut app = ApplicationBuilder::new().with_action("speak", Speak).with_entrypoint("speak").build()?;
/// let (_, mut stream) = app.stream_result_async(halt_after(["speak"]), ()).await?;
/// let mut text = String::new();
/// while let Some(item) = stream.next().await {
///     text.push_str(item["token"].as_str().unwrap());
/// }
/// let (_, state) = stream.finish().await?;
/// assert_eq!(text, state.get::<String>("said")?);
/// # Ok::<(), Error>(())
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
    pub(super) fn new(core: Core<'a>) -> Self {
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
    /// let (_, stream) = app.stream_result_async(halt_after(["a"]), inputs! { x: 3 }).await?;
    /// assert_eq!(stream.finish().await?.1.get::<i32>("x")?, 3);
    /// # Ok::<(), Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn finish(mut self) -> Result<StreamOutcome, Error> {
        let Some(mut core) = self.core().await else {
            return Err(Error::Other(
                "the stream's outcome was already taken".into(),
            ));
        };
        core.finish().await
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
                        let item = core.next().await;
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
