//! Updates: the operations that derive a new state by writing, appending, deleting or
//! selecting keys.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::field::{Field, Key, List};
use super::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State, StepName};
use crate::error::StateError;

impl State {
    fn put(&self, key: &str, field: Field) -> State {
        let runtime = matches!(key, SEQUENCE_ID_KEY | PRIOR_STEP_KEY);
        // A user key is written while the entries are copied (rather than shared, then
        // copied, then looked up again).
        let (map, field) = match runtime {
            true => (self.map.clone(), Some(field)),
            false => match self.map.copy_writing(key, field) {
                Ok(map) => (map, None),
                Err(field) => (self.map.copy_for_write(), Some(field)),
            },
        };
        let mut next = State {
            map,
            sequence_id: self.sequence_id,
            prior_step: self.prior_step.clone(),
            view: self.view.clone(),
            written_mask: self.written_mask,
            rare: self.rare.clone(),
        };
        match field {
            Some(field) => next.put_mut(key, field),
            None => next.record_write(key),
        }
        next
    }

    fn put_mut(&mut self, key: &str, field: Field) {
        self.record_write(key);
        match key {
            SEQUENCE_ID_KEY => {
                match &field {
                    Field::Number(n) if n.as_u64().is_some() => self.sequence_id = n.as_u64(),
                    Field::Null => self.sequence_id = None,
                    other => self.fail_write(runtime_key_error(key, other)),
                }
                return;
            }
            PRIOR_STEP_KEY => {
                match &field {
                    Field::Value(v) if v.is_string() => {
                        self.prior_step = v.as_str().map(StepName::new);
                    }
                    Field::Null => self.prior_step = None,
                    other => self.fail_write(runtime_key_error(key, other)),
                }
                return;
            }
            _ => {}
        }
        if let Some(entry) = self.map.get_mut(key) {
            entry.field = field;
        } else {
            self.map.insert_new(Arc::from(key), field);
        }
    }

