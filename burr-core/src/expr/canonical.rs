//! A canonical printing of the syntax tree, and the round trip it allows: parsing the
//! printing of a parsed expression gives back the same tree.
//!
//! [`Expr`]'s `Display` shows the source as written, so it cannot tell whether the tree holds
//! everything the source says. The canonical printing is written from the tree alone: every
//! compound node in parentheses, tuples as lists, literals in a form the lexer reads back to
//! the same value. Parsing it again must print the same text, read the same keys, and
//! evaluate to the same result as the original.

use std::fmt::Write;

use super::Expr;
use super::ast::{Kind, Node};
use super::python::py_str_repr;

impl Expr {
    /// The canonical printing of the tree.
    pub(super) fn canonical(&self) -> String {
        let mut out = String::new();
        print(&self.root, &self.keys, &mut out);
        out
    }
}

fn print(n: &Node, keys: &[String], out: &mut String) {
    let list = |items: &[Node], out: &mut String| {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            print(item, keys, out);
        }
    };
    match &n.kind {
        Kind::Null => out.push_str("None"),
        Kind::Bool(true) => out.push_str("True"),
        Kind::Bool(false) => out.push_str("False"),
        Kind::Int(i) if *i < 0 => write!(out, "(-{})", i.unsigned_abs()).unwrap(),
        Kind::Int(i) => write!(out, "{i}").unwrap(),
        Kind::Float(f) => print_float(*f, out),
        Kind::Str(s) => py_str_repr(s.as_str().unwrap_or_default(), out, usize::MAX),
        Kind::Name(i) => out.push_str(&keys[*i]),
        Kind::Attr(target, name) => {
            wrap(target, keys, out);
            write!(out, ".{name}").unwrap();
        }
        Kind::Index(target, index) => {
            wrap(target, keys, out);
            out.push('[');
            print(index, keys, out);
            out.push(']');
        }
        Kind::Slice(target, parts) => {
            wrap(target, keys, out);
            out.push('[');
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push(':');
                }
                if let Some(part) = part {
                    print(part, keys, out);
                }
            }
            out.push(']');
        }
        Kind::Neg(inner) | Kind::Pos(inner) | Kind::Not(inner) => {
            out.push_str(match &n.kind {
                Kind::Neg(_) => "(-",
                Kind::Pos(_) => "(+",
                _ => "(not ",
            });
            print(inner, keys, out);
            out.push(')');
        }
        Kind::Bin(op, a, b) => {
            out.push('(');
            print(a, keys, out);
            write!(out, " {} ", op.symbol()).unwrap();
            print(b, keys, out);
            out.push(')');
        }
        Kind::Cmp(first, rest) => {
            out.push('(');
            print(first, keys, out);
            for (op, _, node) in rest {
                write!(out, " {} ", op.symbol()).unwrap();
                print(node, keys, out);
            }
            out.push(')');
        }
        Kind::And(items) | Kind::Or(items) => {
            let sep = if matches!(n.kind, Kind::And(_)) {
                " and "
            } else {
                " or "
            };
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                print(item, keys, out);
            }
            out.push(')');
        }
        Kind::List(items) => {
            out.push('[');
            list(items, out);
            out.push(']');
        }
        Kind::Set(items) => {
            out.push('{');
            list(items, out);
            out.push('}');
        }
        Kind::Dict(pairs) => {
            out.push('{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                print(k, keys, out);
                out.push_str(": ");
                print(v, keys, out);
            }
            out.push('}');
        }
        Kind::Call(builtin, args) => {
            write!(out, "{}(", builtin.name()).unwrap();
            list(args, out);
            out.push(')');
        }
    }
}

/// A target of `.name`, `[index]` or `[slice]`, in parentheses (so that `1 .k` is not read as
/// the float `1.`).
fn wrap(target: &Node, keys: &[String], out: &mut String) {
    out.push('(');
    print(target, keys, out);
    out.push(')');
}

