//! The store's cache of app indexes, within a memory budget: the least recently used apps
//! are dropped first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::index::AppIndex;

/// Default memory budget of a [`Store`](super::Store)'s cache (256 MiB): the estimated bytes
/// of every app index it keeps (the position of each step's lines, and the JSON of the steps
/// already built). Past it, the least recently used apps are dropped; an app bigger than the
/// budget alone keeps its positions and builds its steps again when asked.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{CACHE_BUDGET, Store};
/// assert_eq!(Store::new("/tmp/burr").cache_budget(), CACHE_BUDGET);
/// ```
pub const CACHE_BUDGET: usize = 256 << 20;

/// One cached app.
#[derive(Debug)]
struct Entry {
    index: Arc<Mutex<AppIndex>>,
    /// Whether the index read its log to the end once ([`AppIndex::indexed_flag`]).
    indexed: Arc<AtomicBool>,
    /// The index's estimate, as of its last use.
    bytes: usize,
    /// When it was last used (a counter).
    used: u64,
}

/// App indexes by app folder (below the root), with their estimated sizes.
#[derive(Debug)]
pub(super) struct AppCache {
    budget: usize,
    entries: HashMap<PathBuf, Entry>,
    total: usize,
    clock: u64,
}

impl AppCache {
    pub(super) fn new(budget: usize) -> Self {
        AppCache {
            budget,
            entries: HashMap::new(),
            total: 0,
            clock: 0,
        }
    }

    pub(super) fn budget(&self) -> usize {
        self.budget
    }

    /// The estimated bytes of every cached index.
    pub(super) fn bytes(&self) -> usize {
        self.total
    }

    /// The index of `key`, made by `make` when not cached, and whether it read its log to the
    /// end once (readable while the index is in use).
    pub(super) fn get(
        &mut self,
        key: &Path,
        make: impl FnOnce() -> AppIndex,
    ) -> (Arc<Mutex<AppIndex>>, Arc<AtomicBool>) {
        self.clock += 1;
        let used = self.clock;
        let entry = self.entries.entry(key.to_owned()).or_insert_with(|| {
            let index = make();
            Entry {
                indexed: index.indexed_flag(),
                index: Arc::new(Mutex::new(index)),
                bytes: 0,
                used,
            }
        });
        entry.used = used;
        (Arc::clone(&entry.index), Arc::clone(&entry.indexed))
    }

    /// Records the size of `key`'s index after a use, and drops the least recently used
    /// other indexes until the cache fits its budget. An index dropped meanwhile (by another
    /// request) is not put back.
    pub(super) fn account(&mut self, key: &Path, bytes: usize) {
        let Some(entry) = self.entries.get_mut(key) else {
            return;
        };
        self.total = self.total - entry.bytes + bytes;
        entry.bytes = bytes;
        while self.total > self.budget {
            let oldest = self
                .entries
                .iter()
                .filter(|(k, _)| k.as_path() != key)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone());
            let Some(oldest) = oldest else {
                break;
            };
            if let Some(dropped) = self.entries.remove(&oldest) {
                self.total -= dropped.bytes;
            }
        }
    }
}
