//! Property tests: the expression evaluator agrees with Python's integer semantics, computed here
//! by an independent reference evaluator, and never panics on arbitrary input.

use burr_core::expr::Expr;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    FloorDiv,
    Mod,
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A small integer/boolean expression tree.
#[derive(Debug, Clone)]
enum E {
    Lit(i64),
    Var(usize),
    Bool(bool),
    Neg(Box<E>),
    Not(Box<E>),
    Bin(Op, Box<E>, Box<E>),
    Pow(Box<E>, u32),
    Chain(Vec<E>, Vec<Cmp>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
}

const VARS: [&str; 3] = ["x", "y", "z"];

/// A Python value in the reference evaluator.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Py {
    Int(i128),
    Bool(bool),
}

impl Py {
    fn int(self) -> i128 {
        match self {
            Py::Int(i) => i,
            Py::Bool(b) => i128::from(b),
        }
    }

    fn truthy(self) -> bool {
        self.int() != 0
    }
}

/// Python's floor division, derived from Euclidean division.
fn py_floordiv(a: i128, b: i128) -> Option<i128> {
    if b == 0 {
        return None;
    }
    let q = a.checked_div_euclid(b)?;
    let r = a.rem_euclid(b);
    Some(if b < 0 && r != 0 { q - 1 } else { q })
}

/// Python's modulo: the result has the divisor's sign.
fn py_mod(a: i128, b: i128) -> Option<i128> {
    if b == 0 {
        return None;
    }
    let r = a.rem_euclid(b);
    Some(if b < 0 && r != 0 { r + b } else { r })
}

/// Reference evaluation; `None` means Python would raise (division by zero) or the result would
/// not fit the evaluator's 128-bit integers.
fn reference(e: &E, vars: &[i64; 3]) -> Option<Py> {
    Some(match e {
        E::Lit(n) => Py::Int(i128::from(*n)),
        E::Var(i) => Py::Int(i128::from(vars[*i])),
        E::Bool(b) => Py::Bool(*b),
        E::Neg(a) => Py::Int(reference(a, vars)?.int().checked_neg()?),
        E::Not(a) => Py::Bool(!reference(a, vars)?.truthy()),
        E::Bin(op, a, b) => {
            let (x, y) = (reference(a, vars)?.int(), reference(b, vars)?.int());
            Py::Int(match op {
                Op::Add => x.checked_add(y)?,
                Op::Sub => x.checked_sub(y)?,
                Op::Mul => x.checked_mul(y)?,
                Op::FloorDiv => py_floordiv(x, y)?,
                Op::Mod => py_mod(x, y)?,
            })
        }
        E::Pow(a, n) => Py::Int(reference(a, vars)?.int().checked_pow(*n)?),
        E::Chain(operands, ops) => {
            let mut left = reference(&operands[0], vars)?.int();
            for (op, operand) in ops.iter().zip(&operands[1..]) {
                let right = reference(operand, vars)?.int();
                let holds = match op {
                    Cmp::Eq => left == right,
                    Cmp::Ne => left != right,
                    Cmp::Lt => left < right,
                    Cmp::Le => left <= right,
                    Cmp::Gt => left > right,
                    Cmp::Ge => left >= right,
                };
                if !holds {
                    return Some(Py::Bool(false));
                }
                left = right;
            }
            Py::Bool(true)
        }
        E::And(a, b) => {
            let a = reference(a, vars)?;
            if a.truthy() { reference(b, vars)? } else { a }
        }
        E::Or(a, b) => {
            let a = reference(a, vars)?;
            if a.truthy() { a } else { reference(b, vars)? }
        }
    })
}

/// Renders with the fewest parentheses Python's precedence allows; returns the text and its
/// precedence level (higher binds tighter).
fn render(e: &E) -> (String, u8) {
    let wrap = |e: &E, needs: &dyn Fn(u8) -> bool| {
        let (s, p) = render(e);
        if needs(p) { format!("({s})") } else { s }
    };
    match e {
        E::Lit(n) => (n.to_string(), 9),
        E::Var(i) => (VARS[*i].to_string(), 9),
        E::Bool(b) => (if *b { "True" } else { "False" }.to_string(), 9),
        E::Neg(a) => (format!("-{}", wrap(a, &|p| p < 7)), 7),
        E::Not(a) => (format!("not {}", wrap(a, &|p| p < 3)), 3),
        E::Bin(op, a, b) => {
            let (sym, prec) = match op {
                Op::Add => ("+", 5),
                Op::Sub => ("-", 5),
                Op::Mul => ("*", 6),
                Op::FloorDiv => ("//", 6),
                Op::Mod => ("%", 6),
            };
            let l = wrap(a, &|p| p < prec);
            let r = wrap(b, &|p| p <= prec);
            (format!("{l} {sym} {r}"), prec)
        }
        E::Pow(a, n) => (format!("{} ** {n}", wrap(a, &|p| p < 9)), 8),
        E::Chain(operands, ops) => {
            let mut s = wrap(&operands[0], &|p| p <= 4);
            for (op, operand) in ops.iter().zip(&operands[1..]) {
                let sym = match op {
                    Cmp::Eq => "==",
                    Cmp::Ne => "!=",
                    Cmp::Lt => "<",
                    Cmp::Le => "<=",
                    Cmp::Gt => ">",
                    Cmp::Ge => ">=",
                };
                s = format!("{s} {sym} {}", wrap(operand, &|p| p <= 4));
            }
            (s, 4)
        }
        E::And(a, b) => (
            format!("{} and {}", wrap(a, &|p| p < 2), wrap(b, &|p| p <= 2)),
            2,
        ),
        E::Or(a, b) => (
            format!("{} or {}", wrap(a, &|p| p < 1), wrap(b, &|p| p <= 1)),
            1,
        ),
    }
}

