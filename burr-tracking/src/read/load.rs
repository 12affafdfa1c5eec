//! Loading the state of any step back from a tracking directory, to debug, resume or fork.

use std::path::{Path, PathBuf};

use burr_core::{PersistedState, PersistenceError, State, StateLoader, Status};

use super::{ReadError, ReverseLines, changed_time, list_apps, lossy};
use crate::confined::RootPath;
use crate::format::{EndEntryModel, LineProbe, RecordKind, Timestamp};
use crate::layout::{IdError, IdKind, LOG_FILE, app_dir, default_root, validate_id};

/// A step's state, loaded back from the log.
///
/// # Examples
///
/// ```
/// # let root = tempfile::tempdir()?;
/// # let app = root.path().join("p/a");
/// # std::fs::create_dir_all(&app)?;
/// # std::fs::write(app.join("log.jsonl"), concat!(
/// #     r#"{"type":"end_entry","end_time":"2024-01-01","action":"boom","result":null,"exception":"RuntimeError: kaboom\n","state":{"n":1,"__SEQUENCE_ID":3},"sequence_id":3}"#, "\n"))?;
/// let loaded = burr_tracking::load_state(root.path(), "p", "a", None)?;
/// assert_eq!(loaded.sequence_id, 3);
/// assert_eq!(loaded.status, burr_core::Status::Failed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedState {
    /// The step's sequence id.
    pub sequence_id: u64,
    /// The step's action: where the application resumes (after it when the step completed,
    /// at it again when it failed).
    pub position: String,
    /// The state after the step (before it, when it failed): user keys, plus
    /// `__SEQUENCE_ID`.
    pub state: State,
    /// `Completed`, or `Failed` when the step recorded an exception.
    pub status: Status,
    /// When the log was created (its inode change time), as naive local ISO 8601, like Burr.
    pub created_at: String,
}

impl LoadedState {
    /// The step's state as the typed state `S` (see [`State::to_typed`]); a field that does
    /// not deserialize is a [`TypedStateError`](burr_core::TypedStateError) naming it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::typed::{FieldInfo, TypedState, UpdateRule, read_field};
    /// # use burr_core::{State, TypedStateError};
    /// # #[derive(Debug, PartialEq)]
    /// # struct Counter { n: i64 }
    /// # impl TypedState for Counter {
    /// #     const NAME: &'static str = "Counter";
    /// #     const FIELDS: &'static [FieldInfo] = &[FieldInfo::new("n", "n", UpdateRule::Replace)];
    /// #     fn write_fields(&self, state: State) -> State { state.update("n", &self.n) }
    /// #     fn from_state(state: &State) -> Result<Self, TypedStateError> {
    /// #         Ok(Counter { n: read_field(state, Self::NAME, "n", "n")? })
    /// #     }
    /// # }
    /// # let root = tempfile::tempdir()?;
    /// # let app = root.path().join("p").join("a");
    /// # std::fs::create_dir_all(&app)?;
    /// # std::fs::write(app.join("log.jsonl"), concat!(
    /// #     r#"{"type":"end_entry","end_time":"2024-01-01","action":"inc","result":{},"exception":null,"state":{"n":1,"__SEQUENCE_ID":0},"sequence_id":0}"#, "\n"))?;
    /// let loaded = burr_tracking::load_state(root.path(), "p", "a", None)?;
    /// assert_eq!(loaded.typed_state::<Counter>()?, Counter { n: 1 });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn typed_state<S: burr_core::TypedState>(&self) -> Result<S, burr_core::TypedStateError> {
        self.state.to_typed()
    }

    /// The row a [`StateLoader`] returns for this step of `app_id`.
    pub(crate) fn into_persisted(
        self,
        partition_key: Option<&str>,
        app_id: &str,
    ) -> PersistedState {
        PersistedState {
            partition_key: partition_key.map(str::to_string),
            app_id: app_id.to_string(),
            sequence_id: self.sequence_id,
            position: self.position,
            state: self.state,
            created_at: self.created_at,
            status: self.status,
        }
    }
}

