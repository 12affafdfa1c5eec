//! The pictures of every example's graph, of the demo projects and of Apache Burr's own demo
//! apps: each tracked graph, read back from its `graph.json`, draws as well-formed SVG naming
//! every action and as Mermaid declaring every action and transition.

#![cfg(feature = "tracking")]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use burr::graph::GraphOptions;
use burr::tracking::read::{list_apps, list_projects, read_app_graph};

/// The examples that track, and the arguments they need.
const TRACKED_EXAMPLES: [(&str, &[&str]); 10] = [
    ("chatbot", &[]),
    ("counter-tracked", &[]),
    ("debugging", &[]),
    ("parallel", &[]),
    ("persistence", &[]),
    ("retries", &[]),
    ("streaming", &[]),
    ("tracing", &[]),
    ("typed_chatbot", &[]),
    ("human_in_the_loop", &["--db", "approvals.db"]),
];

fn example(name: &str) -> PathBuf {
    support::example(name)
}

/// Draws the graph of every app under `root`; returns how many were drawn.
fn draw_every_app(root: &Path) -> usize {
    let mut drawn = 0;
    for project in list_projects(root).unwrap() {
        for app in list_apps(root, &project.name).unwrap() {
            let graph = read_app_graph(root, &project.name, &app.app_id)
                .unwrap_or_else(|e| panic!("{}/{}: {e}", project.name, app.app_id))
                .to_graph();
            let what = format!("{}/{}", project.name, app.app_id);
            for options in [
                GraphOptions::new(),
                GraphOptions::new().conditions(true).state(true),
            ] {
                let svg = graph
                    .to_svg_with(&options)
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let doc = roxmltree::Document::parse(&svg)
                    .unwrap_or_else(|e| panic!("{what}: the SVG is not well-formed: {e}"));
                let texts: Vec<&str> = doc
                    .descendants()
                    .filter_map(|n| n.text())
                    .map(str::trim)
                    .collect();
                for a in &graph.actions {
                    assert!(
                        texts.iter().any(|t| t.starts_with(a.name.as_str())),
                        "{what}: action {} is not drawn",
                        a.name
                    );
                }
                let mermaid = graph.to_mermaid_with(&options);
                for (i, a) in graph.actions.iter().enumerate() {
                    assert!(
                        mermaid.contains(&format!("n{i}(\"{}", a.name)),
                        "{what}: {} is not declared in\n{mermaid}",
                        a.name
                    );
                }
                let edges = mermaid
                    .lines()
                    .filter(|l| l.contains("-->") || l.contains("-.->"))
                    .count();
                assert!(edges >= graph.transitions.len(), "{what}: {mermaid}");
            }
            drawn += 1;
        }
    }
    drawn
}

#[test]
fn every_tracked_example_graph_draws() {
    let root = tempfile::tempdir().unwrap();
    for (name, args) in TRACKED_EXAMPLES {
        let out = Command::new(example(name))
            .args(args)
            .current_dir(root.path())
            .env("BURR_PATH", root.path())
            .output()
            .expect("the example runs");
        assert!(
            out.status.success(),
            "{name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Every tracked example ends with the same line, naming the project it wrote.
        // (On standard error for the example whose standard output scripts read.)
        let text = if name == "human_in_the_loop" {
            &out.stderr
        } else {
            &out.stdout
        };
        let text = String::from_utf8_lossy(text);
        let last = text.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("open it in the UI: ")
                && last.contains(&format!(
                    "(project \"{}\")",
                    name.replace("counter-tracked", "counter")
                )),
            "{name} ends with {last:?}"
        );
    }
    // Projects are named after the examples, not after Apache Burr's demo projects.
    for project in list_projects(root.path()).unwrap() {
        assert!(!project.name.starts_with("demo_"), "{}", project.name);
    }
    let drawn = draw_every_app(root.path());
    assert!(
        drawn >= TRACKED_EXAMPLES.len(),
        "only {drawn} apps were tracked"
    );
}

#[cfg(feature = "server")]
#[test]
fn the_demo_projects_graphs_draw() {
    let root = tempfile::tempdir().unwrap();
    burr::tracking::demo::write_demo_projects(root.path()).unwrap();
    assert!(draw_every_app(root.path()) >= 2);
}

/// Apache Burr's own demo apps, shipped in its Python package (installed by `.ci/setup`).
#[test]
fn apache_burr_demo_graphs_draw() {
    let found = Command::new("python3")
        .args([
            "-c",
            "import burr, os; print(os.path.join(os.path.dirname(burr.__file__), 'tracking', 'server', 'demo_data'))",
        ])
        .output();
    let dir = match found {
        Ok(out) if out.status.success() => {
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        _ => {
            assert!(
                std::env::var("BURR_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "Apache Burr is not installed (BURR_REQUIRE_SERVICES=1): run .ci/setup"
            );
            eprintln!("skipping: Apache Burr is not installed (python3 -c 'import burr' fails)");
            return;
        }
    };
    assert!(draw_every_app(&dir) >= 10, "Burr's demo data has its apps");
}
