//! The shapes of the store's answers: projects, app lists, summaries, step queries.

use serde::Serialize;

use crate::format::{ApplicationModel, ChildApplicationModel, PointerModel};

/// One project, in the shape of Burr's `GET /api/v0/projects`.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::Store;
/// let root = tempfile::tempdir().unwrap();
/// std::fs::create_dir(root.path().join("demo_counter")).unwrap();
/// let project = &Store::new(root.path()).projects().unwrap()[0];
/// assert_eq!((project.name.as_str(), project.id.as_str()), ("demo_counter", "demo_counter"));
/// assert!(project.uri.starts_with("https://")); // Burr's link for its demo project
/// assert!(project.created.ends_with('Z'));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectSummary {
    /// The directory name.
    pub name: String,
    /// The same as `name`.
    pub id: String,
    /// Modification time of the directory (UTC).
    pub last_written: String,
    /// Status-change time of the directory (UTC), as Burr reports it.
    pub created: String,
    /// Entries in the directory, files and hidden ones included (as Burr counts).
    pub num_apps: usize,
    /// A link for Burr's demo projects, else empty.
    pub uri: String,
}

/// One app in a list, in the shape of Burr's `ApplicationSummary`.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::Store;
/// let root = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
/// std::fs::write(root.path().join("p/app/metadata.json"), r#"{"partition_key": "u1"}"#).unwrap();
/// let app = &Store::new(root.path()).apps("p", Some("u1"), 10, 0).unwrap().applications[0];
/// assert_eq!((app.app_id.as_str(), app.partition_key.as_deref()), ("app", Some("u1")));
/// assert_eq!(app.num_steps, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppListEntry {
    /// The directory name.
    pub app_id: String,
    /// From `metadata.json`.
    pub partition_key: Option<String>,
    /// Status-change time of the app directory (UTC).
    pub first_written: String,
    /// Modification time of the app directory (UTC).
    pub last_written: String,
    /// The last `sequence_id` in the log plus one (0 for an empty log).
    pub num_steps: u64,
    /// Always empty (Burr's local backend has no tags).
    pub tags: serde_json::Map<String, serde_json::Value>,
    /// The app this one was forked from.
    pub parent_pointer: Option<PointerModel>,
    /// The app that spawned this one.
    pub spawning_parent_pointer: Option<PointerModel>,
}

/// A page of apps, in the shape of Burr's `ApplicationPage`.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::Store;
/// let root = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
/// let page = Store::new(root.path()).apps("p", None, 100, 0).unwrap();
/// assert_eq!((page.total, page.has_another_page), (1, false));
/// let json = serde_json::to_value(&page).unwrap();
/// assert_eq!(json["applications"][0]["app_id"], "app");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppPage {
    /// The apps of this page, most recently written first.
    pub applications: Vec<AppListEntry>,
    /// All apps that match, over all pages.
    pub total: usize,
    /// Whether apps follow this page.
    pub has_another_page: bool,
}

/// What the UI needs to open one app: graph, links, and how far its log goes.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::Store;
/// let root = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
/// let summary = Store::new(root.path()).summary("p", "app").unwrap();
/// assert!(summary.application.is_none()); // no graph.json
/// assert!(summary.errors.iter().any(|e| e.contains("graph.json")));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppSummary {
    /// The project.
    pub project: String,
    /// The app.
    pub app_id: String,
    /// From `metadata.json`.
    pub partition_key: Option<String>,
    /// `graph.json`, if present and readable.
    pub application: Option<ApplicationModel>,
    /// The app this one was forked from.
    pub parent_pointer: Option<PointerModel>,
    /// The app that spawned this one.
    pub spawning_parent_pointer: Option<PointerModel>,
    /// Forks and spawned apps recorded in `children.jsonl`.
    pub children: Vec<ChildApplicationModel>,
    /// Steps that have a `begin_entry`.
    pub num_steps: usize,
    /// Smallest sequence id among them.
    pub first_sequence_id: Option<u64>,
    /// Largest sequence id among them.
    pub last_sequence_id: Option<u64>,
    /// Bytes of `log.jsonl` read so far.
    pub log_size: u64,
    /// Problems found while reading the app's files (malformed lines, unreadable files).
    pub errors: Vec<String>,
}

/// How far an app's log goes, for live updates.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::Store;
/// let root = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
/// std::fs::write(
///     root.path().join("p/app/log.jsonl"),
///     "{\"type\":\"begin_entry\",\"start_time\":\"2024-01-01\",\"action\":\"a\",\"inputs\":{},\"sequence_id\":4}\n",
/// )
/// .unwrap();
/// let status = Store::new(root.path()).log_status("p", "app").unwrap();
/// assert_eq!((status.num_steps, status.last_sequence_id), (1, Some(4)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LogStatus {
    /// Bytes of `log.jsonl` read so far.
    pub log_size: u64,
    /// Steps that have a `begin_entry`.
    pub num_steps: usize,
    /// Largest sequence id.
    pub last_sequence_id: Option<u64>,
}

/// Order of a page of steps.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{Order, StepQuery};
/// assert_eq!(StepQuery::default().order, Order::Ascending);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Oldest first.
    #[default]
    Ascending,
    /// Newest first.
    Descending,
}

/// Which steps of an app to return.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{Order, StepQuery};
/// // The 50 newest steps.
/// let q = StepQuery { limit: 50, order: Order::Descending, ..StepQuery::default() };
/// assert_eq!(q.from, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepQuery {
    /// Smallest sequence id (inclusive).
    pub from: Option<u64>,
    /// Largest sequence id (inclusive).
    pub to: Option<u64>,
    /// Most steps returned (capped at [`MAX_PAGE`](super::MAX_PAGE)).
    pub limit: usize,
    /// Oldest or newest first; with a limit, the page starts at `from` or at `to`.
    pub order: Order,
}

impl Default for StepQuery {
    fn default() -> Self {
        StepQuery {
            from: None,
            to: None,
            limit: 100,
            order: Order::Ascending,
        }
    }
}
