//! What can go wrong between the tracking data and an object store.

use std::path::PathBuf;
use std::time::Duration;

/// An error of object-store tracking.
///
/// # Examples
///
/// ```
/// use burr_tracking::object::{ObjectRoot, ObjectStoreError};
/// let err = ObjectRoot::open("s3:/").unwrap_err();
/// assert!(matches!(err, ObjectStoreError::InvalidUrl { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectStoreError {
    /// The URL does not name a store this build can open.
    #[error("cannot open the object store {url}: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The store answered with an error, or could not be reached.
    #[error("object store {url}: {source}")]
    Store {
        /// The store's URL.
        url: String,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
    /// Tracking data could not be shipped to the store yet (it is kept and retried).
    #[error("object store {url} unavailable, tracking data kept and retried: {reason}")]
    Unavailable {
        /// The store's URL.
        url: String,
        /// The last error.
        reason: String,
    },
    /// The store did not answer in time.
    #[error("object store {url} did not answer within {after:?}")]
    Timeout {
        /// The store's URL.
        url: String,
        /// The bound.
        after: Duration,
    },
    /// A local file (the spool, the index) could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The local index could not be read or written.
    #[error("the index {}: {source}", path.display())]
    Index {
        /// The index file.
        path: PathBuf,
        /// The error.
        #[source]
        source: rusqlite::Error,
    },
}

impl ObjectStoreError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        ObjectStoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
