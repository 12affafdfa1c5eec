//! A small, safe expression language for transition conditions.
//!
//! Expressions use a subset of Python's expression grammar and Python's semantics, evaluated over
//! JSON values. They are parsed once into a compact tree and can then be evaluated cheaply on
//! every step; nothing is ever executed beyond the operations listed here.
//!
//! | Construct | Examples |
//! |---|---|
//! | literals | `1`, `-2.5e3`, `0x1f`, `'a\n'`, `"b"`, `True`/`False`/`None` (also `true`/`false`/`null`), `[1, 2]`, `(1, 2)`, `{1, 2}`, `{"k": 1}` |
//! | names | `count` (a state key) |
//! | attributes, subscripts, slices | `user.name`, `items[0]`, `items[-1]`, `d["k"]`, `items[1:3]`, `s[::-1]` |
//! | comparisons (chained) | `== != < <= > >= in not in is is not`, `0 < x <= 10` |
//! | boolean | `and`, `or` (short-circuit, yield an operand), `not` |
//! | arithmetic | unary `-`/`+`, `+ - * / // % **` |
//! | calls | `len abs min max sum all any str int float bool`, positional arguments only |
//!
//! Everything else — other calls, methods, keyword arguments, `*args`, lambdas, comprehensions,
//! conditional expressions, `:=`, assignment, bitwise operators — is rejected by
//! [`Expr::parse`] with an error pointing at the offending token.
//!
//! Where JSON cannot follow Python exactly:
//!
//! - tuples and sets evaluate to JSON arrays (sets without duplicates), so `[1] == (1,)` holds;
//! - `a.b` reads the key `b` of an object; other values have no attributes;
//! - dictionary keys must be strings;
//! - integers are 128-bit while computing and must fit an `i64` or `u64` when returned as JSON;
//!   overflow is an error, as are division by zero and results JSON cannot hold (`inf`, `nan`);
//! - `is` compares type and value (`None is None`, `x is True`), not object identity;
//! - the eleven function names can only be called, so they never name state keys.
//!
//! Evaluation errors name the culprit (the unknown name, both operand types, the missing key) and
//! point at the operator or token they come from.
//!
//! # Examples
//!
//! ```
//! use burr_core::{State, expr::Expr};
//!
//! let cond = Expr::parse("count < 10 and not done").unwrap();
//! assert_eq!(cond.keys(), ["count", "done"]);
//!
//! let state = State::new().update("count", 3).update("done", false);
//! assert!(cond.eval_bool(&state).unwrap());
//! assert!(!cond.eval_bool(&state.update("count", 10)).unwrap());
//! ```

mod ast;
mod eval;
mod lex;
mod parse;
mod python;
mod scope;
mod value;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use ast::Node;
use eval::{Eval, Fail};
use lex::lex;
use parse::parse;
use value::V;

pub use scope::Scope;

/// An error parsing or evaluating an expression.
///
/// # Examples
///
/// ```
/// use burr_core::expr::Expr;
///
/// let err = Expr::parse("foo(1)").unwrap_err();
/// assert_eq!(err.column, 1);
/// assert!(err.message.contains("`len`"));
///
/// let err = Expr::parse("a < 1").unwrap().eval(&serde_json::json!({"a": "x"})).unwrap_err();
/// assert_eq!(err.column, 3);
/// assert!(err.message.contains("`str` and `int`"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid expression {source_text:?} at column {column}: {message}")]
pub struct ExprError {
    /// The expression text.
    pub source_text: String,
    /// 1-based column (in characters) of the offending token or operation; for multi-line
    /// sources it counts from the start of the text.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// The functions an expression may call, in the order they are listed in error messages.
///
/// # Examples
///
/// ```
/// assert!(burr_core::expr::BUILTIN_FUNCTIONS.contains(&"len"));
/// assert!(!burr_core::expr::BUILTIN_FUNCTIONS.contains(&"print"));
/// ```
pub const BUILTIN_FUNCTIONS: &[&str] = &[
    "len", "abs", "min", "max", "sum", "all", "any", "str", "int", "float", "bool",
];

/// A parsed expression.
///
/// # Examples
///
/// ```
/// use burr_core::expr::Expr;
///
/// let e: Expr = "len(items) >= 2".parse().unwrap();
/// assert_eq!(e.source(), "len(items) >= 2");
/// assert_eq!(e.keys(), ["items"]);
/// assert!(e.eval_bool(&serde_json::json!({"items": [1, 2]})).unwrap());
/// ```
#[derive(Clone)]
pub struct Expr {
    source: String,
    keys: Vec<String>,
    root: Node,
}

impl Expr {
    /// Parses `source`, rejecting anything outside the allowed grammar (see the
    /// [module documentation](self)).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::expr::Expr;
    ///
    /// assert!(Expr::parse("0 < x <= 10").is_ok());
    /// let err = Expr::parse("x if y else z").unwrap_err();
    /// assert_eq!(err.column, 3);
    /// assert!(err.message.contains("conditional"));
    /// ```
    pub fn parse(source: &str) -> Result<Expr, ExprError> {
        let fail = |(col, message): (u32, String)| ExprError {
            source_text: source.to_owned(),
            column: col as usize,
            message,
        };
        let tokens = lex(source).map_err(fail)?;
        let (root, keys) = parse(tokens).map_err(fail)?;
        Ok(Expr {
            source: source.to_owned(),
            keys,
            root,
        })
    }

