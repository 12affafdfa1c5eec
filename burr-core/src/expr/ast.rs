//! The syntax tree: operators, builtin functions and nodes.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

impl BinOp {
    pub(super) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

impl CmpOp {
    pub(super) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Builtin {
    Len,
    Abs,
    Min,
    Max,
    Sum,
    All,
    Any,
    Str,
    Int,
    Float,
    Bool,
}

impl Builtin {
    pub(super) fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "len" => Builtin::Len,
            "abs" => Builtin::Abs,
            "min" => Builtin::Min,
            "max" => Builtin::Max,
            "sum" => Builtin::Sum,
            "all" => Builtin::All,
            "any" => Builtin::Any,
            "str" => Builtin::Str,
            "int" => Builtin::Int,
            "float" => Builtin::Float,
            "bool" => Builtin::Bool,
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Builtin::Len => "len",
            Builtin::Abs => "abs",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Sum => "sum",
            Builtin::All => "all",
            Builtin::Any => "any",
            Builtin::Str => "str",
            Builtin::Int => "int",
            Builtin::Float => "float",
            Builtin::Bool => "bool",
        }
    }

    /// Accepted numbers of positional arguments, and how to say so.
    pub(super) fn arity(self) -> (usize, usize, &'static str) {
        match self {
            Builtin::Len | Builtin::Abs | Builtin::All | Builtin::Any => {
                (1, 1, "exactly one argument")
            }
            Builtin::Min | Builtin::Max => (1, usize::MAX, "an iterable or at least two arguments"),
            Builtin::Sum => (1, 2, "an iterable and an optional start value"),
            Builtin::Str | Builtin::Float | Builtin::Bool => (0, 1, "at most one argument"),
            Builtin::Int => (0, 2, "at most two arguments (a value and a base)"),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Node {
    /// 1-based column used in evaluation errors: the operator for operations, the token
    /// otherwise.
    pub(super) col: u32,
    /// The height of the tree below: 0 for a leaf, one more than the deepest child otherwise.
    /// The parser keeps it within [`MAX_DEPTH`](super::MAX_DEPTH), which bounds the recursion
    /// of every walk of the tree (evaluation, `Clone`, `Debug`, `Drop`).
    pub(super) depth: u32,
    pub(super) kind: Kind,
}

impl Node {
    /// A node over `kind`, its depth computed from its children's.
    pub(super) fn new(col: u32, kind: Kind) -> Node {
        let d = |n: &Node| n.depth + 1;
        let max = |nodes: &[Node]| nodes.iter().map(d).max().unwrap_or(0);
        let depth = match &kind {
            Kind::Null | Kind::Bool(_) | Kind::Int(_) | Kind::Float(_) | Kind::Str(_) => 0,
            Kind::Name(_) => 0,
            Kind::Attr(a, _) | Kind::Neg(a) | Kind::Pos(a) | Kind::Not(a) => d(a),
            Kind::Index(a, b) | Kind::Bin(_, a, b) => d(a).max(d(b)),
            Kind::Slice(a, parts) => parts.iter().flatten().map(d).fold(d(a), u32::max),
            Kind::Cmp(a, rest) => rest.iter().map(|(_, _, n)| d(n)).fold(d(a), u32::max),
            Kind::And(items)
            | Kind::Or(items)
            | Kind::List(items)
            | Kind::Set(items)
            | Kind::Call(_, items) => max(items),
            Kind::Dict(pairs) => pairs.iter().map(|(k, v)| d(k).max(d(v))).max().unwrap_or(0),
        };
        Node { col, depth, kind }
    }
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    /// Always a `Value::String`, so evaluation can borrow it; boxed to keep nodes small.
    Str(Box<Value>),
    /// Index into the expression's keys.
    Name(usize),
    Attr(Box<Node>, Box<str>),
    Index(Box<Node>, Box<Node>),
    Slice(Box<Node>, Box<[Option<Node>; 3]>),
    Neg(Box<Node>),
    Pos(Box<Node>),
    Not(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Cmp(Box<Node>, Vec<(CmpOp, u32, Node)>),
    And(Vec<Node>),
    Or(Vec<Node>),
    List(Vec<Node>),
    Set(Vec<Node>),
    Dict(Vec<(Node, Node)>),
    Call(Builtin, Vec<Node>),
}
