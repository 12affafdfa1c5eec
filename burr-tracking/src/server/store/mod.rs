//! [`Store`]: what the server knows of a tracking root; its errors and the shapes of its
//! answers are in `error` and `models`.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use serde::Serialize;

use crate::confined::RootPath;
use crate::format::{ApplicationMetadataModel, ChildApplicationModel, Timestamp};
use crate::layout;
use crate::read::{self, ReadError};

use super::cache::{AppCache, CACHE_BUDGET};
use super::index::AppIndex;

mod background;
mod error;
mod models;
mod page;

pub use error::StoreError;
pub use models::{AppListEntry, AppPage, AppSummary, LogStatus, Order, ProjectSummary, StepQuery};

/// Most steps one page may hold.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{MAX_PAGE, StepQuery};
/// assert!(StepQuery::default().limit <= MAX_PAGE);
/// ```
pub const MAX_PAGE: usize = 5_000;

/// Default most bytes of one answer built from an app's steps (64 MiB): the whole app of
/// Burr's `GET /api/v0/{project}/{app_id}/{partition_key}/apps`, or a page of
/// `GET /api/v1/{project}/{app_id}/steps`. Such an answer is built in memory, apart from the
/// cache (and once per request), so it has its own bound: past it the whole app is refused
/// ([`StoreError::ResponseTooLarge`], `507` with the paged endpoint to use instead) and a
/// page is cut short (its `next` says where to go on).
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{MAX_RESPONSE, Store};
/// assert_eq!(Store::new("/tmp/burr").max_response(), MAX_RESPONSE);
/// ```
pub const MAX_RESPONSE: usize = 64 << 20;

