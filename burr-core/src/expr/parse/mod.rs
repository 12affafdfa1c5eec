//! The parser: tokens to a syntax tree, rejecting everything outside the grammar.

use std::collections::HashMap;

use serde_json::Value;

mod errors;

use super::ast::{BinOp, Builtin, CmpOp, Kind, Node};
use super::lex::{ALLOWED, PResult, Tok, Token, syntax};
use super::limits::MAX_DEPTH;
use errors::{KEYWORDS, bad_arity, deep};

/// Parses `tokens` into a tree, and lists the free names it reads in order of first appearance.
pub(super) fn parse(tokens: Vec<Token>) -> PResult<(Node, Vec<String>)> {
    let mut parser = Parser {
        tokens,
        pos: 0,
        keys: Vec::new(),
        key_index: HashMap::new(),
        nesting: 0,
    };
    let root = parser.parse_top()?;
    Ok((root, parser.keys))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    keys: Vec<String>,
    /// The position of each name in `keys`, so that a source with many names parses in
    /// linear time.
    key_index: HashMap<String, usize>,
    /// How many nesting constructs enclose the current token.
    nesting: usize,
}

/// A node, or a [`ExprErrorKind::TooDeep`] error at `col` if it nests deeper than
/// [`MAX_DEPTH`].
fn make(col: u32, kind: Kind) -> PResult<Node> {
    let node = Node::new(col, kind);
    if node.depth as usize > MAX_DEPTH {
        return Err(deep(col));
    }
    Ok(node)
}

impl Parser {
    /// Enters one more nesting level for the construct opened at `col`, an error if that
    /// passes [`MAX_DEPTH`]; the caller leaves it with `self.nesting -= 1` once the construct
    /// is parsed, error or not. This bounds the parser's recursion, whatever tree it builds.
    fn enter(&mut self, col: u32) -> PResult<()> {
        if self.nesting >= MAX_DEPTH {
            return Err(deep(col));
        }
        self.nesting += 1;
        Ok(())
    }

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

