//! The picture of a [`Graph`] in Graphviz DOT, and its [`DotOptions`].

use std::fmt::Write as _;

use super::Graph;

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
}
