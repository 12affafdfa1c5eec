//! Evaluation: walking the syntax tree over a scope.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::ExprErrorKind;
use super::ast::{Builtin, CmpOp, Kind, Node};
use super::builtins::apply;
use super::compare::compare;
use super::hash_key::dedup;
use super::limits::{Budget, NODE};
use super::python::{arith, py_repr_short};
use super::scope::Scope;
use super::slice::{Bounds, slice_list, slice_str};
use super::value::{Num, V, Val};

/// An evaluation failure (column, message, kind), boxed so that results on the success path
/// stay small.
pub(super) struct Fail(pub(super) Box<(u32, String, ExprErrorKind)>);

impl Fail {
    /// A [`ExprErrorKind::Eval`] failure at `col`.
    #[cold]
    pub(super) fn new(col: u32, msg: impl Into<String>) -> Fail {
        Fail(Box::new((col, msg.into(), ExprErrorKind::Eval)))
    }
}

pub(super) type R<T> = Result<T, Fail>;

/// An operand of a comparison.
enum Operand<'a> {
    Lit(V<'a>),
    Json(Cow<'a, Value>),
    Val(Val<'a>),
}

impl Operand<'_> {
    #[inline(always)]
    fn view(&self) -> V<'_> {
        match self {
            Operand::Lit(v) => *v,
            Operand::Json(v) => V::of(v),
            Operand::Val(v) => v.view(),
        }
    }
}

pub(super) struct Eval<'a> {
    pub(super) keys: &'a [String],
    pub(super) scope: &'a dyn Scope,
    /// What the values built so far leave of [`MAX_EVAL_BYTES`](super::MAX_EVAL_BYTES).
    pub(super) budget: Budget,
}

