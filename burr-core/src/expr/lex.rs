//! The lexer: source text to tokens, each with the column errors point at.

use super::ExprErrorKind;

/// A failure to lex or parse: the column it points at, what is wrong and its kind.
#[derive(Debug)]
pub(super) struct PErr {
    pub(super) col: u32,
    pub(super) message: String,
    pub(super) kind: ExprErrorKind,
}

/// A [`ExprErrorKind::Syntax`] error at `col`.
#[cold]
pub(super) fn syntax(col: u32, message: impl Into<String>) -> PErr {
    PErr {
        col,
        message: message.into(),
        kind: ExprErrorKind::Syntax,
    }
}

pub(super) type PResult<T> = Result<T, PErr>;

/// The allowed grammar in brief, quoted by the errors about disallowed constructs.
pub(super) const ALLOWED: &str = "expressions may use literals, state names, `.attr`, `[index]`, \
    `[a:b]`, comparisons, `and`/`or`/`not`, `+ - * / // % **` and calls to `len`, `abs`, `min`, \
    `max`, `sum`, `all`, `any`, `str`, `int`, `float`, `bool`";

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Name(String),
    Int(i128),
    Float(f64),
    Str(String),
    Op(&'static str),
    End,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) col: u32,
}

const OPS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=", "<<", ">>", ":=", "->",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "+", "-", "*", "/", "%", "<", ">", "=",
    "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "@", "&", "|", "^", "~",
];

fn col_of(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

pub(super) fn lex(src: &str) -> PResult<Vec<Token>> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let (tok, next) = lex_number(&chars, i)?;
            out.push(Token {
                tok,
                col: col_of(i),
            });
            i = next;
        } else if c == '_' || c.is_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i] == '_' || chars[i].is_alphanumeric()) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if matches!(chars.get(i), Some('\'' | '"'))
                && matches!(
                    word.to_ascii_lowercase().as_str(),
                    "r" | "u" | "b" | "f" | "rb" | "br" | "fr" | "rf"
                )
            {
                let lower = word.to_ascii_lowercase();
                if lower.contains('b') {
                    return Err(syntax(
                        col_of(start),
                        format!("byte strings are not allowed; {ALLOWED}"),
                    ));
                }
                if lower.contains('f') {
                    return Err(syntax(
                        col_of(start),
                        format!("f-strings are not allowed; {ALLOWED}"),
                    ));
                }
                let (s, next) = lex_string(&chars, i, lower.contains('r'), start)?;
                out.push(Token {
                    tok: Tok::Str(s),
                    col: col_of(start),
                });
                i = next;
            } else {
                out.push(Token {
                    tok: Tok::Name(word),
                    col: col_of(start),
                });
            }
        } else if c == '\'' || c == '"' {
            let (s, next) = lex_string(&chars, i, false, i)?;
            out.push(Token {
                tok: Tok::Str(s),
                col: col_of(i),
            });
            i = next;
        } else if let Some(op) = OPS.iter().copied().find(|op| {
            op.chars()
                .enumerate()
                .all(|(k, oc)| chars.get(i + k) == Some(&oc))
        }) {
            out.push(Token {
                tok: Tok::Op(op),
                col: col_of(i),
            });
            i += op.len();
        } else {
            return Err(syntax(col_of(i), format!("unexpected character `{c}`")));
        }
    }
    out.push(Token {
        tok: Tok::End,
        col: col_of(chars.len()),
    });
    Ok(out)
}

fn take_digits(chars: &[char], mut i: usize, ok: impl Fn(char) -> bool) -> usize {
    while i < chars.len()
        && (ok(chars[i])
            || (chars[i] == '_'
                && chars.get(i + 1).is_some_and(|&n| ok(n))
                && i > 0
                && ok(chars[i - 1])))
    {
        i += 1;
    }
    i
}

