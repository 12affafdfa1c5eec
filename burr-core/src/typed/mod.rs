//! Typed state: a struct declared once as the application's state, converted to and from
//! the map [`State`] that flows between actions.
//!
//! A struct implements [`TypedState`] (in practice with `#[derive(TypedState)]` from the
//! `burr` crate); its map form is the JSON object serde would write for it: one key per
//! field, holding the field's JSON value. Nothing else changes underneath: the engine, the
//! hooks, the tracker and the persisters see the same map as for an untyped application with
//! the same values, so every tool that reads Apache Burr's files reads these.
//!
//! - [`State::to_typed`] and [`State::from_typed`] convert; a field that does not
//!   deserialize is a [`TypedStateError`] naming the struct and the field.
//! - [`ApplicationBuilder::with_typed_state`](crate::ApplicationBuilder::with_typed_state)
//!   starts an application from a value; [`Application::typed_state`](crate::Application::typed_state),
//!   [`Outcome::typed_state`](crate::Outcome::typed_state) and
//!   [`PersistedState::typed_state`](crate::PersistedState::typed_state) give it back.
//! - [`Condition::typed`](crate::Condition::typed) is a transition condition over `&S`.
//! - Each field has an [`UpdateRule`]: how a value an action writes combines with the stored
//!   one (replace, append to a list, add to a number, merge a map, or a user function).
//!
//! Typed actions (`#[action(state = S, reads = [..], writes = [..])]`) are checked against
//! the struct at compile time; the [`Field`] trait and [`index_of`] are the bridge between
//! the two macros.
//!
//! # Examples
//!
//! A hand-written implementation (the derive writes the same):
//!
//! ```
//! use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
//! use burr_core::{State, TypedStateError};
//!
//! #[derive(Debug, PartialEq)]
//! struct Counter { count: i64 }
//!
//! impl TypedState for Counter {
//!     const NAME: &'static str = "Counter";
//!     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
//!     fn write_fields(&self, state: State) -> State {
//!         state.update("count", &self.count)
//!     }
//!     fn from_state(state: &State) -> Result<Self, TypedStateError> {
//!         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
//!     }
//! }
//!
//! let state = State::from_typed(&Counter { count: 3 })?;
//! assert_eq!(state.to_json(), serde_json::json!({"count": 3}));
//! assert_eq!(state.to_typed::<Counter>()?, Counter { count: 3 });
//! let err = State::new().update("count", "three").to_typed::<Counter>().unwrap_err();
//! assert_eq!(err.field(), "count");
//! # Ok::<(), TypedStateError>(())
//! ```

mod condition;
mod convert;
mod field;
mod output;
mod rules;

pub use field::{Field, index_of, read_field, read_field_or};
pub use output::{TypedOutput, Writes, apply_writes};
pub use rules::{add, append, merge, reduce, replace};

use crate::error::TypedStateError;
use crate::state::State;

/// A struct that is an application's state: its fields and its conversions to and from the
/// map [`State`]. Derive it with `#[derive(TypedState)]`.
///
/// # Examples
///
/// See [the module](self).
///
/// ```
/// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
/// # use burr_core::{State, TypedStateError};
/// # struct Counter { count: i64 }
/// # impl TypedState for Counter {
/// #     const NAME: &'static str = "Counter";
/// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("count", "count", UpdateRule::Replace)];
/// #     fn write_fields(&self, state: State) -> State { state.update("count", &self.count) }
/// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
/// #         Ok(Counter { count: read_field(state, Self::NAME, "count", "count")? })
/// #     }
/// # }
/// assert_eq!(Counter::FIELDS[0].key, "count");
/// assert_eq!(Counter { count: 1 }.to_state()?.get::<i64>("count")?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a typed state",
    label = "`{Self}` does not implement `TypedState`",
    note = "derive it: `#[derive(serde::Serialize, serde::Deserialize, burr::TypedState)]` on the struct"
)]
pub trait TypedState: Sized + 'static {
    /// The struct's name, as error messages show it.
    const NAME: &'static str;

    /// The fields, in declaration order.
    const FIELDS: &'static [FieldInfo];

    /// The compile error of a typed action that names a field `Self` does not have (the
    /// derive lists the fields in it).
    const UNKNOWN_FIELD: &'static str = "not a field of this typed state";

    /// `state` with every field of `self` written (replaced) under its key. A field that
    /// fails to serialize is remembered as the state's
    /// [`write_error`](State::write_error), as [`State::update`] does.
    fn write_fields(&self, state: State) -> State;

    /// Reads every field from `state`; the first field that is missing (and has no default)
    /// or does not deserialize is the error.
    fn from_state(state: &State) -> Result<Self, TypedStateError>;

    /// The map form of `self`: a state holding one key per field. A field that fails to
    /// serialize is a [`TypedStateError::Serialize`] naming it.
    fn to_state(&self) -> Result<State, TypedStateError> {
        let state = self.write_fields(State::new());
        match state.write_error() {
            None => Ok(state),
            Some(e) => Err(serialize_error::<Self>(e)),
        }
    }
}

