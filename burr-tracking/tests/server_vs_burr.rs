//! Our server and Apache Burr's, started on the same folder, must answer the read API alike.
//!
//! The folder holds Burr's own demo data, a small app written by Python Burr
//! (`tests/fixtures/tiny_app.py`: spans, attributes, a stream, a failure, a fork and a spawn) and
//! the demo projects written by burr-rs (`burr_tracking::demo`).
//! Burr's server runs as `python3 -m uvicorn burr.tracking.server.run:app` with
//! `BURR_SERVE_STATIC=false`. Without Python Burr (`pip install "apache-burr[tracking-server]"`)
//! the test says why and passes, unless `BURR_REQUIRE_SERVICES=1`.
#![cfg(feature = "server")]

mod support;

use axum::body::Body;
use axum::http::Request;
use burr_tracking::server::Store;
use burr_tracking::server::router;
use serde_json::Value;
use support::burr_server::BurrServer;
use support::python;
use support::roots::{copy_dir, fixtures};
use tower::ServiceExt;

async fn ours(store: &Store, path: &str) -> (u16, Value) {
    let response = router(store.clone())
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// File times are floats in Python and nanoseconds here: equal within a millisecond.
fn same_time(a: &Value, b: &Value) -> bool {
    let parse = |v: &Value| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => (a - b).num_microseconds().is_some_and(|d| d.abs() <= 1000),
        _ => false,
    }
}

/// Compares two JSON values, with the listed keys compared as file times.
fn assert_same(what: &str, burr: &Value, ours: &Value, time_keys: &[&str]) {
    match (burr, ours) {
        (Value::Object(b), Value::Object(o)) => {
            let bk: Vec<&String> = b.keys().collect();
            let ok: Vec<&String> = o.keys().collect();
            assert_eq!(bk, ok, "{what}: keys differ");
            for (k, bv) in b {
                let ov = &o[k];
                if time_keys.contains(&k.as_str()) {
                    assert!(same_time(bv, ov), "{what}.{k}: Burr {bv} vs ours {ov}");
                } else {
                    assert_same(&format!("{what}.{k}"), bv, ov, time_keys);
                }
            }
        }
        (Value::Array(b), Value::Array(o)) => {
            assert_eq!(b.len(), o.len(), "{what}: lengths differ");
            for (i, (bv, ov)) in b.iter().zip(o).enumerate() {
                assert_same(&format!("{what}[{i}]"), bv, ov, time_keys);
            }
        }
        _ => assert_eq!(burr, ours, "{what}"),
    }
}

fn sorted_by(list: &Value, key: &str) -> Value {
    let mut items = list.as_array().cloned().unwrap_or_default();
    items.sort_by(|a, b| a[key].as_str().cmp(&b[key].as_str()));
    Value::Array(items)
}

