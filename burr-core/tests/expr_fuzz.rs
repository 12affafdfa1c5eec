//! Fuzzing the expression language: random token soups and random well-formed trees, deep
//! nesting and huge numbers included, parsed and evaluated on a thread with a 2 MiB stack.
//!
//! Nothing may panic, overflow the stack (which would abort this test binary: that is why the
//! cases run on a small-stack thread instead of relying on `catch_unwind`) or exhaust memory,
//! errors must point within the source, and `eval` and `eval_bool` must agree. (That the tree
//! holds everything its source says is checked by the crate's unit tests, which parse a
//! canonical printing of the tree back: `Display` shows the source as written.)
//!
//! The run is deterministic (a fixed seed) and small enough for every test run. For a longer
//! run, set `BURR_FUZZ_CASES` (cases per generator, default 2,000) and optionally
//! `BURR_FUZZ_SEED` (any integer, default 0) to explore other inputs:
//!
//! ```sh
//! BURR_FUZZ_CASES=1000000 cargo test --release -p burr-core --test expr_fuzz
//! ```

use burr_core::expr::{Expr, ExprErrorKind, MAX_DEPTH};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};

/// Tokens of the soups: every operator and bracket, keywords, names of the scope, builtins,
/// and numbers at the edges of the integer and float ranges.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not",
    "is",
    "and",
    "or",
    "if",
    "else",
    "for",
    "lambda",
    "=",
    ":=",
    "x",
    "s",
    "l",
    "d",
    "big",
    "neg",
    "f",
    "none",
    "deep",
    "a",
    "len",
    "abs",
    "min",
    "max",
    "sum",
    "all",
    "any",
    "str",
    "int",
    "float",
    "bool",
    "0",
    "1",
    "2",
    "-1",
    "7",
    "100000",
    "170141183460469231731687303715884105727",
    "18446744073709551615",
    "9223372036854775808",
    "1e308",
    "0.5",
    "-0.0",
    "'ab'",
    "''",
    "\"x\"",
    "True",
    "False",
    "None",
];

const NAMES: &[&str] = &["x", "s", "l", "d", "big", "neg", "f", "none", "deep"];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "3",
    "100000",
    "9223372036854775807",
    "18446744073709551615",
    "170141183460469231731687303715884105727",
    "2**63",
    "2**126",
    "1e308",
    "0.1",
    "'abc'",
    "''",
    "True",
    "None",
];

fn scope() -> Value {
    let mut deep = json!(1);
    for _ in 0..60 {
        deep = json!({"k": [deep]});
    }
    json!({
        "x": 3,
        "s": "burr",
        "l": [1, 2.5, "a", null, [1, 2]],
        "d": {"k": 1, "a": {"k": [1]}},
        "big": u64::MAX,
        "neg": i64::MIN,
        "f": 1e300,
        "none": null,
        "deep": deep,
    })
}

/// One case: parsing must not panic; a parsed expression must evaluate (to a value or an
/// error) without panicking, to the same truth value by both paths.
fn check(src: &str, scope: &Value) -> Result<Option<Expr>, TestCaseError> {
    let e = match Expr::parse(src) {
        Ok(e) => e,
        Err(err) => {
            let len = src.chars().count();
            prop_assert!(err.column >= 1 && err.column <= len + 1, "{src}: {err}");
            return Ok(None);
        }
    };
    let value = e.eval(scope);
    let truth = e.eval_bool(scope);
    // Both paths agree on success and on the kind of failure.
    match (&value, &truth) {
        (Ok(v), Ok(b)) => prop_assert_eq!(burr_core::expr::truthy(v), *b, "{}", src),
        (Err(a), Err(b)) => prop_assert_eq!(a.kind, b.kind, "{}", src),
        // A result JSON cannot hold (`2**100`, `inf`) still has a truth value.
        (Err(a), Ok(_)) => prop_assert_eq!(a.kind, ExprErrorKind::Eval, "{}", src),
        (Ok(_), Err(b)) => prop_assert!(false, "{src}: value but no truth: {b}"),
    }
    Ok(Some(e))
}

