//! The validated graph an application runs on: it picks the next action after each step.

use std::collections::HashMap;
use std::sync::Arc;

use super::policies::{ActionPolicy, Policies};
use crate::action::{Action, ActionKind};
use crate::error::{BuildProblem, Error};
use crate::graph::{ActionInfo, Condition, Graph, TransitionInfo, TransitionSpec};
use crate::state::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State, StepName, ViewInfo};

/// One action in the runtime graph.
pub(super) struct Node {
    pub(super) info: ActionInfo,
    pub(super) name: Arc<str>,
    /// The name as a state keeps it in `__PRIOR_STEP`.
    pub(super) step_name: StepName,
    pub(super) action: Arc<dyn Action>,
    pub(super) kind: ActionKind,
    pub(super) view: Arc<ViewInfo>,
    pub(super) edges: Vec<(Condition, usize)>,
    pub(super) policy: ActionPolicy,
    /// Where a failure goes, and the key it is captured under.
    pub(super) error_route: Option<(usize, Arc<str>)>,
}

/// The validated graph the application runs on.
pub(super) struct RuntimeGraph {
    pub(super) nodes: Vec<Node>,
    pub(super) index: HashMap<String, usize>,
    pub(super) entrypoint: usize,
    pub(super) public: Graph,
}

impl std::fmt::Debug for RuntimeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeGraph")
            .field("graph", &self.public)
            .finish_non_exhaustive()
    }
}

/// The condition shown for an error transition in the graph's description.
pub(crate) const ERROR_CONDITION: &str = "on_error";

/// Whether the error captured under `key` comes from the last step (its sequence id is the
/// state's): the last step failed and was routed.
fn captured_now(state: &State, key: &str) -> bool {
    let seq = state
        .get_value(key)
        .and_then(|e| e.get("sequence_id")?.as_u64());
    seq.is_some() && seq == state.sequence_id()
}

/// Whether an action may read `key`: any key but the ones that belong to the runtime,
/// except the two the runtime shares (conditions may read them too).
fn readable(key: &str) -> bool {
    !key.starts_with("__") || key == SEQUENCE_ID_KEY || key == PRIOR_STEP_KEY
}

/// Refuses declared keys that belong to the runtime: the runtime owns every `__` key, so an
/// action never writes one.
fn reserved_keys(info: &ActionInfo, problems: &mut Vec<BuildProblem>) {
    let reads = info
        .reads
        .iter()
        .filter(|k| !readable(k))
        .map(|k| (k, "reads"));
    let writes = info
        .writes
        .iter()
        .filter(|k| k.starts_with("__"))
        .map(|k| (k, "writes"));
    for (key, declared) in reads.chain(writes) {
        problems.push(BuildProblem::ReservedKey {
            action: info.name.clone(),
            key: key.clone(),
            declared,
        });
    }
}

/// Validates actions and transitions into a runtime graph, collecting every problem.
pub(super) fn build_graph(
    actions: &[(String, Arc<dyn Action>)],
    transitions: &[TransitionSpec],
    policies: &Policies,
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
        reserved_keys(&info, problems);
        let info_name = info.name.clone();
        let name: Arc<str> = Arc::from(name.as_str());
        nodes.push(Node {
            view: Arc::new(ViewInfo::new(name.clone(), reads, info.writes.clone())),
            info,
            step_name: StepName::new(&name),
            name,
            action: action.clone(),
            kind,
            edges: Vec::new(),
            policy: policies.for_action(&info_name),
            error_route: None,
        });
    }
    let known: Vec<String> = actions.iter().map(|(n, _)| n.clone()).collect();
    policies.check(&known, problems);
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
            if let Some(k) = t.condition.keys().iter().find(|k| !readable(k)) {
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
    for t in &policies.error_transitions {
        if let (Some(&f), Some(&to)) = (index.get(&t.from), index.get(&t.to)) {
            nodes[f].error_route = Some((to, Arc::from(t.capture_as.as_str())));
            public_transitions.push(TransitionInfo {
                from: t.from.clone(),
                to: t.to.clone(),
                condition: ERROR_CONDITION.to_string(),
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
    pub(super) fn next(&self, prior: Option<usize>, state: &State) -> Result<Option<usize>, Error> {
        let Some(p) = prior else {
            return Ok(Some(self.entrypoint));
        };
        if let Some((to, key)) = &self.nodes[p].error_route
            && captured_now(state, key)
        {
            return Ok(Some(*to));
        }
        for (cond, to) in &self.nodes[p].edges {
            if cond.evaluate(state)? {
                return Ok(Some(*to));
            }
        }
        Ok(None)
    }

    /// The node of the action suspended in `state`, if the state holds a suspension.
    pub(super) fn suspended_node(&self, state: &State) -> Result<Option<usize>, Error> {
        match super::Suspension::of(state) {
            Some(s) => self.lookup(&s.action).map(Some),
            None => Ok(None),
        }
    }

    pub(super) fn lookup(&self, name: &str) -> Result<usize, Error> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| Error::UnknownAction {
                name: name.to_string(),
                known: self.public.actions.iter().map(|a| a.name.clone()).collect(),
            })
    }

    /// Expands halt names (`@tag:x` included) into node indices.
    pub(super) fn resolve_halts(&self, names: &[String]) -> Result<Vec<usize>, Error> {
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
