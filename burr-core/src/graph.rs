//! The graph of an application: its actions and the transitions between them, validated once
//! at build time, and its picture in Graphviz DOT.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::State;
use crate::action::{Action, ActionKind};
use crate::condition::Condition;
use crate::error::{BuildProblem, Error};
use crate::state::ViewInfo;
use crate::step::InputSpec;

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

/// One action in the runtime graph.
pub(crate) struct Node {
    pub(crate) info: ActionInfo,
    pub(crate) name: Arc<str>,
    pub(crate) action: Arc<dyn Action>,
    pub(crate) kind: ActionKind,
    pub(crate) view: Arc<ViewInfo>,
    pub(crate) edges: Vec<(Condition, usize)>,
}

/// The validated graph the application runs on.
pub(crate) struct RuntimeGraph {
    pub(crate) nodes: Vec<Node>,
    pub(crate) index: HashMap<String, usize>,
    pub(crate) entrypoint: usize,
    pub(crate) public: Graph,
}

impl std::fmt::Debug for RuntimeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeGraph")
            .field("graph", &self.public)
            .finish_non_exhaustive()
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
        TransitionSpec::new([from], to, crate::condition::default())
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
        TransitionSpec::new(from, to, crate::condition::default())
    }
}

impl From<(Vec<String>, String, Condition)> for TransitionSpec {
    fn from((from, to, c): (Vec<String>, String, Condition)) -> Self {
        TransitionSpec::new(from, to, c)
    }
}

/// Validates actions and transitions into a runtime graph, collecting every problem.
pub(crate) fn build_graph(
    actions: &[(String, Arc<dyn Action>)],
    transitions: &[TransitionSpec],
    entrypoint: Option<&str>,
    problems: &mut Vec<BuildProblem>,
) -> Option<RuntimeGraph> {
    if actions.is_empty() {
        problems.push(BuildProblem::NoActions);
    }
    let mut index = HashMap::new();
    let mut nodes = Vec::new();
    for (name, action) in actions {
        if index.contains_key(name) {
            problems.push(BuildProblem::DuplicateAction(name.clone()));
            continue;
        }
        index.insert(name.clone(), nodes.len());
        let reads = action.reads();
        let kind = action.kind();
        let info = ActionInfo {
            name: name.clone(),
            reads: reads.clone(),
            writes: action.writes(),
            inputs: action.inputs(),
            tags: action.tags(),
            source: action.source(),
            is_async: kind.is_async(),
            is_streaming: kind.is_streaming(),
        };
        let name: Arc<str> = Arc::from(name.as_str());
        nodes.push(Node {
            view: Arc::new(ViewInfo {
                action: name.clone(),
                reads: Arc::from(reads),
                writes: Arc::from(info.writes.clone()),
            }),
            info,
            name,
            action: action.clone(),
            kind,
            edges: Vec::new(),
        });
    }
    let known: Vec<String> = actions.iter().map(|(n, _)| n.clone()).collect();
    let mut public_transitions = Vec::new();
    for t in transitions {
        let to = index.get(&t.to).copied();
        if to.is_none() {
            problems.push(BuildProblem::UnknownTransitionEndpoint {
                which: "target",
                name: t.to.clone(),
                known: known.clone(),
            });
        }
        for from in &t.from {
            let Some(&f) = index.get(from) else {
                problems.push(BuildProblem::UnknownTransitionEndpoint {
                    which: "source",
                    name: from.clone(),
                    known: known.clone(),
                });
                continue;
            };
            let Some(to) = to else { continue };
            if t.condition.is_default() && nodes[f].edges.iter().any(|(c, _)| c.is_default()) {
                problems.push(BuildProblem::RedundantDefault {
                    from: from.clone(),
                    to: t.to.clone(),
                });
                continue;
            }
            if let Some(k) = t.condition.keys().iter().find(|k| {
                k.starts_with("__") && *k != crate::SEQUENCE_ID_KEY && *k != crate::PRIOR_STEP_KEY
            }) {
                problems.push(BuildProblem::InvalidCondition {
                    condition: t.condition.name().to_string(),
                    from: from.clone(),
                    to: t.to.clone(),
                    message: format!("`{k}` is reserved for the runtime"),
                });
            }
            nodes[f].edges.push((t.condition.clone(), to));
            public_transitions.push(TransitionInfo {
                from: from.clone(),
                to: t.to.clone(),
                condition: t.condition.name().to_string(),
            });
        }
    }
    let entry = match entrypoint {
        None => {
            problems.push(BuildProblem::MissingEntrypoint);
            None
        }
        Some(e) => match index.get(e) {
            Some(&i) => Some(i),
            None => {
                if !actions.is_empty() {
                    problems.push(BuildProblem::UnknownEntrypoint {
                        name: e.to_string(),
                        known: known.clone(),
                    });
                }
                None
            }
        },
    };
    let entry = entry?;
    if !problems.is_empty() {
        return None;
    }
    let public = Graph {
        actions: nodes.iter().map(|n| n.info.clone()).collect(),
        transitions: public_transitions,
        entrypoint: nodes[entry].info.name.clone(),
    };
    Some(RuntimeGraph {
        nodes,
        index,
        entrypoint: entry,
        public,
    })
}

impl RuntimeGraph {
    /// The next action after `prior` (the entrypoint when `None`): the first transition whose
    /// condition holds, in declaration order; `None` when none holds.
    pub(crate) fn next(&self, prior: Option<usize>, state: &State) -> Result<Option<usize>, Error> {
        let Some(p) = prior else {
            return Ok(Some(self.entrypoint));
        };
        for (cond, to) in &self.nodes[p].edges {
            if cond.evaluate(state)? {
                return Ok(Some(*to));
            }
        }
        Ok(None)
    }

    pub(crate) fn lookup(&self, name: &str) -> Result<usize, Error> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| Error::UnknownAction {
                name: name.to_string(),
                known: self.public.actions.iter().map(|a| a.name.clone()).collect(),
            })
    }

    /// Expands halt names (`@tag:x` included) into node indices.
    pub(crate) fn resolve_halts(&self, names: &[String]) -> Result<Vec<usize>, Error> {
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        for n in names {
            if let Some(tag) = n.strip_prefix("@tag:") {
                let tagged: Vec<usize> = self
                    .nodes
                    .iter()
                    .enumerate()
                    .filter(|(_, node)| node.info.tags.iter().any(|t| t == tag))
                    .map(|(i, _)| i)
                    .collect();
                if tagged.is_empty() {
                    let mut known: Vec<String> = self
                        .nodes
                        .iter()
                        .flat_map(|n| n.info.tags.iter().cloned())
                        .collect();
                    known.sort();
                    known.dedup();
                    return Err(Error::UnknownTag {
                        tag: tag.to_string(),
                        known,
                    });
                }
                out.extend(tagged);
            } else {
                match self.index.get(n) {
                    Some(&i) => out.push(i),
                    None => unknown.push(n.clone()),
                }
            }
        }
        if !unknown.is_empty() {
            return Err(Error::UnknownHalt {
                names: unknown,
                known: self.public.actions.iter().map(|a| a.name.clone()).collect(),
            });
        }
        Ok(out)
    }
}
