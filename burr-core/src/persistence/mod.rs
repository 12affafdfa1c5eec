//! Saving and loading application state: the [`StateSaver`] / [`StateLoader`] traits (and
//! their async twins), and [`InMemoryPersister`].
//!
//! An application with a saver ([`ApplicationBuilder::with_state_persister`]) saves its state
//! after every step, with status `completed`, or `failed` (then the state saved is the one
//! before the failed action). A loader feeds
//! [`ApplicationBuilder::initialize_from`](crate::ApplicationBuilder::initialize_from) to
//! resume an application or fork a new one from any step.
//!
//! [`ApplicationBuilder::with_state_persister`]: crate::ApplicationBuilder::with_state_persister
//!
//! # Reconciliation
//!
//! An application can be recorded twice: by its persister and by a tracker that keeps a
//! [`StepJournal`] (a log of its steps). After each step the engine saves the state, then the
//! tracker records the step's end, and no two independent stores can be committed together:
//! a process killed between the two leaves the persister one step ahead, one killed inside an
//! action leaves a step the tracker shows as begun and never ended. Changing the order would
//! only move the gap (the tracker ahead, and a step the persister lacks run and logged
//! twice), and a commit protocol across a file and a database still needs a recovery pass
//! after a crash. So the step keeps its order and the recovery pass is the whole answer: the
//! builder repairs the two when such an application is resumed with
//! [`initialize_from`](crate::ApplicationBuilder::initialize_from) (not when it forks):
//!
//! 1. it loads the last step of each: the persister's through [`StateSaver::loader`], the
//!    tracker's with [`StepJournal::tail`];
//! 2. the one behind gets every step it lacks up to the other's last one: the tracker
//!    [records](StepJournal::record) the persister's rows, the persister saves the tracker's
//!    steps;
//! 3. a step begun after that last step and never ended (the process died inside its action)
//!    is closed in both as failed ([`INTERRUPTED`]), with the state from before it, so that
//!    the resumed application runs it again, as it does any failed step.
//!
//! Afterwards both hold the same sequence ids, the application resumes at the same place
//! whichever of the two it loads from, and its next step saves a sequence id the persister
//! does not have yet. The repair is idempotent: a process killed while repairing is repaired
//! on the next resume. A persister without a loader, a tracker without a journal, an
//! application with only one of them, a tracker whose log never recorded the application (a
//! tracker added to an application that ran without one): nothing is compared, nothing
//! changes. One build copies at most the last 1,000 steps of a gap, so that it stays quick
//! whatever the gap (a crash leaves one step, a save policy a few).

mod blocking;
mod durable;
mod journal;
mod memory;

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::marker;
use crate::state::State;
pub use blocking::Blocking;
pub use durable::JournalEntry;

pub use crate::error::PersistenceError;
pub use journal::{BegunStep, INTERRUPTED, JournalTail, StepJournal, UNRECORDED_FAILURE};
pub use memory::InMemoryPersister;

/// The status saved with a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The step's action completed; the state is the one after it.
    Completed,
    /// The step's action failed; the state is the one before it.
    Failed,
}

impl Status {
    /// The stored form: `"completed"` or `"failed"`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::Status::Failed.as_str(), "failed");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::Failed => "failed",
        }
    }

    /// Parses the stored form; anything else is [`PersistenceError::Corrupt`].
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::Status;
    /// assert_eq!(Status::parse("completed").unwrap(), Status::Completed);
    /// assert!(Status::parse("done").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Status, PersistenceError> {
        match s {
            "completed" => Ok(Status::Completed),
            "failed" => Ok(Status::Failed),
            other => Err(PersistenceError::Corrupt(format!(
                "unknown status {other:?}; expected \"completed\" or \"failed\""
            ))),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One saved step, as a loader returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersistedState {
    /// The partition key (`None` when the application has none).
    pub partition_key: Option<String>,
    /// The application id.
    pub app_id: String,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// The name of the step's action.
    pub position: String,
    /// The state saved with the step.
    pub state: State,
    /// When the step was saved (ISO 8601 text, as the store keeps it).
    pub created_at: String,
    /// Whether the action completed or failed.
    pub status: Status,
}

/// What [`StateSaver::save`] receives.
#[derive(Debug, Clone, Copy)]
pub struct SaveRequest<'a> {
    /// The partition key, if any.
    pub partition_key: Option<&'a str>,
    /// The application id.
    pub app_id: &'a str,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// The step's action.
    pub position: &'a str,
    /// The state to save.
    pub state: &'a State,
    /// Completed or failed.
    pub status: Status,
}

