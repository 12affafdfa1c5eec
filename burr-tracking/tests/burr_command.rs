//! The `burr` command: it serves on the port asked, prints its URL, and explains what is wrong
//! when the folder is missing or the port is taken.
#![cfg(feature = "server")]

mod support;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::http::{self, free_port};

const BURR: &str = env!("CARGO_BIN_EXE_burr");

#[test]
fn a_missing_folder_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let out = Command::new(BURR)
        .args(["--no-open", "--port", &free_port().to_string(), "--dir"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not exist") && stderr.contains("nope"),
        "{stderr}"
    );
}

#[test]
fn a_tilde_in_burr_path_is_the_home_directory() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(BURR)
        .args(["--no-open", "--port", &free_port().to_string()])
        .env("HOME", home.path())
        .env("BURR_PATH", "~/missing")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expanded = home.path().join("missing");
    assert!(
        stderr.contains(&format!("{} does not exist", expanded.display())),
        "{stderr}"
    );

    std::fs::create_dir(&expanded).unwrap();
    let mut child = Command::new(BURR)
        .args(["--no-open", "--port", &free_port().to_string()])
        .env("HOME", home.path())
        .env("BURR_PATH", "~/missing")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.starts_with(&format!("burr: serving {} at ", expanded.display())),
        "{first}"
    );
}

#[test]
fn a_taken_port_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(BURR)
        .args(["--no-open", "--port", &port.to_string(), "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already in use") && stderr.contains("--port"),
        "{stderr}"
    );
}

