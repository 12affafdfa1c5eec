//! Journals carried from one run of a step to the next: the entries a persister recovered
//! for the step an application runs first, and those entries saved again under a new
//! sequence id.

use super::Application;
use super::suspend::Suspension;
use crate::context::{AppShared, ControlRef, JournalEntry, StepControl, suspend_key};
use crate::persistence::JournalEntry as PersistedEntry;

impl Application {
    /// The journal slot of step `seq` of `node` when it resumes a suspension or runs again
    /// after a crash or a failure, and the journal entries to save again under `seq`.
    #[cold]
    pub(super) fn replayed_control(
        &mut self,
        node: usize,
        seq: u64,
        resumes: bool,
    ) -> (Option<ControlRef>, Option<Vec<PersistedEntry>>) {
        let n = &self.graph.nodes[node];
        let recovered = if self.recovered_journal.is_empty() {
            Vec::new()
        } else {
            recovered_for(std::mem::take(&mut self.recovered_journal), &n.info.name)
        };
        let mut resave = Vec::new();
        let control = if resumes {
            let mut journal = Suspension::journal(&self.state);
            // A resume that crashed journaled more (its answer first): that is what ran.
            if recovered.len() > journal.len() {
                journal = recovered.iter().cloned().map(Into::into).collect();
            }
            let resume = self.resume_value.take();
            resave = rekeyed(&journal, &self.shared, &n.info.name, seq);
            if let Some((channel, value)) = &resume
                && !journal.iter().any(|e| e.key == suspend_key(channel))
            {
                resave.push(PersistedEntry {
                    index: journal.len(),
                    key: suspend_key(channel),
                    value: value.clone(),
                    ..resave_template(&self.shared, &n.info.name, seq)
                });
            }
            Some(ControlRef::new(StepControl::new(journal, resume)))
        } else if !recovered.is_empty() {
            let journal: Vec<_> = recovered.iter().cloned().map(Into::into).collect();
            if recovered[0].sequence_id != seq {
                // Journaled by an earlier run of the step: kept under this run's id too.
                resave = rekeyed(&journal, &self.shared, &n.info.name, seq);
            }
            Some(ControlRef::new(StepControl::new(journal, None)))
        } else {
            // Nothing of this action was journaled: a fresh slot.
            None
        };
        (control, (!resave.is_empty()).then_some(resave))
    }
}

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
