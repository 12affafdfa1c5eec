//! The server's HTTP API, called through `Router::oneshot` on a temporary tracking folder.
#![cfg(feature = "server")]

mod support;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use burr_tracking::layout::{GRAPH_FILE, LOG_FILE, METADATA_FILE};
use burr_tracking::server::{AllowedHosts, ServeOptions, Store, router, router_with};
use serde_json::{Value, json};
use support::oneshot::{get_json as get, get_text};
use support::roots::write_app;
use tower::ServiceExt;

// ------------------------------------------------------------------------------------ fixtures

fn begin(seq: u64, action: &str) -> String {
    format!(
        r#"{{"type":"begin_entry","start_time":"2026-01-02T03:04:{:02}.000100","action":"{action}","inputs":{{"x":{seq}}},"sequence_id":{seq}}}"#,
        seq % 60
    )
}

fn end(seq: u64, action: &str, state: Value) -> String {
    format!(
        r#"{{"type":"end_entry","end_time":"2026-01-02T03:04:{:02}.500000","action":"{action}","result":{{"n":{seq}}},"exception":null,"state":{state},"sequence_id":{seq}}}"#,
        seq % 60
    )
}

fn failed(seq: u64, action: &str) -> String {
    format!(
        r#"{{"type":"end_entry","end_time":"2026-01-02T03:05:00","action":"{action}","result":null,"exception":"Traceback (most recent call last):\nRuntimeError: kaboom\n","state":{{}},"sequence_id":{seq}}}"#
    )
}

fn span(seq: u64, id: &str, name: &str, parent: Option<&str>) -> [String; 2] {
    let parent = parent.map_or("null".to_owned(), |p| format!("\"{p}\""));
    [
        format!(
            r#"{{"type":"begin_span","start_time":"2026-01-02T03:04:05.1","action_sequence_id":{seq},"span_id":"{id}","span_name":"{name}","parent_span_id":{parent},"span_dependencies":[]}}"#
        ),
        format!(
            r#"{{"type":"end_span","end_time":"2026-01-02T03:04:05.2","action_sequence_id":{seq},"span_id":"{id}"}}"#
        ),
    ]
}

fn attribute(seq: u64, span: Option<&str>, key: &str, value: Value) -> String {
    let span = span.map_or("null".to_owned(), |p| format!("\"{p}\""));
    format!(
        r#"{{"type":"attribute","key":"{key}","action_sequence_id":{seq},"span_id":{span},"value":{value},"tags":{{}},"time_logged":"2026-01-02T03:04:05.150000Z"}}"#
    )
}

const GRAPH: &str = r#"{"type": "application", "entrypoint": "count", "actions": [{"type": "action", "name": "count", "reads": ["n"], "writes": ["n"], "code": "fn count() {}", "inputs": [], "optional_inputs": []}, {"type": "action", "name": "done", "reads": [], "writes": [], "code": "", "inputs": [], "optional_inputs": []}], "transitions": [{"type": "transition", "from_": "count", "to": "count", "condition": "n < 3"}, {"type": "transition", "from_": "count", "to": "done", "condition": "default"}]}"#;

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        Fixture { _dir: dir, root }
    }

    fn app(
        &self,
        project: &str,
        app_id: &str,
        partition_key: Option<&str>,
        lines: &[String],
    ) -> PathBuf {
        let pk = partition_key.map_or("null".to_owned(), |k| format!("\"{k}\""));
        let metadata = format!(
            r#"{{"type": "application_metadata", "partition_key": {pk}, "parent_pointer": null, "spawning_parent_pointer": null}}"#
        );
        let mut log = String::new();
        for line in lines {
            log.push_str(line);
            log.push('\n');
        }
        write_app(
            &self.root,
            project,
            app_id,
            &[
                (GRAPH_FILE, GRAPH.as_bytes()),
                (METADATA_FILE, metadata.as_bytes()),
                (LOG_FILE, log.as_bytes()),
            ],
        )
    }

    fn append(&self, project: &str, app_id: &str, text: &str) {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(self.root.join(project).join(app_id).join("log.jsonl"))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn store(&self) -> Store {
        Store::new(&self.root)
    }
}

fn counter_lines(steps: u64) -> Vec<String> {
    let mut lines = Vec::new();
    for seq in 0..steps {
        lines.push(begin(seq, "count"));
        lines.push(end(
            seq,
            "count",
            json!({"n": seq + 1, "__SEQUENCE_ID": seq, "__PRIOR_STEP": "count"}),
        ));
    }
    lines
}

fn set_mtime(dir: &Path, secs_ago: u64) {
    let f = fs::File::open(dir).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
        .unwrap();
}

// --------------------------------------------------------------------------- Burr's endpoints

#[tokio::test]
async fn fixed_endpoints_answer_like_burr() {
    let fx = Fixture::new();
    let store = fx.store();
    assert_eq!(
        get(&store, "/ready").await,
        (StatusCode::OK, json!({"ready": true}))
    );
    assert_eq!(
        get(&store, "/api/v0/ready").await,
        (StatusCode::OK, json!(true))
    );
    let (status, version) = get(&store, "/api/v0/version").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(version, json!({"version": env!("CARGO_PKG_VERSION")}));
    let (_, spec) = get(&store, "/api/v0/metadata/app_spec").await;
    let keys: Vec<&str> = spec
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "indexing",
            "snapshotting",
            "supports_demos",
            "supports_annotations"
        ]
    );
}

