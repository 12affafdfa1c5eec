//! Apache Burr's own S3 tracking server (`SQLiteS3Backend`, run from the venv `.ci/setup`
//! makes) indexes and serves a bucket written by this crate's client: it lists our keys and
//! reads our `graph.json`, `metadata.json`, `…__log.jsonl` and `…__children.jsonl` objects as
//! it reads what its own `S3TrackingClient` writes. The bucket is on moto (loopback); Burr's
//! server has no key prefix, so the client writes at the bucket's root. moto's server drops
//! user metadata whose name has a `_`, so what Burr takes from it (the sequence range of a
//! log object, the tracker id) is not checked here.
//! Without the venv or moto each test says why and passes, unless `BURR_REQUIRE_SERVICES=1`.
#![cfg(all(feature = "object-store", feature = "server"))]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use burr_core::Pointer;
use burr_tracking::LocalTrackingClient;
use burr_tracking::object::{ObjectRoot, ShipOptions};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use support::burr_server::BurrServer;
use support::counter::run_counter;
use support::moto::Moto;
use support::roots::unique;

/// What this file tests, for the skip messages.
const WHAT: &str = "Apache Burr's S3 server on our bucket";
/// What the venv of Burr's S3 server must import (moto through the system site packages).
const IMPORTS: &str = "import tortoise, aerich, aiobotocore, fastapi_utils.tasks, typing_inspect, \
     uvicorn, moto.server, burr.tracking.server.s3.backend; \
     assert tortoise.__version__.startswith('0.'), tortoise.__version__";
const PROJECT: &str = "rs-on-burr-s3";

/// The Python of the venv `.ci/setup` makes for Burr's S3 server (`$BURR_S3_SERVER_VENV`, by
/// default `~/.cache/burr-ci/burr-s3-venv`), when it imports everything the server needs.
fn server_python() -> Option<PathBuf> {
    let venv = std::env::var_os("BURR_S3_SERVER_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/burr-ci/burr-s3-venv"))
        });
    let Some(venv) = venv else {
        return support::skip(WHAT, "no HOME to find the venv in; run `.ci/setup`");
    };
    let python = venv.join("bin/python");
    let why = match Command::new(&python).args(["-c", IMPORTS]).output() {
        Ok(out) if out.status.success() => return Some(python),
        Ok(out) => String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string(),
        Err(e) => e.to_string(),
    };
    support::skip(
        WHAT,
        format!(
            "{} cannot run Burr's S3 server ({why}); run `.ci/setup`, which makes that venv",
            python.display()
        ),
    )
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Every key in the store.
fn keys(root: &ObjectRoot) -> Vec<String> {
    let mut keys: Vec<String> = block_on(root.store().list(None).collect::<Vec<_>>())
        .into_iter()
        .map(|meta| meta.unwrap().location.to_string())
        .collect();
    keys.sort();
    keys
}

/// Burr's S3 server (`uvicorn burr.tracking.server.run:app` with `SQLiteS3Backend`) on
/// `bucket`, its database and log in a temporary folder; killed when dropped.
struct BurrS3Server {
    server: BurrServer,
    _root: tempfile::TempDir,
}

