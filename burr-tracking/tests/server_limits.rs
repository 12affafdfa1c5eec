//! Slow, idle and stalled connections are closed and connections are capped, so that a flood of them
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

/// Limits far below the defaults (and below hyper's own 30 s header timeout), so that each
/// test shows that its limit, and nothing else, closed the connection.
fn small(limits: Limits) -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(1),
        write_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        ..limits
    }
}

/// A generous bound for what a 1 s limit does, yet well below 30 s.
const SOON: Duration = Duration::from_secs(10);

/// Whether the server closed `stream` (end of file or reset) before `deadline`.
fn closed_by_server(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stream.set_read_timeout(Some(left)).unwrap();
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

/// `GET /ready` until it answers 200, retrying until `within` has passed.
fn answers_within(port: u16, within: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Ok((200, body)) = http::get(port, "/ready") {
            return body == br#"{"ready":true}"#;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn slow_and_idle_connections_are_closed_and_normal_requests_still_answer() {
    let server = start(small(Limits {
        max_connections: 64,
        ..Limits::default()
    }));
    // Far more connections than the cap: silent ones, and ones that never end their head.
    let opened = Instant::now();
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
    assert!(
        answers_within(server.port, SOON),
        "a normal request was not answered"
    );
    // 1 s per connection holding one of the 64 places, a few rounds: well below 30 s.
    let deadline = opened + Duration::from_secs(15);
    for (i, stream) in connections.iter_mut().enumerate() {
        assert!(
            closed_by_server(stream, deadline),
            "connection {i} was not closed within {:?}",
            deadline - opened
        );
    }
    assert!(answers_within(server.port, SOON));
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let server = start(small(Limits::default()));
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .write_all(b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    // The answer comes, the connection stays open for another request, then goes idle.
    assert!(closed_by_server(&mut stream, Instant::now() + SOON));
}

#[test]
fn a_request_over_its_time_is_answered_503() {
    let server = start(small(Limits {
        request_timeout: Duration::from_millis(200),
        ..Limits::default()
    }));
    let path = "/api/v1/p/a/wait?log_size=0&timeout_ms=30000";
    let root = server._root.path().join("p/a");
    std::fs::create_dir_all(&root).unwrap();
    let started = Instant::now();
    let (status, body) = http::get(server.port, path).unwrap();
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    // Not the long poll's own end (30 s).
    assert!(started.elapsed() < SOON, "{:?}", started.elapsed());
}

/// A log of `steps` steps whose states hold `state_bytes` bytes each.
fn big_log(steps: usize, state_bytes: usize) -> Vec<u8> {
    let filler = "x".repeat(state_bytes);
    let mut log = String::new();
    for seq in 0..steps {
        log.push_str(&format!(
            "{{\"type\":\"begin_entry\",\"start_time\":\"2024-01-01T00:00:00\",\"action\":\"a\",\"inputs\":{{}},\"sequence_id\":{seq}}}\n\
             {{\"type\":\"end_entry\",\"end_time\":\"2024-01-01T00:00:01\",\"action\":\"a\",\"result\":{{}},\"exception\":null,\"state\":{{\"s\":\"{filler}\"}},\"sequence_id\":{seq}}}\n"
        ));
    }
    log.into_bytes()
}

#[test]
fn a_lone_connection_is_not_closed_before_its_request() {
    // With every place taken and nobody waiting, no connection is asked to make room.
    let server = start(small(Limits {
        max_connections: 1,
        ..Limits::default()
    }));
    for _ in 0..20 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        stream
            .write_all(b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = Vec::new();
        stream.set_read_timeout(Some(SOON)).unwrap();
        stream.read_to_end(&mut answer).unwrap();
        assert!(
            answer.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
}

#[test]
fn a_client_that_never_reads_its_answer_loses_its_connection() {
    // One connection at a time: while the stalled client holds it, nobody else is served.
    let server = start(small(Limits {
        max_connections: 1,
        ..Limits::default()
    }));
    // About 16 MiB of answer: more than the kernel buffers hold for a client reading nothing.
    let log = big_log(256, 64 << 10);
    support::roots::write_app(server._root.path(), "p", "a", &[("log.jsonl", &log)]);
    let path = "/api/v1/p/a/steps?limit=5000";
    let (status, whole) = http::get(server.port, path).unwrap();
    assert_eq!(status, 200);

    let mut stalled = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stalled.write_all(request.as_bytes()).unwrap();
    // The server is writing the answer and the client reads nothing: after the write timeout
    // the connection is closed and its place goes to the next client.
    assert!(
        answers_within(server.port, SOON),
        "a client that reads nothing kept the only connection"
    );
    let mut got = Vec::new();
    stalled.set_read_timeout(Some(SOON)).unwrap();
    let _ = stalled.read_to_end(&mut got);
    assert!(
        got.len() < whole.len(),
        "the whole answer came ({} bytes)",
        got.len()
    );
}
