//! A strict scan of a JSON line's top level: the values of a few top-level keys, found without
//! building anything, for the lines every writer produces.
//!
//! The scan is conservative: it answers only for a line it has checked to be valid JSON that
//! `serde_json` reads exactly as it does (an object, then whitespace only). Whatever it is not
//! sure of it gives up on (`None`): a line that is not UTF-8, an escape in a top-level key, a
//! `\u` escape of a surrogate, a number with an exponent or of many digits, a looked-for key
//! given twice, nesting deeper than [`MAX_DEPTH`]. The caller then reads the line with
//! `serde_json`, so an answer never depends on whether the scan took it.

/// Deepest nesting the scan follows (`serde_json` refuses past 128).
const MAX_DEPTH: usize = 100;
/// Longest number the scan takes: a shorter one without an exponent always reads.
const MAX_NUMBER: usize = 40;

/// The values of the looked-for top-level keys: `found[i]` is the JSON text of the value of
/// `keys[i]`. A looked-for key that appears twice is left to the parser (`None`).
pub(crate) fn top_level<'a, const N: usize>(
    line: &'a [u8],
    keys: [&[u8]; N],
) -> Option<[Option<&'a [u8]>; N]> {
    std::str::from_utf8(line).ok()?;
    let mut s = Scan { b: line, i: 0 };
    let mut found = [None; N];
    s.ws();
    s.eat(b'{')?;
    s.items(b'}', |s| {
        let key = s.plain_key()?;
        s.ws();
        s.eat(b':')?;
        s.ws();
        let start = s.i;
        s.value(1)?;
        if let Some(at) = keys.iter().position(|k| *k == key) {
            // A key given twice: readers differ on which counts.
            if found[at].is_some() {
                return None;
            }
            found[at] = Some(&line[start..s.i]);
        }
        Some(())
    })?;
    s.ws();
    (s.i == line.len()).then_some(found)
}

/// The text of a JSON string value `value` (as [`top_level`] gives it) without escapes,
/// between its quotes; `None` for any other value.
pub(crate) fn plain_string(value: &[u8]) -> Option<&[u8]> {
    match value {
        [b'"', text @ .., b'"'] if !text.contains(&b'\\') => Some(text),
        _ => None,
    }
}

/// The number written in the ASCII digits `digits` (no sign, no point); `None` when another
/// byte is there, or when it is past `u64::MAX`.
pub(crate) fn decimal_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        let d = char::from(d).to_digit(10)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// Where the string text `rest` (after a quote or an escape) ends: at its first quote or
/// backslash; `None` at a control character or without either. Strings are mostly short: the
/// first bytes are looked at one by one, the rest by `memchr`.
fn string_end(rest: &[u8]) -> Option<usize> {
    let special = |c: u8| c == b'"' || c == b'\\' || c < 0x20;
    let head = rest.len().min(24);
    let end = match rest[..head].iter().position(|&c| special(c)) {
        Some(end) => end,
        None => head + memchr::memchr2(b'"', b'\\', &rest[head..])?,
    };
    (rest[end] >= 0x20 && !rest[head.min(end)..end].iter().any(|&c| c < 0x20)).then_some(end)
}

