//! The update rules of typed fields: how a written value combines with the stored one.
//!
//! Each function writes field `field` of the typed state `S` (stored under `key`) on
//! `state`, and names the struct and the field in its errors. Inside an action, each counts
//! as a write of `key`, checked against the action's declared writes like any other.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use super::TypedState;
use crate::error::{StateError, TypedStateError};
use crate::state::State;

fn serialize<S: TypedState, T: Serialize + ?Sized>(
    field: &'static str,
    value: &T,
) -> Result<Value, TypedStateError> {
    serde_json::to_value(value).map_err(|e| TypedStateError::Serialize {
        state: S::NAME,
        field,
        message: e.to_string(),
    })
}

fn update_error<S: TypedState>(
    field: &'static str,
    rule: &'static str,
    message: String,
) -> TypedStateError {
    TypedStateError::Update {
        state: S::NAME,
        field,
        rule,
        message,
    }
}

fn state_error<S: TypedState>(field: &'static str, source: StateError) -> TypedStateError {
    TypedStateError::State {
        state: S::NAME,
        field,
        source,
    }
}

/// The value stored under `key`, whether or not the action writing it declared it in
/// `reads`: a rule combines with the stored value, which the action itself does not see.
fn stored(state: &State, key: &str) -> Option<Value> {
    state.subset([key]).get_value(key)
}

/// Replaces the stored value with `value` (a field without a rule).
///
/// # Examples
///
/// ```
/// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule};
/// # use burr_core::{State, TypedStateError};
/// # struct S;
/// # impl TypedState for S {
/// #     const NAME: &'static str = "S";
/// #     const FIELDS: &'static [FieldInfo] = &[];
/// #     fn write_fields(&self, state: State) -> State { state }
/// #     fn from_state(_: &State) -> Result<Self, TypedStateError> { Ok(S) }
/// # }
/// let s = burr_core::typed::replace::<S, _>(&State::new().update("n", 1), "n", "n", &5)?;
/// assert_eq!(s.get::<i64>("n").unwrap(), 5);
/// # Ok::<(), TypedStateError>(())
/// ```
#[inline]
pub fn replace<S: TypedState, T: Serialize + ?Sized>(
    state: &State,
    field: &'static str,
    key: &'static str,
    value: &T,
) -> Result<State, TypedStateError> {
    // `update` serializes once (`try_update` would serialize, then copy the value).
    let next = state.update(key, value);
    match next.write_error() {
        Some(e) if state.write_error().is_none() => Err(match e {
            StateError::Serialize { message, .. } => TypedStateError::Serialize {
                state: S::NAME,
                field,
                message: message.clone(),
            },
            other => state_error::<S>(field, other.clone()),
        }),
        _ => Ok(next),
    }
}

/// `#[burr(append)]`: appends the items of `value` (which serializes to a list) to the
/// stored list, without copying it; a missing field starts empty.
///
/// # Examples
///
/// ```
/// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule};
/// # use burr_core::{State, TypedStateError};
/// # struct S;
/// # impl TypedState for S {
/// #     const NAME: &'static str = "S";
/// #     const FIELDS: &'static [FieldInfo] = &[];
/// #     fn write_fields(&self, state: State) -> State { state }
/// #     fn from_state(_: &State) -> Result<Self, TypedStateError> { Ok(S) }
/// # }
/// use burr_core::typed::append;
/// let s = append::<S, _>(&State::new().update("h", [1]), "h", "h", &vec![2, 3])?;
/// assert_eq!(s.get::<Vec<i32>>("h").unwrap(), [1, 2, 3]);
/// assert!(append::<S, _>(&s, "h", "h", &7).unwrap_err().to_string().contains("list"));
/// # Ok::<(), TypedStateError>(())
/// ```
pub fn append<S: TypedState, T: Serialize + ?Sized>(
    state: &State,
    field: &'static str,
    key: &'static str,
    value: &T,
) -> Result<State, TypedStateError> {
    match serialize::<S, T>(field, value)? {
        Value::Array(items) => state
            .extend(key, items)
            .map_err(|e| update_error::<S>(field, "append", e.to_string())),
        other => Err(update_error::<S>(
            field,
            "append",
            format!(
                "the value written is a {}, but `append` needs a list (a `Vec<T>` field)",
                crate::state::json_type_name(&other)
            ),
        )),
    }
}

