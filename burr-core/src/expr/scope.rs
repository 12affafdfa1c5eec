//! Scopes: where an expression looks up its free names.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Where an expression looks up its free names.
///
/// # Examples
///
/// ```
/// use std::borrow::Cow;
/// use burr_core::expr::{Expr, Scope};
/// use serde_json::Value;
///
/// /// Every name is bound to its own length.
/// struct Lengths;
///
/// impl Scope for Lengths {
///     fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
///         Some(Cow::Owned(Value::from(name.len())))
///     }
/// }
///
/// assert!(Expr::parse("abc == 3").unwrap().eval_bool(&Lengths).unwrap());
/// ```
pub trait Scope {
    /// The value bound to `name`, if any.
    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>>;
}

impl Scope for crate::State {
    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.value_cow(name)
    }
}

/// A JSON map binds its keys.
///
/// ```
/// use burr_core::expr::Expr;
/// let scope = serde_json::json!({"x": 2}).as_object().unwrap().clone();
/// assert!(Expr::parse("x * 2 == 4").unwrap().eval_bool(&scope).unwrap());
/// ```
impl Scope for Map<String, Value> {
    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.get(name).map(Cow::Borrowed)
    }
}

/// A JSON object binds its keys; any other JSON value binds nothing.
///
/// ```
/// use burr_core::expr::Expr;
/// let scope = serde_json::json!({"x": [1, 2, 3]});
/// assert_eq!(Expr::parse("x[-1]").unwrap().eval(&scope).unwrap(), 3);
/// ```
impl Scope for Value {
    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.as_object()?.get(name).map(Cow::Borrowed)
    }
}