/// Why a state could not be loaded.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// let err = burr_tracking::load_state(root.path(), "p", "nope", None).unwrap_err();
/// assert!(matches!(err, burr_tracking::LoadError::AppNotFound { .. }));
/// assert!(err.to_string().contains("nope"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The project or application id was rejected (see [`layout::app_dir`](crate::layout::app_dir)).
    #[error(transparent)]
    InvalidId(#[from] IdError),
    /// The application has no `log.jsonl`.
    #[error("application {app_id:?} of project {project:?} not found: no {}", path.display())]
    AppNotFound {
        /// The project.
        project: String,
        /// The application id.
        app_id: String,
        /// The log file that is missing.
        path: PathBuf,
    },
    /// The log has no readable `end_entry` (the application never finished a step).
    #[error("application {app_id:?} of project {project:?} has no completed step yet")]
    NoSteps {
        /// The project.
        project: String,
        /// The application id.
        app_id: String,
    },
    /// The log has no readable `end_entry` with the requested sequence id.
    #[error("sequence id {sequence_id} not found for {project}/{app_id}")]
    StepNotFound {
        /// The project.
        project: String,
        /// The application id.
        app_id: String,
        /// The requested sequence id.
        sequence_id: u64,
    },
    /// The log could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The root is an object store that could not be read.
    #[cfg(feature = "object-store")]
    #[error(transparent)]
    Store(#[from] crate::object::ObjectStoreError),
}

/// The local folder to read `project` from: `root` itself, or, when `root` is an object
/// store's URL (feature `object-store`), its mirror brought up to date.
fn readable_root<'a>(
    root: &'a Path,
    project: &str,
) -> Result<std::borrow::Cow<'a, Path>, LoadError> {
    #[cfg(feature = "object-store")]
    if let Some(url) = root.to_str().filter(|r| crate::object::is_store_url(r)) {
        validate_id(IdKind::Project, project)?;
        let store = crate::object::ObjectRoot::open(url)?;
        let dir = crate::object::default_mirror_dir(&store);
        return Ok(std::borrow::Cow::Owned(crate::object::synced_root(
            store, &dir, project,
        )?));
    }
    let _ = project;
    Ok(std::borrow::Cow::Borrowed(root))
}

/// A cheap byte search run before any parsing: a line can only be the wanted `end_entry` if
/// it contains `end_entry` and, when a sequence id is wanted, its decimal digits. Lines with
/// `\u` escapes are always parsed (a key or value may be spelled with escapes).
struct Prefilter {
    end_entry: memchr::memmem::Finder<'static>,
    digits: Option<memchr::memmem::Finder<'static>>,
    escape: memchr::memmem::Finder<'static>,
}

impl Prefilter {
    fn new(sequence_id: Option<u64>) -> Self {
        Prefilter {
            end_entry: memchr::memmem::Finder::new(b"end_entry"),
            escape: memchr::memmem::Finder::new(b"\\u"),
            digits: sequence_id
                .map(|n| memchr::memmem::Finder::new(n.to_string().as_bytes()).into_owned()),
        }
    }

    fn may_match(&self, line: &[u8]) -> bool {
        let candidate = self.end_entry.find(line).is_some()
            && self.digits.as_ref().is_none_or(|d| d.find(line).is_some());
        candidate || self.escape.find(line).is_some()
    }
}

