//! Annotations, as Apache Burr's local backend has them: created, listed with filters and
//! updated through the API; bad input refused with a 4xx and nothing written; and the same
//! file shared with Burr's own server, both ways.
#![cfg(feature = "server")]

mod support;

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use burr_tracking::server::{Store, router};
use serde_json::{Value, json};
use support::burr_server::BurrServer;
use support::roots::write_app;
use tower::ServiceExt;

const GRAPH: &str = r#"{"type": "application", "entrypoint": "count", "actions": [{"type": "action", "name": "count", "reads": ["n"], "writes": ["n"], "code": "", "inputs": [], "optional_inputs": []}], "transitions": []}"#;

/// Project `p` with app `a` (partition key `user_1`) of three steps.
fn folder() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for seq in 0..3 {
        log.push_str(&format!(
            "{{\"type\":\"begin_entry\",\"start_time\":\"2026-01-02T03:04:0{seq}\",\"action\":\"count\",\"inputs\":{{}},\"sequence_id\":{seq}}}\n\
             {{\"type\":\"end_entry\",\"end_time\":\"2026-01-02T03:04:0{seq}.5\",\"action\":\"count\",\"result\":{{}},\"exception\":null,\"state\":{{\"n\":{seq}}},\"sequence_id\":{seq}}}\n"
        ));
    }
    let metadata = r#"{"type": "application_metadata", "partition_key": "user_1", "parent_pointer": null, "spawning_parent_pointer": null}"#;
    write_app(
        root.path(),
        "p",
        "a",
        &[
            ("graph.json", GRAPH.as_bytes()),
            ("metadata.json", metadata.as_bytes()),
            ("log.jsonl", log.as_bytes()),
        ],
    );
    root
}

fn annotation(tag: &str) -> Value {
    json!({
        "span_id": null,
        "step_name": "count",
        "tags": [tag],
        "observations": [{
            "data_fields": {"note": "looks right", "ground_truth": "n = 1"},
            "thumbs_up_thumbs_down": true,
            "data_pointers": [{"type": "state_field", "field_name": "n", "span_id": null}]
        }]
    })
}

async fn call(root: &Path, method: &str, uri: &str, body: Option<Vec<u8>>) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost");
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let response = router(Store::new(root))
        .oneshot(
            request
                .body(body.map_or_else(Body::empty, Body::from))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, value)
}

fn file(root: &Path) -> String {
    std::fs::read_to_string(root.join("p/annotations.jsonl")).unwrap_or_default()
}