    fn parse_top(&mut self) -> PResult<Node> {
        if matches!(self.peek(), Tok::End) {
            return Err(syntax(1, "empty expression"));
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
            make(col, Kind::List(items))?
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

    // The functions of the recursion spine (`parse_or` down to `parse_atom`) hand an operand
    // without operators straight back, and leave chains to separate `*_rest` functions, so
    // that each nesting level costs little stack, unoptimized builds included.

    fn parse_or(&mut self) -> PResult<Node> {
        let first = self.parse_and()?;
        if self.is_kw("or") {
            self.parse_bool_rest(first, true)
        } else {
            Ok(first)
        }
    }

    fn parse_and(&mut self) -> PResult<Node> {
        let first = self.parse_not()?;
        if self.is_kw("and") {
            self.parse_bool_rest(first, false)
        } else {
            Ok(first)
        }
    }

    /// The operands after `first` of an `or` chain (`or` true) or an `and` chain.
    fn parse_bool_rest(&mut self, first: Node, or: bool) -> PResult<Node> {
        let kw = if or { "or" } else { "and" };
        let col = self.col();
        let mut items = vec![first];
        while self.is_kw(kw) {
            self.bump();
            items.push(if or {
                self.parse_and()?
            } else {
                self.parse_not()?
            });
        }
        make(
            col,
            if or {
                Kind::Or(items)
            } else {
                Kind::And(items)
            },
        )
    }

    fn parse_not(&mut self) -> PResult<Node> {
        if self.is_kw("not") {
            let col = self.bump().col;
            self.enter(col)?;
            let inner = self.parse_not();
            self.nesting -= 1;
            return make(col, Kind::Not(Box::new(inner?)));
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
        let first = self.parse_arith(0)?;
        if self.cmp_op().is_some() {
            self.parse_cmp_rest(first)
        } else {
            Ok(first)
        }
    }

    fn parse_cmp_rest(&mut self, first: Node) -> PResult<Node> {
        let mut ops = Vec::new();
        while let Some((op, width)) = self.cmp_op() {
            let col = self.col();
            for _ in 0..width {
                self.bump();
            }
            ops.push((op, col, self.parse_arith(0)?));
        }
        if ops.is_empty() {
            return Ok(first);
        }
        let col = ops[0].1;
        make(col, Kind::Cmp(Box::new(first), ops))
    }

    /// `+ -` (precedence 0) and `* / // %` (precedence 1), left-associative, by precedence
    /// climbing: a chain is a loop, not a recursion.
    fn parse_arith(&mut self, min: u8) -> PResult<Node> {
        let left = self.parse_factor()?;
        match self.peek() {
            Tok::Op("+" | "-" | "*" | "/" | "//" | "%" | "|" | "&" | "^" | "<<" | ">>" | "@") => {
                self.parse_arith_rest(left, min)
            }
            _ => Ok(left),
        }
    }

    fn parse_arith_rest(&mut self, mut left: Node, min: u8) -> PResult<Node> {
        loop {
            let (op, prec) = match self.peek() {
                Tok::Op("+") => (BinOp::Add, 0),
                Tok::Op("-") => (BinOp::Sub, 0),
                Tok::Op("*") => (BinOp::Mul, 1),
                Tok::Op("/") => (BinOp::Div, 1),
                Tok::Op("//") => (BinOp::FloorDiv, 1),
                Tok::Op("%") => (BinOp::Mod, 1),
                Tok::Op("|" | "&" | "^" | "<<" | ">>" | "@") => return Err(self.unexpected("")),
                _ => return Ok(left),
            };
            if prec < min {
                return Ok(left);
            }
            let col = self.bump().col;
            let right = self.parse_arith(prec + 1)?;
            left = make(col, Kind::Bin(op, Box::new(left), Box::new(right)))?;
        }
    }

    fn parse_factor(&mut self) -> PResult<Node> {
        match self.peek() {
            Tok::Op(op @ ("-" | "+")) => {
                let neg = *op == "-";
                let col = self.bump().col;
                self.enter(col)?;
                let inner = self.parse_factor();
                self.nesting -= 1;
                unary(col, neg, inner?)
            }
            Tok::Op("~") => Err(self.unexpected("")),
            _ => self.parse_power(),
        }
    }

    fn parse_power(&mut self) -> PResult<Node> {
        let base = self.parse_primary()?;
        if self.is_op("**") {
            self.parse_power_rest(base)
        } else {
            Ok(base)
        }
    }

    fn parse_power_rest(&mut self, base: Node) -> PResult<Node> {
        let col = self.bump().col;
        self.enter(col)?;
        let exp = self.parse_factor();
        self.nesting -= 1;
        make(col, Kind::Bin(BinOp::Pow, Box::new(base), Box::new(exp?)))
    }

    fn parse_primary(&mut self) -> PResult<Node> {
        let node = self.parse_atom()?;
        if self.is_op(".") || self.is_op("[") || self.is_op("(") {
            self.parse_trailers(node)
        } else {
            Ok(node)
        }
    }

    /// Attributes, subscripts and (refused) calls after `node`.
    fn parse_trailers(&mut self, mut node: Node) -> PResult<Node> {
        loop {
            if self.is_op(".") {
                node = self.parse_attr(node)?;
            } else if self.is_op("[") {
                let open = self.bump().col;
                self.enter(open)?;
                let out = self.parse_subscript_parts(node, open);
                self.nesting -= 1;
                node = out?;
            } else if self.is_op("(") {
                return Err(self.call_not_allowed(&node));
            } else {
                return Ok(node);
            }
        }
    }

    fn parse_attr(&mut self, target: Node) -> PResult<Node> {
        self.bump();
        let col = self.col();
        let name = match self.peek() {
            Tok::Name(n) if !KEYWORDS.contains(&n.as_str()) && !n.starts_with("__") => n.clone(),
            _ => return Err(self.bad_attribute()),
        };
        self.bump();
        make(col, Kind::Attr(Box::new(target), name.into_boxed_str()))
    }

    fn parse_subscript_parts(&mut self, target: Node, open: u32) -> PResult<Node> {
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
            return Err(syntax(
                self.col(),
                "tuple subscripts such as `a[i, j]` are not supported",
            ));
        }
        self.expect_close("]", open)?;
        let kind = if is_slice {
            Kind::Slice(Box::new(target), Box::new(parts))
        } else {
            let [index, _, _] = parts;
            match index {
                Some(index) => Kind::Index(Box::new(target), Box::new(index)),
                None => return Err(syntax(open, "empty subscript")),
            }
        };
        make(open, kind)
    }

    fn parse_args(&mut self, builtin: Builtin, col: u32, open: u32) -> PResult<Node> {
        let mut args = Vec::new();
        while !self.is_op(")") {
            let keyword =
                matches!(self.peek(), Tok::Name(_)) && matches!(self.peek_at(1), Tok::Op("="));
            if self.is_op("*") || self.is_op("**") || keyword {
                return Err(self.bad_argument(builtin, keyword));
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
            return Err(bad_arity(builtin, col, says, args.len()));
        }
        make(col, Kind::Call(builtin, args))
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
            return Err(syntax(
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
        let kind = match self.peek() {
            Tok::Int(n) => Kind::Int(*n),
            Tok::Float(f) => Kind::Float(*f),
            Tok::Str(_) => return self.parse_strings(),
            Tok::Name(_) => return self.parse_name(),
            Tok::Op(open @ ("(" | "[" | "{")) => {
                let open = *open;
                self.bump();
                self.enter(col)?;
                let out = match open {
                    "(" => self.parse_paren(col),
                    "[" => self.parse_list(col),
                    _ => self.parse_brace(col),
                };
                self.nesting -= 1;
                return out;
            }
            Tok::Op("*") => {
                return Err(syntax(
                    col,
                    format!("unpacking (`*x`) is not allowed; {ALLOWED}"),
                ));
            }
            _ => return Err(self.unexpected("an operand")),
        };
        self.bump();
        make(col, kind)
    }

    /// Adjacent string literals, concatenated.
    fn parse_strings(&mut self) -> PResult<Node> {
        let col = self.col();
        let mut s = String::new();
        while let Tok::Str(more) = self.peek() {
            s.push_str(more);
            self.bump();
        }
        make(col, Kind::Str(Box::new(Value::String(s))))
    }

    fn parse_name(&mut self) -> PResult<Node> {
        let col = self.col();
        let Tok::Name(name) = self.peek().clone() else {
            return Err(self.unexpected("a name"));
        };
        let kind = match name.as_str() {
            "True" | "true" => Kind::Bool(true),
            "False" | "false" => Kind::Bool(false),
            "None" | "null" => Kind::Null,
            "await" | "yield" => {
                return Err(syntax(col, format!("`{name}` is not allowed; {ALLOWED}")));
            }
            kw if KEYWORDS.contains(&kw) => return Err(self.unexpected("an operand")),
            _ => {
                if let Some(builtin) = Builtin::from_name(&name) {
                    self.bump();
                    if !self.is_op("(") {
                        return Err(syntax(
                            col,
                            format!(
                                "`{name}` is a function and can only be called, as in `{name}(x)`"
                            ),
                        ));
                    }
                    let open = self.bump().col;
                    self.enter(open)?;
                    let out = self.parse_args(builtin, col, open);
                    self.nesting -= 1;
                    return out;
                }
                Kind::Name(self.key(name))
            }
        };
        self.bump();
        make(col, kind)
    }

    /// The index of the free name `name` in the keys, which lists it on its first appearance.
    fn key(&mut self, name: String) -> usize {
        if let Some(&i) = self.key_index.get(&name) {
            return i;
        }
        let i = self.keys.len();
        self.key_index.insert(name.clone(), i);
        self.keys.push(name);
        i
    }

    /// After `(`: `()`, a parenthesized expression or a tuple.
    fn parse_paren(&mut self, col: u32) -> PResult<Node> {
        if self.eat_op(")") {
            return make(col, Kind::List(Vec::new()));
        }
        let first = self.parse_item()?;
        if self.eat_op(")") {
            return Ok(first);
        }
        let items = self.parse_items(")", col, Some(first))?;
        make(col, Kind::List(items))
    }

    /// After `[`: a list.
    fn parse_list(&mut self, col: u32) -> PResult<Node> {
        let items = self.parse_items("]", col, None)?;
        make(col, Kind::List(items))
    }

    /// After `{`: a dict or a set.
    fn parse_brace(&mut self, col: u32) -> PResult<Node> {
        if self.eat_op("}") {
            return make(col, Kind::Dict(Vec::new()));
        }
        let first = self.parse_item()?;
        if !self.eat_op(":") {
            let items = self.parse_items("}", col, Some(first))?;
            return make(col, Kind::Set(items));
        }
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
        make(col, Kind::Dict(pairs))
    }
}

/// `-inner` (a negative literal when `inner` is a number literal) or `+inner`.
fn unary(col: u32, neg: bool, inner: Node) -> PResult<Node> {
    let kind = match inner.kind {
        Kind::Int(n) if neg && n != i128::MIN => Kind::Int(-n),
        Kind::Float(f) if neg => Kind::Float(-f),
        _ if neg => Kind::Neg(Box::new(inner)),
        _ => Kind::Pos(Box::new(inner)),
    };
    make(col, kind)
}
