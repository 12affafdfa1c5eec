//! Streaming actions: what a streaming action produces, and the emitters that let a plain
//! function push intermediate items.
//!
//! A streaming action announces [`ActionKind::Stream`](crate::action::ActionKind) (or `AsyncStream`)
//! and answers [`Call::Stream`](crate::action::Call) from [`Action::call`](crate::Action::call) with an
//! [`ActionStream`]: a sequence of [`StreamEvent::Item`]s (tokens, partial results) ended by
//! one [`StreamEvent::Done`] carrying the final result and the new state. The state advances
//! only when `Done` arrives; a stream that ends without it is an error
//! ([`Error::Stream`](crate::Error::Stream)).
//!
//! Three ways to build an [`ActionStream`]:
//!
//! - [`ActionStream::from_iter`]: any iterator of events (sync actions);
//! - [`ActionStream::from_stream`]: any `Stream` of events (async actions);
//! - [`ActionStream::from_fn`] / [`ActionStream::from_async_fn`]: a function that pushes items
//!   through an [`Emitter`] / [`AsyncEmitter`] and returns the final output. This is what
//!   `#[streaming_action]` generates.
//!
//! # Laziness and cancellation
//!
//! [`ActionStream::from_fn`] runs the function on its own thread, started when the first
//! event is asked for, and hands items over a rendezvous channel: the function runs only as
//! fast as the consumer reads, one item ahead at most. When the consumer drops the stream,
//! the next [`Emitter::item`] returns [`EmitError::Closed`], and the function should return
//! (with `?` that is automatic). [`ActionStream::from_async_fn`] polls the function's future
//! only while the consumer polls the stream, with the same one-item hand-over; dropping the
//! stream drops the future.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde_json::Value;

use crate::context::{ActionContext, Scoped, scoped};
use crate::error::ActionError;
use crate::step::{ResultMap, StepOutput};

/// One event of a streaming action: an intermediate item, or the final result and state.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// An intermediate item (a token, a partial result...).
    Item(ResultMap),
    /// The final result and the new state; the last event of a stream.
    Done(StepOutput),
}

type EventIter = Box<dyn Iterator<Item = Result<StreamEvent, ActionError>> + Send>;
type EventStream = Pin<Box<dyn Stream<Item = Result<StreamEvent, ActionError>> + Send>>;

/// The events of a running streaming action: an iterator (sync actions) or a stream (async).
///
/// # Examples
///
/// ```
/// use burr_core::stream::{ActionStream, StreamEvent};
/// use burr_core::{ResultMap, State, StepOutput};
///
/// let events = vec![
///     Ok(StreamEvent::Item(ResultMap::new())),
///     Ok(StreamEvent::Done(StepOutput::state(State::new()))),
/// ];
/// let stream = ActionStream::from_iter(events);
/// assert!(matches!(stream, ActionStream::Sync(_)));
/// ```
pub enum ActionStream {
    /// Events produced by a sync action.
    Sync(EventIter),
    /// Events produced by an async action.
    Async(EventStream),
}

impl std::fmt::Debug for ActionStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ActionStream::Sync(_) => "ActionStream::Sync",
            ActionStream::Async(_) => "ActionStream::Async",
        })
    }
}

impl ActionStream {
    /// Events from an iterator (a sync streaming action).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::stream::{ActionStream, StreamEvent};
    /// use burr_core::{State, StepOutput};
    /// let s = ActionStream::from_iter([Ok(StreamEvent::Done(StepOutput::state(State::new())))]);
    /// # let _ = s;
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn from_iter<I>(events: I) -> Self
    where
        I: IntoIterator<Item = Result<StreamEvent, ActionError>>,
        I::IntoIter: Send + 'static,
    {
        ActionStream::Sync(Box::new(events.into_iter()))
    }

    /// Events from a `Stream` (an async streaming action).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::stream::{ActionStream, StreamEvent};
    /// use burr_core::{State, StepOutput};
    /// let events = futures_util::stream::iter([Ok(StreamEvent::Done(StepOutput::state(State::new())))]);
    /// assert!(matches!(ActionStream::from_stream(events), ActionStream::Async(_)));
    /// ```
    pub fn from_stream<S>(events: S) -> Self
    where
        S: Stream<Item = Result<StreamEvent, ActionError>> + Send + 'static,
    {
        ActionStream::Async(Box::pin(events))
    }

