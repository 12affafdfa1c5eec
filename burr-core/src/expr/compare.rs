//! Python's comparisons (`== != < <= > >= in not in is is not`), written once for both the
//! expression language and [`when`](crate::when) conditions.
//!
//! Sets (from set literals) compare as sets: `==` ignores order, `<`/`<=`/`>`/`>=` test
//! (strict) subsets and supersets. As in Python, a set never equals a list, and ordering a set
//! against a list is an error.

use std::cmp::Ordering;

use serde_json::Value;

use super::ast::CmpOp;
use super::hash_key::subset;
use super::value::{Num, V};

/// Compares an integer with a float exactly, as Python does.
fn int_float_cmp(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^127 as f64 is exact.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    let floor = f.floor();
    if floor >= LIMIT {
        return Some(Ordering::Less);
    }
    if floor < -LIMIT {
        return Some(Ordering::Greater);
    }
    Some(match i.cmp(&(floor as i128)) {
        Ordering::Equal if f > floor => Ordering::Less,
        o => o,
    })
}

#[inline]
pub(super) fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(&y)),
        (Num::F(x), Num::F(y)) => x.partial_cmp(&y),
        (Num::I(x), Num::F(y)) => int_float_cmp(x, y),
        (Num::F(x), Num::I(y)) => int_float_cmp(y, x).map(Ordering::reverse),
    }
}

#[cfg(test)]
thread_local! {
    /// How many times this thread called [`py_eq`]: tests measure comparison work with it.
    pub(super) static PY_EQ_CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Python `==`.
pub(super) fn py_eq(a: V<'_>, b: V<'_>) -> bool {
    #[cfg(test)]
    PY_EQ_CALLS.with(|c| c.set(c.get() + 1));
    if let (Some(x), Some(y)) = (a.num(), b.num()) {
        return num_cmp(x, y) == Some(Ordering::Equal);
    }
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Str(x), V::Str(y)) => x == y,
        (V::List(x), V::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(V::of(p), V::of(q)))
        }
        (V::Set(x), V::Set(y)) => x.len() == y.len() && subset(x, y),
        (V::Dict(x), V::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, p)| y.get(k).is_some_and(|q| py_eq(V::of(p), V::of(q))))
        }
        _ => false,
    }
}

/// Python ordering for `< <= > >=`; `None` when unordered (NaN, or sets neither of which
/// contains the other).
pub(super) fn py_order(a: V<'_>, b: V<'_>, op: &str) -> Result<Option<Ordering>, String> {
    if let (Some(x), Some(y)) = (a.num(), b.num()) {
        return Ok(num_cmp(x, y));
    }
    match (a, b) {
        (V::Str(x), V::Str(y)) => Ok(Some(x.cmp(y))),
        (V::List(x), V::List(y)) => {
            for (p, q) in x.iter().zip(y) {
                let (p, q) = (V::of(p), V::of(q));
                if !py_eq(p, q) {
                    return py_order(p, q, op);
                }
            }
            Ok(Some(x.len().cmp(&y.len())))
        }
        (V::Set(x), V::Set(y)) => Ok(match (subset(x, y), subset(y, x)) {
            (true, true) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Less),
            (false, true) => Some(Ordering::Greater),
            (false, false) => None,
        }),
        _ => Err(format!(
            "`{op}` is not supported between `{}` and `{}`",
            a.type_name(),
            b.type_name()
        )),
    }
}

/// Python `needle in haystack`.
fn contains(haystack: V<'_>, needle: V<'_>) -> Result<bool, String> {
    match haystack {
        V::List(items) => Ok(items.iter().any(|x| py_eq(V::of(x), needle))),
        V::Set(items) => match needle {
            V::List(_) | V::Set(_) | V::Dict(_) => {
                Err(format!("unhashable type: `{}`", needle.type_name()))
            }
            _ => Ok(items.iter().any(|x| py_eq(V::of(x), needle))),
        },
        V::Str(s) => match needle {
            V::Str(n) => Ok(s.contains(n)),
            other => Err(format!(
                "`in <str>` requires a `str` on the left, not `{}`",
                other.type_name()
            )),
        },
        V::Dict(d) => match needle {
            V::Str(k) => Ok(d.contains_key(k)),
            V::List(_) | V::Set(_) | V::Dict(_) => {
                Err(format!("unhashable type: `{}`", needle.type_name()))
            }
            _ => Ok(false),
        },
        other => Err(format!(
            "argument of type `{}` is not iterable",
            other.type_name()
        )),
    }
}

/// Python `is`, approximated: same type and equal.
fn identical(a: V<'_>, b: V<'_>) -> bool {
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Int(x), V::Int(y)) => x == y,
        (V::Float(x), V::Float(y)) => x.to_bits() == y.to_bits(),
        (V::Str(_), V::Str(_))
        | (V::List(_), V::List(_))
        | (V::Set(_), V::Set(_))
        | (V::Dict(_), V::Dict(_)) => py_eq(a, b),
        _ => false,
    }
}

#[inline]
pub(super) fn compare(op: CmpOp, a: V<'_>, b: V<'_>) -> Result<bool, String> {
    if let (V::Int(x), V::Int(y)) = (a, b) {
        return Ok(match op {
            CmpOp::Eq | CmpOp::Is => x == y,
            CmpOp::Ne | CmpOp::IsNot => x != y,
            CmpOp::Lt => x < y,
            CmpOp::Le => x <= y,
            CmpOp::Gt => x > y,
            CmpOp::Ge => x >= y,
            CmpOp::In | CmpOp::NotIn => return Err("argument of type `int` is not iterable".into()),
        });
    }
    compare_general(op, a, b)
}

#[inline(never)]
fn compare_general(op: CmpOp, a: V<'_>, b: V<'_>) -> Result<bool, String> {
    let ordered = |want: fn(Ordering) -> bool| -> Result<bool, String> {
        Ok(py_order(a, b, op.symbol())?.is_some_and(want))
    };
    match op {
        CmpOp::Eq => Ok(py_eq(a, b)),
        CmpOp::Ne => Ok(!py_eq(a, b)),
        CmpOp::Lt => ordered(Ordering::is_lt),
        CmpOp::Le => ordered(Ordering::is_le),
        CmpOp::Gt => ordered(Ordering::is_gt),
        CmpOp::Ge => ordered(Ordering::is_ge),
        CmpOp::In => contains(b, a),
        CmpOp::NotIn => contains(b, a).map(|x| !x),
        CmpOp::Is => Ok(identical(a, b)),
        CmpOp::IsNot => Ok(!identical(a, b)),
    }
}

/// `a <op> b` on two JSON values, as the expression language compares them.
pub(crate) fn compare_json(op: CmpOp, a: &Value, b: &Value) -> Result<bool, String> {
    compare(op, V::of(a), V::of(b))
}
