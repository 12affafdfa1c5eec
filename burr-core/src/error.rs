//! Error types of the engine.
//!
//! [`Error`] is what the application's methods return. Every variant names the culprit
//! (the action, the key, the input, the condition) so that a message alone is enough to find
//! the mistake. [`ActionError`] is what an action's body returns: any error converts into it
//! with `?`, and the runtime turns it into a [`Error`] naming the action.

use std::error::Error as StdError;
use std::fmt;

/// A boxed error as produced by user code.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Errors of [`State`](crate::State) operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The key is not in the state.
    #[error(
        "key `{key}` not found in state; keys state knows about are: {known:?}; make sure an earlier action wrote it and that the action reading it declares it in `reads`"
    )]
    MissingKey {
        /// The key that was asked for.
        key: String,
        /// The user keys the state has.
        known: Vec<String>,
    },
    /// An action read a key it did not declare.
    #[error(
        "action `{action}` read `{key}`, which it did not declare; its declared reads are {reads:?}"
    )]
    UndeclaredRead {
        /// The action.
        action: String,
        /// The key it tried to read.
        key: String,
        /// Its declared reads.
        reads: Vec<String>,
    },
    /// The value has another type than asked for.
    #[error("state key `{key}` holds a {found}, which is not a valid `{expected}`: {message}")]
    WrongType {
        /// The key.
        key: String,
        /// The Rust type asked for.
        expected: String,
        /// The JSON type found.
        found: &'static str,
        /// The deserializer's message.
        message: String,
    },
    /// `append`/`extend` on a value that is not a list.
    #[error(
        "cannot append to {what} value: `{key}` holds a {found}; make sure the field is a list"
    )]
    NotAList {
        /// The key.
        key: String,
        /// The JSON type found.
        found: &'static str,
        /// `non-appendable` or `non-extendable`.
        what: &'static str,
    },
    /// `increment` on a value that is not an integer.
    #[error("cannot increment non-integer values: `{key}` holds a {found}")]
    NotAnInteger {
        /// The key.
        key: String,
        /// The JSON type found.
        found: &'static str,
    },
    /// A state must be a JSON object.
    #[error("a state must be a JSON object, found a {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A runtime key (`__SEQUENCE_ID`, `__PRIOR_STEP`) was given a value of another type.
    #[error("state key `{key}` belongs to the runtime and holds {expected}, not a {found}")]
    RuntimeKey {
        /// The runtime key.
        key: String,
        /// What it holds.
        expected: &'static str,
        /// The JSON type of the value given.
        found: &'static str,
    },
    /// A value could not be serialized to JSON.
    #[error("failed to serialize state field `{key}`: {message}")]
    Serialize {
        /// The key.
        key: String,
        /// The serializer's message.
        message: String,
    },
}