    /// Runs `body` lazily on its own thread: it pushes items through the [`Emitter`] and
    /// returns the final output. The thread starts when the first event is asked for; each
    /// item waits until the consumer takes it; dropping the stream makes the next
    /// [`Emitter::item`] fail with [`EmitError::Closed`]. A panic in `body` ends the stream
    /// with an error carrying the panic message. The step's tracer is current on the thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::stream::{ActionStream, StreamEvent};
    /// use burr_core::{ActionContext, State, StepOutput};
    /// use serde_json::json;
    ///
    /// let ctx = ActionContext::detached("app", "speak", 0);
    /// let ActionStream::Sync(events) = ActionStream::from_fn(&ctx, |emit| {
    ///     for t in ["a", "b"] {
    ///         emit.item(json!({"token": t}))?;
    ///     }
    ///     Ok(StepOutput::state(State::new().update("said", "ab")))
    /// }) else { unreachable!() };
    /// let events: Vec<_> = events.map(Result::unwrap).collect();
    /// assert_eq!(events.len(), 3);
    /// assert!(matches!(events[2], StreamEvent::Done(_)));
    /// ```
    pub fn from_fn<F>(ctx: &ActionContext, body: F) -> Self
    where
        F: FnOnce(&Emitter) -> Result<StepOutput, ActionError> + Send + 'static,
    {
        ActionStream::Sync(Box::new(ThreadEvents {
            start: Some((ctx.clone(), Box::new(body))),
            rx: None,
            handle: None,
            done: false,
        }))
    }

    /// Runs the future `body` returns, polled only while the consumer polls the stream: it
    /// pushes items through the [`AsyncEmitter`] (`emit.item(..).await?`) and resolves to the
    /// final output. Dropping the stream drops the future. The step's tracer is current
    /// during each poll.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::stream::{ActionStream, StreamEvent};
    /// use burr_core::{ActionContext, State, StepOutput};
    /// use futures_util::StreamExt;
    /// use serde_json::json;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let ctx = ActionContext::detached("app", "speak", 0);
    /// let ActionStream::Async(events) = ActionStream::from_async_fn(&ctx, |emit| async move {
    ///     emit.item(json!({"token": "a"})).await?;
    ///     Ok(StepOutput::state(State::new()))
    /// }) else { unreachable!() };
    /// let events: Vec<_> = events.collect().await;
    /// assert_eq!(events.len(), 2);
    /// # });
    /// ```
    pub fn from_async_fn<F, Fut>(ctx: &ActionContext, body: F) -> Self
    where
        F: FnOnce(AsyncEmitter) -> Fut,
        Fut: Future<Output = Result<StepOutput, ActionError>> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let fut = Scoped::new(&ctx.tracer, body(AsyncEmitter { tx }));
        ActionStream::Async(Box::pin(FutureEvents {
            fut: Some(Box::pin(fut)),
            rx,
            rx_open: true,
            out: None,
        }))
    }
}

/// Why an item could not be emitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The consumer dropped the stream: stop producing.
    #[error("the consumer of the stream went away; stop producing items")]
    Closed,
    /// Stream items are JSON objects (like results).
    #[error("a stream item must be a JSON object, found a {0}")]
    NotAnObject(&'static str),
}

fn to_item(value: Value) -> Result<ResultMap, EmitError> {
    match value {
        Value::Object(m) => Ok(m),
        other => Err(EmitError::NotAnObject(crate::state::json_type_name(&other))),
    }
}

enum Msg {
    Item(ResultMap),
    Done(Result<StepOutput, ActionError>),
}

/// Pushes intermediate items out of a sync streaming function (see
/// [`ActionStream::from_fn`]).
///
/// # Examples
///
/// ```
/// use burr_core::stream::ActionStream;
/// use burr_core::{ActionContext, State, StepOutput};
/// let ctx = ActionContext::detached("app", "a", 0);
/// let _ = ActionStream::from_fn(&ctx, |emit| {
///     emit.item(serde_json::json!({"n": 1}))?;
///     Ok(StepOutput::state(State::new()))
/// });
/// ```
#[derive(Debug)]
pub struct Emitter {
    tx: mpsc::SyncSender<Msg>,
}

impl Emitter {
    /// Hands `item` (a JSON object) to the consumer, waiting until it takes it. Fails with
    /// [`EmitError::Closed`] once the consumer dropped the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::stream::{ActionStream, EmitError};
    /// # use burr_core::{ActionContext, State, StepOutput};
    /// # let ctx = ActionContext::detached("app", "a", 0);
    /// let _ = ActionStream::from_fn(&ctx, |emit| {
    ///     assert!(matches!(emit.item(serde_json::json!(3)), Err(EmitError::NotAnObject("number"))));
    ///     Ok(StepOutput::state(State::new()))
    /// });
    /// ```
    pub fn item(&self, item: impl Into<Value>) -> Result<(), EmitError> {
        let item = to_item(item.into())?;
        self.tx.send(Msg::Item(item)).map_err(|_| EmitError::Closed)
    }
}

