//! [`RunnableGraph`]: the sub-graph a sub-application runs.

use std::sync::Arc;

use crate::action::{Action, IntoAction};
use crate::application::ApplicationBuilder;
use crate::graph::TransitionSpec;

/// A sub-graph to run as a sub-application: actions, transitions, the entrypoint and the
/// actions after which it stops.
///
/// # Examples
///
/// ```
/// use burr_core::{Input, ResultAction, default};
/// use burr_core::parallel::RunnableGraph;
/// let g = RunnableGraph::new("ask", ["answer"])
///     .with_action("ask", Input::new(["q"]))
///     .with_action("answer", ResultAction::new(["q"]))
///     .with_transitions([("ask", "answer", default())]);
/// assert_eq!(g.entrypoint(), "ask");
/// assert_eq!(g.halt_after(), ["answer"]);
/// ```
#[derive(Clone)]
pub struct RunnableGraph {
    actions: Vec<(String, Arc<dyn Action>)>,
    transitions: Vec<TransitionSpec>,
    entrypoint: String,
    halt_after: Vec<String>,
}

impl std::fmt::Debug for RunnableGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunnableGraph")
            .field(
                "actions",
                &self.actions.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("entrypoint", &self.entrypoint)
            .field("halt_after", &self.halt_after)
            .finish_non_exhaustive()
    }
}

impl RunnableGraph {
    /// An empty graph that starts at `entrypoint` and stops after any of `halt_after`.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["b"]);
    /// assert_eq!(g.entrypoint(), "a");
    /// ```
    pub fn new<S: Into<String>>(
        entrypoint: impl Into<String>,
        halt_after: impl IntoIterator<Item = S>,
    ) -> Self {
        RunnableGraph {
            actions: Vec::new(),
            transitions: Vec::new(),
            entrypoint: entrypoint.into(),
            halt_after: halt_after.into_iter().map(Into::into).collect(),
        }
    }

    /// A one-action graph: it starts at the action and stops after it.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::from_action("a", burr_core::Input::new(["x"]));
    /// assert_eq!((g.entrypoint(), g.halt_after()), ("a", &["a".to_string()][..]));
    /// ```
    pub fn from_action(name: impl Into<String>, action: impl IntoAction) -> Self {
        let name = name.into();
        RunnableGraph::new(name.clone(), [name.clone()]).with_action(name, action)
    }

    /// Adds an action.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["a"]).with_action("a", burr_core::Input::new(["x"]));
    /// # let _ = g;
    /// ```
    #[must_use]
    pub fn with_action(mut self, name: impl Into<String>, action: impl IntoAction) -> Self {
        self.actions.push((name.into(), action.into_action()));
        self
    }

    /// Adds named actions (see [`actions!`](crate::actions)).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{actions, Input};
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["a"]).with_actions(actions!["a" => Input::new(["x"])]);
    /// # let _ = g;
    /// ```
    #[must_use]
    pub fn with_actions<S: Into<String>>(
        mut self,
        actions: impl IntoIterator<Item = (S, Arc<dyn Action>)>,
    ) -> Self {
        self.actions
            .extend(actions.into_iter().map(|(n, a)| (n.into(), a)));
        self
    }

    /// Adds transitions (the same forms as
    /// [`ApplicationBuilder::with_transitions`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["b"]).with_transitions([("a", "b")]);
    /// # let _ = g;
    /// ```
    #[must_use]
    pub fn with_transitions<T: Into<TransitionSpec>>(
        mut self,
        transitions: impl IntoIterator<Item = T>,
    ) -> Self {
        self.transitions
            .extend(transitions.into_iter().map(Into::into));
        self
    }

    /// The entrypoint.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::parallel::RunnableGraph::new("a", ["a"]).entrypoint(), "a");
    /// ```
    pub fn entrypoint(&self) -> &str {
        &self.entrypoint
    }

    /// The actions after which a run stops.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::parallel::RunnableGraph::new("a", ["a"]).halt_after().contains(&"a".to_string()));
    /// ```
    pub fn halt_after(&self) -> &[String] {
        &self.halt_after
    }

    /// A builder holding this graph's actions and transitions (no entrypoint or state yet).
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::from_action("a", burr_core::Input::new(["x"]));
    /// let app = g.builder().with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.graph().actions.len(), 1);
    /// ```
    pub fn builder(&self) -> ApplicationBuilder {
        ApplicationBuilder::new()
            .with_actions(self.actions.iter().cloned())
            .with_transitions(self.transitions.iter().cloned())
    }
}
