//! The limits that keep parsing and evaluating any input within a bounded stack.

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
