//! Python semantics: arithmetic, `repr`/`str`, number parsing and iteration.

use serde_json::Value;

use super::ast::BinOp;
use super::limits::{Budget, NODE};
use super::value::{Num, V, Val, py_float_repr};

fn floor_div_int(a: i128, b: i128) -> Option<i128> {
    let q = a.checked_div(b)?;
    if (a % b != 0) && ((a % b < 0) != (b < 0)) {
        q.checked_sub(1)
    } else {
        Some(q)
    }
}

fn floor_mod_int(a: i128, b: i128) -> Option<i128> {
    if b == -1 {
        return Some(0);
    }
    let r = a.checked_rem(b)?;
    Some(if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    })
}

/// Python's `divmod` for floats (`b` non-zero).
fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0_f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0_f64.copysign(a / b)
    };
    (floordiv, m)
}

fn float_pow(a: f64, b: f64) -> Result<f64, String> {
    if a == 0.0 && b < 0.0 {
        return Err("0.0 cannot be raised to a negative power".into());
    }
    if a < 0.0 && a.is_finite() && b.is_finite() && b.fract() != 0.0 {
        return Err(
            "a negative number cannot be raised to a fractional power (complex result)".into(),
        );
    }
    let r = a.powf(b);
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return Err("numerical result out of range in `**`".into());
    }
    Ok(r)
}

pub(super) fn num_arith(op: BinOp, x: Num, y: Num) -> Result<Num, String> {
    let overflow = || format!("integer overflow in `{}`", op.symbol());
    if let (Num::I(a), Num::I(b)) = (x, y) {
        return match op {
            BinOp::Add => a.checked_add(b).map(Num::I).ok_or_else(overflow),
            BinOp::Sub => a.checked_sub(b).map(Num::I).ok_or_else(overflow),
            BinOp::Mul => a.checked_mul(b).map(Num::I).ok_or_else(overflow),
            BinOp::Div => {
                if b == 0 {
                    Err("division by zero".into())
                } else {
                    Ok(Num::F(a as f64 / b as f64))
                }
            }
            BinOp::FloorDiv | BinOp::Mod if b == 0 => {
                Err("integer division or modulo by zero".into())
            }
            BinOp::FloorDiv => floor_div_int(a, b).map(Num::I).ok_or_else(overflow),
            BinOp::Mod => floor_mod_int(a, b).map(Num::I).ok_or_else(overflow),
            BinOp::Pow => {
                if b < 0 {
                    if a == 0 {
                        return Err("0.0 cannot be raised to a negative power".into());
                    }
                    return float_pow(a as f64, b as f64).map(Num::F);
                }
                match a {
                    0 | 1 => Ok(Num::I(if b == 0 { 1 } else { a })),
                    -1 => Ok(Num::I(if b % 2 == 0 { 1 } else { -1 })),
                    _ => u32::try_from(b)
                        .ok()
                        .and_then(|b| a.checked_pow(b))
                        .map(Num::I)
                        .ok_or_else(overflow),
                }
            }
        };
    }
    let (a, b) = (x.as_f64(), y.as_f64());
    Ok(Num::F(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div if b == 0.0 => return Err("float division by zero".into()),
        BinOp::Div => a / b,
        BinOp::FloorDiv if b == 0.0 => return Err("float floor division by zero".into()),
        BinOp::FloorDiv => float_divmod(a, b).0,
        BinOp::Mod if b == 0.0 => return Err("float modulo by zero".into()),
        BinOp::Mod => float_divmod(a, b).1,
        BinOp::Pow => float_pow(a, b)?,
    }))
}

/// How many copies `seq * n` makes: none for a negative `n`, as in Python.
fn repeat_count(n: i128) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

/// A binary arithmetic operator; the strings and lists it builds are charged to `budget`.
#[inline]
pub(super) fn arith<'a>(
    op: BinOp,
    va: V<'_>,
    vb: V<'_>,
    budget: &Budget,
) -> Result<Val<'a>, String> {
    if let (Some(x), Some(y)) = (va.num(), vb.num()) {
        return num_arith(op, x, y).map(Num::into_val);
    }
    arith_sequences(op, va, vb, budget)
}

