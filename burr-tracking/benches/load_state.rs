//! `load_state` and `num_steps` on a 10,000-step log (about 80,000 lines, with spans and
//! attributes in every step): loading the latest step must not depend on the log's length.
//!
//! Run with
//!
//! ```not_rust
//! cargo bench -p burr-tracking --bench load_state
//! ```

use std::hint::black_box;
use std::path::Path;

use burr_tracking::format::{
    AttributeModel, BeginEntryModel, BeginSpanModel, EndEntryModel, EndSpanModel, JsonObject,
    LogRecord, Tags, Timestamp,
};
use burr_tracking::{layout, load_state, read};
use criterion::{Criterion, criterion_main};
use serde_json::json;

const STEPS: u64 = 10_000;

fn write_log(path: &Path) {
    let now = Timestamp::now_local();
    let mut out = String::new();
    for seq in 0..STEPS {
        let span_id = format!("{seq}:0");
        let mut state = JsonObject::new();
        state.insert("counter".into(), json!(seq + 1));
        state.insert(
            "history".into(),
            json!(["a message of some length", "and another one"]),
        );
        state.insert("__SEQUENCE_ID".into(), json!(seq));
        state.insert("__PRIOR_STEP".into(), json!("counter"));
        let records: [LogRecord; 6] = [
            BeginEntryModel {
                start_time: now,
                action: "counter".into(),
                inputs: JsonObject::new(),
                sequence_id: seq,
            }
            .into(),
            BeginSpanModel {
                start_time: now,
                action_sequence_id: seq,
                span_id: span_id.clone(),
                span_name: "work".into(),
                parent_span_id: None,
                span_dependencies: vec![],
            }
            .into(),
            AttributeModel {
                key: "prompt".into(),
                action_sequence_id: seq,
                span_id: Some(span_id.clone()),
                value: json!({"text": "what is the answer?", "tokens": 12}),
                tags: Tags::new(),
                time_logged: Some(Timestamp::now_utc()),
            }
            .into(),
            AttributeModel {
                key: "ratio".into(),
                action_sequence_id: seq,
                span_id: None,
                value: json!(0.5),
                tags: Tags::new(),
                time_logged: Some(Timestamp::now_utc()),
            }
            .into(),
            EndSpanModel {
                end_time: now,
                action_sequence_id: seq,
                span_id,
            }
            .into(),
            EndEntryModel {
                end_time: now,
                action: "counter".into(),
                result: Some(JsonObject::new()),
                exception: None,
                state,
                sequence_id: seq,
            }
            .into(),
        ];
        for record in &records {
            out.push_str(&record.to_json_line());
        }
    }
    std::fs::write(path, out).expect("write the benchmark log");
}

fn bench(c: &mut Criterion) {
    let root = tempfile::tempdir().expect("temp dir");
    let app = root.path().join("bench/app");
    std::fs::create_dir_all(&app).expect("app dir");
    let log = app.join(layout::LOG_FILE);
    write_log(&log);
    let root = root.path();

    c.bench_function("load_state latest of 10k steps", |b| {
        b.iter(|| load_state(root, "bench", "app", black_box(None)).expect("loads"))
    });
    c.bench_function("load_state step 9990 of 10k", |b| {
        b.iter(|| load_state(root, "bench", "app", black_box(Some(9_990))).expect("loads"))
    });
    c.bench_function("load_state step 5000 of 10k", |b| {
        b.iter(|| load_state(root, "bench", "app", black_box(Some(5_000))).expect("loads"))
    });
    c.bench_function("num_steps of 10k steps", |b| {
        b.iter(|| read::num_steps(black_box(&log)).expect("counts"))
    });
    c.bench_function("read_log + steps_from_records of 10k steps", |b| {
        b.iter(|| read::steps_from_records(read::read_log(black_box(&log)).expect("reads").records))
    });
}

mod group {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(group::benches);
