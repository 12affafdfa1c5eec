//! [`FnAction`]: a closure as an action, for tests and small applications.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::{Action, ActionKind, Call};
use crate::context::ActionContext;
use crate::error::ActionError;
use crate::state::State;
use crate::step::{InputSpec, Inputs, IntoStepOutput, StepOutput};

type SyncBody =
    dyn Fn(State, &Inputs, &ActionContext) -> Result<StepOutput, ActionError> + Send + Sync;
type AsyncBody = dyn Fn(State, Inputs, ActionContext) -> BoxFuture<'static, Result<StepOutput, ActionError>>
    + Send
    + Sync;

#[derive(Clone)]
enum Body {
    Sync(Arc<SyncBody>),
    Async(Arc<AsyncBody>),
}

/// A closure as an action: declared reads and writes, a body, and optionally inputs and tags.
///
/// The body gets the state it may see (its reads), the runtime inputs and the context, and
/// returns what an `#[action]` function may return: a `State`, a `(result, State)` pair, a
/// [`StepOutput`], or a `Result` of one of them (see [`IntoStepOutput`]). The declarations are
/// enforced as for any action.
///
/// # Examples
///
/// ```
/// use burr_core::{ApplicationBuilder, FnAction, halt_after, state};
///
/// let count = FnAction::new(["n"], ["n"], |state, _, _| {
///     let n: i64 = state.get("n")?;
///     Ok::<_, burr_core::ActionError>(state.update("n", n + 1))
/// });
/// let mut app = ApplicationBuilder::new()
///     .with_action("count", count)
///     .with_state(state! { n: 41 })
///     .with_entrypoint("count")
///     .build()?;
/// let out = app.run(halt_after(["count"]), ())?;
/// assert_eq!(out.state.get::<i64>("n")?, 42);
/// # Ok::<(), burr_core::Error>(())
/// ```
#[derive(Clone)]
pub struct FnAction {
    reads: Vec<String>,
    writes: Vec<String>,
    inputs: Vec<InputSpec>,
    tags: Vec<String>,
    body: Body,
}

impl std::fmt::Debug for FnAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnAction")
            .field("reads", &self.reads)
            .field("writes", &self.writes)
            .field("inputs", &self.inputs)
            .field("async", &matches!(self.body, Body::Async(_)))
            .finish_non_exhaustive()
    }
}

fn names<S: Into<String>>(keys: impl IntoIterator<Item = S>) -> Vec<String> {
    keys.into_iter().map(Into::into).collect()
}

impl FnAction {
    /// A sync action from a closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{Action, FnAction};
    /// let a = FnAction::new(["q"], ["a"], |s, _, _| s.update("a", "42"));
    /// assert_eq!((a.reads(), a.writes()), (vec!["q".to_string()], vec!["a".to_string()]));
    /// ```
    pub fn new<R, W, Out, F>(
        reads: impl IntoIterator<Item = R>,
        writes: impl IntoIterator<Item = W>,
        body: F,
    ) -> Self
    where
        R: Into<String>,
        W: Into<String>,
        Out: IntoStepOutput,
        F: Fn(State, &Inputs, &ActionContext) -> Out + Send + Sync + 'static,
    {
        FnAction {
            reads: names(reads),
            writes: names(writes),
            inputs: Vec::new(),
            tags: Vec::new(),
            body: Body::Sync(Arc::new(move |state, inputs, ctx| {
                body(state, inputs, ctx).into_step_output(ctx.action_name())
            })),
        }
    }

    /// An async action from a closure returning a future; the future owns its inputs and a
    /// clone of the context.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{Action, FnAction};
    /// let a = FnAction::new_async(["q"], ["a"], |s, _, _| async move { s.update("a", "42") });
    /// assert!(a.kind().is_async());
    /// ```
    pub fn new_async<R, W, Out, Fut, F>(
        reads: impl IntoIterator<Item = R>,
        writes: impl IntoIterator<Item = W>,
        body: F,
    ) -> Self
    where
        R: Into<String>,
        W: Into<String>,
        Out: IntoStepOutput,
        Fut: Future<Output = Out> + Send + 'static,
        F: Fn(State, Inputs, ActionContext) -> Fut + Send + Sync + 'static,
    {
        FnAction {
            reads: names(reads),
            writes: names(writes),
            inputs: Vec::new(),
            tags: Vec::new(),
            body: Body::Async(Arc::new(move |state, inputs, ctx| {
                let name = ctx.action_name().to_string();
                let fut = body(state, inputs, ctx);
                Box::pin(async move { fut.await.into_step_output(&name) })
            })),
        }
    }

    /// Declares its runtime inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{Action, FnAction, InputSpec};
    /// let a = FnAction::new(None::<&str>, ["a"], |s, i, _| s.update("a", i.value("q").cloned().unwrap_or_default()))
    ///     .with_inputs([InputSpec::required("q")]);
    /// assert_eq!(a.inputs()[0].name, "q");
    /// ```
    #[must_use]
    pub fn with_inputs(mut self, inputs: impl IntoIterator<Item = InputSpec>) -> Self {
        self.inputs = inputs.into_iter().collect();
        self
    }

    /// Gives it tags (for `@tag:` halt names).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{Action, FnAction};
    /// let a = FnAction::new(["n"], ["n"], |s, _, _| s).with_tags(["io"]);
    /// assert_eq!(a.tags(), vec!["io"]);
    /// ```
    #[must_use]
    pub fn with_tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags = names(tags);
        self
    }
}

impl Action for FnAction {
    fn reads(&self) -> Vec<String> {
        self.reads.clone()
    }
    fn writes(&self) -> Vec<String> {
        self.writes.clone()
    }
    fn inputs(&self) -> Vec<InputSpec> {
        self.inputs.clone()
    }
    fn tags(&self) -> Vec<String> {
        self.tags.clone()
    }
    fn kind(&self) -> ActionKind {
        match self.body {
            Body::Sync(_) => ActionKind::Sync,
            Body::Async(_) => ActionKind::Async,
        }
    }
    fn call<'a>(&'a self, state: State, inputs: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        match &self.body {
            Body::Sync(f) => Call::Ready(f(state, inputs, ctx)),
            Body::Async(f) => Call::Future(f(state, inputs.clone(), ctx.clone())),
        }
    }
}
