//! Slow and idle connections are closed and connections are capped, so that a flood of them
//! never keeps a normal request from being answered. Real sockets on the loopback.
#![cfg(feature = "server")]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use burr_tracking::server::{self, Limits, ServeOptions, Store};
use support::http;

/// A server on a loopback port with `limits`, stopped when dropped.
struct Running {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _root: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn start(limits: Limits) -> Running {
    let root = tempfile::tempdir().unwrap();
    let store = Store::new(root.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(server::bind("127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = ServeOptions {
        limits,
        ..ServeOptions::default()
    };
    let thread = std::thread::spawn(move || {
        runtime
            .block_on(server::serve_with(listener, store, options, async {
                let _ = stopped.await;
            }))
            .unwrap();
    });
    Running {
        port,
        stop: Some(stop),
        thread: Some(thread),
        _root: root,
    }
}

/// Whether the server closed `stream` (end of file or reset) before a generous deadline.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // An answer (a 408 for a request head that never ended) and then the close.
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(err) if err.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
}

/// `GET /ready` until it answers 200, retrying for a generous while.
fn answers(port: u16) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(90) {
        if let Ok((200, body)) = http::get(port, "/ready") {
            return body == br#"{"ready":true}"#;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn slow_and_idle_connections_are_closed_and_normal_requests_still_answer() {
    let server = start(Limits {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 16,
        ..Limits::default()
    });
    // Far more connections than the cap: silent ones, and ones that never end their head.
    let mut connections = Vec::new();
    for i in 0..200 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        if i % 2 == 0 {
            stream
                .write_all(b"GET /api/v0/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .unwrap();
        }
        connections.push(stream);
    }
    assert!(answers(server.port), "a normal request was not answered");
    for (i, stream) in connections.iter_mut().enumerate() {
        assert!(closed_by_server(stream), "connection {i} was never closed");
    }
    assert!(answers(server.port));
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let server = start(Limits {
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    });
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .write_all(b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    // The answer comes, the connection stays open for another request, then goes idle.
    assert!(closed_by_server(&mut stream));
}

#[test]
fn a_request_over_its_time_is_answered_503() {
    let server = start(Limits {
        request_timeout: Duration::from_millis(200),
        ..Limits::default()
    });
    let path = "/api/v1/p/a/wait?log_size=0&timeout_ms=30000";
    let root = server._root.path().join("p/a");
    std::fs::create_dir_all(&root).unwrap();
    let (status, body) = http::get(server.port, path).unwrap();
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
}
