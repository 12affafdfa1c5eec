//! The local tracking client: a lifecycle hook that records every step, span, attribute and
//! stream event of an application into `<root>/<project>/<app_id>/`, in Apache Burr's format.
//!
//! What it writes, per application:
//! - when the application is built: the directory, an empty `log.jsonl`, `metadata.json`
//!   (partition key, fork and spawn parents) and `graph.json` (actions with their reads,
//!   writes, inputs and source; transitions with their condition names; the entrypoint). An
//!   application resumed under an id that already has a `graph.json` only appends to its log.
//!   A fork or a spawned child also appends one line to its parent's `children.jsonl`, under
//!   an exclusive file lock.
//! - while it runs: one `log.jsonl` line per event (`begin_entry`/`end_entry` around each
//!   step, `begin_span`/`end_span`, one `attribute` line per key, `begin_stream`,
//!   `first_item_stream`, `end_stream`), a step's lines in one write (below).
//!
//! # How lines reach the disk
//!
//! Every line is serialized completely into the application's buffer first, and the buffer
//! only ever holds complete lines. The lines of a step (its `begin_entry`, spans, attributes,
//! `begin_stream` and `first_item_stream`) are held there while the step runs, and its
//! `end_entry` writes them all out in one `write`, before the step call returns: a step costs
//! one system call however many spans it opens, and a completed step is on disk when the
//! application hands back its result. (A streaming step's `end_stream`, which comes after its
//! `end_entry`, is a second write.)
//!
//! A step that runs long still shows up while it runs: the client's flusher, a small thread
//! started with the first step and stopped (after writing out what is still held) when the
//! last clone of the client is dropped, looks every 20 ms and writes out lines held since its
//! previous look. A viewer therefore sees a running step's beginning and spans typically 20 to
//! 40 ms after they happen (later only while the disk is slow), and a finished step at once.
//! Each client has its own flusher: create one client per process (or per tracking folder)
//! and clone it, rather than one per request.
//!
//! Each write is whole lines, so a process killed at any moment loses no completed step and
//! leaves at most one torn last line (which the readers of this crate skip, and which the
//! client cuts before it appends again); what it loses is at most the last 50 ms of the step
//! in progress. A write that fails (disk full) is reported, and the next one first cuts what
//! it may have left. There is no `fsync`, as in Burr: a completed write survives the process,
//! not a power cut.
//!
//! The client is also the [`StepJournal`](burr_core::StepJournal) of the applications it
//! tracks: when one that also has a state persister resumes, the builder compares the log
//! with the persister and the client appends, as whole lines, the steps the log lacks (see
//! [`burr_core::persistence`]'s reconciliation).
//!
//! The log file of each application stays open, and each application reuses one line buffer,
//! so an event costs one serialization, and a step one system call.
//!
//! # Examples
//!
//! ```
//! use burr_tracking::LocalTrackingClient;
//! let root = tempfile::tempdir()?;
//! let tracker = LocalTrackingClient::new("chatbot")?.with_storage_dir(root.path());
//! assert_eq!(tracker.app_dir("app-1")?, root.path().join("chatbot").join("app-1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod app;
mod exception;
mod flush;
mod hooks;
mod journal;
mod logs;
#[cfg(feature = "object-store")]
mod remote;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use burr_core::{PersistedState, PersistenceError, StateLoader};

use crate::layout::{IdError, IdKind, default_root, expand_home, validate_id};
use crate::read::TrackingLoader;

use logs::Shared;

