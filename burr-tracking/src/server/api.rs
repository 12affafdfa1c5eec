//! The HTTP API: Apache Burr's read API, and the endpoints of our own for large and running
//! applications.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::work::{BlockingWork, WorkFailed};
use super::{Insights, Order, StepQuery, Store, StoreError};

/// Longest time a `wait` request is held open.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// How often a held `wait` request looks at the log's size.
const WAIT_TICK: Duration = Duration::from_millis(150);

/// What the API's handlers share: the store, and the bound on file reads running at once.
#[derive(Debug, Clone)]
pub(super) struct Api {
    store: Store,
    work: BlockingWork,
}

impl Api {
    /// The API over `store`, its file reads run by `work`.
    pub(super) fn new(store: Store, work: BlockingWork) -> Self {
        Api { store, work }
    }

    /// Runs blocking file work off the async threads, within the bound.
    pub(super) async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        Ok(self.work.run(move || work(&store)).await??)
    }
}

/// The routes of the API; any other path answers 404 in FastAPI's shape.
pub(super) fn routes() -> Router<Api> {
    Router::new()
        .route("/ready", get(ready))
        .route("/api/v0/ready", get(api_ready))
        .route("/api/v0/version", get(version))
        .route("/api/v0/metadata/app_spec", get(app_spec))
        .route("/api/v0/projects", get(projects))
        .route("/api/v0/{project}/{partition_key}/apps", get(apps))
        .route(
            "/api/v0/{project}/{app_id}/{partition_key}/apps",
            get(app_logs),
        )
        .route("/api/v1/{project}/{app_id}/summary", get(summary))
        .route("/api/v1/{project}/{app_id}/steps", get(steps))
        .route("/api/v1/{project}/{app_id}/wait", get(wait))
        .route("/api/v1/{project}/{app_id}/insights", get(insights))
        .route("/api/v1/demo", post(demo))
        .fallback(not_found)
}

/// An error answer in FastAPI's shape: `{"detail": "..."}`, plus `"steps"`, the paged
/// endpoint to read, when the whole app is too large to answer at once.
pub(super) struct ApiError {
    status: StatusCode,
    detail: String,
    steps: Option<String>,
}

impl ApiError {
    fn not_found(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            detail: detail.into(),
            steps: None,
        }
    }

    pub(super) fn invalid(detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: detail.into(),
            steps: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        // The store's messages name files below the root only, never a path of the machine.
        let (status, steps) = match &err {
            err if err.is_not_found() => (StatusCode::NOT_FOUND, None),
            // Not the client's fault, nor a failure: this answer is past what is built at once.
            StoreError::ResponseTooLarge {
                project, app_id, ..
            } => (
                StatusCode::INSUFFICIENT_STORAGE,
                Some(format!(
                    "/api/v1/{}/{}/steps",
                    path_segment(project),
                    path_segment(app_id)
                )),
            ),
            StoreError::StepTooLarge { .. } => (StatusCode::INSUFFICIENT_STORAGE, None),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, None),
        };
        ApiError {
            status,
            detail: err.to_string(),
            steps,
        }
    }
}

impl From<WorkFailed> for ApiError {
    fn from(_: WorkFailed) -> Self {
        // A panic's message may hold anything: it is not shown.
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            detail: "internal error".to_owned(),
            steps: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.steps {
            Some(steps) => json!({ "detail": self.detail, "steps": steps }),
            None => json!({ "detail": self.detail }),
        }
        .to_string();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response()
    }
}

pub(super) type ApiResult = Result<Response, ApiError>;

/// A response whose body is JSON text built elsewhere (the store serializes once and caches).
fn raw_json(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> ApiResult {
    serde_json::to_string(value)
        .map(raw_json)
        .map_err(|err| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            detail: format!("cannot encode the answer: {err}"),
            steps: None,
        })
}

async fn not_found() -> ApiError {
    ApiError::not_found("Not Found")
}

// ------------------------------------------------------------------------ Burr-compatible API

