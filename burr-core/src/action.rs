//! Actions: the units of work of an application.
//!
//! An [`Action`] declares the state keys it reads and writes and the runtime inputs it takes,
//! then computes a result and a new state. It can be written in two phases
//! ([`Action::run`] computes a result from the state, [`Action::update`] applies it) or in a
//! single step ([`Action::run_and_update`]); async actions override
//! [`Action::run_and_update_async`] and return `true` from [`Action::is_async`].
//!
//! Most actions are plain functions turned into actions by the `#[action]` attribute; the
//! trait is for hand-written ones and for the generated code.
//!
//! Whatever the form, the runtime enforces the declarations: the action sees only its declared
//! reads (plus what it writes), writing an undeclared key is
//! [`BurrError::UndeclaredWrite`](crate::BurrError::UndeclaredWrite) and leaving a declared
//! write unwritten is [`BurrError::MissingWrite`](crate::BurrError::MissingWrite).

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::State;
use crate::context::ActionContext;
use crate::error::{ActionError, BurrError};
use crate::state::json_type_name;

/// The result map of a step (`{}` for actions that only change state).
pub type ResultMap = Map<String, Value>;

/// What a step produced: its result and the new state.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutput {
    /// The result (shown in tracking, returned by `step`/`run`).
    pub result: ResultMap,
    /// The new state.
    pub state: State,
}

impl StepOutput {
    /// An output with an empty result.
    ///
    /// # Examples
    ///
    /// ```
    /// let out = burr_core::StepOutput::state(burr_core::State::new());
    /// assert!(out.result.is_empty());
    /// ```
    pub fn state(state: State) -> Self {
        StepOutput {
            result: ResultMap::new(),
            state,
        }
    }
}

/// One declared runtime input of an action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InputSpec {
    /// The input's name.
    pub name: String,
    /// Whether it must be given (`false` for `Option<T>` parameters and defaults).
    pub required: bool,
}

impl InputSpec {
    /// A required input.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::InputSpec::required("prompt").required);
    /// ```
    pub fn required(name: impl Into<String>) -> Self {
        InputSpec {
            name: name.into(),
            required: true,
        }
    }

    /// An optional input.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::InputSpec::optional("temperature").required);
    /// ```
    pub fn optional(name: impl Into<String>) -> Self {
        InputSpec {
            name: name.into(),
            required: false,
        }
    }
}

/// Runtime inputs, by name, as JSON values.
///
/// # Examples
///
/// ```
/// use burr_core::Inputs;
/// let inputs = Inputs::new().with("prompt", "hello").with("temperature", 0.5);
/// assert_eq!(inputs.get::<String>("act", "prompt").unwrap(), "hello");
/// assert_eq!(inputs.get_opt::<f64>("act", "top_p").unwrap(), None);
/// assert!(inputs.get::<u32>("act", "prompt").is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    values: Map<String, Value>,
}

impl Inputs {
    /// No inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::Inputs::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an input.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("n", 1);
    /// assert!(i.contains("n"));
    /// ```
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Adds any serializable input.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().try_with("v", &vec![1, 2]).unwrap();
    /// assert_eq!(i.get::<Vec<u8>>("a", "v").unwrap(), vec![1, 2]);
    /// ```
    pub fn try_with<T: Serialize + ?Sized>(
        mut self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        self.values
            .insert(name.into(), serde_json::to_value(value)?);
        Ok(self)
    }

    /// Sets an input in place.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut i = burr_core::Inputs::new();
    /// i.insert("n", 2);
    /// assert_eq!(i.len(), 1);
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.values.insert(name.into(), value.into());
    }

    /// Whether an input named `name` was given.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::Inputs::new().contains("x"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Number of inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::Inputs::new().with("a", 1).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::Inputs::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The raw JSON value of an input.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("a", 1);
    /// assert_eq!(i.value("a"), Some(&serde_json::json!(1)));
    /// ```
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The inputs as a JSON map.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::Inputs::new().as_map().is_empty());
    /// ```
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.values
    }

    /// Input names, in insertion order.
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("b", 1).with("a", 2);
    /// assert_eq!(i.names().collect::<Vec<_>>(), vec!["b", "a"]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Reads the required input `name` of `action` as a `T`: a missing input is
    /// [`BurrError::MissingInputs`], a wrong type [`BurrError::InvalidInput`].
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new().with("n", "x");
    /// assert!(i.get::<i32>("act", "n").unwrap_err().to_string().contains("`n`"));
    /// ```
    pub fn get<T: DeserializeOwned>(&self, action: &str, name: &str) -> Result<T, BurrError> {
        match self.get_opt(action, name)? {
            Some(v) => Ok(v),
            None => Err(BurrError::MissingInputs {
                action: action.to_string(),
                missing: vec![name.to_string()],
                given: self.names().map(str::to_string).collect(),
            }),
        }
    }

    /// Reads the optional input `name` of `action`: `None` when absent (or `null`).
    ///
    /// # Examples
    ///
    /// ```
    /// let i = burr_core::Inputs::new();
    /// assert_eq!(i.get_opt::<i32>("act", "n").unwrap(), None);
    /// ```
    pub fn get_opt<T: DeserializeOwned>(
        &self,
        action: &str,
        name: &str,
    ) -> Result<Option<T>, BurrError> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::deserialize(v)
                .map(Some)
                .map_err(|e| BurrError::InvalidInput {
                    action: action.to_string(),
                    input: name.to_string(),
                    expected: std::any::type_name::<T>().to_string(),
                    message: format!("got a {}: {e}", json_type_name(v)),
                }),
        }
    }

    /// Keeps only the inputs named in `specs` (undeclared inputs are dropped, as Burr does).
    pub(crate) fn filtered(&self, specs: &[InputSpec]) -> Inputs {
        if specs.is_empty() {
            return Inputs::new();
        }
        let mut values = Map::new();
        for spec in specs {
            if let Some(v) = self.values.get(&spec.name) {
                values.insert(spec.name.clone(), v.clone());
            }
        }
        Inputs { values }
    }
}

