//! The projects under a root, the applications of a project, and the files of one
//! application.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::confined::{self, EntryKind, RootPath};
use crate::format::{ApplicationMetadataModel, ApplicationModel};
use crate::layout::{
    CHILDREN_FILE, GRAPH_FILE, IdKind, LOG_FILE, METADATA_FILE, app_dir, project_dir, validate_id,
};

use super::lines::{lossy, num_steps_in, read_children_at, read_log_from};
use super::{
    ChildrenRead, LogRead, MAX_JSON_FILE, ReadError, Step, read_capped, steps_from_records,
};

fn parse_json<T: serde::de::DeserializeOwned>(
    file: impl Read,
    path: &Path,
) -> Result<T, ReadError> {
    let bytes = read_capped(file, MAX_JSON_FILE, path)?;
    serde_json::from_slice(&lossy(&bytes)).map_err(|source| ReadError::Invalid {
        path: path.to_path_buf(),
        source,
    })
}

/// A JSON file under the root (`graph.json`, `metadata.json`), read through the confined
/// walk and within [`MAX_JSON_FILE`].
fn read_json_at<T: serde::de::DeserializeOwned>(at: &RootPath) -> Result<T, ReadError> {
    let file = at.open_file()?;
    parse_json(file, &at.full())
}

/// `graph.json` of an application folder under the root.
pub(crate) fn read_graph_at(app: &RootPath) -> Result<ApplicationModel, ReadError> {
    read_json_at(&app.join(GRAPH_FILE))
}

/// `metadata.json` of an application folder under the root; the default when missing.
pub(crate) fn read_metadata_at(app: &RootPath) -> Result<ApplicationMetadataModel, ReadError> {
    match read_json_at(&app.join(METADATA_FILE)) {
        Err(e) if e.is_not_found() => Ok(ApplicationMetadataModel::default()),
        other => other,
    }
}

/// Reads `graph.json`. A missing file is an error ([`ReadError::is_not_found`]); missing
/// `type`, `inputs` or `optional_inputs` keys and extra keys are accepted.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("graph.json");
/// std::fs::write(&path, r#"{"entrypoint": "a", "actions": [], "transitions": [], "x": 1}"#)?;
/// assert_eq!(burr_tracking::read::read_graph(&path)?.entrypoint, "a");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_graph(path: &Path) -> Result<ApplicationModel, ReadError> {
    parse_json(confined::open_regular(path)?, path)
}

/// Reads `metadata.json`; a missing file gives the default (no partition key, no parents),
/// as in Burr's server. A wrongly typed key (`"partition_key": 5`) is an error.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("metadata.json");
/// assert_eq!(burr_tracking::read::read_metadata(&path)?, Default::default());
/// std::fs::write(&path, r#"{"partition_key": 5}"#)?;
/// assert!(burr_tracking::read::read_metadata(&path).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_metadata(path: &Path) -> Result<ApplicationMetadataModel, ReadError> {
    match confined::open_regular(path).and_then(|file| parse_json(file, path)) {
        Err(e) if e.is_not_found() => Ok(ApplicationMetadataModel::default()),
        other => other,
    }
}

/// The inode change time (what Burr's server calls "created"), else the modification time.
pub(crate) fn changed_time(meta: &fs::Metadata) -> SystemTime {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (secs, nanos) = (meta.ctime(), meta.ctime_nsec());
        let at = if secs >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::new(secs as u64, nanos as u32))
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(std::time::Duration::from_secs(secs.unsigned_abs()))
        };
        if let Some(at) = at {
            return at;
        }
    }
    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)
}

/// A project: a directory under the root.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/app"))?;
/// let projects = burr_tracking::read::list_projects(root.path())?;
/// assert_eq!(projects[0].name, "p");
/// assert_eq!(projects[0].num_entries, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectEntry {
    /// The project's name (its directory name).
    pub name: String,
    /// The project's directory.
    pub path: PathBuf,
    /// When the directory's inode last changed (Burr's "created").
    pub created: SystemTime,
    /// When the directory was last modified (Burr's "last_written").
    pub last_written: SystemTime,
    /// How many entries the directory holds, files included (Burr's `num_apps`).
    pub num_entries: usize,
}

