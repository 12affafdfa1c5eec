use super::*;
use serde_json::{Map, json};

fn scope() -> Value {
    json!({
        "count": 3,
        "done": false,
        "name": "burr",
        "items": [1, 2, 3, 4],
        "empty": [],
        "user": {"name": "ada", "age": 36, "tags": ["x", "y"]},
        "f": 2.5,
        "none": null,
        "big": u64::MAX,
    })
}

fn ev(src: &str) -> Value {
    Expr::parse(src)
        .unwrap_or_else(|e| panic!("{e}"))
        .eval(&scope())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn parse_err(src: &str) -> ExprError {
    match Expr::parse(src) {
        Ok(e) => panic!("{src:?} parsed as {e:?}"),
        Err(e) => e,
    }
}

fn eval_err(src: &str) -> ExprError {
    match Expr::parse(src)
        .unwrap_or_else(|e| panic!("{e}"))
        .eval(&scope())
    {
        Ok(v) => panic!("{src:?} evaluated to {v}"),
        Err(e) => e,
    }
}

#[test]
fn literals() {
    assert_eq!(ev("1"), json!(1));
    assert_eq!(ev("1_000"), json!(1000));
    assert_eq!(ev("0x1F + 0o17 + 0b101"), json!(31 + 15 + 5));
    assert_eq!(ev("2.5"), json!(2.5));
    assert_eq!(ev(".5"), json!(0.5));
    assert_eq!(ev("1."), json!(1.0));
    assert_eq!(ev("1e3"), json!(1000.0));
    assert_eq!(ev("1.5E-1"), json!(0.15));
    assert_eq!(ev("'a'"), json!("a"));
    assert_eq!(ev("\"b\""), json!("b"));
    assert_eq!(
        ev(r#"'it\'s' + "\t\n\\" + '\x41\u00e9\101'"#),
        json!("it's\t\n\\AéA")
    );
    assert_eq!(ev(r"r'\n'"), json!("\\n"));
    assert_eq!(ev("'''tri'ple'''"), json!("tri'ple"));
    assert_eq!(ev("'a' 'b'"), json!("ab"));
    assert_eq!(ev("True"), json!(true));
    assert_eq!(ev("false"), json!(false));
    assert_eq!(ev("None"), json!(null));
    assert_eq!(ev("null"), json!(null));
    assert_eq!(ev("[1, 'a', None,]"), json!([1, "a", null]));
    assert_eq!(ev("(1, 2)"), json!([1, 2]));
    assert_eq!(ev("(1,)"), json!([1]));
    assert_eq!(ev("()"), json!([]));
    assert_eq!(ev("(1)"), json!(1));
    assert_eq!(ev("1, 2"), json!([1, 2]));
    assert_eq!(ev("{1, 2, 1, True}"), json!([1, 2]));
    assert_eq!(ev("{'a': 1, 'b': [2], 'a': 3}"), json!({"a": 3, "b": [2]}));
    assert_eq!(ev("{}"), json!({}));
    assert_eq!(ev("1 # comment"), json!(1));
    assert_eq!(ev("u'x'"), json!("x"));
}

#[test]
fn names_attributes_subscripts() {
    assert_eq!(ev("count"), json!(3));
    assert_eq!(ev("user.name"), json!("ada"));
    assert_eq!(ev("user.tags[-1]"), json!("y"));
    assert_eq!(ev("user['age']"), json!(36));
    assert_eq!(ev("{'a': {'b': 1}}.a.b"), json!(1));
    assert_eq!(ev("{'a': [5, 6]}['a'][1]"), json!(6));
    assert_eq!(ev("items[0]"), json!(1));
    assert_eq!(ev("items[-1]"), json!(4));
    assert_eq!(ev("items[True]"), json!(2));
    assert_eq!(ev("name[1]"), json!("u"));
    assert_eq!(ev("name[-1]"), json!("r"));
    assert_eq!(ev("items[1:3]"), json!([2, 3]));
    assert_eq!(ev("items[:2]"), json!([1, 2]));
    assert_eq!(ev("items[2:]"), json!([3, 4]));
    assert_eq!(ev("items[::-1]"), json!([4, 3, 2, 1]));
    assert_eq!(ev("items[::2]"), json!([1, 3]));
    assert_eq!(ev("items[-3:-1]"), json!([2, 3]));
    assert_eq!(ev("items[10:]"), json!([]));
    assert_eq!(ev("items[3:0:-1]"), json!([4, 3, 2]));
    assert_eq!(ev("items[None:None]"), json!([1, 2, 3, 4]));
    assert_eq!(ev("name[1:3]"), json!("ur"));
    assert_eq!(ev("name[::-1]"), json!("rrub"));
    assert_eq!(ev("'héllo'[1:3]"), json!("él"));
    assert_eq!(ev("big"), json!(u64::MAX));
}

#[test]
fn subscript_errors() {
    assert!(
        eval_err("items[4]")
            .message
            .contains("list index out of range")
    );
    assert!(eval_err("items['a']").message.contains("not `str`"));
    assert!(
        eval_err("user['nope']")
            .message
            .contains("key 'nope' not found")
    );
    assert!(eval_err("user.nope").message.contains("no key `nope`"));
    assert!(
        eval_err("count.real")
            .message
            .contains("`int` value has no attribute `real`")
    );
    assert!(eval_err("count[0]").message.contains("not subscriptable"));
    assert!(
        eval_err("items[::0]")
            .message
            .contains("step cannot be zero")
    );
    assert!(eval_err("items[1.5:]").message.contains("slice indices"));
    let e = eval_err("items[9]");
    assert_eq!(e.column, 6);
}

#[test]
fn unknown_name_is_an_error_naming_it() {
    let e = eval_err("count + nope");
    assert!(e.message.contains("`nope`"), "{}", e.message);
    assert_eq!(e.column, 9);
}

#[test]
fn comparisons() {
    assert_eq!(ev("count == 3"), json!(true));
    assert_eq!(ev("count != 3"), json!(false));
    assert_eq!(ev("count < 4"), json!(true));
    assert_eq!(ev("count <= 3"), json!(true));
    assert_eq!(ev("count > 3"), json!(false));
    assert_eq!(ev("count >= 3"), json!(true));
    assert_eq!(ev("1 == 1.0"), json!(true));
    assert_eq!(ev("True == 1"), json!(true));
    assert_eq!(ev("f > 2"), json!(true));
    assert_eq!(ev("2 < f < 3"), json!(true));
    assert_eq!(ev("9007199254740993 == 9007199254740992.0"), json!(false));
    assert_eq!(ev("'a' < 'b'"), json!(true));
    assert_eq!(ev("[1, 2] < [1, 3]"), json!(true));
    assert_eq!(ev("[1, 2] < [1, 2, 0]"), json!(true));
    assert_eq!(ev("[1, 2] == [1, 2.0]"), json!(true));
    assert_eq!(ev("{'a': 1} == {'a': 1.0}"), json!(true));
    assert_eq!(ev("None == 0"), json!(false));
    assert_eq!(ev("None != 'x'"), json!(true));
    assert_eq!(ev("'a' == 1"), json!(false));
    assert_eq!(ev("big > count"), json!(true));
}

#[test]
fn chained_comparisons() {
    assert_eq!(ev("0 < count <= 10"), json!(true));
    assert_eq!(ev("0 < count <= 2"), json!(false));
    assert_eq!(ev("1 < 2 > 0"), json!(true));
    assert_eq!(ev("3 > 2 > 1 > 0"), json!(true));
    assert_eq!(ev("1 == 1 == True"), json!(true));
    // Short-circuits: the failing link stops evaluation.
    assert_eq!(ev("1 > 2 < nope"), json!(false));
}

#[test]
fn membership_and_identity() {
    assert_eq!(ev("2 in items"), json!(true));
    assert_eq!(ev("2.0 in items"), json!(true));
    assert_eq!(ev("9 not in items"), json!(true));
    assert_eq!(ev("'ur' in name"), json!(true));
    assert_eq!(ev("'x' not in name"), json!(true));
    assert_eq!(ev("'age' in user"), json!(true));
    assert_eq!(ev("1 in user"), json!(false));
    assert_eq!(ev("'x' in user.tags"), json!(true));
    assert_eq!(ev("none is None"), json!(true));
    assert_eq!(ev("count is not None"), json!(true));
    assert_eq!(ev("done is False"), json!(true));
    assert_eq!(ev("done is 0"), json!(false));
    assert_eq!(ev("True is not True"), json!(false));
    assert!(eval_err("1 in count").message.contains("not iterable"));
    assert!(eval_err("1 in name").message.contains("requires a `str`"));
    assert!(eval_err("[1] in user").message.contains("unhashable"));
}

#[test]
fn incompatible_comparison_names_both_types() {
    let e = eval_err("'a' < 1");
    assert_eq!(e.column, 5);
    assert!(
        e.message.contains("`<`") && e.message.contains("`str` and `int`"),
        "{}",
        e.message
    );
    let e = eval_err("none >= 1");
    assert!(e.message.contains("`NoneType` and `int`"), "{}", e.message);
    let e = eval_err("[1, 'a'] < [1, 2]");
    assert!(e.message.contains("`str` and `int`"), "{}", e.message);
    assert!(
        eval_err("user < user")
            .message
            .contains("`dict` and `dict`")
    );
}

#[test]
fn boolean_operators_return_operands() {
    assert_eq!(ev("0 or 5"), json!(5));
    assert_eq!(ev("3 and 0"), json!(0));
    assert_eq!(ev("3 and 'x'"), json!("x"));
    assert_eq!(ev("empty or 'default'"), json!("default"));
    assert_eq!(ev("None or [] or 0"), json!(0));
    assert_eq!(ev("not 0"), json!(true));
    assert_eq!(ev("not items"), json!(false));
    assert_eq!(ev("not not 'a'"), json!(true));
    // Short-circuit: the unknown name is never looked up.
    assert_eq!(ev("True or nope"), json!(true));
    assert_eq!(ev("False and nope"), json!(false));
    assert_eq!(ev("count > 1 and user.name"), json!("ada"));
}

#[test]
fn precedence() {
    // `not a == b` is `not (a == b)`.
    assert_eq!(ev("not count == 4"), json!(true));
    // `a or b and c` is `a or (b and c)`.
    assert_eq!(ev("1 or 0 and 0"), json!(1));
    assert_eq!(ev("0 and 1 or 2"), json!(2));
    assert_eq!(ev("-2 ** 2 == -4"), json!(true));
    assert_eq!(ev("-2 ** 2"), json!(-4));
    assert_eq!(ev("(-2) ** 2"), json!(4));
    assert_eq!(ev("2 ** -1"), json!(0.5));
    assert_eq!(ev("2 ** 3 ** 2"), json!(512));
    assert_eq!(ev("1 + 2 * 3"), json!(7));
    assert_eq!(ev("(1 + 2) * 3"), json!(9));
    assert_eq!(ev("10 - 4 - 3"), json!(3));
    assert_eq!(ev("2 * 3 % 4"), json!(2));
    assert_eq!(ev("1 + 2 < 4"), json!(true));
    assert_eq!(ev("not 1 + 1 == 3 and 2 in items"), json!(true));
    assert_eq!(ev("- - 3"), json!(3));
    assert_eq!(ev("-count ** 2"), json!(-9));
    assert_eq!(ev("len(items) * 2 + 1"), json!(9));
}

#[test]
fn arithmetic() {
    assert_eq!(ev("7 / 2"), json!(3.5));
    assert_eq!(ev("6 / 2"), json!(3.0));
    assert_eq!(ev("7 // 2"), json!(3));
    assert_eq!(ev("-7 // 2"), json!(-4));
    assert_eq!(ev("7 // -2"), json!(-4));
    assert_eq!(ev("-7 % 3"), json!(2));
    assert_eq!(ev("7 % -3"), json!(-2));
    assert_eq!(ev("7.5 // -2"), json!(-4.0));
    assert_eq!(ev("7.5 % -2"), json!(-0.5));
    assert_eq!(ev("-7.5 % 2"), json!(0.5));
    assert_eq!(ev("2 ** 10"), json!(1024));
    assert_eq!(ev("2.0 ** 3"), json!(8.0));
    assert_eq!(ev("4 ** 0.5"), json!(2.0));
    assert_eq!(ev("1 + 2.5"), json!(3.5));
    assert_eq!(ev("True + True"), json!(2));
    assert_eq!(ev("-True"), json!(-1));
    assert_eq!(ev("+done"), json!(0));
    assert_eq!(ev("f * 2"), json!(5.0));
    assert_eq!(ev("0.1 + 0.2"), json!(0.30000000000000004));
    assert_eq!(ev("'ab' + 'cd'"), json!("abcd"));
    assert_eq!(ev("[1] + [2, 3]"), json!([1, 2, 3]));
    assert_eq!(ev("'ab' * 3"), json!("ababab"));
    assert_eq!(ev("2 * 'ab'"), json!("abab"));
    assert_eq!(ev("'ab' * -1"), json!(""));
    assert_eq!(ev("[0] * 3"), json!([0, 0, 0]));
    assert_eq!(ev("(-1) ** 3"), json!(-1));
    assert_eq!(ev("1 ** 100000000000"), json!(1));
    assert_eq!(ev("2 ** 62 * 2 - 1"), json!(i64::MAX));
}

#[test]
fn arithmetic_errors() {
    assert!(eval_err("1 / 0").message.contains("division by zero"));
    assert!(eval_err("1 // 0").message.contains("by zero"));
    assert!(eval_err("1 % 0").message.contains("by zero"));
    assert!(eval_err("1.0 / 0").message.contains("by zero"));
    assert!(eval_err("1.0 % 0.0").message.contains("by zero"));
    assert!(eval_err("0 ** -1").message.contains("negative power"));
    assert!(eval_err("2 ** 200").message.contains("overflow"));
    assert!(eval_err("10 ** 30 * 10 ** 30").message.contains("overflow"));
    assert!(eval_err("2 ** 100").message.contains("too large for JSON"));
    assert!(eval_err("(-8) ** 0.5").message.contains("complex"));
    assert!(eval_err("10.0 ** 400").message.contains("out of range"));
    assert!(eval_err("1e308 * 10").message.contains("JSON"));
    let e = eval_err("'a' + 1");
    assert_eq!(e.column, 5);
    assert!(e.message.contains("`+`: `str` and `int`"), "{}", e.message);
    assert!(eval_err("'a' - 'b'").message.contains("`-`"));
    assert!(
        eval_err("'a' * 1.5")
            .message
            .contains("non-int of type `float`")
    );
    assert_eq!(eval_err("'a' * 100000000").kind, ExprErrorKind::TooLarge);
    assert!(eval_err("-'a'").message.contains("unary `-`"));
    assert!(eval_err("+name").message.contains("unary `+`"));
    assert!(
        eval_err("user + user")
            .message
            .contains("`dict` and `dict`")
    );
}

#[test]
fn builtins() {
    assert_eq!(ev("len(items)"), json!(4));
    assert_eq!(ev("len('héllo')"), json!(5));
    assert_eq!(ev("len(user)"), json!(3));
    assert_eq!(ev("abs(-3)"), json!(3));
    assert_eq!(ev("abs(-2.5)"), json!(2.5));
    assert_eq!(ev("abs(True)"), json!(1));
    assert_eq!(ev("min(items)"), json!(1));
    assert_eq!(ev("max(items)"), json!(4));
    assert_eq!(ev("min(3, 1, 2)"), json!(1));
    assert_eq!(ev("max(3, f, 2)"), json!(3));
    assert_eq!(ev("max(name)"), json!("u"));
    assert_eq!(ev("min(user)"), json!("age"));
    assert_eq!(ev("max([1, 3], [1, 2])"), json!([1, 3]));
    assert_eq!(ev("max([[1], [2]])"), json!([2]));
    assert_eq!(ev("max(1, 1.0)"), json!(1));
    assert_eq!(ev("sum(items)"), json!(10));
    assert_eq!(ev("sum(items, 10)"), json!(20));
    assert_eq!(ev("sum([0.5, 1])"), json!(1.5));
    assert_eq!(ev("sum([])"), json!(0));
    assert_eq!(ev("sum([[1], [2]], [])"), json!([1, 2]));
    assert_eq!(ev("all(items)"), json!(true));
    assert_eq!(ev("all([1, 0])"), json!(false));
    assert_eq!(ev("all([])"), json!(true));
    assert_eq!(ev("any([0, None, ''])"), json!(false));
    assert_eq!(ev("any(name)"), json!(true));
    assert_eq!(ev("str(count)"), json!("3"));
    assert_eq!(ev("str(2.5)"), json!("2.5"));
    assert_eq!(ev("str(1.0)"), json!("1.0"));
    assert_eq!(ev("str(1e16)"), json!("1e+16"));
    assert_eq!(ev("str(1.5e-5)"), json!("1.5e-05"));
    assert_eq!(ev("str(0.0001)"), json!("0.0001"));
    assert_eq!(ev("str(-123456789.125)"), json!("-123456789.125"));
    assert_eq!(ev("str(None) + str(True)"), json!("NoneTrue"));
    assert_eq!(
        ev("str([1, 'a', None, {'k': True}])"),
        json!("[1, 'a', None, {'k': True}]")
    );
    assert_eq!(ev("str(\"it's\")"), json!("it's"));
    assert_eq!(ev("str([\"it's\"])"), json!("[\"it's\"]"));
    assert_eq!(ev("str()"), json!(""));
    assert_eq!(ev("int('42')"), json!(42));
    assert_eq!(ev("int(' -4_2 ')"), json!(-42));
    assert_eq!(ev("int('ff', 16)"), json!(255));
    assert_eq!(ev("int('0x1f', 0)"), json!(31));
    assert_eq!(ev("int(2.9)"), json!(2));
    assert_eq!(ev("int(-2.9)"), json!(-2));
    assert_eq!(ev("int(True)"), json!(1));
    assert_eq!(ev("int()"), json!(0));
    assert_eq!(ev("float('1.5')"), json!(1.5));
    assert_eq!(ev("float(' 1e3 ')"), json!(1000.0));
    assert_eq!(ev("float(3)"), json!(3.0));
    assert_eq!(ev("float('inf') > 10 ** 18"), json!(true));
    assert_eq!(ev("float()"), json!(0.0));
    assert_eq!(ev("bool(items)"), json!(true));
    assert_eq!(ev("bool('')"), json!(false));
    assert_eq!(ev("bool()"), json!(false));
    assert_eq!(ev("len(str(count)) == 1"), json!(true));
}

#[test]
fn builtin_errors() {
    let e = eval_err("len(count)");
    assert_eq!(e.column, 1);
    assert!(e.message.contains("has no len()"));
    assert!(eval_err("abs('a')").message.contains("abs()"));
    assert!(eval_err("min([])").message.contains("empty sequence"));
    assert!(eval_err("max(1, 'a')").message.contains("`str` and `int`"));
    assert!(eval_err("sum(['a'])").message.contains("`int` and `str`"));
    assert!(
        eval_err("sum(['a'], '')")
            .message
            .contains("can't sum strings")
    );
    assert!(eval_err("all(1)").message.contains("not iterable"));
    assert!(
        eval_err("int('abc')")
            .message
            .contains("invalid literal for int() with base 10: 'abc'")
    );
    assert!(eval_err("int('1.5')").message.contains("invalid literal"));
    assert!(eval_err("int(1, 2)").message.contains("non-string"));
    assert!(eval_err("int('1', 1)").message.contains("base"));
    assert!(eval_err("int(float('nan'))").message.contains("NaN"));
    assert!(eval_err("int(float('inf'))").message.contains("infinity"));
    assert!(
        eval_err("float('abc')")
            .message
            .contains("could not convert")
    );
    assert!(eval_err("float(None)").message.contains("`NoneType`"));
    assert!(eval_err("float('nan')").message.contains("JSON"));
    // The value a conversion refuses is quoted in the message at most 200 characters long.
    for src in ["int('9' * 100000 + 'x')", "float('9' * 100000 + 'x')"] {
        let message = eval_err(src).message;
        assert!(
            message.len() < 300 && message.ends_with("999..."),
            "{message}"
        );
    }
}

#[test]
fn eval_bool_uses_truthiness() {
    let s = scope();
    let t = |src: &str| Expr::parse(src).unwrap().eval_bool(&s).unwrap();
    assert!(t("count"));
    assert!(!t("done"));
    assert!(!t("empty"));
    assert!(t("name"));
    assert!(t("user"));
    assert!(!t("none"));
    assert!(t("count < 10 and not done"));
    assert!(!t("count < 10 and done"));
    assert!(t("done or items"));
    assert!(t("float('nan')"));
    assert!(t("2 ** 100 > 0"));
    assert!(!t("0.0"));
    let e = Expr::parse("count < 'x'")
        .unwrap()
        .eval_bool(&s)
        .unwrap_err();
    assert!(e.message.contains("`int` and `str`"));
}

#[test]
fn works_with_state() {
    let state = crate::State::new()
        .update("count", 3)
        .append("history", "a");
    let e = Expr::parse("count < 10 and len(history) == 1 and history[0] == 'a'").unwrap();
    assert!(e.eval_bool(&state).unwrap());
    assert!(!e.eval_bool(&state.update("count", 10)).unwrap());
}

#[test]
fn keys_in_order_without_duplicates_or_builtins() {
    let e = Expr::parse("len(b) > a and b[0] == c.d or True and None is x and a").unwrap();
    assert_eq!(e.keys(), ["b", "a", "c", "x"]);
    assert!(Expr::parse("1 + 2").unwrap().keys().is_empty());
    assert_eq!(
        Expr::parse("__SEQUENCE_ID > 2").unwrap().keys(),
        ["__SEQUENCE_ID"]
    );
    assert_eq!(Expr::parse("true or null or x").unwrap().keys(), ["x"]);
}

#[test]
fn keys_of_a_source_with_thousands_of_names() {
    let names: Vec<String> = (0..4_000).map(|i| format!("k{i}")).collect();
    let mut reversed = names.clone();
    reversed.reverse();
    let src = format!("[{}, {}]", names.join(", "), reversed.join(", "));
    let e = Expr::parse(&src).unwrap();
    assert_eq!(e.keys(), names);
    let scope: Map<String, Value> = (0..4_000).map(|i| (format!("k{i}"), json!(i))).collect();
    let want: Vec<Value> = (0..4_000)
        .chain((0..4_000).rev())
        .map(Value::from)
        .collect();
    assert_eq!(e.eval(&scope).unwrap(), Value::Array(want));
}

#[test]
fn parse_error_columns() {
    let cases: &[(&str, usize, &str)] = &[
        ("count <", 8, "unexpected end of expression"),
        ("foo(1)", 1, "calling `foo` is not allowed"),
        ("x + foo(1)", 5, "`len`, `abs`"),
        ("x if y else z", 3, "conditional expressions"),
        ("[i for i in x]", 4, "comprehensions are not allowed"),
        ("{k: v for k in x}", 7, "comprehensions"),
        ("len(i for i in x)", 7, "comprehensions"),
        ("a.__class__", 3, "`__class__` is not allowed"),
        ("a.b.__x", 5, "`__x`"),
        ("lambda: 1", 1, "lambda"),
        ("(x := 1)", 4, "`:=`"),
        ("x = 1", 3, "assignment"),
        ("x += 1", 3, "assignment"),
        ("len(x=1)", 5, "keyword arguments"),
        ("len(*x)", 5, "unpacking"),
        ("max(**x)", 5, "unpacking"),
        ("[*x]", 2, "unpacking"),
        ("{**x}", 2, "unpacking"),
        ("x.upper()", 3, "method `upper`"),
        ("(x)(1)", 2, "calling `x` is not allowed"),
        ("len", 1, "can only be called"),
        ("len(1, 2)", 1, "exactly one argument"),
        ("min()", 1, "at least two"),
        ("a | b", 3, "operator `|` is not allowed"),
        ("a & b", 3, "`&`"),
        ("~a", 1, "`~`"),
        ("a @ b", 3, "`@`"),
        ("a << 1", 3, "`<<`"),
        ("f'x'", 1, "f-strings"),
        ("b'x'", 1, "byte strings"),
        ("1j", 1, "complex"),
        ("'abc", 1, "unterminated"),
        ("x $ y", 3, "unexpected character `$`"),
        ("", 1, "empty expression"),
        ("(1, 2", 6, "`)` to close the `(` at column 1"),
        ("a b", 3, "unexpected name `b`"),
        ("a == not b", 6, "unexpected keyword `not`"),
        ("await x", 1, "`await`"),
        ("x; y", 2, "single expression"),
        ("a[1, 2]", 4, "tuple subscripts"),
        ("01", 1, "leading zeros"),
        ("...", 1, "`...`"),
        ("import os", 1, "keyword `import`"),
        ("'\\N{DASH}'", 2, "\\N"),
        ("a.if", 3, "attribute name"),
    ];
    for (src, col, msg) in cases {
        let e = parse_err(src);
        assert_eq!(e.column, *col, "{src:?}: {e}");
        assert!(e.message.contains(msg), "{src:?}: {e}");
        assert_eq!(e.source_text, *src);
    }
}

#[test]
fn disallowed_messages_name_the_allowed_set() {
    for src in [
        "x if y else z",
        "[i for i in x]",
        "lambda: 1",
        "a | b",
        "foo(1)",
    ] {
        let e = parse_err(src);
        assert!(e.message.contains("`bool`"), "{src:?}: {e}");
    }
}

#[test]
fn error_display_names_the_expression() {
    let e = parse_err("count <");
    assert_eq!(
        e.to_string(),
        "invalid expression \"count <\" at column 8: unexpected end of expression, expected an operand"
    );
}

#[test]
fn expr_is_send_sync_and_shows_source() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Expr>();
    assert_eq!(format!("{:?}", Expr::parse("a").unwrap()), "Expr(\"a\")");
}
