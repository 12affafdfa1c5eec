//! The serializer of log lines: compact JSON in pydantic's layout (`model_dump_json`), written
//! straight into a line buffer.
//!
//! The bytes are serde_json's compact output (no spaces, raw UTF-8, the same escapes), except
//! for floats, printed as pydantic prints them (NaN and infinities as `null`); the tests
//! compare both with serde_json. It is written here rather than with `serde_json::Serializer`
//! because of what log lines are made of: constant keys and `type`s, which the compiler turns
//! into a few stores once a record's derived `Serialize` is inlined into this serializer, and
//! short strings without a character to escape, which are checked a word at a time and copied
//! in pieces of fixed size (serde_json looks at every byte of every key and value, and copies
//! each with a call to `memcpy`).

use serde::Serialize;
use serde::ser::{self, Error as _, Impossible};
use serde_json::Error;

use super::DIGIT_PAIRS;
use super::json::write_float;

/// Serializes a value as compact JSON at the end of a buffer.
pub(super) struct LineSerializer<'a>(pub(super) &'a mut Vec<u8>);

/// Whether a byte must be escaped in a JSON string: `"`, `\` and the control characters.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

const ONES: u64 = u64::from_ne_bytes([1; 8]);

/// The high bit of each byte of `word` below `n` (at most 0x80): only such a byte borrows in
/// the subtraction, so no bit is set when there is none, and the lowest one is always marked
/// (bytes above it may be too).
#[inline(always)]
fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & (ONES << 7)
}

/// Nonzero when a byte of `word` must be escaped: `"`, `\` or a control character.
#[inline(always)]
fn escapes(word: u64) -> u64 {
    below(word, 0x20)
        | below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
}

/// The eight bytes of `chunk` as a word.
#[inline(always)]
fn word(chunk: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(chunk);
    u64::from_ne_bytes(word)
}

/// The four bytes of `chunk` as the low half of a word.
#[inline(always)]
fn half_word(chunk: &[u8]) -> u64 {
    let mut half = [0; 4];
    half.copy_from_slice(chunk);
    u64::from(u32::from_ne_bytes(half))
}

/// Whether no byte of `bytes` must be escaped, checked a word at a time: a string shorter
/// than a word fills one with its bytes (some twice), a longer one is read in words, the last
/// one overlapping the others.
#[inline(always)]
fn is_plain(bytes: &[u8]) -> bool {
    let len = bytes.len();
    let found = match len {
        0 => 0,
        1..4 => escapes(u64::from_ne_bytes([
            bytes[0],
            bytes[len / 2],
            bytes[len - 1],
            bytes[0],
            bytes[0],
            bytes[0],
            bytes[0],
            bytes[0],
        ])),
        4..8 => escapes(half_word(&bytes[..4]) | half_word(&bytes[len - 4..]) << 32),
        _ => {
            let mut found = escapes(word(&bytes[len - 8..]));
            for chunk in bytes.chunks_exact(8) {
                found |= escapes(word(chunk));
            }
            found
        }
    };
    found == 0
}

/// The longest string [`write_short_plain`] writes.
const SHORT: usize = 32;

/// Writes `bytes` (at most [`SHORT`], none to escape) as a JSON string: copied in a few
/// overlapping pieces of fixed size into a buffer that starts and ends with a quote, which is
/// appended whole and cut to the string. Fixed-size copies only, no call to `memcpy`; for a
/// constant string (a record's `type`) the compiler turns it all into a few stores.
#[inline(always)]
fn write_short_plain(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len();
    let mut quoted = [b'"'; SHORT + 2];
    match len {
        0 => {}
        1..4 => {
            copy_piece::<1>(&mut quoted, bytes, 0);
            copy_piece::<1>(&mut quoted, bytes, len / 2);
            copy_piece::<1>(&mut quoted, bytes, len - 1);
        }
        4..8 => {
            copy_piece::<4>(&mut quoted, bytes, 0);
            copy_piece::<4>(&mut quoted, bytes, len - 4);
        }
        8..=16 => {
            copy_piece::<8>(&mut quoted, bytes, 0);
            copy_piece::<8>(&mut quoted, bytes, len - 8);
        }
        _ => {
            copy_piece::<16>(&mut quoted, bytes, 0);
            copy_piece::<16>(&mut quoted, bytes, len - 16);
        }
    }
    let start = out.len();
    out.extend_from_slice(&quoted);
    out.truncate(start + len + 2);
}