#[tokio::test]
async fn annotations_are_created_listed_and_updated_as_burr_does() {
    let root = folder();
    let (status, spec) = call(root.path(), "GET", "/api/v0/metadata/app_spec", None).await;
    assert_eq!(
        (status, &spec["supports_annotations"]),
        (StatusCode::OK, &json!(true))
    );
    let (_, none) = call(root.path(), "GET", "/api/v0/p/annotations", None).await;
    assert_eq!(none, json!([]));

    let body = |v: &Value| Some(serde_json::to_vec(v).unwrap());
    let (status, first) = call(
        root.path(),
        "POST",
        "/api/v0/p/a/user_1/1/annotations",
        body(&annotation("good")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["id"], 0);
    assert_eq!(first["partition_key"], "user_1");
    assert_eq!(first["step_sequence_id"], 1);
    assert_eq!(
        first["observations"][0]["data_fields"]["note"],
        "looks right"
    );
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "span_id",
            "step_name",
            "tags",
            "observations",
            "id",
            "project_id",
            "app_id",
            "partition_key",
            "step_sequence_id",
            "created",
            "updated"
        ]
    );
    let (_, second) = call(
        root.path(),
        "POST",
        "/api/v0/p/a/__none__/2/annotations",
        body(&annotation("bad")),
    )
    .await;
    assert_eq!(
        (second["id"].clone(), second["partition_key"].clone()),
        (json!(1), Value::Null)
    );
    assert_eq!(file(root.path()).lines().count(), 2);

    for (query, ids) in [
        ("", vec![0, 1]),
        ("?step_sequence_id=2", vec![1]),
        ("?partition_key=user_1", vec![0]),
        ("?partition_key=__none__", vec![0, 1]),
        ("?app_id=a&step_sequence_id=1", vec![0]),
        ("?app_id=other", vec![]),
    ] {
        let (status, list) = call(
            root.path(),
            "GET",
            &format!("/api/v0/p/annotations{query}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let got: Vec<u64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_u64().unwrap())
            .collect();
        assert_eq!(got, ids, "{query}");
    }

    let change = json!({"step_name": "count", "tags": ["fixed"], "observations": []});
    let (status, updated) = call(
        root.path(),
        "PUT",
        "/api/v0/p/0/update_annotations",
        body(&change),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        (updated["tags"].clone(), updated["created"].clone()),
        (json!(["fixed"]), first["created"].clone())
    );
    let (_, list) = call(
        root.path(),
        "GET",
        "/api/v0/p/annotations?step_sequence_id=1",
        None,
    )
    .await;
    assert_eq!(list[0], updated);
}

#[tokio::test]
async fn bad_annotations_get_a_4xx_and_write_nothing() {
    let root = folder();
    let good = serde_json::to_vec(&annotation("good")).unwrap();
    call(
        root.path(),
        "POST",
        "/api/v0/p/a/__none__/0/annotations",
        Some(good.clone()),
    )
    .await;
    let before = file(root.path());
    let huge = serde_json::to_vec(&json!({
        "span_id": null, "step_name": "count", "tags": ["x".repeat(300 * 1024)], "observations": []
    }))
    .unwrap();
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "POST",
            "/api/v0/p/nope/__none__/0/annotations",
            good.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v0/p/a/__none__/9/annotations",
            good.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v0/nope/a/__none__/0/annotations",
            good.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "POST",
            "/api/v0/p/a/__none__/x/annotations",
            good.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            "/api/v0/p/a/__none__/-1/annotations",
            good.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            "/api/v0/p/a/__none__/0/annotations",
            b"{\"step_name\": 3}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            "/api/v0/p/a/__none__/0/annotations",
            b"{\"step_name\":\"c\",\"tags\":\"x\",\"observations\":[]}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            "/api/v0/p/a/__none__/0/annotations",
            b"not json".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "POST",
            "/api/v0/p/a/__none__/0/annotations",
            huge,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "POST",
            "/api/v0/../a/__none__/0/annotations",
            good.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            "PUT",
            "/api/v0/p/7/update_annotations",
            b"{\"step_name\":\"c\",\"observations\":[]}".to_vec(),
            StatusCode::NOT_FOUND,
        ),
        (
            "PUT",
            "/api/v0/p/zero/update_annotations",
            b"{\"step_name\":\"c\",\"observations\":[]}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "PUT",
            "/api/v0/p/0/update_annotations",
            b"{\"observations\":[]}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (method, uri, body, want) in cases {
        let (status, answer) = call(root.path(), method, uri, Some(body)).await;
        assert_eq!(status, want, "{method} {uri}: {answer}");
        if status != StatusCode::PAYLOAD_TOO_LARGE {
            assert!(answer["detail"].is_string(), "{method} {uri}: {answer}");
        }
        assert_eq!(file(root.path()), before, "{method} {uri} wrote");
    }
    let (status, _) = call(
        root.path(),
        "GET",
        "/api/v0/p/annotations?step_sequence_id=x",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // From another site: refused by the guard before anything is read.
    let response = router(Store::new(root.path()))
        .oneshot(
            Request::post("/api/v0/p/a/__none__/0/annotations")
                .header("host", "localhost")
                .header("origin", "http://evil.example")
                .header("content-type", "application/json")
                .body(Body::from(good))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(file(root.path()), before);
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_in_place_of_the_file_is_never_followed() {
    let root = folder();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.txt");
    std::fs::write(&target, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&target, root.path().join("p/annotations.jsonl")).unwrap();
    let (status, _) = call(root.path(), "GET", "/api/v0/p/annotations", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a link is not read");
    let body = serde_json::to_vec(&annotation("good")).unwrap();
    let (status, _) = call(
        root.path(),
        "POST",
        "/api/v0/p/a/__none__/0/annotations",
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nor written through");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
}

/// `method path` with a JSON body on Burr's server.
fn burr_send(server_port: u16, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{server_port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, bytes) = support::http::send(server_port, &request).unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn annotations_round_trip_with_apache_burrs_server_on_the_same_folder() {
    if support::python::burr_package("annotations with Apache Burr's server", &["uvicorn"])
        .is_none()
    {
        return;
    }
    let root = folder();
    let logs = tempfile::tempdir().unwrap();
    let burr = BurrServer::start(root.path(), logs.path().join("burr.log"));
    let port = burr.port();
    // Burr writes one, we read it as Burr serves it.
    let (status, from_burr) = burr_send(
        port,
        "POST",
        "/api/v0/p/a/user_1/1/annotations",
        &annotation("burr"),
    );
    assert_eq!(status, 200, "{from_burr}");
    let (_, ours) = call(root.path(), "GET", "/api/v0/p/annotations", None).await;
    assert_eq!(ours, json!([from_burr.clone()]));
    // We write one; Burr reads both, the same.
    let body = serde_json::to_vec(&annotation("ours")).unwrap();
    let (_, made) = call(
        root.path(),
        "POST",
        "/api/v0/p/a/__none__/2/annotations",
        Some(body),
    )
    .await;
    assert_eq!(made["id"], 1);
    let theirs = burr.get("/api/v0/p/annotations");
    assert_eq!(theirs, json!([from_burr, made.clone()]));
    // Burr updates ours; we see the update.
    let change = json!({"step_name": "count", "tags": ["checked"], "observations": []});
    let (status, _) = burr_send(port, "PUT", "/api/v0/p/1/update_annotations", &change);
    assert_eq!(status, 200);
    let (_, list) = call(
        root.path(),
        "GET",
        "/api/v0/p/annotations?step_sequence_id=2",
        None,
    )
    .await;
    assert_eq!(list[0]["tags"], json!(["checked"]));
    assert_eq!(list, burr.get("/api/v0/p/annotations?step_sequence_id=2"));
    // We update Burr's; Burr sees it.
    let change =
        json!({"step_name": "count", "tags": ["ours too"], "observations": [], "span_id": "1:0"});
    let (status, _) = call(
        root.path(),
        "PUT",
        "/api/v0/p/0/update_annotations",
        Some(serde_json::to_vec(&change).unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let theirs = burr.get("/api/v0/p/annotations?step_sequence_id=1");
    assert_eq!(
        (theirs[0]["tags"].clone(), theirs[0]["span_id"].clone()),
        (json!(["ours too"]), json!("1:0"))
    );
}
