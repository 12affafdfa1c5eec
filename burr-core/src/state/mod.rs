//! [`State`]: the immutable map of keys to JSON values that flows between actions.
//!
//! Every operation returns a new `State`; the original is never changed. Cloning is O(1) and
//! updating one key is O(log n): the map is a persistent hash map whose values are shared
//! behind `Arc`s. Lists that grow with [`State::append`] / [`State::extend`] are kept as
//! persistent vectors, so appending never copies the list, even when older states that share
//! it are still alive.
//!
//! Two keys belong to the runtime and are stored beside the user's keys:
//! `__SEQUENCE_ID` (the sequence id of the last step) and `__PRIOR_STEP` (the name of the
//! last completed action). They appear in [`State::keys`], in the JSON form and in
//! [`State::get_value`], exactly as in Apache Burr.

mod as_value;
mod field;
mod key;
mod macros;
mod serde_impls;
mod update;
mod view;

use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeOwned, IntoDeserializer};
use serde_json::{Map, Value};

use crate::error::StateError;

use field::{Field, FieldMap, Key};

pub(crate) use field::json_type_name;
pub(crate) use view::ViewInfo;

/// Name of the runtime key holding the sequence id of the last step.
pub const SEQUENCE_ID_KEY: &str = "__SEQUENCE_ID";
/// Name of the runtime key holding the name of the last completed action.
pub const PRIOR_STEP_KEY: &str = "__PRIOR_STEP";

/// The immutable state of an application.
///
/// # Examples
///
/// ```
/// use burr_core::State;
///
/// let s = State::new().update("count", 1).append("history", "hello");
/// let s2 = s.increment("count", 2).unwrap();
/// assert_eq!(s.get::<i64>("count").unwrap(), 1); // unchanged
/// assert_eq!(s2.get::<i64>("count").unwrap(), 3);
/// assert_eq!(s2.get::<Vec<String>>("history").unwrap(), vec!["hello"]);
/// assert_eq!(s2.keys(), vec!["count", "history"]);
/// ```
///
/// A state is seven words: small enough that a step's output (its result and its state)
/// moves without a call to `memcpy`.
#[derive(Clone, Default)]
pub struct State {
    map: FieldMap,
    sequence_id: Option<u64>,
    prior_step: Option<StepName>,
    /// Set while an action runs: the keys it may see.
    view: Option<Arc<ViewInfo>>,
    /// Declared writes (by index in the view's `writes`) the action wrote while in view mode.
    written_mask: u64,
    /// What a state rarely holds, behind one pointer (none in the common case).
    rare: Option<Arc<Rare>>,
}

/// The parts of a state that are rarely there.
#[derive(Clone, Default)]
struct Rare {
    /// Other keys the action wrote in view mode (undeclared ones, or declared writes past
    /// the 64th).
    written_extra: Vec<Arc<str>>,
    /// The first write that could not be made (a value that failed to serialize).
    write_error: Option<Arc<StateError>>,
}

/// The name of an action as a state keeps it in `__PRIOR_STEP`: one pointer, shared by every
/// state that names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StepName(Arc<String>);

impl StepName {
    /// The name `name`.
    pub(crate) fn new(name: &str) -> Self {
        StepName(Arc::new(name.to_string()))
    }

    /// The name.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl State {
    /// An empty state.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::State::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a state from a JSON object. `__SEQUENCE_ID` and `__PRIOR_STEP` set the runtime
    /// keys; a value of another type than theirs (a non-negative integer, a string; `null`
    /// for none) is a [`StateError::RuntimeKey`].
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::State;
    /// let s = State::from_json(serde_json::json!({"a": 1, "__SEQUENCE_ID": 4})).unwrap();
    /// assert_eq!(s.sequence_id(), Some(4));
    /// assert!(State::from_json(serde_json::json!([1, 2])).is_err());
    /// ```
    pub fn from_json(value: Value) -> Result<Self, StateError> {
        match value {
            Value::Object(map) => {
                let state = Self::from_map(map);
                match state.write_error() {
                    Some(e) => Err(e.clone()),
                    None => Ok(state),
                }
            }
            other => Err(StateError::NotAnObject {
                found: json_type_name(&other),
            }),
        }
    }

