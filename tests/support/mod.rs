//! What the cross-crate tests share: burr-tracking's helpers that start Apache Burr's
//! server, and skipping when it is missing.
#![allow(dead_code)]

#[path = "../../burr-tracking/tests/support/burr_server.rs"]
pub(crate) mod burr_server;
#[path = "../../burr-tracking/tests/support/http.rs"]
pub(crate) mod http;
#[path = "../../burr-tracking/tests/support/python.rs"]
pub(crate) mod python;

/// Skips the test `what` because `why`: prints "skipping: ..." and returns `None`, or
/// panics when `BURR_REQUIRE_SERVICES=1`.
pub(crate) fn skip<T>(what: &str, why: impl std::fmt::Display) -> Option<T> {
    assert!(
        std::env::var("BURR_REQUIRE_SERVICES").as_deref() != Ok("1"),
        "{what} cannot run (BURR_REQUIRE_SERVICES=1): {why}"
    );
    eprintln!("skipping: {what}: {why}");
    None
}

/// An example's binary, built by `cargo test` beside the test binaries (with the features
/// it requires).
pub(crate) fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the target directory");
    let path = debug.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test --all-features` builds the examples",
        path.display()
    );
    path
}
