//! What an action can ask of the runtime besides spans: [`ActionContext::durable`] journals
//! the result of a side effect so that a re-run of the step replays it, and
//! [`ActionContext::suspend`] stops the run until a value comes for a channel (see
//! [`Application::resume`](crate::Application::resume)).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ActionContext;
use crate::error::{ActionError, Error, PersistenceError};
use crate::persistence::{JournalEntry as PersistedEntry, Saver};

/// One journaled result: the key the action gave, and the value it got.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub(crate) struct JournalEntry {
    pub(crate) key: String,
    pub(crate) value: Value,
}

/// A journal entry the state persister could not save: the call fails, so that no side
/// effect is taken as journaled when it is not.
fn journal_error(e: PersistenceError) -> ActionError {
    ActionError::from(Error::Persistence(e))
}

impl From<PersistedEntry> for JournalEntry {
    fn from(e: PersistedEntry) -> Self {
        JournalEntry {
            key: e.key,
            value: e.value,
        }
    }
}

/// The journal key of a resume value, so that a step suspended twice replays the first
/// answer when it runs again.
pub(crate) fn suspend_key(channel: &str) -> String {
    format!("suspend:{channel}")
}

/// A step's shared [`StepControl`]. Its counter has no weak part, so that the runtime finds
/// it unshared (to empty it in place for the next step) with a plain load.
pub(crate) type ControlRef = triomphe::Arc<StepControl>;

/// What the runtime and the action share during one step.
#[derive(Debug, Default)]
pub(crate) struct StepControl {
    inner: Mutex<ControlState>,
    /// Whether a suspension is recorded: read on every step without the lock.
    suspending: AtomicBool,
}

#[derive(Debug, Default)]
struct ControlState {
    /// Every journaled result of the step, in call order (replayed ones first).
    entries: Vec<JournalEntry>,
    /// The next entry the current attempt reads.
    cursor: usize,
    /// The value a resume brought, for its channel.
    resume: Option<(String, Value)>,
    /// The suspension the action asked for, if any: channel and payload.
    suspension: Option<(String, Value)>,
    /// Why the resume value could not be used (wrong type), if it could not.
    bad_resume: Option<Error>,
}

impl ControlState {
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.cursor == 0
            && self.resume.is_none()
            && self.suspension.is_none()
            && self.bad_resume.is_none()
    }
}

impl StepControl {
    /// A step that replays `entries` and may take `resume` for its channel.
    pub(crate) fn new(entries: Vec<JournalEntry>, resume: Option<(String, Value)>) -> Self {
        StepControl {
            inner: Mutex::new(ControlState {
                entries,
                resume,
                ..ControlState::default()
            }),
            suspending: AtomicBool::new(false),
        }
    }

