//! Tracking to object storage (feature `object-store`): S3, GCS, Azure Blob Storage (and
//! local files) through the [`object_store`] crate, in Apache Burr's S3 layout, so Burr's own
//! S3 server and this crate read the same bucket.
//!
//! - **Writing**: a [`LocalTrackingClient`](crate::LocalTrackingClient) whose root is a URL
//!   (`BURR_PATH=s3://bucket/prefix`, or
//!   [`with_storage`](crate::LocalTrackingClient::with_storage)) writes into a local spool
//!   folder as usual, and a thread of its own ships what was written to the bucket every
//!   [`ShipOptions::interval`] or [`ShipOptions::batch`] lines, on
//!   [`flush`](crate::LocalTrackingClient::flush) and when the client goes away. A step
//!   never waits for the network; a store that fails is retried, and what was not shipped
//!   stays in the spool until it is (see [`ship`]).
//! - **Reading**: a [`Mirror`] copies the bucket's new objects into a local folder in the
//!   local layout, with an index of what it saw; the `burr` server (`burr --dir
//!   s3://bucket/prefix`) and the loader ([`load_state`](crate::load_state) with a URL as
//!   root) read that folder.
//!
//! Keys are `{prefix}/data/{project}/{YYYY}/{MM}/{DD}/{HH}/{mm:ss.ffffff+00:00}/{partition
//! key or __none__}/{app_id}/{file}`: `graph.json`, `metadata.json`, `{uuid}__log.jsonl`,
//! and `{uuid}__children.jsonl` (the parent's fork and spawn records, which Burr's server
//! reads as a log of no known records and ignores).
//!
//! The standard variables configure the store: `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP` for S3 (and S3-compatible servers);
//! `GOOGLE_SERVICE_ACCOUNT`... for GCS; `AZURE_STORAGE_ACCOUNT_NAME`,
//! `AZURE_STORAGE_ACCOUNT_KEY`... for Azure.
//!
//! # Examples
//!
//! ```
//! use burr_core::{ApplicationBuilder, Input, ResultAction, default, halt_after, inputs};
//! use burr_tracking::LocalTrackingClient;
//!
//! let spool = tempfile::tempdir()?;
//! let bucket = tempfile::tempdir()?;
//! let url = format!("file://{}", bucket.path().display());
//! let tracker = LocalTrackingClient::new("docs")?
//!     .with_spool_dir(spool.path())
//!     .with_storage(&url)?;
//! let mut app = ApplicationBuilder::new()
//!     .with_action("ask", Input::new(["question"]))
//!     .with_action("answer", ResultAction::new(["question"]))
//!     .with_transition("ask", "answer", default())
//!     .with_entrypoint("ask")
//!     .with_app_id("app-1")
//!     .with_tracker(tracker.clone())
//!     .build()?;
//! app.run(halt_after(["answer"]), inputs! { question: "why?" })?;
//! tracker.flush()?; // ships now rather than within a second
//!
//! let loaded = burr_tracking::load_state(std::path::Path::new(&url), "docs", "app-1", None)?;
//! assert_eq!(loaded.position, "answer");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
pub(crate) mod keys;
mod mirror;
pub mod ship;
mod store;

use std::path::PathBuf;

pub use crate::layout::is_url as is_store_url;
pub use error::ObjectStoreError;
pub use mirror::{Mirror, SyncReport};
pub use ship::ShipOptions;
pub use store::ObjectRoot;

/// The folder for local data about object stores: `$BURR_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/burr`, else `~/.cache/burr` (`.burr-cache` in the current folder when
/// there is no home).
///
/// # Examples
///
/// ```
/// let dir = burr_tracking::object::cache_dir();
/// assert!(!dir.as_os_str().is_empty());
/// ```
pub fn cache_dir() -> PathBuf {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("BURR_CACHE_DIR") {
        return crate::layout::expand_home(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("burr");
    }
    std::env::home_dir().map_or_else(|| PathBuf::from(".burr-cache"), |h| h.join(".cache/burr"))
}

/// Where a client keeps its spool for `root` by default: `{cache_dir}/spool/{url as a name}`.
pub(crate) fn default_spool_base(root: &ObjectRoot) -> PathBuf {
    cache_dir().join("spool").join(root.slug())
}

/// Where a mirror of `root` lives by default: `{cache_dir}/mirror/{url as a name}`.
///
/// # Examples
///
/// ```
/// let root = burr_tracking::object::ObjectRoot::open("s3://bucket/runs")?;
/// let dir = burr_tracking::object::default_mirror_dir(&root);
/// assert!(dir.ends_with("mirror/s3___bucket_runs"));
/// # Ok::<(), burr_tracking::object::ObjectStoreError>(())
/// ```
pub fn default_mirror_dir(root: &ObjectRoot) -> PathBuf {
    cache_dir().join("mirror").join(root.slug())
}

/// Runs `future` to its end from code that is not async, on a small runtime of its own in
/// another thread (so it works inside and outside a tokio runtime).
pub(crate) fn block_on<T: Send>(future: impl std::future::Future<Output = T> + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a current-thread runtime starts")
                    .block_on(future)
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Brings the mirror of `root` kept in `dir` up to date for `project` and returns its
/// tracking root (for the loader).
pub(crate) fn synced_root(
    root: ObjectRoot,
    dir: &std::path::Path,
    project: &str,
) -> Result<PathBuf, ObjectStoreError> {
    let mirror = Mirror::open(root, dir)?;
    block_on(mirror.sync_project(project))?;
    Ok(mirror.data_dir().to_path_buf())
}
