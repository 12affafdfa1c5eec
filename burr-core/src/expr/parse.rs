//! The parser: tokens to a syntax tree, rejecting everything outside the grammar.

use serde_json::Value;

use super::ast::{BinOp, Builtin, CmpOp, Kind, Node};
use super::lex::{ALLOWED, PResult, Tok, Token};

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Parses `tokens` into a tree, and lists the free names it reads in order of first appearance.
pub(super) fn parse(tokens: Vec<Token>) -> PResult<(Node, Vec<String>)> {
    let mut parser = Parser {
        tokens,
        pos: 0,
        keys: Vec::new(),
    };
    let root = parser.parse_top()?;
    Ok((root, parser.keys))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    keys: Vec<String>,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].tok
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.tokens[(self.pos + k).min(self.tokens.len() - 1)].tok
    }

    fn col(&self) -> u32 {
        self.tokens[self.pos.min(self.tokens.len() - 1)].col
    }

    fn bump(&mut self) -> Token {
        let t = self.tokens[self.pos.min(self.tokens.len() - 1)].clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let found = self.is_op(op);
        if found {
            self.bump();
        }
        found
    }

    fn expect_close(&mut self, close: &str, open_col: u32) -> PResult<()> {
        if self.eat_op(close) {
            Ok(())
        } else {
            let open = match close {
                ")" => "(",
                "]" => "[",
                _ => "{",
            };
            Err(self.unexpected(&format!(
                "`{close}` to close the `{open}` at column {open_col}"
            )))
        }
    }

    /// An error for the current token, with a specific message for disallowed constructs.
    fn unexpected(&self, expected: &str) -> (u32, String) {
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
        (col, msg)
    }

    fn parse_top(&mut self) -> PResult<Node> {
        if matches!(self.peek(), Tok::End) {
            return Err((1, "empty expression".into()));
        }
        let first = self.parse_expr()?;
        let node = if self.is_op(",") {
            let col = first.col;
            let mut items = vec![first];
            while self.eat_op(",") {
                if matches!(self.peek(), Tok::End) {
                    break;
                }
                items.push(self.parse_expr()?);
            }
            Node {
                col,
                kind: Kind::List(items),
            }
        } else {
            first
        };
        if matches!(self.peek(), Tok::End) {
            Ok(node)
        } else {
            Err(self.unexpected("an operator or the end of the expression"))
        }
    }

    /// One expression, without a top-level tuple.
    fn parse_expr(&mut self) -> PResult<Node> {
        let node = self.parse_or()?;
        if self.is_kw("if") || self.is_op(":=") {
            return Err(self.unexpected(""));
        }
        Ok(node)
    }

    fn parse_or(&mut self) -> PResult<Node> {
        let first = self.parse_and()?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        let col = self.col();
        let mut items = vec![first];
        while self.is_kw("or") {
            self.bump();
            items.push(self.parse_and()?);
        }
        Ok(Node {
            col,
            kind: Kind::Or(items),
        })
    }

    fn parse_and(&mut self) -> PResult<Node> {
        let first = self.parse_not()?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        let col = self.col();
        let mut items = vec![first];
        while self.is_kw("and") {
            self.bump();
            items.push(self.parse_not()?);
        }
        Ok(Node {
            col,
            kind: Kind::And(items),
        })
    }

    fn parse_not(&mut self) -> PResult<Node> {
        if self.is_kw("not") {
            let col = self.bump().col;
            let inner = self.parse_not()?;
            return Ok(Node {
                col,
                kind: Kind::Not(Box::new(inner)),
            });
        }
        self.parse_cmp()
    }

    fn cmp_op(&self) -> Option<(CmpOp, usize)> {
        Some(match self.peek() {
            Tok::Op("==") => (CmpOp::Eq, 1),
            Tok::Op("!=") => (CmpOp::Ne, 1),
            Tok::Op("<") => (CmpOp::Lt, 1),
            Tok::Op("<=") => (CmpOp::Le, 1),
            Tok::Op(">") => (CmpOp::Gt, 1),
            Tok::Op(">=") => (CmpOp::Ge, 1),
            Tok::Name(n) if n == "in" => (CmpOp::In, 1),
            Tok::Name(n) if n == "not" && matches!(self.peek_at(1), Tok::Name(m) if m == "in") => {
                (CmpOp::NotIn, 2)
            }
            Tok::Name(n) if n == "is" => {
                if matches!(self.peek_at(1), Tok::Name(m) if m == "not") {
                    (CmpOp::IsNot, 2)
                } else {
                    (CmpOp::Is, 1)
                }
            }
            _ => return None,
        })
    }

    fn parse_cmp(&mut self) -> PResult<Node> {
        let first = self.parse_sum()?;
        let mut ops = Vec::new();
        while let Some((op, width)) = self.cmp_op() {
            let col = self.col();
            for _ in 0..width {
                self.bump();
            }
            ops.push((op, col, self.parse_sum()?));
        }
        if ops.is_empty() {
            return Ok(first);
        }
        let col = ops[0].1;
        Ok(Node {
            col,
            kind: Kind::Cmp(Box::new(first), ops),
        })
    }

    fn parse_sum(&mut self) -> PResult<Node> {
        let mut left = self.parse_term()?;
        loop {
            let op = match self.peek() {
                Tok::Op("+") => BinOp::Add,
                Tok::Op("-") => BinOp::Sub,
                Tok::Op("|" | "&" | "^" | "<<" | ">>") => return Err(self.unexpected("")),
                _ => return Ok(left),
            };
            let col = self.bump().col;
            let right = self.parse_term()?;
            left = Node {
                col,
                kind: Kind::Bin(op, Box::new(left), Box::new(right)),
            };
        }
    }

    fn parse_term(&mut self) -> PResult<Node> {
        let mut left = self.parse_factor()?;
        loop {
            let op = match self.peek() {
                Tok::Op("*") => BinOp::Mul,
                Tok::Op("/") => BinOp::Div,
                Tok::Op("//") => BinOp::FloorDiv,
                Tok::Op("%") => BinOp::Mod,
                Tok::Op("@") => return Err(self.unexpected("")),
                _ => return Ok(left),
            };
            let col = self.bump().col;
            let right = self.parse_factor()?;
            left = Node {
                col,
                kind: Kind::Bin(op, Box::new(left), Box::new(right)),
            };
        }
    }

    fn parse_factor(&mut self) -> PResult<Node> {
        match self.peek() {
            Tok::Op("-") => {
                let col = self.bump().col;
                let inner = self.parse_factor()?;
                Ok(match inner.kind {
                    Kind::Int(n) if n != i128::MIN => Node {
                        col,
                        kind: Kind::Int(-n),
                    },
                    Kind::Float(f) => Node {
                        col,
                        kind: Kind::Float(-f),
                    },
                    _ => Node {
                        col,
                        kind: Kind::Neg(Box::new(inner)),
                    },
                })
            }
            Tok::Op("+") => {
                let col = self.bump().col;
                let inner = self.parse_factor()?;
                Ok(Node {
                    col,
                    kind: Kind::Pos(Box::new(inner)),
                })
            }
            Tok::Op("~") => Err(self.unexpected("")),
            _ => self.parse_power(),
        }
    }

    fn parse_power(&mut self) -> PResult<Node> {
        let base = self.parse_primary()?;
        if self.is_op("**") {
            let col = self.bump().col;
            let exp = self.parse_factor()?;
            return Ok(Node {
                col,
                kind: Kind::Bin(BinOp::Pow, Box::new(base), Box::new(exp)),
            });
        }
        Ok(base)
    }

    fn parse_primary(&mut self) -> PResult<Node> {
        let mut node = self.parse_atom()?;
        loop {
            if self.is_op(".") {
                self.bump();
                let col = self.col();
                let name = match self.peek() {
                    Tok::Name(n) if !KEYWORDS.contains(&n.as_str()) => n.clone(),
                    Tok::Name(n) => {
                        return Err((
                            col,
                            format!(
                                "unexpected keyword `{n}`, expected an attribute name after `.`"
                            ),
                        ));
                    }
                    _ => return Err(self.unexpected("an attribute name after `.`")),
                };
                if name.starts_with("__") {
                    return Err((
                        col,
                        format!(
                            "attribute `{name}` is not allowed: names starting with `__` cannot be accessed"
                        ),
                    ));
                }
                self.bump();
                node = Node {
                    col,
                    kind: Kind::Attr(Box::new(node), name.into_boxed_str()),
                };
            } else if self.is_op("[") {
                node = self.parse_subscript(node)?;
            } else if self.is_op("(") {
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
                return Err((
                    col,
                    format!(
                        "{what}; only `len`, `abs`, `min`, `max`, `sum`, `all`, `any`, `str`, `int`, `float` and `bool` can be called"
                    ),
                ));
            } else {
                return Ok(node);
            }
        }
    }

    fn parse_subscript(&mut self, target: Node) -> PResult<Node> {
        let open = self.bump().col;
        let mut parts: [Option<Node>; 3] = [None, None, None];
        let mut is_slice = false;
        if !self.is_op(":") {
            parts[0] = Some(self.parse_expr()?);
        }
        if self.eat_op(":") {
            is_slice = true;
            if !self.is_op(":") && !self.is_op("]") {
                parts[1] = Some(self.parse_expr()?);
            }
            if self.eat_op(":") && !self.is_op("]") {
                parts[2] = Some(self.parse_expr()?);
            }
        }
        if self.is_op(",") {
            return Err((
                self.col(),
                "tuple subscripts such as `a[i, j]` are not supported".into(),
            ));
        }
        self.expect_close("]", open)?;
        let kind = if is_slice {
            Kind::Slice(Box::new(target), Box::new(parts))
        } else {
            let [index, _, _] = parts;
            match index {
                Some(index) => Kind::Index(Box::new(target), Box::new(index)),
                None => return Err((open, "empty subscript".into())),
            }
        };
        Ok(Node { col: open, kind })
    }

    fn parse_call(&mut self, builtin: Builtin, col: u32) -> PResult<Node> {
        let open = self.bump().col;
        let mut args = Vec::new();
        while !self.is_op(")") {
            if self.is_op("*") || self.is_op("**") {
                return Err((
                    self.col(),
                    format!(
                        "argument unpacking (`*args`, `**kwargs`) is not allowed in calls to `{}`",
                        builtin.name()
                    ),
                ));
            }
            if matches!(self.peek(), Tok::Name(_)) && matches!(self.peek_at(1), Tok::Op("=")) {
                return Err((
                    self.col(),
                    format!(
                        "keyword arguments are not allowed in calls to `{}`; pass arguments by position",
                        builtin.name()
                    ),
                ));
            }
            args.push(self.parse_expr()?);
            if self.is_kw("for") {
                return Err(self.unexpected(""));
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_close(")", open)?;
        let (min, max, says) = builtin.arity();
        if args.len() < min || args.len() > max {
            return Err((
                col,
                format!("`{}` takes {says}, got {}", builtin.name(), args.len()),
            ));
        }
        Ok(Node {
            col,
            kind: Kind::Call(builtin, args),
        })
    }

    /// Items up to `close`, rejecting comprehensions and unpacking.
    fn parse_items(&mut self, close: &str, open: u32, first: Option<Node>) -> PResult<Vec<Node>> {
        let mut items = Vec::new();
        if let Some(first) = first {
            items.push(first);
            if !self.eat_op(",") {
                self.expect_close(close, open)?;
                return Ok(items);
            }
        }
        while !self.is_op(close) {
            items.push(self.parse_item()?);
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_close(close, open)?;
        Ok(items)
    }

    fn parse_item(&mut self) -> PResult<Node> {
        if self.is_op("*") || self.is_op("**") {
            return Err((
                self.col(),
                format!("unpacking (`*x`, `**x`) is not allowed; {ALLOWED}"),
            ));
        }
        let item = self.parse_expr()?;
        if self.is_kw("for") || self.is_kw("async") {
            return Err(self.unexpected(""));
        }
        Ok(item)
    }

    fn parse_atom(&mut self) -> PResult<Node> {
        let col = self.col();
        let kind = match self.peek().clone() {
            Tok::Int(n) => {
                self.bump();
                Kind::Int(n)
            }
            Tok::Float(f) => {
                self.bump();
                Kind::Float(f)
            }
            Tok::Str(mut s) => {
                self.bump();
                while let Tok::Str(more) = self.peek() {
                    s.push_str(more);
                    self.bump();
                }
                Kind::Str(Value::String(s))
            }
            Tok::Name(name) => {
                let kind = match name.as_str() {
                    "True" | "true" => Kind::Bool(true),
                    "False" | "false" => Kind::Bool(false),
                    "None" | "null" => Kind::Null,
                    "await" | "yield" => {
                        return Err((col, format!("`{name}` is not allowed; {ALLOWED}")));
                    }
                    kw if KEYWORDS.contains(&kw) => return Err(self.unexpected("an operand")),
                    _ => {
                        if let Some(builtin) = Builtin::from_name(&name) {
                            self.bump();
                            if !self.is_op("(") {
                                return Err((
                                    col,
                                    format!(
                                        "`{name}` is a function and can only be called, as in `{name}(x)`"
                                    ),
                                ));
                            }
                            return self.parse_call(builtin, col);
                        }
                        let idx = match self.keys.iter().position(|k| *k == name) {
                            Some(i) => i,
                            None => {
                                self.keys.push(name);
                                self.keys.len() - 1
                            }
                        };
                        Kind::Name(idx)
                    }
                };
                self.bump();
                kind
            }
            Tok::Op("(") => {
                self.bump();
                if self.eat_op(")") {
                    return Ok(Node {
                        col,
                        kind: Kind::List(Vec::new()),
                    });
                }
                let first = self.parse_item()?;
                if self.is_op(")") {
                    self.bump();
                    return Ok(first);
                }
                Kind::List(self.parse_items(")", col, Some(first))?)
            }
            Tok::Op("[") => {
                self.bump();
                Kind::List(self.parse_items("]", col, None)?)
            }
            Tok::Op("{") => {
                self.bump();
                if self.eat_op("}") {
                    return Ok(Node {
                        col,
                        kind: Kind::Dict(Vec::new()),
                    });
                }
                let first = self.parse_item()?;
                if self.eat_op(":") {
                    let mut pairs = vec![(first, self.parse_item()?)];
                    while self.eat_op(",") {
                        if self.is_op("}") {
                            break;
                        }
                        let key = self.parse_item()?;
                        if !self.eat_op(":") {
                            return Err(self.unexpected("`:` after a dict key"));
                        }
                        pairs.push((key, self.parse_item()?));
                    }
                    self.expect_close("}", col)?;
                    Kind::Dict(pairs)
                } else {
                    Kind::Set(self.parse_items("}", col, Some(first))?)
                }
            }
            Tok::Op("*") => {
                return Err((col, format!("unpacking (`*x`) is not allowed; {ALLOWED}")));
            }
            _ => return Err(self.unexpected("an operand")),
        };
        Ok(Node { col, kind })
    }
}