/// Errors converting between a typed state (a struct deriving `TypedState`) and the map
/// [`State`](crate::State), or applying a field's update rule. Every variant names the
/// struct and the field.
///
/// # Examples
///
/// ```
/// use burr_core::TypedStateError;
/// let e = TypedStateError::MissingField { state: "Chat", field: "history", key: "history" };
/// assert!(e.to_string().contains("`Chat`") && e.to_string().contains("`history`"));
/// assert_eq!(e.field(), "history");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TypedStateError {
    /// The state has no value for the field (and the field has no default).
    #[error("field `{field}` of `{state}` is missing: the state has no key `{key}`")]
    MissingField {
        /// The struct.
        state: &'static str,
        /// The field.
        field: &'static str,
        /// The state key it is stored under.
        key: &'static str,
    },
    /// The field's value does not deserialize into the field's type.
    #[error(
        "field `{field}` of `{state}` did not deserialize: key `{key}` holds a {found}, which is not a valid `{expected}`: {message}"
    )]
    WrongType {
        /// The struct.
        state: &'static str,
        /// The field.
        field: &'static str,
        /// The state key.
        key: &'static str,
        /// The field's Rust type.
        expected: String,
        /// The JSON type found.
        found: &'static str,
        /// The deserializer's message.
        message: String,
    },
    /// The field's value failed to serialize.
    #[error("field `{field}` of `{state}` failed to serialize: {message}")]
    Serialize {
        /// The struct.
        state: &'static str,
        /// The field.
        field: &'static str,
        /// The serializer's message.
        message: String,
    },
    /// The field's update rule (`append`, `add`, `merge`, `reduce`) could not combine the
    /// value written with the value stored.
    #[error("field `{field}` of `{state}`: the `{rule}` update failed: {message}")]
    Update {
        /// The struct.
        state: &'static str,
        /// The field.
        field: &'static str,
        /// The rule.
        rule: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Another state error while reading or writing the field (inside an action: a key its
    /// view does not show).
    #[error("field `{field}` of `{state}`: {source}")]
    State {
        /// The struct.
        state: &'static str,
        /// The field.
        field: &'static str,
        /// The state's error.
        #[source]
        source: StateError,
    },
}

impl TypedStateError {
    /// The field the error is about.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = burr_core::TypedStateError::Serialize { state: "S", field: "f", message: "x".into() };
    /// assert_eq!(e.field(), "f");
    /// ```
    pub fn field(&self) -> &str {
        match self {
            TypedStateError::MissingField { field, .. }
            | TypedStateError::WrongType { field, .. }
            | TypedStateError::Serialize { field, .. }
            | TypedStateError::Update { field, .. }
            | TypedStateError::State { field, .. } => field,
        }
    }
}

/// An error parsing or evaluating an expression.
///
/// # Examples
///
/// ```
/// use burr_core::expr::Expr;
///
/// let err = Expr::parse("foo(1)").unwrap_err();
/// assert_eq!(err.column, 1);
/// assert!(err.message.contains("`len`"));
///
/// let err = Expr::parse("a < 1").unwrap().eval(&serde_json::json!({"a": "x"})).unwrap_err();
/// assert_eq!(err.column, 3);
/// assert!(err.message.contains("`str` and `int`"));
/// assert_eq!(err.kind, burr_core::expr::ExprErrorKind::Eval);
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid expression {source_text:?} at column {column}: {message}")]
pub struct ExprError {
    /// The expression text.
    pub source_text: String,
    /// 1-based column (in characters) of the offending token or operation; for multi-line
    /// sources it counts from the start of the text.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// Which kind of problem it is.
    pub kind: ExprErrorKind,
}

/// The kind of problem an [`ExprError`] reports.
///
/// # Examples
///
/// ```
/// use burr_core::expr::{Expr, ExprErrorKind, MAX_DEPTH};
///
/// assert_eq!(Expr::parse("a +").unwrap_err().kind, ExprErrorKind::Syntax);
/// let deep = format!("{}1{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
/// assert_eq!(Expr::parse(&deep).unwrap_err().kind, ExprErrorKind::TooDeep);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExprErrorKind {
    /// The text is not an expression of the allowed grammar.
    Syntax,
    /// The expression nests deeper than [`MAX_DEPTH`](crate::expr::MAX_DEPTH) levels; the
    /// error points at the token that passes the limit.
    TooDeep,
    /// Evaluation failed: an unknown name, a type mismatch, an overflow, a division by zero,
    /// a result JSON cannot hold.
    Eval,
    /// Evaluation would build more than
    /// [`MAX_EVAL_BYTES`](crate::expr::MAX_EVAL_BYTES) of values, or the source is longer
    /// than [`MAX_SOURCE_BYTES`](crate::expr::MAX_SOURCE_BYTES); the error points at the
    /// operation that passes the budget, or at the first character past the source limit.
    TooLarge,
}

/// Errors of persisters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersistenceError {
    /// The store's tables or keys were never created.
    #[error("uninitialized persister: {0}; call `initialize()` first")]
    Uninitialized(String),
    /// The same (partition key, app id, sequence id) was saved twice.
    #[error("state for {0} already exists")]
    Duplicate(String),
    /// A stored row is not valid (state that is not a JSON object, unknown status...).
    #[error("corrupt stored state: {0}")]
    Corrupt(String),
    /// The store cannot hold what was given (a value its column type refuses, a number
    /// beyond its range); nothing was saved.
    #[error("the store cannot save this: {0}")]
    Unsupported(String),
    /// The backend failed (connection lost, I/O error...).
    #[error("persister backend error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl PersistenceError {
    /// Wraps any backend error.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = burr_core::PersistenceError::backend(std::io::Error::other("down"));
    /// assert!(e.to_string().contains("down"));
    /// ```
    pub fn backend(e: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        PersistenceError::Backend(e.into())
    }
}

