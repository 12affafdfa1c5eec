//! A small, safe expression language for transition conditions (placeholder: being written).

use std::borrow::Cow;

use serde_json::Value;

/// Where an expression looks up its free names.
pub trait Scope {
    /// The value bound to `name`, if any.
    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>>;
}

impl Scope for crate::State {
    fn lookup(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.value_cow(name)
    }
}

/// An error parsing or evaluating an expression.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid expression {source_text:?} at column {column}: {message}")]
pub struct ExprError {
    /// The expression text.
    pub source_text: String,
    /// 1-based column of the offending token (0 for evaluation errors with no position).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed expression.
#[derive(Debug, Clone)]
pub struct Expr {
    source: String,
}

impl Expr {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Expr, ExprError> {
        Ok(Expr { source: source.to_string() })
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The free names it reads, builtins excluded, in order of first appearance.
    pub fn keys(&self) -> &[String] {
        &[]
    }

    /// Evaluates to a JSON value.
    pub fn eval(&self, _scope: &dyn Scope) -> Result<Value, ExprError> {
        Err(ExprError { source_text: self.source.clone(), column: 0, message: "not implemented".into() })
    }

    /// Evaluates and takes Python truthiness.
    pub fn eval_bool(&self, scope: &dyn Scope) -> Result<bool, ExprError> {
        self.eval(scope).map(|v| truthy(&v))
    }
}

/// Python truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}
