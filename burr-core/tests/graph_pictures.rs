//! The pictures of a graph (DOT, Mermaid, SVG) on graphs of every shape: loops, cycles,
//! parallel edges, inputs shared by actions, unreachable actions, and hostile names.

use burr_core::{
    ApplicationBuilder, Graph, GraphOptions, Input, ResultAction, default, expr, when,
};

/// Every action's name appears as the text of an SVG element, and the document parses.
fn check_svg(graph: &Graph, options: &GraphOptions) -> String {
    let svg = graph.to_svg_with(options).expect("the graph is laid out");
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect();
    for a in &graph.actions {
        let shown = label(a, options).trim().to_string();
        assert!(
            texts.contains(&shown),
            "{shown:?} is not drawn; texts: {texts:?}"
        );
    }
    svg
}

fn label(a: &burr_core::ActionInfo, options: &GraphOptions) -> String {
    let name = if options.include_state {
        format!(
            "{}({}): {}",
            a.name,
            a.reads.join(", "),
            a.writes.join(", ")
        )
    } else {
        a.name.clone()
    };
    name.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The Mermaid text declares one node per action and one edge per transition, and no label
/// holds a character Mermaid would read as syntax or markup.
fn check_mermaid(graph: &Graph, options: &GraphOptions) -> String {
    let text = graph.to_mermaid_with(options);
    assert!(text.starts_with("flowchart TD\n"));
    let node_lines = text
        .lines()
        .filter(|l| l.trim_start().starts_with('n') && l.contains("(\""))
        .count();
    assert_eq!(node_lines, graph.actions.len(), "{text}");
    let edges = text
        .lines()
        .filter(|l| l.contains("-->") || l.contains("-.->"))
        .count();
    let inputs: usize = if options.include_inputs {
        graph
            .actions
            .iter()
            .map(|a| {
                a.inputs
                    .iter()
                    .filter(|i| !i.name.starts_with("__"))
                    .count()
            })
            .sum()
    } else {
        0
    };
    assert_eq!(edges, graph.transitions.len() + inputs, "{text}");
    for line in text.lines() {
        // Inside quotes, only entities: no raw markup, quote or pipe.
        for quoted in line.split('"').skip(1).step_by(2) {
            assert!(
                !quoted.contains(['<', '>', '|', '`', '\n']),
                "unescaped label {quoted:?} in {line:?}"
            );
        }
    }
    text
}

fn all_options() -> Vec<GraphOptions> {
    vec![
        GraphOptions::new(),
        GraphOptions::new().conditions(true),
        GraphOptions::new().state(true).conditions(true),
        GraphOptions::new().inputs(false),
    ]
}

fn check(graph: &Graph) {
    for options in all_options() {
        check_svg(graph, &options);
        check_mermaid(graph, &options);
        let dot = graph.to_dot_with(&options);
        assert!(dot.starts_with("digraph {") && dot.ends_with("}\n"));
    }
}

#[test]
fn a_loop_and_its_exit() {
    let app = ApplicationBuilder::new()
        .with_action("count", Input::new(["step"]))
        .with_action("done", ResultAction::new(["step"]))
        .with_transition("count", "count", expr("step < 10").unwrap())
        .with_transition("count", "done", default())
        .with_entrypoint("count")
        .build()
        .unwrap();
    check(app.graph());
    let svg = app
        .graph()
        .to_svg_with(&GraphOptions::new().conditions(true))
        .unwrap();
    assert!(
        svg.contains("step &lt; 10"),
        "the condition labels its edge"
    );
    assert!(
        svg.contains("stroke-dasharray"),
        "a conditional edge is dashed"
    );
}

#[test]
fn a_chatbot_with_modes_cycles_and_shared_inputs() {
    let mut b = ApplicationBuilder::new()
        .with_action("prompt", Input::new(["prompt"]))
        .with_action("decide_mode", Input::new(["prompt"]))
        .with_action("response", ResultAction::new(["prompt"]));
    for mode in ["chat", "code", "image", "unknown"] {
        b = b.with_action(mode, ResultAction::new(["prompt"]));
        b = b.with_transition("decide_mode", mode, when([("mode", mode)]).unwrap());
        b = b.with_transition(mode, "response", default());
    }
    let app = b
        .with_transition("prompt", "decide_mode", default())
        .with_transition("response", "prompt", default())
        .with_entrypoint("prompt")
        .build()
        .unwrap();
    check(app.graph());
    // The shared input is one node.
    let text = app.graph().to_mermaid();
    assert_eq!(text.matches("input: prompt").count(), 1, "{text}");
}

#[test]
fn parallel_edges_and_an_unreachable_action() {
    let app = ApplicationBuilder::new()
        .with_action("a", Input::new(["x"]))
        .with_action("b", ResultAction::new(["x"]))
        .with_action("island", ResultAction::new(["x"]))
        .with_transition("a", "b", expr("x > 1").unwrap())
        .with_transition("a", "b", !expr("x > 5").unwrap())
        .with_transition("b", "a", default())
        .with_entrypoint("a")
        .build()
        .unwrap();
    check(app.graph());
}

#[test]
fn hostile_names_are_escaped_in_every_format() {
    let names = [
        "<script>alert(1)</script>",
        "quote\"and'apos",
        "pipe|and#hash&amp;",
        "line\nbreak",
        "émoji 🦀 ünïcode",
        "back`tick",
        &"long".repeat(100),
    ];
    let mut b = ApplicationBuilder::new();
    for n in names {
        b = b.with_action(n, Input::new(["x"]));
    }
    for w in names.windows(2) {
        b = b.with_transition(w[0], w[1], expr("x == '<b>|\"'").unwrap());
    }
    let app = b.with_entrypoint(names[0]).build().unwrap();
    for options in all_options() {
        let svg = app.graph().to_svg_with(&options).unwrap();
        assert!(!svg.contains("<script>"), "markup is escaped in SVG");
        let text = check_mermaid(app.graph(), &options);
        assert!(!text.contains("<script>"));
    }
    // The long name is cut in the SVG, whole in the other formats.
    let svg = app.graph().to_svg().unwrap();
    assert!(svg.contains('…'));
    assert!(app.graph().to_dot().contains(&"long".repeat(100)));
}

#[test]
fn a_single_action_and_a_wide_fan_out() {
    let app = ApplicationBuilder::new()
        .with_action("only", Input::new(["x"]))
        .with_entrypoint("only")
        .build()
        .unwrap();
    check(app.graph());
    let mut b = ApplicationBuilder::new().with_action("root", Input::new(["x"]));
    for i in 0..40 {
        let name = format!("leaf{i}");
        b = b
            .with_action(&name, ResultAction::new(["x"]))
            .with_transition("root", &name, expr(&format!("x == {i}")).unwrap())
            .with_transition(&name, "root", default());
    }
    let app = b.with_entrypoint("root").build().unwrap();
    check(app.graph());
}