async fn ready() -> Response {
    raw_json(r#"{"ready":true}"#.to_owned())
}

async fn api_ready() -> Response {
    raw_json("true".to_owned())
}

async fn version() -> ApiResult {
    to_json(&json!({ "version": env!("CARGO_PKG_VERSION") }))
}

async fn app_spec() -> ApiResult {
    // Demos (Burr's interactive OpenAI demos), indexing and snapshots are features of Burr's
    // server that this one does not offer, so it says so; Burr's UI hides them then.
    to_json(&json!({
        "indexing": false,
        "snapshotting": false,
        "supports_demos": false,
        "supports_annotations": true,
    }))
}

async fn projects(State(api): State<Api>) -> ApiResult {
    let list = api.blocking(|s| s.projects()).await?;
    to_json(&list)
}

/// Query of the app list; kept as text so that a bad number gets FastAPI's 422, not a 400.
#[derive(serde::Deserialize)]
struct PageParams {
    limit: Option<String>,
    offset: Option<String>,
}

fn parse_count(name: &str, value: Option<&str>, default: usize) -> Result<usize, ApiError> {
    match value {
        None => Ok(default),
        Some(text) => text.trim().parse::<usize>().map_err(|_| {
            ApiError::invalid(format!(
                "query parameter `{name}` must be a non-negative integer, got {text:?}"
            ))
        }),
    }
}

/// Burr's sentinel for "no partition key".
pub(super) fn partition(key: &str) -> Option<String> {
    (key != "__none__").then(|| key.to_owned())
}

async fn apps(
    State(api): State<Api>,
    Path((project, partition_key)): Path<(String, String)>,
    Query(params): Query<PageParams>,
) -> ApiResult {
    let limit = parse_count("limit", params.limit.as_deref(), 100)?;
    let offset = parse_count("offset", params.offset.as_deref(), 0)?;
    let key = partition(&partition_key);
    let page = api
        .blocking(move |s| s.apps(&project, key.as_deref(), limit, offset))
        .await?;
    to_json(&page)
}

async fn app_logs(
    State(api): State<Api>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    Path((project, app_id, _partition_key)): Path<(String, String, String)>,
) -> ApiResult {
    // Like Burr, the partition key is not needed to find an app: app ids are unique per project.
    let body = api
        .blocking(move |s| s.app_logs_json(&project, &app_id))
        .await
        .map_err(|mut e| {
            // The paged endpoint, under the path the server is mounted at.
            let prefix = original.path().strip_suffix(uri.path()).unwrap_or("");
            if let Some(steps) = &mut e.steps {
                steps.insert_str(0, prefix);
            }
            e
        })?;
    Ok(raw_json(body))
}

/// `text` as one path segment of a URL: unreserved characters as they are, others
/// percent-encoded.
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// ----------------------------------------------------------------------------- our own API

async fn summary(
    State(api): State<Api>,
    Path((project, app_id)): Path<(String, String)>,
) -> ApiResult {
    let summary = api.blocking(move |s| s.summary(&project, &app_id)).await?;
    to_json(&summary)
}

fn parse_seq(name: &str, value: Option<&String>) -> Result<Option<u64>, ApiError> {
    value
        .map(|text| {
            text.trim().parse::<u64>().map_err(|_| {
                ApiError::invalid(format!(
                    "query parameter `{name}` must be a sequence id (a non-negative integer), got {text:?}"
                ))
            })
        })
        .transpose()
}

async fn steps(
    State(api): State<Api>,
    Path((project, app_id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let order = match params.get("order").map(String::as_str) {
        None | Some("asc") => Order::Ascending,
        Some("desc") => Order::Descending,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "query parameter `order` must be `asc` or `desc`, got {other:?}"
            )));
        }
    };
    let query = StepQuery {
        from: parse_seq("from", params.get("from"))?,
        to: parse_seq("to", params.get("to"))?,
        limit: parse_count("limit", params.get("limit").map(String::as_str), 100)?,
        order,
    };
    let body = api
        .blocking(move |s| s.steps_json(&project, &app_id, &query))
        .await?;
    Ok(raw_json(body))
}

/// `GET /api/v1/{project}/{app_id}/insights`: what every step of the app adds up to (see
/// [`Insights`] for what counts), as
///
/// ```json
/// {"steps": 100000, "llm_calls": 2, "input_tokens": 80, "output_tokens": 24, "cost": 0.001,
///  "spans": [{"name": "query_model", "count": 2, "total_ms": 230, "max_ms": 115, "open": 0}],
///  "spans_left_out": 0}
/// ```
///
/// `steps` is the number of steps added up: those the log held when the request came (steps
/// appended meanwhile are left for the next request). `cost` is null when no call has one;
/// `spans` is longest in total first, at most [`super::MAX_SPAN_NAMES`] names (spans of
/// further names are counted in `spans_left_out`). An unknown app answers 404 as `/summary`
/// does.
///
/// The steps are read [`super::MAX_PAGE`] at a time, each page one bounded file read (see
/// [`Api::blocking`]) holding one page in memory; past the request's time budget the answer
/// is `503` and no further page is read.
async fn insights(
    State(api): State<Api>,
    Path((project, app_id)): Path<(String, String)>,
) -> ApiResult {
    let (p, a) = (project.clone(), app_id.clone());
    let status = api.blocking(move |s| s.log_status(&p, &a)).await?;
    let mut sums = Insights::default();
    if let Some(last) = status.last_sequence_id {
        let mut from = Some(0);
        while let Some(at) = from {
            let (p, a) = (project.clone(), app_id.clone());
            let (more, next) = api
                .blocking(move |s| {
                    let mut sums = sums;
                    let next = sums.add_steps(s, &p, &a, at, last)?;
                    Ok((sums, next))
                })
                .await?;
            sums = more;
            from = next;
        }
    }
    to_json(&sums)
}

/// Adds the demo projects that are missing. Only same-origin requests of type
/// `application/json` reach it: the request guard checks every write (see [`super::guard`]).
async fn demo(State(api): State<Api>) -> ApiResult {
    let root = api.store.root().to_owned();
    let written = api
        .work
        .run(move || crate::demo::write_demo_projects(&root))
        .await?
        .map_err(|err| {
            // The full message may name the root: it goes to the server's log only.
            tracing::warn!("cannot write the demo projects: {err}");
            ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                detail: "cannot write the demo projects (see the server's log)".to_owned(),
                steps: None,
            }
        })?;
    to_json(&json!({ "written": written }))
}

async fn wait(
    State(api): State<Api>,
    Path((project, app_id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let known = parse_seq("log_size", params.get("log_size"))?;
    let timeout_ms = parse_count(
        "timeout_ms",
        params.get("timeout_ms").map(String::as_str),
        20_000,
    )?;
    let timeout = Duration::from_millis(timeout_ms as u64).min(MAX_WAIT);
    let deadline = Instant::now() + timeout;
    loop {
        let (p, a) = (project.clone(), app_id.clone());
        let status = api.blocking(move |s| s.log_status(&p, &a)).await?;
        if known != Some(status.log_size) || Instant::now() >= deadline {
            return to_json(&status);
        }
        tokio::time::sleep(WAIT_TICK.min(deadline.saturating_duration_since(Instant::now()))).await;
    }
}
