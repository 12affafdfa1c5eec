//! Requests to the server's router in process, without a socket.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use burr_tracking::server::{Store, router};
use tower::ServiceExt;

/// `GET uri` on the router of `store`: the status and the body as text.
pub(crate) async fn get_text(store: &Store, uri: &str) -> (StatusCode, String) {
    let response = router(store.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// `GET uri` on the router of `store`: the status and the body as JSON (a body that is not
/// JSON comes as a JSON string).
pub(crate) async fn get_json(store: &Store, uri: &str) -> (StatusCode, serde_json::Value) {
    let (status, body) = get_text(store, uri).await;
    let value = serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body));
    (status, value)
}
