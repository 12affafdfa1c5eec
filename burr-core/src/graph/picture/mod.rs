//! Pictures of a [`Graph`]: Graphviz DOT, Mermaid text and SVG, drawn from one model of what
//! the picture shows ([`Picture`]), so that the three agree.

mod dot;
mod mermaid;
mod options;
mod svg;

use super::Graph;

pub use options::{DotOptions, GraphOptions};
pub use svg::RenderError;

/// What a node of a picture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NodeKind {
    /// An action.
    Action,
    /// A runtime input of an action.
    Input,
}

/// One node: its id (unique in the picture), label and kind.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) kind: NodeKind,
}

/// One edge between two nodes (by index), with its label, dashed when conditional (or from
/// an input).
#[derive(Debug, Clone)]
pub(super) struct Edge {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) label: Option<String>,
    pub(super) dashed: bool,
}

/// The nodes and edges a picture draws with the given options.
#[derive(Debug, Clone)]
pub(super) struct Picture {
    pub(super) nodes: Vec<Node>,
    pub(super) edges: Vec<Edge>,
}

impl Picture {
    pub(super) fn of(graph: &Graph, options: &GraphOptions) -> Picture {
        let mut nodes: Vec<Node> = graph
            .actions
            .iter()
            .map(|a| Node {
                id: a.name.clone(),
                label: if options.include_state {
                    format!(
                        "{}({}): {}",
                        a.name,
                        a.reads.join(", "),
                        a.writes.join(", ")
                    )
                } else {
                    a.name.clone()
                },
                kind: NodeKind::Action,
            })
            .collect();
        let index = |name: &str| graph.actions.iter().position(|a| a.name == name);
        let mut edges = Vec::new();
        if options.include_inputs {
            for (i, a) in graph.actions.iter().enumerate() {
                for input in a.inputs.iter().filter(|i| !i.name.starts_with("__")) {
                    // One node per input name, pointing at every action that takes it.
                    let id = format!("input__{}", input.name);
                    let node = match nodes.iter().position(|n| n.id == id) {
                        Some(node) => node,
                        None => {
                            nodes.push(Node {
                                id,
                                label: format!("input: {}", input.name),
                                kind: NodeKind::Input,
                            });
                            nodes.len() - 1
                        }
                    };
                    edges.push(Edge {
                        from: node,
                        to: i,
                        label: None,
                        dashed: true,
                    });
                }
            }
        }
        for t in &graph.transitions {
            let (Some(from), Some(to)) = (index(&t.from), index(&t.to)) else {
                continue;
            };
            let default = t.condition == "default";
            edges.push(Edge {
                from,
                to,
                label: (options.include_conditions && !default).then(|| t.condition.clone()),
                dashed: !default,
            });
        }
        Picture { nodes, edges }
    }
}