/// `#[burr(add)]`: adds `value` to the stored number (integers stay integers and an
/// overflow is an error; a float on either side gives a float); a missing field is `value`.
///
/// # Examples
///
/// ```
/// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule};
/// # use burr_core::{State, TypedStateError};
/// # struct S;
/// # impl TypedState for S {
/// #     const NAME: &'static str = "S";
/// #     const FIELDS: &'static [FieldInfo] = &[];
/// #     fn write_fields(&self, state: State) -> State { state }
/// #     fn from_state(_: &State) -> Result<Self, TypedStateError> { Ok(S) }
/// # }
/// use burr_core::typed::add;
/// let s = add::<S, _>(&State::new().update("n", 2), "n", "n", &3)?;
/// assert_eq!(s.get::<i64>("n").unwrap(), 5);
/// assert!(add::<S, _>(&s, "n", "n", &i64::MAX).is_err());
/// // The sum must fit the field's type: a `u8` stops at 255.
/// assert!(add::<S, u8>(&State::new().update("n", 250), "n", "n", &10).is_err());
/// # Ok::<(), TypedStateError>(())
/// ```
pub fn add<S: TypedState, T: Serialize + serde::de::DeserializeOwned>(
    state: &State,
    field: &'static str,
    key: &'static str,
    value: &T,
) -> Result<State, TypedStateError> {
    let Value::Number(delta) = serialize::<S, T>(field, value)? else {
        return Err(update_error::<S>(
            field,
            "add",
            "the value written is not a number; `add` needs a number field".into(),
        ));
    };
    let sum = match stored(state, key) {
        None | Some(Value::Null) => delta,
        Some(Value::Number(stored)) => add_numbers(&stored, &delta)
            // The sum must fit the field's own type (a `u8` stops at 255).
            .filter(|sum| T::deserialize(&Value::Number(sum.clone())).is_ok())
            .ok_or_else(|| {
                update_error::<S>(
                    field,
                    "add",
                    format!(
                        "{stored} + {delta} does not fit the field's type `{}`",
                        std::any::type_name::<T>()
                    ),
                )
            })?,
        Some(other) => {
            return Err(update_error::<S>(
                field,
                "add",
                format!(
                    "the stored value is a {}, not a number",
                    crate::state::json_type_name(&other)
                ),
            ));
        }
    };
    replace::<S, _>(state, field, key, &sum)
}

fn add_numbers(a: &Number, b: &Number) -> Option<Number> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x.checked_add(y).map(Number::from);
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x.checked_add(y).map(Number::from);
    }
    if a.is_f64() || b.is_f64() {
        return Number::from_f64(a.as_f64()? + b.as_f64()?);
    }
    // One negative i64 and one u64 beyond i64: exact in i128.
    let x = a.as_i64().map(i128::from).or(a.as_u64().map(i128::from))?;
    let y = b.as_i64().map(i128::from).or(b.as_u64().map(i128::from))?;
    let sum = x + y;
    i64::try_from(sum)
        .map(Number::from)
        .ok()
        .or_else(|| u64::try_from(sum).ok().map(Number::from))
}

/// `#[burr(merge)]`: sets the keys of `value` (which serializes to a map) on the stored
/// map, keeping the others; a missing field is `value`.
///
/// # Examples
///
/// ```
/// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule};
/// # use burr_core::{State, TypedStateError};
/// # struct S;
/// # impl TypedState for S {
/// #     const NAME: &'static str = "S";
/// #     const FIELDS: &'static [FieldInfo] = &[];
/// #     fn write_fields(&self, state: State) -> State { state }
/// #     fn from_state(_: &State) -> Result<Self, TypedStateError> { Ok(S) }
/// # }
/// use serde_json::json;
/// let s = State::new().update("m", json!({"a": 1, "b": 1}));
/// let s = burr_core::typed::merge::<S, _>(&s, "m", "m", &json!({"b": 2, "c": 3}))?;
/// assert_eq!(s.get_value("m").unwrap(), json!({"a": 1, "b": 2, "c": 3}));
/// # Ok::<(), TypedStateError>(())
/// ```
pub fn merge<S: TypedState, T: Serialize + ?Sized>(
    state: &State,
    field: &'static str,
    key: &'static str,
    value: &T,
) -> Result<State, TypedStateError> {
    let Value::Object(new) = serialize::<S, T>(field, value)? else {
        return Err(update_error::<S>(
            field,
            "merge",
            "the value written is not a map; `merge` needs a map field (a `HashMap`, a `BTreeMap`, a struct)".into(),
        ));
    };
    let merged = match stored(state, key) {
        None | Some(Value::Null) => new,
        Some(Value::Object(mut stored)) => {
            stored.extend(new);
            stored
        }
        Some(other) => {
            return Err(update_error::<S>(
                field,
                "merge",
                format!(
                    "the stored value is a {}, not a map",
                    crate::state::json_type_name(&other)
                ),
            ));
        }
    };
    replace::<S, _>(state, field, key, &Value::Object(merged))
}

/// `#[burr(reduce = f)]`: stores `f(stored, value)`; a missing field stores `value`.
///
/// # Examples
///
/// ```
/// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule};
/// # use burr_core::{State, TypedStateError};
/// # struct S;
/// # impl TypedState for S {
/// #     const NAME: &'static str = "S";
/// #     const FIELDS: &'static [FieldInfo] = &[];
/// #     fn write_fields(&self, state: State) -> State { state }
/// #     fn from_state(_: &State) -> Result<Self, TypedStateError> { Ok(S) }
/// # }
/// fn keep_max(a: i64, b: i64) -> i64 { a.max(b) }
/// let s = burr_core::typed::reduce::<S, _>(&State::new().update("m", 7), "m", "m", 3, keep_max)?;
/// assert_eq!(s.get::<i64>("m").unwrap(), 7);
/// # Ok::<(), TypedStateError>(())
/// ```
pub fn reduce<S: TypedState, T: Serialize + DeserializeOwned>(
    state: &State,
    field: &'static str,
    key: &'static str,
    value: T,
    f: impl FnOnce(T, T) -> T,
) -> Result<State, TypedStateError> {
    let raw = state.subset([key]);
    let new = if raw.contains(key) {
        let stored: T = super::read_field(&raw, S::NAME, field, key)?;
        f(stored, value)
    } else {
        value
    };
    replace::<S, _>(state, field, key, &new)
}
