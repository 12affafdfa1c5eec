//! The built-in actions of Apache Burr: [`Bound`] (bound inputs), [`ResultAction`],
//! [`Input`] and [`Placeholder`].

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Action, ActionKind, Call, IntoAction};
use crate::context::ActionContext;
use crate::error::ActionError;
use crate::state::State;
use crate::step::{InputSpec, Inputs, ResultMap, StepOutput};

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
    fn kind(&self) -> ActionKind {
        self.inner.kind()
    }
    fn call<'a>(&'a self, state: State, inputs: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        let merged = self.with_bound(inputs);
        match self.inner.kind() {
            // The inner future borrows the merged inputs: it lives in this future.
            ActionKind::Async => Call::Future(Box::pin(async move {
                match self.inner.call(state, &merged, ctx) {
                    Call::Ready(out) => out,
                    Call::Future(fut) => fut.await,
                    Call::Stream(_) => Err(ActionError::msg(format!(
                        "action `{}` declared itself async but answered with a stream",
                        ctx.action_name()
                    ))),
                }
            })),
            _ => match self.inner.call(state, &merged, ctx) {
                Call::Ready(out) => Call::Ready(out),
                Call::Stream(events) => Call::Stream(events),
                Call::Future(_) => Call::Ready(Err(ActionError::msg(format!(
                    "action `{}` answered with a future but did not declare itself async",
                    ctx.action_name()
                )))),
            },
        }
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
    fn call<'a>(&'a self, state: State, _: &'a Inputs, _: &'a ActionContext) -> Call<'a> {
        let mut result = ResultMap::new();
        for f in &self.fields {
            if let Some(v) = state.get_value(f) {
                result.insert(f.clone(), v);
            }
        }
        Call::Ready(Ok(StepOutput { result, state }))
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
    fn call<'a>(&'a self, state: State, inputs: &'a Inputs, _: &'a ActionContext) -> Call<'a> {
        let mut result = ResultMap::new();
        for f in &self.fields {
            result.insert(f.clone(), inputs.value(f).cloned().unwrap_or(Value::Null));
        }
        let state = state.update_many(result.iter().map(|(k, v)| (k, v.clone())));
        Call::Ready(Ok(StepOutput { result, state }))
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
    fn call<'a>(&'a self, _: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        Call::Ready(Err(ActionError::msg(format!(
            "action `{}` is a placeholder and has no implementation yet",
            ctx.action_name()
        ))))
    }
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