/// A cached, incremental index over one tracking root, used by the server. Cloning is cheap
/// and clones share the cache.
///
/// The root holds `<project>/<app_id>/{graph.json, metadata.json, log.jsonl, children.jsonl}`
/// in Apache Burr's format. Logs only grow, so for every app the store remembers how many bytes
/// of `log.jsonl` it has read and, for every sequence id, where that step's lines are in the
/// file. A request reads only the bytes appended since the last one, then the lines of the steps
/// it returns; each step's JSON is built once and kept until that step gets a new line. A log
/// that shrinks or is replaced is read again from the start.
///
/// The first request for the newest page of an app ([`Store::steps_json`] with
/// [`Order::Descending`] and neither `from` nor `to`, what the UI asks first) does not wait for
/// a big log to be indexed: the page and the step count are read from the end of the log when
/// its lines there show the layout every writer appends (consecutive steps, each step's lines
/// after its `begin_entry`; see `index/tail.rs` for the checks), and the whole log is then
/// indexed in the background, in turns that let requests go first. The same holds once the
/// index read the log, when a writer went far ahead of it (more than 32 MB, as a tight loop
/// writes in a fraction of a second): the newest steps (down to a step, as live mode asks),
/// the step count and the log's size are read from the log's end, the part not indexed
/// checked from where the index (or the last such answer) stopped, and the index catches up in
/// the background; live answers never wait for all the writer wrote to be indexed. Any other
/// log, and every other request, is answered by the index.
///
/// Reading is tolerant where Burr's server answers 500: a torn last line is left for later (it
/// is usually being written), and a malformed line is skipped and reported in the app's
/// [`AppSummary::errors`], so one bad app or line never hides the others.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{StepQuery, Store};
///
/// let root = tempfile::tempdir().unwrap();
/// let app = root.path().join("demo").join("app-1");
/// std::fs::create_dir_all(&app).unwrap();
/// std::fs::write(
///     app.join("log.jsonl"),
///     concat!(
///         r#"{"type":"begin_entry","start_time":"2024-08-27T11:59:58","action":"count","inputs":{},"sequence_id":0}"#, "\n",
///         r#"{"type":"end_entry","end_time":"2024-08-27T11:59:59","action":"count","result":{},"exception":null,"state":{"n":1},"sequence_id":0}"#, "\n",
///     ),
/// )
/// .unwrap();
///
/// let store = Store::new(root.path());
/// let page = store.apps("demo", None, 100, 0).unwrap();
/// assert_eq!(page.applications[0].num_steps, 1);
/// let steps = store.steps_json("demo", "app-1", &StepQuery::default()).unwrap();
/// assert!(steps.contains(r#""state":{"n":1}"#));
///
/// std::fs::create_dir(root.path().join("my-project")).unwrap();
/// let projects = store.projects().unwrap();
/// assert!(projects.iter().any(|p| p.name == "my-project"));
/// ```
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
    /// Most bytes of an answer built from steps ([`MAX_RESPONSE`]).
    max_response: usize,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    apps: Mutex<AppCache>,
    /// Logs to index in the background.
    background: background::Queue,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data is a cache that stays consistent between statements; a panic elsewhere
    // cannot leave it half-updated in a way that matters, so keep serving.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Store {
    /// A store over `root` (usually `~/.burr`). Nothing is read until asked.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = burr_tracking::server::Store::new("/nonexistent");
    /// assert!(store.projects().unwrap().is_empty());
    /// ```
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self::with_cache_budget(root, CACHE_BUDGET)
    }

    /// A store over `root` whose cache keeps at most about `bytes` of app indexes (see
    /// [`CACHE_BUDGET`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = burr_tracking::server::Store::with_cache_budget("/tmp/burr", 1 << 20);
    /// assert_eq!(store.cache_budget(), 1 << 20);
    /// assert_eq!(store.cache_bytes(), 0);
    /// ```
    pub fn with_cache_budget(root: impl Into<PathBuf>, bytes: usize) -> Self {
        Store {
            inner: Arc::new(Inner {
                root: root.into(),
                apps: Mutex::new(AppCache::new(bytes)),
                background: background::Queue::default(),
            }),
            max_response: MAX_RESPONSE,
        }
    }

    /// This store, its answers built from steps bounded at `bytes` (see [`MAX_RESPONSE`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let store = burr_tracking::server::Store::new("/tmp/burr").with_max_response(1 << 20);
    /// assert_eq!(store.max_response(), 1 << 20);
    /// ```
    #[must_use]
    pub fn with_max_response(mut self, bytes: usize) -> Self {
        self.max_response = bytes;
        self
    }

    /// The most bytes of an answer built from steps.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{MAX_RESPONSE, Store};
    /// assert_eq!(Store::new("/tmp/burr").max_response(), MAX_RESPONSE);
    /// ```
    pub fn max_response(&self) -> usize {
        self.max_response
    }

    /// The memory budget of the cache, in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{CACHE_BUDGET, Store};
    /// assert_eq!(Store::new("/tmp/burr").cache_budget(), CACHE_BUDGET);
    /// ```
    pub fn cache_budget(&self) -> usize {
        lock(&self.inner.apps).budget()
    }

    /// The estimated bytes the cache holds now (never much above [`Store::cache_budget`]:
    /// at most the one app in use when it alone is bigger).
    ///
    /// # Examples
    ///
    /// ```
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// let store = burr_tracking::server::Store::new(root.path());
    /// store.summary("p", "app").unwrap();
    /// assert!(store.cache_bytes() > 0);
    /// ```
    pub fn cache_bytes(&self) -> usize {
        lock(&self.inner.apps).bytes()
    }

    /// The tracking root.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = burr_tracking::server::Store::new("/tmp/burr");
    /// assert_eq!(store.root(), std::path::Path::new("/tmp/burr"));
    /// ```
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The reader's error, with paths below the root.
    fn error(&self, err: ReadError) -> StoreError {
        StoreError::from_read(err, &self.inner.root)
    }

    /// The folder of an app, after checking the ids and that it is a folder (not a link).
    fn app_dir(&self, project: &str, app_id: &str) -> Result<RootPath, StoreError> {
        layout::app_dir(&self.inner.root, project, app_id)
            .map_err(|err| self.error(ReadError::from(err)))?;
        let at = RootPath::new(&self.inner.root).join(project).join(app_id);
        match at.open_dir() {
            Ok(_) => Ok(at),
            Err(err) if err.is_not_found() => Err(StoreError::AppNotFound {
                project: project.to_owned(),
                app_id: app_id.to_owned(),
            }),
            Err(err) => match self.error(err) {
                err @ StoreError::Refused { .. } => Err(err),
                _ => Err(StoreError::AppNotFound {
                    project: project.to_owned(),
                    app_id: app_id.to_owned(),
                }),
            },
        }
    }

    /// Every directory under the root, as Burr's `GET /api/v0/projects` lists them (sorted by
    /// name; Burr leaves the order to the file system). A missing root has no projects.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::Store;
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// std::fs::write(root.path().join("p/annotations.jsonl"), "").unwrap();
    /// let projects = Store::new(root.path()).projects().unwrap();
    /// assert_eq!(projects[0].num_apps, 2); // entries, as Burr counts them
    /// ```
    pub fn projects(&self) -> Result<Vec<ProjectSummary>, StoreError> {
        let projects = read::list_projects(&self.inner.root).map_err(|err| self.error(err))?;
        Ok(projects
            .into_iter()
            .map(|p| ProjectSummary {
                uri: demo_uri(&p.name).to_owned(),
                id: p.name.clone(),
                name: p.name,
                last_written: file_time(p.last_written),
                created: file_time(p.created),
                num_apps: p.num_entries,
            })
            .collect())
    }

    /// The apps of a project, most recently written first, as Burr's
    /// `GET /api/v0/{project}/{partition_key}/apps`. `partition_key: None` lists all apps.
    /// An unknown project has no apps.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::Store;
    /// let root = tempfile::tempdir().unwrap();
    /// for app in ["a", "b", "c"] {
    ///     std::fs::create_dir_all(root.path().join("p").join(app)).unwrap();
    /// }
    /// let page = Store::new(root.path()).apps("p", None, 2, 0).unwrap();
    /// assert_eq!((page.applications.len(), page.total, page.has_another_page), (2, 3, true));
    /// ```
    pub fn apps(
        &self,
        project: &str,
        partition_key: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<AppPage, StoreError> {
        let mut apps = read::list_apps(&self.inner.root, project).map_err(|err| self.error(err))?;
        if partition_key.is_some() {
            apps.retain(|app| app.partition_key() == partition_key);
        }
        let total = apps.len();
        let applications = apps
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|app| AppListEntry {
                app_id: app.app_id,
                partition_key: app.metadata.partition_key,
                first_written: file_time(app.first_written),
                last_written: file_time(app.last_written),
                num_steps: app.num_steps,
                tags: serde_json::Map::new(),
                parent_pointer: app.metadata.parent_pointer,
                spawning_parent_pointer: app.metadata.spawning_parent_pointer,
            })
            .collect();
        Ok(AppPage {
            applications,
            total,
            has_another_page: total > offset.saturating_add(limit),
        })
    }

    /// The cached index of the app in `dir` (made when not cached), whether it read its log
    /// to the end once, and the cache's budget.
    fn cached_index(&self, dir: &RootPath) -> (Arc<Mutex<AppIndex>>, Arc<AtomicBool>, usize) {
        let mut cache = lock(&self.inner.apps);
        let budget = cache.budget();
        let (index, indexed) = cache.get(dir.relative(), || {
            AppIndex::new(dir.join(layout::LOG_FILE), budget / 2)
        });
        (index, indexed, budget)
    }

    /// Runs `work` on the cached index of the app in `dir`, then accounts for its size (and
    /// drops other apps past the budget).
    fn with_index<T>(
        &self,
        dir: &RootPath,
        work: impl FnOnce(&mut AppIndex) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let key = dir.relative();
        let (index, _, budget) = self.cached_index(dir);
        let (result, bytes) = {
            let mut index = lock(&index);
            let result = work(&mut index);
            if index.estimated_bytes() > budget {
                index.forget_all_json();
            }
            (result, index.estimated_bytes())
        };
        lock(&self.inner.apps).account(key, bytes);
        result
    }

    /// The whole app as Burr's `GET /api/v0/{project}/{app_id}/{partition_key}/apps` answers:
    /// `{"application", "children", "steps", "parent_pointer", "spawning_parent_pointer"}`, as
    /// JSON text.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{Store, StoreError};
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// let store = Store::new(root.path());
    /// // Like Burr, an app without graph.json is "not found".
    /// assert!(matches!(store.app_logs_json("p", "app"), Err(StoreError::GraphNotFound { .. })));
    /// std::fs::write(
    ///     root.path().join("p/app/graph.json"),
    ///     r#"{"type": "application", "entrypoint": "a", "actions": [], "transitions": []}"#,
    /// )
    /// .unwrap();
    /// let json: serde_json::Value = serde_json::from_str(&store.app_logs_json("p", "app").unwrap()).unwrap();
    /// assert_eq!(json["steps"], serde_json::json!([]));
    /// ```
    pub fn app_logs_json(&self, project: &str, app_id: &str) -> Result<String, StoreError> {
        let dir = self.app_dir(project, app_id)?;
        let metadata = read::read_metadata_at(&dir).map_err(|err| self.error(err))?;
        let application = match read::read_graph_at(&dir) {
            Ok(graph) => graph,
            Err(err) if err.is_not_found() => {
                return Err(StoreError::GraphNotFound {
                    project: project.to_owned(),
                    app_id: app_id.to_owned(),
                });
            }
            Err(err) => return Err(self.error(err)),
        };
        let (children, _) = self.read_children(&dir);
        let head = format!(
            "{{\"application\":{},\"children\":{},\"steps\":",
            json_text(&application)?,
            json_text(&children)?
        );
        let tail = format!(
            ",\"parent_pointer\":{},\"spawning_parent_pointer\":{}}}",
            json_text(&metadata.parent_pointer)?,
            json_text(&metadata.spawning_parent_pointer)?
        );
        let too_large = || StoreError::ResponseTooLarge {
            project: project.to_owned(),
            app_id: app_id.to_owned(),
            limit: self.max_response,
        };
        let room = self
            .max_response
            .checked_sub(head.len() + tail.len())
            .ok_or_else(too_large)?;
        self.with_index(&dir, |index| {
            index.refresh()?;
            let seqs: Vec<u64> = index.step_ids().collect();
            let (steps, covered) = index.steps_json(&seqs, room)?;
            if covered < seqs.len() {
                return Err(too_large());
            }
            Ok([head.as_str(), &steps, &tail].concat())
        })
    }

    /// Graph, links and extent of one app; problems with its files are listed in `errors`
    /// rather than failing the request.
    ///
    /// Before the log is indexed, its extent comes from its end when the end tells it (as for
    /// the newest page of [`Store::steps_json`]; the log is then indexed in the background),
    /// so that a huge app's first screen does not wait for its whole log: the counts are the
    /// index's, but a malformed line in the part of the log not read is listed only once the
    /// index has read it.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::Store;
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// std::fs::write(root.path().join("p/app/log.jsonl"), "not json\n").unwrap();
    /// let summary = Store::new(root.path()).summary("p", "app").unwrap();
    /// assert_eq!(summary.num_steps, 0);
    /// assert!(summary.errors.iter().any(|e| e.contains("line 1")));
    /// ```
    pub fn summary(&self, project: &str, app_id: &str) -> Result<AppSummary, StoreError> {
        let dir = self.app_dir(project, app_id)?;
        let mut errors = Vec::new();
        let metadata = read::read_metadata_at(&dir).unwrap_or_else(|err| {
            errors.push(self.error(err).to_string());
            ApplicationMetadataModel::default()
        });
        let application = match read::read_graph_at(&dir) {
            Ok(graph) => Some(graph),
            Err(err) if err.is_not_found() => {
                errors.push("graph.json is missing: the graph of actions is unknown".to_owned());
                None
            }
            Err(err) => {
                errors.push(self.error(err).to_string());
                None
            }
        };
        let (children, child_errors) = self.read_children(&dir);
        errors.extend(child_errors);
        if let Some(extent) = self.extent_from_tail(&dir) {
            // Not indexed yet: the end of the log tells how far it goes, as it tells the
            // newest page; the problems of its lines are listed once it is indexed.
            return Ok(AppSummary {
                project: project.to_owned(),
                app_id: app_id.to_owned(),
                partition_key: metadata.partition_key,
                application,
                parent_pointer: metadata.parent_pointer,
                spawning_parent_pointer: metadata.spawning_parent_pointer,
                children,
                num_steps: extent.num_steps,
                first_sequence_id: extent.first_sequence_id,
                last_sequence_id: extent.last_sequence_id,
                log_size: extent.log_size,
                errors,
            });
        }
        self.with_index(&dir, |index| {
            let status = self.log_status_in(&dir, index).unwrap_or_else(|err| {
                errors.push(err.to_string());
                index.status()
            });
            errors.extend(index.problems.iter().cloned());
            if index.problem_count > index.problems.len() {
                errors.push(format!(
                    "... and {} more problems in log.jsonl",
                    index.problem_count - index.problems.len()
                ));
            }
            Ok(AppSummary {
                project: project.to_owned(),
                app_id: app_id.to_owned(),
                partition_key: metadata.partition_key,
                application,
                parent_pointer: metadata.parent_pointer,
                spawning_parent_pointer: metadata.spawning_parent_pointer,
                children,
                num_steps: status.num_steps,
                first_sequence_id: index.step_ids().next(),
                last_sequence_id: status.last_sequence_id,
                log_size: status.log_size,
                errors,
            })
        })
    }

    /// A page of one app's steps, each in the shape of Burr's `Step`, as JSON text:
    /// `{"steps": [...], "total": <steps in the app>, "has_more": bool, "next": <seq>|null,
    /// "log_size": <bytes read>}`. `next` is the sequence id to pass as `from` (ascending) or
    /// `to` (descending) for the following page. A page is cut short where it would pass
    /// [`Store::max_response`] bytes (then `has_more` is true and `next` is the first step
    /// left out).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{Order, StepQuery, Store};
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// let mut log = String::new();
    /// for seq in 0..5 {
    ///     log.push_str(&format!(
    ///         "{{\"type\":\"begin_entry\",\"start_time\":\"2024-01-01T00:00:0{seq}\",\"action\":\"a\",\"inputs\":{{}},\"sequence_id\":{seq}}}\n"
    ///     ));
    /// }
    /// std::fs::write(root.path().join("p/app/log.jsonl"), log).unwrap();
    /// let store = Store::new(root.path());
    /// let q = StepQuery { limit: 2, order: Order::Descending, ..StepQuery::default() };
    /// let page: serde_json::Value = serde_json::from_str(&store.steps_json("p", "app", &q).unwrap()).unwrap();
    /// assert_eq!(page["steps"][0]["step_start_log"]["sequence_id"], 4);
    /// assert_eq!(page["next"], 2);
    /// ```
    pub fn steps_json(
        &self,
        project: &str,
        app_id: &str,
        query: &StepQuery,
    ) -> Result<String, StoreError> {
        let dir = self.app_dir(project, app_id)?;
        let limit = query.limit.min(MAX_PAGE);
        let room = self.page_room();
        // The newest steps (down to `from`, if given): from the log's end when the index has
        // not read it yet, or is far behind it.
        let newest = query.order == Order::Descending && query.to.is_none();
        if newest && let Some(page) = self.newest_from_tail(&dir, limit, room, query.from) {
            return page;
        }
        self.with_index(&dir, |index| {
            if newest && let Some(mut page) = self.newest_when_behind(&dir, index, limit, room) {
                page.keep_from(query.from.unwrap_or(0));
                return self.tail_json(&page, room);
            }
            index.refresh()?;
            let from = query.from.unwrap_or(0);
            let to = query.to.unwrap_or(u64::MAX);
            let (seqs, next) = if from > to {
                (Vec::new(), None)
            } else {
                let range = index.step_ids_in(from, to);
                let mut ids: Box<dyn Iterator<Item = u64>> = match query.order {
                    Order::Ascending => Box::new(range),
                    Order::Descending => Box::new(range.rev()),
                };
                let seqs: Vec<u64> = ids.by_ref().take(limit).collect();
                (seqs, ids.next())
            };
            let steps = index.steps_json(&seqs, room)?;
            let status = index.status();
            self.page_json(&seqs, next, steps, status.num_steps, status.log_size)
        })
    }

    /// Whether `app_id` of `project` has a step `sequence_id` (begun, at least).
    ///
    /// # Errors
    ///
    /// [`StoreError::AppNotFound`] (and the other errors of reading the log).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::Store;
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// std::fs::write(root.path().join("p/app/log.jsonl"), concat!(
    ///     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"a","inputs":{},"sequence_id":0}"#, "\n")).unwrap();
    /// let store = Store::new(root.path());
    /// assert!(store.has_step("p", "app", 0).unwrap());
    /// assert!(!store.has_step("p", "app", 1).unwrap());
    /// ```
    pub fn has_step(
        &self,
        project: &str,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<bool, StoreError> {
        let dir = self.app_dir(project, app_id)?;
        self.with_index(&dir, |index| {
            index.refresh()?;
            Ok(index.step_ids_in(sequence_id, sequence_id).next().is_some())
        })
    }

    /// How far an app's log goes (reads what was appended since the last call).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::Store;
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// let store = Store::new(root.path());
    /// assert_eq!(store.log_status("p", "app").unwrap().log_size, 0);
    /// ```
    pub fn log_status(&self, project: &str, app_id: &str) -> Result<LogStatus, StoreError> {
        let dir = self.app_dir(project, app_id)?;
        self.with_index(&dir, |index| self.log_status_in(&dir, index))
    }

    /// How far the log of the app in `dir` goes: from its end when the index is far behind
    /// it (see [`Store::newest_when_behind`]), else from the index, which reads what was
    /// appended since it last did.
    fn log_status_in(&self, dir: &RootPath, index: &mut AppIndex) -> Result<LogStatus, StoreError> {
        if let Some(page) = self.newest_when_behind(dir, index, 0, self.page_room()) {
            return Ok(LogStatus {
                log_size: page.log_size(),
                num_steps: page.total(),
                last_sequence_id: page.newest(),
            });
        }
        index.refresh()?;
        Ok(index.status())
    }
}

