//! `GET /api/v1/{project}/{app_id}/insights`: the sums of the UI's Insights tab over every
//! step of an app, checked to the number on a log of more steps than the UI loads at once.
#![cfg(feature = "server")]

mod support;

use axum::http::StatusCode;
use burr_tracking::layout::LOG_FILE;
use burr_tracking::server::{Insights, MAX_SPAN_NAMES, Store};
use serde_json::{Value, json};
use support::oneshot::get_json as get;
use support::roots::write_app;

// ------------------------------------------------------------------------------------ fixtures

/// The lines of one log, built step by step.
#[derive(Default)]
struct Log(String);

impl Log {
    fn line(&mut self, value: Value) {
        self.0.push_str(&value.to_string());
        self.0.push('\n');
    }

    fn begin(&mut self, seq: u64) {
        self.line(json!({"type": "begin_entry", "start_time": "2026-01-01T10:00:00.000000", "action": "ask", "inputs": {}, "sequence_id": seq}));
    }

    fn end(&mut self, seq: u64) {
        self.line(json!({"type": "end_entry", "end_time": "2026-01-01T10:00:01.000000", "action": "ask", "result": {}, "exception": null, "state": {"seq": seq}, "sequence_id": seq}));
    }

    /// A span from `start` to `end` (`None`: still open).
    fn span(&mut self, seq: u64, id: &str, name: &str, start: &str, end: Option<&str>) {
        self.line(json!({"type": "begin_span", "start_time": start, "action_sequence_id": seq, "span_id": format!("{seq}:{id}"), "span_name": name, "parent_span_id": null, "span_dependencies": []}));
        if let Some(end) = end {
            self.line(json!({"type": "end_span", "end_time": end, "action_sequence_id": seq, "span_id": format!("{seq}:{id}")}));
        }
    }

    /// An attribute of span `id` of step `seq` (`None`: of the step itself).
    fn attribute(&mut self, seq: u64, id: Option<&str>, key: &str, value: Value) {
        let span_id = id.map(|id| format!("{seq}:{id}"));
        self.line(json!({"type": "attribute", "key": key, "action_sequence_id": seq, "span_id": span_id, "value": value, "tags": {}, "time_logged": "2026-01-01T10:00:00.500000Z"}));
    }
}

/// Steps in the fixture: more than the 1,000 the UI loads at once.
const STEPS: u64 = 1_203;

/// A log of [`STEPS`] steps whose sums are known (see [`expected`]):
///
/// - every third step (`seq % 3 == 0`, 401 of them) makes an LLM call in the GenAI names, in
///   a span `llm` of 50 ms: 10 input tokens (its `prompt_tokens` of 999 do not count, the
///   GenAI name wins), 5 output tokens, a cost of 0.25;
/// - the next ones (`seq % 3 == 1`, 401) log a call in Burr's Insights names at the step's
///   level (7 prompt tokens, 3 completion tokens, no cost), and have a span `tool` of 20 ms;
/// - the others (`seq % 3 == 2`, 401) have no `gen_ai.*` attribute, only a `model` one;
///   but step 5 has a string `input_tokens` ("12", not a number: 0) and 4 output tokens (a
///   call), and step 8 only a string `input_tokens` (not a call);
/// - step 3 has a span `clock_skew` that ends before it starts (0 ms), step 6 a span `zoned`
///   of 30 ms between a UTC and a `+01:00` time, steps 1201 and 1202 a span `stream` still
///   open; step 1202 has not ended.
fn fixture_log() -> String {
    let mut log = Log::default();
    for seq in 0..STEPS {
        log.begin(seq);
        match seq % 3 {
            0 => {
                log.span(
                    seq,
                    "0",
                    "llm",
                    "2026-01-01T10:00:00.100000",
                    Some("2026-01-01T10:00:00.150000"),
                );
                for (key, value) in [
                    ("gen_ai.operation.name", json!("chat")),
                    ("gen_ai.usage.input_tokens", json!(10)),
                    ("gen_ai.usage.prompt_tokens", json!(999)),
                    ("gen_ai.usage.output_tokens", json!(5)),
                    ("gen_ai.usage.cost", json!(0.25)),
                    ("gen_ai.response.model", json!("canned-1")),
                ] {
                    log.attribute(seq, Some("0"), key, value);
                }
            }
            1 => {
                log.attribute(seq, None, "gen_ai.usage.prompt_tokens", json!(7));
                log.attribute(seq, None, "gen_ai.usage.completion_tokens", json!(3));
                log.span(
                    seq,
                    "0",
                    "tool",
                    "2026-01-01T10:00:00.200000",
                    Some("2026-01-01T10:00:00.220000"),
                );
            }
            _ => log.attribute(seq, None, "model", json!("canned-1")),
        }
        match seq {
            3 => log.span(
                seq,
                "1",
                "clock_skew",
                "2026-01-01T10:00:00.300000",
                Some("2026-01-01T10:00:00.295000"),
            ),
            5 => {
                log.attribute(seq, None, "gen_ai.usage.input_tokens", json!("12"));
                log.attribute(seq, None, "gen_ai.usage.output_tokens", json!(4));
            }
            6 => log.span(
                seq,
                "1",
                "zoned",
                "2026-01-01T10:00:00.000000Z",
                Some("2026-01-01T11:00:00.030000+01:00"),
            ),
            8 => log.attribute(seq, None, "gen_ai.usage.input_tokens", json!("lots")),
            1201 | 1202 => log.span(seq, "9", "stream", "2026-01-01T10:00:00.400000", None),
            _ => {}
        }
        if seq != STEPS - 1 {
            log.end(seq);
        }
    }
    log.0
}