/// The projects under `root`, most recently written first. A missing root has no projects;
/// entries that are not directories (or are symlinks), and names that are not valid project
/// ids or not UTF-8, are left out. A folder whose name starts with `.` is a project, as in
/// Apache Burr's server (its applications' hidden folders are not applications).
///
/// # Examples
///
/// ```
/// let missing = std::path::Path::new("/no/such/root");
/// assert!(burr_tracking::read::list_projects(missing)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_projects(root: &Path) -> Result<Vec<ProjectEntry>, ReadError> {
    let root_at = RootPath::new(root);
    let entries = match root_at.entries() {
        Ok(entries) => entries,
        Err(e) if e.is_not_found() => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let Some(name) = folder_name(&entry) else {
            continue;
        };
        if validate_id(IdKind::Project, &name).is_err() {
            continue;
        }
        let at = root_at.join(&name);
        let Ok(meta) = at.dir_metadata() else {
            continue;
        };
        let num_entries = at.entries().map_or(0, |entries| entries.len());
        out.push(ProjectEntry {
            created: changed_time(&meta),
            last_written: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            num_entries,
            path: at.full(),
            name,
        });
    }
    out.sort_by(|a, b| {
        b.last_written
            .cmp(&a.last_written)
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

/// The name of a folder entry that is a real folder (not a link to one), if it is UTF-8.
fn folder_name(entry: &confined::Entry) -> Option<String> {
    if entry.kind != EntryKind::Dir {
        return None;
    }
    entry.name.clone().into_string().ok()
}

/// An application of a project, as the application list shows it.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/a"))?;
/// let app = &burr_tracking::read::list_apps(root.path(), "p")?[0];
/// assert!(!app.has_log && !app.has_graph);
/// assert_eq!(app.num_steps, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AppEntry {
    /// The application id (its directory name).
    pub app_id: String,
    /// The application's directory.
    pub path: PathBuf,
    /// `metadata.json` (the default when missing or invalid; see `metadata_error`).
    pub metadata: ApplicationMetadataModel,
    /// Why `metadata.json` could not be read, if it could not.
    pub metadata_error: Option<String>,
    /// When the directory's inode last changed (Burr's "first_written").
    pub first_written: SystemTime,
    /// When the directory was last modified (Burr's "last_written"; appending to the log
    /// does not change it).
    pub last_written: SystemTime,
    /// When `log.jsonl` was last modified (`last_written` when there is no log).
    pub log_modified: SystemTime,
    /// [`num_steps`](super::num_steps) of the log (0 without a log).
    pub num_steps: u64,
    /// Whether `log.jsonl` exists.
    pub has_log: bool,
    /// Whether `graph.json` exists (Burr's server cannot show the app without it).
    pub has_graph: bool,
}

impl AppEntry {
    /// The application's partition key, from its metadata.
    ///
    /// # Examples
    ///
    /// ```
    /// let root = tempfile::tempdir()?;
    /// std::fs::create_dir_all(root.path().join("p/a"))?;
    /// std::fs::write(root.path().join("p/a/metadata.json"), r#"{"partition_key": "u1"}"#)?;
    /// let apps = burr_tracking::read::list_apps(root.path(), "p")?;
    /// assert_eq!(apps[0].partition_key(), Some("u1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn partition_key(&self) -> Option<&str> {
        self.metadata.partition_key.as_deref()
    }
}

/// The applications of a project, most recently written first (directory mtime, as Burr's
/// server sorts; ties by id). Hidden entries (a name starting with `.`, as Burr's server
/// skips them), files and symlinks are left out. A missing
/// project has no applications. One damaged application never fails the list: a missing or
/// unreadable log counts 0 steps, bad metadata reads as the default with `metadata_error` set.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// assert!(burr_tracking::read::list_apps(root.path(), "nope")?.is_empty());
/// assert!(burr_tracking::read::list_apps(root.path(), "../x").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_apps(root: &Path, project: &str) -> Result<Vec<AppEntry>, ReadError> {
    project_dir(root, project)?;
    let project_at = RootPath::new(root).join(project);
    let entries = match project_at.entries() {
        Ok(entries) => entries,
        Err(e) if e.is_not_found() => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let Some(app_id) = folder_name(&entry) else {
            continue;
        };
        if validate_id(IdKind::App, &app_id).is_err() {
            continue;
        }
        if let Some(app) = app_entry(project_at.join(&app_id), app_id) {
            out.push(app);
        }
    }
    out.sort_by(|a, b| {
        b.last_written
            .cmp(&a.last_written)
            .then_with(|| a.app_id.cmp(&b.app_id))
    });
    Ok(out)
}