/// Loads saved states.
pub trait StateLoader: Send + Sync {
    /// Loads the step `sequence_id` of `app_id` (the latest one when `None`). Returns
    /// `Ok(None)` when nothing was saved.
    fn load(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: Option<u64>,
    ) -> Result<Option<PersistedState>, PersistenceError>;

    /// The application ids saved under `partition_key`, most recent first.
    fn list_app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError>;

    /// The journal of step `sequence_id` of `app_id`, in index order (see [`JournalEntry`]).
    /// A store that keeps no journal returns none (the default).
    fn load_journal(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<Vec<JournalEntry>, PersistenceError> {
        let _ = (partition_key, app_id, sequence_id);
        Ok(Vec::new())
    }
}

/// Saves states.
pub trait StateSaver: Send + Sync {
    /// Creates the tables/keys the store needs. Idempotent.
    fn initialize(&self) -> Result<(), PersistenceError> {
        Ok(())
    }

    /// Whether [`StateSaver::initialize`] was done (by this or another process).
    fn is_initialized(&self) -> Result<bool, PersistenceError> {
        Ok(true)
    }

    /// Saves one step.
    fn save(&self, request: SaveRequest<'_>) -> Result<(), PersistenceError>;

    /// Saves one journaled result of a step in progress, replacing an entry at the same
    /// place (see [`JournalEntry`]). A store that keeps no journal ignores it (the default):
    /// journaled results then survive retries and suspensions, not crashes.
    fn save_journal(&self, entry: &JournalEntry) -> Result<(), PersistenceError> {
        let _ = entry;
        Ok(())
    }

    /// The loader reading back what this saver saved, when it has one (`None` by default).
    ///
    /// An application built with both a tracker and this saver, and resumed with
    /// [`ApplicationBuilder::initialize_from`](crate::ApplicationBuilder::initialize_from),
    /// uses it to compare the saver's last step with the tracker's and repair the one that is
    /// behind (see [`StepJournal`]). A saver without a loader is never compared.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{InMemoryPersister, StateSaver};
    /// assert!(InMemoryPersister::new().loader().is_some());
    /// ```
    fn loader(&self) -> Option<&dyn StateLoader> {
        None
    }
}

/// Async twin of [`StateLoader`].
pub trait AsyncStateLoader: Send + Sync {
    /// See [`StateLoader::load`].
    fn load<'a>(
        &'a self,
        partition_key: Option<&'a str>,
        app_id: &'a str,
        sequence_id: Option<u64>,
    ) -> BoxFuture<'a, Result<Option<PersistedState>, PersistenceError>>;

    /// See [`StateLoader::list_app_ids`].
    fn list_app_ids<'a>(
        &'a self,
        partition_key: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>, PersistenceError>>;

    /// See [`StateLoader::load_journal`].
    fn load_journal<'a>(
        &'a self,
        partition_key: Option<&'a str>,
        app_id: &'a str,
        sequence_id: u64,
    ) -> BoxFuture<'a, Result<Vec<JournalEntry>, PersistenceError>> {
        let _ = (partition_key, app_id, sequence_id);
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// Async twin of [`StateSaver`].
pub trait AsyncStateSaver: Send + Sync {
    /// See [`StateSaver::initialize`].
    fn initialize(&self) -> BoxFuture<'_, Result<(), PersistenceError>> {
        Box::pin(async { Ok(()) })
    }

    /// See [`StateSaver::is_initialized`].
    fn is_initialized(&self) -> BoxFuture<'_, Result<bool, PersistenceError>> {
        Box::pin(async { Ok(true) })
    }

    /// See [`StateSaver::save`].
    fn save<'a>(&'a self, request: SaveRequest<'a>) -> BoxFuture<'a, Result<(), PersistenceError>>;

    /// See [`StateSaver::save_journal`].
    fn save_journal<'a>(
        &'a self,
        entry: &'a JournalEntry,
    ) -> BoxFuture<'a, Result<(), PersistenceError>> {
        let _ = entry;
        Box::pin(async { Ok(()) })
    }

    /// See [`StateSaver::loader`]: the loader reading back what this saver saved, sync or
    /// async (`None` by default).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{AsyncStateSaver, InMemoryPersister, persistence::{Blocking, LoaderRef}};
    /// let saver = Blocking::new(InMemoryPersister::new());
    /// assert!(matches!(AsyncStateSaver::loader(&saver), Some(LoaderRef::Sync(_))));
    /// ```
    fn loader(&self) -> Option<LoaderRef<'_>> {
        None
    }
}