/// Copies the `N` bytes of `bytes` at `at` into `quoted`, after its opening quote.
#[inline(always)]
fn copy_piece<const N: usize>(quoted: &mut [u8; SHORT + 2], bytes: &[u8], at: usize) {
    let mut piece = [0; N];
    piece.copy_from_slice(&bytes[at..at + N]);
    quoted[1 + at..1 + at + N].copy_from_slice(&piece);
}

/// Writes `s` as a JSON string, escaped as serde_json escapes it: the short escapes where JSON
/// has one, `\u00xx` for the other control characters, everything else as is.
#[inline(always)]
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if bytes.len() <= SHORT && is_plain(bytes) {
        write_short_plain(out, bytes);
    } else {
        write_long_or_escaped(out, bytes);
    }
}

/// [`write_str`] for the strings [`write_short_plain`] does not take.
fn write_long_or_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if is_plain(bytes) {
        out.extend_from_slice(bytes);
    } else {
        write_escaped(out, bytes);
    }
    out.push(b'"');
}

/// Writes the bytes of a string that has some to escape, escaped.
#[cold]
fn write_escaped(out: &mut Vec<u8>, mut rest: &[u8]) {
    while let Some(i) = rest.iter().position(|&b| needs_escape(b)) {
        out.extend_from_slice(&rest[..i]);
        match rest[i] {
            quote_or_backslash @ (b'"' | b'\\') => {
                out.extend_from_slice(&[b'\\', quote_or_backslash]);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            control => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let (high, low) = (usize::from(control >> 4), usize::from(control & 0xf));
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[high], HEX[low]]);
            }
        }
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

/// Writes `value` in decimal, two digits at a time.
fn write_u64(out: &mut Vec<u8>, mut value: u64) {
    const LONGEST: usize = 20;
    // The digits end in the middle of a buffer twice as long as the longest number, so that the
    // `LONGEST` bytes from the first digit on can be appended (a copy of fixed size) and then
    // cut to the digits.
    let mut digits = [0; 2 * LONGEST];
    let mut start = LONGEST;
    let pairs = DIGIT_PAIRS.as_bytes();
    while value >= 100 {
        let pair = 2 * (value % 100) as usize;
        value /= 100;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&pairs[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = 2 * value as usize;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&pairs[pair..pair + 2]);
    } else {
        start -= 1;
        digits[start] = b'0' + value as u8;
    }
    let end = out.len() + LONGEST - start;
    out.extend_from_slice(&digits[start..start + LONGEST]);
    out.truncate(end);
}

/// Writes `value` in decimal.
fn write_i64(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    write_u64(out, value.unsigned_abs());
}

/// Writes a finite float as pydantic does, anything else as `null`.
fn write_f64(out: &mut Vec<u8>, value: f64) -> Result<(), Error> {
    if value.is_finite() {
        write_float(out, value, -5, 1).map_err(Error::io)
    } else {
        out.extend_from_slice(b"null");
        Ok(())
    }
}

impl<'a> ser::Serializer for LineSerializer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.0.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        write_i64(self.0, v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.0.extend_from_slice(v.to_string().as_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        write_u64(self.0, v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.0.extend_from_slice(v.to_string().as_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        write_f64(self.0, v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        write_f64(self.0, v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    #[inline(always)]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(self.0, v);
        Ok(())
    }
    /// Bytes are an array of numbers, as serde_json writes them.
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq as _;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for byte in v {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.0.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    /// `{"variant":value}`.
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.0.push(b'{');
        write_str(self.0, variant);
        self.0.push(b':');
        value.serialize(LineSerializer(&mut *self.0))?;
        self.0.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(Compound::open(self.0, b'[', b']', false))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    /// `{"variant":[...]}`.
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.0.push(b'{');
        write_str(self.0, variant);
        self.0.push(b':');
        Ok(Compound::open(self.0, b'[', b']', true))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(Compound::open(self.0, b'{', b'}', false))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_map(Some(len))
    }
    /// `{"variant":{...}}`.
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.0.push(b'{');
        write_str(self.0, variant);
        self.0.push(b':');
        Ok(Compound::open(self.0, b'{', b'}', true))
    }
}

