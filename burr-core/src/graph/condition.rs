//! Conditions on transitions: [`default`], [`when`], [`expr`], [`Condition::lambda`], and
//! their negation / conjunction / disjunction (`!c`, `a & b`, `a | b`).
//!
//! Every condition has a readable name (shown in the tracking graph and the UI) and the list
//! of keys it reads; evaluating it on a state that lacks one of those keys is an error
//! ([`Error::ConditionMissingKeys`]), never a silent `false`.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::State;
use crate::error::Error;
use crate::expr::{CmpOp, Expr, compare_json, py_repr_json};

/// The most characters of a state value an error message quotes.
const QUOTED_CHARS: usize = 200;

type Resolver = Arc<dyn Fn(&State) -> Result<bool, Error> + Send + Sync>;

#[derive(Clone)]
enum Kind {
    Default,
    When(Vec<(String, Op, Value)>),
    Expr(Arc<Expr>),
    Fn(Resolver),
    Not(Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

/// The comparison of one [`when`] clause, chosen by a `__op` suffix on the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    In,
    NotIn,
    Contains,
    Is,
    IsNot,
}

impl Op {
    fn parse(suffix: &str) -> Option<Op> {
        Some(match suffix {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "in" => Op::In,
            "notin" => Op::NotIn,
            "contains" => Op::Contains,
            "is" => Op::Is,
            "isnot" => Op::IsNot,
            _ => return None,
        })
    }

