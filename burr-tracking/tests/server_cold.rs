//! A server that has not indexed a log yet answers the newest page of steps from the log's end:
//! the answer must be the same, byte for byte, as the one of a server that indexed it all, on
//! big apps and on logs laid out in every way the format allows.
#![cfg(feature = "server")]

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use burr_tracking::server::{Order, StepQuery, Store, router};
use tower::ServiceExt;

// ------------------------------------------------------------------------------------ fixtures

/// The lines of one step: begin, a span with an attribute, end.
fn step(seq: u64) -> Vec<String> {
    vec![
        format!(
            r#"{{"type":"begin_entry","start_time":"2026-01-02T03:04:05.{:06}","action":"a{}","inputs":{{"x":{seq}}},"sequence_id":{seq}}}"#,
            seq % 1_000_000,
            seq % 3
        ),
        format!(
            r#"{{"type":"begin_span","start_time":"2026-01-02T03:04:05","action_sequence_id":{seq},"span_id":"{seq}:0","span_name":"call","parent_span_id":null,"span_dependencies":[]}}"#
        ),
        format!(
            r#"{{"type":"attribute","key":"tokens","action_sequence_id":{seq},"span_id":"{seq}:0","value":{seq},"tags":{{}},"time_logged":"2026-01-02T03:04:05Z"}}"#
        ),
        format!(
            r#"{{"type":"end_span","end_time":"2026-01-02T03:04:06","action_sequence_id":{seq},"span_id":"{seq}:0"}}"#
        ),
        format!(
            r#"{{"type":"end_entry","end_time":"2026-01-02T03:04:06","action":"a{}","result":{{}},"exception":null,"state":{{"n":{seq},"text":"step {seq}"}},"sequence_id":{seq}}}"#,
            seq % 3
        ),
    ]
}

