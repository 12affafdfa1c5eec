//! Speed of the tracking server on big apps: one of 100,000 steps and one of 10,000.
//!
//! ```text
//! cargo bench -p burr-tracking --bench server
//! ```
//!
//! With `BURR_BENCH_FIXTURE=<dir>` it only writes the two apps under `<dir>/big/` and exits, so
//! that another server (Apache Burr's) can be timed on the same files. With
//! `BURR_BENCH_COLD=<uri>` it makes one cold request for `<uri>` and exits, so that the request
//! can be profiled (`valgrind --tool=callgrind`).

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use burr_tracking::server::Store;
use burr_tracking::server::router;
use criterion::{Criterion, criterion_group};
use tower::ServiceExt;

const GRAPH: &str = r#"{"type": "application", "entrypoint": "think", "actions": [{"type": "action", "name": "think", "reads": ["history"], "writes": ["history", "thought"], "code": "fn think() {}", "inputs": [], "optional_inputs": []}, {"type": "action", "name": "act", "reads": ["thought"], "writes": ["counter"], "code": "fn act() {}", "inputs": [], "optional_inputs": []}], "transitions": [{"type": "transition", "from_": "think", "to": "act", "condition": "default"}, {"type": "transition", "from_": "act", "to": "think", "condition": "default"}]}"#;

/// Appends the lines of one step: begin, a span with an attribute, end with a small state.
fn step_lines(out: &mut String, seq: u64) {
    let action = if seq.is_multiple_of(2) {
        "think"
    } else {
        "act"
    };
    let (s, us) = (seq / 1000 % 60, seq % 1000 * 1000);
    let _ = writeln!(
        out,
        r#"{{"type":"begin_entry","start_time":"2026-11-22T10:00:{s:02}.{us:06}","action":"{action}","inputs":{{"step":{seq}}},"sequence_id":{seq}}}"#
    );
    let _ = writeln!(
        out,
        r#"{{"type":"begin_span","start_time":"2026-11-22T10:00:{s:02}.{us:06}","action_sequence_id":{seq},"span_id":"{seq}:0","span_name":"call_model","parent_span_id":null,"span_dependencies":[]}}"#
    );
    let _ = writeln!(
        out,
        r#"{{"type":"attribute","key":"tokens","action_sequence_id":{seq},"span_id":"{seq}:0","value":{{"prompt":{},"completion":17}},"tags":{{}},"time_logged":"2026-11-22T10:00:{s:02}.{us:06}Z"}}"#,
        seq % 97
    );
    let _ = writeln!(
        out,
        r#"{{"type":"end_span","end_time":"2026-11-22T10:00:{s:02}.{us:06}","action_sequence_id":{seq},"span_id":"{seq}:0"}}"#
    );
    let _ = writeln!(
        out,
        r#"{{"type":"end_entry","end_time":"2026-11-22T10:00:{s:02}.{us:06}","action":"{action}","result":{{}},"exception":null,"state":{{"counter":{seq},"thought":"step {seq} thinks about the next move","history":["a","b","c"],"score":0.5,"__SEQUENCE_ID":{seq},"__PRIOR_STEP":"{action}"}},"sequence_id":{seq}}}"#
    );
}

fn write_app(root: &Path, app: &str, steps: u64) {
    let dir = root.join("big").join(app);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("graph.json"), GRAPH).unwrap();
    std::fs::write(
        dir.join("metadata.json"),
        r#"{"type": "application_metadata", "partition_key": null, "parent_pointer": null, "spawning_parent_pointer": null}"#,
    )
    .unwrap();
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join("log.jsonl")).unwrap());
    let mut chunk = String::new();
    for seq in 0..steps {
        step_lines(&mut chunk, seq);
        if chunk.len() > 1 << 20 {
            file.write_all(chunk.as_bytes()).unwrap();
            chunk.clear();
        }
    }
    file.write_all(chunk.as_bytes()).unwrap();
}

fn write_fixture(root: &Path) {
    write_app(root, "app-100k", 100_000);
    write_app(root, "app-10k", 10_000);
}

fn get(rt: &tokio::runtime::Runtime, store: &Store, uri: &str) -> usize {
    rt.block_on(async {
        let response = router(store.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{uri}: {}",
            response.status()
        );
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .len()
    })
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_fixture(root);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = Store::new(root);
    let first_page = "/api/v1/big/app-100k/steps?order=desc&limit=100";
    // Warm the index once, as a running server has.
    get(&rt, &store, first_page);
    get(&rt, &store, "/api/v0/big/app-10k/__none__/apps");

    let mut group = c.benchmark_group("server");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("app list (100k and 10k step apps)", |b| {
        b.iter(|| get(&rt, &store, "/api/v0/big/__none__/apps?limit=100&offset=0"))
    });
    group.bench_function("first page of steps, 100k step app", |b| {
        b.iter(|| get(&rt, &store, first_page))
    });
    group.bench_function("page in the middle, 100k step app", |b| {
        b.iter(|| {
            get(
                &rt,
                &store,
                "/api/v1/big/app-100k/steps?from=50000&limit=100",
            )
        })
    });
    group.bench_function("Burr logs endpoint, 10k step app", |b| {
        b.iter(|| get(&rt, &store, "/api/v0/big/app-10k/__none__/apps"))
    });
    let log = root.join("big").join("app-100k").join("log.jsonl");
    let mut next = 100_000;
    group.bench_function("append one step then first page, 100k step app", |b| {
        b.iter(|| {
            let mut lines = String::new();
            step_lines(&mut lines, next);
            next += 1;
            std::fs::OpenOptions::new()
                .append(true)
                .open(&log)
                .unwrap()
                .write_all(lines.as_bytes())
                .unwrap();
            get(&rt, &store, first_page)
        })
    });
    group.sample_size(10);
    group.bench_function("cold: Burr logs endpoint, 10k step app", |b| {
        b.iter_custom(|iters| cold(&rt, root, "/api/v0/big/app-10k/__none__/apps", iters))
    });
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("cold: first page, 100k step app", |b| {
        b.iter_custom(|iters| cold(&rt, root, first_page, iters))
    });
    group.finish();
}

/// The time of `iters` first requests for `uri`, each to a new store (a server just started:
/// nothing cached, the OS's page cache warm), the store's making and dropping included.
/// Between two, the indexing that the store before left in the background ends its turn (it
/// stops once its store is dropped), so that no request shares the machine with an earlier
/// one's work.
fn cold(rt: &tokio::runtime::Runtime, root: &Path, uri: &str, iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let store = Store::new(root);
        get(rt, &store, uri);
        drop(store);
        total += start.elapsed();
        std::thread::sleep(Duration::from_millis(30));
    }
    total
}

criterion_group!(benches, bench);

fn main() {
    if let Some(dir) = std::env::var_os("BURR_BENCH_FIXTURE") {
        write_fixture(Path::new(&dir));
        println!(
            "wrote {}/big/app-100k and app-10k",
            Path::new(&dir).display()
        );
        return;
    }
    if let Ok(uri) = std::env::var("BURR_BENCH_COLD") {
        // One cold request and nothing else, to be profiled (e.g. under callgrind).
        let tmp = tempfile::tempdir().unwrap();
        write_fixture(tmp.path());
        let rt = tokio::runtime::Runtime::new().unwrap();
        let took = cold(&rt, tmp.path(), &uri, 1);
        println!("{uri}: {took:?}");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