    /// Makes `slot` an empty slot for the next step: emptied in place when nothing else
    /// holds it (the step before kept no clone of its context), else replaced by a new one.
    #[inline]
    pub(crate) fn empty(slot: &mut ControlRef) {
        match ControlRef::get_mut(slot) {
            Some(control) => {
                let state = control.inner.get_mut().unwrap_or_else(|p| p.into_inner());
                if !state.is_empty() {
                    *state = ControlState::default();
                }
                *control.suspending.get_mut() = false;
            }
            None => *slot = ControlRef::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ControlState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the action asked to suspend in this attempt.
    pub(crate) fn is_suspending(&self) -> bool {
        self.suspending.load(Ordering::Acquire)
    }

    /// Starts an attempt: the journal is replayed from its first entry.
    pub(crate) fn begin_attempt(&self) {
        let mut s = self.lock();
        s.cursor = 0;
        s.suspension = None;
        self.suspending.store(false, Ordering::Release);
    }

    /// The suspension the action asked for, with the journal so far; also the error of a
    /// resume value that did not fit.
    #[inline(always)]
    pub(crate) fn take_suspension(&self) -> Option<Box<Asked>> {
        // A plain load first, inline: the common case (no suspension) writes nothing and
        // calls nothing.
        if !self.suspending.load(Ordering::Acquire) {
            return None;
        }
        self.take_asked_suspension()
    }

    /// [`StepControl::take_suspension`] once the action may have asked to suspend.
    #[cold]
    #[inline(never)]
    fn take_asked_suspension(&self) -> Option<Box<Asked>> {
        if !self.suspending.swap(false, Ordering::AcqRel) {
            return None;
        }
        let mut s = self.lock();
        let (channel, payload) = s.suspension.take()?;
        Some(Box::new(Asked {
            channel,
            payload,
            journal: s.entries.clone(),
            bad_resume: s.bad_resume.take(),
        }))
    }
}

/// A suspension an action asked for, taken at the end of its step (boxed where it moves:
/// it is rare, and a step's end moves it along with the outcome).
pub(crate) struct Asked {
    /// The channel the answer is awaited on.
    pub(crate) channel: String,
    /// What the action handed out.
    pub(crate) payload: Value,
    /// The step's journal so far.
    pub(crate) journal: Vec<JournalEntry>,
    /// The resume value the step refused, if any.
    pub(crate) bad_resume: Option<Error>,
}

impl ActionContext {
    fn control(&self) -> &ControlRef {
        &self.control
    }

    /// Runs the side effect `f` once for this step: its result is journaled under `key`, and
    /// when the step runs again (a retry, or a resume after a suspension) the journaled result
    /// is returned without calling `f`. Calls are matched in order: a re-run that asks for
    /// another key at the same place is an [`Error::Determinism`]. A failing `f` journals
    /// nothing.
    ///
    /// The journal is kept in memory across the attempts of a step, saved with a suspension,
    /// and saved entry by entry by the application's state persister when it keeps journals
    /// ([`StateSaver::save_journal`](crate::StateSaver::save_journal); burr-tracking's
    /// SQLite, PostgreSQL and Redis persisters and the in-memory one do): an application built again
    /// with `initialize_from` after a crash (or after the step failed) replays it in the
    /// first step it runs, when that step runs the same action. With an async persister,
    /// use [`ActionContext::durable_async`], which can await the save (`durable` then journals
    /// in memory and with a suspension only, and logs a warning). A journal entry the persister fails to save fails the call. Calls made
    /// concurrently (two `durable_async` under one `join!`) are journaled in the order they
    /// finish: journal them one after the other for a replay that matches.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{ActionContext, ActionError};
    /// let ctx = ActionContext::detached("app", "draft", 0);
    /// let first: u32 = ctx.durable("llm-call", || Ok::<_, ActionError>(42)).unwrap();
    /// assert_eq!(first, 42);
    /// ```
    pub fn durable<T, E>(
        &self,
        key: &str,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, ActionError>
    where
        T: Serialize + DeserializeOwned,
        E: Into<ActionError>,
    {
        if let Some(replayed) = self.replay(key)? {
            return Ok(replayed);
        }
        let value = f().map_err(Into::into)?;
        let entry = self.record(key, &value)?;
        match &self.app.saver {
            Some(Saver::Sync(saver)) => saver.save_journal(&entry).map_err(journal_error)?,
            Some(Saver::Async(_)) => tracing::warn!(
                target: "burr",
                action = %self.action_name(),
                key,
                "`durable` cannot save through an async state persister: the result is \
                 journaled for retries and resumes, not for a crash; use `durable_async`"
            ),
            None => {}
        }
        Ok(value)
    }

    /// [`ActionContext::durable`] for an async side effect.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(ctx: &burr_core::ActionContext) -> Result<(), burr_core::ActionError> {
    /// let reply: String = ctx
    ///     .durable_async("llm-call", || async { Ok::<_, burr_core::ActionError>("hi".to_string()) })
    ///     .await?;
    /// # let _ = reply;
    /// # Ok(())
    /// # }
    /// # let _ = demo;
    /// ```
    pub async fn durable_async<T, E, F>(
        &self,
        key: &str,
        f: impl FnOnce() -> F,
    ) -> Result<T, ActionError>
    where
        T: Serialize + DeserializeOwned,
        E: Into<ActionError>,
        F: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(replayed) = self.replay(key)? {
            return Ok(replayed);
        }
        let value = f().await.map_err(Into::into)?;
        let entry = self.record(key, &value)?;
        match &self.app.saver {
            Some(Saver::Sync(saver)) => saver.save_journal(&entry).map_err(journal_error)?,
            Some(Saver::Async(saver)) => saver.save_journal(&entry).await.map_err(journal_error)?,
            None => {}
        }
        Ok(value)
    }

    /// Asks for a value on `channel`, showing `payload` (what the human is asked): the first
    /// time, the step stops as suspended and the run returns with
    /// [`Halted::Suspended`](crate::Halted::Suspended) (propagate the error this returns with
    /// `?`); once [`Application::resume`](crate::Application::resume) brings a value for the
    /// channel, the step runs again and this returns it.
    ///
    /// A value that does not deserialize as `T` keeps the step suspended, and `resume` says
    /// why ([`Error::ResumeValue`]). Outside an application (a detached context) there is no
    /// one to resume: the call fails with [`Error::Suspended`].
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{ActionContext, Error};
    /// let ctx = ActionContext::detached("app", "approve", 0);
    /// let err = ctx.suspend::<bool>("approval", serde_json::json!({"draft": "hello"})).unwrap_err();
    /// assert!(matches!(err.into_burr("approve"), Error::Suspended { .. }));
    /// ```
    pub fn suspend<T: DeserializeOwned>(
        &self,
        channel: &str,
        payload: impl Serialize,
    ) -> Result<T, ActionError> {
        let key = suspend_key(channel);
        if let Some(answer) = self.replay::<T>(&key)? {
            return Ok(answer);
        }
        let payload = serde_json::to_value(payload).map_err(|e| {
            ActionError::from(Error::Other(format!(
                "the payload of the suspension on `{channel}` does not serialize: {e}"
            )))
        })?;
        let mut s = self.control().lock();
        let resumed = s.resume.take_if(|(c, _)| c == channel);
        if let Some((_, value)) = resumed {
            match T::deserialize(&value) {
                Ok(answer) => {
                    s.entries.push(JournalEntry { key, value });
                    s.cursor += 1;
                    return Ok(answer);
                }
                Err(e) => {
                    s.bad_resume = Some(Error::ResumeValue {
                        channel: channel.to_string(),
                        expected: std::any::type_name::<T>().to_string(),
                        message: e.to_string(),
                    });
                }
            }
        }
        s.suspension = Some((channel.to_string(), payload));
        self.control().suspending.store(true, Ordering::Release);
        Err(ActionError::from(Error::Suspended {
            action: self.action_name().to_string(),
            channel: channel.to_string(),
        }))
    }

    /// The journaled value for the next call, when it is `key`'s.
    fn replay<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ActionError> {
        let mut s = self.control().lock();
        let Some(entry) = s.entries.get(s.cursor) else {
            return Ok(None);
        };
        if entry.key != key {
            return Err(ActionError::from(Error::Determinism {
                action: self.action_name().to_string(),
                position: s.cursor,
                journaled: entry.key.clone(),
                asked: key.to_string(),
            }));
        }
        let value = T::deserialize(&entry.value).map_err(|e| {
            ActionError::from(Error::Other(format!(
                "the journaled result `{key}` is not a `{}`: {e}",
                std::any::type_name::<T>()
            )))
        })?;
        s.cursor += 1;
        Ok(Some(value))
    }

    /// The step's journal so far, as a persister keeps it (for a re-run of the step).
    pub(crate) fn journal_entries(&self) -> Vec<PersistedEntry> {
        let s = self.control().lock();
        (s.entries.iter().enumerate())
            .map(|(index, e)| PersistedEntry {
                partition_key: self.partition_key().map(str::to_string),
                app_id: self.app_id().to_string(),
                sequence_id: self.sequence_id,
                position: self.action_name().to_string(),
                index,
                key: e.key.clone(),
                value: e.value.clone(),
            })
            .collect()
    }

    /// Journals `value` under `key` at the current place, and returns the entry to save.
    fn record<T: Serialize>(&self, key: &str, value: &T) -> Result<PersistedEntry, ActionError> {
        let value = serde_json::to_value(value).map_err(|e| {
            ActionError::from(Error::Other(format!(
                "the result `{key}` cannot be journaled: {e}"
            )))
        })?;
        let mut s = self.control().lock();
        let at = s.cursor;
        s.entries.truncate(at);
        s.entries.push(JournalEntry {
            key: key.to_string(),
            value: value.clone(),
        });
        s.cursor += 1;
        Ok(PersistedEntry {
            partition_key: self.partition_key().map(str::to_string),
            app_id: self.app_id().to_string(),
            sequence_id: self.sequence_id,
            position: self.action_name().to_string(),
            index: at,
            key: key.to_string(),
            value,
        })
    }
}