/// Every line of the steps `seqs`, in order, each ending with a newline.
fn steps(seqs: impl IntoIterator<Item = u64>) -> String {
    let mut out = String::new();
    for seq in seqs {
        for line in step(seq) {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn write_log(root: &Path, app: &str, log: &str) {
    let dir = root.join("p").join(app);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("log.jsonl"), log).unwrap();
}

/// The queries of the newest pages (the UI's first one among them).
fn newest_queries() -> Vec<StepQuery> {
    [0, 1, 2, 100, 200, 5_000, 10_000]
        .into_iter()
        .map(|limit| StepQuery {
            limit,
            order: Order::Descending,
            ..StepQuery::default()
        })
        .collect()
}

/// The answer of a fresh store (cold), then of a store that indexed the whole log (warm).
fn cold_and_warm(root: &Path, app: &str, query: &StepQuery) -> (String, String) {
    let cold = Store::new(root).steps_json("p", app, query);
    let warm_store = Store::new(root);
    warm_store.log_status("p", app).unwrap();
    let warm = warm_store.steps_json("p", app, query);
    let text = |answer: Result<String, _>| match answer {
        Ok(json) => json,
        Err(err) => format!("error: {err}"),
    };
    (text(cold), text(warm))
}

fn assert_same_cold_and_warm(root: &Path, app: &str) {
    for query in newest_queries() {
        let (cold, warm) = cold_and_warm(root, app, &query);
        assert_eq!(cold, warm, "{app}, limit {}", query.limit);
    }
    assert_same_summary_cold_and_warm(root, app);
}

/// The summary of a fresh store (which may read the log's end only) against a warm one: the
/// same extent, and no error the warm one does not list.
fn assert_same_summary_cold_and_warm(root: &Path, app: &str) {
    let cold = Store::new(root).summary("p", app).unwrap();
    let warm_store = Store::new(root);
    warm_store.log_status("p", app).unwrap();
    let warm = warm_store.summary("p", app).unwrap();
    let extent = |s: &burr_tracking::server::AppSummary| {
        (
            s.num_steps,
            s.first_sequence_id,
            s.last_sequence_id,
            s.log_size,
        )
    };
    assert_eq!(extent(&cold), extent(&warm), "{app}: summary");
    for error in &cold.errors {
        assert!(warm.errors.contains(error), "{app}: {error} only cold");
    }
}

// ----------------------------------------------------------------------------------- the tests

#[test]
fn a_big_app_answers_the_same_cold_and_warm() {
    let root = tempfile::tempdir().unwrap();
    write_log(root.path(), "big", &steps(0..3_000));
    assert_same_cold_and_warm(root.path(), "big");
    let (cold, _) = cold_and_warm(root.path(), "big", &newest_queries()[4]);
    let page: serde_json::Value = serde_json::from_str(&cold).unwrap();
    assert_eq!(page["total"], 3_000);
    assert_eq!(page["next"], 2_799);
    assert_eq!(page["steps"][0]["step_start_log"]["sequence_id"], 2_999);
    assert_eq!(page["steps"][0]["attributes"][0]["value"], 2_999);
}

#[test]
fn a_forked_app_starts_at_a_later_sequence_id() {
    let root = tempfile::tempdir().unwrap();
    write_log(root.path(), "fork", &steps(500..1_400));
    assert_same_cold_and_warm(root.path(), "fork");
    let (cold, _) = cold_and_warm(root.path(), "fork", &newest_queries()[3]);
    let page: serde_json::Value = serde_json::from_str(&cold).unwrap();
    assert_eq!(page["total"], 900);
}

#[test]
fn a_last_line_without_a_newline_counts() {
    let root = tempfile::tempdir().unwrap();
    // The last step's end_entry, complete but not ended.
    let mut log = steps(0..600);
    log.pop();
    write_log(root.path(), "no-newline", &log);
    // A begin_entry alone after the last newline: a step that has just begun.
    let mut log = steps(0..600);
    log.push_str(&step(600)[0]);
    write_log(root.path(), "begun", &log);
    for app in ["no-newline", "begun"] {
        assert_same_cold_and_warm(root.path(), app);
    }
    let (cold, _) = cold_and_warm(root.path(), "begun", &newest_queries()[1]);
    let page: serde_json::Value = serde_json::from_str(&cold).unwrap();
    assert_eq!(page["total"], 601);
    assert_eq!(page["steps"][0]["step_end_log"], serde_json::Value::Null);
}

#[test]
fn a_torn_last_line_is_left_for_later() {
    let root = tempfile::tempdir().unwrap();
    let mut log = steps(0..600);
    let next = &step(600)[0];
    log.push_str(&next[..next.len() / 2]);
    write_log(root.path(), "torn", &log);
    let mut log = steps(0..600);
    log.push_str("   ");
    write_log(root.path(), "blank-end", &log);
    for app in ["torn", "blank-end"] {
        assert_same_cold_and_warm(root.path(), app);
    }
    let (cold, _) = cold_and_warm(root.path(), "torn", &newest_queries()[1]);
    let page: serde_json::Value = serde_json::from_str(&cold).unwrap();
    assert_eq!(page["total"], 600);
    assert_eq!(page["log_size"], steps(0..600).len());
}

#[test]
fn interleaved_steps_answer_the_same() {
    let root = tempfile::tempdir().unwrap();
    // Near the end: step 598's last line comes after step 599 began.
    let mut log = steps(0..598);
    let (a, b) = (step(598), step(599));
    for line in a[..4].iter().chain(&b[..2]).chain(&a[4..]).chain(&b[2..]) {
        let _ = writeln!(log, "{line}");
    }
    write_log(root.path(), "near-end", &log);
    // Far from the end: a late line of step 3.
    let mut log = steps(0..300);
    let _ = writeln!(log, "{}", step(3)[2]);
    log.push_str(&steps(300..700));
    write_log(root.path(), "far", &log);
    for app in ["near-end", "far"] {
        assert_same_cold_and_warm(root.path(), app);
    }
}

#[test]
fn duplicate_sequence_ids_answer_the_same() {
    let root = tempfile::tempdir().unwrap();
    // A run restarted under the same app id, from 0 again.
    write_log(root.path(), "restarted", &(steps(0..900) + &steps(0..700)));
    // A run resumed from a state saved a few steps before the end of the log.
    write_log(
        root.path(),
        "resumed",
        &(steps(0..800) + &steps(795..1_000)),
    );
    // The newest step logged twice in a row.
    write_log(root.path(), "twice", &(steps(0..500) + &steps(499..500)));
    // A step missing far from the end (no begin_entry logged for it).
    write_log(
        root.path(),
        "gap",
        &(steps(0..1_000) + &steps(1_001..3_000)),
    );
    for app in ["restarted", "resumed", "twice", "gap"] {
        assert_same_cold_and_warm(root.path(), app);
    }
}

#[test]
fn odd_lines_answer_the_same() {
    let root = tempfile::tempdir().unwrap();
    // Blank lines, CRLF line ends and records of no step between the steps.
    let mut log = String::new();
    for seq in 0..400 {
        for line in step(seq) {
            log.push_str(&line);
            log.push_str(if seq % 2 == 0 { "\r\n" } else { "\n" });
        }
        log.push_str(match seq % 3 {
            0 => "\n",
            1 => "  \n",
            _ => "{\"type\":\"something_new\",\"x\":1}\n",
        });
    }
    write_log(root.path(), "odd", &log);
    // A malformed line in the middle, and one near the end.
    let mut log = steps(0..300) + "not json\n" + &steps(300..400);
    write_log(root.path(), "bad-middle", &log);
    log.push_str("{\"type\":\n");
    log.push_str(&steps(400..401));
    write_log(root.path(), "bad-end", &log);
    // A begin_entry that probes but is not a record (no action): counted, not shown.
    let mut log = steps(0..300);
    log.push_str("{\"type\":\"begin_entry\",\"sequence_id\":300}\n");
    log.push_str(&steps(301..302));
    write_log(root.path(), "unreadable-step", &log);
    // A begin_entry torn, then continued on its line by the next one (torn within a key,
    // and within the action's string).
    for (app, cut) in [("torn-continued", 40), ("torn-in-string", 75)] {
        let log = steps(0..300) + &step(300)[0][..cut] + &steps(300..400);
        write_log(root.path(), app, &log);
    }
    // A log that does not start with a begin_entry, and one with a single step.
    write_log(
        root.path(),
        "headless",
        &(step(0)[1].clone() + "\n" + &steps(1..300)),
    );
    write_log(root.path(), "one", &steps(7..8));
    write_log(root.path(), "empty", "");
    for app in [
        "odd",
        "bad-middle",
        "bad-end",
        "unreadable-step",
        "torn-continued",
        "torn-in-string",
        "headless",
        "one",
        "empty",
    ] {
        assert_same_cold_and_warm(root.path(), app);
    }
}

#[test]
fn pages_past_the_answer_bound_answer_the_same() {
    let root = tempfile::tempdir().unwrap();
    let mut log = steps(0..400);
    // A big step among the newest.
    let big = format!(
        r#"{{"type":"end_entry","end_time":"2026-01-02","action":"a","result":{{}},"exception":null,"state":{{"blob":"{}"}},"sequence_id":400}}"#,
        "x".repeat(50_000)
    );
    log.push_str(&step(400)[0]);
    log.push('\n');
    log.push_str(&big);
    log.push('\n');
    log.push_str(&steps(401..420));
    write_log(root.path(), "bounded", &log);
    for max in [2_000, 20_000, 60_000, 200_000] {
        for query in newest_queries() {
            let cold = Store::new(root.path())
                .with_max_response(max)
                .steps_json("p", "bounded", &query);
            let warm_store = Store::new(root.path()).with_max_response(max);
            warm_store.log_status("p", "bounded").unwrap();
            let warm = warm_store.steps_json("p", "bounded", &query);
            assert_eq!(
                format!("{cold:?}"),
                format!("{warm:?}"),
                "bound {max}, limit {}",
                query.limit
            );
        }
    }
}

#[test]
fn the_http_answer_is_the_same_cold_and_warm() {
    let root = tempfile::tempdir().unwrap();
    write_log(root.path(), "big", &steps(0..2_000));
    let get = |store: Store, uri: &'static str| async move {
        let response = router(store)
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(response.status().is_success(), "{uri}");
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
    };
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        for uri in [
            "/api/v1/p/big/steps?order=desc&limit=200",
            "/api/v1/p/big/steps?order=desc&limit=100",
            "/api/v1/p/big/steps?order=desc",
        ] {
            let cold = get(Store::new(root.path()), uri).await;
            let warm_store = Store::new(root.path());
            get(warm_store.clone(), "/api/v1/p/big/summary").await;
            let warm = get(warm_store, uri).await;
            assert_eq!(cold, warm, "{uri}");
        }
    });
}

