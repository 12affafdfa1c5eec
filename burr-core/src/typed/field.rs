//! [`Field`]: one field of a typed state, looked up by its name at compile time
//! ([`index_of`]), and the helpers that read a field from the map state.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{TypedState, UpdateRule};
use crate::error::{StateError, TypedStateError};
use crate::state::State;

/// The field at index `I` of a typed state (in declaration order): its type, key and update
/// rule. Written by `#[derive(TypedState)]`, one impl per field; a typed action finds the
/// index of a field it names with [`index_of`], at compile time.
///
/// # Examples
///
/// ```
/// use burr_core::typed::{Field, FieldInfo, TypedState, UpdateRule, index_of, read_field, replace};
/// use burr_core::{State, TypedStateError};
///
/// struct Counter { n: i64 }
/// impl TypedState for Counter {
///     const NAME: &'static str = "Counter";
///     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("n", "n", UpdateRule::Replace)];
///     fn write_fields(&self, state: State) -> State { state.update("n", &self.n) }
///     fn from_state(state: &State) -> Result<Self, TypedStateError> {
///         Ok(Counter { n: read_field(state, Self::NAME, "n", "n")? })
///     }
/// }
/// impl Field<0> for Counter {
///     type Type = i64;
///     const FIELD: &'static str = "n";
///     const KEY: &'static str = "n";
///     const RULE: UpdateRule = UpdateRule::Replace;
///     fn write(state: &State, value: i64) -> Result<State, TypedStateError> {
///         replace::<Self, _>(state, Self::FIELD, Self::KEY, &value)
///     }
/// }
///
/// let s = State::new().update("n", 1);
/// let n = <Counter as Field<{ index_of::<Counter>("n") }>>::read(&s)?;
/// let s = <Counter as Field<0>>::write(&s, n + 1)?;
/// assert_eq!(s.get::<i64>("n").unwrap(), 2);
/// # Ok::<(), TypedStateError>(())
/// ```
pub trait Field<const I: usize>: TypedState {
    /// The field's type.
    type Type: Serialize + DeserializeOwned + Send + 'static;
    /// The field's name in the struct.
    const FIELD: &'static str;
    /// The state key it is stored under.
    const KEY: &'static str;
    /// Its update rule.
    const RULE: UpdateRule;

    /// Reads the field from `state` (a missing `Option` field is `None`).
    fn read(state: &State) -> Result<Self::Type, TypedStateError> {
        read_field(state, <Self as TypedState>::NAME, Self::FIELD, Self::KEY)
    }

    /// Writes `value` to the field of `state` by the field's update rule.
    fn write(state: &State, value: Self::Type) -> Result<State, TypedStateError>;
}

/// The index of the field named `name` in `S`'s [`FIELDS`](TypedState::FIELDS). Evaluated
/// at compile time by typed actions: a name `S` does not have stops the build with `S`'s
/// [`UNKNOWN_FIELD`](TypedState::UNKNOWN_FIELD) message, at the name.
///
/// # Examples
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
/// const COUNT: usize = burr_core::typed::index_of::<Counter>("count");
/// assert_eq!(COUNT, 0);
/// ```
pub const fn index_of<S: TypedState>(name: &str) -> usize {
    let fields = S::FIELDS;
    let mut i = 0;
    while i < fields.len() {
        if str_eq(fields[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("{}", S::UNKNOWN_FIELD)
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Reads field `field` of the struct `state_name`, stored under `key`, as a `T`. A missing key
/// is `None` for an `Option` (anything that deserializes from `null`), else
/// [`TypedStateError::MissingField`]; a value of another type is
/// [`TypedStateError::WrongType`].
///
/// # Examples
///
/// ```
/// use burr_core::State;
/// use burr_core::typed::read_field;
/// let s = State::new().update("n", 2);
/// assert_eq!(read_field::<i64>(&s, "S", "n", "n").unwrap(), 2);
/// assert_eq!(read_field::<Option<String>>(&s, "S", "m", "m").unwrap(), None);
/// assert!(read_field::<String>(&s, "S", "n", "n").unwrap_err().to_string().contains("`n`"));
/// ```
#[inline]
pub fn read_field<T: DeserializeOwned>(
    state: &State,
    state_name: &'static str,
    field: &'static str,
    key: &'static str,
) -> Result<T, TypedStateError> {
    match state.get::<T>(key) {
        Ok(v) => Ok(v),
        Err(e) => missing_or(e, state, state_name, field, key, || {
            T::deserialize(Value::Null).ok()
        }),
    }
}

/// Like [`read_field`], but a missing key gives `default()` (a field with
/// `#[serde(default)]`).
///
/// # Examples
///
/// ```
/// use burr_core::State;
/// let n: u32 = burr_core::typed::read_field_or(&State::new(), "S", "n", "n", u32::default).unwrap();
/// assert_eq!(n, 0);
/// ```
pub fn read_field_or<T: DeserializeOwned>(
    state: &State,
    state_name: &'static str,
    field: &'static str,
    key: &'static str,
    default: fn() -> T,
) -> Result<T, TypedStateError> {
    match state.get::<T>(key) {
        Ok(v) => Ok(v),
        Err(e) => missing_or(e, state, state_name, field, key, || Some(default())),
    }
}

#[cold]
fn missing_or<T>(
    e: StateError,
    state: &State,
    state_name: &'static str,
    field: &'static str,
    key: &'static str,
    fallback: impl FnOnce() -> Option<T>,
) -> Result<T, TypedStateError> {
    match e {
        StateError::MissingKey { .. } if !state.contains(key) => {
            fallback().ok_or(TypedStateError::MissingField {
                state: state_name,
                field,
                key,
            })
        }
        StateError::WrongType {
            expected,
            found,
            message,
            ..
        } => Err(TypedStateError::WrongType {
            state: state_name,
            field,
            key,
            expected,
            found,
            message,
        }),
        source => Err(TypedStateError::State {
            state: state_name,
            field,
            source,
        }),
    }
}
