//! Storage: the stored form of values and the key → entry map of a state.

use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeSeq;
use serde_json::Value;

/// A shared, immutable key.
pub(super) type Key = Arc<str>;

/// One stored value: a scalar kept inline (no allocation), any other JSON value behind an
/// `Arc`, or a list kept as a persistent vector so that appending is O(1) amortized without
/// copying.
#[derive(Clone)]
pub(super) enum Field {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Value(Arc<Value>),
    List(imbl::Vector<Arc<Value>>),
}

impl Field {
    pub(super) fn from_value(v: Value) -> Field {
        match v {
            Value::Null => Field::Null,
            Value::Bool(b) => Field::Bool(b),
            Value::Number(n) => Field::Number(n),
            other => Field::Value(Arc::new(other)),
        }
    }

    /// The value, borrowed when it is stored as one.
    pub(super) fn as_cow(&self) -> std::borrow::Cow<'_, Value> {
        use std::borrow::Cow;
        match self {
            Field::Null => Cow::Owned(Value::Null),
            Field::Bool(b) => Cow::Owned(Value::Bool(*b)),
            Field::Number(n) => Cow::Owned(Value::Number(n.clone())),
            Field::Value(v) => Cow::Borrowed(&**v),
            Field::List(l) => Cow::Owned(Value::Array(l.iter().map(|v| (**v).clone()).collect())),
        }
    }

    pub(super) fn to_value(&self) -> Value {
        self.as_cow().into_owned()
    }

    pub(super) fn same_as(&self, other: &Field) -> bool {
        match (self, other) {
            (Field::Null, Field::Null) => true,
            (Field::Bool(a), Field::Bool(b)) => a == b,
            (Field::Number(a), Field::Number(b)) => a == b,
            (Field::Value(a), Field::Value(b)) => Arc::ptr_eq(a, b),
            (Field::List(a), Field::List(b)) => a.ptr_eq(b),
            _ => false,
        }
    }

    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Field::List(_) => "list",
            Field::Null => "null",
            Field::Bool(_) => "bool",
            Field::Number(n) if n.is_f64() => "float",
            Field::Number(_) => "integer",
            Field::Value(v) => json_type_name(v),
        }
    }

    pub(super) fn into_list(self) -> Option<imbl::Vector<Arc<Value>>> {
        match self {
            Field::List(l) => Some(l),
            Field::Value(v) => match Arc::try_unwrap(v).unwrap_or_else(|v| (*v).clone()) {
                Value::Array(a) => Some(a.into_iter().map(Arc::new).collect()),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Null => s.serialize_unit(),
            Field::Bool(b) => s.serialize_bool(*b),
            Field::Number(n) => n.serialize(s),
            Field::Value(v) => v.serialize(s),
            Field::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for item in l {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

/// The name of a JSON value's type, as used in error messages.
pub(crate) fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[derive(Clone)]
pub(super) struct Entry {
    pub(super) order: u64,
    pub(super) field: Field,
}

/// Up to this many keys, a state keeps its entries in a shared vector (copy-on-write, a few
/// hundred bytes at most); beyond, in a persistent hash map (O(log n) updates).
const SMALL_MAX: usize = 16;

type LargeMap =
    imbl::GenericHashMap<Key, Entry, rustc_hash::FxBuildHasher, imbl::shared_ptr::DefaultSharedPtr>;

/// The key → entry map of a state: a small copy-on-write vector, or a persistent hash map.
#[derive(Clone)]
pub(super) enum FieldMap {
    Small(Arc<[(Key, Entry)]>),
    Large(LargeMap),
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap::Small(Arc::from(Vec::new()))
    }
}

impl FieldMap {
    pub(super) fn len(&self) -> usize {
        match self {
            FieldMap::Small(v) => v.len(),
            FieldMap::Large(m) => m.len(),
        }
    }

    #[inline]
    pub(super) fn get_key_value(&self, key: &str) -> Option<(&Key, &Entry)> {
        match self {
            FieldMap::Small(v) => v.iter().find(|(k, _)| &**k == key).map(|(k, e)| (k, e)),
            FieldMap::Large(m) => m.get_key_value(key),
        }
    }

    #[inline]
    pub(super) fn get(&self, key: &str) -> Option<&Entry> {
        self.get_key_value(key).map(|(_, e)| e)
    }

    pub(super) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    #[inline]
    pub(super) fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        match self {
            FieldMap::Small(v) => {
                let i = v.iter().position(|(k, _)| &**k == key)?;
                Some(&mut Arc::make_mut(v)[i].1)
            }
            FieldMap::Large(m) => m.get_mut(key),
        }
    }

    pub(super) fn insert(&mut self, key: Key, entry: Entry) {
        match self {
            FieldMap::Small(v) if v.len() < SMALL_MAX => {
                *v = v
                    .iter()
                    .cloned()
                    .chain(std::iter::once((key, entry)))
                    .collect();
            }
            FieldMap::Small(v) => {
                let mut m: LargeMap = v.iter().cloned().collect();
                m.insert(key, entry);
                *self = FieldMap::Large(m);
            }
            FieldMap::Large(m) => {
                m.insert(key, entry);
            }
        }
    }

    pub(super) fn remove(&mut self, key: &str) {
        match self {
            FieldMap::Small(v) => {
                if v.iter().any(|(k, _)| &**k == key) {
                    *v = v.iter().filter(|(k, _)| &**k != key).cloned().collect();
                }
            }
            FieldMap::Large(m) => {
                m.remove(key);
            }
        }
    }

    pub(super) fn iter(&self) -> Box<dyn Iterator<Item = (&Key, &Entry)> + '_> {
        match self {
            FieldMap::Small(v) => Box::new(v.iter().map(|(k, e)| (k, e))),
            FieldMap::Large(m) => Box::new(m.iter()),
        }
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &Key> {
        self.iter().map(|(k, _)| k)
    }
}
