//! The reader against Apache Burr itself: Burr's bundled demo data and a small application
//! run with the installed Burr must read back exactly as Burr's own server and
//! `LocalTrackingClient.load` see them; hostile files must never panic.
//!
//! The tests that need Python and Apache Burr skip with a message when they are missing,
//! unless `BURR_REQUIRE_SERVICES=1`, in which case they fail.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use burr_core::{StateLoader, Status};
use burr_tracking::format::{
    ApplicationMetadataModel, ApplicationModel, ChildApplicationModel, LogRecord, to_json_line,
    to_python_json,
};
use burr_tracking::layout;
use burr_tracking::read::{self, Step};
use burr_tracking::{LoadError, TrackingLoader, load_state};
use serde::Deserialize;
use serde_json::Value;
use support::python;
use support::roots::{fixtures, root_with_log};

/// Burr's package directory, or a skip when Python Burr is missing.
fn burr_available() -> Option<PathBuf> {
    python::burr_package("reading Apache Burr's own files", &[])
}

#[derive(Debug, Deserialize)]
struct OracleApp {
    project: String,
    app_id: String,
    num_steps: u64,
    steps_json: String,
    counts: Vec<OracleCounts>,
    #[serde(default)]
    loads: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct OracleCounts {
    sequence_id: u64,
    spans: usize,
    attributes: usize,
    streaming_events: usize,
    ended: bool,
}

fn oracle(root: &Path, loads: bool) -> Vec<OracleApp> {
    let script = fixtures().join("burr_oracle.py");
    let mut args = vec![script.as_os_str(), root.as_os_str()];
    if loads {
        args.push("--loads".as_ref());
    }
    serde_json::from_str(&python::run(args)).expect("oracle output is JSON")
}

fn counts(steps: &[Step]) -> Vec<OracleCounts> {
    steps
        .iter()
        .map(|s| OracleCounts {
            sequence_id: s.step_start_log.sequence_id,
            spans: s.spans.len(),
            attributes: s.attributes.len(),
            streaming_events: s.streaming_events.len(),
            ended: s.step_end_log.is_some(),
        })
        .collect()
}

/// Checks one application against what Burr computed for it; returns the number of steps.
fn check_app(root: &Path, expected: &OracleApp) -> usize {
    let name = format!("{}/{}", expected.project, expected.app_id);
    let dir = layout::app_dir(root, &expected.project, &expected.app_id).unwrap();
    let log = read::read_log(&dir.join(layout::LOG_FILE)).unwrap();
    assert_eq!(log.skipped, 0, "{name}: {:?}", log.problems);
    let steps = read::steps_from_records(log.records);
    assert_eq!(counts(&steps), expected.counts, "{name}");
    // The whole step view, byte for byte as Burr's server serializes it.
    let ours = to_json_line(&steps).unwrap();
    assert_eq!(
        ours.trim_end(),
        expected.steps_json,
        "{name}: step JSON differs"
    );
    assert_eq!(
        read::num_steps(&dir.join(layout::LOG_FILE)).unwrap(),
        expected.num_steps,
        "{name}"
    );
    for (key, want) in &expected.loads {
        let sequence_id = (key != "latest").then(|| key.parse::<u64>().unwrap());
        let got = load_state(root, &expected.project, &expected.app_id, sequence_id);
        match want {
            Value::Null => assert!(
                matches!(
                    got,
                    Err(LoadError::AppNotFound { .. } | LoadError::NoSteps { .. })
                ),
                "{name} {key}: {got:?}"
            ),
            Value::Object(o) if o.contains_key("error") => assert!(
                matches!(got, Err(LoadError::StepNotFound { .. })),
                "{name} {key}: {got:?}"
            ),
            Value::Object(o) => {
                let got = got.unwrap_or_else(|e| panic!("{name} {key}: {e}"));
                assert_eq!(
                    Value::from(got.sequence_id),
                    o["sequence_id"],
                    "{name} {key}"
                );
                assert_eq!(got.position, o["position"], "{name} {key}");
                assert_eq!(got.status.as_str(), o["status"], "{name} {key}");
                assert_eq!(got.state.to_json(), o["state"], "{name} {key}");
            }
            other => panic!("unexpected oracle value {other}"),
        }
    }
    steps.len()
}

#[test]
fn demo_data_reads_like_burrs_server() {
    let Some(burr) = burr_available() else { return };
    let root = burr.join("tracking/server/demo_data");
    let expected = oracle(&root, true);
    assert_eq!(expected.len(), 21, "Burr ships 21 demo apps");
    let mut total_steps = 0;
    for app in &expected {
        total_steps += check_app(&root, app);
    }
    assert!(total_steps > 100, "{total_steps} steps");
    // The app list agrees on every project.
    let projects = read::list_projects(&root).unwrap();
    assert_eq!(projects.len(), 4);
    for project in projects {
        for app in read::list_apps(&root, &project.name).unwrap() {
            let want = expected
                .iter()
                .find(|e| e.project == project.name && e.app_id == app.app_id)
                .unwrap();
            assert_eq!(app.num_steps, want.num_steps, "{}", app.app_id);
            assert!(app.has_graph && app.has_log && app.metadata_error.is_none());
        }
    }
}

/// Runs the tiny application with the installed Burr into a fresh directory.
fn tiny_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    python::run([
        fixtures().join("tiny_app.py").as_os_str(),
        dir.path().as_os_str(),
    ]);
    dir
}