    /// Builds a state from a JSON map, keeping the map's order. A runtime key of the wrong
    /// type is left out and remembered as the state's [`write_error`](State::write_error).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut m = serde_json::Map::new();
    /// m.insert("b".into(), 1.into());
    /// m.insert("a".into(), 2.into());
    /// assert_eq!(burr_core::State::from_map(m).keys(), vec!["b", "a"]);
    /// ```
    pub fn from_map(map: Map<String, Value>) -> Self {
        map.into_iter()
            .fold(State::new(), |s, (k, v)| s.update(&k, v))
    }

    /// The state as a JSON object, user keys in insertion order, then the runtime keys.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1).with_sequence_id(3);
    /// assert_eq!(s.to_json(), serde_json::json!({"a": 1, "__SEQUENCE_ID": 3}));
    /// ```
    pub fn to_json(&self) -> Value {
        Value::Object(self.to_map())
    }

    /// The state as a JSON map (see [`State::to_json`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1);
    /// assert_eq!(s.to_map()["a"], 1);
    /// ```
    pub fn to_map(&self) -> Map<String, Value> {
        let mut out = Map::with_capacity(self.len());
        for (k, f) in self.ordered() {
            out.insert(k.to_string(), f.to_value());
        }
        if let Some(seq) = self.sequence_id.filter(|_| self.visible(SEQUENCE_ID_KEY)) {
            out.insert(SEQUENCE_ID_KEY.into(), seq.into());
        }
        if let Some(p) = self
            .prior_step
            .as_ref()
            .filter(|_| self.visible(PRIOR_STEP_KEY))
        {
            out.insert(PRIOR_STEP_KEY.into(), Value::String(p.as_str().to_string()));
        }
        out
    }

    /// The visible user keys and their values, in insertion order (sorted only when the
    /// storage does not keep that order).
    fn ordered(&self) -> impl Iterator<Item = (&Key, &Field)> {
        let sorted = (!self.map.iterates_in_order()).then(|| {
            let mut entries: Vec<_> = self.map.iter().collect();
            entries.sort_unstable_by_key(|(_, e)| e.order);
            entries
        });
        let (in_order, sorted) = match sorted {
            None => (Some(self.map.iter()), None),
            Some(entries) => (None, Some(entries.into_iter())),
        };
        in_order
            .into_iter()
            .flatten()
            .chain(sorted.into_iter().flatten())
            .filter(|(k, _)| self.visible(k))
            .map(|(k, e)| (k, &e.field))
    }

