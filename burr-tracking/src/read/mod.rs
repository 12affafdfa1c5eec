//! Reading a tracking directory back: projects, applications, their logs grouped into steps,
//! and the state of any step ([`load_state`]).
//!
//! The layout is `<root>/<project>/<app_id>/{graph.json, metadata.json, log.jsonl,
//! children.jsonl}` (see [`crate::format`]). Everything here is tolerant of damaged files: a
//! torn last line, blank lines, CRLF endings, invalid UTF-8 (replaced by U+FFFD), huge lines
//! and records with missing or wrongly typed keys are skipped and counted in
//! [`LogRead::skipped`]; nothing panics and one bad line never hides the rest of the log.
//!
//! Project and application ids are checked before any path is built (see
//! [`layout::app_dir`](crate::layout::app_dir)), so no id can point outside the root.
//!
//! # Examples
//!
//! ```
//! use burr_tracking::read;
//!
//! let root = tempfile::tempdir()?;
//! let app = root.path().join("p").join("app-1");
//! std::fs::create_dir_all(&app)?;
//! std::fs::write(app.join("log.jsonl"), concat!(
//!     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"count","inputs":{},"sequence_id":0}"#, "\n",
//!     r#"{"type":"end_entry","end_time":"2024-01-01T00:00:01","action":"count","result":{},"exception":null,"state":{"n":1},"sequence_id":0}"#, "\n",
//!     r#"{"type":"begin_entry","start_ti"#,
//! ))?;
//!
//! let apps = read::list_apps(root.path(), "p")?;
//! assert_eq!(apps[0].app_id, "app-1");
//! assert_eq!(apps[0].num_steps, 1);
//!
//! let log = read::read_log(&app.join("log.jsonl"))?;
//! assert_eq!(log.skipped, 1); // the torn last line
//! let steps = read::steps_from_records(log.records);
//! assert_eq!(steps.len(), 1);
//! assert_eq!(steps[0].step_end_log.as_ref().unwrap().state["n"], 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Loading a step's state
//!
//! [`load_state`] follows Apache Burr's `LocalTrackingClient.load`: it takes the last
//! `end_entry` of the log (or the last one with the requested sequence id), drops every state
//! key starting with `__`, sets `__SEQUENCE_ID` to the step's sequence id, and reports the
//! step's action and whether it failed. Unlike Burr it reads the log from the end, so loading
//! the latest step of a long log costs about as much as loading it from a short one, and it
//! passes over damaged lines instead of failing.
//!
//! [`TrackingLoader`] plugs the same into
//! [`ApplicationBuilder::initialize_from`](burr_core::ApplicationBuilder::initialize_from).
//!
//! ```
//! use burr_tracking::{load_state, LoadError};
//!
//! let root = tempfile::tempdir()?;
//! let app = root.path().join("p/app-1");
//! std::fs::create_dir_all(&app)?;
//! std::fs::write(app.join("log.jsonl"), concat!(
//!     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"count","inputs":{},"sequence_id":0}"#, "\n",
//!     r#"{"type":"end_entry","end_time":"2024-01-01T00:00:01","action":"count","result":{},"exception":null,"state":{"n":1,"__SEQUENCE_ID":0,"__PRIOR_STEP":"count"},"sequence_id":0}"#, "\n",
//! ))?;
//!
//! let loaded = load_state(root.path(), "p", "app-1", None)?;
//! assert_eq!(loaded.position, "count");
//! assert_eq!(loaded.state.to_json(), serde_json::json!({"n": 1, "__SEQUENCE_ID": 0}));
//! assert!(matches!(
//!     load_state(root.path(), "p", "app-1", Some(5)),
//!     Err(LoadError::StepNotFound { .. })
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod budget;
mod lines;
mod listing;
mod load;
mod steps;
mod test_case;

use std::io;
use std::path::{Path, PathBuf};

use crate::layout::IdError;

pub(crate) use budget::read_capped;
pub use budget::{MAX_CHILDREN_FILE, MAX_JSON_FILE, MAX_LINE};
pub use lines::{
    ChildrenRead, LineProblem, LogRead, MAX_REPORTED_PROBLEMS, num_steps, parse_children,
    parse_log, read_children, read_log,
};
pub(crate) use lines::{ReverseLines, lossy};
#[cfg(feature = "server")]
pub(crate) use lines::{is_blank, read_children_at};
pub(crate) use listing::changed_time;
pub use listing::{
    AppEntry, AppLogs, ProjectEntry, list_apps, list_projects, read_app, read_app_graph,
    read_graph, read_metadata,
};
#[cfg(feature = "server")]
pub(crate) use listing::{read_graph_at, read_metadata_at};
pub use load::{LoadError, LoadedState, TrackingLoader, load_state};
pub(crate) use load::{loaded_from, log_created_at};
pub(crate) use steps::begun_step;
pub use steps::{Span, Step, StreamEvent, steps_from_records};
pub use test_case::test_case;

/// Why a file of the tracking directory could not be read.
///
/// # Examples
///
/// ```
/// let err = burr_tracking::read::read_log(std::path::Path::new("/nonexistent/log.jsonl"))
///     .unwrap_err();
/// assert!(err.is_not_found());
/// assert!(err.to_string().contains("/nonexistent/log.jsonl"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A project or application id was rejected.
    #[error(transparent)]
    InvalidId(#[from] IdError),
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A folder or file under the root breaks a rule of what is read (see [`Refusal`]).
    #[error("refused {}: {reason}", path.display())]
    Refused {
        /// The path.
        path: PathBuf,
        /// The rule it breaks.
        reason: Refusal,
    },
    /// A file is larger than what is read of it (see [`MAX_JSON_FILE`]).
    #[error("{} is larger than {limit} bytes, not read", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The budget, in bytes.
        limit: u64,
    },
    /// `graph.json` or `metadata.json` is not valid.
    #[error("invalid {}: {source}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: serde_json::Error,
    },
}

/// Why a folder or file under a tracking root is not read.
///
/// Nothing below the root is read through a symbolic link (wherever it points), and only
/// regular files are read: a FIFO could block a reader forever and a device could feed it
/// without end.
///
/// # Examples
///
/// ```
/// # #[cfg(unix)] {
/// use burr_tracking::read::{ReadError, Refusal};
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/a"))?;
/// std::os::unix::fs::symlink("/etc/passwd", root.path().join("p/a/log.jsonl"))?;
/// let err = burr_tracking::read::read_app(root.path(), "p", "a").unwrap_err();
/// assert!(matches!(err, ReadError::Refused { reason: Refusal::Symlink, .. }));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The entry is a symbolic link.
    Symlink,
    /// A file was expected: the entry is a folder, a FIFO, a socket or a device.
    NotAFile,
    /// A folder was expected.
    NotAFolder,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Symlink => {
                "a symbolic link (links below the tracking folder are not followed)"
            }
            Refusal::NotAFile => "not a regular file",
            Refusal::NotAFolder => "not a folder",
        })
    }
}

impl ReadError {
    /// Whether the error is a missing file or directory.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::read::num_steps;
    /// assert!(num_steps(std::path::Path::new("/no/such/log.jsonl")).unwrap_err().is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    /// The path the error is about (as the caller named it), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::path::Path::new("/nonexistent/log.jsonl");
    /// let err = burr_tracking::read::read_log(path).unwrap_err();
    /// assert_eq!(err.path(), Some(path));
    /// ```
    pub fn path(&self) -> Option<&Path> {
        match self {
            ReadError::InvalidId(_) => None,
            ReadError::Io { path, .. }
            | ReadError::Refused { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Invalid { path, .. } => Some(path),
        }
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        ReadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