impl<'a> Eval<'a> {
    /// Truthiness, without materializing `and`/`or`/comparison results.
    pub(super) fn truth(&self, n: &'a Node) -> R<bool> {
        match &n.kind {
            Kind::Cmp(first, rest) => self.chain(first, rest),
            Kind::And(items) => {
                for item in items {
                    if !self.truth(item)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Kind::Or(items) => {
                for item in items {
                    if self.truth(item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Kind::Not(inner) => Ok(!self.truth(inner)?),
            _ => self.with_view(n, |v| Ok(v.truthy())),
        }
    }

    /// The value of an operand; names and literals are borrowed, not converted.
    #[inline(always)]
    fn operand(&self, n: &'a Node) -> R<Operand<'a>> {
        Ok(match &n.kind {
            Kind::Name(i) => match self.scope.lookup(&self.keys[*i]) {
                Some(value) => Operand::Json(value),
                None => return Err(self.undefined(n, *i)),
            },
            Kind::Int(i) => Operand::Lit(V::Int(*i)),
            Kind::Str(s) => Operand::Lit(V::of(s)),
            _ => Operand::Val(self.eval(n)?),
        })
    }

    /// Calls `f` with a view of `n`'s value; names and literals are viewed in place, without
    /// building an intermediate value.
    #[inline(always)]
    fn with_view<T>(&self, n: &'a Node, f: impl FnOnce(V<'_>) -> R<T>) -> R<T> {
        match &n.kind {
            Kind::Name(i) => match self.scope.lookup(&self.keys[*i]) {
                Some(value) => f(V::of(&value)),
                None => Err(self.undefined(n, *i)),
            },
            Kind::Int(i) => f(V::Int(*i)),
            Kind::Float(x) => f(V::Float(*x)),
            Kind::Bool(b) => f(V::Bool(*b)),
            Kind::Null => f(V::Null),
            Kind::Str(s) => f(V::of(s)),
            _ => {
                let value = self.eval(n)?;
                f(value.view())
            }
        }
    }

    #[inline]
    fn chain(&self, first: &'a Node, rest: &'a [(CmpOp, u32, Node)]) -> R<bool> {
        match rest {
            [(op, col, node)] => self.compare_one(first, *op, *col, node),
            _ => self.compare_chain(first, rest),
        }
    }

    /// A single comparison. The most common condition shape, `name <op> literal`, is compared
    /// in place, without intermediate values.
    #[inline]
    fn compare_one(&self, a: &'a Node, op: CmpOp, col: u32, b: &'a Node) -> R<bool> {
        if let (Kind::Name(i), Some(lit)) = (&a.kind, b.literal()) {
            let Some(value) = self.scope.lookup(&self.keys[*i]) else {
                return Err(self.undefined(a, *i));
            };
            return compare(op, V::of(&value), lit).map_err(|m| Fail::new(col, m));
        }
        self.compare_operands(a, op, col, b)
    }

    #[inline(never)]
    fn compare_operands(&self, a: &'a Node, op: CmpOp, col: u32, b: &'a Node) -> R<bool> {
        let a = self.operand(a)?;
        let b = self.operand(b)?;
        compare(op, a.view(), b.view()).map_err(|m| Fail::new(col, m))
    }

    #[inline(never)]
    fn compare_chain(&self, first: &'a Node, rest: &'a [(CmpOp, u32, Node)]) -> R<bool> {
        let mut left = self.eval(first)?;
        for (op, col, node) in rest {
            let right = self.eval(node)?;
            if !compare(*op, left.view(), right.view()).map_err(|m| Fail::new(*col, m))? {
                return Ok(false);
            }
            left = right;
        }
        Ok(true)
    }

    pub(super) fn eval(&self, n: &'a Node) -> R<Val<'a>> {
        Ok(match &n.kind {
            Kind::Null => Val::Null,
            Kind::Bool(b) => Val::Bool(*b),
            Kind::Int(i) => Val::Int(*i),
            Kind::Float(f) => Val::Float(*f),
            Kind::Str(s) => Val::Ref(s),
            Kind::Name(i) => match self.scope.lookup(&self.keys[*i]) {
                Some(Cow::Borrowed(v)) => Val::Ref(v),
                Some(Cow::Owned(v)) => Val::Own(v),
                None => return Err(self.undefined(n, *i)),
            },
            Kind::Not(inner) => Val::Bool(!self.truth(inner)?),
            Kind::Bin(op, left, right) => {
                let left = self.eval(left)?;
                let right = self.eval(right)?;
                arith(*op, left.view(), right.view(), &self.budget)
                    .map_err(|m| Fail::new(n.col, m))?
            }
            Kind::Cmp(first, rest) => Val::Bool(self.chain(first, rest)?),
            Kind::And(items) => {
                let mut value = Val::Bool(true);
                for item in items {
                    value = self.eval(item)?;
                    if !value.view().truthy() {
                        break;
                    }
                }
                value
            }
            Kind::Or(items) => {
                let mut value = Val::Bool(false);
                for item in items {
                    value = self.eval(item)?;
                    if value.view().truthy() {
                        break;
                    }
                }
                value
            }
            _ => self.eval_compound(n)?,
        })
    }

    #[cold]
    fn undefined(&self, n: &Node, i: usize) -> Fail {
        Fail::new(
            n.col,
            format!("name `{}` is not defined in the state", self.keys[i]),
        )
    }

    /// Containers, attribute access, subscripts, unary arithmetic and calls: kept out of
    /// [`Eval::eval`] so the common path stays small, and each in its own function so that a
    /// nesting level costs only the stack of the construct it is.
    #[inline(never)]
    fn eval_compound(&self, n: &'a Node) -> R<Val<'a>> {
        match &n.kind {
            Kind::Attr(target, name) => self.attr(n, target, name),
            Kind::Index(target, index) => self.subscript(n, target, index),
            Kind::Slice(target, parts) => self.slice(n, target, parts),
            Kind::Neg(inner) => self.neg(n, inner),
            Kind::Pos(inner) => self.pos(n, inner),
            Kind::List(items) => self.list(items),
            Kind::Set(items) => self.set(items),
            Kind::Dict(pairs) => self.dict(pairs),
            Kind::Call(builtin, args) => self.call(*builtin, args, n.col),
            _ => self.eval(n),
        }
    }

    /// `target.name`: the key `name` of an object.
    #[inline(never)]
    fn attr(&self, n: &'a Node, target: &'a Node, name: &str) -> R<Val<'a>> {
        let fail = |m: String| Fail::new(n.col, m);
        Ok({
            let target = self.eval(target)?;
            let missing = |t: V<'_>| match t {
                V::Dict(_) => format!("object has no key `{name}`"),
                other => format!("`{}` value has no attribute `{name}`", other.type_name()),
            };
            match target {
                Val::Ref(Value::Object(m)) => match m.get(name) {
                    Some(v) => Val::Ref(v),
                    None => return Err(fail(missing(target.view()))),
                },
                Val::Own(Value::Object(mut m)) => match m.swap_remove(name) {
                    Some(v) => Val::Own(v),
                    None => return Err(fail(format!("object has no key `{name}`"))),
                },
                other => return Err(fail(missing(other.view()))),
            }
        })
    }

    /// `target[index]`.
    #[inline(never)]
    fn subscript(&self, n: &'a Node, target: &'a Node, index: &'a Node) -> R<Val<'a>> {
        let fail = |m: String| Fail::new(n.col, m);
        Ok({
            let target = self.eval(target)?;
            let index = self.eval(index)?;
            self.index(target, &index).map_err(fail)?
        })
    }

    /// `target[start:stop:step]`.
    #[inline(never)]
    fn slice(&self, n: &'a Node, target: &'a Node, parts: &'a [Option<Node>; 3]) -> R<Val<'a>> {
        let fail = |m: String| Fail::new(n.col, m);
        Ok({
            let target = self.eval(target)?;
            let mut bounds = [None, None, None];
            for (bound, part) in bounds.iter_mut().zip(parts.iter()) {
                if let Some(part) = part {
                    let v = self.eval(part)?;
                    *bound = match v.view() {
                        V::Null => None,
                        other => Some(other.index().ok_or_else(|| {
                            Fail::new(
                                part.col,
                                format!(
                                    "slice indices must be integers or None, not `{}`",
                                    other.type_name()
                                ),
                            )
                        })?),
                    };
                }
            }
            let [start, stop, step] = bounds;
            let step = step.unwrap_or(1);
            if step == 0 {
                return Err(fail("slice step cannot be zero".into()));
            }
            let bounds = Bounds { start, stop, step };
            match target.view() {
                V::List(l) => Val::Own(Value::Array(
                    slice_list(l, bounds, &self.budget).map_err(fail)?,
                )),
                V::Str(s) => Val::string(slice_str(s, bounds, &self.budget).map_err(fail)?),
                other => {
                    return Err(fail(format!(
                        "`{}` object is not subscriptable",
                        other.type_name()
                    )));
                }
            }
        })
    }

    /// Unary `-`.
    #[inline(never)]
    fn neg(&self, n: &'a Node, inner: &'a Node) -> R<Val<'a>> {
        let fail = |m: String| Fail::new(n.col, m);
        Ok({
            let v = self.eval(inner)?;
            match v.view().num() {
                Some(Num::I(i)) => Val::Int(
                    i.checked_neg()
                        .ok_or_else(|| fail("integer overflow in unary `-`".into()))?,
                ),
                Some(Num::F(f)) => Val::Float(-f),
                None => {
                    return Err(fail(format!(
                        "bad operand type for unary `-`: `{}`",
                        v.view().type_name()
                    )));
                }
            }
        })
    }

    /// Unary `+`.
    #[inline(never)]
    fn pos(&self, n: &'a Node, inner: &'a Node) -> R<Val<'a>> {
        let fail = |m: String| Fail::new(n.col, m);
        Ok({
            let v = self.eval(inner)?;
            match v.view().num() {
                Some(num) => num.into_val(),
                None => {
                    return Err(fail(format!(
                        "bad operand type for unary `+`: `{}`",
                        v.view().type_name()
                    )));
                }
            }
        })
    }

    /// A list or tuple literal.
    #[inline(never)]
    fn list(&self, items: &'a [Node]) -> R<Val<'a>> {
        Ok({
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(self.json(item)?);
            }
            Val::Own(Value::Array(out))
        })
    }

    /// A set literal: its items without duplicates.
    #[inline(never)]
    fn set(&self, items: &'a [Node]) -> R<Val<'a>> {
        Ok({
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                let v = self.json(item)?;
                if matches!(v, Value::Array(_) | Value::Object(_)) {
                    return Err(Fail::new(
                        item.col,
                        format!("unhashable type: `{}`", V::of(&v).type_name()),
                    ));
                }
                out.push(v);
            }
            Val::Set(dedup(out))
        })
    }

    /// A dict literal.
    #[inline(never)]
    fn dict(&self, pairs: &'a [(Node, Node)]) -> R<Val<'a>> {
        Ok({
            let mut out = Map::with_capacity(pairs.len());
            for (key, value) in pairs {
                let k = match self.json(key)? {
                    Value::String(s) => s,
                    other => {
                        return Err(Fail::new(
                            key.col,
                            format!(
                                "dict keys must be strings, not `{}`",
                                V::of(&other).type_name()
                            ),
                        ));
                    }
                };
                out.insert(k, self.json(value)?);
            }
            Val::Own(Value::Object(out))
        })
    }

    /// The JSON value of an item of a new container, charged to the budget: a copy of a
    /// borrowed value, or the slot of a value built (and charged) already.
    fn json(&self, n: &'a Node) -> R<Value> {
        let value = self.eval(n)?;
        match &value {
            Val::Ref(v) => self.budget.charge_value(v),
            _ => self.budget.charge(NODE),
        }
        .and_then(|()| value.into_value())
        .map_err(|m| Fail::new(n.col, m))
    }

    fn index(&self, target: Val<'a>, index: &Val<'a>) -> Result<Val<'a>, String> {
        let iv = index.view();
        let position = |len: usize, what: &str| -> Result<usize, String> {
            let i = iv.index().ok_or_else(|| {
                format!(
                    "{what} indices must be integers or slices, not `{}`",
                    iv.type_name()
                )
            })?;
            let len = len as i128;
            let i = if i < 0 { i + len } else { i };
            if (0..len).contains(&i) {
                Ok(i as usize)
            } else {
                Err(format!("{what} index out of range"))
            }
        };
        let key_error = || format!("key {} not found", py_repr_short(iv, 200));
        match target {
            Val::Ref(Value::Array(a)) => Ok(Val::Ref(&a[position(a.len(), "list")?])),
            Val::Own(Value::Array(mut a)) => {
                let i = position(a.len(), "list")?;
                Ok(Val::Own(a.swap_remove(i)))
            }
            Val::Ref(Value::Object(m)) => match iv {
                V::Str(k) => m.get(k).map(Val::Ref).ok_or_else(key_error),
                _ => Err(key_error()),
            },
            Val::Own(Value::Object(mut m)) => match iv {
                V::Str(k) => m.swap_remove(k).map(Val::Own).ok_or_else(key_error),
                _ => Err(key_error()),
            },
            other => match other.view() {
                V::Str(s) => {
                    let i = position(s.chars().count(), "string")?;
                    Ok(Val::string(
                        s.chars().nth(i).map(String::from).unwrap_or_default(),
                    ))
                }
                t => Err(format!("`{}` object is not subscriptable", t.type_name())),
            },
        }
    }

    /// A builtin call: its arguments, then the function.
    fn call(&self, builtin: Builtin, args: &'a [Node], col: u32) -> R<Val<'a>> {
        let mut vals = Vec::with_capacity(args.len());
        for arg in args {
            vals.push(self.eval(arg)?);
        }
        apply(builtin, vals, col, &self.budget)
    }
}

impl Node {
    /// The view of a scalar or string literal.
    #[inline(always)]
    fn literal(&self) -> Option<V<'_>> {
        match &self.kind {
            Kind::Int(i) => Some(V::Int(*i)),
            Kind::Float(f) => Some(V::Float(*f)),
            Kind::Bool(b) => Some(V::Bool(*b)),
            Kind::Null => Some(V::Null),
            Kind::Str(s) => Some(V::of(s)),
            _ => None,
        }
    }
}