#[tokio::test]
async fn projects_list_every_directory_with_burr_fields() {
    let fx = Fixture::new();
    fx.app("alpha", "a1", None, &counter_lines(2));
    fx.app("alpha", "a2", None, &counter_lines(1));
    fs::write(fx.root.join("alpha").join("annotations.jsonl"), "").unwrap();
    fs::create_dir_all(fx.root.join("beta")).unwrap();
    fs::write(fx.root.join("stray-file"), "x").unwrap();
    let (status, projects) = get(&fx.store(), "/api/v0/projects").await;
    assert_eq!(status, StatusCode::OK);
    let mut names: Vec<&str> = projects
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["alpha", "beta"]);
    let alpha = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "alpha")
        .unwrap();
    let keys: Vec<&str> = alpha
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["name", "id", "last_written", "created", "num_apps", "uri"]
    );
    assert_eq!(alpha["id"], "alpha");
    assert_eq!(alpha["num_apps"], 3, "entries are counted, files included");
    assert!(alpha["last_written"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn app_list_is_sorted_paged_and_filtered_by_partition_key() {
    let fx = Fixture::new();
    for (i, (app, pk)) in [("old", Some("u1")), ("mid", None), ("new", Some("u1"))]
        .iter()
        .enumerate()
    {
        let dir = fx.app("p", app, *pk, &counter_lines(i as u64 + 1));
        set_mtime(&dir, 100 - i as u64 * 10);
    }
    fs::create_dir_all(fx.root.join("p").join(".hidden")).unwrap();
    let store = fx.store();

    let (status, page) = get(&store, "/api/v0/p/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = page["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["app_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["new", "mid", "old"]);
    assert_eq!(page["total"], 3);
    assert_eq!(page["has_another_page"], false);
    let first = &page["applications"][0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "app_id",
            "partition_key",
            "first_written",
            "last_written",
            "num_steps",
            "tags",
            "parent_pointer",
            "spawning_parent_pointer"
        ]
    );
    assert_eq!(first["num_steps"], 3);
    assert_eq!(first["partition_key"], "u1");
    assert_eq!(first["tags"], json!({}));

    let (_, page) = get(&store, "/api/v0/p/__none__/apps?limit=1&offset=1").await;
    assert_eq!(page["applications"].as_array().unwrap().len(), 1);
    assert_eq!(page["applications"][0]["app_id"], "mid");
    assert_eq!(page["total"], 3);
    assert_eq!(page["has_another_page"], true);

    let (_, page) = get(&store, "/api/v0/p/u1/apps").await;
    let ids: Vec<&str> = page["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["app_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["new", "old"]);

    let (status, page) = get(&store, "/api/v0/nope/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page,
        json!({"applications": [], "total": 0, "has_another_page": false})
    );

    let (status, _) = get(&store, "/api/v0/p/__none__/apps?limit=abc").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn app_logs_have_burr_shape_with_spans_attributes_and_children() {
    let fx = Fixture::new();
    let [b0, e0] = span(0, "0:0", "outer", None);
    let [b1, e1] = span(0, "0:0.0", "inner", Some("0:0"));
    let lines = vec![
        begin(0, "count"),
        attribute(0, None, "step_attr", json!({"n": 0})),
        b0,
        b1,
        attribute(0, Some("0:0.0"), "inner_attr", json!([1, 2])),
        e1,
        e0,
        end(0, "count", json!({"n": 1})),
        begin(1, "done"),
        failed(1, "done"),
    ];
    let dir = fx.app("p", "main", Some("u1"), &lines);
    fs::write(
        dir.join("children.jsonl"),
        r#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"kid","sequence_id":null,"partition_key":null},"event_time":"2026-01-02T03:04:05","event_type":"fork","sequence_id":0}"#.to_owned() + "\n",
    )
    .unwrap();
    let (status, logs) = get(&fx.store(), "/api/v0/p/main/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = logs
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "application",
            "children",
            "steps",
            "parent_pointer",
            "spawning_parent_pointer"
        ]
    );
    assert_eq!(logs["application"]["entrypoint"], "count");
    assert_eq!(logs["application"]["transitions"][0]["from_"], "count");
    assert_eq!(logs["children"][0]["child"]["app_id"], "kid");
    let steps = logs["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    let step = &steps[0];
    let keys: Vec<&str> = step
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "step_start_log",
            "step_end_log",
            "spans",
            "attributes",
            "streaming_events"
        ]
    );
    assert_eq!(step["step_end_log"]["state"], json!({"n": 1}));
    let span_ids: Vec<&str> = step["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["begin_entry"]["span_id"].as_str().unwrap())
        .collect();
    assert_eq!(span_ids, ["0:0", "0:0.0"]);
    assert_eq!(step["spans"][1]["end_entry"]["span_id"], "0:0.0");
    assert_eq!(step["attributes"][1]["value"], json!([1, 2]));
    assert_eq!(steps[1]["step_end_log"]["result"], Value::Null);
    assert!(
        steps[1]["step_end_log"]["exception"]
            .as_str()
            .unwrap()
            .contains("kaboom")
    );

    // The partition key in the path is not needed to find the app.
    let (status, again) = get(&fx.store(), "/api/v0/p/main/anything/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, logs);
}

#[tokio::test]
async fn missing_app_or_graph_is_404_like_burr() {
    let fx = Fixture::new();
    let dir = fx.app("p", "a", None, &counter_lines(1));
    let store = fx.store();
    let (status, body) = get(&store, "/api/v0/p/nope/__none__/apps").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"detail": "App: nope from project: p not found"})
    );
    fs::remove_file(dir.join("graph.json")).unwrap();
    let (status, body) = get(&store, "/api/v0/p/a/__none__/apps").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"detail": "Graph file for app: a from project: p not found"})
    );
}

