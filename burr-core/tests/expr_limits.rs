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
