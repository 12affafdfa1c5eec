//! The picture of a [`Graph`] in SVG, laid out in pure Rust (no Graphviz to install).

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::{Graph, GraphOptions, NodeKind, Picture};

/// Font size of the labels, in pixels.
const FONT: usize = 14;
/// Fill of an action's box, as Burr draws it (RGBA).
const ACTION_FILL: u32 = 0xb4d8_e4ff;
/// Longest label drawn, in characters; longer ones are cut with `…`.
const MAX_LABEL: usize = 120;

/// The layout of a graph failed (an input the layout engine does not handle).
///
/// # Examples
///
/// ```
/// let e = burr_core::RenderError { message: "no layout".into() };
/// assert_eq!(e.to_string(), "could not lay out the graph: no layout");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not lay out the graph: {}", self.message)
    }
}

impl std::error::Error for RenderError {}

/// `label` on one line and at most [`MAX_LABEL`] characters.
fn one_line(label: &str) -> String {
    let flat: String = label
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= MAX_LABEL {
        return flat;
    }
    let mut cut: String = flat.chars().take(MAX_LABEL - 1).collect();
    cut.push('…');
    cut
}

impl Graph {
    /// The graph as an SVG document: actions as filled boxes, inputs as plain ones, default
    /// transitions solid and conditional ones dashed, laid out top to bottom. No system
    /// package is needed. Labels are escaped, so any action name or condition is safe to
    /// embed in a page.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input, ResultAction, expr};
    /// let app = ApplicationBuilder::new()
    ///     .with_action("ask", Input::new(["question"]))
    ///     .with_action("answer", ResultAction::new(["question"]))
    ///     .with_transition("ask", "answer", expr("question != ''").unwrap())
    ///     .with_entrypoint("ask")
    ///     .build()
    ///     .unwrap();
    /// let svg = app.graph().to_svg().unwrap();
    /// assert!(svg.contains("<svg") && svg.contains(">ask<") && svg.contains(">answer<"));
    /// ```
    pub fn to_svg(&self) -> Result<String, RenderError> {
        self.to_svg_with(&GraphOptions::default())
    }

    /// The graph as SVG with options (condition labels, state, inputs).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::{ApplicationBuilder, Input, GraphOptions, expr};
    /// # let app = ApplicationBuilder::new().with_action("a", Input::new(["x"]))
    /// #     .with_transition("a", "a", expr("x < 3").unwrap()).with_entrypoint("a").build().unwrap();
    /// let svg = app.graph().to_svg_with(&GraphOptions::new().conditions(true)).unwrap();
    /// assert!(svg.contains("x &lt; 3"));
    /// ```
    pub fn to_svg_with(&self, options: &GraphOptions) -> Result<String, RenderError> {
        let picture = Picture::of(self, options);
        // The layout engine asserts on inputs it does not expect: its failure is an error of
        // this call, not of the program.
        catch_unwind(AssertUnwindSafe(|| draw(&picture))).map_err(|panic| RenderError {
            message: panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "the layout engine failed".into()),
        })
    }
}

fn draw(picture: &Picture) -> String {
    let mut graph = VisualGraph::new(Orientation::TopToBottom);
    let handles: Vec<_> = picture
        .nodes
        .iter()
        .map(|n| {
            let shape = ShapeKind::new_box(&one_line(&n.label));
            let look = match n.kind {
                NodeKind::Action => StyleAttr::new(
                    Color::fast("black"),
                    1,
                    Some(Color::new(ACTION_FILL)),
                    8,
                    FONT,
                ),
                NodeKind::Input => StyleAttr::new(Color::fast("gray"), 1, None, 0, FONT),
            };
            let size = get_shape_size(Orientation::LeftToRight, &shape, FONT, false);
            graph.add_node(Element::create(shape, look, Orientation::LeftToRight, size))
        })
        .collect();
    for e in &picture.edges {
        let style = if e.dashed {
            LineStyleKind::Dashed
        } else {
            LineStyleKind::Normal
        };
        let label = e.label.as_deref().map(one_line).unwrap_or_default();
        let arrow = Arrow::new(
            LineEndKind::None,
            LineEndKind::Arrow,
            style,
            &label,
            &StyleAttr::new(Color::fast("black"), 1, None, 0, FONT - 2),
            &None,
            &None,
        );
        graph.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    let mut svg = SVGWriter::new();
    graph.do_it(false, false, false, &mut svg);
    svg.finalize()
}
