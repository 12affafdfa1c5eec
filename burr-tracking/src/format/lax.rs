//! Integers read the way Burr's server reads them (pydantic's lax mode): JSON integers, floats
//! without a fraction, booleans, and strings such as `"3"`, `" 3 "`, `"3.0"` or `"3_000"`.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};
use serde_json::Value;

fn parse_str(s: &str) -> Option<u64> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if frac.is_some_and(|f| !f.bytes().all(|b| b == b'0')) {
        return None;
    }
    if int.is_empty()
        || int.starts_with('_')
        || int.ends_with('_')
        || int.contains("__")
        || !int.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    int.replace('_', "").parse().ok()
}

fn from_f64(v: f64) -> Option<u64> {
    (v.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&v)).then_some(v as u64)
}

struct LaxU64;

impl Visitor<'_> for LaxU64 {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v)
            .map_err(|_| E::custom(format!("expected a non-negative integer, found {v}")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        from_f64(v).ok_or_else(|| {
            E::custom(format!(
                "expected a non-negative integer, found the number {v}"
            ))
        })
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u64, E> {
        Ok(u64::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        parse_str(v).ok_or_else(|| {
            E::custom(format!(
                "expected a non-negative integer, found the string {v:?}"
            ))
        })
    }
}

pub(super) fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(LaxU64)
}

pub(super) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct Opt;
    impl<'de> Visitor<'de> for Opt {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<u64>, D::Error> {
            u64(d).map(Some)
        }
    }
    d.deserialize_option(Opt)
}

/// Reads a JSON value as an integer the way Burr's server does (pydantic's lax mode):
/// `3`, `3.0`, `"3"`, `" 3 "`, `"3_000"` and `true` are integers; `1.5`, `"1e3"`, negative
/// numbers and `null` are not.
pub(crate) fn lax_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(from_f64)),
        Value::String(s) => parse_str(s),
        Value::Bool(b) => Some(u64::from(*b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::LogRecord;
    use serde_json::json;

    #[test]
    fn lax_integers_follow_pydantic() {
        for (v, n) in [
            (json!("3"), 3),
            (json!(3.0), 3),
            (json!(true), 1),
            (json!("3.0"), 3),
            (json!(" 3 "), 3),
            (json!("3_000"), 3000),
        ] {
            assert_eq!(lax_u64(&v), Some(n), "{v}");
            let line = json!({"type": "end_span", "end_time": "2024-01-01", "action_sequence_id": v, "span_id": "x"});
            assert_eq!(
                LogRecord::from_value(line).unwrap().step_sequence_id(),
                Some(n)
            );
        }
        for v in [
            json!(1.5),
            json!("1e3"),
            json!(null),
            json!("0x10"),
            json!(-2),
            json!("3__0"),
        ] {
            assert_eq!(lax_u64(&v), None, "{v}");
            let line = json!({"type": "end_span", "end_time": "2024-01-01", "action_sequence_id": v, "span_id": "x"});
            assert!(LogRecord::from_value(line).is_err(), "{v}");
        }
    }
}