impl From<Map<String, Value>> for Inputs {
    fn from(values: Map<String, Value>) -> Self {
        Inputs { values }
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Inputs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Inputs {
            values: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl<K: Into<String>, V: Into<Value>, const N: usize> From<[(K, V); N]> for Inputs {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

/// Builds [`Inputs`] from `name: value` pairs (values go through `serde_json::json!`).
///
/// # Examples
///
/// ```
/// let i = burr_core::inputs! { prompt: "hi", temperature: 0.2 };
/// assert_eq!(i.len(), 2);
/// ```
#[macro_export]
macro_rules! inputs {
    () => { $crate::Inputs::new() };
    ($($key:tt : $value:tt),+ $(,)?) => {{
        let i = $crate::Inputs::new();
        $( let i = i.with($crate::__state_key!($key), $crate::__private::serde_json::json!($value)); )+
        i
    }};
}

/// An action: declared reads, writes and inputs, and a body.
///
/// Implement either the two phases [`Action::run`] and [`Action::update`], or
/// [`Action::run_and_update`] (or, for async actions, [`Action::run_and_update_async`] with
/// [`Action::is_async`] returning `true`). The state passed in shows only the declared reads.
///
/// # Examples
///
/// A two-phase action:
///
/// ```
/// use burr_core::{Action, ActionContext, ActionError, Inputs, ResultMap, State};
///
/// struct Double;
/// impl Action for Double {
///     fn reads(&self) -> Vec<String> { vec!["n".into()] }
///     fn writes(&self) -> Vec<String> { vec!["n".into()] }
///     fn run(&self, state: &State, _: &Inputs, _: &ActionContext) -> Result<ResultMap, ActionError> {
///         let n: i64 = state.get("n")?;
///         let mut r = ResultMap::new();
///         r.insert("n".into(), (n * 2).into());
///         Ok(r)
///     }
///     fn update(&self, result: &ResultMap, state: State) -> Result<State, ActionError> {
///         Ok(state.update("n", result["n"].clone()))
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

    /// Whether it must be run with the async methods.
    fn is_async(&self) -> bool {
        false
    }

    /// Whether it streams intermediate results (see `Application::stream_result`).
    fn is_streaming(&self) -> bool {
        false
    }

    /// Phase one: computes a result from the state.
    fn run(
        &self,
        state: &State,
        inputs: &Inputs,
        ctx: &ActionContext,
    ) -> Result<ResultMap, ActionError> {
        let _ = (state, inputs);
        Err(ActionError::msg(format!(
            "action `{}` implements neither `run` nor `run_and_update`",
            ctx.action_name()
        )))
    }

    /// Phase two: applies the result to the state.
    fn update(&self, result: &ResultMap, state: State) -> Result<State, ActionError> {
        let _ = (result, state);
        Err(ActionError::msg(
            "this action implements `run` without `update`",
        ))
    }

    /// Both phases at once; the default calls [`Action::run`] then [`Action::update`].
    fn run_and_update(
        &self,
        state: State,
        inputs: &Inputs,
        ctx: &ActionContext,
    ) -> Result<StepOutput, ActionError> {
        let result = self.run(&state, inputs, ctx)?;
        let state = self.update(&result, state)?;
        Ok(StepOutput { result, state })
    }

    /// The async form; the default runs [`Action::run_and_update`] inline.
    fn run_and_update_async<'a>(
        &'a self,
        state: State,
        inputs: &'a Inputs,
        ctx: &'a ActionContext,
    ) -> BoxFuture<'a, Result<StepOutput, ActionError>> {
        Box::pin(std::future::ready(self.run_and_update(state, inputs, ctx)))
    }

    /// The streaming form (for actions whose [`Action::is_streaming`] is `true`): the events
    /// the action produces, items then the final output (see [`crate::stream`]). The stream
    /// owns what it needs (clone the context or parts of `self` into it).
    fn stream(
        &self,
        state: State,
        inputs: Inputs,
        ctx: &ActionContext,
    ) -> Result<crate::stream::ActionStream, ActionError> {
        let _ = (state, inputs);
        Err(ActionError::msg(format!(
            "action `{}` is not a streaming action",
            ctx.action_name()
        )))
    }
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

/// An action with some inputs bound ahead of time (Burr's `bind`): the bound inputs are no
/// longer declared inputs, and the runtime passes them on every run.
///
/// # Examples
///
/// ```
/// use burr_core::{Bound, InputSpec, Input, Action};
/// let a = Bound::new(Input::new(["x", "y"]), [("x", 10)]);
/// assert_eq!(a.inputs(), vec![InputSpec::required("y")]);
/// ```
pub struct Bound {
    inner: Arc<dyn Action>,
    bound: Map<String, Value>,
}

impl Bound {
    /// Binds `values` on `action`. Names that are not inputs of the action are ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = burr_core::Bound::new(burr_core::Input::new(["x"]), [("x", 1)]);
    /// assert_eq!(a.bound()["x"], 1);
    /// ```
    pub fn new<K: Into<String>, V: Into<Value>>(
        action: impl IntoAction,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let inner = action.into_action();
        let mut bound = Map::new();
        // Binding on top of a binding keeps both (the newer value wins).
        for (k, v) in values {
            bound.insert(k.into(), v.into());
        }
        Bound { inner, bound }
    }

    /// The bound values.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = burr_core::Bound::new(burr_core::Input::new(["x"]), [("x", 1)]);
    /// assert_eq!(a.bound().len(), 1);
    /// ```
    pub fn bound(&self) -> &Map<String, Value> {
        &self.bound
    }

    /// Binds more values, returning a new, independent action.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::Action;
    /// let a = burr_core::Bound::new(burr_core::Input::new(["x", "y"]), [("x", 1)]);
    /// let b = a.bind([("y", 2)]);
    /// assert!(b.inputs().is_empty());
    /// ```
    #[must_use]
    pub fn bind<K: Into<String>, V: Into<Value>>(
        &self,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Bound {
        let mut bound = self.bound.clone();
        for (k, v) in values {
            bound.insert(k.into(), v.into());
        }
        Bound {
            inner: self.inner.clone(),
            bound,
        }
    }

    fn with_bound(&self, inputs: &Inputs) -> Inputs {
        let mut merged = inputs.clone();
        for (k, v) in &self.bound {
            if !merged.contains(k) {
                merged.insert(k.clone(), v.clone());
            }
        }
        merged
    }
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bound")
            .field("bound", &self.bound)
            .finish_non_exhaustive()
    }
}

impl Action for Bound {
    fn reads(&self) -> Vec<String> {
        self.inner.reads()
    }
    fn writes(&self) -> Vec<String> {
        self.inner.writes()
    }
    fn inputs(&self) -> Vec<InputSpec> {
        self.inner
            .inputs()
            .into_iter()
            .filter(|i| !self.bound.contains_key(&i.name))
            .collect()
    }
    fn tags(&self) -> Vec<String> {
        self.inner.tags()
    }
    fn source(&self) -> Option<String> {
        self.inner.source()
    }
    fn default_name(&self) -> Option<String> {
        self.inner.default_name()
    }
    fn is_async(&self) -> bool {
        self.inner.is_async()
    }
    fn is_streaming(&self) -> bool {
        self.inner.is_streaming()
    }
    fn run_and_update(
        &self,
        state: State,
        inputs: &Inputs,
        ctx: &ActionContext,
    ) -> Result<StepOutput, ActionError> {
        self.inner
            .run_and_update(state, &self.with_bound(inputs), ctx)
    }
    fn run_and_update_async<'a>(
        &'a self,
        state: State,
        inputs: &'a Inputs,
        ctx: &'a ActionContext,
    ) -> BoxFuture<'a, Result<StepOutput, ActionError>> {
        let merged = self.with_bound(inputs);
        Box::pin(async move { self.inner.run_and_update_async(state, &merged, ctx).await })
    }
    fn stream(
        &self,
        state: State,
        inputs: Inputs,
        ctx: &ActionContext,
    ) -> Result<crate::stream::ActionStream, ActionError> {
        self.inner.stream(state, self.with_bound(&inputs), ctx)
    }
}

