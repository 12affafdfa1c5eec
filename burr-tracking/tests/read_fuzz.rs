//! Fuzzing the reader: mutated, truncated and garbage `log.jsonl`, `graph.json`,
//! `metadata.json` and `children.jsonl` never make it panic, the good files read, and a
//! damaged JSON file fails as malformed ([`ReadError::Invalid`]), never otherwise.
//!
//! The run is seeded and bounded so that it takes seconds; set `BURR_FUZZ_CASES` for a
//! longer run on your machine, e.g. `BURR_FUZZ_CASES=20000 cargo test -p burr-tracking
//! --test read_fuzz --release`.

mod support;

use burr_tracking::read::{self, ReadError};
use burr_tracking::{LoadError, load_state};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use support::roots::{env_count, write_app};

/// Well-formed lines of each file, to be mutated.
const LOG: &[&str] = &[
    r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"count","inputs":{"x":1},"sequence_id":0}"#,
    r#"{"type":"begin_span","start_time":"2024-01-01T00:00:00.1","action_sequence_id":0,"span_id":"0:0","span_name":"s","parent_span_id":null,"span_dependencies":[]}"#,
    r#"{"type":"attribute","key":"k","action_sequence_id":0,"span_id":"0:0","value":{"a":[1,2]},"tags":{},"time_logged":"2024-01-01T00:00:00.15Z"}"#,
    r#"{"type":"end_span","end_time":"2024-01-01T00:00:00.2","action_sequence_id":0,"span_id":"0:0"}"#,
    r#"{"type":"end_entry","end_time":"2024-01-01T00:00:01","action":"count","result":{},"exception":null,"state":{"n":1,"__SEQUENCE_ID":0},"sequence_id":0}"#,
    r#"{"type":"end_entry","end_time":"2024-01-01T00:00:02","action":"boom","result":null,"exception":"E","state":{},"sequence_id":1}"#,
];
const GRAPH: &str = r#"{"type": "application", "entrypoint": "a", "actions": [{"type": "action", "name": "a", "reads": [], "writes": [], "code": "", "inputs": [], "optional_inputs": []}], "transitions": [{"type": "transition", "from_": "a", "to": "a", "condition": "default"}]}"#;
const METADATA: &str = r#"{"type": "application_metadata", "partition_key": "u", "parent_pointer": {"type": "pointer_data", "app_id": "x", "sequence_id": 1, "partition_key": null}, "spawning_parent_pointer": null}"#;
const CHILDREN: &str = r#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"c","sequence_id":null,"partition_key":null},"event_time":"2026-01-01T00:00:00","event_type":"fork","sequence_id":1}"#;

/// One way to damage bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop_oneof![
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\u".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"null".to_vec()),
        Just(b"99999999999999999999999".to_vec()),
        Just(b"-1".to_vec()),
        Just(vec![0xff, 0xfe]),
        Just(vec![0]),
        proptest::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (any::<usize>(), special).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Mutation::Remove(at, n)),
        (any::<usize>(), 1usize..200).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match m {
            Mutation::Truncate(i) => bytes.truncate(at(*i)),
            Mutation::Flip(i, b) if len > 0 => bytes[i % len] ^= b,
            Mutation::Flip(..) => {}
            Mutation::Insert(i, new) => {
                let i = at(*i);
                bytes.splice(i..i, new.iter().copied());
            }
            Mutation::Remove(i, n) => {
                let i = at(*i);
                bytes.drain(i..(i + n).min(len));
            }
            Mutation::Duplicate(i, n) => {
                let i = at(*i);
                let piece: Vec<u8> = bytes[i..(i + n).min(len)].to_vec();
                bytes.splice(i..i, piece);
            }
        }
    }
    bytes
}

/// A file's content: mutated from a good one, or plain garbage.
fn content(good: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(mutation(), 0..6).prop_map(move |m| apply(good.clone(), &m)),
        1 => proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

fn log_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0..LOG.len(), 0..12).prop_flat_map(|picks| {
        let mut good = Vec::new();
        for i in picks {
            good.extend_from_slice(LOG[i].as_bytes());
            good.push(b'\n');
        }
        content(good)
    })
}

