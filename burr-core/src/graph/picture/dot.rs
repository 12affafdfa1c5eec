//! The picture of a [`Graph`] in Graphviz DOT.

use std::fmt::Write as _;

use super::{Graph, GraphOptions, NodeKind, Picture};

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
        self.to_dot_with(&GraphOptions::default())
    }

    /// The graph in DOT with options.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input, expr, GraphOptions};
    /// # let app = ApplicationBuilder::new().with_action("a", Input::new(["x"]))
    /// #     .with_transition("a", "a", expr("x < 3").unwrap()).with_entrypoint("a").build().unwrap();
    /// let dot = app.graph().to_dot_with(&GraphOptions::new().conditions(true).state(true));
    /// assert!(dot.contains("label=\"x < 3\""));
    /// assert!(dot.contains("a(): x"));
    /// ```
    pub fn to_dot_with(&self, options: &GraphOptions) -> String {
        let picture = Picture::of(self, options);
        let mut out = String::from("digraph {\n");
        out.push_str("\tgraph [compound=false concentrate=false rankdir=TB ranksep=0.4]\n");
        for n in &picture.nodes {
            let style = match n.kind {
                NodeKind::Action => {
                    "fillcolor=\"#b4d8e4\" fontname=Helvetica margin=0.15 shape=box style=\"rounded,filled\""
                }
                NodeKind::Input => "fontname=Helvetica margin=0.15 shape=rect style=dashed",
            };
            let _ = writeln!(
                out,
                "\t\"{}\" [label=\"{}\" {style}]",
                dot_escape(&n.id),
                dot_escape(&n.label)
            );
        }
        for e in &picture.edges {
            let (from, to) = (&picture.nodes[e.from], &picture.nodes[e.to]);
            let mut attrs = Vec::new();
            if from.kind == NodeKind::Action {
                attrs.push(format!(
                    "style={}",
                    if e.dashed { "dashed" } else { "solid" }
                ));
            }
            if let Some(label) = &e.label {
                attrs.push(format!("label=\"{}\"", dot_escape(label)));
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(" "))
            };
            let _ = writeln!(
                out,
                "\t\"{}\" -> \"{}\"{attrs}",
                dot_escape(&from.id),
                dot_escape(&to.id)
            );
        }
        out.push_str("}\n");
        out
    }
}
