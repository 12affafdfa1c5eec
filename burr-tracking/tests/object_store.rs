//! Tracking to object storage against a real S3-compatible server (`moto` on loopback):
//! two clients on one bucket served as a folder of the same runs would be, by the library
//! and by `burr --dir s3://...` live; Apache Burr's own `S3TrackingClient` read back; a
//! restart that fetches nothing twice; a store that goes away and comes back; hostile keys.
//! Without moto (a laptop) each test says why and passes, unless `BURR_REQUIRE_SERVICES=1`.
#![cfg(all(feature = "object-store", feature = "server"))]

mod support;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use burr_tracking::LocalTrackingClient;
use burr_tracking::object::{Mirror, ObjectRoot, ShipOptions};
use burr_tracking::server::Store;
use serde_json::Value;
use support::counter::run_counter;
use support::moto::Moto;
use support::roots::{copy_dir, unique};

fn quick() -> ShipOptions {
    ShipOptions {
        interval: Duration::from_millis(100),
        request_timeout: Duration::from_secs(5),
        shutdown_timeout: Duration::from_secs(5),
        ..ShipOptions::default()
    }
}

fn client(spool: &Path, root: ObjectRoot) -> LocalTrackingClient {
    LocalTrackingClient::new("fleet")
        .unwrap()
        .with_spool_dir(spool)
        .with_ship_options(quick())
        .with_object_store(root)
        .unwrap()
}

/// The answers a server gives about `project`, minus what depends on file times.
fn answers(store: &Store, project: &str) -> Vec<(String, String)> {
    let page = store.apps(project, None, 100, 0).unwrap();
    let mut apps: Vec<String> = page.applications.iter().map(|a| a.app_id.clone()).collect();
    apps.sort();
    let mut out = Vec::new();
    for app in apps {
        let summary = page.applications.iter().find(|a| a.app_id == app).unwrap();
        let mut summary = serde_json::to_value(summary).unwrap();
        for key in ["first_written", "last_written"] {
            summary[key] = Value::Null;
        }
        out.push((format!("{app} summary"), summary.to_string()));
        out.push((app.clone(), store.app_logs_json(project, &app).unwrap()));
    }
    out
}

