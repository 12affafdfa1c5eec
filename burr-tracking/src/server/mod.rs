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
//! | `GET /api/v1/{project}/{app_id}/insights` | LLM calls, tokens, cost and span times over all steps ([`Insights`]) |
//! | `POST /api/v1/demo` (JSON) | adds the missing demo projects (see [`crate::demo`]) |
//!
//! Ids in paths are checked before any file is touched: `..`, absolute paths and encoded
//! separators answer 404 and never reach outside the root.
//!
//! # Security
//!
//! - Only the [`AllowedHosts`] are answered (the loopback names by default): any other
//!   `Host` gets `421`, which defeats DNS rebinding.
//! - A write (`POST /api/v1/demo`) must be same-origin (`Origin` absent or matching `Host`,
//!   `Sec-Fetch-Site: same-origin` when sent) with `Content-Type: application/json`.
//! - Nothing outside the root is read, no symbolic link below it is followed, and only
//!   regular files are read, within size budgets (see [`crate::read::MAX_JSON_FILE`]).
//! - Slow, idle and stalled connections are closed, connections are capped and so are the
//!   requests reading files at once ([`Limits`]); the store's cache has a memory budget
//!   ([`CACHE_BUDGET`]), and so has an answer built from steps ([`MAX_RESPONSE`]: past it the
//!   whole-app endpoint answers `507`, pointing to the paged one).
//! - Error messages name files below the root only, never a path of the machine.
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

mod annotation_routes;
pub mod annotations;
mod api;
mod assets;
mod cache;
mod guard;
mod host;
mod index;
mod insights;
mod limits;
mod listen;
mod store;
mod work;
mod write_timeout;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use cache::CACHE_BUDGET;
pub use host::{AllowedHosts, InvalidHostName};
pub use insights::{Insights, MAX_SPAN_NAMES, SpanTime};
pub use limits::{
    HEADER_READ_TIMEOUT, Limits, MAX_BLOCKING, MAX_CONNECTIONS, REQUEST_TIMEOUT, WRITE_TIMEOUT,
};

pub use store::{
    AppListEntry, AppPage, AppSummary, LogStatus, MAX_PAGE, MAX_RESPONSE, Order, ProjectSummary,
    StepQuery, Store, StoreError,
};

/// How a server runs: which hosts it answers and its limits.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{AllowedHosts, ServeOptions};
/// let options = ServeOptions {
///     allowed_hosts: AllowedHosts::loopback().allow("burr.lan"),
///     ..ServeOptions::default()
/// };
/// assert!(options.allowed_hosts.allows("burr.lan:7241"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServeOptions {
    /// The `Host` names answered (the loopback names by default).
    pub allowed_hosts: AllowedHosts,
    /// Timeouts and the connection cap.
    pub limits: Limits,
}

/// Builds the HTTP router (API and UI) over a store, without binding any socket, with the
/// default [`ServeOptions`] (loopback host names only).
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
    router_with(store, &ServeOptions::default())
}

/// Builds the HTTP router with the given options: the host and origin guard (see the
/// module's Security section) and the per-request timeout wrap every route.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{ServeOptions, Store, router_with};
/// use tower::ServiceExt;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let root = tempfile::tempdir().unwrap();
/// let app = router_with(Store::new(root.path()), &ServeOptions::default());
/// let request = axum::http::Request::get("/ready")
///     .header("host", "attacker.example")
///     .body(axum::body::Body::empty())
///     .unwrap();
/// assert_eq!(app.oneshot(request).await.unwrap().status(), 421);
/// # });
/// ```
pub fn router_with(store: Store, options: &ServeOptions) -> Router {
    guarded(
        Router::new()
            .merge(assets::routes())
            .merge(routes(store, options)),
        options,
    )
}