/// An array or object being written: its elements or entries, separated by commas, then its
/// closing bracket.
pub(super) struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// `]` or `}`.
    close: u8,
    /// Whether the array or object is the value of a variant, `{"variant":...}`, closed after
    /// it.
    in_variant: bool,
}

impl<'a> Compound<'a> {
    fn open(out: &'a mut Vec<u8>, open: u8, close: u8, in_variant: bool) -> Self {
        out.push(open);
        Compound {
            out,
            first: true,
            close,
            in_variant,
        }
    }

    /// The comma before every element but the first.
    #[inline(always)]
    fn separate(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.separate();
        value.serialize(LineSerializer(&mut *self.out))
    }

    /// Writes `,"key":value` (no comma before the first field). A key that needs no escape
    /// (every field name, in practice) is written in one piece, which for the constant names
    /// of derived fields the compiler assembles beforehand.
    #[inline(always)]
    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        const MAX: usize = 60;
        let bytes = key.as_bytes();
        if bytes.len() <= MAX && is_plain(bytes) {
            let mut piece = [0; MAX + 4];
            piece[..2].copy_from_slice(b",\"");
            piece[2..2 + bytes.len()].copy_from_slice(bytes);
            piece[2 + bytes.len()..4 + bytes.len()].copy_from_slice(b"\":");
            let start = usize::from(self.first);
            self.out.extend_from_slice(&piece[start..4 + bytes.len()]);
            self.first = false;
        } else {
            self.separate();
            write_str(self.out, key);
            self.out.push(b':');
        }
        value.serialize(LineSerializer(&mut *self.out))
    }

    fn close(self) -> Result<(), Error> {
        self.out.push(self.close);
        if self.in_variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.separate();
        key.serialize(KeySerializer(&mut *self.out))
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.out.push(b':');
        value.serialize(LineSerializer(&mut *self.out))
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    #[inline(always)]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    #[inline(always)]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// Serializes a map key, as serde_json does: strings as they are; numbers, booleans and
/// unit variants as strings; anything else is an error.
struct KeySerializer<'a>(&'a mut Vec<u8>);

impl KeySerializer<'_> {
    /// Writes a key that is not a string in JSON: `write` prints it between quotes.
    fn quoted(self, write: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>) -> Result<(), Error> {
        self.0.push(b'"');
        write(self.0)?;
        self.0.push(b'"');
        Ok(())
    }

    fn float(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(Error::custom(
                "float key must be finite (got NaN or +/-inf)",
            ));
        }
        self.quoted(|out| write_f64(out, v))
    }
}

