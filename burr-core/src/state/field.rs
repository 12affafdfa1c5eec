//! Storage: the stored form of values and the key → entry map of a state.

use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeSeq;
use serde_json::Value;

use super::key::key_eq;

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
    #[inline]
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

/// How a node keeps its entries: a small vector, or a persistent hash map.
#[derive(Clone)]
enum Storage {
    Small(Vec<(Key, Entry)>),
    Large(LargeMap),
}

/// The entries of a state, and the order the next new key takes: shared by the states derived
/// from one another, copied when one of them writes.
#[derive(Clone)]
struct Node {
    next_order: u64,
    storage: Storage,
}

/// A shared node. Its counter has no weak part, so that knowing it unshared is a plain load
/// (with `std`'s `Arc`, an atomic compare-and-swap: a sizeable part of a small step).
type NodeRef = triomphe::Arc<Node>;

/// The key → entry map of a state: one pointer to a shared [`Node`] (none when empty), so that
/// a state is small to move and to clone. Dropping the last holder of a small node keeps it
/// for the next copy (see [`spare`]).
#[derive(Clone, Default)]
pub(super) struct FieldMap(Option<NodeRef>);

impl Drop for FieldMap {
    fn drop(&mut self) {
        // The last holder of a small node: its values go now (a spare keeps no value alive),
        // its vector and keys are kept for the next copy, which mostly has the same keys.
        if let Some(node) = &mut self.0
            && let Some(Node {
                storage: Storage::Small(entries),
                ..
            }) = NodeRef::get_mut(node)
            && entries.capacity() <= SMALL_MAX
        {
            for (_, e) in entries.iter_mut() {
                if matches!(e.field, Field::Value(_) | Field::List(_)) {
                    e.field = Field::Null;
                }
            }
            if let Some(node) = self.0.take() {
                spare::keep(node);
            }
        }
    }
}

impl FieldMap {
    pub(super) fn len(&self) -> usize {
        match self.0.as_deref().map(|n| &n.storage) {
            None => 0,
            Some(Storage::Small(v)) => v.len(),
            Some(Storage::Large(m)) => m.len(),
        }
    }

    #[inline(always)]
    pub(super) fn get_key_value(&self, key: &str) -> Option<(&Key, &Entry)> {
        match &self.0.as_deref()?.storage {
            // A plain loop rather than `Iterator::find`, which the compiler keeps out of line.
            Storage::Small(v) => {
                for (k, e) in v {
                    if key_eq(k, key) {
                        return Some((k, e));
                    }
                }
                None
            }
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

    /// A map with the same entries whose node nothing else holds, ready to write (empty
    /// stays empty: the first insert makes the node).
    pub(super) fn copy_for_write(&self) -> FieldMap {
        FieldMap(self.0.as_ref().map(spare::copy_of))
    }

    /// A copy of the map with `key` set to `field`, made in one pass over a small node (into a
    /// recycled node when one is at hand); `Err(field)` for an empty, large or full map.
    pub(super) fn copy_writing(&self, key: &str, field: Field) -> Result<FieldMap, Field> {
        match &self.0 {
            Some(from) => spare::copy_writing(from, key, field).map(|node| FieldMap(Some(node))),
            None => Err(field),
        }
    }

    /// The node, unshared: copied first when another state holds it too (into a recycled
    /// node when one is at hand, so the steady state of a step allocates nothing).
    fn node_mut(&mut self) -> &mut Node {
        let node = self.0.get_or_insert_with(|| {
            NodeRef::new(Node {
                next_order: 0,
                storage: Storage::Small(Vec::new()),
            })
        });
        if !node.is_unique() {
            *node = spare::copy_of(node);
        }
        NodeRef::make_mut(node)
    }

    #[inline]
    pub(super) fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        let small_at = match &self.0.as_deref()?.storage {
            Storage::Small(v) => Some(v.iter().position(|(k, _)| key_eq(k, key))?),
            Storage::Large(m) => {
                m.get(key)?;
                None
            }
        };
        match (&mut self.node_mut().storage, small_at) {
            (Storage::Small(v), Some(i)) => Some(&mut v[i].1),
            (Storage::Large(m), _) => m.get_mut(key),
            (Storage::Small(_), None) => None,
        }
    }

    /// Adds a key that is not there yet, after the others.
    pub(super) fn insert_new(&mut self, key: Key, field: Field) {
        let node = self.node_mut();
        let order = node.next_order;
        node.next_order += 1;
        node.insert(key, Entry { order, field });
    }

    /// Adds a key that is not there yet with the order it had in another state.
    pub(super) fn insert_entry(&mut self, key: Key, entry: Entry) {
        let node = self.node_mut();
        node.next_order = node.next_order.max(entry.order + 1);
        node.insert(key, entry);
    }

    pub(super) fn remove(&mut self, key: &str) {
        if !self.contains_key(key) {
            return;
        }
        if self.len() == 1 {
            self.0 = None;
            return;
        }
        match &mut self.node_mut().storage {
            Storage::Small(v) => v.retain(|(k, _)| &**k != key),
            Storage::Large(m) => {
                m.remove(key);
            }
        }
    }

    pub(super) fn iter(&self) -> Iter<'_> {
        match self.0.as_deref().map(|n| &n.storage) {
            None => Iter::Small([].iter()),
            Some(Storage::Small(v)) => Iter::Small(v.iter()),
            Some(Storage::Large(m)) => Iter::Large(m.iter()),
        }
    }

