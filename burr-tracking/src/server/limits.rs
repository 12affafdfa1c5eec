//! [`Limits`]: how long and how many, so that slow or idle clients cannot tie the server up.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Default time a connection has to send a request's headers (10 s). The same timer runs
/// while a kept-alive connection waits for its next request, so it is also the idle timeout.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{HEADER_READ_TIMEOUT, Limits};
/// assert_eq!(Limits::default().header_read_timeout, HEADER_READ_TIMEOUT);
/// ```
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time one request may take, from its headers to its answer (60 s: longer than the
/// longest long poll of `/wait`, 30 s).
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{REQUEST_TIMEOUT, Limits};
/// assert_eq!(Limits::default().request_timeout, REQUEST_TIMEOUT);
/// ```
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Default time an answer may make no progress (20 s): a connection whose client reads
/// nothing of what it asked for, so that the server cannot write, is closed after it.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{WRITE_TIMEOUT, Limits};
/// assert_eq!(Limits::default().write_timeout, WRITE_TIMEOUT);
/// ```
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);

/// Most requests reading files at once by default (64). Past it a request waits for one to
/// finish, within its [`REQUEST_TIMEOUT`] (then `503`); a request answered `503` while its
/// read runs keeps its place until the read ends, so reads never pile up past the bound.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{MAX_BLOCKING, Limits};
/// assert_eq!(Limits::default().max_blocking, MAX_BLOCKING);
/// ```
pub const MAX_BLOCKING: usize = 64;

/// Most connections served at once by default (512), lowered to half the process's limit on
/// open files where that is smaller, so that the files a request reads can still be opened.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{MAX_CONNECTIONS, Limits};
/// assert!(Limits::default().max_connections <= MAX_CONNECTIONS);
/// ```
pub const MAX_CONNECTIONS: usize = 512;

/// The fewest connections [`Limits::default`] allows, however low the limit on open files.
const MIN_CONNECTIONS: usize = 8;

/// How long and how many: the limits of a running server.
///
/// - A connection that has not sent a whole request head within `header_read_timeout` is
///   closed; so is a kept-alive connection idle that long.
/// - A connection whose answer cannot be written for `write_timeout` (the client reads
///   nothing) is closed.
/// - A request that takes longer than `request_timeout` is answered
///   `503 Service Unavailable`.
/// - At most `max_blocking` requests read files at once; the others wait (within their
///   `request_timeout`).
/// - At most `max_connections` connections are served at once. When they are all taken,
///   a new connection asks the idle kept-alive ones to close (requests in flight finish
///   first) and waits for one to; the connections after it wait in the listening socket's
///   queue.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use burr_tracking::server::Limits;
/// let strict = Limits { header_read_timeout: Duration::from_secs(2), ..Limits::default() };
/// assert_eq!(strict.request_timeout, burr_tracking::server::REQUEST_TIMEOUT);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a request head; also the idle keep-alive timeout.
    pub header_read_timeout: Duration,
    /// Time an answer may make no progress before its connection is closed.
    pub write_timeout: Duration,
    /// Time to answer one request.
    pub request_timeout: Duration,
    /// Requests reading files at once (at least 1).
    pub max_blocking: usize,
    /// Connections served at once (at least 1).
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: HEADER_READ_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
            max_blocking: MAX_BLOCKING,
            max_connections: open_files_limit()
                .map_or(MAX_CONNECTIONS, |files| {
                    usize::try_from(files / 2)
                        .unwrap_or(usize::MAX)
                        .min(MAX_CONNECTIONS)
                })
                .max(MIN_CONNECTIONS),
        }
    }
}

/// The process's soft limit on open files, where it is known.
fn open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The middleware that answers `503` when a request takes longer than its budget.
pub(super) async fn request_timeout(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "detail": "the request took too long" }).to_string(),
        )
            .into_response(),
    }
}