/// The [`TypedStateError`] of a failed write recorded by a state.
fn serialize_error<S: TypedState>(e: &crate::error::StateError) -> TypedStateError {
    use crate::error::StateError;
    match e {
        StateError::Serialize { key, message } => TypedStateError::Serialize {
            state: S::NAME,
            field: field_of::<S>(key),
            message: message.clone(),
        },
        other => TypedStateError::State {
            state: S::NAME,
            field: "",
            source: other.clone(),
        },
    }
}

/// The name of the field stored under `key` (empty when no field has it).
fn field_of<S: TypedState>(key: &str) -> &'static str {
    S::FIELDS
        .iter()
        .find(|f| f.key == key)
        .map_or("", |f| f.name)
}

/// One field of a typed state.
///
/// # Examples
///
/// ```
/// use burr_core::typed::{FieldInfo, UpdateRule};
/// let f = FieldInfo::new("history", "history", UpdateRule::Append);
/// assert_eq!((f.name, f.key, f.rule), ("history", "history", UpdateRule::Append));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldInfo {
    /// The field's name in the struct.
    pub name: &'static str,
    /// The state key it is stored under (its serde name).
    pub key: &'static str,
    /// How a written value combines with the stored one.
    pub rule: UpdateRule,
}

impl FieldInfo {
    /// A field named `name`, stored under `key`, updated by `rule`.
    ///
    /// # Examples
    ///
    /// ```
    /// let f = burr_core::typed::FieldInfo::new("n", "n", burr_core::typed::UpdateRule::Add);
    /// assert_eq!(f.key, "n");
    /// ```
    pub const fn new(name: &'static str, key: &'static str, rule: UpdateRule) -> Self {
        FieldInfo { name, key, rule }
    }
}

/// How a value an action writes to a field combines with the value stored (LangGraph's
/// reducers), declared on the field with `#[burr(...)]`.
///
/// # Examples
///
/// ```
/// use burr_core::typed::UpdateRule;
/// assert_eq!(UpdateRule::default(), UpdateRule::Replace);
/// assert_eq!(UpdateRule::Append.as_str(), "append");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UpdateRule {
    /// The written value replaces the stored one (no attribute).
    #[default]
    Replace,
    /// `#[burr(append)]`: the written list is appended to the stored list.
    Append,
    /// `#[burr(add)]`: the written number is added to the stored number.
    Add,
    /// `#[burr(merge)]`: the written map's keys are set on the stored map.
    Merge,
    /// `#[burr(reduce = path::to::fn)]`: `fn(stored, written) -> new`.
    Reduce,
}

impl UpdateRule {
    /// The rule's name, as in `#[burr(...)]`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::typed::UpdateRule::Merge.as_str(), "merge");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            UpdateRule::Replace => "replace",
            UpdateRule::Append => "append",
            UpdateRule::Add => "add",
            UpdateRule::Merge => "merge",
            UpdateRule::Reduce => "reduce",
        }
    }
}
