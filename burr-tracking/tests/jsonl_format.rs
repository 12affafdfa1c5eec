//! Golden tests of the on-disk format: every record kind, built in Rust, must serialize to
//! exactly the bytes Apache Burr writes, and every line Burr wrote must survive a
//! parse-then-serialize round trip unchanged.
//!
//! The files in `tests/fixtures/golden/` were written by Burr's own models from fixed values
//! (`tests/fixtures/make_golden.py`; `tests/read_python_burr.rs` regenerates them with the
//! installed Burr and checks they did not drift).

use burr_tracking::format::{
    ActionModel, ApplicationMetadataModel, ApplicationModel, AttributeModel, BeginEntryModel,
    BeginSpanModel, BeginStreamModel, ChildApplicationModel, ChildEventType, EndEntryModel,
    EndSpanModel, EndStreamModel, FirstItemStreamModel, JsonObject, LogRecord, PointerModel, Tags,
    Timestamp, TransitionModel, to_json_line, to_python_json,
};
use serde_json::{Value, json};

const GOLDEN_LOG: &str = include_str!("fixtures/golden/log.jsonl");
const GOLDEN_CHILDREN: &str = include_str!("fixtures/golden/children.jsonl");
const GOLDEN_GRAPH: &str = include_str!("fixtures/golden/graph.json");
const GOLDEN_METADATA: &str = include_str!("fixtures/golden/metadata.json");
const GOLDEN_METADATA_FORK: &str = include_str!("fixtures/golden/metadata_fork.json");

const NAIVE: &str = "2024-08-27T11:59:58.577318";
const NAIVE_WHOLE: &str = "2024-08-27T12:00:00";
const UTC: &str = "2024-08-27T18:58:44.913192Z";
const UTC_WHOLE: &str = "2024-08-27T18:58:45Z";

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn object(v: Value) -> JsonObject {
    match v {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn attribute(key: &str, span: Option<&str>, value: Value, time: Option<&str>) -> LogRecord {
    AttributeModel {
        key: key.into(),
        action_sequence_id: 0,
        span_id: span.map(str::to_string),
        value,
        tags: Tags::new(),
        time_logged: time.map(ts),
    }
    .into()
}

/// The records of `make_golden.py`, built in Rust.
fn log_records() -> Vec<LogRecord> {
    let mut state = object(json!({
        "counter": 1, "text": "héllo ✓ \"quoted\"\n\ttab", "ratio": 8.333333333333334,
        "tiny": 1e-7, "big": 1e16, "nested": {"list": [1, 2.5, null, true]},
        "__SEQUENCE_ID": 0, "__PRIOR_STEP": "counter"
    }));
    // Python dicts keep insertion order; so does our map.
    assert_eq!(state.keys().next().map(String::as_str), Some("counter"));
    let mut tags = Tags::new();
    tags.insert("k".into(), "v".into());
    let span = |id: &str, name: &str, parent: Option<&str>, deps: &[&str]| -> LogRecord {
        BeginSpanModel {
            start_time: ts(NAIVE),
            action_sequence_id: 0,
            span_id: id.into(),
            span_name: name.into(),
            parent_span_id: parent.map(str::to_string),
            span_dependencies: deps.iter().map(|d| d.to_string()).collect(),
        }
        .into()
    };
    vec![
        BeginEntryModel {
            start_time: ts(NAIVE),
            action: "counter".into(),
            inputs: JsonObject::new(),
            sequence_id: 0,
        }
        .into(),
        BeginEntryModel {
            start_time: ts(NAIVE_WHOLE),
            action: "add".into(),
            inputs: object(json!({"amount": 10, "note": "ü"})),
            sequence_id: 1,
        }
        .into(),
        span("0:0", "outer", None, &[]),
        span("0:0.0", "inner", Some("0:0"), &["outer"]),
        attribute("action_level_attr", None, json!({"n": 0}), Some(UTC)),
        attribute("outer_attr", Some("0:0"), json!(1.5), Some(UTC_WHOLE)),
        AttributeModel {
            key: "b".into(),
            action_sequence_id: 0,
            span_id: Some("0:0.0".into()),
            value: json!([1, 2]),
            tags,
            time_logged: None,
        }
        .into(),
        attribute("c", Some("0:0.0"), Value::Null, Some(UTC)),
        // NaN cannot live in a JSON value; Burr writes it as null.
        attribute("nan", Some("0:0.0"), Value::Null, Some(UTC)),
        EndSpanModel {
            end_time: ts(NAIVE),
            action_sequence_id: 0,
            span_id: "0:0.0".into(),
        }
        .into(),
        EndSpanModel {
            end_time: ts(NAIVE_WHOLE),
            action_sequence_id: 0,
            span_id: "0:0".into(),
        }
        .into(),
        EndEntryModel {
            end_time: ts(NAIVE),
            action: "counter".into(),
            result: Some(JsonObject::new()),
            exception: None,
            state: std::mem::take(&mut state),
            sequence_id: 0,
        }
        .into(),
        BeginEntryModel {
            start_time: ts(NAIVE),
            action: "stream_it".into(),
            inputs: JsonObject::new(),
            sequence_id: 6,
        }
        .into(),
        BeginStreamModel {
            action_sequence_id: 6,
            span_id: None,
            stream_init_time: ts(UTC),
        }
        .into(),
        FirstItemStreamModel {
            action_sequence_id: 6,
            span_id: None,
            first_item_time: ts(UTC),
        }
        .into(),
        EndEntryModel {
            end_time: ts(NAIVE),
            action: "stream_it".into(),
            result: Some(object(json!({"items": [0, 1, 2]}))),
            exception: None,
            state: object(json!({"streamed": [0, 1, 2]})),
            sequence_id: 6,
        }
        .into(),
        EndStreamModel {
            action_sequence_id: 6,
            span_id: None,
            end_time: ts(UTC_WHOLE),
            items_streamed: 3,
        }
        .into(),
        EndEntryModel {
            end_time: ts(NAIVE),
            action: "boom".into(),
            result: None,
            exception: Some(
                "Traceback (most recent call last):\n  File \"app.py\", line 1, in boom\nRuntimeError: kaboom\n"
                    .into(),
            ),
            state: object(json!({"counter": 5, "__SEQUENCE_ID": 7, "__PRIOR_STEP": "stream_it"})),
            sequence_id: 7,
        }
        .into(),
    ]
}

fn lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_string).collect()
}

