//! Hash keys that agree with Python's `==`, so that sets de-duplicate their items and compare
//! with each other in linear time.
//!
//! Scalars and strings have a key: two of them are equal exactly when their keys are, across
//! types (`1 == 1.0 == True`, `0.0 == -0.0`). Values without a key (NaN, lists, dicts, sets)
//! are compared one by one with [`py_eq`], which stays linear as long as they are few; none of
//! them equals a value with a key.

use std::collections::HashSet;

use serde_json::Value;

use super::compare::py_eq;
use super::value::V;

/// Sets up to this size are handled by comparing items pairwise, cheaper than hashing there.
const SMALL: usize = 16;

/// 2^127, the first float past `i128` (exact as an `f64`).
const I128_END: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;

/// The normalized form of a scalar or string under Python's `==`.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Key<'a> {
    Null,
    /// An integer, a `bool`, or a float with an integral value within `i128`'s range.
    Int(i128),
    /// The bits of any other float: non-integral, infinite or beyond `i128` (never NaN or
    /// zero, which `Int` holds).
    Float(u64),
    Str(&'a str),
}

/// The key of `v`, or `None` for NaN and containers.
fn key(v: V<'_>) -> Option<Key<'_>> {
    Some(match v {
        V::Null => Key::Null,
        V::Bool(b) => Key::Int(i128::from(b)),
        V::Int(i) => Key::Int(i),
        V::Float(f) if f.is_nan() => return None,
        // Exact: an integral float within the range converts to `i128` without rounding.
        V::Float(f) if f.fract() == 0.0 && (-I128_END..I128_END).contains(&f) => {
            Key::Int(f as i128)
        }
        V::Float(f) => Key::Float(f.to_bits()),
        V::Str(s) => Key::Str(s),
        V::List(_) | V::Set(_) | V::Dict(_) => return None,
    })
}

/// The items of a set, for membership tests in constant time (items with a key) or linear in
/// the number of items without one.
pub(super) struct SetIndex<'a> {
    keyed: HashSet<Key<'a>>,
    others: Vec<&'a Value>,
}

