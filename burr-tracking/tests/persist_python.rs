//! SQLite databases are shared with Apache Burr: Python Burr's `SQLitePersister` reads what
//! [`SqlitePersister`] saved, and the other way round (a real Burr application writes its
//! steps, burr-rs loads them and continues the application).
//!
//! Needs `python3` with `apache-burr` installed; without it the tests print
//! "skipping: ..." and pass, unless `BURR_REQUIRE_SERVICES=1`.
#![cfg(feature = "sqlite")]

mod support;

use std::path::Path;

use burr_core::{SaveRequest, State, StateLoader, StateSaver, Status};
use burr_tracking::persist::sqlite::SqlitePersister;
use serde_json::{Value, json};
use support::python;

/// Runs `script` with `python3` (arguments after it) and reads what it prints as JSON; `None`
/// (a skip) when Python Burr is missing.
fn python(script: &str, args: &[&str]) -> Option<Value> {
    python::burr_package(
        "sharing SQLite databases with Apache Burr",
        &["burr.core.persistence"],
    )?;
    let out = python::run(["-c", script].iter().chain(args));
    Some(serde_json::from_str(out.trim()).expect("python printed JSON"))
}

fn path_arg(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Python side: loads with Burr's persister and prints what it found, as JSON.
const READ_WITH_BURR: &str = r#"
import json, sys
from burr.core.persistence import SQLitePersister
p = SQLitePersister(db_path=sys.argv[1], table_name=sys.argv[2])
def row(r):
    if r is None:
        return None
    return {"partition_key": r["partition_key"], "app_id": r["app_id"],
            "sequence_id": r["sequence_id"], "position": r["position"],
            "state": r["state"].get_all(), "status": r["status"],
            "created_at": r["created_at"]}
print(json.dumps({
    "initialized": p.is_initialized(),
    "apps": p.list_app_ids(None),
    "user_apps": p.list_app_ids("user-1"),
    "latest": row(p.load(None, "rust-app")),
    "first": row(p.load(None, "rust-app", 0)),
    "user": row(p.load("user-1", "rust-app")),
    "absent": row(p.load(None, "rust-app", 99)),
}))
"#;

#[test]
fn python_burr_reads_what_rust_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rust.db");
    let persister = SqlitePersister::open(&db)
        .unwrap()
        .with_table_name("shared_state")
        .unwrap();
    persister.initialize().unwrap();
    let mut states = Vec::new();
    for (seq, position) in ["start", "talk", "talk"].iter().enumerate() {
        let seq = seq as u64;
        let state = State::new()
            .update("count", seq)
            .update("text", "héllo \"🦀\"")
            .update(
                "history",
                json!([{"role": "user", "content": "hi"}, null, 1.5]),
            )
            .with_sequence_id(seq)
            .with_prior_step(position);
        persister
            .save(SaveRequest {
                partition_key: None,
                app_id: "rust-app",
                sequence_id: seq,
                position,
                state: &state,
                status: if seq == 2 {
                    Status::Failed
                } else {
                    Status::Completed
                },
            })
            .unwrap();
        states.push(state);
    }
    let other = State::new().update("who", "user-1");
    persister
        .save(SaveRequest {
            partition_key: Some("user-1"),
            app_id: "rust-app",
            sequence_id: 0,
            position: "start",
            state: &other,
            status: Status::Completed,
        })
        .unwrap();

    let Some(seen) = python(READ_WITH_BURR, &[path_arg(&db), "shared_state"]) else {
        return;
    };
    assert_eq!(seen["initialized"], true);
    assert_eq!(seen["apps"], json!(["rust-app"]));
    assert_eq!(seen["user_apps"], json!(["rust-app"]));
    assert_eq!(seen["latest"]["state"], states[2].to_json());
    assert_eq!(seen["latest"]["sequence_id"], 2);
    assert_eq!(seen["latest"]["position"], "talk");
    assert_eq!(seen["latest"]["status"], "failed");
    assert_eq!(seen["latest"]["app_id"], "rust-app");
    assert_eq!(seen["latest"]["partition_key"], "");
    assert_eq!(seen["first"]["state"], states[0].to_json());
    assert_eq!(seen["first"]["status"], "completed");
    assert_eq!(
        seen["first"]["state"]["__SEQUENCE_ID"], 0,
        "runtime keys travel inside the state"
    );
    assert_eq!(seen["first"]["state"]["__PRIOR_STEP"], "start");
    assert_eq!(seen["user"]["state"], other.to_json());
    assert_eq!(seen["absent"], Value::Null);
    let created = seen["latest"]["created_at"].as_str().unwrap();
    assert!(
        created.starts_with("20") && created.len() >= 19,
        "{created}"
    );
}

