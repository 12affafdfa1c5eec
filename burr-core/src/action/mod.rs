//! Actions: the units of work of an application.
//!
//! An [`Action`] declares the state keys it reads and writes and the runtime inputs it takes,
//! then is called with the state it may see: [`Action::call`] answers with a [`Call`] that says
//! how the output comes, ready at once (a sync action), as a future (an async action) or as a
//! stream of items ending with the output (a streaming action). [`Action::kind`] announces
//! which, so that the application can refuse an async action in a sync call before running it.
//!
//! Most actions are plain functions turned into actions by the `#[action]` attribute; closures
//! become actions with [`FnAction`]; the trait is for hand-written ones and for the generated
//! code.
//!
//! # What an action may read, write and delete
//!
//! Whatever the form, the runtime enforces the declarations, and the step fails (nothing of
//! what the action returned is kept) when they are broken:
//!
//! - the action sees only its declared `reads`, plus what it writes;
//! - writing an undeclared key is [`Error::UndeclaredWrite`](crate::Error::UndeclaredWrite),
//!   and leaving a declared write unwritten is
//!   [`Error::MissingWrite`](crate::Error::MissingWrite);
//! - deleting a key ([`State::wipe_delete`], [`State::wipe_keep`]) is writing it: the key must
//!   be declared in `writes` (else [`Error::UndeclaredDelete`](crate::Error::UndeclaredDelete)),
//!   and deleting a declared write counts as writing it (Apache Burr reports it missing);
//! - [`State::wipe_keep`] deletes the keys the action can see (its reads and what it wrote)
//!   except the kept ones, and leaves the keys it cannot see alone; keeping a key is not
//!   writing it;
//! - keys starting with `__` belong to the runtime: an action declares none in `writes`, and
//!   only `__SEQUENCE_ID` and `__PRIOR_STEP` in `reads`
//!   ([`BuildProblem::ReservedKey`](crate::BuildProblem::ReservedKey) otherwise, a compile
//!   error with `#[action]`); whatever the action does to the runtime's fields, the step's
//!   sequence id and the action's name are what the new state holds.

mod builtin;
mod fn_action;
pub mod stream;

use std::sync::Arc;

use futures_util::future::BoxFuture;

pub use crate::step::{InputSpec, Inputs, IntoStepOutput, ResultMap, StepOutput};
pub use builtin::{Bound, Input, Placeholder, ResultAction};
pub use fn_action::FnAction;

use crate::context::ActionContext;
use crate::error::ActionError;
use crate::state::State;
use stream::ActionStream;

/// How an action delivers its output: what [`Action::call`] returns.
///
/// The kind of call an action makes is fixed and announced by [`Action::kind`]; a streaming
/// action may still answer [`Call::Ready`] (for example with an error found before it
/// started).
pub enum Call<'a> {
    /// The output, computed during the call (sync actions).
    Ready(Result<StepOutput, ActionError>),
    /// A future of the output (async actions).
    Future(BoxFuture<'a, Result<StepOutput, ActionError>>),
    /// Intermediate items, then the output (streaming actions).
    Stream(ActionStream),
}

impl std::fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Call::Ready(r) => f.debug_tuple("Ready").field(&r.as_ref().err()).finish(),
            Call::Future(_) => f.write_str("Future"),
            Call::Stream(s) => f.debug_tuple("Stream").field(s).finish(),
        }
    }
}

impl<'a> Call<'a> {
    /// A ready call from anything an action may return (see [`IntoStepOutput`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::action::Call;
    /// let call = Call::ready("act", burr_core::State::new().update("n", 1));
    /// assert!(matches!(call, Call::Ready(Ok(_))));
    /// ```
    pub fn ready(action: &str, output: impl IntoStepOutput) -> Call<'a> {
        Call::Ready(output.into_step_output(action))
    }
}

/// What kind of call an action makes: fixed for the action, known before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ActionKind {
    /// Answers [`Call::Ready`]: runs in `step` and `step_async` alike.
    #[default]
    Sync,
    /// Answers [`Call::Future`]: runs only in the async methods (`step_async`, `run_async`...).
    Async,
    /// Answers [`Call::Stream`] with a sync [`ActionStream`].
    Stream,
    /// Answers [`Call::Stream`] with an async [`ActionStream`] (async methods only).
    AsyncStream,
}

impl ActionKind {
    /// Whether only the async methods can run it.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::action::ActionKind;
    /// assert!(ActionKind::AsyncStream.is_async());
    /// assert!(!ActionKind::Stream.is_async());
    /// ```
    pub fn is_async(self) -> bool {
        matches!(self, ActionKind::Async | ActionKind::AsyncStream)
    }

