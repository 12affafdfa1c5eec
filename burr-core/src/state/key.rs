//! Key equality, inline: a state's keys are short, and a step compares a few of them, so the
//! comparison is done in registers instead of by a call to `memcmp`.

/// Whether the keys `a` and `b` are equal (as `a == b`). Keys of up to 16 bytes are compared
/// with two overlapping loads of each, inline; longer ones as slices.
#[inline(always)]
pub(super) fn key_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        // The first, middle and last bytes are all the bytes.
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        // Two overlapping 4-byte words cover up to 8 bytes, two 8-byte words up to 16.
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

#[inline(always)]
fn word4(s: &[u8], at: usize) -> u32 {
    let mut w = [0; 4];
    w.copy_from_slice(&s[at..at + 4]);
    u32::from_ne_bytes(w)
}

#[inline(always)]
fn word8(s: &[u8], at: usize) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_ne_bytes(w)
}

#[cfg(test)]
mod tests {
    use super::key_eq;

    /// Every pair of strings of up to 20 bytes that differ in at most one byte (and every
    /// length pair) compares as `==` does.
    #[test]
    fn agrees_with_eq() {
        for n in 0..=20usize {
            let base: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(key_eq(&base, &base));
            for m in 0..=20usize {
                let other: String = (0..m).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
                assert_eq!(key_eq(&base, &other), base == other, "{base:?} {other:?}");
            }
            for at in 0..n {
                let mut bytes = base.clone().into_bytes();
                bytes[at] = b'Z';
                let changed = String::from_utf8(bytes).unwrap();
                assert!(!key_eq(&base, &changed), "{base:?} {changed:?}");
                assert!(!key_eq(&changed, &base), "{changed:?} {base:?}");
            }
        }
        assert!(key_eq("é", "é"));
        assert!(!key_eq("é", "è"));
    }
}
