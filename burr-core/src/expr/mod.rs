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
//! - tuples evaluate to JSON arrays, so `[1] == (1,)` holds;
//! - a set literal is a set while it is evaluated: `==`/`!=` ignore order (`{2, 1} == {1, 2}`),
//!   `<`/`<=`/`>`/`>=` test strict and non-strict subsets and supersets (`{3} < {1, 2, 3}`),
//!   `in` tests membership; as in Python a set never equals a list or tuple (`{1} == [1]` is
//!   false) and ordering a set against one is an error. Its JSON form is an array without
//!   duplicates, so a set inside a list or dict, or returned by [`Expr::eval`], is an array
//!   and compares as a list from then on; items of a set must be scalars or strings;
//! - `a.b` reads the key `b` of an object; other values have no attributes;
//! - dictionary keys must be strings;
//! - integers are 128-bit while computing and must fit an `i64` or `u64` when returned as JSON;
//!   overflow is an error, as are division by zero and results JSON cannot hold (`inf`, `nan`);
//! - `is` compares type and value (`None is None`, `x is True`), not object identity;
//! - the eleven function names can only be called, so they never name state keys;
//! - nesting is limited to [`MAX_DEPTH`] (100) levels: each bracket, call, subscript, unary
//!   operator and `**` exponent opens one, and so does each link of a chain the tree nests
//!   (`a + b + c`, `a.b.c`, `x[0][1]`), while `and`/`or` and comparison chains stay flat.
//!   Deeper expressions are refused by [`Expr::parse`] ([`ExprErrorKind::TooDeep`], at the
//!   token that passes the limit); within it, parsing and evaluating fit a 2 MiB thread stack,
//!   unoptimized builds included (Python refuses 200 nested brackets);
//! - a source may be at most [`MAX_SOURCE_BYTES`] (64 KiB) long; [`Expr::parse`] refuses a
//!   longer one ([`ExprErrorKind::TooLarge`], at the character holding the first byte past
//!   the limit);
//! - the lists, dicts, sets and strings one evaluation builds may take at most
//!   [`MAX_EVAL_BYTES`] (64 MiB), counted as they are built, copies of nested values
//!   included; past it evaluation fails with [`ExprErrorKind::TooLarge`] before allocating,
//!   so `[[0] * 10000000] * 10000000` is an error, not an out-of-memory abort.
//!
//! Evaluation errors name the culprit (the unknown name, both operand types, the missing key) and
//! point at the operator or token they come from; [`ExprError::kind`] tells syntax errors,
//! evaluation errors and the limits apart.
//!
//! [`when`](crate::when) conditions compare with the same code as the comparison operators
//! here, so `when([("k__gt", 1)])` and `expr("k > 1")` agree, errors included.
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
mod builtins;
#[cfg(test)]
mod canonical;
mod compare;
mod eval;
mod hash_key;
mod lex;
mod limits;
mod numeric;
mod parse;
mod python;
mod scope;
mod slice;
mod value;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

pub(crate) use ast::CmpOp;
use ast::Node;
pub(crate) use compare::compare_json;
use eval::{Eval, Fail};
use lex::lex;
use limits::{Budget, check_source};
use parse::parse;
pub(crate) use python::py_repr_json;
use value::V;

pub use crate::error::{ExprError, ExprErrorKind};
pub use limits::{MAX_DEPTH, MAX_EVAL_BYTES, MAX_SOURCE_BYTES};
pub use scope::Scope;

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
    /// The expression as `name OP number`, when it is one.
    numeric: Option<numeric::NumericCmp>,
}

impl Expr {
    /// Parses `source`, rejecting anything outside the allowed grammar (see the
    /// [module documentation](self)) with an [`ExprErrorKind::Syntax`] error, anything
    /// nesting deeper than [`MAX_DEPTH`] with an [`ExprErrorKind::TooDeep`] one, and a source
    /// longer than [`MAX_SOURCE_BYTES`] with an [`ExprErrorKind::TooLarge`] one.
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
        let fail = |e: lex::PErr| ExprError {
            source_text: source.to_owned(),
            column: e.col as usize,
            message: e.message,
            kind: e.kind,
        };
        check_source(source).map_err(fail)?;
        let tokens = lex(source).map_err(fail)?;
        let (root, keys) = parse(tokens).map_err(fail)?;
        Ok(Expr {
            source: source.to_owned(),
            numeric: numeric::NumericCmp::recognise(&root),
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
    /// results that JSON cannot hold (such as `inf`) are [`ExprErrorKind::Eval`] errors;
    /// building more than [`MAX_EVAL_BYTES`] of values is an [`ExprErrorKind::TooLarge`] one.
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
            budget: Budget::new(),
        };
        ev.eval(&self.root)
            .and_then(|v| v.into_value().map_err(|m| Fail::new(self.root.col, m)))
            .map_err(|f| self.error(f, &ev.budget))
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
            budget: Budget::new(),
        };
        ev.truth(&self.root).map_err(|f| self.error(f, &ev.budget))
    }

    /// The truth of a `name OP number` expression on `state` when the name holds a number
    /// there: what [`Expr::eval_bool`] answers, without the evaluator. `None` for any other
    /// expression or value (the caller evaluates it).
    #[inline]
    pub(crate) fn eval_numeric(&self, state: &crate::State) -> Option<bool> {
        let cmp = self.numeric?;
        Some(cmp.holds(state.number(&self.keys[cmp.key()])?))
    }

    /// The error of a failed evaluation; once the budget is exceeded, the failure is that.
    fn error(&self, f: Fail, budget: &Budget) -> ExprError {
        let (column, message, kind) = *f.0;
        ExprError {
            source_text: self.source.clone(),
            column: column as usize,
            message,
            kind: if budget.exceeded() {
                ExprErrorKind::TooLarge
            } else {
                kind
            },
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
mod tests;