#[test]
fn tiny_app_reads_and_loads_like_burr() {
    if burr_available().is_none() {
        return;
    }
    let dir = tiny_app();
    let root = dir.path();
    let expected = oracle(root, true);
    let ids: Vec<_> = expected.iter().map(|a| a.app_id.as_str()).collect();
    assert_eq!(ids, ["app-child", "app-fork", "app-main"]);
    for app in &expected {
        check_app(root, app);
    }
    let main = &expected[2];
    assert_eq!(main.num_steps, 8);
    assert_eq!(main.loads["latest"]["position"], "boom");
    assert_eq!(main.loads["latest"]["status"], "failed");
    assert!(main.counts.iter().any(|c| c.streaming_events == 3));

    // The loader as `initialize_from` uses it.
    let loader = TrackingLoader::with_root(root, "p").unwrap();
    let row = loader
        .load(Some("user_1"), "app-main", Some(2))
        .unwrap()
        .unwrap();
    assert_eq!(row.state.to_json(), main.loads["2"]["state"]);
    assert_eq!(row.status, Status::Completed);
    assert_eq!(row.partition_key.as_deref(), Some("user_1"));
    assert!(loader.load(None, "app-main", Some(99)).unwrap().is_none());
    let mut user_apps = loader.list_app_ids(Some("user_1")).unwrap();
    user_apps.sort();
    assert_eq!(user_apps, ["app-fork", "app-main"]);
    assert_eq!(loader.list_app_ids(None).unwrap(), ["app-child"]);
}

#[test]
fn tiny_app_files_round_trip_byte_for_byte() {
    if burr_available().is_none() {
        return;
    }
    let dir = tiny_app();
    let project = dir.path().join("p");
    let mut kinds = BTreeMap::<String, usize>::new();
    for app in ["app-main", "app-fork", "app-child"] {
        let app_dir = project.join(app);
        let log = fs::read_to_string(app_dir.join("log.jsonl")).unwrap();
        for line in log.split_inclusive('\n') {
            let record = LogRecord::from_json_line(line.as_bytes()).unwrap();
            *kinds.entry(record.type_name().into_owned()).or_default() += 1;
            assert!(!matches!(record, LogRecord::Unknown(_)), "{line}");
            assert_eq!(record.to_json_line(), line, "{app}");
        }
        let graph = fs::read_to_string(app_dir.join("graph.json")).unwrap();
        let parsed: ApplicationModel = serde_json::from_str(&graph).unwrap();
        assert_eq!(to_python_json(&parsed).unwrap(), graph, "{app}/graph.json");
        let metadata = fs::read_to_string(app_dir.join("metadata.json")).unwrap();
        let parsed: ApplicationMetadataModel = serde_json::from_str(&metadata).unwrap();
        assert_eq!(
            to_python_json(&parsed).unwrap(),
            metadata,
            "{app}/metadata.json"
        );
    }
    assert_eq!(kinds.len(), 8, "every record kind appears: {kinds:?}");
    let children = fs::read_to_string(project.join("app-main/children.jsonl")).unwrap();
    for line in children.split_inclusive('\n') {
        let child: ChildApplicationModel = serde_json::from_str(line).unwrap();
        assert_eq!(to_json_line(&child).unwrap(), line);
    }

    let apps = read::list_apps(dir.path(), "p").unwrap();
    let fork = apps.iter().find(|a| a.app_id == "app-fork").unwrap();
    let parent = fork.metadata.parent_pointer.as_ref().unwrap();
    assert_eq!(
        (parent.app_id.as_str(), parent.sequence_id),
        ("app-main", Some(2))
    );
    let child = apps.iter().find(|a| a.app_id == "app-child").unwrap();
    assert_eq!(child.partition_key(), None);
    assert!(child.metadata.spawning_parent_pointer.is_some());
    let main = read::read_app(dir.path(), "p", "app-main").unwrap();
    assert_eq!(main.children.children.len(), 2);
    assert_eq!(main.graph.unwrap().entrypoint, "counter");
}