fn lex_number(chars: &[char], start: usize) -> PResult<(Tok, usize)> {
    let col = col_of(start);
    let radix = match (
        chars[start],
        chars.get(start + 1).map(char::to_ascii_lowercase),
    ) {
        ('0', Some('x')) => Some(16),
        ('0', Some('o')) => Some(8),
        ('0', Some('b')) => Some(2),
        _ => None,
    };
    let (tok, end) = if let Some(radix) = radix {
        let mut digits_start = start + 2;
        if chars.get(digits_start) == Some(&'_') {
            digits_start += 1;
        }
        let end = take_digits(chars, digits_start, |c| c.is_digit(radix));
        let digits: String = chars[digits_start..end]
            .iter()
            .filter(|&&c| c != '_')
            .collect();
        if digits.is_empty() {
            return Err(syntax(col, "invalid number literal"));
        }
        let n = i128::from_str_radix(&digits, radix)
            .map_err(|_| syntax(col, "integer literal is too large"))?;
        (Tok::Int(n), end)
    } else {
        let mut end = take_digits(chars, start, |c| c.is_ascii_digit());
        let mut is_float = false;
        if chars.get(end) == Some(&'.') {
            is_float = true;
            end = take_digits(chars, end + 1, |c| c.is_ascii_digit());
        }
        if matches!(chars.get(end), Some('e' | 'E')) {
            let mut k = end + 1;
            if matches!(chars.get(k), Some('+' | '-')) {
                k += 1;
            }
            if chars.get(k).is_some_and(char::is_ascii_digit) {
                is_float = true;
                end = take_digits(chars, k, |c| c.is_ascii_digit());
            }
        }
        let text: String = chars[start..end].iter().filter(|&&c| c != '_').collect();
        if matches!(chars.get(end), Some('j' | 'J')) {
            return Err(syntax(
                col,
                format!("complex numbers are not allowed; {ALLOWED}"),
            ));
        }
        if is_float {
            let f = text
                .parse::<f64>()
                .map_err(|_| syntax(col, format!("invalid number literal `{text}`")))?;
            (Tok::Float(f), end)
        } else {
            if text.len() > 1 && text.starts_with('0') && text.chars().any(|c| c != '0') {
                return Err(syntax(
                    col,
                    "leading zeros in decimal integer literals are not permitted; use `0o` for octal",
                ));
            }
            let n = text
                .parse::<i128>()
                .map_err(|_| syntax(col, "integer literal is too large"))?;
            (Tok::Int(n), end)
        }
    };
    if chars
        .get(end)
        .is_some_and(|&c| c == '_' || c.is_alphanumeric())
    {
        return Err(syntax(col, "invalid number literal"));
    }
    Ok((tok, end))
}

fn lex_string(chars: &[char], open: usize, raw: bool, start: usize) -> PResult<(String, usize)> {
    let quote = chars[open];
    let triple = chars.get(open + 1) == Some(&quote) && chars.get(open + 2) == Some(&quote);
    let mut i = open + if triple { 3 } else { 1 };
    let mut s = String::new();
    let unterminated = || syntax(col_of(start), "unterminated string literal");
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(unterminated());
        };
        if c == quote {
            if !triple {
                return Ok((s, i + 1));
            }
            if chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote) {
                return Ok((s, i + 3));
            }
            s.push(c);
            i += 1;
        } else if c == '\n' && !triple {
            return Err(unterminated());
        } else if c == '\\' {
            let Some(&e) = chars.get(i + 1) else {
                return Err(unterminated());
            };
            if raw {
                s.push('\\');
                s.push(e);
                i += 2;
                continue;
            }
            i += 2;
            let esc_col = col_of(i - 2);
            match e {
                '\n' => {}
                '\\' | '\'' | '"' => s.push(e),
                'a' => s.push('\x07'),
                'b' => s.push('\x08'),
                'f' => s.push('\x0c'),
                'n' => s.push('\n'),
                'r' => s.push('\r'),
                't' => s.push('\t'),
                'v' => s.push('\x0b'),
                '0'..='7' => {
                    let mut v = e.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match chars.get(i).and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                i += 1;
                            }
                            None => break,
                        }
                    }
                    s.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
                'x' | 'u' | 'U' => {
                    let n = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = chars.iter().skip(i).take(n).collect();
                    let ch = (hex.len() == n && hex.chars().all(|c| c.is_ascii_hexdigit()))
                        .then(|| u32::from_str_radix(&hex, 16).ok())
                        .flatten()
                        .and_then(char::from_u32)
                        .ok_or_else(|| syntax(esc_col, format!("invalid `\\{e}` escape")))?;
                    s.push(ch);
                    i += n;
                }
                'N' => {
                    return Err(syntax(esc_col, "`\\N{...}` escapes are not supported"));
                }
                other => {
                    s.push('\\');
                    s.push(other);
                }
            }
        } else {
            s.push(c);
            i += 1;
        }
    }
}