    /// Whether it streams intermediate items.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::action::ActionKind;
    /// assert!(ActionKind::Stream.is_streaming());
    /// assert!(!ActionKind::Async.is_streaming());
    /// ```
    pub fn is_streaming(self) -> bool {
        matches!(self, ActionKind::Stream | ActionKind::AsyncStream)
    }

    /// The kind for these two properties.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::action::ActionKind;
    /// assert_eq!(ActionKind::new(true, false), ActionKind::Async);
    /// ```
    pub fn new(is_async: bool, is_streaming: bool) -> Self {
        match (is_async, is_streaming) {
            (false, false) => ActionKind::Sync,
            (true, false) => ActionKind::Async,
            (false, true) => ActionKind::Stream,
            (true, true) => ActionKind::AsyncStream,
        }
    }
}

/// An action: declared reads, writes and inputs, and a body.
///
/// Implement [`Action::call`], and [`Action::kind`] when the action is not a plain sync one.
/// The state passed in shows only the declared reads.
///
/// # Examples
///
/// ```
/// use burr_core::action::Call;
/// use burr_core::{Action, ActionContext, Inputs, State};
///
/// struct Double;
/// impl Action for Double {
///     fn reads(&self) -> Vec<String> { vec!["n".into()] }
///     fn writes(&self) -> Vec<String> { vec!["n".into()] }
///     fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
///         let doubled = state.get::<i64>("n").map(|n| state.update("n", n * 2));
///         Call::ready(ctx.action_name(), doubled)
///     }
/// }
/// # let _ = Double;
/// ```
pub trait Action: Send + Sync + 'static {
    /// The state keys the action reads.
    fn reads(&self) -> Vec<String>;

    /// The state keys the action writes.
    fn writes(&self) -> Vec<String>;

    /// The runtime inputs it takes.
    fn inputs(&self) -> Vec<InputSpec> {
        Vec::new()
    }

    /// Its tags (used by `@tag:` halt names).
    fn tags(&self) -> Vec<String> {
        Vec::new()
    }

    /// Its source code, shown in tracking.
    fn source(&self) -> Option<String> {
        None
    }

    /// The name it gets when none is given.
    fn default_name(&self) -> Option<String> {
        None
    }

    /// What kind of [`Call`] [`Action::call`] returns.
    fn kind(&self) -> ActionKind {
        ActionKind::Sync
    }

    /// Runs the action on the state it may see; see [`Call`] for the three ways to answer.
    /// A stream owns what it needs (clone the inputs, the context or parts of `self` into
    /// it).
    fn call<'a>(&'a self, state: State, inputs: &'a Inputs, ctx: &'a ActionContext) -> Call<'a>;
}

/// Converts a value into a shared action: any [`Action`], or an `Arc<dyn Action>`.
pub trait IntoAction {
    /// The shared action.
    fn into_action(self) -> Arc<dyn Action>;
}

impl<T: Action> IntoAction for T {
    fn into_action(self) -> Arc<dyn Action> {
        Arc::new(self)
    }
}

impl IntoAction for Arc<dyn Action> {
    fn into_action(self) -> Arc<dyn Action> {
        self
    }
}

/// Builds a list of named actions for
/// [`ApplicationBuilder::with_actions`](crate::ApplicationBuilder::with_actions): bare names
/// of `#[action]` functions (named after the function), or `"name" => action` pairs.
///
/// # Examples
///
/// ```
/// use burr_core::{actions, Input, ResultAction};
/// let list = actions!["ask" => Input::new(["q"]), "answer" => ResultAction::new(["q"])];
/// assert_eq!(list.len(), 2);
/// assert_eq!(list[0].0, "ask");
/// ```
#[macro_export]
macro_rules! actions {
    (@acc [$($out:expr,)*]) => { ::std::vec![$($out,)*] };
    (@acc [$($out:expr,)*] $name:literal => $action:expr $(, $($rest:tt)*)?) => {
        $crate::actions!(@acc [$($out,)* (::std::string::String::from($name), $crate::IntoAction::into_action($action)),] $($($rest)*)?)
    };
    (@acc [$($out:expr,)*] $name:ident $(, $($rest:tt)*)?) => {
        $crate::actions!(@acc [$($out,)* (::std::string::String::from(::core::stringify!($name)), $crate::IntoAction::into_action($name {})),] $($($rest)*)?)
    };
    ($($body:tt)*) => {{
        let list: ::std::vec::Vec<(::std::string::String, ::std::sync::Arc<dyn $crate::Action>)> =
            $crate::actions!(@acc [] $($body)*);
        list
    }};
}
