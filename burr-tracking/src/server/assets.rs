//! The web UI's files, built into the binary: one table from path to content type and body,
//! and the routes that serve it.
//!
//! A file `ui/{path}` is served at `/ui/{path}`, and `index.html` also at `/`. Every `.html`,
//! `.css` and `.js` file under `ui/` must be listed here; a test fails when one is missing.

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The content security policy sent with every UI file: the page loads nothing from elsewhere
/// and runs no inline script.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/// The route of the UI's index page at the root (`/`).
pub(super) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/", get(index))
}

/// The routes of the UI's files, wherever the UI is: `index.html` and `ui/...`.
pub(super) fn file_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/index.html", get(index))
        .route("/ui/{*path}", get(ui_file))
}

/// The UI's index page.
pub(super) async fn index() -> Response {
    ui_response("index.html")
}

async fn ui_file(Path(path): Path<String>) -> Response {
    ui_response(&path)
}

/// The file at `path` with its headers, or a 404 in FastAPI's shape.
fn ui_response(path: &str) -> Response {
    let Some(file) = find(path) else {
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "detail": "Not Found" })),
        )
            .into_response();
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        file.body,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// One file of the UI.
pub(super) struct Asset {
    /// The file's path under `ui/`, with `/` separators.
    pub(super) path: &'static str,
    pub(super) content_type: &'static str,
    pub(super) body: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The table entry of `ui/{path}`, with the file's text included at build time.
macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            body: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/", $path)),
        }
    };
}

static ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("style.css", CSS),
    asset!("app.js", JS),
    asset!("js/annotation_text.js", JS),
    asset!("js/api.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/format.js", JS),
    asset!("js/graph_layout.js", JS),
    asset!("js/graph_svg.js", JS),
    asset!("js/highlight.js", JS),
    asset!("js/insights.js", JS),
    asset!("js/json_diff.js", JS),
    asset!("js/json_tree.js", JS),
    asset!("js/loaded_steps.js", JS),
    asset!("js/prefs.js", JS),
    asset!("js/router.js", JS),
    asset!("js/runtime.js", JS),
    asset!("js/step.js", JS),
    asset!("js/svg_zoom.js", JS),
    asset!("js/views/annotations.js", JS),
    asset!("js/views/app.js", JS),
    asset!("js/views/app_graph.js", JS),
    asset!("js/views/app_head.js", JS),
    asset!("js/views/apps.js", JS),
    asset!("js/views/frame.js", JS),
    asset!("js/views/live.js", JS),
    asset!("js/views/parts.js", JS),
    asset!("js/views/projects.js", JS),
    asset!("js/views/runtime.js", JS),
    asset!("js/views/step_detail.js", JS),
    asset!("js/views/step_list.js", JS),
    asset!("js/views/tabs/annotations.js", JS),
    asset!("js/views/tabs/code.js", JS),
    asset!("js/views/tabs/graph.js", JS),
    asset!("js/views/tabs/inputs.js", JS),
    asset!("js/views/tabs/insights.js", JS),
    asset!("js/views/tabs/reproduce.js", JS),
    asset!("js/views/tabs/result.js", JS),
    asset!("js/views/tabs/spans.js", JS),
    asset!("js/views/tabs/state.js", JS),
    asset!("js/views/tabs/stream.js", JS),
];

/// The file at `path` under `ui/`, if the UI has one.
pub(super) fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    const SERVED_EXTENSIONS: [&str; 3] = ["html", "css", "js"];

    /// Adds the path (relative to the walk's start, with `/` separators) of every file under
    /// `dir` that the UI serves.
    fn ui_files(dir: &Path, prefix: &str, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let path = format!("{prefix}{name}");
            if entry.file_type().unwrap().is_dir() {
                ui_files(&entry.path(), &format!("{path}/"), found);
            } else if name
                .rsplit_once('.')
                .is_some_and(|(_, ext)| SERVED_EXTENSIONS.contains(&ext))
            {
                found.insert(path);
            }
        }
    }

    #[test]
    fn the_table_lists_exactly_the_files_under_ui() {
        let mut on_disk = BTreeSet::new();
        ui_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"),
            "",
            &mut on_disk,
        );
        let listed: BTreeSet<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
        assert_eq!(listed.len(), ASSETS.len(), "a path is listed twice");
        let missing: Vec<_> = on_disk.difference(&listed).collect();
        assert!(
            missing.is_empty(),
            "add these files to ASSETS in {}: {missing:?}",
            file!()
        );
        let absent: Vec<_> = listed.difference(&on_disk).collect();
        assert!(absent.is_empty(), "listed but not under ui/: {absent:?}");
    }

    #[test]
    fn content_types_follow_the_extension() {
        for asset in ASSETS {
            let expected = match asset.path.rsplit_once('.').map(|(_, ext)| ext) {
                Some("html") => HTML,
                Some("css") => CSS,
                Some("js") => JS,
                _ => panic!("{} is not a kind of file the UI serves", asset.path),
            };
            assert_eq!(asset.content_type, expected, "{}", asset.path);
        }
    }

    #[test]
    fn paths_are_looked_up_exactly() {
        assert!(find("index.html").is_some());
        for path in ["", "/app.js", "../Cargo.toml", "APP.JS", "app.js/"] {
            assert!(find(path).is_none(), "{path}");
        }
    }
}