fn app_entry(at: RootPath, app_id: String) -> Option<AppEntry> {
    let meta = at.dir_metadata().ok()?;
    let last_written = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let (metadata, metadata_error) = match read_metadata_at(&at) {
        Ok(m) => (m, None),
        Err(e) => (ApplicationMetadataModel::default(), Some(e.to_string())),
    };
    let log_at = at.join(LOG_FILE);
    let log = log_at.open_file().ok();
    let log_meta = log.as_ref().and_then(|file| file.metadata().ok());
    Some(AppEntry {
        app_id,
        metadata,
        metadata_error,
        first_written: changed_time(&meta),
        last_written,
        log_modified: log_meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .unwrap_or(last_written),
        num_steps: log
            .and_then(|file| num_steps_in(file, &log_at.full()).ok())
            .unwrap_or(0),
        has_log: log_meta.is_some(),
        has_graph: at.join(GRAPH_FILE).open_file().is_ok(),
        path: at.full(),
    })
}

/// Everything Burr's server shows for one application.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/a"))?;
/// std::fs::write(root.path().join("p/a/log.jsonl"), "")?;
/// let app = burr_tracking::read::read_app(root.path(), "p", "a")?;
/// assert!(app.graph.is_err() && app.steps.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AppLogs {
    /// `graph.json` (Burr's server answers 404 when it is missing).
    pub graph: Result<ApplicationModel, ReadError>,
    /// `metadata.json` (default when missing).
    pub metadata: Result<ApplicationMetadataModel, ReadError>,
    /// The steps of `log.jsonl` (none when it is missing).
    pub steps: Vec<Step>,
    /// Whether `log.jsonl` exists.
    pub has_log: bool,
    /// How many log lines were skipped, and why.
    pub log_problems: LogRead,
    /// `children.jsonl` (empty when missing).
    pub children: ChildrenRead,
}

/// Reads the `graph.json` of one application, inside `root` only (ids that would leave it
/// are refused, as by [`read_app`]).
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/app"))?;
/// std::fs::write(root.path().join("p/app/graph.json"), r#"{"entrypoint": "a", "actions": [], "transitions": []}"#)?;
/// assert_eq!(burr_tracking::read::read_app_graph(root.path(), "p", "app")?.entrypoint, "a");
/// assert!(burr_tracking::read::read_app_graph(root.path(), "p", "../p").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_app_graph(
    root: &Path,
    project: &str,
    app_id: &str,
) -> Result<ApplicationModel, ReadError> {
    app_dir(root, project, app_id)?;
    read_graph_at(&RootPath::new(root).join(project).join(app_id))
}

/// Reads one application: graph, metadata, steps and children. Errors only when the ids are
/// invalid or the application's directory does not exist; damaged files are reported in the
/// result.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// let err = burr_tracking::read::read_app(root.path(), "p", "missing").unwrap_err();
/// assert!(err.is_not_found());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_app(root: &Path, project: &str, app_id: &str) -> Result<AppLogs, ReadError> {
    app_dir(root, project, app_id)?;
    let at = RootPath::new(root).join(project).join(app_id);
    at.open_dir()?;
    let log_at = at.join(LOG_FILE);
    let (steps, has_log, log_problems) = match log_at.open_file() {
        Ok(file) => {
            let mut log = read_log_from(file, &log_at.full())?;
            let records = std::mem::take(&mut log.records);
            (steps_from_records(records), true, log)
        }
        Err(e) if e.is_not_found() => (Vec::new(), false, LogRead::default()),
        Err(e) => return Err(e),
    };
    Ok(AppLogs {
        graph: read_graph_at(&at),
        metadata: read_metadata_at(&at),
        steps,
        has_log,
        log_problems,
        children: read_children_at(&at.join(CHILDREN_FILE))?,
    })
}
