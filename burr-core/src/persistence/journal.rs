//! [`StepJournal`]: a tracker's record of the steps, which the builder reconciles with the
//! state persister before a resume (see [the persistence module](crate::persistence#reconciliation)).

use super::{PersistedState, PersistenceError};

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
