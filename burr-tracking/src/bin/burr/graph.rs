//! `burr graph PROJECT APP_ID`: the graph of a tracked application as SVG, Mermaid or DOT.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use burr_core::GraphOptions;
use burr_tracking::read::read_app_graph;

/// The formats `burr graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// An SVG picture, laid out without Graphviz.
    Svg,
    /// A Mermaid flowchart, for Markdown pages.
    Mermaid,
    /// Graphviz DOT text.
    Dot,
}

/// Draws the graph of a tracked application (from its `graph.json`).
#[derive(Debug, clap::Args)]
pub(crate) struct GraphArgs {
    /// The project the application is tracked in.
    project: String,
    /// The application's id.
    app_id: String,
    /// What to write.
    #[arg(long, value_enum, default_value_t = Format::Svg)]
    format: Format,
    /// Label conditional transitions with their condition.
    #[arg(long)]
    conditions: bool,
    /// Label actions with the state keys they read and write.
    #[arg(long)]
    state: bool,
    /// Leave out the runtime inputs.
    #[arg(long)]
    no_inputs: bool,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `burr graph` over the tracking folder `root`.
pub(crate) fn run(root: &Path, args: &GraphArgs) -> ExitCode {
    let model = match read_app_graph(root, &args.project, &args.app_id) {
        Ok(model) => model,
        Err(err) if err.is_not_found() => {
            eprintln!(
                "burr graph: no application {:?} in project {:?} under {} (or it has no graph.json)",
                args.app_id,
                args.project,
                root.display()
            );
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("burr graph: {err}");
            return ExitCode::FAILURE;
        }
    };
    let graph = model.to_graph();
    let options = GraphOptions::new()
        .conditions(args.conditions)
        .state(args.state)
        .inputs(!args.no_inputs);
    let text = match args.format {
        Format::Svg => match graph.to_svg_with(&options) {
            Ok(svg) => svg,
            Err(err) => {
                eprintln!("burr graph: {err}");
                return ExitCode::FAILURE;
            }
        },
        Format::Mermaid => graph.to_mermaid_with(&options),
        Format::Dot => graph.to_dot_with(&options),
    };
    let written = match &args.output {
        Some(path) => {
            std::fs::write(path, text.as_bytes()).map_err(|e| (path.display().to_string(), e))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| ("standard output".to_string(), e))
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err((to, err)) => {
            eprintln!("burr graph: cannot write to {to}: {err}");
            ExitCode::FAILURE
        }
    }
}