/// `+` and `*` on strings and lists, and the type errors of every operator.
#[inline(never)]
fn arith_sequences<'a>(
    op: BinOp,
    va: V<'_>,
    vb: V<'_>,
    budget: &Budget,
) -> Result<Val<'a>, String> {
    let unsupported = || {
        format!(
            "unsupported operand types for `{}`: `{}` and `{}`",
            op.symbol(),
            va.type_name(),
            vb.type_name()
        )
    };
    match (op, va, vb) {
        (BinOp::Add, V::Str(x), V::Str(y)) => {
            budget.charge(NODE + x.len() + y.len())?;
            Ok(Val::string([x, y].concat()))
        }
        (BinOp::Add, V::List(x), V::List(y)) => {
            budget.charge(NODE)?;
            budget.charge_copies(1, x)?;
            budget.charge_copies(1, y)?;
            let mut out = Vec::with_capacity(x.len() + y.len());
            out.extend_from_slice(x);
            out.extend_from_slice(y);
            Ok(Val::Own(Value::Array(out)))
        }
        (BinOp::Mul, V::Str(s), n) | (BinOp::Mul, n, V::Str(s)) => match n.index() {
            Some(n) => {
                let n = if s.is_empty() { 0 } else { repeat_count(n) };
                budget.charge(NODE.saturating_add(s.len().saturating_mul(n)))?;
                Ok(Val::string(s.repeat(n)))
            }
            None if n.num().is_some() => Err(format!(
                "cannot multiply a sequence by a non-int of type `{}`",
                n.type_name()
            )),
            None => Err(unsupported()),
        },
        (BinOp::Mul, V::List(l), n) | (BinOp::Mul, n, V::List(l)) => match n.index() {
            Some(n) => {
                let n = if l.is_empty() { 0 } else { repeat_count(n) };
                budget.charge(NODE)?;
                budget.charge_copies(n, l)?;
                let mut out = Vec::with_capacity(n * l.len());
                for _ in 0..n {
                    out.extend_from_slice(l);
                }
                Ok(Val::Own(Value::Array(out)))
            }
            None if n.num().is_some() => Err(format!(
                "cannot multiply a sequence by a non-int of type `{}`",
                n.type_name()
            )),
            None => Err(unsupported()),
        },
        _ => Err(unsupported()),
    }
}
/// Python `repr` of a string, written to `out`; stops as soon as `out` is longer than `cap`
/// bytes.
pub(super) fn py_str_repr(s: &str, out: &mut String, cap: usize) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        if out.len() > cap {
            return;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Python `repr`, written to `out`; stops as soon as `out` is longer than `cap` bytes, which
/// leaves the text cut there (brackets unclosed), after at most a few bytes more.
pub(super) fn py_repr(v: V<'_>, out: &mut String, cap: usize) {
    if out.len() > cap {
        return;
    }
    match v {
        V::Null => out.push_str("None"),
        V::Bool(true) => out.push_str("True"),
        V::Bool(false) => out.push_str("False"),
        V::Int(i) => out.push_str(&i.to_string()),
        V::Float(f) => out.push_str(&py_float_repr(f)),
        V::Str(s) => py_str_repr(s, out, cap),
        V::Set(items) => py_repr_items(items, ('{', '}'), out, cap),
        V::List(items) => py_repr_items(items, ('[', ']'), out, cap),
        V::Dict(d) => {
            out.push('{');
            for (i, (k, x)) in d.iter().enumerate() {
                if out.len() > cap {
                    return;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                py_str_repr(k, out, cap);
                out.push_str(": ");
                py_repr(V::of(x), out, cap);
            }
            out.push('}');
        }
    }
}

/// The `repr` of a list or set: its items' between `brackets`, cut like [`py_repr`].
fn py_repr_items(items: &[Value], brackets: (char, char), out: &mut String, cap: usize) {
    out.push(brackets.0);
    for (i, x) in items.iter().enumerate() {
        if out.len() > cap {
            return;
        }
        if i > 0 {
            out.push_str(", ");
        }
        py_repr(V::of(x), out, cap);
    }
    out.push(brackets.1);
}

/// Python `str`, charged to `budget`.
pub(super) fn py_str(v: V<'_>, budget: &Budget) -> Result<String, String> {
    let out = match v {
        V::Str(s) => {
            budget.charge(NODE + s.len())?;
            return Ok(s.to_owned());
        }
        other => {
            let mut out = String::new();
            py_repr(other, &mut out, budget.left());
            out
        }
    };
    budget.charge(NODE + out.len())?;
    Ok(out)
}

/// Python `repr`, cut to `max` characters and marked `...` when longer, for an error
/// message; the work is bounded by `max`, not by the size of `v`.
pub(super) fn py_repr_short(v: V<'_>, max: usize) -> String {
    let mut out = String::new();
    // `max` characters take at most `4 * max` bytes: a text cut there has more than `max`.
    py_repr(v, &mut out, max.saturating_mul(4));
    if let Some((end, _)) = out.char_indices().nth(max) {
        out.truncate(end);
        out.push_str("...");
    }
    out
}

/// [`py_repr_short`] of a JSON value, for the messages and names of
/// [`when`](crate::when) conditions.
pub(crate) fn py_repr_json(v: &Value, max: usize) -> String {
    py_repr_short(V::of(v), max)
}

/// Strips `_` separators from a numeric string the way Python's `int()`/`float()` accept them
/// (only between two digits); `None` when misplaced.
fn strip_underscores(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            let ok = i > 0
                && chars[i - 1].is_ascii_alphanumeric()
                && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric);
            if !ok {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

pub(super) fn parse_int(text: &str, base: u32) -> Option<i128> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    let prefixed = |p: &str| {
        lower
            .strip_prefix(p)
            .map(|r| r.trim_start_matches('_').to_owned())
    };
    let (digits, base) = match base {
        0 => match (prefixed("0x"), prefixed("0o"), prefixed("0b")) {
            (Some(d), _, _) => (d, 16),
            (_, Some(d), _) => (d, 8),
            (_, _, Some(d)) => (d, 2),
            _ => {
                if lower.len() > 1
                    && lower.starts_with('0')
                    && lower.chars().any(|c| c != '0' && c != '_')
                {
                    return None;
                }
                (lower.clone(), 10)
            }
        },
        16 => (prefixed("0x").unwrap_or_else(|| lower.clone()), 16),
        8 => (prefixed("0o").unwrap_or_else(|| lower.clone()), 8),
        2 => (prefixed("0b").unwrap_or_else(|| lower.clone()), 2),
        b => (lower.clone(), b),
    };
    let digits = strip_underscores(&digits)?;
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let n = i128::from_str_radix(&digits, base).ok()?;
    Some(if neg { -n } else { n })
}

pub(super) fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.parse().ok();
    }
    if !unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-' | '_'))
    {
        return None;
    }
    strip_underscores(t)?.parse().ok()
}