/// Burr's `Result` action: reads `fields` and returns them as its result, changing nothing.
///
/// # Examples
///
/// ```
/// use burr_core::Action;
/// let r = burr_core::ResultAction::new(["answer"]);
/// assert_eq!(r.reads(), vec!["answer"]);
/// assert!(r.writes().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct ResultAction {
    fields: Vec<String>,
}

impl ResultAction {
    /// A result action over `fields`.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = burr_core::ResultAction::new(["a", "b"]);
    /// ```
    pub fn new<S: Into<String>>(fields: impl IntoIterator<Item = S>) -> Self {
        ResultAction {
            fields: fields.into_iter().map(Into::into).collect(),
        }
    }
}

impl Action for ResultAction {
    fn reads(&self) -> Vec<String> {
        self.fields.clone()
    }
    fn writes(&self) -> Vec<String> {
        Vec::new()
    }
    fn source(&self) -> Option<String> {
        Some(format!("ResultAction::new({:?})", self.fields))
    }
    fn run(&self, state: &State, _: &Inputs, _: &ActionContext) -> Result<ResultMap, ActionError> {
        let mut out = ResultMap::new();
        for f in &self.fields {
            if let Some(v) = state.get_value(f) {
                out.insert(f.clone(), v);
            }
        }
        Ok(out)
    }
    fn update(&self, _: &ResultMap, state: State) -> Result<State, ActionError> {
        Ok(state)
    }
}