#[test]
fn every_log_record_kind_serializes_like_burr() {
    let golden = lines(GOLDEN_LOG);
    let ours: Vec<String> = log_records().iter().map(LogRecord::to_json_line).collect();
    assert_eq!(ours.len(), golden.len());
    for (i, (ours, golden)) in ours.iter().zip(&golden).enumerate() {
        assert_eq!(ours, golden, "line {}", i + 1);
    }
}

#[test]
fn children_lines_serialize_like_burr() {
    let children = [
        ChildApplicationModel {
            child: PointerModel {
                app_id: "app-fork".into(),
                sequence_id: None,
                partition_key: Some("user_1".into()),
            },
            event_time: ts(NAIVE),
            event_type: ChildEventType::Fork,
            sequence_id: Some(2),
        },
        ChildApplicationModel {
            child: PointerModel {
                app_id: "app-child".into(),
                sequence_id: None,
                partition_key: None,
            },
            event_time: ts(NAIVE_WHOLE),
            event_type: ChildEventType::SpawnStart,
            sequence_id: Some(1),
        },
    ];
    let ours: String = children.iter().map(|c| to_json_line(c).unwrap()).collect();
    assert_eq!(ours, GOLDEN_CHILDREN);
}

#[test]
fn graph_json_is_written_like_python_json_dump() {
    let graph = ApplicationModel {
        entrypoint: "counter".into(),
        actions: vec![
            ActionModel {
                name: "counter".into(),
                reads: vec!["counter".into()],
                writes: vec!["counter".into(), "last_double".into()],
                code: "def counter(state):\n    # héllo ✓ 😀\n    return state\n".into(),
                inputs: vec![],
                optional_inputs: vec!["__tracer".into()],
            },
            ActionModel {
                name: "add".into(),
                reads: vec!["counter".into()],
                writes: vec!["total".into()],
                code: "def add(state, amount): ...".into(),
                inputs: vec!["scale".into()],
                optional_inputs: vec!["amount".into()],
            },
        ],
        transitions: vec![
            TransitionModel {
                from: "counter".into(),
                to: "counter".into(),
                condition: "counter < 5".into(),
            },
            TransitionModel {
                from: "counter".into(),
                to: "add".into(),
                condition: "default".into(),
            },
        ],
    };
    assert_eq!(to_python_json(&graph).unwrap(), GOLDEN_GRAPH);
    let back: ApplicationModel = serde_json::from_str(GOLDEN_GRAPH).unwrap();
    assert_eq!(back, graph);
}

#[test]
fn metadata_json_is_written_like_python_json_dump() {
    let plain = ApplicationMetadataModel {
        partition_key: Some("user_1".into()),
        ..Default::default()
    };
    assert_eq!(to_python_json(&plain).unwrap(), GOLDEN_METADATA);
    let fork = ApplicationMetadataModel {
        partition_key: Some("üser".into()),
        parent_pointer: Some(PointerModel {
            app_id: "app-main".into(),
            sequence_id: Some(2),
            partition_key: Some("üser".into()),
        }),
        spawning_parent_pointer: None,
    };
    assert_eq!(to_python_json(&fork).unwrap(), GOLDEN_METADATA_FORK);
    assert_eq!(
        serde_json::from_str::<ApplicationMetadataModel>(GOLDEN_METADATA_FORK).unwrap(),
        fork
    );
}

#[test]
fn golden_lines_round_trip() {
    for line in lines(GOLDEN_LOG) {
        let record = LogRecord::from_json_line(line.as_bytes()).unwrap();
        assert_eq!(record.to_json_line(), line);
        // The generic serde path reads the same record.
        let via_serde: LogRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(via_serde, record);
    }
    for line in lines(GOLDEN_CHILDREN) {
        let child: ChildApplicationModel = serde_json::from_str(&line).unwrap();
        assert_eq!(to_json_line(&child).unwrap(), line);
    }
}