    /// Whether iterating gives the entries in insertion order (a small map that only ever
    /// appended, the common case), so that they need no sorting.
    pub(super) fn iterates_in_order(&self) -> bool {
        match self.0.as_deref().map(|n| &n.storage) {
            None => true,
            Some(Storage::Small(v)) => v.is_sorted_by_key(|(_, e)| e.order),
            Some(Storage::Large(_)) => false,
        }
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &Key> {
        self.iter().map(|(k, _)| k)
    }
}

/// The entries of a [`FieldMap`], in storage order.
pub(super) enum Iter<'a> {
    Small(std::slice::Iter<'a, (Key, Entry)>),
    Large(imbl::hashmap::Iter<'a, Key, Entry, imbl::shared_ptr::DefaultSharedPtr>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Entry);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next().map(|(k, e)| (k, e)),
            Iter::Large(it) => it.next(),
        }
    }
}

impl Node {
    fn insert(&mut self, key: Key, entry: Entry) {
        match &mut self.storage {
            Storage::Small(v) if v.len() < SMALL_MAX => v.push((key, entry)),
            Storage::Small(v) => {
                let mut m: LargeMap = v.drain(..).collect();
                m.insert(key, entry);
                self.storage = Storage::Large(m);
            }
            Storage::Large(m) => {
                m.insert(key, entry);
            }
        }
    }
}

/// One recycled small node per thread. A step copies the state's node once (the state before
/// the step stays intact until the step commits), and the node it replaces is dropped at the
/// commit: keeping that node and copying into its vector at the next step saves two
/// allocations and two frees per step.
mod spare {
    use std::cell::Cell;

    use super::{Entry, Field, Key, Node, NodeRef, SMALL_MAX, Storage, key_eq};

    thread_local! {
        static SPARE: Cell<Option<NodeRef>> = const { Cell::new(None) };
    }

    /// Keeps `node`, a small node nothing else holds and whose entries hold no value (only
    /// keys and scalars), for a later copy.
    pub(super) fn keep(node: NodeRef) {
        // After the thread's locals are gone (a state dropped by another local's
        // destructor), the node is simply freed.
        let _ = SPARE.try_with(|slot| slot.set(Some(node)));
    }

    /// An unshared copy of the small node `from` with `key` set to `field`, written into the
    /// spare node when one is at hand; `Err(field)` when `from` is large or full.
    pub(super) fn copy_writing(from: &NodeRef, key: &str, field: Field) -> Result<NodeRef, Field> {
        let Storage::Small(source) = &from.storage else {
            return Err(field);
        };
        if source.len() >= SMALL_MAX {
            return Err(field);
        }
        // One pass: each entry is copied, the one of `key` with the new field, over what the
        // recycled vector holds (a key already in its place is kept, not counted again).
        let mut field = Some(field);
        Ok(small_node(source.len() + 1, |entries| {
            if entries.len() > source.len() {
                entries.truncate(source.len());
            }
            for (i, (k, e)) in source.iter().enumerate() {
                let entry = match field.take_if(|_| key_eq(k, key)) {
                    Some(field) => Entry {
                        order: e.order,
                        field,
                    },
                    None => e.clone(),
                };
                match entries.get_mut(i) {
                    Some(slot) => {
                        if !Key::ptr_eq(&slot.0, k) {
                            slot.0 = k.clone();
                        }
                        slot.1 = entry;
                    }
                    None => entries.push((k.clone(), entry)),
                }
            }
            match field {
                Some(field) => {
                    let order = from.next_order;
                    entries.push((Key::from(key), Entry { order, field }));
                    from.next_order + 1
                }
                None => from.next_order,
            }
        }))
    }

    /// An unshared copy of `from`: written into the spare node when `from` is small and a
    /// spare is at hand, a new node otherwise.
    pub(super) fn copy_of(from: &NodeRef) -> NodeRef {
        let Storage::Small(source) = &from.storage else {
            return NodeRef::new((**from).clone());
        };
        small_node(source.len(), |entries| {
            entries.clear();
            entries.extend_from_slice(source);
            from.next_order
        })
    }

    /// A small node whose entries `fill` writes and whose next order it returns: the spare
    /// node when one is at hand (`fill` gets its vector as the spare left it: keys and
    /// scalars of an earlier state), a new one otherwise (an empty vector of room for `len`).
    fn small_node(len: usize, fill: impl FnOnce(&mut Vec<(Key, Entry)>) -> u64) -> NodeRef {
        if let Some(mut spare) = SPARE.try_with(Cell::take).ok().flatten()
            && let Some(node) = NodeRef::get_mut(&mut spare)
        {
            if let Storage::Small(entries) = &mut node.storage {
                node.next_order = fill(entries);
            } else {
                let mut entries = Vec::with_capacity(len);
                node.next_order = fill(&mut entries);
                node.storage = Storage::Small(entries);
            }
            return spare;
        }
        let mut entries = Vec::with_capacity(len);
        let next_order = fill(&mut entries);
        NodeRef::new(Node {
            next_order,
            storage: Storage::Small(entries),
        })
    }
}
