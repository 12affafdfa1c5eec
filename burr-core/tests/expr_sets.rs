//! Set literals have Python's set semantics, while their JSON form stays an array.

use burr_core::expr::Expr;
use serde_json::{Value, json};

fn ev(src: &str) -> Value {
    let scope = json!({"xs": [1, 2], "s": "ab"});
    Expr::parse(src)
        .unwrap_or_else(|e| panic!("{e}"))
        .eval(&scope)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn err(src: &str) -> String {
    Expr::parse(src)
        .unwrap()
        .eval(&json!({"xs": [1, 2]}))
        .unwrap_err()
        .message
}

#[test]
fn sets_compare_as_sets() {
    for (src, want) in [
        ("{2, 1} == {1, 2}", true),
        ("{2, 1} != {1, 2}", false),
        ("{1, 2, 2} == {2, 1}", true),
        ("{1, 1.0, True} == {1}", true),
        ("{1, 2} == {1, 3}", false),
        ("{3} < {1, 2, 3}", true),
        ("{1, 2, 3} < {1, 2, 3}", false),
        ("{1, 2, 3} <= {3, 2, 1}", true),
        ("{1, 2, 3} > {2}", true),
        ("{1, 2} >= {2, 1}", true),
        ("{1} < {2}", false),
        ("{1} > {2}", false),
        ("{1} <= {2}", false),
        ("{1} >= {2}", false),
        ("2 in {1, 2}", true),
        ("3 not in {1, 2}", true),
        ("'a' in {'a', 'b'}", true),
        ("{1, 2} is {2, 1}", true),
        ("{2, 1} in [{1, 2}]", false),
    ] {
        assert_eq!(ev(src), json!(want), "{src}");
    }
}

#[test]
fn a_set_never_equals_a_list_and_does_not_order_against_one() {
    assert_eq!(ev("{1} == [1]"), json!(false));
    assert_eq!(ev("{1, 2} != xs"), json!(true));
    assert_eq!(ev("{1} == (1,)"), json!(false));
    assert!(err("{1} < [1, 2]").contains("`set` and `list`"));
    assert!(err("xs <= {1, 2}").contains("`list` and `set`"));
    assert!(err("[1] in {1}").contains("unhashable type: `list`"));
    assert!(err("{1} in {1}").contains("unhashable type: `set`"));
    assert!(err("{1} in {'a': 1}").contains("unhashable type: `set`"));
    assert!(err("{1} not in {'a': 1}").contains("unhashable type: `set`"));
}

#[test]
fn sets_are_arrays_in_json_and_work_with_the_builtins() {
    assert_eq!(ev("{3, 1, 3}"), json!([3, 1]));
    assert_eq!(ev("[{2, 1}]"), json!([[2, 1]]));
    assert_eq!(ev("len({1, 1, 2})"), json!(2));
    assert_eq!(ev("max({1, 3, 2})"), json!(3));
    assert_eq!(ev("sum({1, 2, 2})"), json!(3));
    assert_eq!(ev("str({1, 'a'})"), json!("{1, 'a'}"));
    assert_eq!(ev("all({1, 2}) and any({0, 1})"), json!(true));
    assert!(err("{1, 2}[0]").contains("`set` object is not subscriptable"));
    assert!(err("{1} + {2}").contains("`set` and `set`"));
}