impl BurrS3Server {
    fn start(python: &Path, moto: &Moto, bucket: &str) -> BurrS3Server {
        let root = tempfile::tempdir().unwrap();
        let env = |cmd: &mut Command| {
            cmd.envs(moto.options())
                .env("AWS_DEFAULT_REGION", "us-east-1")
                // Nothing of the machine's AWS setup: only moto is asked.
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_ENDPOINT_URL_S3")
                .env_remove("AWS_SESSION_TOKEN")
                .env("AWS_CONFIG_FILE", root.path().join("no-aws-config"))
                .env(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    root.path().join("no-aws-credentials"),
                )
                .env("BURR_SERVER_ROOT", root.path())
                .env(
                    "BURR_BACKEND_IMPL",
                    "burr.tracking.server.s3.backend.SQLiteS3Backend",
                )
                .env("BURR_S3_BUCKET", bucket)
                .env("BURR_UPDATE_INTERVAL_MILLISECONDS", "300")
                .env("BURR_LOAD_SNAPSHOT_ON_START", "false")
                .env("BURR_SERVE_STATIC", "false")
                .stdin(Stdio::null());
        };
        // The server reads its tables but never creates them.
        let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/burr_s3_schema.py");
        let mut create = Command::new(python);
        create.arg(&schema);
        env(&mut create);
        let out = create.output().unwrap();
        assert!(
            out.status.success(),
            "creating the tables of Burr's S3 server failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let server = BurrServer::start_with(python, root.path().join("server.log"), |cmd| env(cmd));
        BurrS3Server {
            server,
            _root: root,
        }
    }

    /// `GET path`, asserting HTTP 200 and a JSON body.
    fn get(&self, path: &str) -> Value {
        self.server.get(path)
    }

    /// Waits (at most `within`) until `done` holds for `GET path`; returns that answer.
    fn poll(&mut self, path: &str, within: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let answer = self.get(path);
            if done(&answer) {
                return answer;
            }
            self.server.assert_running();
            assert!(
                Instant::now() < deadline,
                "GET {path} still answers {answer}\nserver log:\n{}",
                self.server.log_text()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Checks the graph and the `steps` steps of a traced counter, as Burr's server answers them.
fn check_counter_steps(app: &Value, steps: usize) {
    assert_eq!(app["application"]["entrypoint"], "counter", "{app}");
    assert_eq!(app["application"]["actions"][0]["name"], "counter", "{app}");
    assert_eq!(
        app["application"]["transitions"][0]["from_"], "counter",
        "{app}"
    );
    let got = app["steps"].as_array().expect("steps");
    assert_eq!(got.len(), steps, "{app}");
    for (i, step) in got.iter().enumerate() {
        let seq = i as u64;
        assert_eq!(step["step_start_log"]["sequence_id"], seq, "{step}");
        assert_eq!(step["step_start_log"]["action"], "counter", "{step}");
        assert_eq!(step["step_end_log"]["sequence_id"], seq, "{step}");
        assert_eq!(step["step_end_log"]["state"]["counter"], seq + 1, "{step}");
        assert_eq!(step["step_end_log"]["exception"], Value::Null, "{step}");
        let spans = step["spans"].as_array().expect("spans");
        assert_eq!(spans.len(), 1, "{step}");
        let span = &spans[0];
        assert_eq!(span["begin_entry"]["span_name"], "work", "{step}");
        assert_eq!(span["begin_entry"]["action_sequence_id"], seq, "{step}");
        assert_eq!(
            span["end_entry"]["span_id"], span["begin_entry"]["span_id"],
            "{step}"
        );
        let attributes = step["attributes"].as_array().expect("attributes");
        assert_eq!(attributes.len(), 1, "{step}");
        assert_eq!(attributes[0]["key"], "note", "{step}");
        assert_eq!(
            attributes[0]["value"],
            json!({"π": "ünïcode", "n": [1, 2]}),
            "{step}"
        );
        assert_eq!(
            attributes[0]["span_id"], span["begin_entry"]["span_id"],
            "{step}"
        );
    }
}

#[test]
fn burrs_own_s3_server_serves_a_bucket_this_crate_wrote() {
    let Some(python) = server_python() else {
        return;
    };
    let Some(moto) = Moto::start(WHAT) else {
        return;
    };
    let bucket = unique("burr-s3-server").replace('_', "-");
    moto.create_bucket(&bucket);

    // Two applications, the second spawned by the first (so the first gets a
    // `…__children.jsonl` object) and under a partition key.
    let spool = tempfile::tempdir().unwrap();
    let tracker = LocalTrackingClient::new(PROJECT)
        .unwrap()
        .with_spool_dir(spool.path())
        .with_ship_options(ShipOptions {
            interval: Duration::from_millis(100),
            request_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(5),
            ..ShipOptions::default()
        })
        .with_object_store(moto.root(&bucket, ""))
        .unwrap();
    run_counter(&tracker, "rs-parent", None, None, 3);
    let parent = Pointer {
        app_id: "rs-parent".into(),
        sequence_id: Some(2),
        partition_key: None,
    };
    run_counter(&tracker, "rs-child", Some("user-1"), Some(parent), 2);
    tracker.flush().unwrap();
    drop(tracker);

    // What Burr's server is given: objects in its layout, at the bucket's root.
    let written = keys(&moto.root(&bucket, ""));
    for key in &written {
        let parts: Vec<&str> = key.split('/').collect();
        assert_eq!(parts.len(), 10, "{key}");
        assert_eq!(&parts[..2], ["data", PROJECT], "{key}");
        assert!(parts[6].ends_with("+00:00"), "{key}");
    }
    let named = |pk: &str, app: &str, file: &str| {
        written
            .iter()
            .filter(|k| k.contains(&format!("/{pk}/{app}/")) && k.ends_with(file))
            .count()
    };
    for (pk, app) in [("__none__", "rs-parent"), ("user-1", "rs-child")] {
        assert_eq!(named(pk, app, "/graph.json"), 1, "{written:#?}");
        assert_eq!(named(pk, app, "/metadata.json"), 1, "{written:#?}");
        assert!(named(pk, app, "__log.jsonl") >= 1, "{written:#?}");
    }
    assert_eq!(
        named("__none__", "rs-parent", "__children.jsonl"),
        1,
        "{written:#?}"
    );

    let mut server = BurrS3Server::start(&python, &moto, &bucket);
    let projects = server.poll("/api/v0/projects", Duration::from_secs(60), |p| {
        p.as_array()
            .is_some_and(|p| p.iter().any(|p| p["name"] == PROJECT))
    });
    let project = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == PROJECT)
        .unwrap();
    assert_eq!(project["id"], PROJECT, "{projects}");
    // An index pass over the project is over once its job succeeded: by then it has seen
    // every object (all were written before the server started).
    let jobs = server.poll(
        "/api/v0/indexing_jobs?offset=0&limit=100&filter_empty=true",
        Duration::from_secs(60),
        |jobs| {
            jobs.as_array().is_some_and(|jobs| {
                jobs.iter()
                    .any(|j| j["status"] == "SUCCESS" && j["metadata"]["project"] == PROJECT)
            })
        },
    );
    let indexed: u64 = jobs
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["status"] == "SUCCESS" && j["metadata"]["project"] == PROJECT)
        .map(|j| j["records_processed"].as_u64().unwrap())
        .sum();
    assert_eq!(indexed, written.len() as u64, "{jobs}");

    let apps = server.get(&format!("/api/v0/{PROJECT}/__none__/apps"));
    assert_eq!(apps["total"], 2, "{apps}");
    let mut listed: Vec<(String, String)> = apps["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["app_id"].as_str().unwrap().to_string(),
                a["partition_key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            ("rs-child".to_string(), "user-1".to_string()),
            ("rs-parent".to_string(), "__none__".to_string()),
        ],
        "{apps}"
    );
    // (`num_steps` comes from the `max_sequence_id` user metadata, which moto's server drops
    // with every `_` header: not asserted.)
    let by_pk = server.get(&format!("/api/v0/{PROJECT}/user-1/apps"));
    assert_eq!(by_pk["total"], 1, "{by_pk}");
    assert_eq!(by_pk["applications"][0]["app_id"], "rs-child", "{by_pk}");

    let parent = server.get(&format!("/api/v0/{PROJECT}/rs-parent/__none__/apps"));
    check_counter_steps(&parent, 3);
    let child = server.get(&format!("/api/v0/{PROJECT}/rs-child/user-1/apps"));
    check_counter_steps(&child, 2);
    // Without the partition key Burr finds the child by its id alone.
    let child_any = server.get(&format!("/api/v0/{PROJECT}/rs-child/__none__/apps"));
    assert_eq!(child_any["steps"], child["steps"]);
    drop(server);
    drop(moto);
}
