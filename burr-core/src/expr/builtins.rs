//! The builtin functions, applied to evaluated arguments.

use std::cmp::Ordering;

use super::ast::{BinOp, Builtin};
use super::compare::py_order;
use super::eval::{Fail, R};
use super::limits::Budget;
use super::python::{
    arith, items, nth_item, num_arith, parse_float, parse_int, py_repr_short, py_str,
};
use super::value::{Num, V, Val};

/// Applies `builtin` to its arguments `vals` (as many as its arity allows); errors point at
/// `col`, the function's name.
pub(super) fn apply<'a>(
    builtin: Builtin,
    mut vals: Vec<Val<'a>>,
    col: u32,
    budget: &Budget,
) -> R<Val<'a>> {
    let fail = |m: String| Fail::new(col, m);
    let name = builtin.name();
    let first = vals.first().map(Val::view);
    Ok(match (builtin, first) {
        (Builtin::Len, Some(v)) => {
            let n = match v {
                V::Str(s) => s.chars().count(),
                V::List(l) | V::Set(l) => l.len(),
                V::Dict(d) => d.len(),
                other => {
                    return Err(fail(format!(
                        "object of type `{}` has no len()",
                        other.type_name()
                    )));
                }
            };
            Val::Int(n as i128)
        }
        (Builtin::Abs, Some(v)) => match v.num() {
            Some(Num::I(i)) => Val::Int(
                i.checked_abs()
                    .ok_or_else(|| fail("integer overflow in `abs`".into()))?,
            ),
            Some(Num::F(f)) => Val::Float(f.abs()),
            None => {
                return Err(fail(format!(
                    "bad operand type for abs(): `{}`",
                    v.type_name()
                )));
            }
        },
        (Builtin::All | Builtin::Any, Some(v)) => {
            let mut it = items(v).map_err(fail)?;
            Val::Bool(if builtin == Builtin::All {
                it.all(V::truthy)
            } else {
                it.any(V::truthy)
            })
        }
        (Builtin::Min | Builtin::Max, Some(v)) => {
            let want = if builtin == Builtin::Min {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            let op = if builtin == Builtin::Min { "<" } else { ">" };
            let better = |x: V<'_>, best: V<'_>| -> R<bool> {
                Ok(py_order(x, best, op).map_err(fail)? == Some(want))
            };
            if vals.len() == 1 {
                let mut best: Option<(usize, V<'_>)> = None;
                for (i, x) in items(v).map_err(fail)?.enumerate() {
                    match best {
                        Some((_, b)) if !better(x, b)? => {}
                        _ => best = Some((i, x)),
                    }
                }
                let Some((i, _)) = best else {
                    return Err(fail(format!("{name}() arg is an empty sequence")));
                };
                let arg = vals.pop().unwrap_or(Val::Null);
                nth_item(arg, i)
            } else {
                let mut best = 0;
                for i in 1..vals.len() {
                    if better(vals[i].view(), vals[best].view())? {
                        best = i;
                    }
                }
                vals.swap_remove(best)
            }
        }
        (Builtin::Sum, Some(v)) => {
            let mut acc = match vals.get(1) {
                None => Val::Int(0),
                Some(start) => match start.view() {
                    V::Str(_) => {
                        return Err(fail("sum() can't sum strings".into()));
                    }
                    other => {
                        // `x + y` copies both operands: the start value is charged there.
                        other.to_val()
                    }
                },
            };
            for x in items(v).map_err(fail)? {
                acc = match (acc.view().num(), x.num()) {
                    (Some(a), Some(b)) => num_arith(BinOp::Add, a, b).map_err(fail)?.into_val(),
                    _ => arith(BinOp::Add, acc.view(), x, budget).map_err(fail)?,
                };
            }
            acc
        }
        (Builtin::Str, None) => Val::string(String::new()),
        (Builtin::Str, Some(v)) => Val::string(py_str(v, budget).map_err(fail)?),
        (Builtin::Bool, None) => Val::Bool(false),
        (Builtin::Bool, Some(v)) => Val::Bool(v.truthy()),
        (Builtin::Float, None) => Val::Float(0.0),
        (Builtin::Float, Some(v)) => match v {
            V::Str(s) => Val::Float(parse_float(s).ok_or_else(|| {
                fail(format!(
                    "could not convert string to float: {}",
                    py_repr_short(v, 200)
                ))
            })?),
            other => match other.num() {
                Some(n) => Val::Float(n.as_f64()),
                None => {
                    return Err(fail(format!(
                        "float() argument must be a string or a number, not `{}`",
                        other.type_name()
                    )));
                }
            },
        },
        (Builtin::Int, None) => Val::Int(0),
        (Builtin::Int, Some(v)) => {
            let base = match vals.get(1).map(Val::view) {
                None => None,
                Some(b) => match b.index() {
                    Some(b) if b == 0 || (2..=36).contains(&b) => Some(b as u32),
                    Some(_) => {
                        return Err(fail("int() base must be >= 2 and <= 36, or 0".into()));
                    }
                    None => {
                        return Err(fail(format!(
                            "int() base must be an integer, not `{}`",
                            b.type_name()
                        )));
                    }
                },
            };
            match (v, base) {
                (V::Str(s), base) => {
                    let base = base.unwrap_or(10);
                    Val::Int(parse_int(s, base).ok_or_else(|| {
                        fail(format!(
                            "invalid literal for int() with base {base}: {}",
                            py_repr_short(v, 200)
                        ))
                    })?)
                }
                (_, Some(_)) => {
                    return Err(fail(
                        "int() can't convert a non-string with an explicit base".into(),
                    ));
                }
                (other, None) => match other.num() {
                    Some(Num::I(i)) => Val::Int(i),
                    Some(Num::F(f)) if f.is_nan() => {
                        return Err(fail("cannot convert float NaN to integer".into()));
                    }
                    Some(Num::F(f)) if f.is_infinite() => {
                        return Err(fail("cannot convert float infinity to integer".into()));
                    }
                    Some(Num::F(f)) => {
                        let t = f.trunc();
                        if t.abs() >= 1.7e38 {
                            return Err(fail("integer overflow in int()".into()));
                        }
                        Val::Int(t as i128)
                    }
                    None => {
                        return Err(fail(format!(
                            "int() argument must be a string or a number, not `{}`",
                            other.type_name()
                        )));
                    }
                },
            }
        }
        (_, None) => return Err(fail(format!("`{name}` needs an argument"))),
    })
}
