//! Values: the intermediate values of an evaluation, and their views and JSON form.

use serde_json::{Map, Value};

/// An intermediate value: scalars inline, JSON borrowed from the scope or the tree when possible.
#[derive(Debug)]
pub(super) enum Val<'a> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Ref(&'a Value),
    Own(Value),
    /// A set: its items, without duplicates. Its JSON form is an array.
    Set(Vec<Value>),
}

/// A borrowed, normalized view of a value.
#[derive(Debug, Clone, Copy)]
pub(super) enum V<'b> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'b str),
    List(&'b [Value]),
    /// The items of a set literal, without duplicates.
    Set(&'b [Value]),
    Dict(&'b Map<String, Value>),
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Num {
    I(i128),
    F(f64),
}

impl Num {
    pub(super) fn into_val<'a>(self) -> Val<'a> {
        match self {
            Num::I(i) => Val::Int(i),
            Num::F(f) => Val::Float(f),
        }
    }

    pub(super) fn as_f64(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

impl<'b> V<'b> {
    #[inline]
    pub(super) fn of(v: &'b Value) -> V<'b> {
        match v {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    V::Int(i128::from(i))
                } else if let Some(u) = n.as_u64() {
                    V::Int(i128::from(u))
                } else {
                    V::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => V::Str(s),
            Value::Array(a) => V::List(a),
            Value::Object(m) => V::Dict(m),
        }
    }

    pub(super) fn type_name(self) -> &'static str {
        match self {
            V::Null => "NoneType",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::Float(_) => "float",
            V::Str(_) => "str",
            V::List(_) => "list",
            V::Set(_) => "set",
            V::Dict(_) => "dict",
        }
    }

    pub(super) fn truthy(self) -> bool {
        match self {
            V::Null => false,
            V::Bool(b) => b,
            V::Int(i) => i != 0,
            V::Float(f) => f != 0.0,
            V::Str(s) => !s.is_empty(),
            V::List(l) | V::Set(l) => !l.is_empty(),
            V::Dict(d) => !d.is_empty(),
        }
    }

    /// Numbers, with `bool` counting as an integer like in Python.
    #[inline]
    pub(super) fn num(self) -> Option<Num> {
        match self {
            V::Bool(b) => Some(Num::I(i128::from(b))),
            V::Int(i) => Some(Num::I(i)),
            V::Float(f) => Some(Num::F(f)),
            _ => None,
        }
    }

    /// An integer usable as an index or count (`bool` included).
    pub(super) fn index(self) -> Option<i128> {
        match self {
            V::Bool(b) => Some(i128::from(b)),
            V::Int(i) => Some(i),
            _ => None,
        }
    }

    pub(super) fn to_val(self) -> Val<'static> {
        match self {
            V::Null => Val::Null,
            V::Bool(b) => Val::Bool(b),
            V::Int(i) => Val::Int(i),
            V::Float(f) => Val::Float(f),
            V::Str(s) => Val::Own(Value::String(s.to_owned())),
            V::List(l) => Val::Own(Value::Array(l.to_vec())),
            V::Set(l) => Val::Set(l.to_vec()),
            V::Dict(d) => Val::Own(Value::Object(d.clone())),
        }
    }
}

impl<'a> Val<'a> {
    #[inline]
    pub(super) fn view(&self) -> V<'_> {
        match self {
            Val::Null => V::Null,
            Val::Bool(b) => V::Bool(*b),
            Val::Int(i) => V::Int(*i),
            Val::Float(f) => V::Float(*f),
            Val::Ref(v) => V::of(v),
            Val::Own(v) => V::of(v),
            Val::Set(items) => V::Set(items),
        }
    }

    pub(super) fn into_value(self) -> Result<Value, String> {
        match self {
            Val::Null => Ok(Value::Null),
            Val::Bool(b) => Ok(Value::Bool(b)),
            Val::Int(i) => int_to_json(i),
            Val::Float(f) => float_to_json(f),
            Val::Ref(v) => Ok(v.clone()),
            Val::Own(v) => Ok(v),
            Val::Set(items) => Ok(Value::Array(items)),
        }
    }

    pub(super) fn string(s: String) -> Val<'a> {
        Val::Own(Value::String(s))
    }
}

fn int_to_json(i: i128) -> Result<Value, String> {
    if let Ok(i) = i64::try_from(i) {
        Ok(Value::from(i))
    } else if let Ok(u) = u64::try_from(i) {
        Ok(Value::from(u))
    } else {
        Err(format!("the integer {i} is too large for JSON"))
    }
}

fn float_to_json(f: f64) -> Result<Value, String> {
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| {
            format!(
                "the float `{}` cannot be represented in JSON",
                py_float_repr(f)
            )
        })
}

/// Python `repr` of a float.
pub(super) fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            if point >= digits.len() {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (-0.0, "-0.0"),
            (2.5e-4, "0.00025"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(py_float_repr(f), s);
        }
    }
}