/// Errors of [`LocalTrackingClient`].
///
/// # Examples
///
/// ```
/// use burr_tracking::{LocalTrackingClient, client::TrackingError};
/// let err = LocalTrackingClient::new("my project").unwrap_err();
/// assert!(matches!(err, TrackingError::InvalidProject { .. }));
/// assert!(err.to_string().contains("my project"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrackingError {
    /// The project name has characters other than ASCII letters, digits, `_`, `-` and `:`.
    #[error(
        "invalid project name {project:?}: use only ASCII letters, digits, `_`, `-` and `:` (and at least one of them)"
    )]
    InvalidProject {
        /// The rejected name.
        project: String,
    },
    /// An application id cannot name a directory.
    #[error(transparent)]
    InvalidId(#[from] IdError),
    /// A file or directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The tracking root is an object store's URL and this build has no `object-store`
    /// feature.
    #[error("cannot track to {url}: this build of burr-tracking has no `object-store` feature")]
    UnsupportedUrl {
        /// The URL.
        url: String,
    },
    /// The object store could not be opened, or the spool could not be set up or shipped.
    #[cfg(feature = "object-store")]
    #[error(transparent)]
    Store(#[from] crate::object::ObjectStoreError),
    /// A record could not be serialized.
    #[error("cannot serialize the {what} record of application `{app_id}`: {source}")]
    Serialize {
        /// Which record.
        what: &'static str,
        /// The application.
        app_id: String,
        /// The serializer's error.
        #[source]
        source: serde_json::Error,
    },
}

impl TrackingError {
    fn io(path: &Path, source: io::Error) -> Self {
        TrackingError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Checks a project name the way Burr does: `^[A-Za-z0-9_\-:]+$`.
pub(crate) fn validate_project(project: &str) -> Result<&str, TrackingError> {
    let ok = !project.is_empty()
        && project
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':'));
    if ok {
        Ok(project)
    } else {
        Err(TrackingError::InvalidProject {
            project: project.to_string(),
        })
    }
}

/// Records applications into `<root>/<project>/<app_id>/` in Apache Burr's format, so that
/// Burr's UI, this crate's server and [`load_state`](crate::load_state) can read them.
///
/// Add it with `ApplicationBuilder::with_tracker`. The root is `$BURR_PATH` when set, else
/// `~/.burr`, unless [`LocalTrackingClient::with_storage_dir`] says otherwise. One client can
/// serve several applications at once (sub-applications reuse their parent's tracker):
/// clones share the open files, and events are routed by application id.
///
/// A step's lines go out in one write when the step ends (a completed step is on disk when
/// the step call returns); those of a step still running are written out within about 40 ms by a
/// small thread that the clones of a client share, started with the first step and stopped
/// when the last clone is dropped (see
/// [the module documentation](crate::client#how-lines-reach-the-disk)).
///
/// I/O errors while the application runs are reported through `tracing` (target
/// `burr_tracking::client`) and never fail the application. An application id that cannot
/// name a directory (it contains `/`, `..`, `\` or NUL, or starts with `.`) is reported and
/// not recorded: nothing is ever written outside the root.
///
/// The client is also a [`StateLoader`] (loading from the same directory), so it can be
/// handed to `InitializeFrom` to resume or fork a tracked application.
///
/// # Examples
///
/// ```
/// use burr_core::{ApplicationBuilder, Input, ResultAction, default, halt_after, inputs};
/// use burr_tracking::{LocalTrackingClient, load_state};
///
/// let root = tempfile::tempdir()?;
/// let tracker = LocalTrackingClient::new("docs")?.with_storage_dir(root.path());
/// let mut app = ApplicationBuilder::new()
///     .with_action("ask", Input::new(["question"]))
///     .with_action("answer", ResultAction::new(["question"]))
///     .with_transition("ask", "answer", default())
///     .with_entrypoint("ask")
///     .with_app_id("app-1")
///     .with_tracker(tracker)
///     .build()?;
/// app.run(halt_after(["answer"]), inputs! { question: "why?" })?;
///
/// let dir = root.path().join("docs/app-1");
/// assert!(dir.join("graph.json").is_file() && dir.join("metadata.json").is_file());
/// let log = std::fs::read_to_string(dir.join("log.jsonl"))?;
/// assert_eq!(log.lines().count(), 4); // begin_entry + end_entry, twice
/// let loaded = load_state(root.path(), "docs", "app-1", None)?;
/// assert_eq!(loaded.position, "answer");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct LocalTrackingClient {
    project: Arc<str>,
    root: PathBuf,
    project_dir: PathBuf,
    shared: Arc<Shared>,
    #[cfg(feature = "object-store")]
    remote: remote::Settings,
}

impl LocalTrackingClient {
    /// A client for `project`, writing under the root of
    /// [`layout::resolve_root`](crate::layout::resolve_root): `$BURR_PATH` (`~/` expanded),
    /// else `~/.burr`.
    ///
    /// The project name must match `^[A-Za-z0-9_\-:]+$`, as in Burr.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("chatbot")?;
    /// assert_eq!(client.project(), "chatbot");
    /// assert!(burr_tracking::LocalTrackingClient::new("a/b").is_err());
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn new(project: impl Into<String>) -> Result<Self, TrackingError> {
        let project: String = project.into();
        validate_project(&project)?;
        let root = default_root();
        let client = LocalTrackingClient {
            project_dir: root.join(&project),
            project: Arc::from(project),
            root,
            shared: Arc::default(),
            #[cfg(feature = "object-store")]
            remote: remote::Settings::default(),
        };
        match client.root.to_str() {
            Some(url) if crate::layout::is_url(url) => {
                let url = url.to_string();
                client.with_storage(&url)
            }
            _ => Ok(client),
        }
    }

    /// Writes under `dir` instead (a leading `~/` is expanded). Clones made before this call
    /// keep the previous directory.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/tmp/burr");
    /// assert_eq!(client.project_dir(), std::path::Path::new("/tmp/burr/p"));
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    #[must_use]
    pub fn with_storage_dir(self, dir: impl Into<PathBuf>) -> Self {
        let root = expand_home(dir);
        LocalTrackingClient {
            project_dir: root.join(&*self.project),
            project: self.project,
            root,
            shared: Arc::default(),
            #[cfg(feature = "object-store")]
            remote: self.remote,
        }
    }

