//! Reconciling a tracker's [`StepJournal`] with the state persister before an application
//! resumes (see [the persistence module](crate::persistence#reconciliation)).

use super::Mode;
use crate::error::Error;
use crate::persistence::{
    AsyncStateLoader, INTERRUPTED, LoaderRef, PersistedState, SaveRequest, Saver, StateLoader,
    StateSaver, Status, StepJournal, UNRECORDED_FAILURE,
};
use crate::state::State;
use crate::time::now_utc_iso;

/// The most steps one build copies to the record that is behind: a crash leaves one step to
/// repair, a save policy a few; a longer gap (a tracker that was detached for a while) is
/// copied from its last `MAX_REPAIR` steps, so that a build stays quick.
const MAX_REPAIR: u64 = 1_000;

/// Reconciles `journal` and the persister behind `saver` for `app_id` (see the module
/// documentation). A saver without a loader is left alone, and so is a journal that never
/// recorded the application (a tracker added to an application that ran without one:
/// there is nothing to agree with, and its history is not copied into the log).
pub(crate) async fn reconcile(
    journal: &dyn StepJournal,
    saver: &Saver,
    partition_key: Option<&str>,
    app_id: &str,
    default_state: &State,
    mode: Mode,
) -> Result<(), Error> {
    let Some(loader) = saver.loader() else {
        return Ok(());
    };
    let tail = journal.tail(partition_key, app_id)?;
    if tail.last_ended.is_none() && tail.begun.is_empty() {
        return Ok(());
    }
    let saved = load(loader, partition_key, app_id, None, mode).await?;
    let saved_seq = saved.as_ref().map(|r| r.sequence_id);
    let logged_seq = tail.last_ended.as_ref().map(|r| r.sequence_id);
    let has_begun = |seq: u64| tail.begun.iter().any(|b| b.sequence_id == seq);
    // The first step to copy after `seq`, the record behind, up to `last`.
    let after = |seq: Option<u64>, last: u64| {
        seq.map_or(0, |s| s.saturating_add(1))
            .max(last.saturating_sub(MAX_REPAIR - 1))
    };
    let latest = if saved_seq >= logged_seq {
        saved
    } else {
        tail.last_ended
    };
    if let Some(last) = saved_seq.filter(|_| saved_seq > logged_seq) {
        for seq in after(logged_seq, last)..=last {
            if let Some(row) = load(loader, partition_key, app_id, Some(seq), mode).await? {
                let exception = (row.status == Status::Failed).then_some(UNRECORDED_FAILURE);
                journal.record(&row, has_begun(seq), exception)?;
            }
        }
    } else if let Some(last) = logged_seq.filter(|_| logged_seq > saved_seq) {
        for seq in after(saved_seq, last)..=last {
            if let Some(mut row) = journal.step(partition_key, app_id, seq)? {
                if row.status == Status::Completed {
                    // As the engine saves a completed step.
                    row.state = row.state.with_prior_step(&row.position);
                }
                save(saver, &row, mode).await?;
            }
        }
    }
    let latest_seq = latest.as_ref().map(|r| r.sequence_id);
    let interrupted = tail
        .begun
        .last()
        .filter(|b| Some(b.sequence_id) > latest_seq);
    if let Some(begun) = interrupted.cloned() {
        // The state before the interrupted step: the last step's, or the default one.
        let before = match &latest {
            Some(row) if row.status == Status::Completed => {
                row.state.with_prior_step(&row.position)
            }
            Some(row) => row.state.clone(),
            None => default_state.clone(),
        };
        let row = PersistedState {
            partition_key: partition_key.map(str::to_string),
            app_id: app_id.to_string(),
            sequence_id: begun.sequence_id,
            position: begun.action,
            state: before.with_sequence_id(begun.sequence_id),
            created_at: now_utc_iso(),
            status: Status::Failed,
        };
        // The journal first: killed in between, the next resume copies it to the persister.
        journal.record(&row, true, Some(INTERRUPTED))?;
        save(saver, &row, mode).await?;
    }
    Ok(())
}

async fn load(
    loader: LoaderRef<'_>,
    partition_key: Option<&str>,
    app_id: &str,
    sequence_id: Option<u64>,
    mode: Mode,
) -> Result<Option<PersistedState>, Error> {
    Ok(match loader {
        LoaderRef::Sync(l) => StateLoader::load(l, partition_key, app_id, sequence_id)?,
        LoaderRef::Async(_) if !mode.is_async() => return Err(Error::AsyncOnly),
        LoaderRef::Async(l) => {
            AsyncStateLoader::load(l, partition_key, app_id, sequence_id).await?
        }
    })
}

async fn save(saver: &Saver, row: &PersistedState, mode: Mode) -> Result<(), Error> {
    let request = SaveRequest {
        partition_key: row.partition_key.as_deref(),
        app_id: &row.app_id,
        sequence_id: row.sequence_id,
        position: &row.position,
        state: &row.state,
        status: row.status,
    };
    match saver {
        Saver::Sync(s) => StateSaver::save(&**s, request)?,
        Saver::Async(_) if !mode.is_async() => return Err(Error::AsyncOnly),
        Saver::Async(s) => s.save(request).await?,
    }
    Ok(())
}
