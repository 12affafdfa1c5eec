//! Temporary tracking roots and the files the tests put in them.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// `tests/fixtures`: Python scripts and golden files.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Writes application `project/app_id` under `root`: its directory and the files given as
/// `(name, content)`. Returns the application's directory.
pub(crate) fn write_app(
    root: &Path,
    project: &str,
    app_id: &str,
    files: &[(&str, &[u8])],
) -> PathBuf {
    let dir = root.join(project).join(app_id);
    fs::create_dir_all(&dir).unwrap();
    for (name, content) in files {
        fs::write(dir.join(name), content).unwrap();
    }
    dir
}

/// A temporary root holding one application, `p/a`, whose `log.jsonl` is `log`.
pub(crate) fn root_with_log(log: &[u8]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    write_app(root.path(), "p", "a", &[("log.jsonl", log)]);
    root
}

/// Copies the directory tree `from` to `to`.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A name (of a table, a key namespace, an application) that no other test run uses.
pub(crate) fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The number in the environment variable `var`, else `default` (to size the heavy tests).
pub(crate) fn env_count(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
