//! What the persisters share to keep the journal of steps in progress (the results actions
//! journal with `ActionContext::durable`): one row (or hash field) per entry beside Burr's
//! table, and the reading back of an entry.
//!
//! The SQL persisters keep the journal in `<table>_journal` (`partition_key`, `app_id`,
//! `sequence_id`, `idx`, `position`, `entry_key`, `entry_value` as JSON text; primary key
//! `(partition_key, app_id, sequence_id, idx)`), created by `initialize` beside Burr's table,
//! which Apache Burr ignores. Redis keeps one hash per step, `[namespace:]{pk}:{app}:{seq}:journal`,
//! field `idx`. Entries are not removed when their step completes, and a retention does not
//! prune them (the journal of a step is read only when that step runs again): delete old
//! rows by sequence id (`DELETE FROM <table>_journal WHERE sequence_id < ...`, or the
//! hashes' keys) to keep them small.

use burr_core::PersistenceError;
use burr_core::persistence::JournalEntry;
use serde_json::Value;

use super::RowName;

/// An entry read back from the store; a value that is not JSON is corrupt.
pub(crate) fn entry(
    partition_key: Option<&str>,
    app_id: &str,
    sequence_id: u64,
    index: i64,
    position: String,
    key: String,
    value: &str,
) -> Result<JournalEntry, PersistenceError> {
    let row = || RowName {
        partition_key: partition_key.unwrap_or_default(),
        app_id,
        sequence_id: sequence_id.into(),
    };
    let index = usize::try_from(index).map_err(|_| {
        PersistenceError::Corrupt(format!("journal of {}: entry index {index}", row()))
    })?;
    let value: Value = serde_json::from_str(value).map_err(|e| {
        PersistenceError::Corrupt(format!(
            "journal of {}: entry {index} is not JSON: {e}",
            row()
        ))
    })?;
    Ok(JournalEntry {
        partition_key: partition_key.map(str::to_string),
        app_id: app_id.to_string(),
        sequence_id,
        position,
        index,
        key,
        value,
    })
}

/// The JSON text of an entry's value.
pub(crate) fn value_text(entry: &JournalEntry) -> Result<String, PersistenceError> {
    serde_json::to_string(&entry.value).map_err(PersistenceError::backend)
}
