//! The server mounted under a path prefix inside another service's router: the same answers
//! as at the root, the guard on its routes only, and a page whose requests are relative.
#![cfg(feature = "server")]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use burr_tracking::server::{ServeOptions, Store, mount, router};
use tower::ServiceExt;

fn service(root: &std::path::Path) -> axum::Router {
    axum::Router::new()
        .route("/", axum::routing::get(|| async { "own page" }))
        .route("/chat", axum::routing::post(|| async { "own write" }))
        .merge(mount("/burr", Store::new(root), &ServeOptions::default()))
}

fn get(uri: &str, host: &str) -> Request<Body> {
    Request::get(uri)
        .header("host", host)
        .body(Body::empty())
        .unwrap()
}

async fn body(response: axum::response::Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn mounted_answers_are_the_root_answers() {
    let root = tempfile::tempdir().unwrap();
    burr_tracking::demo::write_demo_projects(root.path()).unwrap();
    let apps = burr_tracking::read::list_apps(root.path(), "demo_chatbot").unwrap();
    let app = &apps[0].app_id;
    for path in [
        "/api/v0/projects".to_string(),
        "/api/v0/demo_chatbot/__none__/apps?limit=10&offset=0".to_string(),
        format!("/api/v0/demo_chatbot/{app}/__none__/apps"),
        "/api/v0/metadata/app_spec".to_string(),
        "/ready".to_string(),
        "/ui/app.js".to_string(),
        "/index.html".to_string(),
    ] {
        let at_root = router(Store::new(root.path()))
            .oneshot(get(&path, "localhost"))
            .await
            .unwrap();
        let mounted = service(root.path())
            .oneshot(get(&format!("/burr{path}"), "localhost"))
            .await
            .unwrap();
        assert_eq!(at_root.status(), StatusCode::OK, "{path}");
        assert_eq!(mounted.status(), StatusCode::OK, "/burr{path}");
        assert_eq!(body(at_root).await, body(mounted).await, "{path}");
    }
}

#[tokio::test]
async fn the_prefix_redirects_to_a_page_whose_requests_are_relative() {
    let root = tempfile::tempdir().unwrap();
    let moved = service(root.path())
        .oneshot(get("/burr", "localhost"))
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.headers()["location"], "/burr/");
    let page = body(
        service(root.path())
            .oneshot(get("/burr/", "localhost"))
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains(r#"src="ui/app.js""#), "{page}");
    assert!(
        !page.contains(r#"="/ui/"#),
        "no absolute path to the UI's files"
    );
    let api = body(
        service(root.path())
            .oneshot(get("/burr/ui/js/api.js", "localhost"))
            .await
            .unwrap(),
    )
    .await;
    assert!(
        !api.contains("\"/api/") && !api.contains("`/api/"),
        "the API is reached relatively"
    );
}

#[tokio::test]
async fn a_trailing_slash_of_the_prefix_is_ignored() {
    let root = tempfile::tempdir().unwrap();
    let service = mount("/burr/", Store::new(root.path()), &ServeOptions::default());
    let page = service
        .clone()
        .oneshot(get("/burr/", "localhost"))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let script = service
        .oneshot(get("/burr/ui/app.js", "localhost"))
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
}

#[test]
fn a_prefix_that_is_not_a_plain_path_is_refused() {
    for prefix in ["", "/", "burr", "/{id}", "/a//b", "/*rest"] {
        let root = tempfile::tempdir().unwrap();
        let built = std::panic::catch_unwind(|| {
            mount(prefix, Store::new(root.path()), &ServeOptions::default())
        });
        assert!(built.is_err(), "{prefix:?} was mounted");
    }
}

#[tokio::test]
async fn the_guard_covers_the_mounted_routes_only() {
    let root = tempfile::tempdir().unwrap();
    let refused = service(root.path())
        .oneshot(get("/burr/api/v0/projects", "attacker.example"))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST);
    // The service's own routes are the service's business.
    let own = service(root.path())
        .oneshot(get("/", "attacker.example"))
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let write = Request::post("/chat")
        .header("host", "localhost")
        .header("origin", "http://elsewhere.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        service(root.path()).oneshot(write).await.unwrap().status(),
        StatusCode::OK
    );
    // A write to the mounted API from another origin is refused, from its own page accepted.
    let demo = |origin: &str| {
        Request::post("/burr/api/v1/demo")
            .header("host", "localhost:7241")
            .header("origin", origin)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap()
    };
    let foreign = service(root.path())
        .oneshot(demo("http://elsewhere.example"))
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let own_page = service(root.path())
        .oneshot(demo("http://localhost:7241"))
        .await
        .unwrap();
    assert!(own_page.status().is_success(), "{}", own_page.status());
    assert!(root.path().join("demo_chatbot").is_dir());
}

#[tokio::test]
async fn a_too_large_answer_links_to_the_paged_endpoint_under_the_prefix() {
    let root = tempfile::tempdir().unwrap();
    burr_tracking::demo::write_demo_projects(root.path()).unwrap();
    let apps = burr_tracking::read::list_apps(root.path(), "demo_chatbot").unwrap();
    let app = &apps[0].app_id;
    let store = Store::new(root.path()).with_max_response(200);
    let uri = format!("/api/v0/demo_chatbot/{app}/__none__/apps");
    for (router, prefix) in [
        (router(store.clone()), ""),
        (
            mount("/burr", store.clone(), &ServeOptions::default()),
            "/burr",
        ),
        (mount("/a/b", store, &ServeOptions::default()), "/a/b"),
    ] {
        let response = router
            .oneshot(get(&format!("{prefix}{uri}"), "localhost"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INSUFFICIENT_STORAGE);
        let err: serde_json::Value = serde_json::from_str(&body(response).await).unwrap();
        assert_eq!(
            err["steps"],
            format!("{prefix}/api/v1/demo_chatbot/{app}/steps"),
            "{err}"
        );
    }
}
