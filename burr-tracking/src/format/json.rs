//! The two JSON layouts of Burr's files: compact log lines (written by the line serializer of
//! [`line`](super::line)), and Python's `json.dump` for `graph.json` and `metadata.json`
//! (serde_json with [`PythonFormatter`]); the floats of both.

use std::io;

use serde::Serialize;

use super::line::LineSerializer;

/// Splits a finite float into its shortest round-trip digits and decimal exponent
/// (`value = 0.d1d2… × 10^(exp + 1)`, i.e. `d1.d2… × 10^exp`).
fn float_parts(v: f64) -> (bool, String, i32) {
    let text = format!("{v:e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (negative, digits, exp.parse().unwrap_or(0))
}

/// Formats a finite float: fixed notation (with at least one fraction digit) when
/// `low <= exp < 16`, else `d.ddde±X` with the exponent padded to `exp_width` digits.
pub(super) fn write_float<W: io::Write + ?Sized>(
    w: &mut W,
    v: f64,
    low: i32,
    exp_width: usize,
) -> io::Result<()> {
    let (negative, digits, exp) = float_parts(v);
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if (low..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:0exp_width$}", exp.unsigned_abs()));
    }
    w.write_all(out.as_bytes())
}

/// The layout of Python's `json.dump` defaults, used by Burr for `graph.json` and
/// `metadata.json`: `", "` and `": "` separators, every character outside printable ASCII
/// escaped as `\uXXXX` (surrogate pairs above U+FFFF), floats as Python's `repr`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: io::Write + ?Sized>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (c as u32) < 0x7f {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn write_f64<W: io::Write + ?Sized>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        write_float(w, v, -4, 2)
    }
    fn write_f32<W: io::Write + ?Sized>(&mut self, w: &mut W, v: f32) -> io::Result<()> {
        write_float(w, f64::from(v), -4, 2)
    }
}

/// Serializes a value as one log line: compact JSON in pydantic's layout
/// (pydantic's `model_dump_json`: no spaces, raw UTF-8, floats in fixed notation from 10⁻⁵ up
/// to 10¹⁶ and `1e+16` / `1e-6` beyond), then `"\n"`. NaN and infinities become `null`.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{to_json_line, PointerModel};
/// let p = PointerModel { app_id: "é".into(), sequence_id: None, partition_key: None };
/// assert_eq!(
///     to_json_line(&p).unwrap(),
///     "{\"type\":\"pointer_data\",\"app_id\":\"é\",\"sequence_id\":null,\"partition_key\":null}\n"
/// );
/// ```
pub fn to_json_line<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    write_json_line(&mut out, value)?;
    // serde_json writes valid UTF-8 only.
    String::from_utf8(out).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

/// Appends `value` to `buf` as one log line (see [`to_json_line`]): the one serialization of
/// every line this crate writes. On error `buf` is left as it was, so no half line is ever
/// written.
pub(crate) fn write_json_line<T: Serialize + ?Sized>(
    buf: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    let start = buf.len();
    match value.serialize(LineSerializer(&mut *buf)) {
        Ok(()) => {
            buf.push(b'\n');
            Ok(())
        }
        Err(err) => {
            buf.truncate(start);
            Err(err)
        }
    }
}

/// Serializes a value the way Python's `json.dump` writes `graph.json` and `metadata.json`
/// (`", "` and `": "` separators, non-ASCII escaped as `\uXXXX`, floats as Python's `repr`),
/// without a trailing newline.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{to_python_json, PointerModel};
/// let p = PointerModel { app_id: "naïve".into(), sequence_id: Some(1), partition_key: None };
/// assert_eq!(
///     to_python_json(&p).unwrap(),
///     r#"{"type": "pointer_data", "app_id": "na\u00efve", "sequence_id": 1, "partition_key": null}"#
/// );
/// ```
pub fn to_python_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        PythonFormatter,
    ))?;
    String::from_utf8(out).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{AttributeModel, Tags};
    use serde_json::{Value, json};

    #[test]
    fn the_two_layouts_write_json_as_pydantic_and_python_do() {
        assert_eq!(
            to_json_line(&json!([0.00001, 1e-6, 1e15, 2.5])).unwrap(),
            "[0.00001,1e-6,1000000000000000.0,2.5]\n"
        );
        assert_eq!(
            to_python_json(&json!({"a": ["é😀", 1e-5]})).unwrap(),
            r#"{"a": ["\u00e9\ud83d\ude00", 1e-05]}"#
        );
    }

    #[test]
    fn floats_print_like_pydantic_and_python() {
        let pyd = |v: f64| {
            let mut out = Vec::new();
            write_float(&mut out, v, -5, 1).unwrap();
            String::from_utf8(out).unwrap()
        };
        let py = |v: f64| {
            let mut out = Vec::new();
            write_float(&mut out, v, -4, 2).unwrap();
            String::from_utf8(out).unwrap()
        };
        for (v, s) in [
            (1e-4, "0.0001"),
            (1e-6, "1e-6"),
            (1.5e-7, "1.5e-7"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (5e-324, "5e-324"),
            (0.5, "0.5"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (2.5e-5, "0.000025"),
            (12345678.9, "12345678.9"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ] {
            assert_eq!(pyd(v), s, "{v:e}");
        }
        assert_eq!(py(1e-5), "1e-05");
        assert_eq!(py(1e16), "1e+16");
        assert_eq!(py(0.0001), "0.0001");
    }

    #[test]
    fn nan_becomes_null() {
        let a = AttributeModel {
            key: "k".into(),
            action_sequence_id: 0,
            span_id: None,
            value: Value::Null,
            tags: Tags::new(),
            time_logged: None,
        };
        #[derive(Serialize)]
        struct F {
            x: f64,
        }
        assert_eq!(to_json_line(&F { x: f64::NAN }).unwrap(), "{\"x\":null}\n");
        assert!(to_json_line(&a).unwrap().contains("\"value\":null"));
    }
}
