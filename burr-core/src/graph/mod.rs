//! The graph of an application as hooks and trackers see it ([`Graph`]: its actions and the
//! transitions between them), its pictures (Graphviz DOT, Mermaid, SVG), and the transitions
//! as the builder collects them ([`TransitionSpec`]) with the [`Condition`]s they hold on.

mod condition;
mod picture;

use crate::step::InputSpec;

pub use condition::{Condition, default, expr, when};
pub use picture::{DotOptions, GraphOptions, RenderError};

/// What the application knows about one action (what hooks and trackers see).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionInfo {
    /// Its name in the graph.
    pub name: String,
    /// Declared reads.
    pub reads: Vec<String>,
    /// Declared writes.
    pub writes: Vec<String>,
    /// Declared runtime inputs.
    pub inputs: Vec<InputSpec>,
    /// Tags.
    pub tags: Vec<String>,
    /// Source code, when known.
    pub source: Option<String>,
    /// Whether it is async.
    pub is_async: bool,
    /// Whether it streams.
    pub is_streaming: bool,
}

/// One transition, as hooks and trackers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionInfo {
    /// Source action.
    pub from: String,
    /// Target action.
    pub to: String,
    /// The condition's name (`"default"`, `"count < 10"`...).
    pub condition: String,
}

/// The graph of an application: actions, transitions (in declaration order) and entrypoint.
///
/// # Examples
///
/// ```
/// use burr_core::{ApplicationBuilder, Input, ResultAction, default};
/// let app = ApplicationBuilder::new()
///     .with_action("ask", Input::new(["q"]))
///     .with_action("show", ResultAction::new(["q"]))
///     .with_transition("ask", "show", default())
///     .with_entrypoint("ask")
///     .build()
///     .unwrap();
/// let g = app.graph();
/// assert_eq!(g.actions.len(), 2);
/// assert_eq!(g.transitions[0].condition, "default");
/// assert!(g.to_dot().contains("\"ask\" -> \"show\""));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// The actions, in the order they were added.
    pub actions: Vec<ActionInfo>,
    /// The transitions, in declaration order.
    pub transitions: Vec<TransitionInfo>,
    /// The entrypoint's name.
    pub entrypoint: String,
}

impl Graph {
    /// The action named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input};
    /// # let app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.graph().action("a").unwrap().writes, vec!["x"]);
    /// assert!(app.graph().action("b").is_none());
    /// ```
    pub fn action(&self, name: &str) -> Option<&ActionInfo> {
        self.actions.iter().find(|a| a.name == name)
    }
}

/// A transition as the builder collects it.
#[derive(Clone, Debug)]
pub struct TransitionSpec {
    pub(crate) from: Vec<String>,
    pub(crate) to: String,
    pub(crate) condition: Condition,
}

impl TransitionSpec {
    /// A transition from each of `from` to `to` when `condition` holds.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = burr_core::TransitionSpec::new(["a", "b"], "c", burr_core::default());
    /// # let _ = t;
    /// ```
    pub fn new<S: Into<String>>(
        from: impl IntoIterator<Item = S>,
        to: impl Into<String>,
        condition: Condition,
    ) -> Self {
        TransitionSpec {
            from: from.into_iter().map(Into::into).collect(),
            to: to.into(),
            condition,
        }
    }
}

impl From<(&str, &str)> for TransitionSpec {
    fn from((from, to): (&str, &str)) -> Self {
        TransitionSpec::new([from], to, default())
    }
}

impl From<(&str, &str, Condition)> for TransitionSpec {
    fn from((from, to, c): (&str, &str, Condition)) -> Self {
        TransitionSpec::new([from], to, c)
    }
}

impl<const N: usize> From<([&str; N], &str, Condition)> for TransitionSpec {
    fn from((from, to, c): ([&str; N], &str, Condition)) -> Self {
        TransitionSpec::new(from, to, c)
    }
}

impl<const N: usize> From<([&str; N], &str)> for TransitionSpec {
    fn from((from, to): ([&str; N], &str)) -> Self {
        TransitionSpec::new(from, to, default())
    }
}

impl From<(Vec<String>, String, Condition)> for TransitionSpec {
    fn from((from, to, c): (Vec<String>, String, Condition)) -> Self {
        TransitionSpec::new(from, to, c)
    }
}
