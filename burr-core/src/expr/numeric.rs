//! Conditions of the commonest shape, `name OP number` (or `number OP name`) with one of
//! `== != < <= > >=`, recognised when the expression is parsed and evaluated without the
//! evaluator when the name holds a number: the comparison is the same function the evaluator
//! calls, so the answer is the same; any other value goes through the evaluator.

use serde_json::Number;

use super::ast::{CmpOp, Kind, Node};
use super::compare::compare;
use super::value::V;

/// A comparison of one name with a numeric literal.
#[derive(Debug, Clone, Copy)]
pub(super) struct NumericCmp {
    /// Index of the name in the expression's keys.
    key: usize,
    op: CmpOp,
    literal: V<'static>,
    /// The literal, when it is an integer that fits an `i64`: the common case, compared
    /// without widening.
    small_literal: Option<i64>,
    /// Whether the name is the left operand.
    name_first: bool,
}

impl NumericCmp {
    /// The comparison `root` is, when it has the shape this module evaluates.
    pub(super) fn recognise(root: &Node) -> Option<NumericCmp> {
        let Kind::Cmp(first, rest) = &root.kind else {
            return None;
        };
        let [(op, _, second)] = rest.as_slice() else {
            return None;
        };
        if !matches!(
            op,
            CmpOp::Eq | CmpOp::Ne | CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge
        ) {
            return None;
        }
        let number = |n: &Node| match n.kind {
            Kind::Int(i) => Some(V::Int(i)),
            Kind::Float(f) => Some(V::Float(f)),
            _ => None,
        };
        let (key, literal, name_first) = match (&first.kind, &second.kind) {
            (Kind::Name(key), _) => (*key, number(second)?, true),
            (_, Kind::Name(key)) => (*key, number(first)?, false),
            _ => return None,
        };
        let small_literal = match literal {
            V::Int(i) => i64::try_from(i).ok(),
            _ => None,
        };
        Some(NumericCmp {
            key,
            op: *op,
            literal,
            small_literal,
            name_first,
        })
    }

    /// The key the comparison reads.
    pub(super) fn key(self) -> usize {
        self.key
    }

    /// The comparison's value when the name holds `value`.
    #[inline]
    pub(super) fn holds(self, value: &Number) -> bool {
        if let (Some(literal), Some(i)) = (self.small_literal, value.as_i64()) {
            // Two integers: ordered as integers, as `compare` orders them.
            let (a, b) = if self.name_first {
                (i, literal)
            } else {
                (literal, i)
            };
            return match self.op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                CmpOp::Ge => a >= b,
                // `recognise` takes only the six comparisons above.
                _ => {
                    compare(self.op, V::Int(i128::from(a)), V::Int(i128::from(b))).unwrap_or(false)
                }
            };
        }
        let value = if let Some(i) = value.as_i64() {
            V::Int(i128::from(i))
        } else if let Some(u) = value.as_u64() {
            V::Int(i128::from(u))
        } else {
            V::Float(value.as_f64().unwrap_or(f64::NAN))
        };
        let (a, b) = if self.name_first {
            (value, self.literal)
        } else {
            (self.literal, value)
        };
        // Numbers compare with `== != < <= > >=` without error.
        compare(self.op, a, b).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::Expr;
    use crate::State;

    /// The shortcut answers exactly what the evaluator answers, on every operator, both
    /// operand orders, integers, floats and the edges of `i64`/`u64`.
    #[test]
    fn agrees_with_the_evaluator() {
        let values = [
            json!(0),
            json!(-1),
            json!(3),
            json!(2.5),
            json!(-0.0),
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(9_007_199_254_740_993_u64),
            json!(1e300),
        ];
        let literals = [
            "0",
            "3",
            "-1",
            "2.5",
            "3.0",
            "18446744073709551615",
            "18446744073709551616",
            "9007199254740992.0",
            "1e300",
            "-9223372036854775808",
        ];
        let mut checked = 0;
        for op in ["==", "!=", "<", "<=", ">", ">="] {
            for lit in literals {
                for source in [format!("n {op} {lit}"), format!("{lit} {op} n")] {
                    let e = Expr::parse(&source).unwrap();
                    for v in &values {
                        let state = State::new().update("n", v.clone());
                        let fast = e.eval_numeric(&state);
                        let slow = e.eval_bool(&state).unwrap();
                        assert_eq!(fast, Some(slow), "{source} with n = {v}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 6 * 10 * 2 * 10);
    }

    #[test]
    fn other_shapes_and_values_go_to_the_evaluator() {
        let state = State::new()
            .update("n", 1)
            .update("s", "x")
            .update("b", true);
        for source in [
            "n < 2 < 3",
            "n + 1 < 3",
            "n < m",
            "n in [1]",
            "s < 1",
            "b == 1",
        ] {
            let e = Expr::parse(source).unwrap();
            assert_eq!(e.eval_numeric(&state), None, "{source}");
        }
        let missing = Expr::parse("m < 1").unwrap();
        assert_eq!(missing.eval_numeric(&state), None);
        assert_eq!(
            Expr::parse("__SEQUENCE_ID < 1")
                .unwrap()
                .eval_numeric(&state.with_sequence_id(0)),
            None
        );
    }
}
