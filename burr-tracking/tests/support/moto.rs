//! A real S3-compatible server on loopback: `moto` in server mode (`moto[server]` from the
//! Python registry), started on a free port for one test and stopped when dropped.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use burr_tracking::object::ObjectRoot;

use super::http::free_port;
use super::skip;

/// A running moto server.
pub(crate) struct Moto {
    pub(crate) port: u16,
    child: Child,
}

impl Moto {
    /// Starts moto, or skips the test `what` when `python3 -m moto.server` cannot run.
    pub(crate) fn start(what: &str) -> Option<Moto> {
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => return skip(what, format!("python3 cannot be run: {e}")),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                return skip(
                    what,
                    format!(
                        "moto's S3 server did not start ({status}); install it with `python3 -m pip install \"moto[server]\"`"
                    ),
                );
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                return skip(what, "moto's S3 server did not listen within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Moto { port, child })
    }

    /// The endpoint, `http://127.0.0.1:PORT`.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The options the store is opened with, as the environment variables would give them.
    pub(crate) fn options(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Creates `bucket`.
    pub(crate) fn create_bucket(&self, bucket: &str) {
        let status = self.raw("PUT", &format!("/{bucket}"), b"");
        assert_eq!(status, 200, "create bucket {bucket}");
    }

    /// Sends one request as it is (no signature: moto does not check), returns the status.
    pub(crate) fn raw(&self, method: &str, path: &str, body: &[u8]) -> u16 {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("moto listens");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let text = String::from_utf8_lossy(&answer);
        text.split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// The store `s3://{bucket}/{prefix}` on this server.
    pub(crate) fn root(&self, bucket: &str, prefix: &str) -> ObjectRoot {
        let url = if prefix.is_empty() {
            format!("s3://{bucket}")
        } else {
            format!("s3://{bucket}/{prefix}")
        };
        ObjectRoot::open_with(&url, self.options()).expect("the store opens")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