#[test]
fn two_clients_on_one_bucket_are_served_as_a_folder_of_the_same_runs() {
    let Some(moto) = Moto::start("object-store tracking") else {
        return;
    };
    let bucket = unique("fleet").replace('_', "-");
    moto.create_bucket(&bucket);
    let spools = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let first = client(&spools.path().join("a"), moto.root(&bucket, "team/eu"));
    let second = client(&spools.path().join("b"), moto.root(&bucket, "team/eu"));
    run_counter(&first, "alpha", None, None, 5);
    run_counter(&second, "beta", Some("user/1 é"), None, 3);
    first.flush().unwrap();
    second.flush().unwrap();
    // The same runs as a local folder: what the clients wrote into their spools.
    for c in [&first, &second] {
        copy_dir(c.project_dir(), &local.path().join("fleet"));
    }

    let index = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(moto.root(&bucket, "team/eu"), index.path()).unwrap();
    let report = block_on(mirror.sync()).unwrap();
    assert_eq!(report.skipped, 0);
    assert!(report.fetched >= 6, "{report:?}");
    let from_bucket = answers(&Store::new(mirror.data_dir()), "fleet");
    let from_folder = answers(&Store::new(local.path()), "fleet");
    assert_eq!(from_bucket.len(), 4);
    assert_eq!(from_bucket, from_folder);
    let alpha: Value = serde_json::from_str(&from_bucket[1].1).unwrap();
    assert_eq!(alpha["steps"].as_array().unwrap().len(), 5);
    assert_eq!(alpha["steps"][0]["spans"].as_array().unwrap().len(), 1);
    assert_eq!(alpha["steps"][0]["attributes"][0]["value"]["π"], "ünïcode");

    // Nothing new: a second look lists once per project and fetches nothing.
    let again = block_on(mirror.sync()).unwrap();
    assert_eq!((again.lists, again.fetched), (2, 0));

    // A client that goes away ships what is left, and removes its spool.
    run_counter(&first, "gamma", None, None, 2);
    let spool = first.storage_dir().to_path_buf();
    drop(first);
    assert!(
        !spool.exists(),
        "the spool of a client that shipped everything is removed"
    );
    let report = block_on(mirror.sync()).unwrap();
    assert!(report.fetched >= 3, "{report:?}");
    let gamma: Value = serde_json::from_str(
        &Store::new(mirror.data_dir())
            .app_logs_json("fleet", "gamma")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(gamma["steps"].as_array().unwrap().len(), 2);

    // The client is a state loader over the bucket (through its mirror), with the store it
    // was given: what `InitializeFrom` uses to resume or fork.
    let second_loader: &dyn burr_core::StateLoader = &second;
    let loaded = second_loader.load(None, "alpha", None).unwrap().unwrap();
    assert_eq!(
        (loaded.sequence_id, loaded.position.as_str()),
        (4, "counter")
    );
    assert_eq!(loaded.state.get::<i64>("counter").unwrap(), 5);
    let mut ids = second_loader.list_app_ids(None).unwrap();
    ids.sort();
    assert_eq!(ids, ["alpha", "gamma"]);
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The `burr` command on a bucket, with the store's endpoint in its environment.
struct BurrOnBucket {
    port: u16,
    child: std::process::Child,
}

impl BurrOnBucket {
    fn start(moto: &Moto, url: &str, index: &Path) -> BurrOnBucket {
        let port = support::http::free_port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_burr"))
            .args(["--dir", url, "--no-open", "--port", &port.to_string()])
            .arg("--index-dir")
            .arg(index)
            .envs(moto.options())
            .env("BURR_UPDATE_INTERVAL_MILLISECONDS", "100")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while support::http::get(port, "/ready").is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "burr did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        BurrOnBucket { port, child }
    }

    fn get(&self, path: &str) -> Value {
        let (status, body) = support::http::get(self.port, path).unwrap();
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    /// The answer at `path` once it satisfies `done` (the server mirrors a bucket's objects
    /// one by one: an app listed may not have all its files yet, and answers 404 or fewer
    /// steps meanwhile); fails after 20 s with the last answer.
    fn get_once(&self, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let (status, body) = support::http::get(self.port, path).unwrap();
            let text = String::from_utf8_lossy(&body).into_owned();
            if status == 200 {
                let value: Value = serde_json::from_slice(&body).unwrap();
                if done(&value) {
                    return value;
                }
            } else {
                assert_eq!(status, 404, "{path}: {text}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{path}: {status} {text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for BurrOnBucket {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn burr_serves_a_bucket_live_and_a_restart_fetches_nothing_twice() {
    let Some(moto) = Moto::start("burr --dir s3://") else {
        return;
    };
    let bucket = unique("live").replace('_', "-");
    moto.create_bucket(&bucket);
    let spools = tempfile::tempdir().unwrap();
    let tracker = client(spools.path(), moto.root(&bucket, ""));
    run_counter(&tracker, "first", None, None, 3);
    tracker.flush().unwrap();

    let index = tempfile::tempdir().unwrap();
    let url = format!("s3://{bucket}");
    let burr = BurrOnBucket::start(&moto, &url, index.path());
    let projects = burr.get("/api/v0/projects");
    assert_eq!(projects[0]["name"], "fleet", "{projects}");
    let app = burr.get("/api/v0/fleet/first/__none__/apps");
    assert_eq!(app["steps"].as_array().unwrap().len(), 3);

    // Live: steps written while it runs show up.
    run_counter(&tracker, "second", Some("p1"), None, 2);
    tracker.flush().unwrap();
    burr.get_once("/api/v0/fleet/__none__/apps", |apps| apps["total"] == 2);
    let steps = |app: &Value| app["steps"].as_array().map_or(0, Vec::len);
    let second = burr.get_once("/api/v0/fleet/second/p1/apps", |app| steps(app) >= 2);
    assert_eq!(steps(&second), 2);
    drop(burr);

    // A restart on the same index lists from where it was and fetches no object again.
    let mirror = Mirror::open(moto.root(&bucket, ""), index.path()).unwrap();
    let report = block_on(mirror.sync()).unwrap();
    assert_eq!((report.lists, report.fetched, report.skipped), (2, 0, 0));
}

#[test]
fn apache_burrs_s3_client_writes_a_bucket_this_crate_serves() {
    let Some(moto) = Moto::start("Apache Burr's S3TrackingClient") else {
        return;
    };
    if support::python::burr_package("Apache Burr's S3TrackingClient", &["boto3"]).is_none() {
        return;
    }
    let bucket = unique("burr").replace('_', "-");
    moto.create_bucket(&bucket);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/s3_tracking.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .env("S3_ENDPOINT", moto.endpoint())
        .env("S3_BUCKET", &bucket)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(moto.root(&bucket, ""), index.path()).unwrap();
    let report = block_on(mirror.sync()).unwrap();
    assert_eq!(report.skipped, 0, "{report:?}");
    let store = Store::new(mirror.data_dir());
    let page = store.apps("s3-demo", None, 10, 0).unwrap();
    assert_eq!(page.total, 2);
    let app: Value =
        serde_json::from_str(&store.app_logs_json("s3-demo", "counter-app").unwrap()).unwrap();
    let steps = app["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(
        steps[1]["spans"][0]["begin_entry"]["span_name"],
        "inner_work"
    );
    assert_eq!(steps[1]["attributes"].as_array().unwrap().len(), 2);
    assert_eq!(steps[2]["step_end_log"]["state"]["count"], 111);
    let child: Value =
        serde_json::from_str(&store.app_logs_json("s3-demo", "child-app").unwrap()).unwrap();
    assert_eq!(child["spawning_parent_pointer"]["app_id"], "counter-app");
    assert_eq!(child["application"]["entrypoint"], "step_a");
    // The loader reads it.
    let loaded =
        burr_tracking::load_state(mirror.data_dir(), "s3-demo", "counter-app", None).unwrap();
    assert_eq!(loaded.state.get::<i64>("count").unwrap(), 111);
    // Burr re-runs write more objects: only those are fetched.
    let again = block_on(mirror.sync()).unwrap();
    assert_eq!(again.fetched, 0);
}

/// A TCP proxy to `port` that can refuse connections, to take a store away and back.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
}

impl Proxy {
    fn to(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        std::thread::spawn(move || {
            for incoming in listener.incoming() {
                let Ok(client) = incoming else { continue };
                if !flag.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Proxy { port, up }
    }
}

/// `bucket` on `moto`, reached through `proxy`.
fn proxied(moto: &Moto, proxy: &Proxy, bucket: &str) -> ObjectRoot {
    let mut options = moto.options();
    options.retain(|(k, _)| k != "AWS_ENDPOINT_URL");
    options.push((
        "AWS_ENDPOINT_URL".into(),
        format!("http://127.0.0.1:{}", proxy.port),
    ));
    ObjectRoot::open_with(&format!("s3://{bucket}"), options).unwrap()
}

#[test]
fn a_store_that_goes_away_loses_nothing_once_it_is_back() {
    let Some(moto) = Moto::start("object-store faults") else {
        return;
    };
    let bucket = unique("faults").replace('_', "-");
    moto.create_bucket(&bucket);
    let proxy = Proxy::to(moto.port);
    let root = proxied(&moto, &proxy, &bucket);
    let spools = tempfile::tempdir().unwrap();
    let tracker = LocalTrackingClient::new("fleet")
        .unwrap()
        .with_spool_dir(spools.path())
        .with_ship_options(ShipOptions {
            request_timeout: Duration::from_secs(2),
            shutdown_timeout: Duration::from_secs(1),
            ..quick()
        })
        .with_object_store(root)
        .unwrap();
    run_counter(&tracker, "steady", None, None, 2);
    tracker.flush().unwrap();

    proxy.up.store(false, Ordering::SeqCst);
    // Steps go on while the store is away: they never wait for it.
    let start = Instant::now();
    run_counter(&tracker, "during", None, None, 20);
    assert!(start.elapsed() < Duration::from_secs(2));
    let err = tracker.flush().unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, burr_tracking::client::TrackingError::Store(_)),
        "{err:?}"
    );
    assert!(
        text.contains(&bucket) || text.contains("object store"),
        "{text}"
    );

    // The client goes away while the store is still down: its spool stays.
    let spool = tracker.storage_dir().to_path_buf();
    drop(tracker);
    assert!(spool.join("fleet/during/log.jsonl").is_file());

    // The store is back; the next client on the same spool folder ships what was left, then
    // removes it.
    proxy.up.store(true, Ordering::SeqCst);
    let next = LocalTrackingClient::new("fleet")
        .unwrap()
        .with_spool_dir(spools.path())
        .with_ship_options(quick())
        .with_object_store(proxied(&moto, &proxy, &bucket))
        .unwrap();
    run_counter(&next, "after", None, None, 1);
    next.flush().unwrap();
    assert!(
        !spool.exists(),
        "the spool left behind was shipped and removed"
    );
    let index = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(moto.root(&bucket, ""), index.path()).unwrap();
    block_on(mirror.sync()).unwrap();
    let store = Store::new(mirror.data_dir());
    for (app, steps) in [("steady", 2), ("during", 20), ("after", 1)] {
        let logs: Value =
            serde_json::from_str(&store.app_logs_json("fleet", app).unwrap()).unwrap();
        let seqs: Vec<u64> = logs["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step_start_log"]["sequence_id"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, (0..steps).collect::<Vec<u64>>(), "{app}");
    }
}

#[test]
fn hostile_keys_never_leave_the_mirror() {
    let Some(moto) = Moto::start("object-store hostile keys") else {
        return;
    };
    let bucket = unique("hostile").replace('_', "-");
    moto.create_bucket(&bucket);
    let line = br#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"a","inputs":{},"sequence_id":0}"#;
    let time = "2026/12/03/11/39:53.394608%2B00:00";
    for key in [
        format!("data/p/{time}/__none__/.hidden/x__log.jsonl"),
        format!("data/p/{time}/__none__/a/b/c/x__log.jsonl"),
        format!("data/p/{time}/__none__/%E2%80%AEevil/x__log.jsonl"),
        format!("data/p/{time}/__none__/good/x__log.jsonl"),
    ] {
        assert_eq!(
            moto.raw("PUT", &format!("/{bucket}/{key}"), line),
            200,
            "{key}"
        );
    }
    let index = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(moto.root(&bucket, ""), index.path()).unwrap();
    let report = block_on(mirror.sync()).unwrap();
    // `good` and the right-to-left override (a valid, if odd, id) are mirrored, nothing else.
    assert_eq!(report.fetched, 2, "{report:?}");
    let mut found = Vec::new();
    walk(index.path(), &mut found);
    for path in &found {
        assert!(
            path.starts_with(index.path().join("data")) || path.parent() == Some(index.path()),
            "{}",
            path.display()
        );
    }
    assert!(index.path().join("data/p/good/log.jsonl").is_file());
    assert!(!index.path().join("escape").exists() && !index.path().join("data/escape").exists());

    // A `..` part cannot even be listed: the look fails with a typed error, writing nothing.
    for key in [
        format!("data/p/{time}/__none__/../graph.json"),
        format!("data/p/{time}/__none__/..%2F..%2F..%2Fescape/x__log.jsonl"),
        format!("data/p/{time}/__none__/ok/..%2F..%2Fescape.jsonl"),
        format!("data/%2E%2E/{time}/__none__/a/x__log.jsonl"),
    ] {
        let bucket = unique("dots").replace('_', "-");
        moto.create_bucket(&bucket);
        assert_eq!(
            moto.raw("PUT", &format!("/{bucket}/{key}"), line),
            200,
            "{key}"
        );
        let index = tempfile::tempdir().unwrap();
        let mirror = Mirror::open(moto.root(&bucket, ""), index.path()).unwrap();
        let err = block_on(mirror.sync()).unwrap_err();
        assert!(
            matches!(err, burr_tracking::object::ObjectStoreError::Store { .. }),
            "{err:?}"
        );
        let mut found = Vec::new();
        walk(&index.path().join("data"), &mut found);
        assert!(found.is_empty(), "{found:?}");
    }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        }
        out.push(path);
    }
}
