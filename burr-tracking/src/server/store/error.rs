//! [`StoreError`]: why the store could not answer.

use std::io;
use std::path::{Path, PathBuf};

use crate::read::{ReadError, Refusal};

/// Why the store could not answer.
///
/// The messages name files by their path below the tracking root (`p/app/log.jsonl`), never
/// by a path of the machine, so they can be shown to whoever calls the server.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{Store, StoreError};
/// let root = tempfile::tempdir().unwrap();
/// let store = Store::new(root.path());
/// assert!(matches!(store.summary("p", "missing"), Err(StoreError::AppNotFound { .. })));
/// assert!(matches!(store.summary("..", "x"), Err(StoreError::InvalidId { .. })));
/// let long = "x".repeat(300);
/// let err = store.summary(&long, "x").unwrap_err();
/// assert!(matches!(err, StoreError::InvalidId { .. }));
/// assert!(!err.to_string().contains(&root.path().display().to_string()));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An id from a URL is not a plain directory name (empty, `.`/`..`, a separator, too
    /// long, ...).
    #[error("invalid id {id:?}: ids are plain names without separators, at most 255 bytes")]
    InvalidId {
        /// The id as given.
        id: String,
    },
    /// No such project directory.
    #[error("Project: {project} not found")]
    ProjectNotFound {
        /// The project asked for.
        project: String,
    },
    /// No such app directory.
    #[error("App: {app_id} from project: {project} not found")]
    AppNotFound {
        /// The project asked for.
        project: String,
        /// The app asked for.
        app_id: String,
    },
    /// The app has no `graph.json` (Burr's server answers 404 too).
    #[error("Graph file for app: {app_id} from project: {project} not found")]
    GraphNotFound {
        /// The project asked for.
        project: String,
        /// The app asked for.
        app_id: String,
    },
    /// A folder or file is not read: a symbolic link, or not a regular file (see
    /// [`Refusal`]).
    #[error("{} is not served: {reason}", path.display())]
    Refused {
        /// The path below the root.
        path: PathBuf,
        /// The rule it breaks.
        reason: Refusal,
    },
    /// A file is larger than what is read of it.
    #[error("{} is larger than {limit} bytes, not read", path.display())]
    TooLarge {
        /// The path below the root.
        path: PathBuf,
        /// The budget, in bytes.
        limit: u64,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path below the root.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The app's steps are more JSON than one answer may hold ([`MAX_RESPONSE`](super::MAX_RESPONSE)): they are to
    /// be read in pages from `/api/v1/{project}/{app_id}/steps`.
    #[error(
        "the steps of app {app_id} in project {project} are more than {limit} bytes of JSON; \
         read them in pages from /api/v1/{project}/{app_id}/steps"
    )]
    ResponseTooLarge {
        /// The project asked for.
        project: String,
        /// The app asked for.
        app_id: String,
        /// The bound, in bytes.
        limit: usize,
    },
    /// One step alone is more JSON than one answer may hold ([`MAX_RESPONSE`](super::MAX_RESPONSE)).
    #[error("step {sequence_id} alone is more than {limit} bytes of JSON, not served")]
    StepTooLarge {
        /// The step.
        sequence_id: u64,
        /// The bound, in bytes.
        limit: usize,
    },
    /// The app has no step with this sequence id.
    #[error("Step: {sequence_id} of app: {app_id} from project: {project} not found")]
    StepNotFound {
        /// The project asked for.
        project: String,
        /// The app asked for.
        app_id: String,
        /// The step asked for.
        sequence_id: u64,
    },
    /// No annotation of the project has this id.
    #[error("Annotation: {id} from project: {project} not found")]
    AnnotationNotFound {
        /// The project asked for.
        project: String,
        /// The annotation asked for.
        id: u64,
    },
    /// A JSON file of the app is malformed.
    #[error("malformed {}: {message}", path.display())]
    Malformed {
        /// The path below the root.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl StoreError {
    /// The reader's error about a file under `root`, with the path made relative to the root
    /// (a path elsewhere keeps only its file name).
    pub(in crate::server) fn from_read(err: ReadError, root: &Path) -> Self {
        let below = |path: PathBuf| match path.strip_prefix(root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.file_name().map(PathBuf::from).unwrap_or_default(),
        };
        match err {
            ReadError::InvalidId(id) => StoreError::InvalidId { id: id.id },
            ReadError::Io { path, source } => StoreError::Io {
                path: below(path),
                source,
            },
            ReadError::Refused { path, reason } => StoreError::Refused {
                path: below(path),
                reason,
            },
            ReadError::TooLarge { path, limit } => StoreError::TooLarge {
                path: below(path),
                limit,
            },
            ReadError::Invalid { path, source } => StoreError::Malformed {
                path: below(path),
                message: source.to_string(),
            },
        }
    }

    /// Whether the error means that nothing is there to show (a 404).
    pub(in crate::server) fn is_not_found(&self) -> bool {
        match self {
            StoreError::InvalidId { .. }
            | StoreError::ProjectNotFound { .. }
            | StoreError::AppNotFound { .. }
            | StoreError::GraphNotFound { .. }
            | StoreError::StepNotFound { .. }
            | StoreError::AnnotationNotFound { .. }
            | StoreError::Refused { .. } => true,
            StoreError::Io { source, .. } => matches!(
                source.kind(),
                io::ErrorKind::NotFound
                    | io::ErrorKind::NotADirectory
                    | io::ErrorKind::InvalidFilename
            ),
            _ => false,
        }
    }
}