/// Real lines from Burr's demo data and runs, as quoted in the format reference.
const REAL_LINES: &[&str] = &[
    r#"{"type":"begin_entry","start_time":"2024-08-27T11:59:58.569978","action":"result","inputs":{},"sequence_id":1}"#,
    r#"{"type":"end_entry","end_time":"2024-08-27T11:59:58.569778","action":"counter","result":{},"exception":null,"state":{"count_to":1,"counter":1,"__SEQUENCE_ID":0,"__PRIOR_STEP":"counter"},"sequence_id":0}"#,
    r#"{"type":"begin_span","start_time":"2024-08-27T11:58:44.913348","action_sequence_id":4,"span_id":"4:0.0.0","span_name":"safe","parent_span_id":"4:0.0","span_dependencies":[]}"#,
    r#"{"type":"end_span","end_time":"2024-08-27T11:57:10.764191","action_sequence_id":0,"span_id":"0:0"}"#,
    r#"{"type":"attribute","key":"model","action_sequence_id":3,"span_id":"3:0","value":"dall-e-2","tags":{},"time_logged":"2024-08-27T18:58:44.913192Z"}"#,
    r#"{"type":"begin_stream","action_sequence_id":6,"span_id":null,"stream_init_time":"2026-11-22T00:29:44.278111Z"}"#,
    r#"{"type":"first_item_stream","action_sequence_id":6,"span_id":null,"first_item_time":"2026-11-22T00:29:44.278174Z"}"#,
    r#"{"type":"end_stream","action_sequence_id":6,"span_id":null,"end_time":"2026-11-22T00:29:44.278353Z","items_streamed":3}"#,
];

#[test]
fn real_burr_lines_round_trip_byte_for_byte() {
    let kinds: Vec<String> = REAL_LINES
        .iter()
        .map(|line| {
            let record = LogRecord::from_json_line(line.as_bytes()).unwrap();
            assert_eq!(record.to_json_line(), format!("{line}\n"));
            record.type_name().into_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "begin_entry",
            "end_entry",
            "begin_span",
            "end_span",
            "attribute",
            "begin_stream",
            "first_item_stream",
            "end_stream"
        ]
    );
    for line in [
        r#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"app-fork","sequence_id":null,"partition_key":"user_1"},"event_time":"2026-11-22T00:29:44.311262","event_type":"fork","sequence_id":2}"#,
        r#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"app-child","sequence_id":null,"partition_key":null},"event_time":"2026-11-22T00:29:44.403943","event_type":"spawn_start","sequence_id":1}"#,
    ] {
        let child: ChildApplicationModel = serde_json::from_str(line).unwrap();
        assert_eq!(to_json_line(&child).unwrap(), format!("{line}\n"));
    }
    for doc in [
        r#"{"type": "application_metadata", "partition_key": "user_1", "parent_pointer": null, "spawning_parent_pointer": null}"#,
        r#"{"type": "application_metadata", "partition_key": "user_1", "parent_pointer": {"type": "pointer_data", "app_id": "app-main", "sequence_id": 2, "partition_key": "user_1"}, "spawning_parent_pointer": null}"#,
    ] {
        let meta: ApplicationMetadataModel = serde_json::from_str(doc).unwrap();
        assert_eq!(to_python_json(&meta).unwrap(), doc);
    }
}

#[test]
fn lenient_input_is_echoed_in_canonical_form() {
    // Lax integers, other timestamp forms, unknown keys and a missing `type` on nested models
    // read fine and come out in Burr's canonical layout.
    let line = r#"{"type":"end_span","extra":[1],"end_time":"2024-01-01 10:00:00.5+02:00","action_sequence_id":"3","span_id":"3:0"}"#;
    let record = LogRecord::from_json_line(line.as_bytes()).unwrap();
    assert_eq!(
        record.to_json_line(),
        "{\"type\":\"end_span\",\"end_time\":\"2024-01-01T10:00:00.500000+02:00\",\"action_sequence_id\":3,\"span_id\":\"3:0\"}\n"
    );
    let meta: ApplicationMetadataModel =
        serde_json::from_str(r#"{"parent_pointer": {"app_id": "a", "sequence_id": 2.0}}"#).unwrap();
    assert_eq!(
        to_python_json(&meta).unwrap(),
        r#"{"type": "application_metadata", "partition_key": null, "parent_pointer": {"type": "pointer_data", "app_id": "a", "sequence_id": 2, "partition_key": null}, "spawning_parent_pointer": null}"#
    );
    let epoch = LogRecord::from_json_line(
        br#"{"type":"attribute","key":"k","action_sequence_id":0,"span_id":null,"value":1,"tags":{},"time_logged":1700000000.5}"#,
    )
    .unwrap();
    assert!(
        epoch
            .to_json_line()
            .contains("\"time_logged\":\"2023-11-14T22:13:20.500000Z\"")
    );
}