/// Burr's `Input` action: copies the runtime inputs `fields` into the state.
///
/// # Examples
///
/// ```
/// use burr_core::Action;
/// let i = burr_core::Input::new(["prompt"]);
/// assert_eq!(i.writes(), vec!["prompt"]);
/// assert_eq!(i.inputs()[0].name, "prompt");
/// ```
#[derive(Debug, Clone)]
pub struct Input {
    fields: Vec<String>,
}

impl Input {
    /// An input action over `fields`.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = burr_core::Input::new(["prompt"]);
    /// ```
    pub fn new<S: Into<String>>(fields: impl IntoIterator<Item = S>) -> Self {
        Input {
            fields: fields.into_iter().map(Into::into).collect(),
        }
    }
}

impl Action for Input {
    fn reads(&self) -> Vec<String> {
        Vec::new()
    }
    fn writes(&self) -> Vec<String> {
        self.fields.clone()
    }
    fn inputs(&self) -> Vec<InputSpec> {
        self.fields.iter().map(InputSpec::required).collect()
    }
    fn source(&self) -> Option<String> {
        Some(format!("Input::new({:?})", self.fields))
    }
    fn run(&self, _: &State, inputs: &Inputs, _: &ActionContext) -> Result<ResultMap, ActionError> {
        let mut out = ResultMap::new();
        for f in &self.fields {
            out.insert(f.clone(), inputs.value(f).cloned().unwrap_or(Value::Null));
        }
        Ok(out)
    }
    fn update(&self, result: &ResultMap, state: State) -> Result<State, ActionError> {
        Ok(state.update_many(result.iter().map(|(k, v)| (k, v.clone()))))
    }
}

/// Burr's `Placeholder`: declares reads and writes but cannot run (useful to sketch a graph
/// and draw it before writing the bodies).
///
/// # Examples
///
/// ```
/// use burr_core::Action;
/// let p = burr_core::Placeholder::new(["q"], ["a"]);
/// assert_eq!(p.writes(), vec!["a"]);
/// ```
#[derive(Debug, Clone)]
pub struct Placeholder {
    reads: Vec<String>,
    writes: Vec<String>,
}

impl Placeholder {
    /// A placeholder with these declarations.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = burr_core::Placeholder::new(["a"], ["b"]);
    /// ```
    pub fn new<R: Into<String>, W: Into<String>>(
        reads: impl IntoIterator<Item = R>,
        writes: impl IntoIterator<Item = W>,
    ) -> Self {
        Placeholder {
            reads: reads.into_iter().map(Into::into).collect(),
            writes: writes.into_iter().map(Into::into).collect(),
        }
    }
}

impl Action for Placeholder {
    fn reads(&self) -> Vec<String> {
        self.reads.clone()
    }
    fn writes(&self) -> Vec<String> {
        self.writes.clone()
    }
    fn run_and_update(
        &self,
        _: State,
        _: &Inputs,
        ctx: &ActionContext,
    ) -> Result<StepOutput, ActionError> {
        Err(ActionError::msg(format!(
            "action `{}` is a placeholder and has no implementation yet",
            ctx.action_name()
        )))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_inputs_removed_and_independent() {
        let base = Bound::new(Input::new(["x", "y"]), [("x", 10)]);
        let a = base.bind([("y", 1)]);
        let b = base.bind([("y", 2)]);
        assert!(a.inputs().is_empty());
        assert_eq!(a.bound()["y"], 1);
        assert_eq!(b.bound()["y"], 2);
        assert_eq!(base.inputs(), vec![InputSpec::required("y")]);
    }
}