/// The API and the UI's files (not its index page), without the guard.
fn routes(store: Store, options: &ServeOptions) -> Router {
    let work = work::BlockingWork::new(options.limits.max_blocking);
    Router::new()
        .merge(assets::file_routes())
        .merge(api::routes())
        .merge(annotation_routes::routes())
        .with_state(api::Api::new(store, work))
}

/// `router` behind the per-request timeout and the host and origin guard.
fn guarded(router: Router, options: &ServeOptions) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(
            options.limits.request_timeout,
            limits::request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(options.allowed_hosts.clone()),
            guard::guard,
        ))
}

/// The UI and API under the path `prefix` (such as `"/burr"`), to merge into an application's
/// own [`Router`]: the UI is served at `{prefix}/` (and `{prefix}` redirects there), the API at
/// `{prefix}/api/...`, and the UI's requests are relative to where it is served. The guard of
/// [`router_with`] applies to these routes only: list the host names the service is reached
/// by in [`ServeOptions::allowed_hosts`].
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{ServeOptions, Store, mount};
/// use tower::ServiceExt;
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let root = tempfile::tempdir().unwrap();
/// let service = axum::Router::new()
///     .route("/health", axum::routing::get(|| async { "ok" }))
///     .merge(mount("/burr", Store::new(root.path()), &ServeOptions::default()));
/// let get = |uri: &str| {
///     axum::http::Request::get(uri).header("host", "localhost").body(axum::body::Body::empty()).unwrap()
/// };
/// let page = service.clone().oneshot(get("/burr/")).await.unwrap();
/// assert_eq!(page.status(), 200);
/// let moved = service.clone().oneshot(get("/burr")).await.unwrap();
/// assert_eq!(moved.headers()["location"], "/burr/");
/// let projects = service.clone().oneshot(get("/burr/api/v0/projects")).await.unwrap();
/// assert_eq!(projects.status(), 200);
/// assert_eq!(service.oneshot(get("/health")).await.unwrap().status(), 200);
/// # });
/// ```
///
/// A trailing `/` of `prefix` is ignored (`"/burr/"` mounts at `/burr`).
///
/// # Panics
///
/// When `prefix` is not a plain path: it must start with `/`, name at least one segment, and
/// hold no `{`, `}` or `*` (axum's captures) nor `//`. Serve at the root with [`router_with`].
pub fn mount(prefix: &str, store: Store, options: &ServeOptions) -> Router {
    let prefix = prefix.trim_end_matches('/');
    assert!(
        prefix.starts_with('/') && !prefix.contains(['{', '}', '*']) && !prefix.contains("//"),
        "mount: {prefix:?} is not a plain path such as \"/burr\""
    );
    let index = format!("{prefix}/");
    let moved = index.clone();
    guarded(
        Router::new()
            .route(
                prefix,
                axum::routing::get(move || {
                    let to = moved.clone();
                    async move { axum::response::Redirect::permanent(&to) }
                }),
            )
            .route(&index, axum::routing::get(assets::index))
            .nest(prefix, routes(store, options)),
        options,
    )
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

/// Serves the API and UI on an already bound listener until Ctrl-C, with the default
/// [`ServeOptions`].
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
    serve_with(listener, store, ServeOptions::default(), ctrl_c()).await
}

/// Serves the API and UI on an already bound listener with `options` until `stop` completes
/// (requests in flight then get a few seconds to finish).
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{self, ServeOptions, Store};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let root = tempfile::tempdir().unwrap();
/// let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
/// // Stops at once: a real caller passes a signal, or a channel's receiver.
/// server::serve_with(listener, Store::new(root.path()), ServeOptions::default(), async {})
///     .await
///     .unwrap();
/// # });
/// ```
pub async fn serve_with(
    listener: TcpListener,
    store: Store,
    options: ServeOptions,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), ServeError> {
    let app = router_with(store, &options);
    listen::run(listener, app, options.limits, stop).await?;
    Ok(())
}

/// Completes on Ctrl-C; never, if the signal handler cannot be installed.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
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
