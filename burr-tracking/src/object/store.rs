//! A bucket (or folder) named by URL: `s3://bucket/prefix`, `gs://…`, `az://…`, `file:///…`,
//! opened with the `object_store` crate and the standard variables of each cloud.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::path::Path;

use super::ObjectStoreError;

/// An object store and the prefix under which the tracking data lives.
///
/// # Examples
///
/// ```
/// use burr_tracking::object::ObjectRoot;
/// let root = ObjectRoot::open("memory:///runs")?;
/// assert_eq!(root.url(), "memory:///runs");
/// assert_eq!(root.prefix().as_ref(), "runs");
/// assert!(ObjectRoot::open("nope://x").is_err());
/// # Ok::<(), burr_tracking::object::ObjectStoreError>(())
/// ```
#[derive(Clone)]
pub struct ObjectRoot {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    url: String,
}

impl std::fmt::Debug for ObjectRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectRoot")
            .field("url", &self.url)
            .finish()
    }
}

impl ObjectRoot {
    /// Opens the store `url` names, configured from the environment: for S3 `AWS_ENDPOINT_URL`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`...; for
    /// GCS the `GOOGLE_*` variables; for Azure the `AZURE_*` ones. Nothing is contacted yet.
    ///
    /// # Errors
    ///
    /// [`ObjectStoreError::InvalidUrl`] for a URL that is not one, or names a store this
    /// build does not speak or cannot configure (a bucket missing, say).
    ///
    /// # Examples
    ///
    /// ```
    /// let root = burr_tracking::object::ObjectRoot::open("s3://bucket/runs")?;
    /// assert_eq!(root.prefix().as_ref(), "runs");
    /// # Ok::<(), burr_tracking::object::ObjectStoreError>(())
    /// ```
    pub fn open(url: &str) -> Result<ObjectRoot, ObjectStoreError> {
        ObjectRoot::open_with(url, std::iter::empty::<(String, String)>())
    }

    /// [`ObjectRoot::open`] with `options` (named as the environment variables are, such as
    /// `AWS_ENDPOINT_URL`) taking precedence over the environment.
    ///
    /// # Errors
    ///
    /// As [`ObjectRoot::open`].
    ///
    /// # Examples
    ///
    /// ```
    /// let root = burr_tracking::object::ObjectRoot::open_with(
    ///     "s3://bucket",
    ///     [("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"), ("AWS_ALLOW_HTTP", "true")],
    /// )?;
    /// assert_eq!(root.url(), "s3://bucket");
    /// # Ok::<(), burr_tracking::object::ObjectStoreError>(())
    /// ```
    pub fn open_with<K: Into<String>, V: Into<String>>(
        url: &str,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ObjectRoot, ObjectStoreError> {
        let invalid = |reason: String| ObjectStoreError::InvalidUrl {
            url: url.to_string(),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
        // Later entries win: the environment first, then what the caller gave.
        let given: Vec<(String, String)> = options
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let options: Vec<(String, String)> = std::env::vars().chain(given).collect();
        let (store, prefix) =
            object_store::parse_url_opts(&parsed, options).map_err(|e| invalid(e.to_string()))?;
        Ok(ObjectRoot {
            store: Arc::from(store),
            prefix,
            url: url.to_string(),
        })
    }

    /// A root over a store built by the caller, with `prefix` (`""` for the bucket's root, as
    /// Apache Burr writes).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let store = Arc::new(object_store::memory::InMemory::new());
    /// let root = burr_tracking::object::ObjectRoot::new(store, "team-a", "memory:///team-a");
    /// assert_eq!(root.prefix().as_ref(), "team-a");
    /// ```
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str, url: impl Into<String>) -> ObjectRoot {
        ObjectRoot {
            store,
            prefix: Path::from(prefix),
            url: url.into(),
        }
    }

    /// The URL it was opened from.
    ///
    /// # Examples
    ///
    /// ```
    /// let root = burr_tracking::object::ObjectRoot::open("memory:///")?;
    /// assert_eq!(root.url(), "memory:///");
    /// # Ok::<(), burr_tracking::object::ObjectStoreError>(())
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The prefix under which `data/` lives.
    ///
    /// # Examples
    ///
    /// ```
    /// let root = burr_tracking::object::ObjectRoot::open("memory:///a/b")?;
    /// assert_eq!(root.prefix().as_ref(), "a/b");
    /// # Ok::<(), burr_tracking::object::ObjectStoreError>(())
    /// ```
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// The store.
    ///
    /// # Examples
    ///
    /// ```
    /// let root = burr_tracking::object::ObjectRoot::open("memory:///")?;
    /// assert!(root.store().to_string().contains("InMemory"));
    /// # Ok::<(), burr_tracking::object::ObjectStoreError>(())
    /// ```
    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// A folder name for local data about this store (its spool, its index): the URL with
    /// every character other than ASCII letters, digits, `-` and `.` made `_`.
    pub(crate) fn slug(&self) -> String {
        let slug: String = self
            .url
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        slug.trim_matches(['_', '.']).chars().take(120).collect()
    }
}