/// Checks a JSON file's outcome: the good file reads, a damaged one is at worst
/// [`ReadError::Invalid`] (it exists, is a small regular file: no other error applies).
fn check_json<T: std::fmt::Debug>(
    what: &str,
    result: &Result<T, ReadError>,
    bytes: &[u8],
    good: &str,
) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => {}
        Err(err) => {
            prop_assert!(
                bytes != good.as_bytes(),
                "{what}: the good file failed: {err:?}"
            );
            prop_assert!(matches!(err, ReadError::Invalid { .. }), "{what}: {err:?}");
        }
    }
    Ok(())
}

fn cases() -> u32 {
    u32::try_from(env_count("BURR_FUZZ_CASES", 256)).unwrap_or(u32::MAX)
}

#[test]
fn damaged_files_never_panic_the_reader() {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    // A fixed seed: the same inputs every run, so CI is reproducible.
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let files = (
        log_bytes(),
        content(GRAPH.as_bytes().to_vec()),
        content(METADATA.as_bytes().to_vec()),
        content(format!("{CHILDREN}\n{CHILDREN}\n").into_bytes()),
    );
    let root = tempfile::tempdir().unwrap();
    runner
        .run(&files, |(log, graph, metadata, children)| {
            let dir = write_app(
                root.path(),
                "p",
                "a",
                &[
                    ("log.jsonl", &log),
                    ("graph.json", &graph),
                    ("metadata.json", &metadata),
                    ("children.jsonl", &children),
                ],
            );
            // In memory.
            let parsed = read::parse_log(&log);
            let non_blank = log
                .split(|b| *b == b'\n')
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                .count();
            prop_assert_eq!(parsed.records.len() + parsed.skipped, non_blank);
            let _ = read::steps_from_records(parsed.records);
            let _ = read::parse_children(&children);
            // From the files.
            let from_file = read::read_log(&dir.join("log.jsonl")).unwrap();
            prop_assert_eq!(from_file.records.len() + from_file.skipped, non_blank);
            prop_assert!(read::num_steps(&dir.join("log.jsonl")).is_ok());
            let graph_read = read::read_graph(&dir.join("graph.json"));
            check_json("graph.json", &graph_read, &graph, GRAPH)?;
            let metadata_read = read::read_metadata(&dir.join("metadata.json"));
            check_json("metadata.json", &metadata_read, &metadata, METADATA)?;
            prop_assert!(read::read_children(&dir.join("children.jsonl")).is_ok());
            let app = read::read_app(root.path(), "p", "a").unwrap();
            check_json("read_app's graph", &app.graph, &graph, GRAPH)?;
            let apps = read::list_apps(root.path(), "p").unwrap();
            prop_assert_eq!(apps.len(), 1);
            match load_state(root.path(), "p", "a", None) {
                Ok(_) | Err(LoadError::NoSteps { .. }) => {}
                Err(err) => prop_assert!(false, "{err:?}"),
            }
            match load_state(root.path(), "p", "a", Some(1)) {
                Ok(loaded) => prop_assert_eq!(loaded.sequence_id, 1),
                Err(LoadError::StepNotFound { .. }) => {}
                Err(err) => prop_assert!(false, "{err:?}"),
            }
            Ok(())
        })
        .unwrap();
}

#[cfg(feature = "server")]
#[test]
fn damaged_files_never_panic_the_store() {
    use burr_tracking::server::{StepQuery, Store};

    let config = Config {
        cases: cases() / 4 + 1,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let files = (
        log_bytes(),
        content(GRAPH.as_bytes().to_vec()),
        content(METADATA.as_bytes().to_vec()),
        content(format!("{CHILDREN}\n").into_bytes()),
    );
    let root = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicU64::new(0);
    runner
        .run(&files, |(log, graph, metadata, children)| {
            let app = format!("a{}", n.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            write_app(
                root.path(),
                "p",
                &app,
                &[
                    ("log.jsonl", &log),
                    ("graph.json", &graph),
                    ("metadata.json", &metadata),
                    ("children.jsonl", &children),
                ],
            );
            let store = Store::new(root.path());
            let summary = store.summary("p", &app).unwrap();
            let page = store.steps_json("p", &app, &StepQuery::default()).unwrap();
            let page: serde_json::Value = serde_json::from_str(&page).unwrap();
            prop_assert_eq!(page["total"].as_u64(), Some(summary.num_steps as u64));
            if let Ok(json) = store.app_logs_json("p", &app) {
                prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
            }
            prop_assert!(store.apps("p", None, 10, 0).is_ok());
            Ok(())
        })
        .unwrap();
}