    /// Writes under `root`: a folder (as [`with_storage_dir`](Self::with_storage_dir)), or,
    /// with the feature `object-store`, an object store's URL such as `s3://bucket/prefix`
    /// (see [`crate::object`]): the client then writes into a spool folder of its own and
    /// ships it to the store in the background.
    ///
    /// # Errors
    ///
    /// [`TrackingError::UnsupportedUrl`] for a URL without the feature;
    /// [`TrackingError::Store`] when the store cannot be opened or the spool set up.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("p")?.with_storage("/tmp/burr")?;
    /// assert_eq!(client.storage_dir(), std::path::Path::new("/tmp/burr"));
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn with_storage(self, root: &str) -> Result<Self, TrackingError> {
        if !crate::layout::is_url(root) {
            return Ok(self.with_storage_dir(root));
        }
        #[cfg(feature = "object-store")]
        {
            self.ship_to(root)
        }
        #[cfg(not(feature = "object-store"))]
        {
            Err(TrackingError::UnsupportedUrl {
                url: root.to_string(),
            })
        }
    }

    /// Writes out the lines held for steps still running and, with an object store as the
    /// root, ships everything written so far (waiting at most the request bound of
    /// [`ShipOptions`](crate::object::ShipOptions)).
    ///
    /// # Errors
    ///
    /// [`TrackingError::Store`] when the store could not be reached: the data stays in the
    /// spool and is shipped later.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("p")?;
    /// client.flush()?;
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn flush(&self) -> Result<(), TrackingError> {
        self.shared.logs.flush_all();
        #[cfg(feature = "object-store")]
        if let Some(shipper) = &self.shared.shipper {
            shipper.flush(self.remote.options.request_timeout)?;
        }
        Ok(())
    }

    /// Whether this client ships to an object store.
    pub(crate) fn ships(&self) -> bool {
        #[cfg(feature = "object-store")]
        {
            self.shared.shipper.is_some()
        }
        #[cfg(not(feature = "object-store"))]
        {
            false
        }
    }

    /// The project name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_tracking::LocalTrackingClient::new("p")?.project(), "p");
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The tracking root (the directory holding the projects).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.storage_dir(), std::path::Path::new("/data"));
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn storage_dir(&self) -> &Path {
        &self.root
    }

    /// The project's directory, `<root>/<project>`.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.project_dir(), std::path::Path::new("/data/p"));
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn project_dir(&self) -> &Path {
        &self.project_dir
    }

    /// The directory of application `app_id`, after checking that the id names one directory.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.app_dir("a1")?, std::path::Path::new("/data/p/a1"));
    /// assert!(c.app_dir("../../etc").is_err());
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn app_dir(&self, app_id: &str) -> Result<PathBuf, TrackingError> {
        Ok(self.project_dir.join(validate_id(IdKind::App, app_id)?))
    }

    /// A loader reading this client's project, for `InitializeFrom` or to inspect steps. For
    /// a client that ships to an object store, the bucket's objects are mirrored first (into
    /// `.mirror` beside the client's spool) and the loader reads that mirror as it is now; the
    /// client's own [`StateLoader`] methods mirror again on each call.
    ///
    /// # Errors
    ///
    /// [`TrackingError::InvalidId`] for a project that cannot name a folder, and
    /// [`TrackingError::Store`] when the bucket cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.loader()?.project(), "p");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn loader(&self) -> Result<TrackingLoader, TrackingError> {
        #[cfg(feature = "object-store")]
        if let Some(shipper) = &self.shared.shipper {
            // The bucket (through its mirror, brought up to date now), not the spool: it has
            // the whole history. The store is the one the client ships to, with its options.
            let dir = crate::object::synced_root(
                shipper.root().clone(),
                &shipper.mirror_dir(),
                &self.project,
            )?;
            return Ok(TrackingLoader::with_root(dir, &self.project)?);
        }
        Ok(TrackingLoader::with_root(&self.root, &self.project)?)
    }
}

impl StateLoader for LocalTrackingClient {
    fn load(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: Option<u64>,
    ) -> Result<Option<PersistedState>, PersistenceError> {
        self.loader()
            .map_err(PersistenceError::backend)?
            .load(partition_key, app_id, sequence_id)
    }

    fn list_app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError> {
        self.loader()
            .map_err(PersistenceError::backend)?
            .list_app_ids(partition_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_follow_burr() {
        for ok in ["p", "demo_counter", "demo:counter_1", "a-b:c", "X9"] {
            assert!(validate_project(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a/b", "..", ".x", "../etc", "é", "a\0"] {
            assert!(validate_project(bad).is_err(), "{bad:?}");
        }
    }
}