/// Iterates the items of a list, the characters of a string or the keys of an object.
pub(super) enum Items<'b> {
    List(std::slice::Iter<'b, Value>),
    Str(&'b str, std::str::CharIndices<'b>),
    Keys(serde_json::map::Keys<'b>),
}

impl<'b> Iterator for Items<'b> {
    type Item = V<'b>;

    fn next(&mut self) -> Option<V<'b>> {
        match self {
            Items::List(it) => it.next().map(V::of),
            Items::Str(s, it) => it.next().map(|(i, c)| V::Str(&s[i..i + c.len_utf8()])),
            Items::Keys(it) => it.next().map(|k| V::Str(k)),
        }
    }
}

pub(super) fn items<'b>(v: V<'b>) -> Result<Items<'b>, String> {
    match v {
        V::List(l) | V::Set(l) => Ok(Items::List(l.iter())),
        V::Str(s) => Ok(Items::Str(s, s.char_indices())),
        V::Dict(d) => Ok(Items::Keys(d.keys())),
        other => Err(format!("`{}` object is not iterable", other.type_name())),
    }
}

/// The `i`th item of an iterable value, moved out when owned.
pub(super) fn nth_item(v: Val<'_>, i: usize) -> Val<'_> {
    match v {
        Val::Ref(Value::Array(a)) => a.get(i).map_or(Val::Null, Val::Ref),
        Val::Own(Value::Array(mut a)) | Val::Set(mut a) if i < a.len() => {
            Val::Own(a.swap_remove(i))
        }
        other => items(other.view())
            .ok()
            .and_then(|mut it| it.nth(i))
            .map_or(Val::Null, V::to_val),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;

    #[test]
    fn repr_stops_at_its_cap_inside_containers() {
        let items = vec![json!(1); 100_000];
        let map: Map<String, Value> = (0..100_000).map(|i| (i.to_string(), json!(i))).collect();
        let long = "\n".repeat(100_000);
        let mut deep = json!(1);
        for _ in 0..1_000 {
            deep = json!([deep, 2]);
        }
        let cap = 50;
        for v in [
            V::List(&items),
            V::Set(&items),
            V::Dict(&map),
            V::Str(&long),
            V::of(&deep),
        ] {
            let mut out = String::new();
            py_repr(v, &mut out, cap);
            assert!(
                out.len() <= cap + 8,
                "{} bytes for a cap of {cap}",
                out.len()
            );
        }
        assert_eq!(py_repr_short(V::List(&items), 10), "[1, 1, 1, ...");
        assert_eq!(py_repr_short(V::Dict(&map), 12), "{'0': 0, '1'...");
        assert_eq!(py_repr_short(V::List(&items[..2]), 10), "[1, 1]");
        // Cut by characters, and marked as cut when multi-byte characters fill the bytes.
        let wide = json!(["é".repeat(10)]);
        assert_eq!(py_repr_short(V::of(&wide), 8), "['éééééé...");
        assert_eq!(py_repr_short(V::of(&wide), 14), "['éééééééééé']");
    }

    #[test]
    fn float_floor_semantics_match_python() {
        // Values computed with CPython 3.11.
        assert_eq!(float_divmod(7.5, -2.0), (-4.0, -0.5));
        assert_eq!(float_divmod(-7.5, 2.0), (-4.0, 0.5));
        assert_eq!(float_divmod(1.0, 0.1), (9.0, 0.09999999999999995));
        assert_eq!(float_divmod(-0.0, 5.0).1.to_bits(), 0.0_f64.to_bits());
        assert_eq!(float_divmod(0.0, -5.0).1.to_bits(), (-0.0_f64).to_bits());
    }
}
