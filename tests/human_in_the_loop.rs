//! The `human_in_the_loop` example as a user runs it: one process suspends and exits, a new
//! process resumes it from the SQLite file; the journaled model call runs once in all.

mod support;

use std::path::PathBuf;
use std::process::Command;

fn example() -> PathBuf {
    support::example("human_in_the_loop")
}

fn run(args: &[&str], burr_path: &std::path::Path) -> (bool, String, String) {
    let out = Command::new(example())
        .args(args)
        .env("BURR_PATH", burr_path)
        .output()
        .expect("the example runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn suspends_in_one_process_and_resumes_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("steps.sqlite");
    let db = db.to_str().unwrap();
    let burr = dir.path().join("burr");

    let (ok, stdout, stderr) = run(&["--db", db], &burr);
    assert!(ok, "{stderr}");
    let line: Vec<&str> = stdout.trim().split(' ').collect();
    let ["suspended", app_id, "approval"] = line[..] else {
        panic!("unexpected output: {stdout:?}")
    };
    assert_eq!(stderr.matches("calling the model").count(), 1, "{stderr}");

    let (ok, stdout, stderr) = run(&["--db", db, "resume", app_id, "approve"], &burr);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let state: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(state["decision"], "approve");
    assert_eq!(state["model_called_again"], false);
    assert!(state["outcome"].as_str().unwrap().starts_with("sent: "));
    assert!(state.get("__suspended").is_none());
    assert!(!stderr.contains("calling the model"), "{stderr}");

    // Resuming again: nothing waits any more.
    let (ok, _, stderr) = run(&["--db", db, "resume", app_id, "approve"], &burr);
    assert!(!ok);
    assert!(stderr.contains("is not waiting"), "{stderr}");
    // Both processes tracked the same application.
    let log = std::fs::read_to_string(
        burr.join("human_in_the_loop")
            .join(app_id)
            .join("log.jsonl"),
    )
    .unwrap();
    assert_eq!(log.matches("\"type\":\"end_entry\"").count(), 3, "{log}");
}
