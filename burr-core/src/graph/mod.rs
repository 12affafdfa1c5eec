//! The graph of an application as hooks and trackers see it ([`Graph`]: its actions and the
//! transitions between them), its picture in Graphviz DOT, and the transitions as the builder
//! collects them ([`TransitionSpec`]) with the [`Condition`]s they hold on.

mod condition;

use std::fmt::Write as _;

use crate::step::InputSpec;

pub use condition::{Condition, default, expr, when};

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

/// Options of [`Graph::to_dot_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DotOptions {
    /// Label conditional edges with their condition.
    pub include_conditions: bool,
    /// Label actions with their reads and writes: `name(r1, r2): w1`.
    pub include_state: bool,
}

impl DotOptions {
    /// Default options (no condition labels, no state).
    ///
    /// # Examples
    ///
    /// ```
    /// let o = burr_core::DotOptions::new().conditions(true);
    /// assert!(o.include_conditions);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`DotOptions::include_conditions`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::DotOptions::new().conditions(true).include_conditions);
    /// ```
    #[must_use]
    pub fn conditions(mut self, on: bool) -> Self {
        self.include_conditions = on;
        self
    }

    /// Sets [`DotOptions::include_state`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::DotOptions::new().state(true).include_state);
    /// ```
    #[must_use]
    pub fn state(mut self, on: bool) -> Self {
        self.include_state = on;
        self
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Graph {
    /// The graph in Graphviz DOT, styled as Burr draws it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input, default};
    /// # let app = ApplicationBuilder::new().with_action("a", Input::new(["x"]))
    /// #     .with_transition("a", "a", default()).with_entrypoint("a").build().unwrap();
    /// let dot = app.graph().to_dot();
    /// assert!(dot.starts_with("digraph {"));
    /// assert!(dot.contains("input__x"));
    /// ```
    pub fn to_dot(&self) -> String {
        self.to_dot_with(&DotOptions::default())
    }

    /// The graph in DOT with options.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input, expr, DotOptions};
    /// # let app = ApplicationBuilder::new().with_action("a", Input::new(["x"]))
    /// #     .with_transition("a", "a", expr("x < 3").unwrap()).with_entrypoint("a").build().unwrap();
    /// let dot = app.graph().to_dot_with(&DotOptions::new().conditions(true).state(true));
    /// assert!(dot.contains("label=\"x < 3\""));
    /// assert!(dot.contains("a(): x"));
    /// ```
    pub fn to_dot_with(&self, options: &DotOptions) -> String {
        let mut out = String::from("digraph {\n");
        out.push_str("\tgraph [compound=false concentrate=false rankdir=TB ranksep=0.4]\n");
        for a in &self.actions {
            let label = if options.include_state {
                format!(
                    "{}({}): {}",
                    a.name,
                    a.reads.join(", "),
                    a.writes.join(", ")
                )
            } else {
                a.name.clone()
            };
            let _ = writeln!(
                out,
                "\t\"{}\" [label=\"{}\" fillcolor=\"#b4d8e4\" fontname=Helvetica margin=0.15 shape=box style=\"rounded,filled\"]",
                dot_escape(&a.name),
                dot_escape(&label)
            );
            for input in a.inputs.iter().filter(|i| !i.name.starts_with("__")) {
                let node = format!("input__{}", input.name);
                let _ = writeln!(
                    out,
                    "\t\"{}\" [label=\"input: {}\" fontname=Helvetica margin=0.15 shape=rect style=dashed]",
                    dot_escape(&node),
                    dot_escape(&input.name)
                );
                let _ = writeln!(
                    out,
                    "\t\"{}\" -> \"{}\"",
                    dot_escape(&node),
                    dot_escape(&a.name)
                );
            }
        }
        for t in &self.transitions {
            let default = t.condition == "default";
            let style = if default { "solid" } else { "dashed" };
            let label = if options.include_conditions && !default {
                format!(" label=\"{}\"", dot_escape(&t.condition))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "\t\"{}\" -> \"{}\" [style={style}{label}]",
                dot_escape(&t.from),
                dot_escape(&t.to)
            );
        }
        out.push_str("}\n");
        out
    }

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