/// A float literal the lexer reads back to the same value: Rust's shortest round-trip form,
/// negative ones as a negation (which the parser folds back into the literal).
fn print_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("float('nan')");
    } else if f.is_sign_negative() {
        out.push_str("(-");
        print_float(-f, out);
        out.push(')');
    } else if f.is_infinite() {
        out.push_str("1e999");
    } else {
        write!(out, "{f:?}").unwrap();
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
    use serde_json::{Value, json};

    use super::*;
    use crate::expr::ExprErrorKind;

    fn scope() -> Value {
        json!({
            "x": 3,
            "s": "burr",
            "l": [1, 2.5, "a", null, [1, 2]],
            "d": {"k": 1, "a": {"k": [1]}},
            "big": u64::MAX,
            "f": 1e300,
            "none": null,
        })
    }

    /// Parses `src`; if it parses, checks that its canonical printing parses back to a tree
    /// with the same printing, the same keys and the same results.
    fn round_trip(src: &str, scope: &Value) -> Result<(), TestCaseError> {
        let Ok(e) = Expr::parse(src) else {
            return Ok(());
        };
        let printed = e.canonical();
        let again = match Expr::parse(&printed) {
            Ok(again) => again,
            // Each compound node printed in parentheses nests one level more.
            Err(err) if err.kind == ExprErrorKind::TooDeep => return Ok(()),
            Err(err) => return Err(TestCaseError::fail(format!("{src} -> {printed}: {err}"))),
        };
        prop_assert_eq!(again.canonical(), printed.as_str(), "{}", src);
        prop_assert_eq!(again.keys(), e.keys(), "{}", src);
        let result = |e: &Expr| {
            e.eval(scope)
                .map_err(|err| (err.kind, err.message))
                .map(|v| v.to_string())
        };
        prop_assert_eq!(result(&again), result(&e), "{} -> {}", src, printed);
        prop_assert_eq!(
            again.eval_bool(scope).map_err(|err| err.message),
            e.eval_bool(scope).map_err(|err| err.message),
            "{} -> {}",
            src,
            printed
        );
        Ok(())
    }

    #[test]
    fn examples_print_canonically() {
        for (src, want) in [
            ("a + b * c ** -d", "(a + (b * (c ** (-d))))"),
            ("a - b - c", "((a - b) - c)"),
            ("not a == b or c and d", "((not (a == b)) or (c and d))"),
            ("0 < x <= 10", "(0 < x <= 10)"),
            ("x.k[0][1:][::-1]", "((((x).k)[0])[1::])[::(-1)]"),
            (
                "-2.5e-7, 1e999, -0.0, 0x1f",
                "[(-2.5e-7), 1e999, (-0.0), 31]",
            ),
            ("'a\\n' \"b'\" r'\\d'", "\"a\\nb'\\\\d\""),
            ("{1: 2}" /* refused later, at evaluation */, "{1: 2}"),
            (
                "len(l) in {1, 2} is not (None,)",
                "(len(l) in {1, 2} is not [None])",
            ),
        ] {
            assert_eq!(Expr::parse(src).unwrap().canonical(), want, "{src}");
        }
    }

    /// Operands and operators written out without parentheses, so that the parser's
    /// precedence, associativity, chaining and literal forms all meet the printer.
    fn flat_source() -> impl Strategy<Value = String> {
        let leaf = proptest::sample::select(
            &[
                "x",
                "s",
                "l",
                "d",
                "big",
                "f",
                "none",
                "missing",
                "0",
                "1",
                "7",
                "-3",
                "0x1f",
                "1_000",
                "2.5",
                "1e-7",
                "1e308",
                "1e999",
                ".5",
                "-0.0",
                "'a\\n'",
                "\"q'\"",
                "'\\x00é'",
                "True",
                "False",
                "None",
                "9223372036854775808",
                "170141183460469231731687303715884105727",
            ][..],
        )
        .prop_map(str::to_string);
        leaf.prop_recursive(5, 40, 3, |inner| {
            let op = proptest::sample::select(
                &[
                    "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=",
                    "in", "not in", "is", "is not", "and", "or",
                ][..],
            );
            let unary = proptest::sample::select(&["-", "+", "not ", "- -"][..]);
            let builtin = proptest::sample::select(
                &["len", "abs", "min", "max", "sum", "all", "any", "str", "int", "float", "bool"][..],
            );
            prop_oneof![
                6 => (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("{a} {op} {b}")),
                2 => (unary, inner.clone()).prop_map(|(u, a)| format!("{u}{a}")),
                1 => inner.clone().prop_map(|a| format!("({a})")),
                1 => (builtin, inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
                1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
                1 => proptest::collection::vec(inner.clone(), 0..3)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                1 => proptest::collection::vec(inner.clone(), 1..3)
                    .prop_map(|v| format!("({},)", v.join(", "))),
                1 => proptest::collection::vec(inner.clone(), 1..3)
                    .prop_map(|v| format!("{{{}}}", v.join(", "))),
                1 => inner.clone().prop_map(|a| format!("{{'k': {a}}}")),
                1 => inner.clone().prop_map(|a| format!("{a}.k")),
                2 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
                1 => (inner.clone(), inner.clone(), inner).prop_map(|(a, b, c)| format!("{a}[{b}:{c}:]")),
            ]
        })
    }

    #[test]
    fn parsing_the_canonical_printing_gives_the_same_tree_and_results() {
        let config = Config {
            cases: 3_000,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[3; 32]));
        let scope = scope();
        runner
            .run(&flat_source(), |src| round_trip(&src, &scope))
            .unwrap();
    }
}
