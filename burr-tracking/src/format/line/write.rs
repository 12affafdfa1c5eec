//! The byte writers of the line serializer: strings (checked for escapes a word at a time),
//! integers and floats, appended to a buffer.

use serde_json::Error;

use super::super::DIGIT_PAIRS;
use super::super::json::write_float;

/// Whether a byte must be escaped in a JSON string: `"`, `\` and the control characters.
pub(super) fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

pub(super) const ONES: u64 = u64::from_ne_bytes([1; 8]);

/// The high bit of each byte of `word` below `n` (at most 0x80): only such a byte borrows in
/// the subtraction, so no bit is set when there is none, and the lowest one is always marked
/// (bytes above it may be too).
#[inline(always)]
pub(super) fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & (ONES << 7)
}

/// Nonzero when a byte of `word` must be escaped: `"`, `\` or a control character.
#[inline(always)]
pub(super) fn escapes(word: u64) -> u64 {
    below(word, 0x20)
        | below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
}

/// The eight bytes of `chunk` as a word.
#[inline(always)]
pub(super) fn word(chunk: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(chunk);
    u64::from_ne_bytes(word)
}

/// The four bytes of `chunk` as the low half of a word.
#[inline(always)]
pub(super) fn half_word(chunk: &[u8]) -> u64 {
    let mut half = [0; 4];
    half.copy_from_slice(chunk);
    u64::from(u32::from_ne_bytes(half))
}

/// Whether no byte of `bytes` must be escaped, checked a word at a time: a string shorter
/// than a word fills one with its bytes (some twice), a longer one is read in words, the last
/// one overlapping the others.
#[inline(always)]
pub(super) fn is_plain(bytes: &[u8]) -> bool {
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
pub(super) const SHORT: usize = 32;

/// Writes `bytes` (at most [`SHORT`], none to escape) as a JSON string: copied in a few
/// overlapping pieces of fixed size into a buffer that starts and ends with a quote, which is
/// appended whole and cut to the string. Fixed-size copies only, no call to `memcpy`; for a
/// constant string (a record's `type`) the compiler turns it all into a few stores.
#[inline(always)]
pub(super) fn write_short_plain(out: &mut Vec<u8>, bytes: &[u8]) {
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
pub(super) fn copy_piece<const N: usize>(quoted: &mut [u8; SHORT + 2], bytes: &[u8], at: usize) {
    let mut piece = [0; N];
    piece.copy_from_slice(&bytes[at..at + N]);
    quoted[1 + at..1 + at + N].copy_from_slice(&piece);
}

/// Writes `s` as a JSON string, escaped as serde_json escapes it: the short escapes where JSON
/// has one, `\u00xx` for the other control characters, everything else as is.
#[inline(always)]
pub(super) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if bytes.len() <= SHORT && is_plain(bytes) {
        write_short_plain(out, bytes);
    } else {
        write_long_or_escaped(out, bytes);
    }
}

/// [`write_str`] for the strings [`write_short_plain`] does not take.
pub(super) fn write_long_or_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
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
pub(super) fn write_escaped(out: &mut Vec<u8>, mut rest: &[u8]) {
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
pub(super) fn write_u64(out: &mut Vec<u8>, mut value: u64) {
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
pub(super) fn write_i64(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    write_u64(out, value.unsigned_abs());
}

/// Writes a finite float as pydantic does, anything else as `null`.
pub(super) fn write_f64(out: &mut Vec<u8>, value: f64) -> Result<(), Error> {
    if value.is_finite() {
        write_float(out, value, -5, 1).map_err(Error::io)
    } else {
        out.extend_from_slice(b"null");
        Ok(())
    }
}