    /// The text it was parsed from.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = burr_core::expr::Expr::parse("a or b").unwrap();
    /// assert_eq!(e.source(), "a or b");
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The free names it reads, builtin functions and `True`/`False`/`None` excluded, in order of
    /// first appearance and without duplicates.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = burr_core::expr::Expr::parse("max(b, a) > a and c.d is None").unwrap();
    /// assert_eq!(e.keys(), ["b", "a", "c"]);
    /// ```
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Evaluates to a JSON value. Unknown names, type mismatches, overflow, division by zero and
    /// results that JSON cannot hold (such as `inf`) are errors.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::expr::Expr;
    /// use serde_json::json;
    ///
    /// let scope = json!({"xs": [3, 1, 2], "name": "burr"});
    /// assert_eq!(Expr::parse("sorted_ok or max(xs)").unwrap().eval(&json!({"sorted_ok": 0, "xs": [1, 5]})).unwrap(), 5);
    /// assert_eq!(Expr::parse("name[1:3] + '!'").unwrap().eval(&scope).unwrap(), "ur!");
    /// assert_eq!(Expr::parse("7 // -2").unwrap().eval(&scope).unwrap(), -4);
    /// assert!(Expr::parse("missing > 1").unwrap().eval(&scope).unwrap_err().message.contains("`missing`"));
    /// ```
    pub fn eval(&self, scope: &dyn Scope) -> Result<Value, ExprError> {
        let ev = Eval {
            keys: &self.keys,
            scope,
        };
        ev.eval(&self.root)
            .and_then(|v| v.into_value().map_err(|m| Fail::new(self.root.col, m)))
            .map_err(|f| self.error(f))
    }

    /// Evaluates and takes Python truthiness, without building JSON for the result.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::expr::Expr;
    /// let scope = serde_json::json!({"items": [], "n": 0.5});
    /// assert!(!Expr::parse("items").unwrap().eval_bool(&scope).unwrap());
    /// assert!(Expr::parse("n").unwrap().eval_bool(&scope).unwrap());
    /// ```
    pub fn eval_bool(&self, scope: &dyn Scope) -> Result<bool, ExprError> {
        let ev = Eval {
            keys: &self.keys,
            scope,
        };
        ev.truth(&self.root).map_err(|f| self.error(f))
    }

    fn error(&self, f: Fail) -> ExprError {
        ExprError {
            source_text: self.source.clone(),
            column: f.0.0 as usize,
            message: f.0.1,
        }
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expr").field(&self.source).finish()
    }
}

/// Shows the source text.
///
/// ```
/// let e = burr_core::expr::Expr::parse("a  ==  1").unwrap();
/// assert_eq!(e.to_string(), "a  ==  1");
/// ```
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Two expressions are equal when their source texts are.
///
/// ```
/// use burr_core::expr::Expr;
/// assert_eq!(Expr::parse("a").unwrap(), Expr::parse("a").unwrap());
/// ```
impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Expr {}

/// Same as [`Expr::parse`].
///
/// ```
/// let e: burr_core::expr::Expr = "x > 1".parse().unwrap();
/// assert_eq!(e.keys(), ["x"]);
/// ```
impl FromStr for Expr {
    type Err = ExprError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expr::parse(s)
    }
}

/// Python truthiness of a JSON value: `null`, `false`, zero, and empty strings, arrays and
/// objects are false.
///
/// # Examples
///
/// ```
/// use burr_core::expr::truthy;
/// use serde_json::json;
/// assert!(!truthy(&json!(0.0)));
/// assert!(!truthy(&json!({})));
/// assert!(truthy(&json!("0")));
/// ```
pub fn truthy(v: &Value) -> bool {
    V::of(v).truthy()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert!(eval_err("'a' * 100000000").message.contains("longer than"));
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
}
