//! A client whose root is an object store: its settings, and how it starts shipping.

use std::path::PathBuf;
use std::sync::Arc;

use super::logs::Shared;
use super::{LocalTrackingClient, TrackingError};
use crate::object::ship::Shipper;
use crate::object::{ObjectRoot, ShipOptions, default_spool_base};

/// The settings of a client that ships to an object store.
#[derive(Debug, Clone, Default)]
pub(super) struct Settings {
    /// Where spool folders go (by default under [`crate::object::cache_dir`]).
    pub(super) spool_base: Option<PathBuf>,
    pub(super) options: ShipOptions,
}

impl LocalTrackingClient {
    /// Puts the spool of a client that ships to an object store under `dir` (each client
    /// creates a folder of its own there; a folder left by a client that died is shipped by
    /// the next one). Call it before [`with_storage`](Self::with_storage).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("p")?.with_spool_dir("/var/spool/burr");
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    #[must_use]
    pub fn with_spool_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.remote.spool_base = Some(crate::layout::expand_home(dir));
        self
    }

    /// How a client that ships to an object store batches and waits (see [`ShipOptions`]).
    /// Call it before [`with_storage`](Self::with_storage).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use burr_tracking::object::ShipOptions;
    /// let options = ShipOptions { interval: Duration::from_millis(200), ..ShipOptions::default() };
    /// let client = burr_tracking::LocalTrackingClient::new("p")?.with_ship_options(options);
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    #[must_use]
    pub fn with_ship_options(mut self, options: ShipOptions) -> Self {
        self.remote.options = options;
        self
    }

    /// Writes to the object store `root` (opened by the caller, for options beyond the
    /// environment's): as [`with_storage`](Self::with_storage) with its URL.
    ///
    /// # Errors
    ///
    /// [`TrackingError::Store`] when the spool cannot be set up.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::object::ObjectRoot;
    /// let spool = tempfile::tempdir()?;
    /// let root = ObjectRoot::open("memory:///runs")?;
    /// let client = burr_tracking::LocalTrackingClient::new("p")?
    ///     .with_spool_dir(spool.path())
    ///     .with_object_store(root)?;
    /// assert!(client.storage_dir().starts_with(spool.path()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_object_store(self, root: ObjectRoot) -> Result<Self, TrackingError> {
        self.ship_into(root)
    }

    /// Starts shipping to the store `url` names, from a new spool folder.
    pub(super) fn ship_to(self, url: &str) -> Result<Self, TrackingError> {
        self.ship_into(ObjectRoot::open(url)?)
    }

    fn ship_into(self, root: ObjectRoot) -> Result<Self, TrackingError> {
        let base = self
            .remote
            .spool_base
            .clone()
            .unwrap_or_else(|| default_spool_base(&root));
        let shipper = Shipper::start(root, &base, self.remote.options.clone())?;
        let spool = shipper.spool().to_path_buf();
        Ok(LocalTrackingClient {
            project_dir: spool.join(&*self.project),
            root: spool,
            project: self.project,
            shared: Arc::new(Shared::shipping(shipper)),
            remote: self.remote,
        })
    }
}