/// Pushes intermediate items out of an async streaming function (see
/// [`ActionStream::from_async_fn`]). Cheap to clone.
///
/// # Examples
///
/// ```
/// use burr_core::stream::ActionStream;
/// use burr_core::{ActionContext, State, StepOutput};
/// let ctx = ActionContext::detached("app", "a", 0);
/// let _ = ActionStream::from_async_fn(&ctx, |emit| async move {
///     emit.item(serde_json::json!({"n": 1})).await?;
///     Ok(StepOutput::state(State::new()))
/// });
/// ```
#[derive(Debug, Clone)]
pub struct AsyncEmitter {
    tx: tokio::sync::mpsc::Sender<ResultMap>,
}

impl AsyncEmitter {
    /// Hands `item` (a JSON object) to the consumer, waiting while the previous item has not
    /// been taken. Fails with [`EmitError::Closed`] once the consumer dropped the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::stream::ActionStream;
    /// # use burr_core::{ActionContext, State, StepOutput};
    /// # let ctx = ActionContext::detached("app", "a", 0);
    /// let _ = ActionStream::from_async_fn(&ctx, |emit| async move {
    ///     emit.item(serde_json::json!({"token": "hi"})).await?;
    ///     Ok(StepOutput::state(State::new()))
    /// });
    /// ```
    pub async fn item(&self, item: impl Into<Value>) -> Result<(), EmitError> {
        let item = to_item(item.into())?;
        self.tx.send(item).await.map_err(|_| EmitError::Closed)
    }
}

type Body = Box<dyn FnOnce(&Emitter) -> Result<StepOutput, ActionError> + Send>;

/// The iterator behind [`ActionStream::from_fn`].
struct ThreadEvents {
    start: Option<(ActionContext, Body)>,
    rx: Option<mpsc::Receiver<Msg>>,
    handle: Option<std::thread::JoinHandle<()>>,
    done: bool,
}

impl ThreadEvents {
    fn spawn(&mut self) -> Result<(), ActionError> {
        let Some((ctx, body)) = self.start.take() else {
            return Ok(());
        };
        let (tx, rx) = mpsc::sync_channel(0);
        let name = format!("burr-stream-{}", ctx.action_name());
        let handle = std::thread::Builder::new().name(name).spawn(move || {
            let emitter = Emitter { tx };
            let out = scoped(&ctx.tracer, || body(&emitter));
            // The step's spans end with the body, before the consumer hears that it is done.
            drop(ctx);
            // The consumer may be gone: nothing to do then.
            let _ = emitter.tx.send(Msg::Done(out));
        })?;
        self.rx = Some(rx);
        self.handle = Some(handle);
        Ok(())
    }

    fn panic_message(&mut self) -> ActionError {
        let payload = match self.handle.take().map(std::thread::JoinHandle::join) {
            Some(Err(payload)) => payload,
            _ => return ActionError::msg("the streaming function ended without a final output"),
        };
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-string panic payload".into());
        ActionError::msg(format!("the streaming function panicked: {text}"))
    }
}

impl Iterator for ThreadEvents {
    type Item = Result<StreamEvent, ActionError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Err(e) = self.spawn() {
            self.done = true;
            return Some(Err(e));
        }
        let msg = self.rx.as_ref().map(mpsc::Receiver::recv);
        match msg {
            Some(Ok(Msg::Item(item))) => Some(Ok(StreamEvent::Item(item))),
            Some(Ok(Msg::Done(out))) => {
                self.done = true;
                Some(out.map(StreamEvent::Done))
            }
            Some(Err(_)) | None => {
                self.done = true;
                Some(Err(self.panic_message()))
            }
        }
    }
}

type BoxedOutput = Pin<Box<dyn Future<Output = Result<StepOutput, ActionError>> + Send>>;

/// The stream behind [`ActionStream::from_async_fn`].
struct FutureEvents {
    fut: Option<BoxedOutput>,
    rx: tokio::sync::mpsc::Receiver<ResultMap>,
    rx_open: bool,
    out: Option<Result<StepOutput, ActionError>>,
}

impl Stream for FutureEvents {
    type Item = Result<StreamEvent, ActionError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.rx_open {
                match this.rx.poll_recv(cx) {
                    Poll::Ready(Some(item)) => {
                        return Poll::Ready(Some(Ok(StreamEvent::Item(item))));
                    }
                    Poll::Ready(None) => this.rx_open = false,
                    Poll::Pending => {}
                }
            }
            match this.fut.as_mut() {
                Some(fut) => match fut.as_mut().poll(cx) {
                    Poll::Ready(out) => {
                        this.fut = None;
                        this.out = Some(out);
                        // No more items: a clone of the emitter kept elsewhere cannot send.
                        this.rx.close();
                        // Loop: items sent just before the end are still in the channel.
                    }
                    Poll::Pending => return Poll::Pending,
                },
                None => {
                    if this.rx_open {
                        // The channel is closed: it yields what is left, then `None`.
                        continue;
                    }
                    return Poll::Ready(this.out.take().map(|o| o.map(StreamEvent::Done)));
                }
            }
        }
    }
}
