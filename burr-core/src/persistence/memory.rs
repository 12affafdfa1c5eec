//! [`InMemoryPersister`]: saved states kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{PersistedState, SaveRequest, StateLoader, StateSaver};
use crate::error::PersistenceError;
use crate::time::now_utc_iso;

type Rows = HashMap<Option<String>, Vec<(String, Vec<PersistedState>)>>;

/// Keeps saved states in memory: for tests and examples.
///
/// Loading the latest step returns the last one saved; loading a sequence id returns the
/// last one saved with that id.
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
}

impl StateSaver for InMemoryPersister {
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
            Some(i) => {
                // Move the app to the end so `list_app_ids` stays most-recent-first.
                let (id, mut saved) = apps.remove(i);
                saved.push(row);
                apps.push((id, saved));
            }
            None => apps.push((r.app_id.to_string(), vec![row])),
        }
        Ok(())
    }

    fn loader(&self) -> Option<&dyn StateLoader> {
        Some(self)
    }
}
