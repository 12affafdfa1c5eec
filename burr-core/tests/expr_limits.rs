//! The expression language's limits: integer arithmetic that cannot overflow into a panic,
//! bounded nesting, and a bounded amount of memory built by one evaluation.

use burr_core::expr::Expr;
use burr_core::*;
use serde_json::{Value, json};

fn eval(src: &str, scope: &Value) -> Result<Value, burr_core::expr::ExprError> {
    Expr::parse(src)
        .unwrap_or_else(|e| panic!("{e}"))
        .eval(scope)
}

#[test]
fn slice_steps_near_the_integer_limits_do_not_overflow() {
    let scope = json!({"items": [1, 2, 3], "s": "abc"});
    let max = i128::MAX;
    let min = i128::MIN + 1;
    for (src, want) in [
        (format!("items[1::{max}]"), json!([2])),
        (format!("items[::{max}]"), json!([1])),
        (format!("items[-1::-{max}]"), json!([3])),
        (format!("items[::-{max}]"), json!([3])),
        (format!("items[{min}:{max}:{max}]"), json!([1])),
        (format!("items[{max}:{min}:-{max}]"), json!([3])),
        (format!("s[1::{max}]"), json!("b")),
        (format!("s[::-{max}]"), json!("c")),
    ] {
        assert_eq!(eval(&src, &scope).unwrap(), want, "{src}");
    }
}

#[test]
fn a_slice_step_computed_from_state_does_not_panic_a_step() {
    let noop = || {
        FnAction::new(["items", "big"], Vec::<String>::new(), |s, _, _| {
            Ok::<_, ActionError>(s)
        })
    };
    let mut app = ApplicationBuilder::new()
        .with_action("a", noop())
        .with_action("b", noop())
        .with_transition(
            "a",
            "b",
            expr("len(items[1::big*18446744073709551615-1+big]) > 0").unwrap(),
        )
        .with_state(
            State::new()
                .update("items", json!([1, 2, 3]))
                .update("big", 1u64 << 63),
        )
        .with_entrypoint("a")
        .build()
        .unwrap();
    assert_eq!(app.step().unwrap().unwrap().action, "a");
    assert_eq!(app.step().unwrap().unwrap().action, "b");
}

