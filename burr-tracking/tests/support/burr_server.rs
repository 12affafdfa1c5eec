//! Apache Burr's own tracking server, started on a folder for a test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::http;

/// Burr's server (`uvicorn burr.tracking.server.run:app`) on a loopback port, serving `root`;
/// killed, by its pid, when dropped.
pub(crate) struct BurrServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for BurrServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl BurrServer {
    /// Starts the server on `root` (its output going to `log`) and waits until it is ready.
    pub(crate) fn start(root: &Path, log: PathBuf) -> BurrServer {
        BurrServer::start_with(Path::new("python3"), log, |cmd| {
            cmd.env(
                "BURR_BACKEND_IMPL",
                "burr.tracking.server.backend.LocalBackend",
            )
            .env("BURR_PATH", root)
            .env("BURR_SERVE_STATIC", "false");
        })
    }

    /// Starts `python -m uvicorn burr.tracking.server.run:app` on a free loopback port with the
    /// environment `configure` sets (its backend), its output going to `log`, and waits (at
    /// most 90 s) until `/ready` answers.
    pub(crate) fn start_with(
        python: &Path,
        log: PathBuf,
        configure: impl FnOnce(&mut Command),
    ) -> BurrServer {
        let port = http::free_port();
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(python);
        cmd.args([
            "-m",
            "uvicorn",
            "burr.tracking.server.run:app",
            "--host",
            "127.0.0.1",
            "--port",
        ])
        .arg(port.to_string())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .stdin(Stdio::null());
        configure(&mut cmd);
        let child = cmd.spawn().unwrap();
        let mut server = BurrServer { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok((200, _)) = server.try_get("/ready") {
                return server;
            }
            server.assert_running();
            assert!(
                Instant::now() < deadline,
                "Burr's server did not start:\n{}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Panics, with its log, if the server has exited.
    pub(crate) fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("Burr's server exited ({status}):\n{}", self.log_text());
        }
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// What the server printed so far.
    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `GET path`: the status and the body.
    pub(crate) fn try_get(&self, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        http::get(self.port, path)
    }

    /// `GET path`, asserting HTTP 200 and a JSON body.
    pub(crate) fn get(&self, path: &str) -> Value {
        let (status, body) = self.try_get(path).unwrap();
        assert_eq!(
            status,
            200,
            "GET {path}: {}\nserver log:\n{}",
            String::from_utf8_lossy(&body),
            self.log_text()
        );
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e})"))
    }
}