#[tokio::test(flavor = "multi_thread")]
async fn our_read_api_answers_like_burrs_on_the_same_folder() {
    let what = "the comparison with Apache Burr's server";
    let Some(package) = python::burr_package(what, &["uvicorn", "fastapi", "aiofiles"]) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let demo = package.join("tracking").join("server").join("demo_data");
    for entry in std::fs::read_dir(&demo).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &root.join(entry.file_name()));
        }
    }
    // Apps written by burr-rs itself (the demo projects), under names of their own.
    let ours_dir = tmp.path().join("ours");
    for project in burr_tracking::demo::write_demo_projects(&ours_dir).unwrap() {
        copy_dir(
            &ours_dir.join(&project),
            &root.join(format!("rs_{project}")),
        );
    }
    python::run([fixtures().join("tiny_app.py").as_os_str(), root.as_os_str()]);

    let burr = tokio::task::spawn_blocking({
        let root = root.clone();
        let log = tmp.path().join("burr-server.log");
        move || BurrServer::start(&root, log)
    })
    .await
    .unwrap();
    let burr = std::sync::Arc::new(burr);
    let store = Store::new(&root);
    let burr_get = |path: String| {
        let burr = burr.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let (status, body) = burr
                    .try_get(&path)
                    .unwrap_or_else(|e| panic!("Burr answers {path}: {e}"));
                let body = String::from_utf8_lossy(&body).into_owned();
                (
                    status,
                    serde_json::from_str::<Value>(&body).unwrap_or(Value::String(body)),
                )
            })
            .await
            .unwrap()
        }
    };
    let mut compared = 0;

    for path in ["/ready", "/api/v0/ready"] {
        assert_eq!(
            burr_get(path.into()).await,
            ours(&store, path).await,
            "{path}"
        );
        compared += 1;
    }
    // Same keys; our version number is ours.
    let (bs, bv) = burr_get("/api/v0/version".into()).await;
    let (os, ov) = ours(&store, "/api/v0/version").await;
    assert_eq!(
        (
            bs,
            bv.as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        ),
        (
            os,
            ov.as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        )
    );
    // Same shape; we do not offer Burr's interactive demos, and say so; annotations, as Burr.
    let (_, bspec) = burr_get("/api/v0/metadata/app_spec".into()).await;
    let (_, ospec) = ours(&store, "/api/v0/metadata/app_spec").await;
    assert_eq!(
        bspec.as_object().unwrap().keys().collect::<Vec<_>>(),
        ospec.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert_eq!(
        (
            &bspec["indexing"],
            &bspec["snapshotting"],
            &bspec["supports_annotations"]
        ),
        (
            &ospec["indexing"],
            &ospec["snapshotting"],
            &ospec["supports_annotations"]
        )
    );
    compared += 2;

    let (bs, bprojects) = burr_get("/api/v0/projects".into()).await;
    let (os, oprojects) = ours(&store, "/api/v0/projects").await;
    assert_eq!((bs, os), (200, 200));
    assert_same(
        "projects",
        &sorted_by(&bprojects, "name"),
        &sorted_by(&oprojects, "name"),
        &["last_written", "created"],
    );
    compared += 1;
    let projects: Vec<String> = bprojects
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(projects.len() >= 5, "demo projects and p: {projects:?}");

    for project in &projects {
        let path = format!("/api/v0/{project}/__none__/apps?limit=1000&offset=0");
        let (bs, bapps) = burr_get(path.clone()).await;
        let (os, oapps) = ours(&store, &path).await;
        assert_eq!((bs, os), (200, 200), "{path}");
        assert_eq!(bapps["total"], oapps["total"], "{path}");
        assert_eq!(
            bapps["has_another_page"], oapps["has_another_page"],
            "{path}"
        );
        assert_same(
            &path,
            &sorted_by(&bapps["applications"], "app_id"),
            &sorted_by(&oapps["applications"], "app_id"),
            &["first_written", "last_written"],
        );
        compared += 1;
        for app in bapps["applications"].as_array().unwrap() {
            let app_id = app["app_id"].as_str().unwrap();
            let path = format!("/api/v0/{project}/{app_id}/__none__/apps");
            let (bs, blogs) = burr_get(path.clone()).await;
            let (os, ologs) = ours(&store, &path).await;
            assert_eq!((bs, os), (200, 200), "{path}");
            assert_same(&path, &blogs, &ologs, &[]);
            compared += 1;
        }
    }

    // Order, paging and the partition filter on the app written by Python Burr.
    for path in [
        "/api/v0/p/__none__/apps",
        "/api/v0/p/__none__/apps?limit=1&offset=1",
        "/api/v0/p/__none__/apps?limit=2",
        "/api/v0/p/user_1/apps",
        "/api/v0/p/nobody/apps",
        "/api/v0/no_such_project/__none__/apps",
    ] {
        let (bs, b) = burr_get(path.into()).await;
        let (os, o) = ours(&store, path).await;
        assert_eq!(bs, os, "{path}");
        assert_same(path, &b, &o, &["first_written", "last_written"]);
        compared += 1;
    }
    for path in [
        "/api/v0/p/app-main/user_1/apps",
        "/api/v0/p/app-fork/whatever/apps",
        "/api/v0/p/nope/__none__/apps",
    ] {
        let (bs, b) = burr_get(path.into()).await;
        let (os, o) = ours(&store, path).await;
        assert_eq!(bs, os, "{path}");
        assert_same(path, &b, &o, &[]);
        compared += 1;
    }
    println!("{compared} answers compared with Apache Burr's server");
    drop(burr);
}