#[test]
fn golden_files_match_the_installed_burr() {
    if burr_available().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    python::run([
        fixtures().join("make_golden.py").as_os_str(),
        dir.path().as_os_str(),
    ]);
    for file in [
        "log.jsonl",
        "children.jsonl",
        "graph.json",
        "metadata.json",
        "metadata_fork.json",
    ] {
        assert_eq!(
            fs::read_to_string(dir.path().join(file)).unwrap(),
            fs::read_to_string(fixtures().join("golden").join(file)).unwrap(),
            "{file}: the checked-in golden file differs from what Burr writes now"
        );
    }
}

// -------------------------------------------------------------------------------------------
// Hostile files (no Python needed)
// -------------------------------------------------------------------------------------------

const BEGIN: &str = r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"a","inputs":{},"sequence_id":SEQ}"#;
const END: &str = r#"{"type":"end_entry","end_time":"2024-01-01T00:00:01","action":"a","result":{},"exception":null,"state":{"n":SEQ,"__SEQUENCE_ID":SEQ},"sequence_id":SEQ}"#;

fn step(seq: u64) -> String {
    format!(
        "{}\n{}\n",
        BEGIN.replace("SEQ", &seq.to_string()),
        END.replace("SEQ", &seq.to_string())
    )
}

#[test]
fn hostile_logs_never_panic_and_keep_the_good_lines() {
    let huge_value = "x".repeat(10 * 1024 * 1024);
    let mut log = Vec::new();
    log.extend_from_slice(step(0).as_bytes());
    log.extend_from_slice(b"\n\n   \n"); // blank lines
    log.extend_from_slice(step(1).replace('\n', "\r\n").as_bytes()); // CRLF
    // Invalid UTF-8 inside a string value: replaced, the line still reads.
    log.extend_from_slice(b"{\"type\":\"attribute\",\"key\":\"k\xff\xfe\",\"action_sequence_id\":1,\"span_id\":null,\"value\":\"\xc3\",\"tags\":{}}\n");
    // A 10 MB attribute.
    writeln!(
        log,
        r#"{{"type":"attribute","key":"big","action_sequence_id":1,"span_id":null,"value":"{huge_value}","tags":{{}}}}"#
    )
    .unwrap();
    // Wrong types, missing keys, no type, non-object lines, orphan end_span.
    log.extend_from_slice(br#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":"abc"}"#);
    log.push(b'\n');
    log.extend_from_slice(br#"{"type":"end_entry","end_time":"2024-01-01","action":"a","result":{},"exception":null,"sequence_id":1}"#);
    log.push(b'\n');
    log.extend_from_slice(br#"{"type":"attribute","key":"k","action_sequence_id":1,"span_id":null,"value":1,"tags":{"a":1}}"#);
    log.push(b'\n');
    log.extend_from_slice(br#"{"action":"no type","sequence_id":1}"#);
    log.push(b'\n');
    log.extend_from_slice(b"[1,2]\n\"text\"\n42\nnull\n");
    log.extend_from_slice(
        br#"{"type":"end_span","end_time":"2024-01-01","action_sequence_id":1,"span_id":"1:7"}"#,
    );
    log.push(b'\n');
    log.extend_from_slice(step(2).as_bytes());
    log.extend_from_slice(br#"{"type":"begin_entry","start_ti"#); // torn last line

    let root = root_with_log(&log);
    let path = root.path().join("p/a/log.jsonl");
    let read = read::read_log(&path).unwrap();
    // sequence_id "abc", end_entry without state, bad tags, no type, 4 non-objects, torn line.
    assert_eq!(read.skipped, 9, "{:#?}", read.problems);
    assert_eq!(
        read.problems.last().unwrap().line,
        log.split(|b| *b == b'\n').count()
    );
    let steps = read::steps_from_records(read.records);
    assert_eq!(
        steps
            .iter()
            .map(|s| s.step_start_log.sequence_id)
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert!(steps[1].spans.is_empty(), "the orphan end_span is dropped");
    assert_eq!(steps[1].attributes.len(), 2);
    assert_eq!(steps[1].attributes[0].key, "k\u{fffd}\u{fffd}");
    assert_eq!(
        steps[1].attributes[1].value.as_str().map(str::len),
        Some(huge_value.len())
    );

    assert_eq!(read::num_steps(&path).unwrap(), 3);
    let latest = load_state(root.path(), "p", "a", None).unwrap();
    assert_eq!(latest.sequence_id, 2);
    assert_eq!(
        load_state(root.path(), "p", "a", Some(1))
            .unwrap()
            .state
            .get::<u64>("n")
            .unwrap(),
        1
    );
    let apps = read::list_apps(root.path(), "p").unwrap();
    assert_eq!(apps[0].num_steps, 3);
    let app = read::read_app(root.path(), "p", "a").unwrap();
    assert_eq!(app.steps.len(), 3);
    assert!(app.graph.as_ref().unwrap_err().is_not_found());
}

#[test]
fn a_huge_last_line_is_read_backwards_without_trouble() {
    let mut log = step(0).into_bytes();
    let huge = format!(
        "{{\"type\":\"mystery\",\"blob\":\"{}\",\"sequence_id\":41}}\n",
        "y".repeat(12 * 1024 * 1024)
    );
    log.extend_from_slice(huge.as_bytes());
    let root = root_with_log(&log);
    assert_eq!(
        read::num_steps(&root.path().join("p/a/log.jsonl")).unwrap(),
        42
    );
    assert_eq!(
        load_state(root.path(), "p", "a", None).unwrap().sequence_id,
        0
    );
}

#[test]
fn matrix_cases_of_burrs_server() {
    // Unknown type with a sequence_id as last line: counted by num_steps, ignored by steps.
    let root = root_with_log(
        format!("{}{}\n", step(0), r#"{"type":"custom","sequence_id":99}"#).as_bytes(),
    );
    let log = root.path().join("p/a/log.jsonl");
    assert_eq!(read::num_steps(&log).unwrap(), 100);
    assert_eq!(
        read::steps_from_records(read::read_log(&log).unwrap().records).len(),
        1
    );
    // sequence_id as a string on the last line: lax coercion (Burr's list fails here).
    fs::write(
        &log,
        step(0).replace("\"sequence_id\":0}\n", "\"sequence_id\":\"3\"}\n"),
    )
    .unwrap();
    assert_eq!(read::num_steps(&log).unwrap(), 4);
    // begin_entry only (a running step), duplicate begin_entry: last wins.
    fs::write(
        &log,
        format!(
            "{}\n{}\n",
            BEGIN.replace("SEQ", "0"),
            BEGIN.replace("SEQ", "0").replace("\"a\"", "\"b\"")
        ),
    )
    .unwrap();
    let steps = read::steps_from_records(read::read_log(&log).unwrap().records);
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].step_start_log.action, "b");
    assert!(steps[0].step_end_log.is_none());
    assert!(matches!(
        load_state(root.path(), "p", "a", None),
        Err(LoadError::NoSteps { .. })
    ));
    // Empty log: zero steps.
    fs::write(&log, "").unwrap();
    assert_eq!(read::num_steps(&log).unwrap(), 0);
    // metadata.json with a wrongly typed partition key, and a stray file and hidden dir.
    fs::write(
        root.path().join("p/a/metadata.json"),
        r#"{"partition_key": 5}"#,
    )
    .unwrap();
    fs::write(root.path().join("p/stray.txt"), "x").unwrap();
    fs::create_dir_all(root.path().join("p/.hidden")).unwrap();
    // A parent dir that only has children.jsonl (Burr's writer makes this).
    fs::create_dir_all(root.path().join("p/parent")).unwrap();
    fs::write(root.path().join("p/parent/children.jsonl"), "{\"torn").unwrap();
    let apps = read::list_apps(root.path(), "p").unwrap();
    let mut ids: Vec<_> = apps.iter().map(|a| a.app_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["a", "parent"]);
    let a = apps.iter().find(|a| a.app_id == "a").unwrap();
    assert!(
        a.metadata_error
            .as_deref()
            .unwrap()
            .contains("metadata.json")
    );
    let parent = apps.iter().find(|a| a.app_id == "parent").unwrap();
    assert!(!parent.has_log && parent.num_steps == 0);
    assert!(matches!(
        load_state(root.path(), "p", "parent", None),
        Err(LoadError::AppNotFound { .. })
    ));
    let parent_logs = read::read_app(root.path(), "p", "parent").unwrap();
    assert!(!parent_logs.has_log);
    assert_eq!(parent_logs.children.skipped, 1);
    let projects = read::list_projects(root.path()).unwrap();
    assert_eq!(
        projects[0].num_entries, 4,
        "files and hidden entries count, as in Burr"
    );
}

#[test]
fn ids_cannot_leave_the_root() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("log.jsonl"), step(0)).unwrap();
    let root = outside.path().join("root");
    fs::create_dir_all(root.join("p")).unwrap();
    for (project, app) in [
        ("p", ".."),
        ("..", "root"),
        ("p", "../.."),
        ("p/..", "x"),
        (".", "p"),
        ("p", "a\0b"),
        ("p", "..\\x"),
    ] {
        let err = load_state(&root, project, app, None).unwrap_err();
        assert!(
            matches!(err, LoadError::InvalidId(_)),
            "{project:?}/{app:?}: {err}"
        );
        assert!(read::read_app(&root, project, app).is_err());
    }
    assert!(read::list_apps(&root, "..").is_err());
}
