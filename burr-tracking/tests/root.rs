//! The tracking root: `BURR_PATH`, with a leading `~/` expanded to the home directory, is where
//! the tracking client writes, where the loader reads, and what the `burr` command serves
//! (`tests/burr_command.rs`).
//!
//! A test cannot change its own environment safely, so the checks run in a child process of
//! this test binary, started with `HOME` and `BURR_PATH` set.

use std::process::Command;

use burr_core::{ApplicationBuilder, Input, default, halt_after, inputs};
use burr_tracking::layout::{self, RootSource};
use burr_tracking::{LocalTrackingClient, TrackingLoader, default_root, load_state};

const CHILD_ENV: &str = "BURR_ROOT_CHILD";

/// In the child: `HOME` is a fresh directory and `BURR_PATH` is `~/tracked`.
#[test]
fn child_process_entry() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let expected = std::env::home_dir().expect("HOME is set").join("tracked");
    let root = layout::resolve_root().expect("BURR_PATH is set");
    assert_eq!(
        (root.path.as_path(), root.source),
        (expected.as_path(), RootSource::Env)
    );
    assert_eq!(default_root(), expected);
    let tracker = LocalTrackingClient::new("p").expect("valid project");
    assert_eq!(tracker.storage_dir(), expected);
    assert_eq!(
        TrackingLoader::new("p").expect("valid project").root(),
        expected
    );

    let mut app = ApplicationBuilder::new()
        .with_action("ask", Input::new(["question"]))
        .with_transition("ask", "ask", default())
        .with_entrypoint("ask")
        .with_app_id("app-1")
        .with_tracker(tracker)
        .build()
        .expect("the application builds");
    app.run(halt_after(["ask"]), inputs! { question: "where?" })
        .expect("the step runs");
    let loaded = load_state(&default_root(), "p", "app-1", None).expect("the step reloads");
    assert_eq!(loaded.position, "ask");
}

#[test]
fn a_tilde_in_burr_path_is_the_home_directory() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .env("HOME", home.path())
        .env("BURR_PATH", "~/tracked")
        .env_remove("burr_path")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The child's application wrote under the home directory, not under a folder named `~`.
    assert!(home.path().join("tracked/p/app-1/log.jsonl").is_file());
    assert!(!std::env::current_dir().unwrap().join("~").exists());
}