/// Runs `f` on a thread with a 2 MiB stack, the size Rust gives spawned threads: a stack
/// overflow there aborts the whole test binary, which `catch_unwind` could not catch.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// A construct's name, its source nesting some levels deep, and the column of the token
/// that opens a given level (1-based).
type Nesting = (&'static str, String, fn(usize) -> usize);

/// Every construct that nests, `n` levels deep.
fn nestings(n: usize) -> Vec<Nesting> {
    let r = |s: &str, k: usize| s.repeat(k);
    vec![
        ("parens", format!("{}x{} == 1", r("(", n), r(")", n)), |k| k),
        ("lists", format!("{}1{}", r("[", n), r("]", n)), |k| k),
        ("dicts", format!("{}1{}", r("{'a': ", n), r("}", n)), |k| {
            6 * k - 5
        }),
        ("sets", format!("{}1{}", r("{", n), r("}", n)), |k| k),
        ("tuples", format!("{}1{}", r("(1, ", n), r(")", n)), |k| {
            4 * k - 3
        }),
        ("calls", format!("{}1{}", r("abs(", n), r(")", n)), |k| {
            4 * k
        }),
        (
            "calls of two",
            format!("{}1{}", r("max(1, ", n), r(")", n)),
            |k| 7 * k - 3,
        ),
        ("unary minus", format!("{}x", r("-", n)), |k| k),
        ("unary plus", format!("{}x", r("+", n)), |k| k),
        ("not", format!("{}x", r("not ", n)), |k| 4 * k - 3),
        ("powers", format!("{}1", r("x**", n)), |k| 3 * k - 1),
        (
            "nested subscripts",
            format!("{}0{}", r("l[", n), r("]", n)),
            |k| 2 * k,
        ),
        (
            "nested slices",
            format!("{}1{}", r("l[", n), r(":]", n)),
            |k| 2 * k,
        ),
        ("subscript chains", format!("l{}", r("[0]", n)), |k| {
            3 * k - 1
        }),
        ("attribute chains", format!("o{}", r(".a", n)), |k| {
            2 * k + 1
        }),
        ("sums", format!("x{}", r(" + x", n)), |k| 4 * k - 1),
        ("products", format!("x{}", r(" * x", n)), |k| 4 * k - 1),
        ("differences", format!("x{}", r(" - 1", n)), |k| 4 * k - 1),
    ]
}

fn deep_scope() -> Value {
    json!({"x": 1, "l": [0], "o": {"a": {"a": 1}}})
}

#[test]
fn every_nesting_construct_at_the_limit_parses_and_evaluates_on_a_small_stack() {
    on_small_stack(|| {
        let scope = deep_scope();
        for (what, src, _) in nestings(expr::MAX_DEPTH) {
            let e = Expr::parse(&src).unwrap_or_else(|err| panic!("{what}: {err}"));
            let copy = e.clone();
            assert_eq!(copy, e);
            // Evaluation may fail (a set of sets, a missing key), but not for depth.
            if let Err(err) = e.eval(&scope) {
                assert_eq!(err.kind, expr::ExprErrorKind::Eval, "{what}: {err}");
            }
            let _ = copy.eval_bool(&scope);
            drop((e, copy));
        }
        // The flat chains do not nest, however long the source limit lets them be.
        let long = |sep: &str| vec!["x"; 10_000].join(sep);
        for src in [long(" and "), long(" or "), long(" < "), long(", ")] {
            Expr::parse(&src).unwrap().eval(&scope).unwrap();
        }
    });
}

#[test]
fn nesting_past_the_limit_is_a_typed_error_at_the_token_that_passes_it() {
    on_small_stack(|| {
        for n in [expr::MAX_DEPTH + 1, 3000] {
            for (what, src, col) in nestings(n) {
                let err = Expr::parse(&src).unwrap_err();
                assert_eq!(err.kind, expr::ExprErrorKind::TooDeep, "{what}: {err}");
                assert_eq!(err.column, col(expr::MAX_DEPTH + 1), "{what}: {err}");
                assert!(err.message.contains("deeper than 100 levels"), "{err}");
            }
        }
    });
}

#[test]
fn a_too_deep_condition_is_refused_when_it_is_built() {
    let src = format!("{}1{} == 1", "(".repeat(3000), ")".repeat(3000));
    let err = on_small_stack(move || expr(&src).unwrap_err().to_string());
    assert!(err.contains("deeper than"), "{err}");
}

#[test]
fn a_source_past_the_limit_is_a_typed_error_at_the_first_byte_past_it() {
    let max = expr::MAX_SOURCE_BYTES;
    // A set literal of distinct items, `n` bytes long: the largest work a source can ask for.
    let items = |n: usize| {
        let mut src = String::from("{0");
        let mut i = 1;
        while src.len() + format!(", {i}}}").len() <= n {
            src.push_str(&format!(", {i}"));
            i += 1;
        }
        src.push_str(&" ".repeat(n - src.len() - 1));
        src.push('}');
        src
    };
    let at_limit = items(max);
    assert_eq!(at_limit.len(), max);
    let e = Expr::parse(&at_limit).unwrap();
    assert!(e.eval_bool(&json!({})).unwrap());

    for (src, column) in [
        (format!("{at_limit} "), max + 1),
        (
            format!("{}{}", "x".repeat(max), " or y".repeat(100_000)),
            max + 1,
        ),
        // A character across the limit is the first one past it; columns count characters.
        (format!("'{}é'", "a".repeat(max - 2)), max),
        (format!("'{}'", "é".repeat(max)), max / 2 + 1),
    ] {
        let err = Expr::parse(&src).unwrap_err();
        assert_eq!(err.kind, expr::ExprErrorKind::TooLarge, "{err}");
        assert_eq!(err.column, column);
        assert!(err.message.contains("64 KiB"), "{}", err.message);
    }
    let err = expr(&format!("{at_limit} == x")).unwrap_err();
    assert!(err.to_string().contains("MAX_SOURCE_BYTES"), "{err}");
}

#[test]
fn a_string_slice_is_measured_and_charged_before_it_is_allocated() {
    // Characters of 2, 3, 4 and 1 bytes: a result built by pushing characters would have
    // grown past its length.
    let scope = json!({"s": "é€😀a".repeat(10_000)});
    for src in ["s[::-1]", "s[1::3]", "s[5:-5]", "s[::-2]"] {
        let Value::String(out) = eval(src, &scope).unwrap() else {
            panic!("{src}: not a string");
        };
        assert!(!out.is_empty());
        assert_eq!(out.capacity(), out.len(), "{src}");
    }
    // Past the budget, the slice is refused: 671 copies of `s` leave less than one.
    let src = "len(s * 671) + len(s[::-1])";
    too_large(src, &scope);
    assert_eq!(eval(src, &scope).unwrap_err().column, 21);
}

fn too_large(src: &str, scope: &Value) {
    let err = eval(src, scope).unwrap_err();
    assert_eq!(err.kind, expr::ExprErrorKind::TooLarge, "{src}: {err}");
    assert!(err.message.contains("64 MiB"), "{err}");
    let err = Expr::parse(src).unwrap().eval_bool(scope).unwrap_err();
    assert_eq!(err.kind, expr::ExprErrorKind::TooLarge, "{src}: {err}");
}

#[test]
fn values_built_by_one_evaluation_are_bounded() {
    let scope = json!({
        "row": vec![0; 100_000],
        "text": "x".repeat(1_000_000),
        "n": 10_000_000,
    });
    for src in [
        "[[0] * 10000000] * 10000000",
        "[[0] * 1000] * 100000",
        "[row] * 1000",
        "len([row, row, row, row, row, row, row, row, row, row] * 100)",
        "row * 1000",
        "row + row + row + row + row + row + row + row + row + row",
        "text * 100",
        "(text + text + text + text) * 20",
        "[text] * 100",
        "len(str([row] * 100))",
        "str(row * 10) * 10",
        "[text, text, text, text, text, text, text, text] * 10",
        "[text[::-1], text[::-1], text[::1], text[::1]] * 20",
        "row[::1] + row[::1] + row[::1] + row[::1] + row[::1] + row[::1] + row[::1]",
        "sum([row] * 10, []) * 10",
        "'ab' * n * n",
        "[1] * n * n",
        "[[[[0] * 100] * 100] * 100] * 100",
    ] {
        too_large(src, &scope);
    }
    // Below the limit, the same operations work, and the budget is per evaluation.
    let e = Expr::parse("len(text * 10) + len(row * 5) + len(str(row))").unwrap();
    for _ in 0..3 {
        assert_eq!(e.eval(&scope).unwrap(), 10_000_000 + 500_000 + 300_000);
    }
    assert_eq!(
        eval("len([] * n * n) + len('' * n * n)", &scope).unwrap(),
        0
    );
}

#[test]
fn an_oversized_condition_fails_the_step() {
    let noop = || {
        FnAction::new(["n"], Vec::<String>::new(), |s, _, _| {
            Ok::<_, ActionError>(s)
        })
    };
    let mut app = ApplicationBuilder::new()
        .with_action("a", noop())
        .with_action("b", noop())
        .with_transition("a", "b", expr("len([[0] * n] * n) > 0").unwrap())
        .with_state(State::new().update("n", 10_000_000))
        .with_entrypoint("a")
        .build()
        .unwrap();
    app.step().unwrap();
    let err = app.step().unwrap_err();
    assert!(matches!(err, Error::Condition { .. }), "{err}");
    assert!(err.to_string().contains("64 MiB"), "{err}");
}
