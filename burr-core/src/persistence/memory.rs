//! [`InMemoryPersister`]: saved states kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{JournalEntry, PersistedState, SaveRequest, StateLoader, StateSaver};
use crate::error::PersistenceError;
use crate::time::now_utc_iso;

type Rows = HashMap<Option<String>, Vec<(String, Vec<PersistedState>)>>;

/// Keeps saved states in memory: for tests and examples.
///
/// Loading the latest step returns the last one saved; loading a sequence id returns the
/// one saved with that id. As the database persisters do, it keeps one row per (partition
/// key, app id, sequence id): saving one again is [`PersistenceError::Duplicate`]. It keeps
/// the journal of steps in progress too (see [`JournalEntry`]).
///
/// # Examples
///
/// ```
/// use burr_core::{InMemoryPersister, SaveRequest, State, StateLoader, StateSaver, Status};
/// let p = InMemoryPersister::new();
/// let state = State::new().update("n", 1);
/// p.save(SaveRequest {
///     partition_key: None, app_id: "a", sequence_id: 0, position: "step",
///     state: &state, status: Status::Completed,
/// }).unwrap();
/// let row = p.load(None, "a", None).unwrap().unwrap();
/// assert_eq!(row.state, state);
/// assert_eq!(p.list_app_ids(None).unwrap(), vec!["a"]);
/// ```
#[derive(Debug, Default, Clone)]
pub struct InMemoryPersister {
    rows: Arc<Mutex<Rows>>,
    journal: Arc<Mutex<Vec<JournalEntry>>>,
}

impl InMemoryPersister {
    /// An empty store.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::StateLoader;
    /// assert!(burr_core::InMemoryPersister::new().list_app_ids(None).unwrap().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rows> {
        self.rows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl StateLoader for InMemoryPersister {
    fn load(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: Option<u64>,
    ) -> Result<Option<PersistedState>, PersistenceError> {
        let rows = self.lock();
        let Some(apps) = rows.get(&partition_key.map(str::to_string)) else {
            return Ok(None);
        };
        let Some((_, saved)) = apps.iter().find(|(id, _)| id == app_id) else {
            return Ok(None);
        };
        Ok(match sequence_id {
            None => saved.last().cloned(),
            Some(seq) => saved.iter().rev().find(|r| r.sequence_id == seq).cloned(),
        })
    }

    fn list_app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError> {
        let rows = self.lock();
        Ok(rows
            .get(&partition_key.map(str::to_string))
            .map(|apps| apps.iter().rev().map(|(id, _)| id.clone()).collect())
            .unwrap_or_default())
    }

    fn load_journal(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<Vec<JournalEntry>, PersistenceError> {
        let mut found: Vec<JournalEntry> = self
            .journal()
            .iter()
            .filter(|e| {
                e.sequence_id == sequence_id
                    && e.app_id == app_id
                    && e.partition_key.as_deref() == partition_key
            })
            .cloned()
            .collect();
        found.sort_by_key(|e| e.index);
        Ok(found)
    }
}

impl InMemoryPersister {
    fn journal(&self) -> std::sync::MutexGuard<'_, Vec<JournalEntry>> {
        self.journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether two entries are at the same place of the same step.
fn same_place(a: &JournalEntry, b: &JournalEntry) -> bool {
    (a.index, a.sequence_id, &a.app_id, &a.partition_key)
        == (b.index, b.sequence_id, &b.app_id, &b.partition_key)
}

impl InMemoryPersister {
    /// Forgets the journal of `app_id` up to `sequence_id`: those steps completed.
    fn forget_journal(&self, partition_key: Option<&str>, app_id: &str, sequence_id: u64) {
        self.journal().retain(|e| {
            !(e.sequence_id <= sequence_id
                && e.app_id == app_id
                && e.partition_key.as_deref() == partition_key)
        });
    }
}

impl StateSaver for InMemoryPersister {
    fn save_journal(&self, entry: &JournalEntry) -> Result<(), PersistenceError> {
        let mut journal = self.journal();
        journal.retain(|e| !same_place(e, entry));
        journal.push(entry.clone());
        Ok(())
    }

    fn save(&self, r: SaveRequest<'_>) -> Result<(), PersistenceError> {
        let mut rows = self.lock();
        let apps = rows.entry(r.partition_key.map(str::to_string)).or_default();
        let row = PersistedState {
            partition_key: r.partition_key.map(str::to_string),
            app_id: r.app_id.to_string(),
            sequence_id: r.sequence_id,
            position: r.position.to_string(),
            state: r.state.clone(),
            created_at: now_utc_iso(),
            status: r.status,
        };
        match apps.iter().position(|(id, _)| id == r.app_id) {
            Some(i) if apps[i].1.iter().any(|s| s.sequence_id == r.sequence_id) => {
                return Err(PersistenceError::Duplicate(format!(
                    "partition key {:?}, app id {:?}, sequence id {}",
                    r.partition_key.unwrap_or_default(),
                    r.app_id,
                    r.sequence_id
                )));
            }
            Some(i) => {
                // Move the app to the end so `list_app_ids` stays most-recent-first.
                let (id, mut saved) = apps.remove(i);
                saved.push(row);
                apps.push((id, saved));
            }
            None => apps.push((r.app_id.to_string(), vec![row])),
        }
        if r.status == crate::persistence::Status::Completed {
            self.forget_journal(r.partition_key, r.app_id, r.sequence_id);
        }
        Ok(())
    }

    fn loader(&self) -> Option<&dyn StateLoader> {
        Some(self)
    }
}