fn key_must_be_a_string() -> Error {
    Error::custom("key must be a string")
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_str(self.0, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(|out| LineSerializer(out).serialize_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(|out| LineSerializer(out).serialize_i64(v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.quoted(|out| LineSerializer(out).serialize_i128(v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(|out| LineSerializer(out).serialize_u64(v))
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.quoted(|out| LineSerializer(out).serialize_u128(v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    fn line<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
        let mut out = Vec::new();
        value.serialize(LineSerializer(&mut out))?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// serde_json's compact output, which a log line matches except for floats.
    fn compact<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string(value).unwrap()
    }

    #[derive(Serialize)]
    struct Bytes<'a>(#[serde(serialize_with = "as_bytes")] &'a [u8]);

    fn as_bytes<S: ser::Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Unit,
        Newtype(u8),
        Tuple(i8, char),
        Struct { a: Option<u128>, b: () },
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Pair(i128, &'static str);

    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Name(&'static str);

    /// Field names that are not written in one piece.
    #[derive(Serialize)]
    struct OddNames {
        #[serde(rename = "a \"quoted\"\tname")]
        quoted: u8,
        #[serde(rename = "a_name_longer_than_the_pieces_names_are_written_in_at_once_0123")]
        long: u8,
    }

    #[test]
    fn every_serde_form_is_written_as_serde_json_writes_it() {
        let kinds = [
            Kind::Unit,
            Kind::Newtype(7),
            Kind::Tuple(-3, 'é'),
            Kind::Struct {
                a: Some(u128::MAX),
                b: (),
            },
            Kind::Struct { a: None, b: () },
        ];
        assert_eq!(line(&kinds).unwrap(), compact(&kinds));
        let odd = OddNames { quoted: 1, long: 2 };
        assert_eq!(line(&odd).unwrap(), compact(&odd));
        let mixed = (
            Unit,
            Pair(i128::MIN, "\u{0}\u{1f}\"\\/\u{7f}"),
            Bytes(&[0, 255]),
            [(); 0],
        );
        assert_eq!(line(&mixed).unwrap(), compact(&mixed));
        let keys = (
            BTreeMap::from([(i64::MIN, 1), (0, 2)]),
            BTreeMap::from([(u64::MAX, ())]),
            BTreeMap::from([(true, 'x'), (false, 'y')]),
            BTreeMap::from([('k', -1i8), ('\n', 1)]),
            BTreeMap::from([(Kind::Unit, 1u16)]),
            BTreeMap::from([(Name("a\"b"), Some(1u32))]),
            BTreeMap::from([(Some("opt"), 1i16)]),
        );
        assert_eq!(line(&keys).unwrap(), compact(&keys));
        for bad in [
            line(&BTreeMap::from([(Kind::Newtype(1), 1)])),
            line(&BTreeMap::from([((), 1)])),
            line(&BTreeMap::from([(vec![1], 1)])),
            line(&BTreeMap::from([(None::<&str>, 1)])),
        ] {
            assert!(
                bad.unwrap_err()
                    .to_string()
                    .contains("key must be a string")
            );
        }
    }

    #[test]
    fn strings_of_every_length_are_written_as_serde_json_writes_them() {
        let letters = "abcdefghijklmnopqrstuvwxyzé0123456789";
        for len in 0..=letters.chars().count() {
            let plain: Vec<char> = letters.chars().take(len).collect();
            let text: String = plain.iter().collect();
            assert_eq!(line(&text).unwrap(), compact(&text));
            for at in 0..len {
                for escaped in ['"', '\\', '\n', '\u{1}', '\u{1f}'] {
                    let mut chars = plain.clone();
                    chars[at] = escaped;
                    let text: String = chars.into_iter().collect();
                    assert_eq!(line(&text).unwrap(), compact(&text));
                }
            }
        }
    }

    /// A map with float keys.
    struct FloatKeys(&'static [(f64, u8)]);

    impl Serialize for FloatKeys {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }

    #[test]
    fn floats_are_printed_as_pydantic_prints_them() {
        assert_eq!(
            line(&(1e16, 0.25f32, 1e-6, f64::NAN, f64::NEG_INFINITY)).unwrap(),
            "[1e+16,0.25,1e-6,null,null]"
        );
        assert_eq!(line(&FloatKeys(&[(2.5, 1)])).unwrap(), r#"{"2.5":1}"#);
        assert!(line(&FloatKeys(&[(f64::NAN, 1)])).is_err());
    }

    /// JSON values without floats: any string (many with escapes, of every length the
    /// string writer tells apart), integers at both ends, nesting.
    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[\u{0}-\u{21}\"\\\\a-z]{0,40}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn values_are_written_as_serde_json_writes_them(v in value()) {
            prop_assert_eq!(line(&v).unwrap(), compact(&v));
        }

        #[test]
        fn the_word_check_agrees_with_the_byte_check(
            bytes in prop::collection::vec(prop_oneof![any::<u8>(), 0x1eu8..0x24, 0x5bu8..0x5e], 0..40),
        ) {
            prop_assert_eq!(is_plain(&bytes), !bytes.iter().any(|&b| needs_escape(b)));
        }
    }
}
