//! [`Blocking`]: a sync saver or loader made async by running it on tokio's blocking threads.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::{
    AsyncStateLoader, AsyncStateSaver, JournalEntry, LoaderRef, PersistedState, PersistenceError,
    SaveRequest, StateLoader, StateSaver, Status,
};
use crate::state::State;

/// A sync [`StateSaver`] / [`StateLoader`] (a SQLite file, say) that an async application
/// calls on tokio's blocking threads, so that its disk I/O never stalls the runtime. Outside a
/// tokio runtime it runs inline. It implements only the async traits: give the bare persister
/// to sync applications, the wrapped one to async applications that must not block.
///
/// # Examples
///
/// ```
/// use burr_core::{ApplicationBuilder, InMemoryPersister, Input};
/// use burr_core::persistence::Blocking;
/// # tokio::runtime::Builder::new_multi_thread().build().unwrap().block_on(async {
/// let store = InMemoryPersister::new();
/// let mut app = ApplicationBuilder::new()
///     .with_action("ask", Input::new(["q"]))
///     .with_entrypoint("ask")
///     .with_state_persister(Blocking::new(store.clone()))
///     .build_async()
///     .await?;
/// app.step_with_async(&burr_core::inputs! { q: "why?" }).await?;
/// assert_eq!(burr_core::StateLoader::list_app_ids(&store, None)?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct Blocking<P>(Arc<P>);

impl<P> Clone for Blocking<P> {
    fn clone(&self) -> Self {
        Blocking(self.0.clone())
    }
}

impl<P> Blocking<P> {
    /// Wraps `persister`.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = burr_core::persistence::Blocking::new(burr_core::InMemoryPersister::new());
    /// # let _ = p;
    /// ```
    pub fn new(persister: P) -> Self {
        Blocking(Arc::new(persister))
    }

    /// The wrapped persister.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = burr_core::persistence::Blocking::new(burr_core::InMemoryPersister::new());
    /// assert!(burr_core::StateLoader::list_app_ids(p.inner(), None).unwrap().is_empty());
    /// ```
    pub fn inner(&self) -> &P {
        &self.0
    }
}

/// Runs `f` on tokio's blocking pool when inside a tokio runtime, inline otherwise.
async fn blocking<T, F>(f: F) -> Result<T, PersistenceError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, PersistenceError> + Send + 'static,
{
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle
            .spawn_blocking(f)
            .await
            .map_err(PersistenceError::backend)?,
        Err(_) => f(),
    }
}

impl<P: StateSaver + 'static> AsyncStateSaver for Blocking<P> {
    fn initialize(&self) -> BoxFuture<'_, Result<(), PersistenceError>> {
        let p = self.0.clone();
        Box::pin(blocking(move || p.initialize()))
    }

    fn is_initialized(&self) -> BoxFuture<'_, Result<bool, PersistenceError>> {
        let p = self.0.clone();
        Box::pin(blocking(move || p.is_initialized()))
    }

    fn save<'a>(&'a self, r: SaveRequest<'a>) -> BoxFuture<'a, Result<(), PersistenceError>> {
        let p = self.0.clone();
        let owned = OwnedRequest::from(&r);
        Box::pin(blocking(move || p.save(owned.as_request())))
    }

    fn save_journal<'a>(
        &'a self,
        entry: &'a JournalEntry,
    ) -> BoxFuture<'a, Result<(), PersistenceError>> {
        let p = self.0.clone();
        let entry = entry.clone();
        Box::pin(blocking(move || p.save_journal(&entry)))
    }

    /// The wrapped persister's own loader, called inline: only a resume reads through it.
    fn loader(&self) -> Option<LoaderRef<'_>> {
        self.0.loader().map(LoaderRef::Sync)
    }
}

impl<P: StateLoader + 'static> AsyncStateLoader for Blocking<P> {
    fn load<'a>(
        &'a self,
        partition_key: Option<&'a str>,
        app_id: &'a str,
        sequence_id: Option<u64>,
    ) -> BoxFuture<'a, Result<Option<PersistedState>, PersistenceError>> {
        let p = self.0.clone();
        let partition_key = partition_key.map(str::to_string);
        let app_id = app_id.to_string();
        Box::pin(blocking(move || {
            p.load(partition_key.as_deref(), &app_id, sequence_id)
        }))
    }

    fn list_app_ids<'a>(
        &'a self,
        partition_key: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>, PersistenceError>> {
        let p = self.0.clone();
        let partition_key = partition_key.map(str::to_string);
        Box::pin(blocking(move || p.list_app_ids(partition_key.as_deref())))
    }

    fn load_journal<'a>(
        &'a self,
        partition_key: Option<&'a str>,
        app_id: &'a str,
        sequence_id: u64,
    ) -> BoxFuture<'a, Result<Vec<JournalEntry>, PersistenceError>> {
        let p = self.0.clone();
        let partition_key = partition_key.map(str::to_string);
        let app_id = app_id.to_string();
        Box::pin(blocking(move || {
            p.load_journal(partition_key.as_deref(), &app_id, sequence_id)
        }))
    }
}

/// A [`SaveRequest`] that owns its parts, to cross to another thread (the state is shared,
/// not copied).
struct OwnedRequest {
    partition_key: Option<String>,
    app_id: String,
    sequence_id: u64,
    position: String,
    state: State,
    status: Status,
}

impl From<&SaveRequest<'_>> for OwnedRequest {
    fn from(r: &SaveRequest<'_>) -> Self {
        OwnedRequest {
            partition_key: r.partition_key.map(str::to_string),
            app_id: r.app_id.to_string(),
            sequence_id: r.sequence_id,
            position: r.position.to_string(),
            state: r.state.clone(),
            status: r.status,
        }
    }
}

impl OwnedRequest {
    fn as_request(&self) -> SaveRequest<'_> {
        SaveRequest {
            partition_key: self.partition_key.as_deref(),
            app_id: &self.app_id,
            sequence_id: self.sequence_id,
            position: &self.position,
            state: &self.state,
            status: self.status,
        }
    }
}