/// The length of the JSON object at the start of `bytes`, checked as [`top_level`] checks a
/// line (but not for UTF-8: invalid bytes within strings read as U+FFFD and change nothing
/// else); `None` for what the scan is not sure of.
pub(crate) fn object_len(bytes: &[u8]) -> Option<usize> {
    let mut s = Scan { b: bytes, i: 0 };
    if s.peek()? != b'{' {
        return None;
    }
    s.value(1)?;
    Some(s.i)
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// A top-level key: a string without escapes, its bytes between the quotes.
    fn plain_key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = &self.b[self.i..];
        let end = string_end(rest)?;
        if rest[end] != b'"' {
            return None;
        }
        self.i += end + 1;
        Some(&rest[..end])
    }

    /// A string, from its opening quote: no control character, known escapes only.
    fn string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let rest = &self.b[self.i..];
            let end = string_end(rest)?;
            self.i += end + 1;
            if rest[end] == b'"' {
                return Some(());
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    let hex = self.b.get(self.i..self.i + 4)?;
                    let unit = hex
                        .iter()
                        .try_fold(0u32, |n, &c| Some(n * 16 + char::from(c).to_digit(16)?))?;
                    if (0xD800..=0xDFFF).contains(&unit) {
                        return None;
                    }
                    self.i += 4;
                }
                _ => return None,
            }
        }
    }

    /// A number without an exponent: `-? (0 | [1-9][0-9]*) (. [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        let exponent = matches!(self.peek(), Some(b'e' | b'E'));
        (!exponent && self.i - start <= MAX_NUMBER).then_some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// The items of an object or an array, after its opening bracket, to `close`: each read
    /// by `item`, separated by commas.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Some(());
        }
        loop {
            item(self)?;
            self.ws();
            match self.next()? {
                b',' => self.ws(),
                c if c == close => return Some(()),
                _ => return None,
            }
        }
    }

    /// Any value, at nesting `depth`.
    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.string(),
            b'{' => {
                self.i += 1;
                self.items(b'}', |s| {
                    s.string()?;
                    s.ws();
                    s.eat(b':')?;
                    s.ws();
                    s.value(depth + 1)
                })
            }
            b'[' => {
                self.i += 1;
                self.items(b']', |s| s.value(depth + 1))
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }
}

/// Rounds of a mutation test: `default`, or `BURR_FUZZ_CASES` when set (for a longer run).
#[cfg(test)]
pub(super) fn fuzz_rounds(default: usize) -> usize {
    std::env::var("BURR_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Random mutations of lines for the tests that check the scan against the parser: a
/// seeded generator, so that a run is the same every time.
#[cfg(test)]
pub(super) struct Mutations(u64);

#[cfg(test)]
impl Mutations {
    pub(super) fn new(seed: u64) -> Self {
        Mutations(seed)
    }

    /// A number below `n` (xorshift).
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// `line` with one to `most` edits: a byte of `alphabet` put in place of one or inserted,
    /// a byte removed, or the line cut (torn) past its first half.
    pub(super) fn mutate(&mut self, line: &[u8], alphabet: &[u8], most: usize) -> Vec<u8> {
        let mut line = line.to_vec();
        for _ in 0..=self.below(most) {
            let at = self.below(line.len() + 1);
            match self.below(4) {
                0 if at < line.len() => line[at] = alphabet[self.below(alphabet.len())],
                1 => line.insert(at, alphabet[self.below(alphabet.len())]),
                2 if at < line.len() => {
                    line.remove(at);
                }
                _ => line.truncate(at.max(line.len() / 2)),
            }
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(line: &str) -> Option<[Option<&str>; 2]> {
        let found = top_level(line.as_bytes(), [b"type", b"n"])?;
        Some(found.map(|v| v.map(|v| std::str::from_utf8(v).unwrap())))
    }

    #[test]
    fn the_values_of_top_level_keys_are_found() {
        assert_eq!(
            keys(r#" {"type":"a","x":{"n":1},"m":[1, {"type":2}] ,"n":-0.5}"#),
            Some([Some(r#""a""#), Some("-0.5")])
        );
        assert_eq!(keys("{}\n"), Some([None, None]));
        assert_eq!(
            keys(r#"{"s":"é \" \\ \/ \u00e9 \n","t":true,"f":false,"z":null}"#),
            Some([None, None])
        );
    }

    #[test]
    fn what_the_scan_is_not_sure_of_is_left_to_the_parser() {
        for line in [
            r#"{"\u0074ype":1}"#,
            r#"{"n":1,"n":2}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":1e5}"#,
            r#"{"a":"\x"}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":1,}"#,
            r#"{"a":[1,]}"#,
            r#"{"a" 1}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            r#"[1]"#,
            "",
        ] {
            assert_eq!(keys(line), None, "{line}");
        }
        let deep = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(keys(&deep), None);
        assert_eq!(top_level(b"{\"a\":\"\xff\"}", [b"a"]), None);
    }
}