impl<'a> SetIndex<'a> {
    pub(super) fn new(items: &'a [Value]) -> SetIndex<'a> {
        let mut index = SetIndex {
            keyed: HashSet::with_capacity(items.len()),
            others: Vec::new(),
        };
        for item in items {
            index.insert(item);
        }
        index
    }

    /// Adds `item`; whether no equal item was there.
    fn insert(&mut self, item: &'a Value) -> bool {
        match key(V::of(item)) {
            Some(k) => self.keyed.insert(k),
            None if self.contains_other(V::of(item)) => false,
            None => {
                self.others.push(item);
                true
            }
        }
    }

    /// Whether an item equals `v`.
    pub(super) fn contains(&self, v: V<'_>) -> bool {
        match key(v) {
            Some(k) => self.keyed.contains(&k),
            None => self.contains_other(v),
        }
    }

    fn contains_other(&self, v: V<'_>) -> bool {
        self.others.iter().any(|o| py_eq(V::of(o), v))
    }
}

/// `items` without duplicates, the first of equal items kept, in order.
pub(super) fn dedup(mut items: Vec<Value>) -> Vec<Value> {
    let keep: Vec<bool> = if items.len() <= SMALL {
        (0..items.len())
            .map(|i| {
                let v = V::of(&items[i]);
                !items[..i].iter().any(|e| py_eq(V::of(e), v))
            })
            .collect()
    } else {
        let mut seen = SetIndex {
            keyed: HashSet::with_capacity(items.len()),
            others: Vec::new(),
        };
        items.iter().map(|item| seen.insert(item)).collect()
    };
    let mut keep = keep.into_iter();
    items.retain(|_| keep.next().unwrap_or(false));
    items
}

/// Whether every item of the set `x` is in the set `y` (sets hold no duplicates).
pub(super) fn subset(x: &[Value], y: &[Value]) -> bool {
    if x.len() > y.len() {
        return false;
    }
    if y.len() <= SMALL {
        return x
            .iter()
            .all(|p| y.iter().any(|q| py_eq(V::of(p), V::of(q))));
    }
    let y = SetIndex::new(y);
    x.iter().all(|p| y.contains(V::of(p)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::expr::compare::PY_EQ_CALLS;

    fn py_eq_calls(f: impl FnOnce()) -> u64 {
        let before = PY_EQ_CALLS.with(|c| c.get());
        f();
        PY_EQ_CALLS.with(|c| c.get()) - before
    }

    #[test]
    fn keys_agree_with_python_equality() {
        let values = [
            V::Null,
            V::Bool(true),
            V::Bool(false),
            V::Int(0),
            V::Int(1),
            V::Int(-1),
            V::Int(1 << 53),
            V::Int((1 << 53) + 1),
            V::Int(i128::from(u64::MAX)),
            V::Int(i128::MIN),
            V::Int(i128::MAX),
            V::Float(0.0),
            V::Float(-0.0),
            V::Float(1.0),
            V::Float(-1.0),
            V::Float(1.5),
            V::Float(9_007_199_254_740_992.0),
            V::Float(u64::MAX as f64),
            V::Float(-I128_END),
            V::Float(I128_END),
            V::Float(1e300),
            V::Float(f64::INFINITY),
            V::Float(f64::NEG_INFINITY),
            V::Str(""),
            V::Str("1"),
            V::Str("a"),
        ];
        for a in values {
            for b in values {
                let (ka, kb) = (key(a).unwrap(), key(b).unwrap());
                assert_eq!(ka == kb, py_eq(a, b), "{a:?} and {b:?}");
            }
        }
        assert_eq!(key(V::Float(f64::NAN)), None);
        assert_eq!(key(V::List(&[])), None);
    }

    #[test]
    fn dedup_keeps_the_first_of_equal_items_in_order() {
        let items = |v: Value| v.as_array().unwrap().clone();
        let many: Vec<Value> = (0..100).chain(0..100).map(Value::from).collect();
        let want: Vec<Value> = (0..100).map(Value::from).collect();
        assert_eq!(dedup(many), want);
        let mixed = json!([
            3, 1, true, 1.0, "1", 3.0, null, -0.0, 0, false, 2.5, "1", null
        ]);
        let want = json!([3, 1, "1", null, -0.0, 2.5]);
        assert_eq!(dedup(items(mixed.clone())), items(want.clone()));
        let padded: Vec<Value> = items(mixed)
            .into_iter()
            .chain((10..30).map(Value::from))
            .collect();
        let want: Vec<Value> = items(want)
            .into_iter()
            .chain((10..30).map(Value::from))
            .collect();
        assert_eq!(dedup(padded), want);
    }

    #[test]
    fn subsets_of_large_sets() {
        let x: Vec<Value> = (0..1000).map(Value::from).collect();
        let y: Vec<Value> = (0..1001).rev().map(|i| json!(f64::from(i))).collect();
        assert!(subset(&x, &y));
        assert!(!subset(&y, &x));
        assert!(subset(&y, &y));
        assert!(!subset(&x[..10], &y[..500]));
        assert!(subset(&x[..10], &y[990..]));
    }

    #[test]
    fn large_sets_deduplicate_and_compare_without_pairwise_comparisons() {
        let n = 3_000;
        let items: Vec<Value> = (0..n).chain(0..n).map(|i| json!(format!("s{i}"))).collect();
        let calls = py_eq_calls(|| assert_eq!(dedup(items.clone()).len(), n));
        assert_eq!(calls, 0);
        let (x, y) = (&items[..n], &items[n..]);
        let calls = py_eq_calls(|| assert!(subset(x, y) && subset(y, x)));
        assert_eq!(calls, 0);

        // Through an expression: a literal of `n` distinct items compared with its reverse.
        let list = |r: &mut dyn Iterator<Item = usize>| {
            r.map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
        };
        let src = format!(
            "{{{}}} == {{{}}}",
            list(&mut (0..n)),
            list(&mut (0..n).rev())
        );
        let e = crate::expr::Expr::parse(&src).unwrap();
        let calls = py_eq_calls(|| assert!(e.eval_bool(&json!({})).unwrap()));
        assert!(calls <= 1, "{calls} comparisons");
    }
}
