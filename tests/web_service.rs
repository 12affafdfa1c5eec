//! The `web_service` example as a user runs it with `--demo`: requests continue one
//! conversation (resumed from SQLite by its id), two at once taking turns, and the tracking UI
//! answers under `/burr`.
#![cfg(feature = "server")]

mod support;

use std::path::PathBuf;
use std::process::Command;

fn example() -> PathBuf {
    support::example("web_service")
}

#[test]
fn two_requests_continue_one_tracked_conversation() {
    let root = tempfile::tempdir().unwrap();
    let out = Command::new(example())
        .arg("--demo")
        .env("BURR_PATH", root.path())
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("turn 1 ("), "{stdout}");
    assert!(stdout.contains("turn 2 ("), "{stdout}");
    assert!(stdout.contains("turn 3 ("), "{stdout}");
    assert!(stdout.contains("/burr/ (status 200)"), "{stdout}");
    let apps = burr::tracking::read::list_apps(root.path(), "web_service").unwrap();
    assert_eq!(apps.len(), 1, "one conversation, one application");
    let logs = burr::tracking::read::read_app(root.path(), "web_service", &apps[0].app_id).unwrap();
    let actions: Vec<&str> = (logs.steps.iter())
        .map(|s| s.step_start_log.action.as_str())
        .collect();
    // Two requests at once on one conversation took turns: three whole turns, in order.
    assert_eq!(
        actions,
        [
            "user_input",
            "respond",
            "user_input",
            "respond",
            "user_input",
            "respond"
        ]
    );
}