fn demo_uri(project: &str) -> &'static str {
    match project {
        "demo_counter" => "https://github.com/apache/burr/tree/main/examples/hello-world-counter",
        "demo_tracing" => {
            "https://github.com/apache/burr/tree/main/examples/tracing-and-spans/application.py"
        }
        "demo_chatbot" => "https://github.com/apache/burr/tree/main/examples/multi-modal-chatbot",
        "demo_conversational-rag" => {
            "https://github.com/apache/burr/tree/main/examples/conversational-rag"
        }
        _ => "",
    }
}

/// A file time as Burr's server prints it: UTC, rounded to the microsecond as Python rounds a
/// float time.
fn file_time(time: SystemTime) -> String {
    let mut utc: chrono::DateTime<chrono::Utc> = time.into();
    let nanos = utc.timestamp_subsec_nanos() % 1_000_000_000;
    let rounded = (nanos + 500) / 1000 * 1000;
    utc += chrono::Duration::nanoseconds(i64::from(rounded) - i64::from(nanos));
    Timestamp::utc(utc).to_string()
}

fn json_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|err| StoreError::Malformed {
        path: PathBuf::new(),
        message: err.to_string(),
    })
}

impl Store {
    /// The readable lines of `children.jsonl`, and a message per unreadable one.
    fn read_children(&self, dir: &RootPath) -> (Vec<ChildApplicationModel>, Vec<String>) {
        match read::read_children_at(&dir.join(layout::CHILDREN_FILE)) {
            Ok(read) => {
                let mut errors: Vec<String> = read
                    .problems
                    .iter()
                    .map(|p| format!("children.jsonl line {}: {}", p.line, p.error))
                    .collect();
                if read.skipped > read.problems.len() {
                    errors.push(format!(
                        "... and {} more unreadable lines in children.jsonl",
                        read.skipped - read.problems.len()
                    ));
                }
                (read.children, errors)
            }
            Err(err) => (Vec::new(), vec![self.error(err).to_string()]),
        }
    }
}
