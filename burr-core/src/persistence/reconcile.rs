//! Reconciling a tracker's [`StepJournal`] with the state persister before a resume (see
//! [the persistence module](crate::persistence#reconciliation)).

use super::{
    AsyncStateLoader, LoaderRef, PersistedState, PersistenceError, SaveRequest, Saver, StateLoader,
    StateSaver, Status,
};
use crate::application::Mode;
use crate::error::Error;
use crate::state::State;
use crate::time::now_utc_iso;

/// The exception recorded for a step that began and never ended (the process stopped inside
/// its action). The step is closed as failed, so a resumed application runs it again.
///
/// # Examples
///
/// ```
/// assert!(burr_core::persistence::INTERRUPTED.starts_with("StepInterrupted"));
/// ```
pub const INTERRUPTED: &str = "StepInterrupted: the process stopped before this step ended; \
     it is recorded as failed, with the state from before it, and runs again when the \
     application resumes\n";

/// The exception recorded for a failed step copied from the persister, which keeps the
/// status of a step but not its error.
///
/// # Examples
///
/// ```
/// assert!(burr_core::persistence::UNRECORDED_FAILURE.starts_with("StepFailed"));
/// ```
pub const UNRECORDED_FAILURE: &str = "StepFailed: this step failed; its error was not recorded (the step was restored from \
     the state persister)\n";

/// A step a journal shows as begun and not ended.
///
/// # Examples
///
/// ```
/// let begun = burr_core::persistence::BegunStep { sequence_id: 3, action: "count".into() };
/// assert_eq!(begun.sequence_id, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BegunStep {
    /// Its sequence id.
    pub sequence_id: u64,
    /// Its action.
    pub action: String,
}

/// The end of a journal: its last ended step, and the steps begun after it.
///
/// # Examples
///
/// ```
/// let tail = burr_core::persistence::JournalTail::default();
/// assert!(tail.last_ended.is_none() && tail.begun.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalTail {
    /// The last step that ended (completed or failed), as a loader would return it.
    pub last_ended: Option<PersistedState>,
    /// The steps begun after `last_ended` (and so never ended), in the order they began.
    pub begun: Vec<BegunStep>,
}

/// A record of an application's steps kept beside its state persister (a tracker's log),
/// which the builder reconciles with the persister when the application resumes (see the
/// [reconciliation](crate::persistence#reconciliation)).
///
/// A tracker exposes its journal through
/// [`LifecycleHook::step_journal`](crate::LifecycleHook::step_journal).
///
/// # Examples
///
/// ```
/// use std::sync::Mutex;
/// use burr_core::persistence::{JournalTail, StepJournal};
/// use burr_core::{PersistedState, PersistenceError};
///
/// /// Keeps the ended steps in memory.
/// #[derive(Default)]
/// struct Ends(Mutex<Vec<PersistedState>>);
///
/// impl StepJournal for Ends {
///     fn tail(&self, _: Option<&str>, _: &str) -> Result<JournalTail, PersistenceError> {
///         let last_ended = self.0.lock().unwrap().last().cloned();
///         Ok(JournalTail { last_ended, begun: Vec::new() })
///     }
///     fn step(&self, _: Option<&str>, _: &str, seq: u64) -> Result<Option<PersistedState>, PersistenceError> {
///         Ok(self.0.lock().unwrap().iter().rev().find(|s| s.sequence_id == seq).cloned())
///     }
///     fn record(&self, step: &PersistedState, _: bool, _: Option<&str>) -> Result<(), PersistenceError> {
///         self.0.lock().unwrap().push(step.clone());
///         Ok(())
///     }
/// }
/// assert!(Ends::default().tail(None, "a")?.last_ended.is_none());
/// # Ok::<(), PersistenceError>(())
/// ```
pub trait StepJournal: Send + Sync {
    /// The last ended step of `app_id`, and the steps begun after it.
    fn tail(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
    ) -> Result<JournalTail, PersistenceError>;

    /// The ended step `sequence_id` of `app_id` (the last one recorded with that id), as a
    /// loader would return it; `None` when the journal has no end for it.
    fn step(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<Option<PersistedState>, PersistenceError>;

    /// Records a step the journal lacks: its beginning unless `begun` (the journal already
    /// shows it as begun), then its end, with `exception` when it failed.
    fn record(
        &self,
        step: &PersistedState,
        begun: bool,
        exception: Option<&str>,
    ) -> Result<(), PersistenceError>;
}

/// Reconciles `journal` and the persister behind `saver` for `app_id` (see the module
/// documentation). A saver without a loader is left alone.
pub(crate) async fn reconcile(
    journal: &dyn StepJournal,
    saver: &Saver,
    partition_key: Option<&str>,
    app_id: &str,
    default_state: &State,
    mode: Mode,
) -> Result<(), Error> {
    let loader = match saver {
        Saver::Sync(s) => s.loader().map(LoaderRef::Sync),
        Saver::Async(s) => s.loader(),
    };
    let Some(loader) = loader else {
        return Ok(());
    };
    let saved = load(loader, partition_key, app_id, None, mode).await?;
    let tail = journal.tail(partition_key, app_id)?;
    let saved_seq = saved.as_ref().map(|r| r.sequence_id);
    let logged_seq = tail.last_ended.as_ref().map(|r| r.sequence_id);
    let has_begun = |seq: u64| tail.begun.iter().any(|b| b.sequence_id == seq);
    let after = |seq: Option<u64>| seq.map_or(0, |s| s + 1);
    let latest = if saved_seq >= logged_seq {
        saved
    } else {
        tail.last_ended
    };
    if let Some(last) = saved_seq.filter(|_| saved_seq > logged_seq) {
        for seq in after(logged_seq)..=last {
            if let Some(row) = load(loader, partition_key, app_id, Some(seq), mode).await? {
                let exception = (row.status == Status::Failed).then_some(UNRECORDED_FAILURE);
                journal.record(&row, has_begun(seq), exception)?;
            }
        }
    } else if let Some(last) = logged_seq.filter(|_| logged_seq > saved_seq) {
        for seq in after(saved_seq)..=last {
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
