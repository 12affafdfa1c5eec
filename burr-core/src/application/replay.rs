//! Journals carried from one run of a step to the next: the entries a persister recovered
//! for the step an application runs first, and those entries saved again under a new
//! sequence id.

use crate::context::{AppShared, JournalEntry};
use crate::persistence::JournalEntry as PersistedEntry;

/// The entries of a recovered journal that belong to a run of `action`: in index order, up
/// to the first gap.
pub(super) fn recovered_for(mut entries: Vec<PersistedEntry>, action: &str) -> Vec<PersistedEntry> {
    if entries.first().is_none_or(|e| e.position != action) {
        return Vec::new();
    }
    entries.sort_by_key(|e| e.index);
    let contiguous = entries
        .iter()
        .enumerate()
        .take_while(|(i, e)| e.index == *i && e.position == action)
        .count();
    entries.truncate(contiguous);
    entries
}

/// An entry of `action`'s step `seq`, to fill in.
pub(super) fn resave_template(shared: &AppShared, action: &str, seq: u64) -> PersistedEntry {
    PersistedEntry {
        partition_key: shared.partition_key.as_deref().map(str::to_string),
        app_id: shared.app_id.to_string(),
        sequence_id: seq,
        position: action.to_string(),
        index: 0,
        key: String::new(),
        value: serde_json::Value::Null,
    }
}

/// `journal` as the entries of `action`'s step `seq`.
pub(super) fn rekeyed(
    journal: &[JournalEntry],
    shared: &AppShared,
    action: &str,
    seq: u64,
) -> Vec<PersistedEntry> {
    (journal.iter().enumerate())
        .map(|(index, e)| PersistedEntry {
            index,
            key: e.key.clone(),
            value: e.value.clone(),
            ..resave_template(shared, action, seq)
        })
        .collect()
}