/// What an action body returns on failure: any error converts into it with `?`.
///
/// It deliberately does not implement `std::error::Error` itself (like `anyhow::Error`),
/// so that `From<E>` can cover every error type.
///
/// # Examples
///
/// ```
/// use burr_core::ActionError;
/// fn parse(s: &str) -> Result<i64, ActionError> {
///     Ok(s.parse::<i64>()?)
/// }
/// assert!(parse("x").is_err());
/// let e = ActionError::msg("no reply");
/// assert_eq!(e.to_string(), "no reply");
/// ```
pub struct ActionError(pub(crate) BoxError);

impl ActionError {
    /// An error from a message.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::ActionError::msg("boom").to_string(), "boom");
    /// ```
    pub fn msg(message: impl Into<String>) -> Self {
        ActionError(message.into().into())
    }

    /// The boxed error inside.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = burr_core::ActionError::msg("x");
    /// assert_eq!(e.into_inner().to_string(), "x");
    /// ```
    pub fn into_inner(self) -> BoxError {
        self.0
    }

    /// Turns this into the engine error for `action`: a [`Error`] raised inside the body
    /// (a missing state key, a missing input...) stays what it is; any other error becomes
    /// [`Error::ActionFailed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{ActionError, Error};
    /// let e = ActionError::msg("boom").into_burr("step");
    /// assert!(matches!(e, Error::ActionFailed { ref action, .. } if action == "step"));
    /// ```
    pub fn into_burr(self, action: &str) -> Error {
        match self.0.downcast::<Error>() {
            Ok(e) => *e,
            Err(other) => match other.downcast::<StateError>() {
                Ok(e) => Error::State(*e),
                Err(other) => match other.downcast::<TypedStateError>() {
                    Ok(e) => Error::TypedState(e),
                    Err(source) => Error::ActionFailed {
                        action: action.to_string(),
                        source,
                    },
                },
            },
        }
    }
}

impl<E: Into<BoxError>> From<E> for ActionError {
    fn from(e: E) -> Self {
        ActionError(e.into())
    }
}

impl fmt::Debug for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// One problem found by [`ApplicationBuilder::build`](crate::ApplicationBuilder::build).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildProblem {
    /// No action was added.
    #[error("the application has no actions; add some with `with_actions`")]
    NoActions,
    /// Two actions share a name.
    #[error("action `{0}` is duplicated in the actions list")]
    DuplicateAction(String),
    /// A transition names an action that does not exist.
    #[error("transition {which} `{name}` not found in actions; actions are {known:?}")]
    UnknownTransitionEndpoint {
        /// `source` or `target`.
        which: &'static str,
        /// The unknown name.
        name: String,
        /// The known action names.
        known: Vec<String>,
    },
    /// A retry or timeout setting names an action that does not exist.
    #[error(
        "retry, timeout or error transition set for `{name}`, which is not an action; actions are {known:?}"
    )]
    UnknownPolicyAction {
        /// The unknown name.
        name: String,
        /// The known action names.
        known: Vec<String>,
    },
    /// Two default transitions leave the same action.
    #[error(
        "transition `{from}` -> `{to}` is redundant: a default transition has already been set for `{from}`"
    )]
    RedundantDefault {
        /// Source action.
        from: String,
        /// Target of the redundant transition.
        to: String,
    },
    /// The initial state holds a value that could not be written (see
    /// [`State::write_error`](crate::State::write_error)).
    #[error("the initial state is invalid: {0}")]
    InvalidState(StateError),
    /// No entrypoint was set.
    #[error("no entrypoint: call `with_entrypoint` (or `initialize_from`) before `build`")]
    MissingEntrypoint,
    /// The entrypoint is not an action.
    #[error("entrypoint `{name}` not found in actions; actions are {known:?}")]
    UnknownEntrypoint {
        /// The entrypoint given.
        name: String,
        /// Known action names.
        known: Vec<String>,
    },
    /// An action declares a key that belongs to the runtime: no `__` key in `writes`, and
    /// none but `__SEQUENCE_ID` and `__PRIOR_STEP` in `reads`.
    #[error(
        "action `{action}` declares `{key}` in `{declared}`, but keys starting with `__` belong to the runtime{}",
        if *declared == "reads" { " (an action may read `__SEQUENCE_ID` and `__PRIOR_STEP` only)" } else { "" }
    )]
    ReservedKey {
        /// The action.
        action: String,
        /// The reserved key.
        key: String,
        /// `reads` or `writes`.
        declared: &'static str,
    },
    /// A condition reads a key that is reserved or impossible.
    #[error("condition `{condition}` on `{from}` -> `{to}` is invalid: {message}")]
    InvalidCondition {
        /// The condition's name.
        condition: String,
        /// Source action.
        from: String,
        /// Target action.
        to: String,
        /// What is wrong.
        message: String,
    },
    /// A builder method was used in a way that conflicts with another.
    #[error("{0}")]
    Conflict(String),
    /// The state persister or loader is not usable.
    #[error("{0}")]
    Persistence(String),
}

