//! What the tracked examples share: the line that tells how to open their run in the UI.

/// The last line of a tracked example: how to open `project` in the tracking UI.
pub(crate) fn how_to_open(project: &str) -> String {
    format!(
        "open it in the UI: cargo run --release -p burr-tracking --bin burr  (project {project:?})"
    )
}

/// Prints [`how_to_open`] on standard output.
#[allow(
    dead_code,
    reason = "the example whose output is read by scripts prints it on standard error"
)]
pub(crate) fn print_how_to_open(project: &str) {
    println!("{}", how_to_open(project));
}