/// Loads the state of a step of `<root>/<project>/<app_id>`: the last step when
/// `sequence_id` is `None`, else the last `end_entry` with that sequence id.
///
/// With the feature `object-store`, `root` may be a bucket's URL (`s3://bucket/prefix`):
/// the project's new objects are then mirrored into the local cache first (see
/// [`crate::object`]).
///
/// The state keeps the user's keys (keys starting with `__` are dropped, as Burr does) and
/// gets `__SEQUENCE_ID` set to the step's sequence id. Values that Burr's serde tagged
/// (`"__burr_serde__"` dicts) are returned as they are stored.
///
/// The log is read backwards from its end, in blocks: loading the latest step does not get
/// slower as the log grows, and loading an older step costs a byte search through what lies
/// after it (lines are parsed only when they contain `end_entry` and the sequence id's decimal
/// digits, which is how every writer spells it: a sequence id written as `"5_000"` or `5e3`
/// is not found). Lines that cannot be read (a torn last line, invalid JSON, an `end_entry`
/// missing keys) are passed over.
///
/// # Errors
///
/// [`LoadError::InvalidId`] for an id that could leave the root, [`LoadError::AppNotFound`]
/// without a log, [`LoadError::NoSteps`] / [`LoadError::StepNotFound`] when no `end_entry`
/// matches, [`LoadError::Read`] for I/O errors.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// let err = burr_tracking::load_state(root.path(), "p", "../secrets", None).unwrap_err();
/// assert!(matches!(err, burr_tracking::LoadError::InvalidId(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_state(
    root: &Path,
    project: &str,
    app_id: &str,
    sequence_id: Option<u64>,
) -> Result<LoadedState, LoadError> {
    let root = &*readable_root(root, project)?;
    let log = app_dir(root, project, app_id)?.join(LOG_FILE);
    let log_at = RootPath::new(root)
        .join(project)
        .join(app_id)
        .join(LOG_FILE);
    let not_found = || LoadError::AppNotFound {
        project: project.to_string(),
        app_id: app_id.to_string(),
        path: log.clone(),
    };
    let file = match log_at.open_file() {
        Ok(file) => file,
        Err(e) if e.is_not_found() => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let created_at = log_created_at(&file);
    let mut lines = ReverseLines::from_file(file, &log)?;
    let prefilter = Prefilter::new(sequence_id);
    while let Some(line) = lines.next_line()? {
        if !prefilter.may_match(line) {
            continue;
        }
        let Ok(probe) = LineProbe::read(line) else {
            continue;
        };
        if probe.record_kind() != Some(RecordKind::EndEntry) {
            continue;
        }
        if sequence_id.is_some_and(|wanted| probe.sequence_id() != Some(wanted)) {
            continue;
        }
        let Ok(entry) = serde_json::from_slice::<EndEntryModel>(&lossy(line)) else {
            continue;
        };
        return Ok(loaded_from(entry, created_at));
    }
    Err(match sequence_id {
        None => LoadError::NoSteps {
            project: project.to_string(),
            app_id: app_id.to_string(),
        },
        Some(sequence_id) => LoadError::StepNotFound {
            project: project.to_string(),
            app_id: app_id.to_string(),
            sequence_id,
        },
    })
}

/// The log's creation time, as [`LoadedState::created_at`] gives it.
pub(crate) fn log_created_at(file: &std::fs::File) -> String {
    file.metadata()
        .map(|m| Timestamp::local_at(changed_time(&m)).to_string())
        .unwrap_or_default()
}

/// A step read from an `end_entry`.
pub(crate) fn loaded_from(entry: EndEntryModel, created_at: String) -> LoadedState {
    let status = if entry.succeeded() {
        Status::Completed
    } else {
        Status::Failed
    };
    let mut map = entry.state;
    map.retain(|k, _| !k.starts_with("__"));
    LoadedState {
        sequence_id: entry.sequence_id,
        position: entry.action,
        state: State::from_map(map).with_sequence_id(entry.sequence_id),
        status,
        created_at,
    }
}

/// A [`StateLoader`] over a tracking directory: lets an application resume or fork from the
/// steps another run tracked there.
///
/// `load` ignores the partition key for the lookup (application ids are unique within a
/// project, as in Burr) and returns `None` when the application, or the requested step,
/// does not exist. `list_app_ids` lists the applications whose metadata has that partition
/// key, the most recently written log first.
///
/// # Examples
///
/// ```
/// use burr_core::StateLoader;
/// use burr_tracking::TrackingLoader;
///
/// let root = tempfile::tempdir()?;
/// let loader = TrackingLoader::with_root(root.path(), "p")?;
/// assert!(loader.load(None, "missing", None)?.is_none());
/// assert!(loader.list_app_ids(None)?.is_empty());
/// assert!(TrackingLoader::with_root(root.path(), "../p").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingLoader {
    root: PathBuf,
    project: String,
}

impl TrackingLoader {
    /// A loader for `project` under [`default_root`](crate::default_root).
    ///
    /// # Examples
    ///
    /// ```
    /// let loader = burr_tracking::TrackingLoader::new("demo").unwrap();
    /// assert_eq!(loader.project(), "demo");
    /// ```
    pub fn new(project: &str) -> Result<Self, IdError> {
        Self::with_root(default_root(), project)
    }

    /// A loader for `project` under `root`.
    ///
    /// # Examples
    ///
    /// ```
    /// let loader = burr_tracking::TrackingLoader::with_root("/data/burr", "demo").unwrap();
    /// assert_eq!(loader.root(), std::path::Path::new("/data/burr"));
    /// ```
    pub fn with_root(root: impl Into<PathBuf>, project: &str) -> Result<Self, IdError> {
        validate_id(IdKind::Project, project)?;
        Ok(TrackingLoader {
            root: root.into(),
            project: project.to_string(),
        })
    }