/// The errors the engine returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A state operation failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// A typed state did not convert to or from the map state (see `TypedStateError`);
    /// boxed, so that the error stays small.
    #[error(transparent)]
    TypedState(Box<TypedStateError>),
    /// The builder found problems; every one is listed.
    #[error("cannot build the application: {}", list(problems))]
    Build {
        /// Every problem found.
        problems: Vec<BuildProblem>,
    },
    /// An action's body returned an error.
    #[error("action `{action}` failed: {source}")]
    ActionFailed {
        /// The action.
        action: String,
        /// What the body returned.
        #[source]
        source: BoxError,
    },
    /// An attempt of the action ran past its timeout (see [`crate::policy`]).
    #[error("action `{action}` timed out after {after:?}")]
    Timeout {
        /// The action.
        action: String,
        /// The timeout it ran past.
        after: std::time::Duration,
    },
    /// An action asked to suspend (see [`ActionContext::suspend`](crate::ActionContext::suspend)):
    /// what the action's `suspend` call returns, for it to propagate. The run stops with
    /// [`Halted::Suspended`](crate::Halted::Suspended); this error reaches a caller only
    /// outside an application.
    #[error("action `{action}` suspended, waiting for a value on channel `{channel}`")]
    Suspended {
        /// The action.
        action: String,
        /// The channel it waits on.
        channel: String,
    },
    /// `resume` was called on an application that is not suspended.
    #[error("application `{app_id}` is not suspended: there is nothing to resume")]
    NotSuspended {
        /// The application.
        app_id: String,
    },
    /// `resume` named another channel than the one the application waits on.
    #[error("the application waits on channel `{expected}`, not `{given}`")]
    WrongChannel {
        /// The channel it waits on.
        expected: String,
        /// The channel given.
        given: String,
    },
    /// The value given to `resume` is not what the action asks for; the application stays
    /// suspended.
    #[error(
        "the value resumed on channel `{channel}` is not a valid `{expected}`: {message}; the application is still suspended"
    )]
    ResumeValue {
        /// The channel.
        channel: String,
        /// The Rust type the action asks for.
        expected: String,
        /// The deserializer's message.
        message: String,
    },
    /// Another process resumed the same suspended step first; this one saved nothing.
    #[error("the suspension of application `{app_id}` on channel `{channel}` was already resumed")]
    AlreadyResumed {
        /// The application.
        app_id: String,
        /// The channel.
        channel: String,
    },
    /// A re-run of a step asked for another journaled result than the run before it at the
    /// same place (see [`ActionContext::durable`](crate::ActionContext::durable)).
    #[error(
        "action `{action}` is not deterministic: its journaled call {position} was `{journaled}`, and the re-run asked for `{asked}`"
    )]
    Determinism {
        /// The action.
        action: String,
        /// The place of the call (0 for the first).
        position: usize,
        /// The key journaled there.
        journaled: String,
        /// The key the re-run asked for.
        asked: String,
    },
    /// Required inputs were not given.
    #[error(
        "action `{action}` is missing required inputs {missing:?}; it was given {given:?}; pass them in `inputs`"
    )]
    MissingInputs {
        /// The action.
        action: String,
        /// Missing input names.
        missing: Vec<String>,
        /// Inputs that were given.
        given: Vec<String>,
    },
    /// An input has the wrong type.
    #[error("input `{input}` of action `{action}` is not a valid `{expected}`: {message}")]
    InvalidInput {
        /// The action.
        action: String,
        /// The input.
        input: String,
        /// The Rust type expected.
        expected: String,
        /// The deserializer's message.
        message: String,
    },
    /// Inputs starting with `__` are reserved.
    #[error("inputs starting with a double underscore ({0:?}) are reserved for injected values")]
    ReservedInput(Vec<String>),
    /// An action wrote keys it did not declare.
    #[error(
        "action `{action}` wrote {keys:?}, which it did not declare; its declared writes are {writes:?}"
    )]
    UndeclaredWrite {
        /// The action.
        action: String,
        /// The undeclared keys.
        keys: Vec<String>,
        /// Its declared writes.
        writes: Vec<String>,
    },
    /// An action deleted keys it did not declare: deleting a key is writing it.
    #[error(
        "action `{action}` deleted {keys:?}, which it did not declare; deleting a key is writing it, and its declared writes are {writes:?}"
    )]
    UndeclaredDelete {
        /// The action.
        action: String,
        /// The undeclared keys it deleted.
        keys: Vec<String>,
        /// Its declared writes.
        writes: Vec<String>,
    },
    /// An action left declared writes unwritten.
    #[error(
        "state is missing write keys after running `{action}`: {keys:?} were declared in `writes` but not written"
    )]
    MissingWrite {
        /// The action.
        action: String,
        /// The missing keys.
        keys: Vec<String>,
        /// Its declared writes.
        writes: Vec<String>,
    },
    /// A condition could not be evaluated.
    #[error("condition `{condition}` failed: {message}")]
    Condition {
        /// The condition's name.
        condition: String,
        /// What went wrong.
        message: String,
    },
    /// A condition read keys absent from the state.
    #[error("missing keys in state required by condition `{condition}`: {missing:?}")]
    ConditionMissingKeys {
        /// The condition's name.
        condition: String,
        /// The missing keys.
        missing: Vec<String>,
    },
    /// An expression did not parse.
    #[error(transparent)]
    Expr(#[from] ExprError),
    /// An async action was run from a sync method.
    #[error(
        "cannot run async action `{action}` in a sync context; use `step_async`/`run_async`/`iterate_async` instead"
    )]
    AsyncActionInSyncContext {
        /// The action.
        action: String,
    },
    /// A sync method was called on an application built for async use only.
    #[error(
        "this application was built with `build_async` and must be run with the async methods (`step_async`, `run_async`, `iterate_async`)"
    )]
    AsyncOnly,
    /// Halt names that are not actions.
    #[error("halt conditions {names:?} are not registered actions; actions are {known:?}")]
    UnknownHalt {
        /// The unknown names.
        names: Vec<String>,
        /// Known action names.
        known: Vec<String>,
    },
    /// A `@tag:` that no action has.
    #[error("tag `{tag}` not found in graph; tags are {known:?}")]
    UnknownTag {
        /// The tag.
        tag: String,
        /// Known tags.
        known: Vec<String>,
    },
    /// An action name that is not in the graph.
    #[error("action `{name}` not found in graph; actions are {known:?}")]
    UnknownAction {
        /// The name.
        name: String,
        /// Known action names.
        known: Vec<String>,
    },
    /// An action returned something the runtime cannot use.
    #[error("action `{action}` returned an invalid output: {message}")]
    InvalidOutput {
        /// The action.
        action: String,
        /// What was wrong.
        message: String,
    },
    /// The state persister failed.
    #[error(transparent)]
    Persistence(#[from] PersistenceError),
    /// A streaming action misbehaved, or a stream was used wrongly.
    #[error("stream of action `{action}` failed: {message}")]
    Stream {
        /// The action.
        action: String,
        /// What went wrong.
        message: String,
    },
    /// Any other failure, with a message.
    #[error("{0}")]
    Other(String),
}

fn list(problems: &[BuildProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<TypedStateError> for Error {
    fn from(e: TypedStateError) -> Self {
        Error::TypedState(Box::new(e))
    }
}

impl Error {
    /// The error's message followed by its chain of sources, one `caused by:` line each.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = burr_core::ActionError::msg("kaboom").into_burr("boom");
    /// assert!(e.report().contains("kaboom"));
    /// ```
    pub fn report(&self) -> String {
        let mut out = self.to_string();
        let mut source = self.source();
        while let Some(s) = source {
            out.push_str("\ncaused by: ");
            out.push_str(&s.to_string());
            source = s.source();
        }
        out
    }

    pub(crate) fn build(problems: Vec<BuildProblem>) -> Self {
        Error::Build { problems }
    }
}

/// Shorthand for results of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;
