//! The limits that keep parsing and evaluating any input within a bounded stack and a
//! bounded amount of memory.

use std::cell::Cell;

use serde_json::Value;

use super::ExprErrorKind;
use super::lex::PErr;

/// The longest source, in bytes, an expression may have.
///
/// Conditions are short; the limit keeps the work and memory of parsing a hostile or
/// generated source small (the lexer and parser are linear in it, and set literals, whose
/// items an evaluation compares, hold at most a few tens of thousands of items).
/// [`Expr::parse`](super::Expr::parse) refuses a longer source with
/// [`ExprErrorKind::TooLarge`](super::ExprErrorKind::TooLarge), pointing at the character
/// that holds the first byte past the limit.
///
/// # Examples
///
/// ```
/// use burr_core::expr::{Expr, ExprErrorKind, MAX_SOURCE_BYTES};
///
/// let at_limit = format!("x{}", " ".repeat(MAX_SOURCE_BYTES - 1));
/// assert!(Expr::parse(&at_limit).is_ok());
///
/// let err = Expr::parse(&format!("{at_limit} ")).unwrap_err();
/// assert_eq!(err.kind, ExprErrorKind::TooLarge);
/// assert_eq!(err.column, MAX_SOURCE_BYTES + 1);
/// ```
pub const MAX_SOURCE_BYTES: usize = 64 << 10;

/// Refuses a source longer than [`MAX_SOURCE_BYTES`], at the character holding the first
/// byte past it.
pub(super) fn check_source(source: &str) -> Result<(), PErr> {
    if source.len() <= MAX_SOURCE_BYTES {
        return Ok(());
    }
    let mut end = MAX_SOURCE_BYTES;
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let column = source[..end].chars().count() + 1;
    Err(PErr {
        col: u32::try_from(column).unwrap_or(u32::MAX),
        message: format!(
            "the expression is longer than {} KiB (`MAX_SOURCE_BYTES`); split it into \
             smaller conditions",
            MAX_SOURCE_BYTES >> 10
        ),
        kind: ExprErrorKind::TooLarge,
    })
}

/// The deepest nesting an expression may have.
///
/// Every bracket, call, subscript, unary operator (`-`, `+`, `not`) and the right operand of
/// `**` opens a level, and so does every link of a chain the tree nests (`a + b + c` is two
/// levels, like `a.b.c` and `x[0][1]`). [`Expr::parse`](super::Expr::parse) rejects deeper
/// expressions with [`ExprErrorKind::TooDeep`](super::ExprErrorKind::TooDeep), pointing at the
/// token that passes the limit. Parsing, evaluating, cloning and dropping an expression
/// within the limit fit a thread with a 2 MiB stack, unoptimized builds included.
///
/// # Examples
///
/// ```
/// use burr_core::expr::{Expr, ExprErrorKind, MAX_DEPTH};
///
/// let at_limit = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
/// assert!(Expr::parse(&at_limit).is_ok());
///
/// let past = format!("x{}", ".a".repeat(MAX_DEPTH + 1));
/// let err = Expr::parse(&past).unwrap_err();
/// assert_eq!(err.kind, ExprErrorKind::TooDeep);
/// assert_eq!(err.column, 2 * MAX_DEPTH + 3);
/// ```
pub const MAX_DEPTH: usize = 100;

/// The message of a [`MAX_DEPTH`] error.
pub(super) fn too_deep() -> String {
    format!(
        "the expression nests deeper than {MAX_DEPTH} levels (brackets, calls, subscripts, \
         unary operators, `**`, or links of a chain of operators, attributes or subscripts); \
         split it into smaller conditions"
    )
}

