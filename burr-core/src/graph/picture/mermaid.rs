//! The picture of a [`Graph`] in Mermaid's flowchart syntax, for Markdown pages (GitHub,
//! GitLab and most documentation sites draw it).

use std::fmt::Write as _;

use super::{Graph, GraphOptions, NodeKind, Picture};

/// `s` as the text of a quoted Mermaid label: the characters Mermaid reads as syntax or
/// markup are written as its `#code;` entities, line breaks as spaces.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl Graph {
    /// The graph as a Mermaid flowchart, top to bottom: actions as rounded boxes, inputs as
    /// dashed ones, default transitions solid and conditional ones dashed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input, ResultAction, default};
    /// let app = ApplicationBuilder::new()
    ///     .with_action("ask", Input::new(["question"]))
    ///     .with_action("answer", ResultAction::new(["question"]))
    ///     .with_transition("ask", "answer", default())
    ///     .with_entrypoint("ask")
    ///     .build()
    ///     .unwrap();
    /// let text = app.graph().to_mermaid();
    /// assert!(text.starts_with("flowchart TD\n"));
    /// assert!(text.contains(r#"n0("ask")"#) && text.contains("n0 --> n1"));
    /// ```
    pub fn to_mermaid(&self) -> String {
        self.to_mermaid_with(&GraphOptions::default())
    }

    /// The graph as a Mermaid flowchart with options. Node ids are `n0`, `n1`...; names and
    /// conditions appear only in quoted labels, escaped, so any name is safe.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input, GraphOptions, expr};
    /// # let app = ApplicationBuilder::new().with_action("a", Input::new(["x"]))
    /// #     .with_transition("a", "a", expr("x < 3").unwrap()).with_entrypoint("a").build().unwrap();
    /// let text = app.graph().to_mermaid_with(&GraphOptions::new().conditions(true));
    /// assert!(text.contains(r#"n0 -.->|"x #lt; 3"| n0"#));
    /// ```
    pub fn to_mermaid_with(&self, options: &GraphOptions) -> String {
        let picture = Picture::of(self, options);
        let mut out = String::from("flowchart TD\n");
        let mut actions = Vec::new();
        let mut inputs = Vec::new();
        for (i, n) in picture.nodes.iter().enumerate() {
            let label = mermaid_escape(&n.label);
            match n.kind {
                NodeKind::Action => {
                    let _ = writeln!(out, "    n{i}(\"{label}\")");
                    actions.push(format!("n{i}"));
                }
                NodeKind::Input => {
                    let _ = writeln!(out, "    n{i}[\"{label}\"]");
                    inputs.push(format!("n{i}"));
                }
            }
        }
        for e in &picture.edges {
            let arrow = if e.dashed { "-.->" } else { "-->" };
            match &e.label {
                Some(label) => {
                    let _ = writeln!(
                        out,
                        "    n{} {arrow}|\"{}\"| n{}",
                        e.from,
                        mermaid_escape(label),
                        e.to
                    );
                }
                None => {
                    let _ = writeln!(out, "    n{} {arrow} n{}", e.from, e.to);
                }
            }
        }
        out.push_str("    classDef action fill:#b4d8e4,stroke:#333,color:#000\n");
        out.push_str("    classDef input fill:#fff,stroke:#888,stroke-dasharray:4 3,color:#000\n");
        if !actions.is_empty() {
            let _ = writeln!(out, "    class {} action", actions.join(","));
        }
        if !inputs.is_empty() {
            let _ = writeln!(out, "    class {} input", inputs.join(","));
        }
        out
    }
}