fn arb_expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        4 => (0i64..50).prop_map(E::Lit),
        3 => (0usize..3).prop_map(E::Var),
        1 => any::<bool>().prop_map(E::Bool),
    ];
    leaf.prop_recursive(5, 40, 3, |inner| {
        let op = prop_oneof![
            Just(Op::Add),
            Just(Op::Sub),
            Just(Op::Mul),
            Just(Op::FloorDiv),
            Just(Op::Mod),
        ];
        let cmp = prop_oneof![
            Just(Cmp::Eq),
            Just(Cmp::Ne),
            Just(Cmp::Lt),
            Just(Cmp::Le),
            Just(Cmp::Gt),
            Just(Cmp::Ge),
        ];
        prop_oneof![
            3 => (op, inner.clone(), inner.clone())
                .prop_map(|(op, a, b)| E::Bin(op, Box::new(a), Box::new(b))),
            1 => inner.clone().prop_map(|a| E::Neg(Box::new(a))),
            1 => inner.clone().prop_map(|a| E::Not(Box::new(a))),
            1 => (inner.clone(), 0u32..4).prop_map(|(a, n)| E::Pow(Box::new(a), n)),
            2 => (proptest::collection::vec(inner.clone(), 2..4), proptest::collection::vec(cmp, 3))
                .prop_map(|(operands, ops)| {
                    let ops = ops[..operands.len() - 1].to_vec();
                    E::Chain(operands, ops)
                }),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| E::And(Box::new(a), Box::new(b))),
            1 => (inner.clone(), inner).prop_map(|(a, b)| E::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn scope(vars: &[i64; 3]) -> Map<String, Value> {
    VARS.iter()
        .zip(vars)
        .map(|(name, v)| (name.to_string(), json!(v)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_with_python_integer_semantics(e in arb_expr(), vars in any::<[i8; 3]>()) {
        let vars = vars.map(i64::from);
        let (src, _) = render(&e);
        let parsed = Expr::parse(&src).map_err(|err| TestCaseError::fail(err.to_string()))?;
        let got = parsed.eval(&scope(&vars));
        let want = reference(&e, &vars).and_then(|py| match py {
            Py::Bool(b) => Some(Value::Bool(b)),
            Py::Int(i) => i64::try_from(i).ok().map(Value::from)
                .or_else(|| u64::try_from(i).ok().map(Value::from)),
        });
        match (got, want) {
            (Ok(got), Some(want)) => prop_assert_eq!(got, want, "{}", src),
            (Err(_), None) => {}
            (got, want) => prop_assert!(false, "{src}: evaluator gave {got:?}, Python gives {want:?}"),
        }
        // The truthiness path agrees with the value path.
        if let (Some(py), Ok(b)) = (reference(&e, &vars), parsed.eval_bool(&scope(&vars))) {
            prop_assert_eq!(b, py.truthy(), "{}", src);
        }
    }

    #[test]
    fn floor_division_and_modulo_identities(a in -10_000i64..10_000, b in -100i64..100) {
        prop_assume!(b != 0);
        let s = json!({"a": a, "b": b});
        let q = Expr::parse("a // b").unwrap().eval(&s).unwrap();
        let r = Expr::parse("a % b").unwrap().eval(&s).unwrap();
        let (q, r) = (q.as_i64().unwrap(), r.as_i64().unwrap());
        prop_assert_eq!(q * b + r, a);
        prop_assert!(r == 0 || (r < 0) == (b < 0));
        prop_assert!(r.abs() < b.abs());
        prop_assert_eq!(i128::from(q), py_floordiv(i128::from(a), i128::from(b)).unwrap());
        // True division of ints is a float.
        let d = Expr::parse("a / b").unwrap().eval(&s).unwrap();
        prop_assert_eq!(d.as_f64().unwrap(), a as f64 / b as f64);
        prop_assert!(Expr::parse("a // b * b + a % b == a").unwrap().eval_bool(&s).unwrap());
    }

    #[test]
    fn float_floor_division_and_modulo_are_consistent(a in -1000.0f64..1000.0, b in -50.0f64..50.0) {
        prop_assume!(b.abs() > 1e-3);
        let s = json!({"a": a, "b": b});
        let q = Expr::parse("a // b").unwrap().eval(&s).unwrap().as_f64().unwrap();
        let r = Expr::parse("a % b").unwrap().eval(&s).unwrap().as_f64().unwrap();
        prop_assert_eq!(q, q.floor());
        prop_assert!(r == 0.0 || (r < 0.0) == (b < 0.0), "{a} % {b} = {r}");
        prop_assert!(r.abs() <= b.abs());
        prop_assert!((q * b + r - a).abs() <= 1e-9 * a.abs().max(1.0));
    }

    #[test]
    fn never_panics_on_arbitrary_text(src in "[a-z0-9_ ()\\[\\]{}.,:'\"+*/%<>=!-]{0,24}") {
        if let Ok(e) = Expr::parse(&src) {
            let s = json!({"a": [1, "x", null], "b": {"c": 2}, "x": 3, "y": "text"});
            let _ = e.eval(&s);
            let _ = e.eval_bool(&s);
        }
    }
}