/// Python side: a real Burr application that saves each step with `SQLitePersister`, then
/// a saved failure; prints the state Burr holds after the last step.
const RUN_BURR_APP: &str = r#"
import json, sys
from burr.core import ApplicationBuilder, State, action
from burr.core.persistence import SQLitePersister

@action(reads=["count"], writes=["count", "log"])
def counter(state: State) -> State:
    return state.update(count=state["count"] + 1).append(log=f"step {state['count']} ✓")

p = SQLitePersister(db_path=sys.argv[1], table_name=sys.argv[2])
p.initialize()
app = (
    ApplicationBuilder()
    .with_actions(counter)
    .with_transitions(("counter", "counter"))
    .with_state(count=0, log=[], nested={"a": [1, {"b": None}], "f": 0.25})
    .with_entrypoint("counter")
    .with_identifiers(app_id="py-app")
    .with_state_persister(p)
    .build()
)
for _ in range(3):
    app.step()
p.save("user-1", "py-app", 0, "counter", State({"who": "user-1"}), "failed")
print(json.dumps(app.state.get_all()))
"#;

/// Python side: Burr loads the step burr-rs appended to its application.
const LOAD_LATEST: &str = r#"
import json, sys
from burr.core.persistence import SQLitePersister
p = SQLitePersister(db_path=sys.argv[1], table_name=sys.argv[2])
r = p.load(None, "py-app")
print(json.dumps({"sequence_id": r["sequence_id"], "position": r["position"],
                  "state": r["state"].get_all(), "apps": p.list_app_ids(None)}))
"#;

#[test]
fn rust_reads_and_continues_what_python_burr_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("python.db");
    let Some(final_state) = python(RUN_BURR_APP, &[path_arg(&db), "burr_state"]) else {
        return;
    };
    let persister = SqlitePersister::open(&db).unwrap();
    assert!(persister.is_initialized().unwrap());
    assert_eq!(persister.list_app_ids(None).unwrap(), ["py-app"]);
    assert_eq!(persister.list_app_ids(Some("user-1")).unwrap(), ["py-app"]);

    let latest = persister.load(None, "py-app", None).unwrap().unwrap();
    assert_eq!(latest.sequence_id, 2);
    assert_eq!(latest.position, "counter");
    assert_eq!(latest.status, Status::Completed);
    assert_eq!(latest.partition_key, None);
    assert_eq!(latest.app_id, "py-app");
    assert_eq!(latest.state.to_json(), final_state);
    assert_eq!(latest.state.sequence_id(), Some(2));
    assert_eq!(latest.state.prior_step(), Some("counter"));
    assert_eq!(latest.state.get::<i64>("count").unwrap(), 3);
    assert!(!latest.created_at.is_empty());

    let first = persister.load(None, "py-app", Some(0)).unwrap().unwrap();
    assert_eq!(first.state.get::<i64>("count").unwrap(), 1);
    assert_eq!(first.state.get::<Vec<String>>("log").unwrap(), ["step 0 ✓"]);
    let failed = persister
        .load(Some("user-1"), "py-app", None)
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(failed.state, State::new().update("who", "user-1"));

    // burr-rs continues the application; Burr sees the new step as the latest.
    let next = latest
        .state
        .update("count", 4)
        .with_sequence_id(3)
        .with_prior_step("counter");
    persister
        .save(SaveRequest {
            partition_key: None,
            app_id: "py-app",
            sequence_id: 3,
            position: "counter",
            state: &next,
            status: Status::Completed,
        })
        .unwrap();
    // A step Burr wrote cannot be overwritten.
    let err = persister
        .save(SaveRequest {
            partition_key: None,
            app_id: "py-app",
            sequence_id: 1,
            position: "counter",
            state: &next,
            status: Status::Completed,
        })
        .unwrap_err();
    assert!(
        matches!(err, burr_core::PersistenceError::Duplicate(_)),
        "{err}"
    );

    let seen = python(LOAD_LATEST, &[path_arg(&db), "burr_state"]).unwrap();
    assert_eq!(seen["sequence_id"], 3);
    assert_eq!(seen["position"], "counter");
    assert_eq!(seen["state"], next.to_json());
    assert_eq!(seen["apps"], json!(["py-app"]));
}
