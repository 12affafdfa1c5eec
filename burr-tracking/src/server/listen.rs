//! The accepting loop: one task per connection, at most [`Limits::max_connections`] at once,
//! each with hyper's header read timeout and a write timeout, and a graceful stop.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use super::Limits;
use super::write_timeout::WriteTimeout;

/// How long a stopping server waits for the requests in flight.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How long to wait before accepting again after an error such as "too many open files".
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until `stop` completes, within `limits`.
///
/// Connections speak HTTP/1.1 (what browsers use for `http://` addresses).
pub(super) async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let max = limits.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max));
    // Each change asks the connections to close once idle: when all slots are taken, and
    // when the server stops.
    let (close_idle, _) = watch::channel(0u64);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::debug!("accept failed: {err}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Only a connection that is waiting asks the idle ones to make room: asking before
        // would close a connection that has not sent its request yet, with nobody waiting.
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                close_idle.send_modify(|generation| *generation += 1);
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    () = &mut stop => break,
                }
            }
        };
        // Answers are written in more than one piece; without TCP_NODELAY the kernel may hold
        // the last piece back until the client acknowledges the first. Only latency depends
        // on it: keep serving if the option cannot be set.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        // A client that reads nothing of its answer loses the connection (and its slot).
        let stream = WriteTimeout::new(stream, limits.write_timeout);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut idle = close_idle.subscribe();
        tokio::spawn(async move {
            let _slot = slot;
            tokio::pin!(connection);
            let mut asked = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(err) = result {
                            tracing::debug!("connection ended: {err}");
                        }
                        break;
                    }
                    _ = idle.changed(), if !asked => {
                        asked = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        });
    }
    close_idle.send_modify(|generation| *generation += 1);
    drop(close_idle);
    // Wait (a little) for the requests in flight.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(STOP_GRACE, slots.acquire_many(all)).await;
    Ok(())
}