/// A borrowed loader, sync or async: what [`AsyncStateSaver::loader`] returns.
///
/// # Examples
///
/// ```
/// use burr_core::{InMemoryPersister, persistence::LoaderRef};
/// let store = InMemoryPersister::new();
/// let loader = LoaderRef::Sync(&store);
/// assert!(matches!(loader, LoaderRef::Sync(_)));
/// ```
#[derive(Clone, Copy)]
pub enum LoaderRef<'a> {
    /// A sync loader (usable from sync and async applications).
    Sync(&'a dyn StateLoader),
    /// An async loader (async applications only).
    Async(&'a dyn AsyncStateLoader),
}

impl fmt::Debug for LoaderRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LoaderRef::Sync(_) => "LoaderRef::Sync",
            LoaderRef::Async(_) => "LoaderRef::Async",
        })
    }
}

/// A saver as the application holds it: sync or async.
#[derive(Clone)]
pub enum Saver {
    /// A sync saver (usable from sync and async applications).
    Sync(Arc<dyn StateSaver>),
    /// An async saver (async applications only).
    Async(Arc<dyn AsyncStateSaver>),
}

impl Saver {
    /// The loader reading back what this saver saves, when it has one (see
    /// [`StateSaver::loader`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use burr_core::{InMemoryPersister, Saver};
    /// let saver = Saver::Sync(Arc::new(InMemoryPersister::new()));
    /// assert!(saver.loader().is_some());
    /// ```
    pub fn loader(&self) -> Option<LoaderRef<'_>> {
        match self {
            Saver::Sync(s) => s.loader().map(LoaderRef::Sync),
            Saver::Async(s) => s.loader(),
        }
    }
}

impl fmt::Debug for Saver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Saver::Sync(_) => "Saver::Sync",
            Saver::Async(_) => "Saver::Async",
        })
    }
}

/// A loader as the builder holds it: sync or async.
#[derive(Clone)]
pub enum Loader {
    /// A sync loader.
    Sync(Arc<dyn StateLoader>),
    /// An async loader (async applications only).
    Async(Arc<dyn AsyncStateLoader>),
}

impl fmt::Debug for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Loader::Sync(_) => "Loader::Sync",
            Loader::Async(_) => "Loader::Async",
        })
    }
}

/// Converts a value into a [`Saver`]: any [`StateSaver`] or [`AsyncStateSaver`], an `Arc` of
/// one, or a `Saver`. Sync or async is decided by the type; `M` is inferred. A type that
/// implements both traits converts with [`Saver::Sync`] or [`Saver::Async`] explicitly.
///
/// # Examples
///
/// ```
/// use burr_core::persistence::{IntoSaver, Saver};
/// assert!(matches!(burr_core::InMemoryPersister::new().into_saver(), Saver::Sync(_)));
/// ```
pub trait IntoSaver<M> {
    /// The saver.
    fn into_saver(self) -> Saver;
}

/// Converts a value into a [`Loader`], as [`IntoSaver`] does for savers.
///
/// # Examples
///
/// ```
/// use burr_core::persistence::{IntoLoader, Loader};
/// assert!(matches!(burr_core::InMemoryPersister::new().into_loader(), Loader::Sync(_)));
/// ```
pub trait IntoLoader<M> {
    /// The loader.
    fn into_loader(self) -> Loader;
}

macro_rules! conversions {
    ($into:ident, $method:ident, $out:ident, $sync:ident, $async_:ident) => {
        impl<T: $sync + 'static> $into<marker::Sync> for T {
            fn $method(self) -> $out {
                $out::Sync(Arc::new(self))
            }
        }
        impl<T: $async_ + 'static> $into<marker::Async> for T {
            fn $method(self) -> $out {
                $out::Async(Arc::new(self))
            }
        }
        impl<T: $sync + 'static> $into<marker::SharedSync> for Arc<T> {
            fn $method(self) -> $out {
                $out::Sync(self)
            }
        }
        impl<T: $async_ + 'static> $into<marker::SharedAsync> for Arc<T> {
            fn $method(self) -> $out {
                $out::Async(self)
            }
        }
        impl $into<marker::SharedSync> for Arc<dyn $sync> {
            fn $method(self) -> $out {
                $out::Sync(self)
            }
        }
        impl $into<marker::SharedAsync> for Arc<dyn $async_> {
            fn $method(self) -> $out {
                $out::Async(self)
            }
        }
        impl $into<marker::Converted> for $out {
            fn $method(self) -> $out {
                self
            }
        }
    };
}

conversions!(IntoSaver, into_saver, Saver, StateSaver, AsyncStateSaver);
conversions!(
    IntoLoader,
    into_loader,
    Loader,
    StateLoader,
    AsyncStateLoader
);