    fn symbol(self) -> (&'static str, bool) {
        match self {
            Op::Eq => ("==", false),
            Op::Ne => ("!=", false),
            Op::Lt => ("<", false),
            Op::Lte => ("<=", false),
            Op::Gt => (">", false),
            Op::Gte => (">=", false),
            Op::In => ("in", true),
            Op::NotIn => ("not in", true),
            Op::Contains => ("contains", true),
            Op::Is => ("is", true),
            Op::IsNot => ("is not", true),
        }
    }
}

/// A condition on a transition.
///
/// # Examples
///
/// ```
/// use burr_core::{expr, when, default, State};
/// let s = State::new().update("count", 3).update("done", false);
/// assert!(expr("count < 10 and not done").unwrap().evaluate(&s).unwrap());
/// assert!(!when([("count", 4)]).unwrap().evaluate(&s).unwrap());
/// assert!(default().evaluate(&s).unwrap());
/// let c = !expr("done").unwrap() & when([("count__gte", 3)]).unwrap();
/// assert_eq!(c.name(), "~done & count>=3");
/// assert!(c.evaluate(&s).unwrap());
/// ```
#[derive(Clone)]
pub struct Condition {
    name: String,
    keys: Vec<String>,
    kind: Kind,
}

/// The condition that always holds. Named `"default"`; at most one may leave an action.
///
/// # Examples
///
/// ```
/// assert!(burr_core::default().is_default());
/// ```
pub fn default() -> Condition {
    Condition {
        name: "default".into(),
        keys: Vec::new(),
        kind: Kind::Default,
    }
}

/// Holds when every `key = value` pair matches the state (AND). A key may carry a suffix
/// choosing the comparison: `__eq __ne __lt __lte __gt __gte __in __notin __contains __is
/// __isnot` (`("age__gte", 18)`). The name lists the pairs sorted by key: `"a=1, b=2"`.
///
/// Each pair compares exactly as the same comparison in [`expr`] does, with Python's rules:
/// `("flag", 1)` holds on `flag = true`, `("n", 2)` on `n = 2.0`, `("k__contains", v)` is
/// `v in k`. A comparison Python refuses (ordering `None` or a string against a number, `in`
/// on a number) is not silently false: evaluating the condition fails with
/// [`Error::Condition`] naming the key, its value (its Python `repr`, cut to 200 characters)
/// and both types, which fails the step that evaluates it, as the same comparison written with
/// [`expr`] would.
///
/// # Examples
///
/// ```
/// use burr_core::{when, State};
/// let c = when([("foo", "bar"), ("baz", "qux")]).unwrap();
/// assert_eq!(c.name(), "baz=qux, foo=bar");
/// let s = State::new().update("foo", "bar").update("baz", "qux");
/// assert!(c.evaluate(&s).unwrap());
/// assert!(when([("__gt", 1)]).is_err());
///
/// let s = State::new().update("flag", true).update("v", serde_json::Value::Null);
/// assert!(when([("flag", 1)]).unwrap().evaluate(&s).unwrap());
/// let err = when([("v__gt", 18)]).unwrap().evaluate(&s).unwrap_err();
/// assert!(err.to_string().contains("`NoneType` and `int`"));
/// ```
pub fn when<K: AsRef<str>, V: Into<Value>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Result<Condition, Error> {
    let mut clauses = Vec::new();
    for (k, v) in pairs {
        let k = k.as_ref();
        let (key, op) = match k.rsplit_once("__") {
            Some((key, suffix)) if Op::parse(suffix).is_some() => {
                if key.is_empty() {
                    return Err(Error::Other(format!(
                        "invalid `when` key `{k}`: no state key before `__{suffix}`"
                    )));
                }
                (key.to_string(), Op::parse(suffix).unwrap_or(Op::Eq))
            }
            _ => (k.to_string(), Op::Eq),
        };
        clauses.push((key, op, v.into()));
    }
    clauses.sort_by(|a, b| a.0.cmp(&b.0));
    let name = clauses
        .iter()
        .map(|(k, op, v)| match (op, op.symbol()) {
            (Op::Eq, _) => format!("{k}={}", plain(v)),
            (_, (sym, true)) => format!("{k} {sym} {}", repr(v)),
            (_, (sym, false)) => format!("{k}{sym}{}", repr(v)),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut keys: Vec<String> = Vec::new();
    for (k, _, _) in &clauses {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    Ok(Condition {
        name,
        keys,
        kind: Kind::When(clauses),
    })
}

/// A condition written in the safe expression language (see [`expr`](mod@crate::expr)), parsed once.
/// Its reads are the expression's free names.
///
/// # Examples
///
/// ```
/// use burr_core::{expr, State};
/// let c = expr("len(history) >= 2 or count > 3").unwrap();
/// assert_eq!(c.keys(), &["history", "count"]);
/// assert!(c.evaluate(&State::new().update("history", serde_json::json!([1, 2])).update("count", 0)).unwrap());
/// let err = expr("count <").unwrap_err();
/// assert!(err.to_string().contains("column"));
/// ```
pub fn expr(source: &str) -> Result<Condition, Error> {
    let parsed = Expr::parse(source)?;
    Ok(Condition {
        name: source.to_string(),
        keys: parsed.keys().to_vec(),
        kind: Kind::Expr(Arc::new(parsed)),
    })
}

impl Condition {
    /// A condition computed by a closure over the state, declaring the keys it reads.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{Condition, State};
    /// let big = Condition::lambda("is_big", ["n"], |s| Ok(s.get::<i64>("n")? > 5));
    /// assert!(big.evaluate(&State::new().update("n", 7)).unwrap());
    /// assert!(big.evaluate(&State::new()).is_err());
    /// ```
    pub fn lambda<K: Into<String>>(
        name: &str,
        keys: impl IntoIterator<Item = K>,
        f: impl Fn(&State) -> Result<bool, Error> + Send + Sync + 'static,
    ) -> Condition {
        Condition {
            name: name.to_string(),
            keys: keys.into_iter().map(Into::into).collect(),
            kind: Kind::Fn(Arc::new(f)),
        }
    }

    /// The condition's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::expr("a > 1").unwrap().name(), "a > 1");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The state keys it reads.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::default().keys().is_empty());
    /// ```
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Whether this is the `default` condition.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_core::expr("x").unwrap().is_default());
    /// ```
    pub fn is_default(&self) -> bool {
        self.name == "default"
    }

    /// Evaluates the condition: missing keys are an error naming them.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{expr, State};
    /// let err = expr("x > 1").unwrap().evaluate(&State::new()).unwrap_err();
    /// assert!(err.to_string().contains("x"));
    /// ```
    #[inline]
    pub fn evaluate(&self, state: &State) -> Result<bool, Error> {
        if let Kind::Expr(e) = &self.kind
            && let Some(holds) = e.eval_numeric(state)
        {
            // The key is present: it holds a number.
            return Ok(holds);
        }
        if !self.keys.iter().all(|k| state.contains(k)) {
            let missing = self
                .keys
                .iter()
                .filter(|k| !state.contains(k))
                .cloned()
                .collect();
            return Err(Error::ConditionMissingKeys {
                condition: self.name.clone(),
                missing,
            });
        }
        self.eval_unchecked(state)
    }

    fn eval_unchecked(&self, state: &State) -> Result<bool, Error> {
        match &self.kind {
            Kind::Default => Ok(true),
            Kind::When(clauses) => {
                for (k, op, v) in clauses {
                    let current = state.value_cow(k);
                    let current = current.as_deref().unwrap_or(&Value::Null);
                    let holds = holds(current, *op, v).map_err(|message| Error::Condition {
                        condition: self.name.clone(),
                        message: format!(
                            "`{k}` holds {}: {message}",
                            py_repr_json(current, QUOTED_CHARS)
                        ),
                    })?;
                    if !holds {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Kind::Expr(e) => e.eval_bool(state).map_err(|err| Error::Condition {
                condition: self.name.clone(),
                message: err.message,
            }),
            Kind::Fn(f) => f(state),
            Kind::Not(c) => Ok(!c.eval_unchecked(state)?),
            Kind::And(a, b) => Ok(a.eval_unchecked(state)? && b.eval_unchecked(state)?),
            Kind::Or(a, b) => Ok(a.eval_unchecked(state)? || b.eval_unchecked(state)?),
        }
    }

    fn combine(a: Condition, b: Condition, sep: &str, and: bool) -> Condition {
        let mut keys = a.keys.clone();
        keys.extend(b.keys.iter().filter(|k| !a.keys.contains(k)).cloned());
        let name = format!("{} {sep} {}", a.name, b.name);
        let kind = if and {
            Kind::And(Box::new(a), Box::new(b))
        } else {
            Kind::Or(Box::new(a), Box::new(b))
        };
        Condition { name, keys, kind }
    }
}

/// Whether `current <op> expected` holds, compared exactly as the expression language
/// compares (`when([("k__gt", 1)])` is `expr("k > 1")`); a type mismatch is the error it gives.
fn holds(current: &Value, op: Op, expected: &Value) -> Result<bool, String> {
    let (cmp, a, b) = match op {
        Op::Eq => (CmpOp::Eq, current, expected),
        Op::Ne => (CmpOp::Ne, current, expected),
        Op::Lt => (CmpOp::Lt, current, expected),
        Op::Lte => (CmpOp::Le, current, expected),
        Op::Gt => (CmpOp::Gt, current, expected),
        Op::Gte => (CmpOp::Ge, current, expected),
        Op::In => (CmpOp::In, current, expected),
        Op::NotIn => (CmpOp::NotIn, current, expected),
        Op::Contains => (CmpOp::In, expected, current),
        Op::Is => (CmpOp::Is, current, expected),
        Op::IsNot => (CmpOp::IsNot, current, expected),
    };
    compare_json(cmp, a, b)
}

/// Python's `str()` of a value (strings unquoted), for names.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => repr(other),
    }
}

/// Python's `repr()` of a value, whole, for names.
fn repr(v: &Value) -> String {
    py_repr_json(v, usize::MAX)
}

impl std::ops::Not for Condition {
    type Output = Condition;
    fn not(self) -> Condition {
        Condition {
            name: format!("~{}", self.name),
            keys: self.keys.clone(),
            kind: Kind::Not(Box::new(self)),
        }
    }
}

impl std::ops::BitAnd for Condition {
    type Output = Condition;
    fn bitand(self, rhs: Condition) -> Condition {
        Condition::combine(self, rhs, "&", true)
    }
}

impl std::ops::BitOr for Condition {
    type Output = Condition;
    fn bitor(self, rhs: Condition) -> Condition {
        Condition::combine(self, rhs, "|", false)
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "condition: {}", self.name)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_names_and_ops() {
        assert_eq!(when([("age__gte", 18)]).unwrap().name(), "age>=18");
        assert_eq!(
            when([("s__in", serde_json::json!([1, 2]))]).unwrap().name(),
            "s in [1, 2]"
        );
        let s = State::new()
            .update("age", 20)
            .update("tags", serde_json::json!(["a"]));
        assert!(when([("age__gt", 18)]).unwrap().evaluate(&s).unwrap());
        assert!(
            when([("tags__contains", "a")])
                .unwrap()
                .evaluate(&s)
                .unwrap()
        );
        assert!(!when([("age__lt", 18)]).unwrap().evaluate(&s).unwrap());
    }

    #[test]
    fn truth_tables_and_names() {
        let t = Condition::lambda("t", Vec::<String>::new(), |_| Ok(true));
        let f = Condition::lambda("f", Vec::<String>::new(), |_| Ok(false));
        let s = State::new();
        assert!((t.clone() | f.clone()).evaluate(&s).unwrap());
        assert!(!(t.clone() & f.clone()).evaluate(&s).unwrap());
        assert!((!f.clone()).evaluate(&s).unwrap());
        assert_eq!((t | f).name(), "t | f");
    }

    #[test]
    fn when_and_expr_share_one_comparison_semantics() {
        let s = State::new()
            .update("flag", true)
            .update("n", 2.0)
            .update("big", u64::MAX)
            .update("v", Value::Null)
            .update("name", "burr")
            .update("tags", serde_json::json!([1.0, "a"]));
        for (key, value, source) in [
            ("flag", Value::from(1), "flag == 1"),
            ("flag__ne", Value::from(0), "flag != 0"),
            ("n", Value::from(2), "n == 2"),
            ("n__lt", Value::from(3), "n < 3"),
            (
                "big__gt",
                Value::from(i64::MAX),
                "big > 9223372036854775807",
            ),
            (
                "big__eq",
                Value::from(u64::MAX - 1),
                "big == 18446744073709551614",
            ),
            ("tags__contains", Value::from(1), "1 in tags"),
            ("name__contains", Value::from("ur"), "'ur' in name"),
            ("v__is", Value::Null, "v is None"),
            ("flag__is", Value::from(1), "flag is 1"),
            (
                "name__in",
                serde_json::json!(["burr", "x"]),
                "name in ['burr', 'x']",
            ),
        ] {
            let w = when([(key, value)]).unwrap().evaluate(&s).unwrap();
            let e = expr(source).unwrap().evaluate(&s).unwrap();
            assert_eq!(w, e, "{key} vs {source}");
        }
        for (key, value, source) in [
            ("v__gt", Value::from(18), "v > 18"),
            ("name__lt", Value::from(1), "name < 1"),
            ("n__contains", Value::from(1), "1 in n"),
            ("flag__in", Value::from("abc"), "flag in 'abc'"),
        ] {
            let w = when([(key, value)]).unwrap().evaluate(&s).unwrap_err();
            let e = expr(source).unwrap().evaluate(&s).unwrap_err();
            let (Error::Condition { message: w, .. }, Error::Condition { message: e, .. }) = (w, e)
            else {
                panic!("{key}: not condition errors");
            };
            assert!(w.ends_with(&e), "{key}: `{w}` vs `{e}`");
            assert!(w.starts_with(&format!("`{}` holds", key.split("__").next().unwrap())));
        }
    }

    #[test]
    fn a_when_error_quotes_the_state_value_as_the_expression_language_does() {
        let s = State::new()
            .update("text", "a\nb'")
            .update("f", 1e20)
            .update("big", vec![0; 100_000]);
        let message = |key: &str, source: &str| {
            let w = when([(key, 1)]).unwrap().evaluate(&s).unwrap_err();
            let e = expr(source).unwrap().evaluate(&s).unwrap_err();
            let (Error::Condition { message: w, .. }, Error::Condition { message: e, .. }) = (w, e)
            else {
                panic!("{key}: not condition errors");
            };
            (w, e)
        };
        let (w, _) = message("text__gt", "text > 1");
        assert!(w.starts_with(r#"`text` holds "a\nb'": "#), "{w}");
        let (w, e) = message("f__contains", "1 in f");
        assert_eq!(w, format!("`f` holds 1e+20: {e}"));
        let (w, _) = message("big__gt", "big > 1");
        assert!(w.starts_with("`big` holds [0, 0, 0,"), "{w}");
        assert!(w.len() < QUOTED_CHARS + 100, "{} bytes", w.len());
    }

    #[test]
    fn when_names_quote_values_as_python_does() {
        let name = |key: &str, v: Value| when([(key, v)]).unwrap().name().to_string();
        assert_eq!(
            name("s__in", serde_json::json!(["a\nb", 1.5])),
            r"s in ['a\nb', 1.5]"
        );
        assert_eq!(name("f__gt", Value::from(1e20)), "f>1e+20");
        assert_eq!(name("s", Value::from("x'y")), "s=x'y");
        assert_eq!(name("n", Value::Null), "n=None");
    }

    #[test]
    fn missing_key_is_error_even_for_when() {
        let err = when([("x", 1)])
            .unwrap()
            .evaluate(&State::new())
            .unwrap_err();
        assert!(matches!(err, Error::ConditionMissingKeys { .. }));
    }
}
