//! Compile-time behaviour of `#[streaming_action]` (`TRYBUILD=overwrite cargo test -p
//! burr-macros --test streaming_ui` re-blesses).

#[test]
fn streaming_ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/streaming/pass/*.rs");
    t.compile_fail("tests/ui/streaming/fail/*.rs");
}
