//! The parser's errors: the messages for unexpected tokens and disallowed constructs.

use super::super::ExprErrorKind;
use super::super::ast::{Builtin, Kind, Node};
use super::super::lex::{ALLOWED, PErr, Tok, syntax};
use super::super::limits::too_deep;
use super::Parser;

/// Python's keywords: never names, so never state keys or attributes.
pub(super) const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

#[cold]
pub(super) fn deep(col: u32) -> PErr {
    PErr {
        col,
        message: too_deep(),
        kind: ExprErrorKind::TooDeep,
    }
}

#[cold]
pub(super) fn bad_arity(builtin: Builtin, col: u32, says: &str, got: usize) -> PErr {
    syntax(col, format!("`{}` takes {says}, got {got}", builtin.name()))
}

impl Parser {
    /// An error for the current token, with a specific message for disallowed constructs.
    pub(super) fn unexpected(&self, expected: &str) -> PErr {
        let col = self.col();
        let msg = match self.peek() {
            Tok::End => format!("unexpected end of expression, expected {expected}"),
            Tok::Op("=") => "assignment is not allowed; use `==` to compare".into(),
            Tok::Op(":=") => format!("assignment expressions (`:=`) are not allowed; {ALLOWED}"),
            Tok::Op(op)
                if op.len() >= 2 && op.ends_with('=') && !["==", "!=", "<=", ">="].contains(op) =>
            {
                format!("assignment (`{op}`) is not allowed; {ALLOWED}")
            }
            Tok::Op(op @ ("|" | "&" | "^" | "<<" | ">>" | "~" | "@")) => {
                format!("operator `{op}` is not allowed; {ALLOWED}")
            }
            Tok::Op(";") => "only a single expression is allowed".into(),
            Tok::Op("...") => format!("`...` is not allowed; {ALLOWED}"),
            Tok::Op(op) => format!("unexpected `{op}`, expected {expected}"),
            Tok::Name(n) if n == "for" => format!("comprehensions are not allowed; {ALLOWED}"),
            Tok::Name(n) if n == "if" => format!(
                "conditional expressions (`a if cond else b`) are not allowed; use `and`/`or` instead; {ALLOWED}"
            ),
            Tok::Name(n) if n == "lambda" => {
                format!("lambda expressions are not allowed; {ALLOWED}")
            }
            Tok::Name(n) if KEYWORDS.contains(&n.as_str()) => {
                format!("unexpected keyword `{n}`, expected {expected}")
            }
            Tok::Name(n) => format!("unexpected name `{n}`, expected {expected}"),
            Tok::Int(_) | Tok::Float(_) => format!("unexpected number, expected {expected}"),
            Tok::Str(_) => format!("unexpected string, expected {expected}"),
        };
        syntax(col, msg)
    }

    #[cold]
    pub(super) fn bad_attribute(&self) -> PErr {
        let col = self.col();
        match self.peek() {
            Tok::Name(n) if KEYWORDS.contains(&n.as_str()) => syntax(
                col,
                format!("unexpected keyword `{n}`, expected an attribute name after `.`"),
            ),
            Tok::Name(n) => syntax(
                col,
                format!(
                    "attribute `{n}` is not allowed: names starting with `__` cannot be accessed"
                ),
            ),
            _ => self.unexpected("an attribute name after `.`"),
        }
    }

    #[cold]
    pub(super) fn call_not_allowed(&self, node: &Node) -> PErr {
        let (col, what) = match &node.kind {
            Kind::Name(i) => (
                node.col,
                format!("calling `{}` is not allowed", self.keys[*i]),
            ),
            Kind::Attr(_, name) => (
                node.col,
                format!("calling the method `{name}` is not allowed"),
            ),
            _ => (self.col(), "this call is not allowed".to_string()),
        };
        syntax(
            col,
            format!(
                "{what}; only `len`, `abs`, `min`, `max`, `sum`, `all`, `any`, `str`, `int`, `float` and `bool` can be called"
            ),
        )
    }

    #[cold]
    pub(super) fn bad_argument(&self, builtin: Builtin, keyword: bool) -> PErr {
        let name = builtin.name();
        let message = if keyword {
            format!(
                "keyword arguments are not allowed in calls to `{name}`; pass arguments by position"
            )
        } else {
            format!("argument unpacking (`*args`, `**kwargs`) is not allowed in calls to `{name}`")
        };
        syntax(self.col(), message)
    }
}