    /// The tracking root.
    ///
    /// # Examples
    ///
    /// ```
    /// let loader = burr_tracking::TrackingLoader::with_root("/r", "p").unwrap();
    /// assert_eq!(loader.root().to_str(), Some("/r"));
    /// ```
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The project.
    ///
    /// # Examples
    ///
    /// ```
    /// let loader = burr_tracking::TrackingLoader::with_root("/r", "p").unwrap();
    /// assert_eq!(loader.project(), "p");
    /// ```
    pub fn project(&self) -> &str {
        &self.project
    }
}

impl StateLoader for TrackingLoader {
    fn load(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: Option<u64>,
    ) -> Result<Option<PersistedState>, PersistenceError> {
        match load_state(&self.root, &self.project, app_id, sequence_id) {
            Ok(loaded) => Ok(Some(loaded.into_persisted(partition_key, app_id))),
            Err(
                LoadError::AppNotFound { .. }
                | LoadError::NoSteps { .. }
                | LoadError::StepNotFound { .. },
            ) => Ok(None),
            Err(e) => Err(PersistenceError::backend(e)),
        }
    }

    fn list_app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError> {
        let root = readable_root(&self.root, &self.project).map_err(PersistenceError::backend)?;
        let mut apps = list_apps(&root, &self.project).map_err(PersistenceError::backend)?;
        apps.retain(|a| a.has_log && a.partition_key() == partition_key);
        apps.sort_by(|a, b| {
            b.log_modified
                .cmp(&a.log_modified)
                .then_with(|| a.app_id.cmp(&b.app_id))
        });
        Ok(apps.into_iter().map(|a| a.app_id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::fs;

    fn write_log(content: &str) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let app = root.path().join("p/a");
        fs::create_dir_all(&app).unwrap();
        fs::write(app.join(LOG_FILE), content).unwrap();
        root
    }

    fn end(seq: u64, n: u64, exception: Option<&str>) -> String {
        let e = EndEntryModel {
            end_time: "2024-01-01T00:00:00".parse().unwrap(),
            action: format!("act{seq}"),
            result: None,
            exception: exception.map(str::to_string),
            state:
                serde_json::json!({"n": n, "__SEQUENCE_ID": seq, "__PRIOR_STEP": "x", "__other": 1})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            sequence_id: seq,
        };
        crate::format::LogRecord::from(e).to_json_line()
    }

    #[test]
    fn last_matching_end_entry_wins() {
        let log = [
            end(0, 1, None),
            end(1, 2, None),
            end(1, 3, Some("E")),
            end(2, 4, None),
        ]
        .concat();
        let root = write_log(&(log + "{\"type\":\"end_entry\",\"torn"));
        let latest = load_state(root.path(), "p", "a", None).unwrap();
        assert_eq!(latest.sequence_id, 2);
        assert_eq!(
            latest.state.to_json(),
            serde_json::json!({"n": 4, "__SEQUENCE_ID": 2})
        );
        let one = load_state(root.path(), "p", "a", Some(1)).unwrap();
        assert_eq!(one.status, Status::Failed);
        assert_eq!(one.state.get::<u64>("n").unwrap(), 3);
        assert_eq!(one.position, "act1");
        assert!(matches!(
            load_state(root.path(), "p", "a", Some(9)),
            Err(LoadError::StepNotFound { sequence_id: 9, .. })
        ));
    }

    #[test]
    fn empty_and_missing_logs() {
        let root = write_log("");
        assert!(matches!(
            load_state(root.path(), "p", "a", None),
            Err(LoadError::NoSteps { .. })
        ));
        assert!(matches!(
            load_state(root.path(), "p", "b", None),
            Err(LoadError::AppNotFound { .. })
        ));
        let loader = TrackingLoader::with_root(root.path(), "p").unwrap();
        assert!(loader.load(Some("pk"), "a", None).unwrap().is_none());
        assert_eq!(loader.list_app_ids(None).unwrap(), ["a"]);
        assert!(loader.list_app_ids(Some("pk")).unwrap().is_empty());
    }
}