// ------------------------------------------------------------------------------ our endpoints

fn seqs(page: &Value) -> Vec<u64> {
    page["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step_start_log"]["sequence_id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn steps_are_paged_by_sequence_range_in_both_orders() {
    let fx = Fixture::new();
    fx.app("p", "a", None, &counter_lines(10));
    let store = fx.store();
    let (_, page) = get(&store, "/api/v1/p/a/steps?limit=3").await;
    assert_eq!(seqs(&page), [0, 1, 2]);
    assert_eq!(page["total"], 10);
    assert_eq!(page["has_more"], true);
    assert_eq!(page["next"], 3);
    let (_, page) = get(&store, "/api/v1/p/a/steps?order=desc&limit=4").await;
    assert_eq!(seqs(&page), [9, 8, 7, 6]);
    assert_eq!(page["next"], 5);
    let (_, page) = get(&store, "/api/v1/p/a/steps?order=desc&to=5&limit=100").await;
    assert_eq!(seqs(&page), [5, 4, 3, 2, 1, 0]);
    assert_eq!(page["has_more"], false);
    assert_eq!(page["next"], Value::Null);
    let (_, page) = get(&store, "/api/v1/p/a/steps?from=4&to=6").await;
    assert_eq!(seqs(&page), [4, 5, 6]);
    let (_, page) = get(&store, "/api/v1/p/a/steps?from=7&to=2").await;
    assert_eq!(seqs(&page), Vec::<u64>::new());
    for bad in ["order=sideways", "from=-1", "limit=x", "to=1.5"] {
        let (status, _) = get(&store, &format!("/api/v1/p/a/steps?{bad}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn answers_built_from_steps_are_bounded() {
    let fx = Fixture::new();
    fx.app("p", "a", None, &counter_lines(40));
    let (status, whole) = get_text(&fx.store(), "/api/v0/p/a/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
    let (_, all) = get(&fx.store(), "/api/v1/p/a/steps?limit=100").await;
    let step_bytes = all["steps"][0].to_string().len();

    // A bound below the whole app, above a few steps.
    let limit = whole.len() / 2;
    let store = fx.store().with_max_response(limit);
    let (status, err) = get(&store, "/api/v0/p/a/__none__/apps").await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{err}");
    assert_eq!(err["steps"], "/api/v1/p/a/steps");
    let detail = err["detail"].as_str().unwrap();
    assert!(
        detail.contains(&limit.to_string()) && detail.contains("/api/v1/p/a/steps"),
        "{detail}"
    );
    // The paged endpoint cuts its pages at the bound and says where to go on.
    let mut seen = Vec::new();
    let mut uri = "/api/v1/p/a/steps?limit=100".to_owned();
    loop {
        let (status, body) = get_text(&store, &uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.len() <= limit, "{} > {limit}", body.len());
        let page: Value = serde_json::from_str(&body).unwrap();
        seen.extend(seqs(&page));
        match page["next"].as_u64() {
            Some(next) => uri = format!("/api/v1/p/a/steps?limit=100&from={next}"),
            None => break,
        }
    }
    assert_eq!(seen, (0..40).collect::<Vec<u64>>());
    // A bound below one step: that step cannot be served, and the answer says so.
    let store = fx.store().with_max_response(step_bytes / 2);
    let (status, err) = get(&store, "/api/v1/p/a/steps").await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{err}");
    assert!(err["detail"].as_str().unwrap().contains("step 0"), "{err}");
}

#[tokio::test]
async fn appended_lines_show_up_and_torn_lines_wait_for_their_end() {
    let fx = Fixture::new();
    fx.app("p", "a", None, &counter_lines(2));
    let store = fx.store();
    let (_, summary) = get(&store, "/api/v1/p/a/summary").await;
    assert_eq!(summary["num_steps"], 2);
    let size = summary["log_size"].as_u64().unwrap();

    // A step starts: the begin line is complete, the end line is half written.
    let line = end(2, "count", json!({"n": 3}));
    let (head, tail) = line.split_at(30);
    fx.append("p", "a", &format!("{}\n{head}", begin(2, "count")));
    let (_, page) = get(&store, "/api/v1/p/a/steps?order=desc&limit=1").await;
    assert_eq!(seqs(&page), [2]);
    assert_eq!(
        page["steps"][0]["step_end_log"],
        Value::Null,
        "running step"
    );
    let (_, summary) = get(&store, "/api/v1/p/a/summary").await;
    assert!(
        summary["errors"].as_array().unwrap().is_empty(),
        "a torn last line is not an error: {summary}"
    );

    fx.append("p", "a", &format!("{tail}\n"));
    let (_, page) = get(&store, "/api/v1/p/a/steps?order=desc&limit=1").await;
    assert_eq!(page["steps"][0]["step_end_log"]["state"], json!({"n": 3}));
    let (_, logs) = get(&store, "/api/v0/p/a/__none__/apps").await;
    assert_eq!(logs["steps"].as_array().unwrap().len(), 3);
    let (_, status) = get(
        &store,
        &format!("/api/v1/p/a/wait?log_size={size}&timeout_ms=5000"),
    )
    .await;
    assert!(status["log_size"].as_u64().unwrap() > size);
    assert_eq!(status["num_steps"], 3);
    assert_eq!(status["last_sequence_id"], 2);

    // A last line without its newline but complete is read, as Burr does.
    fx.append("p", "a", &begin(3, "done"));
    let (_, page) = get(&store, "/api/v1/p/a/steps?order=desc&limit=1").await;
    assert_eq!(seqs(&page), [3]);

    // A log rewritten in place (same file, longer content) is read again from the start.
    let path = fx.root.join("p").join("a").join("log.jsonl");
    let mut other = counter_lines(6);
    other[0] = begin(0, "rewritten");
    let text = other.join("\n") + "\n";
    assert!(text.len() as u64 > fs::metadata(&path).unwrap().len());
    fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let (_, page) = get(&store, "/api/v1/p/a/steps?limit=1").await;
    assert_eq!(page["steps"][0]["step_start_log"]["action"], "rewritten");
    assert_eq!(page["total"], 6);

    // A log replaced by a shorter one is read again from the start.
    fx.app("p", "a", None, &counter_lines(1));
    let (_, logs) = get(&store, "/api/v0/p/a/__none__/apps").await;
    assert_eq!(logs["steps"].as_array().unwrap().len(), 1);
}

/// A log whose steps `bad_begins` have a `begin_entry` with an invalid timestamp (so the
/// reader drops the line, and with it the step) and whose step `bad_end` has an `end_entry`
/// with one (the step stays, as running).
fn lines_with_bad_times(steps: u64, bad_begins: &[u64], bad_end: Option<u64>) -> Vec<String> {
    let set_time = |line: &mut String, key: &str, time: &str| {
        let at = line.find(key).unwrap() + key.len();
        let close = at + line[at..].find('"').unwrap();
        line.replace_range(at..close, time);
    };
    let mut lines = counter_lines(steps);
    for (i, line) in lines.iter_mut().enumerate() {
        let seq = i as u64 / 2;
        if i % 2 == 0 && bad_begins.contains(&seq) {
            // Seconds past 59, or no time at all.
            let time = if seq.is_multiple_of(2) {
                "2026-01-02T03:04:75"
            } else {
                "soon"
            };
            set_time(line, "\"start_time\":\"", time);
        }
        if i % 2 == 1 && bad_end == Some(seq) {
            set_time(line, "\"end_time\":\"", "2026-01-02T25:00:00");
        }
    }
    lines
}

#[tokio::test]
async fn step_counts_leave_out_the_steps_the_reader_drops() {
    let fx = Fixture::new();
    // 200 steps; 5 and 120 begin with an invalid timestamp, 150 ends with one.
    fx.app(
        "p",
        "a",
        None,
        &lines_with_bad_times(200, &[5, 120], Some(150)),
    );
    // The last step is running and began with an invalid timestamp.
    let mut running = lines_with_bad_times(3, &[2], None);
    running.pop();
    fx.app("p", "b", None, &running);
    let shown: Vec<u64> = (0..200).filter(|seq| ![5, 120].contains(seq)).collect();

    // A server that has not read the logs yet answers the newest page from the log's end; then
    // one that has: both count the steps they show.
    for first_request in [
        "/api/v1/p/a/steps?order=desc&limit=10",
        "/api/v1/p/a/summary",
    ] {
        let store = fx.store();
        let (status, _) = get(&store, first_request).await;
        assert_eq!(status, StatusCode::OK);
        let (_, page) = get(&store, "/api/v1/p/a/steps?order=desc&limit=10").await;
        assert_eq!(page["total"], shown.len(), "after {first_request}");
        assert_eq!(
            seqs(&page),
            [199, 198, 197, 196, 195, 194, 193, 192, 191, 190]
        );
        let (_, summary) = get(&store, "/api/v1/p/a/summary").await;
        assert_eq!(summary["num_steps"], shown.len());
        assert_eq!(summary["first_sequence_id"], 0);
        assert_eq!(summary["last_sequence_id"], 199);
        let errors = summary["errors"].to_string();
        // The lines dropped are reported (line numbers are 1-based: step n begins on 2n + 1).
        assert!(
            errors.contains("line 11:") && errors.contains("line 241:"),
            "{errors}"
        );
        let (_, all) = get(&store, "/api/v1/p/a/steps?limit=5000").await;
        assert_eq!(seqs(&all), shown);
        assert_eq!(all["total"], shown.len());
        let step_150 = &all["steps"][shown.iter().position(|seq| *seq == 150).unwrap()];
        assert!(
            step_150["step_end_log"].is_null(),
            "step 150 is shown as running"
        );
        let (_, logs) = get(&store, "/api/v0/p/a/__none__/apps").await;
        assert_eq!(logs["steps"].as_array().unwrap().len(), shown.len());
    }

    let store = fx.store();
    let (_, summary) = get(&store, "/api/v1/p/b/summary").await;
    assert_eq!(summary["num_steps"], 2);
    assert_eq!(summary["last_sequence_id"], 1);
    let (_, page) = get(&store, "/api/v1/p/b/steps?order=desc").await;
    assert_eq!((seqs(&page), &page["total"]), (vec![1, 0], &json!(2)));
    // Burr's apps list counts the last step's sequence id plus one: the last step shown.
    let (_, list) = get(&store, "/api/v0/p/__none__/apps").await;
    let count = |app: &str| {
        list["applications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["app_id"] == app)
            .map(|a| a["num_steps"].clone())
    };
    assert_eq!(count("a"), Some(json!(200)));
    assert_eq!(count("b"), Some(json!(2)));
}

#[tokio::test]
async fn wait_times_out_when_nothing_changes() {
    let fx = Fixture::new();
    fx.app("p", "a", None, &counter_lines(1));
    let store = fx.store();
    let (_, summary) = get(&store, "/api/v1/p/a/summary").await;
    let size = summary["log_size"].as_u64().unwrap();
    let started = std::time::Instant::now();
    let (status, body) = get(
        &store,
        &format!("/api/v1/p/a/wait?log_size={size}&timeout_ms=300"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["log_size"], size);
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn a_malformed_app_fails_alone() {
    let fx = Fixture::new();
    fx.app("p", "good", None, &counter_lines(2));
    let bad = fx.app("p", "bad", None, &counter_lines(2));
    fs::write(bad.join("graph.json"), "{ not json").unwrap();
    fs::write(bad.join("metadata.json"), r#"{"partition_key": 5}"#).unwrap();
    fx.append("p", "bad", "garbage line\n{\"no_type\":1}\n");
    let store = fx.store();

    let (status, page) = get(&store, "/api/v0/p/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 2);
    let (status, _) = get(&store, "/api/v0/p/good/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = get(&store, "/api/v0/p/bad/__none__/apps").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body["detail"].as_str().unwrap().contains("metadata.json"),
        "{body}"
    );

    let (status, summary) = get(&store, "/api/v1/p/bad/summary").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["num_steps"], 2);
    let errors = summary["errors"].to_string();
    assert!(
        errors.contains("graph.json") && errors.contains("line 5"),
        "{errors}"
    );
    let (_, page) = get(&store, "/api/v1/p/bad/steps").await;
    assert_eq!(seqs(&page), [0, 1]);
}

#[tokio::test]
async fn hostile_paths_never_escape_the_root_nor_panic() {
    let fx = Fixture::new();
    fx.app("p", "a", None, &counter_lines(1));
    // A tracking folder beside the root that must stay out of reach.
    let outside = fx.root.parent().unwrap().join(format!(
        "{}-outside",
        fx.root.file_name().unwrap().to_string_lossy()
    ));
    fs::create_dir_all(outside.join("app")).unwrap();
    fs::write(outside.join("app").join("graph.json"), GRAPH).unwrap();
    fs::write(
        outside.join("app").join("log.jsonl"),
        counter_lines(1).join("\n"),
    )
    .unwrap();
    let store = fx.store();
    let hostile = [
        "/api/v0/../__none__/apps",
        "/api/v0/%2e%2e/__none__/apps",
        "/api/v0/%2E%2E/app/__none__/apps",
        "/api/v0/p/%2e%2e/__none__/apps",
        "/api/v0/p/..%2F..%2Fetc/__none__/apps",
        "/api/v0/p/a%2F..%2F..%2F/__none__/apps",
        "/api/v0/%2Fetc/passwd/__none__/apps",
        "/api/v0/%2Ftmp/__none__/apps",
        "/api/v0/p/%5C..%5C/__none__/apps",
        "/api/v0/p/a%00/__none__/apps",
        "/api/v0/p/.%2e/__none__/apps",
        "/api/v1/%2e%2e/app/summary",
        "/api/v1/p/%2e%2e/steps",
        "/api/v1/p/..%2Fa/wait?timeout_ms=10",
        "/api/v1/p/a%2F..%2Fa/steps",
        "/api/v1/./a/summary",
        "/api/v1/p/./summary",
        "/api/v0/p/%FF%FE/__none__/apps",
        "/api/v0/%C0%AE%C0%AE/__none__/apps",
        "/api/v1/p/a/steps?from=99999999999999999999999",
        "/api/v1/p/a/steps?limit=18446744073709551616",
        "/api/v1/p/a/steps?from=18446744073709551615&to=18446744073709551615",
        "/api/v1/p/a/wait?timeout_ms=99999999999999999999",
        "/api/v0/p/__none__/apps?offset=18446744073709551615&limit=18446744073709551615",
        "/api/v0/p/__none__/apps?limit=-1",
        "/../../etc/passwd",
        "/ui/../../Cargo.toml",
        "/api/v0/bogus",
        "/api/v0/%/x/apps",
        "/api/v0/p/a/b/c/d/apps",
    ];
    for uri in hostile {
        let (status, body) = get_text(&store, uri).await;
        assert!(
            matches!(status.as_u16(), 200 | 400 | 404 | 422),
            "{uri} answered {status}: {body}"
        );
        assert!(
            !body.contains("\"n\":1") || uri.contains("/p/a/"),
            "{uri} leaked app data: {body}"
        );
        if uri.contains("%2e%2e")
            || uri.contains("%2F")
            || uri.contains("%2E%2E")
            || uri.contains("..")
        {
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        }
    }
    // The valid ids next to the hostile ones still answer.
    let (status, _) = get(&store, "/api/v0/p/a/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn ui_files_are_served_with_a_strict_policy() {
    let fx = Fixture::new();
    for (uri, kind) in [
        ("/", "text/html"),
        ("/ui/app.js", "text/javascript"),
        ("/ui/style.css", "text/css"),
    ] {
        let response = router(fx.store())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let headers = response.headers();
        assert!(
            headers["content-type"].to_str().unwrap().starts_with(kind),
            "{uri}"
        );
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
    }
    for uri in ["/ui/missing.js", "/ui/", "/ui/js", "/ui/%2e%2e/Cargo.toml"] {
        let (status, _) = get(&fx.store(), uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
    let (_, html) = get_text(&fx.store(), "/").await;
    assert!(
        html.contains("src=\"ui/app.js\""),
        "the page loads its script relatively"
    );
    for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!html.contains(attr), "no external requests: {attr}");
    }
}

/// The URL path a module at `from` means by the import specifier `spec` (`./x.js`, `../x.js`).
fn resolve_import(from: &str, spec: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in spec.split('/') {
        match segment {
            "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    parts.join("/")
}

#[tokio::test]
async fn every_module_the_ui_imports_is_served() {
    let fx = Fixture::new();
    let mut pending = vec!["/ui/app.js".to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(uri) = pending.pop() {
        if !seen.insert(uri.clone()) {
            continue;
        }
        let response = router(fx.store())
            .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let kind = response.headers()["content-type"].to_str().unwrap();
        assert!(kind.starts_with("text/javascript"), "{uri}: {kind}");
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        for line in text.lines().filter(|l| l.starts_with("import ")) {
            let spec = line
                .split_once(" from \"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(spec, _)| spec)
                .unwrap_or_else(|| panic!("{uri}: an import without `from \"...\"`: {line}"));
            assert!(spec.starts_with('.'), "{uri} imports {spec} from elsewhere");
            pending.push(resolve_import(&uri, spec));
        }
    }
    assert!(
        seen.contains("/ui/js/router.js"),
        "the imports were not followed: {seen:?}"
    );
}

#[tokio::test]
async fn demo_projects_are_added_once_and_read_back() {
    let fx = Fixture::new();
    let store = fx.store();
    let post = |content_type: Option<&'static str>| {
        let store = store.clone();
        async move {
            let mut request = Request::post("/api/v1/demo");
            if let Some(kind) = content_type {
                request = request.header("content-type", kind);
            }
            let response = router(store)
                .oneshot(request.body(Body::from("{}")).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let (status, _) = post(Some("application/x-www-form-urlencoded")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        fs::read_dir(&fx.root).unwrap().next().is_none(),
        "nothing written"
    );

    let (status, body) = post(Some("application/json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"written": ["demo_counter", "demo_chatbot"]}));
    let (_, body) = post(Some("application/json")).await;
    assert_eq!(
        body,
        json!({"written": []}),
        "existing projects are left alone"
    );

    let (_, page) = get(&store, "/api/v0/demo_chatbot/__none__/apps").await;
    let apps = page["applications"].as_array().unwrap();
    let by_id = |id: &str| apps.iter().find(|a| a["app_id"] == id).unwrap().clone();
    assert_eq!(page["total"], 5);
    assert_eq!(
        by_id("chat-1-fork")["parent_pointer"]["app_id"],
        "chat-1-draw-and-ask"
    );
    assert_eq!(by_id("chat-1-fork")["parent_pointer"]["sequence_id"], 4);
    assert_eq!(
        by_id("chat-2-review")["spawning_parent_pointer"]["app_id"],
        "chat-2-rust-and-jokes"
    );

    let (status, logs) = get(
        &store,
        "/api/v0/demo_chatbot/chat-1-draw-and-ask/__none__/apps",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let steps = logs["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 10, "two turns of five steps");
    let answer = steps
        .iter()
        .find(|s| s["step_start_log"]["action"] == "answer_question")
        .unwrap();
    let spans: Vec<&str> = answer["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["begin_entry"]["span_name"].as_str().unwrap())
        .collect();
    assert_eq!(spans, ["build_prompt", "call_model", "http_request"]);
    let children: Vec<&str> = logs["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["fork"]);

    let (_, logs) = get(&store, "/api/v0/demo_chatbot/chat-3-failure/__none__/apps").await;
    let last = logs["steps"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["step_end_log"]["exception"]
            .as_str()
            .unwrap()
            .contains("canned failure")
    );
    let (_, counter) = get(&store, "/api/v0/demo_counter/count-to-10/__none__/apps").await;
    assert_eq!(counter["steps"].as_array().unwrap().len(), 11);
}

#[tokio::test]
async fn errors_never_show_a_path_of_the_machine() {
    let fx = Fixture::new();
    let dir = fx.app("p", "a", None, &counter_lines(1));
    // graph.json is a folder, metadata.json is not JSON: errors about files below the root.
    fs::remove_file(dir.join(GRAPH_FILE)).unwrap();
    fs::create_dir(dir.join(GRAPH_FILE)).unwrap();
    fs::write(dir.join(METADATA_FILE), "{nope").unwrap();
    let store = fx.store();
    let long = "x".repeat(300);
    let root = fx.root.to_string_lossy().into_owned();
    for uri in [
        format!("/api/v0/{long}/__none__/apps"),
        format!("/api/v0/{long}/a/__none__/apps"),
        format!("/api/v0/p/{long}/__none__/apps"),
        format!("/api/v1/{long}/a/summary"),
        format!("/api/v1/p/{long}/steps"),
        format!("/api/v1/p/{long}/wait?timeout_ms=0"),
        "/api/v0/p/a/__none__/apps".to_owned(),
        "/api/v1/p/a/summary".to_owned(),
    ] {
        let (status, body) = get_text(&store, &uri).await;
        // A malformed metadata.json is a 500, as in Burr's server; with a clean message.
        assert!(
            matches!(status.as_u16(), 200 | 400 | 404 | 500),
            "{uri} answered {status}: {body}"
        );
        assert!(!body.contains(&root), "{uri} shows the root's path: {body}");
        if uri.contains(&long) {
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        }
    }
    let (_, summary) = get(&store, "/api/v1/p/a/summary").await;
    let errors = summary["errors"].to_string();
    assert!(errors.contains("p/a/metadata.json"), "{errors}");
    assert!(errors.contains("p/a/graph.json"), "{errors}");
}

/// A request to the default router with the given headers; the status and the JSON body.
async fn request(
    store: &Store,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = router(store.clone())
        .oneshot(builder.body(Body::from("{}")).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn only_loopback_host_names_are_answered() {
    let fx = Fixture::new();
    fx.app("p", "a", None, &counter_lines(2));
    let store = fx.store();
    for host in [
        "localhost",
        "localhost:7241",
        "127.0.0.1",
        "127.0.0.1:7241",
        "[::1]",
        "[::1]:7241",
    ] {
        let (status, body) = request(&store, "GET", "/api/v0/projects", &[("host", host)]).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }
    for host in [
        "attacker.example",
        "attacker.example:7241",
        "127.0.0.1.nip.io",
        "localhost.attacker.example",
        "192.168.1.5:7241",
        "[::2]:7241",
        "localhost:x",
    ] {
        for uri in [
            "/api/v0/projects",
            "/api/v0/p/a/__none__/apps",
            "/",
            "/ui/app.js",
        ] {
            let (status, body) = request(&store, "GET", uri, &[("host", host)]).await;
            assert_eq!(
                status,
                StatusCode::MISDIRECTED_REQUEST,
                "{host} {uri}: {body}"
            );
            assert!(
                body["detail"].as_str().unwrap().contains("--allow-host"),
                "{body}"
            );
        }
    }
    // A name the user allowed is answered.
    let options = ServeOptions {
        allowed_hosts: AllowedHosts::loopback().allow("burr.lan"),
        ..ServeOptions::default()
    };
    let response = router_with(store.clone(), &options)
        .oneshot(
            Request::get("/api/v0/projects")
                .header("host", "burr.lan:7241")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn writes_need_the_same_origin_and_the_exact_json_type() {
    let fx = Fixture::new();
    let store = fx.store();
    let nothing_written = || fs::read_dir(&fx.root).unwrap().next().is_none();
    let refused: [(&[(&str, &str)], StatusCode); 7] = [
        // The rebinding attack: a foreign Host and Origin, and a type that starts like JSON.
        (
            &[
                ("host", "attacker.example:7241"),
                ("origin", "http://attacker.example:7241"),
                ("content-type", "application/jsonx"),
            ],
            StatusCode::MISDIRECTED_REQUEST,
        ),
        (
            &[
                ("host", "127.0.0.1:7241"),
                ("origin", "http://attacker.example"),
                ("content-type", "application/json"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            &[
                ("host", "127.0.0.1:7241"),
                ("origin", "null"),
                ("content-type", "application/json"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            &[
                ("host", "127.0.0.1:7241"),
                ("origin", "http://127.0.0.1:9999"),
                ("content-type", "application/json"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            &[
                ("host", "127.0.0.1:7241"),
                ("sec-fetch-site", "cross-site"),
                ("content-type", "application/json"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            &[
                ("host", "127.0.0.1:7241"),
                ("origin", "http://127.0.0.1:7241"),
                ("content-type", "application/jsonx"),
            ],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            &[("host", "127.0.0.1:7241"), ("content-type", "text/plain")],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (headers, expected) in refused {
        let (status, body) = request(&store, "POST", "/api/v1/demo", headers).await;
        assert_eq!(status, expected, "{headers:?}: {body}");
        assert!(body["detail"].is_string(), "{body}");
        assert!(nothing_written(), "{headers:?} wrote into the root");
    }
    // What the UI sends.
    let (status, body) = request(
        &store,
        "POST",
        "/api/v1/demo",
        &[
            ("host", "127.0.0.1:7241"),
            ("origin", "http://127.0.0.1:7241"),
            ("sec-fetch-site", "same-origin"),
            ("content-type", "application/json; charset=utf-8"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!nothing_written());
}

#[tokio::test]
async fn the_cache_stays_within_its_budget_across_many_apps() {
    let fx = Fixture::new();
    let apps = 40;
    for i in 0..apps {
        fx.app("p", &format!("app-{i}"), None, &counter_lines(300));
    }
    let budget = 1 << 20;
    let store = Store::with_cache_budget(&fx.root, budget);
    let mut peak = 0;
    for round in 0..2 {
        for i in 0..apps {
            let (status, logs) = get(&store, &format!("/api/v0/p/app-{i}/__none__/apps")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                logs["steps"].as_array().unwrap().len(),
                300,
                "round {round}, app {i}"
            );
            let (_, page) = get(
                &store,
                &format!("/api/v1/p/app-{i}/steps?limit=5&order=desc"),
            )
            .await;
            assert_eq!(seqs(&page), [299, 298, 297, 296, 295]);
            peak = peak.max(store.cache_bytes());
            assert!(
                store.cache_bytes() <= budget,
                "{} > {budget}",
                store.cache_bytes()
            );
        }
    }
    // The apps opened did fill the cache, and the budget was what held it.
    assert!(peak > budget / 2, "peak {peak}");
    let unbounded = Store::new(&fx.root);
    for i in 0..apps {
        get(&unbounded, &format!("/api/v0/p/app-{i}/__none__/apps")).await;
    }
    assert!(
        unbounded.cache_bytes() > budget,
        "{}",
        unbounded.cache_bytes()
    );
}

#[tokio::test]
async fn hidden_project_folders_are_listed_like_burr_and_hidden_apps_are_not() {
    let fx = Fixture::new();
    fx.app(".hidden", "a", None, &counter_lines(2));
    fx.app("p", "visible", None, &counter_lines(1));
    fx.app("p", ".hidden_app", None, &counter_lines(1));
    let store = fx.store();
    let (_, projects) = get(&store, "/api/v0/projects").await;
    let mut names: Vec<&str> = projects
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, [".hidden", "p"]);
    let (status, page) = get(&store, "/api/v0/.hidden/__none__/apps").await;
    assert_eq!((status, page["total"].clone()), (StatusCode::OK, json!(1)));
    let (status, logs) = get(&store, "/api/v0/.hidden/a/__none__/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(logs["steps"].as_array().unwrap().len(), 2);
    let (_, page) = get(&store, "/api/v0/p/__none__/apps").await;
    assert_eq!(page["applications"][0]["app_id"], "visible");
    assert_eq!(page["total"], 1);
    let (status, _) = get(&store, "/api/v1/p/.hidden_app/summary").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for dot in ["/api/v0/./__none__/apps", "/api/v1/./a/summary"] {
        let (status, _) = get(&store, dot).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{dot}");
    }
}

#[tokio::test]
async fn an_app_without_a_log_or_with_no_files_still_answers() {
    // Burr's server answers 500 for both (its list reads the missing log); ours answers.
    let fx = Fixture::new();
    let no_log = fx.app("p", "no-log", None, &[]);
    fs::remove_file(no_log.join(LOG_FILE)).unwrap();
    fs::create_dir_all(fx.root.join("p/empty")).unwrap();
    let store = fx.store();
    let (status, page) = get(&store, "/api/v0/p/__none__/apps").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 2);
    for app in page["applications"].as_array().unwrap() {
        assert_eq!(app["num_steps"], 0, "{app}");
    }
    let (status, logs) = get(&store, "/api/v0/p/no-log/__none__/apps").await;
    assert_eq!(status, StatusCode::OK, "{logs}");
    assert_eq!(logs["steps"], json!([]));
    // Without graph.json the app is "not found", as in Burr.
    let (status, _) = get(&store, "/api/v0/p/empty/__none__/apps").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for app in ["no-log", "empty"] {
        let (status, summary) = get(&store, &format!("/api/v1/p/{app}/summary")).await;
        assert_eq!(
            (status, summary["num_steps"].clone()),
            (StatusCode::OK, json!(0)),
            "{app}"
        );
        let (status, page) = get(&store, &format!("/api/v1/p/{app}/steps")).await;
        assert_eq!(
            (status, page["steps"].clone()),
            (StatusCode::OK, json!([])),
            "{app}"
        );
        let (status, _) = get(&store, &format!("/api/v1/p/{app}/wait?timeout_ms=0")).await;
        assert_eq!(status, StatusCode::OK, "{app}");
    }
}
