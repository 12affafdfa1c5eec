//! The tracking server: Apache Burr's read API plus paging and live updates, and the web UI.
//!
//! [`router`] builds the whole HTTP surface from a [`Store`] without opening a socket, so tests
//! call it with `tower::ServiceExt::oneshot`; [`serve`] binds an address and runs it.
//!
//! Burr-compatible endpoints (same paths and JSON shapes as Apache Burr's server):
//!
//! | path | answer |
//! |---|---|
//! | `GET /ready` | `{"ready":true}` |
//! | `GET /api/v0/ready` | `true` |
//! | `GET /api/v0/version` | `{"version":"<this crate's version>"}` |
//! | `GET /api/v0/metadata/app_spec` | what this backend supports |
//! | `GET /api/v0/projects` | every project directory |
//! | `GET /api/v0/{project}/{partition_key}/apps?limit&offset` | apps, newest first (`__none__` = all) |
//! | `GET /api/v0/{project}/{app_id}/{partition_key}/apps` | graph, children and every step of one app |
//!
//! Endpoints of our own, for large and running apps:
//!
//! | path | answer |
//! |---|---|
//! | `GET /api/v1/{project}/{app_id}/summary` | graph, links, step count, log size, problems |
//! | `GET /api/v1/{project}/{app_id}/steps?from&to&limit&order` | a page of steps by sequence id |
//! | `GET /api/v1/{project}/{app_id}/wait?log_size&timeout_ms` | long poll: answers when the log grows |
//! | `POST /api/v1/demo` (JSON) | adds the missing demo projects (see [`crate::demo`]) |
//!
//! Ids in paths are checked before any file is touched: `..`, absolute paths and encoded
//! separators answer 404 and never reach outside the root.
//!
//! # Examples
//!
//! ```
//! use burr_tracking::server::{Store, router};
//! use tower::ServiceExt;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let root = tempfile::tempdir().unwrap();
//! let request = axum::http::Request::get("/api/v0/projects")
//!     .body(axum::body::Body::empty())
//!     .unwrap();
//! let response = router(Store::new(root.path())).oneshot(request).await.unwrap();
//! let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
//! assert_eq!(&body[..], b"[]");
//! # });
//! ```

mod api;
mod assets;
mod index;
mod store;

use std::net::SocketAddr;

use axum::Router;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use store::{
    AppListEntry, AppPage, AppSummary, LogStatus, MAX_PAGE, Order, ProjectSummary, StepQuery,
    Store, StoreError,
};

/// Builds the HTTP router (API and UI) over a store, without binding any socket.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{Store, router};
/// use tower::ServiceExt;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let root = tempfile::tempdir().unwrap();
/// let app = router(Store::new(root.path()));
/// let request = axum::http::Request::get("/ready").body(axum::body::Body::empty()).unwrap();
/// let response = app.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # });
/// ```
pub fn router(store: Store) -> Router {
    Router::new()
        .merge(assets::routes())
        .merge(api::routes())
        .with_state(store)
}

/// Why the server could not start.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{ServeError, bind};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let taken = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
/// let err = bind(taken.local_addr().unwrap()).await.unwrap_err();
/// assert!(matches!(err, ServeError::AddrInUse { .. }));
/// assert!(err.to_string().contains("--port"));
/// # });
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Another process already listens on the address.
    #[error(
        "{addr} is already in use (is another burr server running?); pick another port with --port"
    )]
    AddrInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Binding failed for another reason (permissions, unknown host address, ...).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens a listening socket on `addr`, turning the common failures into clear errors.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let listener = burr_tracking::server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
/// assert!(listener.local_addr().unwrap().port() > 0);
/// # });
/// ```
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(addr).await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            ServeError::AddrInUse { addr }
        } else {
            ServeError::Bind { addr, source }
        }
    })
}

/// Serves the API and UI on an already bound listener until Ctrl-C.
///
/// # Examples
///
/// ```no_run
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use burr_tracking::server::{self, Store};
/// let listener = server::bind("127.0.0.1:7241".parse().unwrap()).await.unwrap();
/// server::serve_on(listener, Store::new("/tmp/burr")).await.unwrap();
/// # });
/// ```
pub async fn serve_on(listener: TcpListener, store: Store) -> Result<(), ServeError> {
    // Answers are written in more than one piece; without TCP_NODELAY the kernel may hold the
    // last piece back until the client acknowledges the first.
    let listener = listener.tap_io(|stream| {
        // Only latency depends on it: keep serving if the option cannot be set.
        let _ = stream.set_nodelay(true);
    });
    axum::serve(listener, router(store))
        .with_graceful_shutdown(async {
            // If the signal handler cannot be installed, keep serving until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await?;
    Ok(())
}

/// Binds `addr` and serves the API and UI over `store` until Ctrl-C.
///
/// # Examples
///
/// ```no_run
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use burr_tracking::server::{self, Store};
/// server::serve("127.0.0.1:7241".parse().unwrap(), Store::new("/tmp/burr")).await.unwrap();
/// # });
/// ```
pub async fn serve(addr: SocketAddr, store: Store) -> Result<(), ServeError> {
    let listener = bind(addr).await?;
    serve_on(listener, store).await
}