/// The most memory, in bytes, that the values built by one evaluation may take.
///
/// Every list, set, dict and string an evaluation builds counts against it, as they are built:
/// items copied into a new container (a state value put in a list literal, the operands of
/// `+`, the copies `*` makes, nested structure included), the characters of new strings
/// (`+`, `*`, slices, `str()`). A value is estimated at its in-memory size (a JSON node, plus a
/// string's bytes, plus an object entry's key). An evaluation that would pass the limit fails
/// with [`ExprErrorKind::TooLarge`](super::ExprErrorKind::TooLarge) before allocating, so any
/// expression evaluates in bounded memory. 64 MiB holds, for example, 64 million string
/// characters, or about 800,000 list items.
///
/// # Examples
///
/// ```
/// use burr_core::expr::{Expr, ExprErrorKind};
/// use serde_json::json;
///
/// let ok = Expr::parse("len('ab' * 1000000)").unwrap();
/// assert_eq!(ok.eval(&json!({})).unwrap(), 2_000_000);
///
/// let huge = Expr::parse("[[0] * 10000000] * 10000000").unwrap();
/// assert_eq!(huge.eval(&json!({})).unwrap_err().kind, ExprErrorKind::TooLarge);
/// ```
pub const MAX_EVAL_BYTES: usize = 64 << 20;

/// The estimated size of one JSON node.
pub(super) const NODE: usize = std::mem::size_of::<Value>();

/// The estimated overhead of one object entry, besides its key's bytes and its value.
const ENTRY: usize = std::mem::size_of::<String>() + std::mem::size_of::<u64>();

/// What is left of [`MAX_EVAL_BYTES`] during one evaluation.
pub(super) struct Budget {
    left: Cell<usize>,
    exceeded: Cell<bool>,
}

impl Budget {
    pub(super) fn new() -> Budget {
        Budget {
            left: Cell::new(MAX_EVAL_BYTES),
            exceeded: Cell::new(false),
        }
    }

    /// Whether a charge failed: the evaluation's error is then a
    /// [`TooLarge`](super::ExprErrorKind::TooLarge) one.
    pub(super) fn exceeded(&self) -> bool {
        self.exceeded.get()
    }

    /// What is left, in bytes.
    pub(super) fn left(&self) -> usize {
        self.left.get()
    }

    /// Takes `bytes`, or fails (for good) if fewer are left.
    pub(super) fn charge(&self, bytes: usize) -> Result<(), String> {
        match self.left.get().checked_sub(bytes) {
            Some(left) if !self.exceeded.get() => {
                self.left.set(left);
                Ok(())
            }
            _ => {
                self.exceeded.set(true);
                self.left.set(0);
                Err(format!(
                    "the values this evaluation builds would take more than {} MiB \
                     (`MAX_EVAL_BYTES`)",
                    MAX_EVAL_BYTES >> 20
                ))
            }
        }
    }

    /// Takes the size of `copies` copies of `items`, nested structure included. Measuring
    /// stops as soon as the total is too large, so it never takes longer than what is left.
    pub(super) fn charge_copies(&self, copies: usize, items: &[Value]) -> Result<(), String> {
        if copies == 0 {
            return Ok(());
        }
        let cap = self.left.get() / copies;
        match size_within(items, cap) {
            Some(size) => self.charge(size * copies),
            None => self.charge(usize::MAX),
        }
    }

    /// Takes the size of a copy of `value`.
    pub(super) fn charge_value(&self, value: &Value) -> Result<(), String> {
        self.charge_copies(1, std::slice::from_ref(value))
    }
}

/// The estimated size of `values`, or `None` if it is more than `cap`; walks them with an
/// explicit stack, so deep values cannot overflow the thread's.
fn size_within(values: &[Value], cap: usize) -> Option<usize> {
    let mut total = 0usize;
    let mut stack: Vec<&Value> = values.iter().collect();
    while let Some(v) = stack.pop() {
        total += NODE;
        match v {
            Value::String(s) => total += s.len(),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (k, item) in map {
                    total += ENTRY + k.len();
                    stack.push(item);
                }
            }
            _ => {}
        }
        if total > cap {
            return None;
        }
    }
    Some(total)
}
