//! The annotation endpoints of Apache Burr's API (see [`super::annotations`]): bodies and
//! query parameters checked here, with FastAPI's `422 {"detail": ...}` for bad ones, and a
//! bound on the body's size.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post, put};
use serde::de::DeserializeOwned;

use super::annotations::{AnnotationCreate, AnnotationFilter, AnnotationUpdate};
use super::api::{Api, ApiError, ApiResult, partition, to_json};

/// The largest annotation body accepted (larger ones answer 413).
pub(crate) const MAX_BODY: usize = 256 * 1024;

/// The annotation routes.
pub(super) fn routes() -> Router<Api> {
    Router::new()
        .route("/api/v0/{project}/annotations", get(list))
        .route(
            "/api/v0/{project}/{app_id}/{partition_key}/{sequence_id}/annotations",
            post(create),
        )
        .route(
            "/api/v0/{project}/{annotation_id}/update_annotations",
            put(update),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// `text` as a non-negative integer, or FastAPI's 422 naming `what`.
fn number(what: &str, text: &str) -> Result<u64, ApiError> {
    text.trim().parse().map_err(|_| {
        ApiError::invalid(format!(
            "{what} must be a non-negative integer, got {text:?}"
        ))
    })
}

/// The body as `T`, or a 422 saying what is wrong with it.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid(format!("the body is not a valid annotation: {e}")))
}

async fn list(
    State(api): State<Api>,
    Path(project): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let step_sequence_id = params
        .get("step_sequence_id")
        .map(|s| number("query parameter `step_sequence_id`", s))
        .transpose()?;
    let filter = AnnotationFilter {
        app_id: params.get("app_id").cloned(),
        partition_key: params.get("partition_key").cloned(),
        step_sequence_id,
    };
    let all = api
        .blocking(move |s| s.annotations(&project, &filter))
        .await?;
    to_json(&all)
}

async fn create(
    State(api): State<Api>,
    Path((project, app_id, partition_key, sequence_id)): Path<(String, String, String, String)>,
    bytes: Bytes,
) -> ApiResult {
    let sequence_id = number("the sequence id", &sequence_id)?;
    let annotation: AnnotationCreate = body(&bytes)?;
    let key = partition(&partition_key);
    let made = api
        .blocking(move |s| {
            s.create_annotation(&project, &app_id, key.as_deref(), sequence_id, annotation)
        })
        .await?;
    to_json(&made)
}

async fn update(
    State(api): State<Api>,
    Path((project, annotation_id)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult {
    let id = number("the annotation id", &annotation_id)?;
    let change: AnnotationUpdate = body(&bytes)?;
    let updated = api
        .blocking(move |s| s.update_annotation(&project, id, change))
        .await?;
    to_json(&updated)
}