/// The answer for [`fixture_log`], worked out by hand.
fn expected() -> Value {
    json!({
        "steps": 1203,
        // 401 GenAI calls, 401 in Burr's names, step 5's.
        "llm_calls": 803,
        "input_tokens": 401 * 10 + 401 * 7,
        "output_tokens": 401 * 5 + 401 * 3 + 4,
        "cost": 100.25,
        "spans": [
            {"name": "llm", "count": 401, "total_ms": 401 * 50, "max_ms": 50, "open": 0},
            {"name": "tool", "count": 401, "total_ms": 401 * 20, "max_ms": 20, "open": 0},
            {"name": "zoned", "count": 1, "total_ms": 30, "max_ms": 30, "open": 0},
            // Equal totals: first seen first.
            {"name": "clock_skew", "count": 1, "total_ms": 0, "max_ms": 0, "open": 0},
            {"name": "stream", "count": 2, "total_ms": 0, "max_ms": 0, "open": 2},
        ],
        "spans_left_out": 0,
    })
}

// --------------------------------------------------------------------------------------- tests

#[tokio::test]
async fn insights_sum_every_step_of_the_app() {
    let root = tempfile::tempdir().unwrap();
    write_app(
        root.path(),
        "p",
        "big",
        &[(LOG_FILE, fixture_log().as_bytes())],
    );
    let store = Store::new(root.path());
    let (status, body) = get(&store, "/api/v1/p/big/insights").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, expected());

    // The same through the library, and again once the index is warm.
    let sums = Insights::of_app(&store, "p", "big").unwrap();
    assert_eq!(serde_json::to_value(&sums).unwrap(), expected());
    assert_eq!(sums.cost, Some(100.25));
    assert_eq!(sums.spans["stream"].open, 2);
    assert_eq!(get(&store, "/api/v1/p/big/insights").await.1, expected());
}

#[tokio::test]
async fn insights_read_pages_cut_short_by_the_answer_budget() {
    let root = tempfile::tempdir().unwrap();
    write_app(
        root.path(),
        "p",
        "big",
        &[(LOG_FILE, fixture_log().as_bytes())],
    );
    // About 30 steps a page: the answer is put together from dozens of pages.
    let store = Store::new(root.path()).with_max_response(32 << 10);
    let page: Value = serde_json::from_str(
        &store
            .steps_json(
                "p",
                "big",
                &burr_tracking::server::StepQuery {
                    limit: 5_000,
                    ..Default::default()
                },
            )
            .unwrap(),
    )
    .unwrap();
    assert!(
        page["steps"].as_array().unwrap().len() < 100,
        "pages are cut short"
    );
    let (status, body) = get(&store, "/api/v1/p/big/insights").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, expected());
}

#[tokio::test]
async fn an_unknown_app_answers_404_as_the_summary_does() {
    let root = tempfile::tempdir().unwrap();
    write_app(root.path(), "p", "app", &[(LOG_FILE, b"")]);
    let store = Store::new(root.path());
    let (status, body) = get(&store, "/api/v1/p/missing/insights").await;
    let (summary_status, summary) = get(&store, "/api/v1/p/missing/summary").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!((status, &body), (summary_status, &summary));
    assert_eq!(body["detail"], "App: missing from project: p not found");
    let (status, _) = get(&store, "/api/v1/nope/app/insights").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&store, "/api/v1/p/..%2F..%2Fetc/insights").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_app_without_calls_has_no_cost_and_an_empty_log_no_steps() {
    let root = tempfile::tempdir().unwrap();
    let mut log = Log::default();
    for seq in 0..3 {
        log.begin(seq);
        log.attribute(seq, None, "gen_ai.usage.input_tokens", json!({"n": 3}));
        log.attribute(seq, None, "gen_ai.usage.output_tokens", json!(null));
        log.end(seq);
    }
    write_app(root.path(), "p", "quiet", &[(LOG_FILE, log.0.as_bytes())]);
    write_app(root.path(), "p", "empty", &[(LOG_FILE, b"")]);
    let store = Store::new(root.path());
    let (_, body) = get(&store, "/api/v1/p/quiet/insights").await;
    assert_eq!(
        body,
        json!({"steps": 3, "llm_calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": null, "spans": [], "spans_left_out": 0})
    );
    let (status, body) = get(&store, "/api/v1/p/empty/insights").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["steps"], 0);
}

#[tokio::test]
async fn span_names_past_the_bound_are_counted_apart() {
    let root = tempfile::tempdir().unwrap();
    let mut log = Log::default();
    log.begin(0);
    for i in 0..MAX_SPAN_NAMES + 2 {
        log.span(
            0,
            &i.to_string(),
            &format!("name-{i}"),
            "2026-01-01T10:00:00.000000",
            Some("2026-01-01T10:00:00.001000"),
        );
    }
    log.end(0);
    write_app(root.path(), "p", "names", &[(LOG_FILE, log.0.as_bytes())]);
    let (_, body) = get(&Store::new(root.path()), "/api/v1/p/names/insights").await;
    assert_eq!(body["spans"].as_array().unwrap().len(), MAX_SPAN_NAMES);
    assert_eq!(body["spans_left_out"], 2);
    assert_eq!(
        body["spans"][0],
        json!({"name": "name-0", "count": 1, "total_ms": 1, "max_ms": 1, "open": 0})
    );
}
