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
    /// Behind an `Arc`, so that a field stays three words (a persistent vector is eight).
    List(Arc<List>),
}

/// A list as stored: a persistent vector of shared values.
pub(super) type List = imbl::Vector<Arc<Value>>;

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
            (Field::List(a), Field::List(b)) => Arc::ptr_eq(a, b) || a.ptr_eq(b),
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

    pub(super) fn into_list(self) -> Option<List> {
        match self {
            Field::List(l) => Some(Arc::unwrap_or_clone(l)),
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
                for item in l.iter() {
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

/// How a state's entries are stored: none, a small copy-on-write vector, or a persistent hash
/// map.
#[derive(Clone, Default)]
enum Storage {
    #[default]
    Empty,
    Small(Arc<[(Key, Entry)]>),
    Large(LargeMap),
}

/// The key → entry map of a state. Dropping the last holder of a small map keeps its node
/// for the next copy (see [`spare`]).
#[derive(Clone, Default)]
pub(super) struct FieldMap(Storage);

impl Drop for FieldMap {
    fn drop(&mut self) {
        if let Storage::Small(node) = &mut self.0
            && Arc::get_mut(node).is_some()
            && let Storage::Small(node) = std::mem::take(&mut self.0)
        {
            spare::keep(node);
        }
    }
}

impl FieldMap {
    pub(super) fn len(&self) -> usize {
        match &self.0 {
            Storage::Empty => 0,
            Storage::Small(v) => v.len(),
            Storage::Large(m) => m.len(),
        }
    }

    #[inline]
    pub(super) fn get_key_value(&self, key: &str) -> Option<(&Key, &Entry)> {
        match &self.0 {
            Storage::Empty => None,
            Storage::Small(v) => v.iter().find(|(k, _)| &**k == key).map(|(k, e)| (k, e)),
            Storage::Large(m) => m.get_key_value(key),
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
        match &mut self.0 {
            Storage::Empty => None,
            Storage::Small(v) => {
                let i = v.iter().position(|(k, _)| &**k == key)?;
                if Arc::get_mut(v).is_none() {
                    // Shared with another state: write into a copy (a recycled node when
                    // one of the same size is at hand, so the steady state allocates nothing).
                    *v = spare::copy_of(v);
                }
                Some(&mut Arc::make_mut(v)[i].1)
            }
            Storage::Large(m) => m.get_mut(key),
        }
    }

    pub(super) fn insert(&mut self, key: Key, entry: Entry) {
        match &mut self.0 {
            Storage::Empty => self.0 = Storage::Small(Arc::from([(key, entry)])),
            Storage::Small(v) if v.len() < SMALL_MAX => {
                *v = v
                    .iter()
                    .cloned()
                    .chain(std::iter::once((key, entry)))
                    .collect();
            }
            Storage::Small(v) => {
                let mut m: LargeMap = v.iter().cloned().collect();
                m.insert(key, entry);
                self.0 = Storage::Large(m);
            }
            Storage::Large(m) => {
                m.insert(key, entry);
            }
        }
    }

    pub(super) fn remove(&mut self, key: &str) {
        match &mut self.0 {
            Storage::Empty => {}
            Storage::Small(v) => {
                if v.iter().any(|(k, _)| &**k == key) {
                    if v.len() == 1 {
                        self.0 = Storage::Empty;
                    } else {
                        *v = v.iter().filter(|(k, _)| &**k != key).cloned().collect();
                    }
                }
            }
            Storage::Large(m) => {
                m.remove(key);
            }
        }
    }

    pub(super) fn iter(&self) -> Box<dyn Iterator<Item = (&Key, &Entry)> + '_> {
        match &self.0 {
            Storage::Empty => Box::new(std::iter::empty()),
            Storage::Small(v) => Box::new(v.iter().map(|(k, e)| (k, e))),
            Storage::Large(m) => Box::new(m.iter()),
        }
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &Key> {
        self.iter().map(|(k, _)| k)
    }
}

/// One recycled small-map node per thread. A step copies the state's small map once (the
/// state before the step stays intact until the step commits), and the map it replaces is
/// dropped at the commit: keeping that node and copying into it at the next step saves an
/// allocation and a free per step.
mod spare {
    use std::cell::Cell;
    use std::sync::Arc;

    use super::{Entry, Field, Key};

    type Node = Arc<[(Key, Entry)]>;

    thread_local! {
        static SPARE: Cell<Option<Node>> = const { Cell::new(None) };
    }

    /// Keeps `node` (which nothing else holds) for a later copy. Its values are dropped at
    /// once, so a spare never keeps a large value alive; only the keys stay until reuse.
    pub(super) fn keep(mut node: Node) {
        let Some(entries) = Arc::get_mut(&mut node) else {
            return;
        };
        for (_, entry) in entries.iter_mut() {
            entry.field = Field::Null;
        }
        // After the thread's locals are gone (a state dropped by another local's
        // destructor), the node is simply freed.
        let _ = SPARE.try_with(|slot| slot.set(Some(node)));
    }

    /// A node holding a copy of `from`'s entries, unshared: the spare when it has the same
    /// length, a new one otherwise.
    pub(super) fn copy_of(from: &Node) -> Node {
        let reused = SPARE
            .try_with(|slot| match slot.take() {
                Some(mut node) if node.len() == from.len() => {
                    let entries = Arc::get_mut(&mut node)?;
                    entries.clone_from_slice(from);
                    Some(node)
                }
                other => {
                    slot.set(other);
                    None
                }
            })
            .ok()
            .flatten();
        reused.unwrap_or_else(|| Arc::from(&from[..]))
    }
}