#[test]
fn it_serves_the_folder_and_prints_its_url() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BURR)
        .args(["--no-open", "--port", &port.to_string()])
        .env("BURR_PATH", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let started = Instant::now();
    let (status, body) = loop {
        // A connection refused or reset means the server is not listening yet: retry.
        if let Ok(answer) = http::get(port, "/api/v0/projects") {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "burr did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut rest = String::new();
    stdout.read_line(&mut rest).unwrap();
    drop(stdout); // the server keeps running with its output closed
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        child.try_wait().unwrap().is_none(),
        "burr stopped when its output was closed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(rest.contains("demo projects"), "{rest}");
    assert!(
        first.contains(&format!("http://127.0.0.1:{port}/")),
        "{first}"
    );
    assert_eq!((status, &body[..]), (200, &b"[]"[..]));
}

/// `burr` running on a free port: the child, its port, and its standard output.
type Running = (
    std::process::Child,
    u16,
    BufReader<std::process::ChildStdout>,
);

/// Starts `burr` on a free port with `args`; returns it and the first line it printed.
fn start(args: &[&str], dir: &std::path::Path) -> (Running, String) {
    let port = free_port();
    let mut child = Command::new(BURR)
        .args(["--no-open", "--port", &port.to_string(), "--dir"])
        .arg(dir)
        .args(args)
        .env_remove("BURR_ALLOW_HOSTS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let started = Instant::now();
    while http::get(port, "/ready").is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "burr did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    ((child, port, stdout), first)
}

#[test]
fn help_describes_the_command_and_its_security_defaults() {
    let out = Command::new(BURR).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for words in [
        "tracking UI",
        "HTTP API",
        "BURR_PATH",
        "127.0.0.1",
        "--allow-host",
        "symbolic links",
    ] {
        assert!(help.contains(words), "{words}: {help}");
    }
    assert!(
        !help.contains("persists state"),
        "the crate's description: {help}"
    );
}

#[test]
fn a_file_given_as_the_folder_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.jsonl");
    std::fs::write(&file, "").unwrap();
    let out = Command::new(BURR)
        .args(["--no-open", "--port", &free_port().to_string(), "--dir"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a folder"), "{stderr}");
    assert!(!stderr.contains("does not exist"), "{stderr}");
}

#[test]
fn binding_every_interface_says_so_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let ((mut child, port, mut stdout), first) = start(&["--host", "0.0.0.0"], dir.path());
    child.kill().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        first.contains(&format!("http://127.0.0.1:{port}/")),
        "{first}"
    );
    assert!(rest.contains(&format!("0.0.0.0:{port}")), "{rest}");
    assert!(
        stderr.contains("warning") && stderr.contains("not a loopback"),
        "{stderr}"
    );
}

#[test]
fn a_loopback_bind_gives_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let ((mut child, _, _), _) = start(&[], dir.path());
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn only_allowed_host_names_are_answered_over_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let ((mut child, port, _), _) = start(
        &["--allow-host", "burr.lan", "--allow-host", "other.lan"],
        dir.path(),
    );
    let status = |host: &str| http::get_as(port, "/api/v0/projects", host).unwrap().0;
    let results = (
        status(&format!("localhost:{port}")),
        status("burr.lan"),
        status(&format!("other.lan:{port}")),
        status(&format!("attacker.example:{port}")),
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(results, (200, 200, 200, 421));
}

#[test]
fn an_invalid_allowed_host_name_stops_burr() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: Option<&str>| {
        let mut command = Command::new(BURR);
        command
            .args(["--no-open", "--port", &free_port().to_string(), "--dir"])
            .arg(dir.path())
            .args(args)
            .env_remove("BURR_ALLOW_HOSTS");
        if let Some(value) = env {
            command.env("BURR_ALLOW_HOSTS", value);
        }
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A name taken (or dropped) starts the server: stop it rather than wait for it.
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for bad in ["http://burr.lan", "name:abc", "burr.lan/x"] {
        let (code, stderr) = run(&["--allow-host", bad], None);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(
            stderr.contains(&format!("{bad:?}")) && stderr.contains("is not a host name"),
            "{bad}: {stderr}"
        );
    }
    // An empty entry of the variable is a mistake too (and would have hidden a warning).
    let (code, stderr) = run(&[], Some("burr.lan,"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("\"\" is not a host name"), "{stderr}");
}

#[test]
fn unbracketed_ipv6_addresses_can_be_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let ((mut child, port, _), _) = start(&["--allow-host", "fe80::1,::1"], dir.path());
    let status = |host: &str| http::get_as(port, "/api/v0/projects", host).unwrap().0;
    let results = (status(&format!("[fe80::1]:{port}")), status("[::1]"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(results, (200, 200));
}

/// The first app of a demo project under `root`.
fn demo_app(root: &std::path::Path, project: &str) -> String {
    burr_tracking::demo::write_demo_projects(root).unwrap();
    burr_tracking::read::list_apps(root, project).unwrap()[0]
        .app_id
        .clone()
}

#[test]
fn graph_draws_a_tracked_app_in_each_format() {
    let root = tempfile::tempdir().unwrap();
    let app = demo_app(root.path(), "demo_chatbot");
    let graph = burr_tracking::read::read_app_graph(root.path(), "demo_chatbot", &app)
        .unwrap()
        .to_graph();
    let dir = root.path().to_str().unwrap();
    for (format, start) in [
        ("svg", "<?xml"),
        ("mermaid", "flowchart TD"),
        ("dot", "digraph {"),
    ] {
        let out = Command::new(BURR)
            .args([
                "graph",
                "demo_chatbot",
                &app,
                "--format",
                format,
                "--conditions",
                "--dir",
                dir,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.trim_start().starts_with(start), "{format}: {text}");
        for a in &graph.actions {
            assert!(text.contains(&a.name), "{format} names {}", a.name);
        }
    }
    // To a file, with the folder from BURR_PATH (the server's settings do not matter here).
    let file = root.path().join("chat.svg");
    let out = Command::new(BURR)
        .args(["graph", "demo_chatbot", &app, "-o"])
        .arg(&file)
        .env("BURR_PATH", root.path())
        .env("BURR_ALLOW_HOSTS", "http://not-a-host-name/")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&file).unwrap().contains("</svg>"));
}

#[test]
fn graph_of_an_unknown_app_or_an_escaping_id_is_refused() {
    let root = tempfile::tempdir().unwrap();
    demo_app(root.path(), "demo_chatbot");
    let dir = root.path().to_str().unwrap();
    for (project, app) in [
        ("demo_chatbot", "nope"),
        ("demo_chatbot", "../demo_counter"),
        ("..", "x"),
    ] {
        let out = Command::new(BURR)
            .args(["graph", project, app, "--dir", dir])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{project}/{app} was drawn");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("burr graph: "), "{err}");
    }
}

#[test]
fn version_names_the_command() {
    let out = Command::new(BURR).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("burr {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn test_case_exports_a_step_and_appends_it_to_a_fixture() {
    let root = tempfile::tempdir().unwrap();
    let app = demo_app(root.path(), "demo_counter");
    let dir = root.path().to_str().unwrap();
    // Printed: the case, then the Rust test that runs it.
    let out = Command::new(BURR)
        .args(["test-case", "demo_counter", &app, "2", "--dir", dir])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (json, rust) = text.split_once("\n\n").unwrap();
    let case: burr_core::testing::TestCase = serde_json::from_str(json).unwrap();
    assert_eq!(case.name, format!("{}_{}_2", case.action, &app[..8]));
    assert!(rust.contains("burr::testing::run_test_case("), "{rust}");
    let loaded = burr_tracking::load_state(root.path(), "demo_counter", &app, Some(2)).unwrap();
    let before = burr_tracking::load_state(root.path(), "demo_counter", &app, Some(1)).unwrap();
    let user = |s: &burr_core::State| {
        let mut m = s.to_map();
        m.retain(|k, _| !k.starts_with("__"));
        m
    };
    assert_eq!(case.expected_state, user(&loaded.state));
    assert_eq!(case.input_state, user(&before.state));
    // Into a file: appended, a case of the same name replaced.
    let file = root.path().join("cases.json");
    for seq in ["1", "2", "2"] {
        let out = Command::new(BURR)
            .args(["test-case", "demo_counter", &app, seq, "--dir", dir, "-o"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let cases = burr_core::testing::load_test_cases(&file).unwrap();
    assert_eq!(cases.len(), 2);
    // Unknown steps and ids that would leave the folder are refused, with code 2.
    for (app_id, seq) in [(app.as_str(), "999"), ("nope", "0"), ("../x", "0")] {
        let out = Command::new(BURR)
            .args(["test-case", "demo_counter", app_id, seq, "--dir", dir])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{app_id} {seq}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("burr test-case: "));
    }
    // A file that is not a fixture is left as it is.
    std::fs::write(&file, "not json").unwrap();
    let out = Command::new(BURR)
        .args(["test-case", "demo_counter", &app, "1", "--dir", dir, "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not json");
}