    /// Number of keys, runtime keys included.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::State::new().update("a", 1).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        if self.view.is_some() {
            return self.keys().len();
        }
        self.map.len()
            + usize::from(self.sequence_id.is_some())
            + usize::from(self.prior_step.is_some())
    }

    /// Whether the state has no key at all.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::State::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All keys in insertion order, runtime keys (`__SEQUENCE_ID`, `__PRIOR_STEP`) last.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("z", 1).update("a", 2);
    /// assert_eq!(s.keys(), vec!["z", "a"]);
    /// ```
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.ordered().map(|(k, _)| k.to_string()).collect();
        if self.sequence_id.is_some() && self.visible(SEQUENCE_ID_KEY) {
            keys.push(SEQUENCE_ID_KEY.into());
        }
        if self.prior_step.is_some() && self.visible(PRIOR_STEP_KEY) {
            keys.push(PRIOR_STEP_KEY.into());
        }
        keys
    }

    /// The user keys (those not starting with `__`) in insertion order.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1).with_sequence_id(0);
    /// assert_eq!(s.user_keys(), vec!["a"]);
    /// ```
    pub fn user_keys(&self) -> Vec<String> {
        self.ordered()
            .filter(|(k, _)| !k.starts_with("__"))
            .map(|(k, _)| k.to_string())
            .collect()
    }

    /// Whether `key` is present (runtime keys included).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1);
    /// assert!(s.contains("a") && !s.contains("b"));
    /// ```
    pub fn contains(&self, key: &str) -> bool {
        if !self.visible(key) {
            return false;
        }
        match key {
            SEQUENCE_ID_KEY => self.sequence_id.is_some(),
            PRIOR_STEP_KEY => self.prior_step.is_some(),
            _ => self.map.contains_key(key),
        }
    }

    /// Reads `key` as a `T`. A missing key is an error listing the keys the state has (and,
    /// inside an action, the action's declared reads); a value of another type is an error
    /// naming the key and the expected type.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("count", 3);
    /// assert_eq!(s.get::<u32>("count").unwrap(), 3);
    /// let err = s.get::<String>("count").unwrap_err();
    /// assert!(err.to_string().contains("`count`"));
    /// assert!(s.get::<u32>("missing").is_err());
    /// ```
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<T, StateError> {
        if !self.visible(key) {
            return Err(self.missing(key));
        }
        let result = match key {
            SEQUENCE_ID_KEY | PRIOR_STEP_KEY => {
                let v = self.get_value(key).ok_or_else(|| self.missing(key))?;
                T::deserialize(v)
            }
            _ => match self.map.get(key).map(|e| &e.field) {
                None => return Err(self.missing(key)),
                Some(Field::List(l)) => {
                    let seq = serde::de::value::SeqDeserializer::<_, serde_json::Error>::new(
                        l.iter().map(|v| ValueRef(v)),
                    );
                    T::deserialize(as_value::AsValue(seq))
                }
                Some(Field::Number(n)) => T::deserialize(as_value::AsValue(n)),
                Some(field) => T::deserialize(&*field.as_cow()),
            },
        };
        result.map_err(|e| StateError::WrongType {
            key: key.to_string(),
            expected: std::any::type_name::<T>().to_string(),
            found: self.type_of(key).unwrap_or("missing"),
            message: e.to_string(),
        })
    }

    /// Reads `key` as a `T`, or `None` when it is absent. A present value of another type is
    /// still an error.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("n", 1);
    /// assert_eq!(s.get_opt::<i32>("n").unwrap(), Some(1));
    /// assert_eq!(s.get_opt::<i32>("m").unwrap(), None);
    /// ```
    pub fn get_opt<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StateError> {
        if self.contains(key) {
            self.get(key).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads `key` as a `T`, or `default` when it is absent.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new();
    /// assert_eq!(s.get_or("n", 7).unwrap(), 7);
    /// ```
    pub fn get_or<T: DeserializeOwned>(&self, key: &str, default: T) -> Result<T, StateError> {
        Ok(self.get_opt(key)?.unwrap_or(default))
    }

    /// The JSON value of `key` (a copy), or `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", "x");
    /// assert_eq!(s.get_value("a"), Some(serde_json::json!("x")));
    /// ```
    pub fn get_value(&self, key: &str) -> Option<Value> {
        if !self.visible(key) {
            return None;
        }
        match key {
            SEQUENCE_ID_KEY => self.sequence_id.map(Value::from),
            PRIOR_STEP_KEY => self
                .prior_step
                .as_ref()
                .map(|p| Value::String(p.as_str().to_string())),
            _ => self.map.get(key).map(|e| e.field.to_value()),
        }
    }

    /// The value of `key`, borrowed when stored as a plain value (lists are materialized).
    /// Used by conditions and expressions to avoid copies.
    pub(crate) fn value_cow(&self, key: &str) -> Option<std::borrow::Cow<'_, Value>> {
        use std::borrow::Cow;
        if !self.visible(key) {
            return None;
        }
        match key {
            SEQUENCE_ID_KEY | PRIOR_STEP_KEY => self.get_value(key).map(Cow::Owned),
            _ => Some(self.map.get(key)?.field.as_cow()),
        }
    }

    /// The number stored under the user key `key`, if it holds one (and is visible).
    #[inline]
    pub(crate) fn number(&self, key: &str) -> Option<&serde_json::Number> {
        if self.view.is_some() && !self.visible(key) {
            return None;
        }
        match &self.map.get(key)?.field {
            Field::Number(n) => Some(n),
            _ => None,
        }
    }

    fn type_of(&self, key: &str) -> Option<&'static str> {
        match key {
            SEQUENCE_ID_KEY => self.sequence_id.map(|_| "integer"),
            PRIOR_STEP_KEY => self.prior_step.as_ref().map(|_| "string"),
            _ => self.map.get(key).map(|e| e.field.type_name()),
        }
    }

    fn missing(&self, key: &str) -> StateError {
        match &self.view {
            Some(view) if !view.reads.iter().any(|r| r == key) => StateError::UndeclaredRead {
                action: view.action.to_string(),
                key: key.to_string(),
                reads: view.reads.to_vec(),
            },
            _ => StateError::MissingKey {
                key: key.to_string(),
                known: self.user_keys(),
            },
        }
    }

    /// The sequence id of the last step (`__SEQUENCE_ID`), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::State::new().with_sequence_id(2).sequence_id(), Some(2));
    /// ```
    pub fn sequence_id(&self) -> Option<u64> {
        self.sequence_id
    }

    /// The name of the last completed action (`__PRIOR_STEP`), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::State::new().with_prior_step("a").prior_step(), Some("a"));
    /// ```
    pub fn prior_step(&self) -> Option<&str> {
        self.prior_step.as_ref().map(StepName::as_str)
    }

    /// A copy with `__SEQUENCE_ID` set.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().with_sequence_id(7);
    /// assert_eq!(s.get::<u64>("__SEQUENCE_ID").unwrap(), 7);
    /// ```
    #[must_use]
    pub fn with_sequence_id(&self, id: u64) -> State {
        let mut next = self.clone();
        next.sequence_id = Some(id);
        next
    }

    /// A copy with `__PRIOR_STEP` set (or removed with `None` via [`State::without_prior_step`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().with_prior_step("count");
    /// assert_eq!(s.get::<String>("__PRIOR_STEP").unwrap(), "count");
    /// ```
    #[must_use]
    pub fn with_prior_step(&self, action: &str) -> State {
        let mut next = self.clone();
        next.prior_step = Some(StepName::new(action));
        next
    }

    /// A copy without `__PRIOR_STEP`, so the application restarts at its entrypoint.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().with_prior_step("a").without_prior_step();
    /// assert_eq!(s.prior_step(), None);
    /// ```
    #[must_use]
    pub fn without_prior_step(&self) -> State {
        let mut next = self.clone();
        next.prior_step = None;
        next
    }

    pub(crate) fn set_sequence_id(&mut self, id: u64) {
        self.sequence_id = Some(id);
    }

    pub(crate) fn set_prior_step_name(&mut self, action: StepName) {
        self.prior_step = Some(action);
    }
}

struct ValueRef<'a>(&'a Value);

impl<'a> IntoDeserializer<'a, serde_json::Error> for ValueRef<'a> {
    type Deserializer = &'a Value;
    fn into_deserializer(self) -> &'a Value {
        self.0
    }
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self.sequence_id == other.sequence_id
            && self.prior_step == other.prior_step
            && self.map.iter().all(|(k, e)| match other.map.get(k) {
                Some(o) => e.field.same_as(&o.field) || e.field.to_value() == o.field.to_value(),
                None => false,
            })
    }
}

impl PartialEq<Value> for State {
    fn eq(&self, other: &Value) -> bool {
        &self.to_json() == other
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.to_map() {
            m.entry(&k, &v);
        }
        m.finish()
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl From<Map<String, Value>> for State {
    fn from(map: Map<String, Value>) -> Self {
        State::from_map(map)
    }
}

impl<K: AsRef<str>, V: Into<Value>> FromIterator<(K, V)> for State {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        State::new().update_many(iter)
    }
}

#[cfg(test)]
mod tests;