#[test]
fn the_log_is_indexed_in_the_background_and_growth_is_seen() {
    let root = tempfile::tempdir().unwrap();
    write_log(root.path(), "big", &steps(0..5_000));
    let store = Store::new(root.path());
    let query = StepQuery {
        limit: 50,
        order: Order::Descending,
        ..StepQuery::default()
    };
    let first = store.steps_json("p", "big", &query).unwrap();
    // The cache fills without another request.
    let deadline = Instant::now() + Duration::from_secs(60);
    while store.cache_bytes() == 0 {
        assert!(Instant::now() < deadline, "the log was not indexed");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(store.steps_json("p", "big", &query).unwrap(), first);
    // The log grows: the warm index and a cold store agree on the new end.
    let mut more = fs::OpenOptions::new()
        .append(true)
        .open(root.path().join("p/big/log.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut more, steps(5_000..5_010).as_bytes()).unwrap();
    let warm = store.steps_json("p", "big", &query).unwrap();
    assert_eq!(
        Store::new(root.path())
            .steps_json("p", "big", &query)
            .unwrap(),
        warm
    );
    let page: serde_json::Value = serde_json::from_str(&warm).unwrap();
    assert_eq!(page["total"], 5_010);
    assert_eq!(store.log_status("p", "big").unwrap().num_steps, 5_010);
}

#[test]
fn once_indexed_the_answer_is_the_index_one_whatever_the_layout() {
    let root = tempfile::tempdir().unwrap();
    // A step logged again in the middle, among steps far older (the scan of begin_entry
    // lines tells: the index answers), and its end_entry alone (nothing tells from the end of
    // the log; the index, read in the background, answers the requests after the first).
    write_log(
        root.path(),
        "stray",
        &(steps(0..2_000) + &steps(2_990..2_991) + &steps(2_000..3_000)),
    );
    let lone_end = step(2_990)[4].clone() + "\n";
    write_log(
        root.path(),
        "lone-end",
        &(steps(0..2_000) + &lone_end + &steps(2_000..3_000)),
    );
    let query = &newest_queries()[4];
    let (cold, warm) = cold_and_warm(root.path(), "stray", query);
    assert_eq!(cold, warm);
    let (_, warm) = cold_and_warm(root.path(), "lone-end", query);
    let store = Store::new(root.path());
    store.steps_json("p", "lone-end", query).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while store.steps_json("p", "lone-end", query).unwrap() != warm {
        assert!(Instant::now() < deadline, "the log was not indexed");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_writer_far_ahead_of_the_index_is_answered_from_the_end_the_same() {
    let root = tempfile::tempdir().unwrap();
    write_log(root.path(), "fast", &steps(0..100));
    let store = Store::new(root.path());
    assert_eq!(store.log_status("p", "fast").unwrap().num_steps, 100);
    // The writer goes on, far past what the index read (more than 32 MB): the newest steps,
    // down to a step or not, and the counts are read from the log's end, with the answers
    // the index gives once it read it all.
    let mut more = fs::OpenOptions::new()
        .append(true)
        .open(root.path().join("p/fast/log.jsonl"))
        .unwrap();
    let total: u64 = 60_000;
    for from in (100..total).step_by(10_000) {
        std::io::Write::write_all(
            &mut more,
            steps(from..(from + 10_000).min(total)).as_bytes(),
        )
        .unwrap();
    }
    let indexed = Store::new(root.path());
    indexed.log_status("p", "fast").unwrap();
    let status = store.log_status("p", "fast").unwrap();
    assert_eq!(status, indexed.log_status("p", "fast").unwrap());
    assert_eq!(
        (status.num_steps, status.last_sequence_id),
        (60_000, Some(59_999))
    );
    let summary = store.summary("p", "fast").unwrap();
    assert_eq!(
        (
            summary.num_steps,
            summary.first_sequence_id,
            summary.last_sequence_id
        ),
        (60_000, Some(0), Some(59_999))
    );
    let queries = newest_queries().into_iter().chain([
        StepQuery {
            limit: 1_000,
            order: Order::Descending,
            from: Some(59_500),
            to: None,
        },
        StepQuery {
            limit: 200,
            order: Order::Descending,
            from: Some(59_000),
            to: None,
        },
    ]);
    for query in queries {
        assert_eq!(
            store.steps_json("p", "fast", &query).unwrap(),
            indexed.steps_json("p", "fast", &query).unwrap(),
            "{query:?}"
        );
    }
}

/// A cold summary of a big app comes from the end of its log, without reading it whole: its
/// counts are the warm ones, and a malformed line far from the end is listed once the log is
/// indexed.
#[test]
fn a_cold_summary_is_read_from_the_end_of_the_log() {
    let root = tempfile::tempdir().unwrap();
    let log = steps(0..10_000) + "not json\n" + &steps(10_000..20_000);
    write_log(root.path(), "big", &log);
    let cold = Store::new(root.path()).summary("p", "big").unwrap();
    assert_eq!(cold.num_steps, 20_000);
    assert_eq!(cold.first_sequence_id, Some(0));
    assert_eq!(cold.last_sequence_id, Some(19_999));
    assert!(
        !cold.errors.iter().any(|e| e.contains("line")),
        "{:?}",
        cold.errors
    );
    let warm_store = Store::new(root.path());
    warm_store.log_status("p", "big").unwrap();
    let warm = warm_store.summary("p", "big").unwrap();
    assert_eq!(warm.num_steps, 20_000);
    assert!(
        warm.errors.iter().any(|e| e.contains("line")),
        "{:?}",
        warm.errors
    );
    assert_same_summary_cold_and_warm(root.path(), "big");
}
