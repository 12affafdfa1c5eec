//! Compile-time behaviour of the attributes: what must compile, and the exact errors for
//! what must not (`TRYBUILD=overwrite cargo test -p burr-macros --test ui` re-blesses).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/action/pass/*.rs");
    t.compile_fail("tests/ui/action/fail/*.rs");
    t.pass("tests/ui/trace/pass/*.rs");
    t.compile_fail("tests/ui/trace/fail/*.rs");
    t.pass("tests/ui/typed/pass/*.rs");
    t.compile_fail("tests/ui/typed/fail/*.rs");
}