/// A well-formed expression of at most a few levels, as text.
fn tree() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        proptest::sample::select(NAMES).prop_map(str::to_string),
        proptest::sample::select(NUMBERS).prop_map(str::to_string),
    ];
    leaf.prop_recursive(6, 48, 3, |inner| {
        let op = proptest::sample::select(&[
            "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=", "in",
            "not in", "is", "is not", "and", "or",
        ][..]);
        let builtin = proptest::sample::select(BUILTINS);
        prop_oneof![
            4 => (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            1 => inner.clone().prop_map(|a| format!("(-{a})")),
            1 => inner.clone().prop_map(|a| format!("(not {a})")),
            2 => (builtin, inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            1 => (proptest::sample::select(&["min", "max", "sum", "int"][..]), inner.clone(), inner.clone())
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            1 => proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            1 => proptest::collection::vec(inner.clone(), 1..4).prop_map(|v| format!("{{{}}}", v.join(", "))),
            1 => proptest::collection::vec(inner.clone(), 1..3).prop_map(|v| format!("({},)", v.join(", "))),
            1 => inner.clone().prop_map(|a| format!("{{'k': {a}}}")),
            2 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})[{b}]")),
            1 => (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a})[{b}::{c}]")),
            1 => inner.clone().prop_map(|a| format!("({a}).k")),
            1 => (inner.clone(), inner.clone(), inner).prop_map(|(a, b, c)| format!("({a} < {b} <= {c})")),
        ]
    })
}

const BUILTINS: &[&str] = &[
    "len", "abs", "min", "max", "sum", "all", "any", "str", "int", "float", "bool",
];

/// Wraps `src` in `levels` nesting constructs, chosen by `kinds`.
fn wrap(mut src: String, kinds: &[u8]) -> String {
    for k in kinds {
        src = match k % 9 {
            0 => format!("({src})"),
            1 => format!("[{src}]"),
            2 => format!("{{'k': {src}}}"),
            3 => format!("abs({src})"),
            4 => format!("-{src}"),
            5 => format!("(not {src})"),
            6 => format!("2 ** {src}"),
            7 => format!("l[{src}]"),
            _ => format!("({src}).k"),
        };
    }
    src
}

fn cases() -> u32 {
    std::env::var("BURR_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000)
}

fn runner() -> TestRunner {
    let seed: u64 = std::env::var("BURR_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut bytes = [7u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Runs `f` on a thread with a 2 MiB stack: an overflow aborts the test binary.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn token_soups_never_panic() {
    on_small_stack(|| {
        let scope = scope();
        let soup = proptest::collection::vec(proptest::sample::select(TOKENS), 0..40);
        runner()
            .run(&soup, |tokens| check(&tokens.join(" "), &scope).map(drop))
            .unwrap();
    });
}

#[test]
fn deeply_nested_soups_never_overflow() {
    on_small_stack(|| {
        let scope = scope();
        let openers = proptest::sample::select(
            &["(", "[", "{", "abs(", "-", "not ", "l[", "2**", "{'k': "][..],
        );
        let soup = (
            proptest::collection::vec(openers, 0..400),
            proptest::collection::vec(proptest::sample::select(TOKENS), 0..10),
        );
        runner()
            .run(&soup, |(open, rest)| {
                let src = format!("{}x {}", open.concat(), rest.join(" "));
                check(&src, &scope).map(drop)
            })
            .unwrap();
    });
}

#[test]
fn well_formed_trees_parse_and_evaluate() {
    on_small_stack(|| {
        let scope = scope();
        let strategy = (
            tree(),
            proptest::collection::vec(any::<u8>(), 0..(MAX_DEPTH + 30)),
        );
        runner()
            .run(&strategy, |(src, kinds)| {
                let src = wrap(src, &kinds);
                match check(&src, &scope)? {
                    Some(_) => Ok(()),
                    None => {
                        // A well-formed expression is refused only for its depth.
                        let err = Expr::parse(&src).unwrap_err();
                        prop_assert_eq!(err.kind, ExprErrorKind::TooDeep, "{}: {}", src, err);
                        Ok(())
                    }
                }
            })
            .unwrap();
    });
}