    /// Sets `key` to `value` (insert or overwrite): any `Serialize` value, stored as JSON.
    ///
    /// `__SEQUENCE_ID` takes a non-negative integer and `__PRIOR_STEP` a string (`null`
    /// removes either); another value is a [`StateError::RuntimeKey`], remembered as below.
    ///
    /// A value that fails to serialize (a map with non-string keys, a failing `Serialize`
    /// impl) leaves `key` unchanged and is remembered as the state's
    /// [`write_error`](State::write_error): a step whose action returns this state fails
    /// with that [`StateError::Serialize`], and a builder refuses it as initial state. Use
    /// [`State::try_update`] to get the error at once.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Msg { role: &'static str }
    /// let s = burr_core::State::new().update("a", 1).update("a", 2).update("m", Msg { role: "user" });
    /// assert_eq!(s.get::<i32>("a").unwrap(), 2);
    /// assert_eq!(s.get_value("m").unwrap()["role"], "user");
    /// assert!(s.write_error().is_none());
    /// ```
    #[must_use]
    pub fn update<T: Serialize>(&self, key: &str, value: T) -> State {
        match serde_json::to_value(value) {
            Ok(value) => self.put(key, Field::from_value(value)),
            Err(e) => self.with_write_error(StateError::Serialize {
                key: key.to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// The first write that could not be made (see [`State::update`]), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    /// let bad: HashMap<(u8, u8), u8> = HashMap::from([((1, 2), 3)]);
    /// let s = burr_core::State::new().update("grid", bad);
    /// assert!(s.write_error().unwrap().to_string().contains("`grid`"));
    /// assert!(!s.contains("grid"));
    /// ```
    pub fn write_error(&self) -> Option<&StateError> {
        self.rare.as_ref()?.write_error.as_deref()
    }

    fn with_write_error(&self, error: StateError) -> State {
        let mut next = self.clone();
        next.fail_write(error);
        next
    }

    /// Remembers the first write that could not be made.
    fn fail_write(&mut self, error: StateError) {
        let rare = Arc::make_mut(self.rare.get_or_insert_default());
        rare.write_error.get_or_insert_with(|| Arc::new(error));
    }

    /// Sets `key` to any serializable value.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Msg { role: String }
    /// let s = burr_core::State::new().try_update("m", &Msg { role: "user".into() }).unwrap();
    /// assert_eq!(s.get_value("m").unwrap()["role"], "user");
    /// ```
    pub fn try_update<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<State, StateError> {
        let value = serde_json::to_value(value).map_err(|e| StateError::Serialize {
            key: key.to_string(),
            message: e.to_string(),
        })?;
        let next = self.update(key, value);
        match next.write_error() {
            Some(e) if self.write_error().is_none() => Err(e.clone()),
            _ => Ok(next),
        }
    }

    /// Sets every `(key, value)` pair.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update_many([("a", 1), ("b", 2)]);
    /// assert_eq!(s.keys(), vec!["a", "b"]);
    /// ```
    #[must_use]
    pub fn update_many<K: AsRef<str>, V: Into<Value>>(
        &self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> State {
        let mut next = self.clone();
        for (k, v) in pairs {
            next.put_mut(k.as_ref(), Field::from_value(v.into()));
        }
        next
    }

    /// Appends `value` (any `Serialize` value) to the list at `key`, creating `[value]` when
    /// the key is missing. The list is never copied. When `key` holds something else than a
    /// list ("non-appendable"), or the value fails to serialize, the state is left unchanged
    /// and remembers the error as its [`write_error`](State::write_error), which fails the
    /// step (see [`State::update`]); [`State::try_append`] reports it at once.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().append("h", 1).append("h", 2);
    /// assert_eq!(s.get::<Vec<i32>>("h").unwrap(), vec![1, 2]);
    /// let bad = burr_core::State::new().update("x", "str").append("x", 1);
    /// assert!(bad.write_error().unwrap().to_string().contains("non-appendable"));
    /// ```
    #[must_use]
    pub fn append<T: Serialize>(&self, key: &str, value: T) -> State {
        match self.try_append(key, value) {
            Ok(s) => s,
            Err(e) => self.with_write_error(e),
        }
    }

    /// Like [`State::append`], but reports a non-list value (or a value that fails to
    /// serialize) as an error instead of remembering it.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = burr_core::State::new().update("x", 1).try_append("x", 2).unwrap_err();
    /// assert!(err.to_string().contains("non-appendable"));
    /// ```
    pub fn try_append<T: Serialize>(&self, key: &str, value: T) -> Result<State, StateError> {
        let value = serde_json::to_value(value).map_err(|e| StateError::Serialize {
            key: key.to_string(),
            message: e.to_string(),
        })?;
        let mut list = self.list_for(key, "non-appendable")?;
        list.push_back(Arc::new(value));
        Ok(self.put(key, Field::List(Arc::new(list))))
    }

    /// Extends the list at `key` with `values`, creating it when missing. A value that is
    /// not a list is an error ("non-extendable").
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().extend("h", [1, 2]).unwrap().extend("h", [3]).unwrap();
    /// assert_eq!(s.get::<Vec<i32>>("h").unwrap(), vec![1, 2, 3]);
    /// ```
    pub fn extend<V: Into<Value>>(
        &self,
        key: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Result<State, StateError> {
        let mut list = self.list_for(key, "non-extendable")?;
        list.extend(values.into_iter().map(|v| Arc::new(v.into())));
        Ok(self.put(key, Field::List(Arc::new(list))))
    }

    fn list_for(&self, key: &str, what: &'static str) -> Result<List, StateError> {
        if matches!(key, SEQUENCE_ID_KEY | PRIOR_STEP_KEY) {
            return Err(runtime_key_error(key, &Field::List(Arc::default())));
        }
        match self.map.get(key) {
            None => Ok(imbl::Vector::new()),
            Some(e) => {
                let type_name = e.field.type_name();
                e.field
                    .clone()
                    .into_list()
                    .ok_or_else(|| StateError::NotAList {
                        key: key.to_string(),
                        found: type_name,
                        what,
                    })
            }
        }
    }

    /// Adds `delta` to the integer at `key`, or sets it to `delta` when missing. A
    /// non-integer value is an error ("non-integer").
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("foo", 1);
    /// let s = s.increment("foo", 2).unwrap().increment("bar", 5).unwrap();
    /// assert_eq!(s.to_json(), serde_json::json!({"foo": 3, "bar": 5}));
    /// assert!(burr_core::State::new().update("f", 1.5).increment("f", 1).is_err());
    /// ```
    pub fn increment(&self, key: &str, delta: i64) -> Result<State, StateError> {
        let current = match self.map.get(key) {
            None if key == SEQUENCE_ID_KEY => self
                .sequence_id
                .map_or(Ok(0), i64::try_from)
                .map_err(|_| StateError::NotAnInteger {
                    key: key.to_string(),
                    found: "integer that overflows",
                })?,
            None if key == PRIOR_STEP_KEY && self.prior_step.is_some() => {
                return Err(StateError::NotAnInteger {
                    key: key.to_string(),
                    found: "string",
                });
            }
            None => 0,
            Some(e) => match &e.field {
                Field::Number(n) if n.is_i64() => n.as_i64().unwrap_or_default(),
                other => {
                    return Err(StateError::NotAnInteger {
                        key: key.to_string(),
                        found: other.type_name(),
                    });
                }
            },
        };
        let next = current
            .checked_add(delta)
            .ok_or_else(|| StateError::NotAnInteger {
                key: key.to_string(),
                found: "integer that overflows",
            })?;
        Ok(self.update(key, next))
    }

    /// Removes the given keys (missing keys are ignored).
    ///
    /// Inside an action, deleting a key is writing it: it must be declared in `writes`, and it
    /// counts as the declared write (see [the rules](crate::action#what-an-action-may-read-write-and-delete)).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1).update("b", 2);
    /// assert_eq!(s.wipe_delete(["a"]).keys(), vec!["b"]);
    /// ```
    #[must_use]
    pub fn wipe_delete<K: AsRef<str>>(&self, keys: impl IntoIterator<Item = K>) -> State {
        let mut next = self.clone();
        for k in keys {
            next.record_write(k.as_ref());
            match k.as_ref() {
                SEQUENCE_ID_KEY => next.sequence_id = None,
                PRIOR_STEP_KEY => next.prior_step = None,
                k => {
                    next.map.remove(k);
                }
            }
        }
        next
    }

    /// Keeps only the given keys (and the runtime keys).
    ///
    /// Inside an action, only the keys the action can see (its reads and what it wrote) are
    /// deleted, each one a write that must be declared; keeping a key is not writing it (see
    /// [the rules](crate::action#what-an-action-may-read-write-and-delete)).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1).update("b", 2);
    /// assert_eq!(s.wipe_keep(["a"]).keys(), vec!["a"]);
    /// ```
    #[must_use]
    pub fn wipe_keep<K: AsRef<str>>(&self, keys: impl IntoIterator<Item = K>) -> State {
        let keep: Vec<K> = keys.into_iter().collect();
        let mut next = self.clone();
        let dropped: Vec<Key> = self
            .map
            .keys()
            .filter(|k| self.visible(k) && !keep.iter().any(|x| x.as_ref() == &***k))
            .cloned()
            .collect();
        for k in &dropped {
            next.record_write(k);
            next.map.remove(k);
        }
        next
    }

    /// `self` with every key of `other` set on it (other wins).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = burr_core::State::new().update("x", 1).update("y", 1);
    /// let b = burr_core::State::new().update("y", 2);
    /// assert_eq!(a.merge(&b).to_json(), serde_json::json!({"x": 1, "y": 2}));
    /// ```
    #[must_use]
    pub fn merge(&self, other: &State) -> State {
        let mut next = self.clone();
        for (k, f) in other.ordered() {
            next.put_mut(k, f.clone());
        }
        if other.sequence_id.is_some() {
            next.sequence_id = other.sequence_id;
        }
        if other.prior_step.is_some() {
            next.prior_step.clone_from(&other.prior_step);
        }
        if let Some(e) = other.write_error()
            && next.write_error().is_none()
        {
            // A write `other` could not make is not lost in the merge.
            next.fail_write(e.clone());
        }
        next
    }

    /// A state holding only `keys` (missing ones are skipped).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1).update("b", 2);
    /// assert_eq!(s.subset(["b", "zzz"]).keys(), vec!["b"]);
    /// ```
    #[must_use]
    pub fn subset<K: AsRef<str>>(&self, keys: impl IntoIterator<Item = K>) -> State {
        let mut next = State::new();
        for k in keys {
            let k = k.as_ref();
            match k {
                SEQUENCE_ID_KEY => next.sequence_id = self.sequence_id,
                PRIOR_STEP_KEY => next.prior_step.clone_from(&self.prior_step),
                _ => {
                    if let Some((key, entry)) = self.map.get_key_value(k) {
                        next.map.insert_entry(key.clone(), entry.clone());
                    }
                }
            }
        }
        next
    }

    /// Like [`State::subset`], but a missing key is an error.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = burr_core::State::new().update("a", 1);
    /// assert!(s.subset_strict(["a", "b"]).is_err());
    /// ```
    pub fn subset_strict<K: AsRef<str>>(
        &self,
        keys: impl IntoIterator<Item = K> + Clone,
    ) -> Result<State, StateError> {
        for k in keys.clone() {
            if !self.contains(k.as_ref()) {
                return Err(self.missing(k.as_ref()));
            }
        }
        Ok(self.subset(keys))
    }

    /// Copies `key` from `source` into `self` (sharing the stored value), or removes it when
    /// `source` lacks it.
    pub(crate) fn copy_field_from(&mut self, source: &State, key: &str) {
        match source.map.get(key) {
            Some(e) => self.put_mut(key, e.field.clone()),
            None => {
                self.map.remove(key);
            }
        }
    }
}

/// The error of a write that would give a runtime key a value of the wrong type.
fn runtime_key_error(key: &str, found: &Field) -> StateError {
    StateError::RuntimeKey {
        key: key.to_string(),
        expected: if key == SEQUENCE_ID_KEY {
            "a non-negative integer"
        } else {
            "a string (an action's name)"
        },
        found: found.type_name(),
    }
}
