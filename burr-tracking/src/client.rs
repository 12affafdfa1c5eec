//! The local tracking client: a lifecycle hook that records every step, span, attribute and
//! stream event of an application into `<root>/<project>/<app_id>/`, in Apache Burr's format.
//!
//! What it writes, per application:
//! - when the application is built: the directory, an empty `log.jsonl`, `metadata.json`
//!   (partition key, fork and spawn parents) and `graph.json` (actions with their reads,
//!   writes, inputs and source; transitions with their condition names; the entrypoint). An
//!   application resumed under an id that already has a `graph.json` only appends to its log.
//!   A fork or a spawned child also appends one line to its parent's `children.jsonl`, under
//!   an exclusive file lock.
//! - while it runs: one `log.jsonl` line per event (`begin_entry`/`end_entry` around each
//!   step, `begin_span`/`end_span`, one `attribute` line per key, `begin_stream`,
//!   `first_item_stream`, `end_stream`).
//!
//! Every line is serialized completely into a buffer first and then handed to the operating
//! system in one `write` before the hook returns: a viewer reading the log sees each event as
//! it happens, and a process killed at any moment leaves at most one torn last line (which
//! the readers of this crate skip). There is no user-space buffering and no `fsync`, as in
//! Burr: a completed write survives the process, not a power cut.
//!
//! The log file of each application stays open, and each application reuses one line buffer,
//! so an event costs one serialization and one system call.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use burr_core::{
    ActionInfo, ApplicationCreated, AttributesEvent, BurrError, Graph, LifecycleHook,
    PersistedState, PersistenceError, Pointer, PostRunStep, PreRunStep, SpanEvent, StateLoader,
    StreamEnd, StreamItem, StreamStart,
};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::format::{
    ActionModel, ApplicationMetadataModel, ApplicationModel, AttributeLine, BeginEntryLine,
    BeginSpanLine, BeginStreamModel, ChildApplicationModel, ChildEventType, EndEntryLine,
    EndSpanLine, EndStreamModel, FirstItemStreamModel, PointerModel, Tags, Timestamp,
    TransitionModel, to_json_line, to_python_json, write_json_line,
};
use crate::layout::{
    CHILDREN_FILE, GRAPH_FILE, IdError, IdKind, LOG_FILE, METADATA_FILE, default_root, expand_home,
    validate_id,
};
use crate::read::TrackingLoader;

/// What `graph.json` shows for an action whose source is unknown (Burr's text).
pub const NO_SOURCE: &str = "No source available";

/// How many application logs one client keeps open at once; beyond this the one opened
/// longest ago is closed (and reopened if that application logs again).
const MAX_OPEN_APPS: usize = 256;

/// Errors of [`LocalTrackingClient`].
///
/// # Examples
///
/// ```
/// use burr_tracking::{LocalTrackingClient, client::TrackingError};
/// let err = LocalTrackingClient::new("my project").unwrap_err();
/// assert!(matches!(err, TrackingError::InvalidProject { .. }));
/// assert!(err.to_string().contains("my project"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrackingError {
    /// The project name has characters other than ASCII letters, digits, `_`, `-` and `:`.
    #[error(
        "invalid project name {project:?}: use only ASCII letters, digits, `_`, `-` and `:` (and at least one of them)"
    )]
    InvalidProject {
        /// The rejected name.
        project: String,
    },
    /// An application id cannot name a directory.
    #[error(transparent)]
    InvalidId(#[from] IdError),
    /// A file or directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A record could not be serialized.
    #[error("cannot serialize the {what} record of application `{app_id}`: {source}")]
    Serialize {
        /// Which record.
        what: &'static str,
        /// The application.
        app_id: String,
        /// The serializer's error.
        #[source]
        source: serde_json::Error,
    },
}

impl TrackingError {
    fn io(path: &Path, source: io::Error) -> Self {
        TrackingError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Checks a project name the way Burr does: `^[A-Za-z0-9_\-:]+$`.
///
/// # Examples
///
/// ```
/// use burr_tracking::client::validate_project;
/// assert!(validate_project("demo:counter_1").is_ok());
/// assert!(validate_project("../etc").is_err());
/// assert!(validate_project("").is_err());
/// ```
pub fn validate_project(project: &str) -> Result<&str, TrackingError> {
    let ok = !project.is_empty()
        && project
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':'));
    if ok {
        Ok(project)
    } else {
        Err(TrackingError::InvalidProject {
            project: project.to_string(),
        })
    }
}

/// Records applications into `<root>/<project>/<app_id>/` in Apache Burr's format, so that
/// Burr's UI, this crate's server and [`load_state`](crate::load_state) can read them.
///
/// Add it with `ApplicationBuilder::with_tracker`. The root is `$BURR_PATH` when set, else
/// `~/.burr`, unless [`LocalTrackingClient::with_storage_dir`] says otherwise. One client can
/// serve several applications at once (sub-applications reuse their parent's tracker):
/// clones share the open files, and events are routed by application id.
///
/// I/O errors while the application runs are reported through `tracing` (target
/// `burr_tracking::client`) and never fail the application. An application id that cannot
/// name a directory (it contains `/`, `..`, `\` or NUL, or starts with `.`) is reported and
/// not recorded: nothing is ever written outside the root.
///
/// The client is also a [`StateLoader`] (loading from the same directory), so it can be
/// handed to `InitializeFrom` to resume or fork a tracked application.
///
/// # Examples
///
/// ```
/// use burr_core::{ApplicationBuilder, Input, ResultAction, default, halt_after, inputs};
/// use burr_tracking::{LocalTrackingClient, load_state};
///
/// let root = tempfile::tempdir()?;
/// let tracker = LocalTrackingClient::new("docs")?.with_storage_dir(root.path());
/// let mut app = ApplicationBuilder::new()
///     .with_action("ask", Input::new(["question"]))
///     .with_action("answer", ResultAction::new(["question"]))
///     .with_transition("ask", "answer", default())
///     .with_entrypoint("ask")
///     .with_app_id("app-1")
///     .with_tracker(tracker)
///     .build()?;
/// app.run(halt_after(["answer"]), inputs! { question: "why?" })?;
///
/// let dir = root.path().join("docs/app-1");
/// assert!(dir.join("graph.json").is_file() && dir.join("metadata.json").is_file());
/// let log = std::fs::read_to_string(dir.join("log.jsonl"))?;
/// assert_eq!(log.lines().count(), 4); // begin_entry + end_entry, twice
/// let loaded = load_state(root.path(), "docs", "app-1", None)?;
/// assert_eq!(loaded.position, "answer");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct LocalTrackingClient {
    project: Arc<str>,
    root: PathBuf,
    project_dir: PathBuf,
    buffer_spans: bool,
    shared: Arc<Shared>,
}

/// A small FNV-style hash: application ids are short and chosen by the application itself,
/// so a simple hash beats SipHash here.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // FNV-style mixing eight bytes at a time.
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            h = (h ^ u64::from_le_bytes(word))
                .wrapping_mul(0x0100_0000_01b3)
                .rotate_left(23);
        }
        for b in chunks.remainder() {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type AppTable = HashMap<Arc<str>, Arc<Mutex<AppLog>>, std::hash::BuildHasherDefault<Fnv>>;

#[derive(Debug, Default)]
struct Shared {
    apps: RwLock<AppTable>,
    /// Ticks ordering the opening of logs, for closing the oldest beyond the limit.
    clock: std::sync::atomic::AtomicU64,
}

/// The open log of one application and its reusable line buffer.
#[derive(Debug)]
struct AppLog {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    last_used: u64,
    /// Whether the current stream of this application already logged its first item.
    first_item_logged: Option<u64>,
    /// A write failed (disk full...) and may have left part of a line: cut it before the
    /// next write.
    needs_repair: bool,
}

impl LocalTrackingClient {
    /// A client for `project`, writing under the root of
    /// [`layout::resolve_root`](crate::layout::resolve_root): `$BURR_PATH` (`~/` expanded),
    /// else `~/.burr`.
    ///
    /// The project name must match `^[A-Za-z0-9_\-:]+$`, as in Burr.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("chatbot")?;
    /// assert_eq!(client.project(), "chatbot");
    /// assert!(burr_tracking::LocalTrackingClient::new("a/b").is_err());
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn new(project: impl Into<String>) -> Result<Self, TrackingError> {
        let project: String = project.into();
        validate_project(&project)?;
        let root = default_root();
        Ok(LocalTrackingClient {
            project_dir: root.join(&project),
            project: Arc::from(project),
            root,
            buffer_spans: false,
            shared: Arc::default(),
        })
    }

    /// Writes under `dir` instead (a leading `~/` is expanded). Clones made before this call
    /// keep the previous directory.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/tmp/burr");
    /// assert_eq!(client.project_dir(), std::path::Path::new("/tmp/burr/p"));
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    #[must_use]
    pub fn with_storage_dir(self, dir: impl Into<PathBuf>) -> Self {
        let root = expand_home(dir);
        LocalTrackingClient {
            project_dir: root.join(&*self.project),
            project: self.project,
            root,
            buffer_spans: self.buffer_spans,
            shared: Arc::default(),
        }
    }

    /// Holds the span, attribute and stream-start lines of a step in memory and writes them
    /// together with the step's `end_entry`, in one write, instead of one write per line.
    ///
    /// Off by default. Steps that open many spans get much cheaper (one system call per step
    /// instead of one per line), at a price: a viewer sees a step's spans only when the step
    /// ends, and a process killed in the middle of a step loses that step's spans (never a
    /// completed step: its `end_entry` goes out in the same write as its spans). `begin_entry`
    /// is still written as soon as the step starts.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = burr_tracking::LocalTrackingClient::new("p")?.with_buffered_spans(true);
    /// assert!(client.buffers_spans());
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    #[must_use]
    pub fn with_buffered_spans(mut self, on: bool) -> Self {
        self.buffer_spans = on;
        self
    }

    /// Whether span lines are held until the step ends (see
    /// [`LocalTrackingClient::with_buffered_spans`]).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!burr_tracking::LocalTrackingClient::new("p")?.buffers_spans());
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn buffers_spans(&self) -> bool {
        self.buffer_spans
    }

    /// The project name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_tracking::LocalTrackingClient::new("p")?.project(), "p");
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The tracking root (the directory holding the projects).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.storage_dir(), std::path::Path::new("/data"));
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn storage_dir(&self) -> &Path {
        &self.root
    }

    /// The project's directory, `<root>/<project>`.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.project_dir(), std::path::Path::new("/data/p"));
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn project_dir(&self) -> &Path {
        &self.project_dir
    }

    /// The directory of application `app_id`, after checking that the id names one directory.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.app_dir("a1")?, std::path::Path::new("/data/p/a1"));
    /// assert!(c.app_dir("../../etc").is_err());
    /// # Ok::<(), burr_tracking::client::TrackingError>(())
    /// ```
    pub fn app_dir(&self, app_id: &str) -> Result<PathBuf, TrackingError> {
        Ok(self.project_dir.join(validate_id(IdKind::App, app_id)?))
    }

    /// A loader reading this client's project, for `InitializeFrom` or to inspect steps.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = burr_tracking::LocalTrackingClient::new("p")?.with_storage_dir("/data");
    /// assert_eq!(c.loader()?.project(), "p");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn loader(&self) -> Result<TrackingLoader, TrackingError> {
        Ok(TrackingLoader::with_root(&self.root, &self.project)?)
    }

    /// Sets up the directory of an application: the files Burr's tools expect before the
    /// first step. Called by the `post_application_create` hook; exposed to report errors.
    fn create_app(&self, event: &ApplicationCreated<'_>) -> Result<(), TrackingError> {
        let app_id = event.app_id;
        let dir = self.app_dir(app_id)?;
        fs::create_dir_all(&dir).map_err(|e| TrackingError::io(&dir, e))?;
        let log_path = dir.join(LOG_FILE);
        let file = open_append(&log_path)?;
        if let Some(cut) = drop_torn_tail(&file).map_err(|e| TrackingError::io(&log_path, e))? {
            tracing::warn!(
                target: "burr_tracking::client",
                app_id,
                "removed {cut} bytes of a torn last line from {} (a previous run was interrupted mid-write)",
                log_path.display()
            );
        }
        self.insert(app_id, log_path, file);
        let graph_path = dir.join(GRAPH_FILE);
        if graph_path.exists() {
            // Resumed under the same id: keep its graph, metadata and parent links.
            return Ok(());
        }
        let metadata = ApplicationMetadataModel {
            partition_key: event.partition_key.map(str::to_string),
            parent_pointer: event.parent_pointer.map(pointer_model),
            spawning_parent_pointer: event.spawning_parent_pointer.map(pointer_model),
        };
        write_json_file(&dir.join(METADATA_FILE), &metadata, app_id)?;
        write_json_file(&graph_path, &graph_model(event.graph), app_id)?;
        let child = PointerModel {
            app_id: app_id.to_string(),
            sequence_id: None,
            partition_key: event.partition_key.map(str::to_string),
        };
        let links = [
            (event.parent_pointer, ChildEventType::Fork),
            (event.spawning_parent_pointer, ChildEventType::SpawnStart),
        ];
        for (parent, event_type) in links {
            if let Some(parent) = parent {
                let record = ChildApplicationModel {
                    child: child.clone(),
                    event_time: Timestamp::local_at(event.time),
                    event_type,
                    sequence_id: parent.sequence_id,
                };
                self.append_child(&parent.app_id, &record, app_id)?;
            }
        }
        Ok(())
    }

    /// Appends one line to the parent's `children.jsonl` under an exclusive lock. A parent
    /// that was never tracked gets an empty log and a minimal graph too, so that Burr's server
    /// can still list the project.
    fn append_child(
        &self,
        parent_id: &str,
        record: &ChildApplicationModel,
        app_id: &str,
    ) -> Result<(), TrackingError> {
        let parent_dir = self.app_dir(parent_id)?;
        if !parent_dir.join(LOG_FILE).exists() {
            fs::create_dir_all(&parent_dir).map_err(|e| TrackingError::io(&parent_dir, e))?;
            open_append(&parent_dir.join(LOG_FILE))?;
            let graph = parent_dir.join(GRAPH_FILE);
            if !graph.exists() {
                let empty = ApplicationModel {
                    entrypoint: String::new(),
                    actions: Vec::new(),
                    transitions: Vec::new(),
                };
                write_json_file(&graph, &empty, parent_id)?;
            }
        }
        let line = to_json_line(record).map_err(|source| TrackingError::Serialize {
            what: "child_application_data",
            app_id: app_id.to_string(),
            source,
        })?;
        let path = parent_dir.join(CHILDREN_FILE);
        let mut file = open_append(&path)?;
        file.lock().map_err(|e| TrackingError::io(&path, e))?;
        let written = file.write_all(line.as_bytes());
        let unlocked = file.unlock();
        written
            .and(unlocked)
            .map_err(|e| TrackingError::io(&path, e))
    }

    fn insert(&self, app_id: &str, path: PathBuf, file: File) -> Arc<Mutex<AppLog>> {
        let tick = self.tick();
        let log = Arc::new(Mutex::new(AppLog {
            path,
            file,
            buf: Vec::with_capacity(1024),
            last_used: tick,
            first_item_logged: None,
            needs_repair: false,
        }));
        let mut apps = self.shared.apps.write().unwrap_or_else(|p| p.into_inner());
        if apps.len() >= MAX_OPEN_APPS && !apps.contains_key(app_id) {
            let oldest = apps
                .iter()
                .min_by_key(|(_, l)| l.lock().map_or(0, |l| l.last_used))
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                apps.remove(&oldest);
            }
        }
        apps.insert(Arc::from(app_id), log.clone());
        log
    }

    fn tick(&self) -> u64 {
        self.shared
            .clock
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `f` on the open log of `app_id`: from the table, or reopened when the
    /// application was created earlier (its log exists) and its file was closed to stay under
    /// the limit. Does nothing for an application this client never set up.
    fn with_log(&self, app_id: &str, f: impl FnOnce(&mut AppLog)) {
        {
            let apps = self.shared.apps.read().unwrap_or_else(|p| p.into_inner());
            if let Some(log) = apps.get(app_id) {
                f(&mut log.lock().unwrap_or_else(|p| p.into_inner()));
                return;
            }
        }
        let Ok(dir) = self.app_dir(app_id) else {
            return;
        };
        let path = dir.join(LOG_FILE);
        if !path.is_file() {
            return;
        }
        match open_append(&path) {
            Ok(file) => {
                let log = self.insert(app_id, path, file);
                f(&mut log.lock().unwrap_or_else(|p| p.into_inner()));
            }
            Err(e) => report(app_id, &e),
        }
    }

    /// Serializes one record into the application's buffer and writes it as one line
    /// (with the lines held before it), unless `hold` and span buffering is on.
    fn append(&self, app_id: &str, what: &'static str, record: &impl Serialize, hold: bool) {
        self.with_log(app_id, |log| {
            if let Err(e) = log.append(record, what, app_id, hold && self.buffer_spans) {
                report(app_id, &e);
            }
        });
    }

    /// Like [`LocalTrackingClient::append`] for several records (one write per line).
    fn append_each<R: Serialize>(
        &self,
        app_id: &str,
        what: &'static str,
        records: impl IntoIterator<Item = R>,
        hold: bool,
    ) {
        self.with_log(app_id, |log| {
            for record in records {
                if let Err(e) = log.append(&record, what, app_id, hold && self.buffer_spans) {
                    report(app_id, &e);
                }
            }
        });
    }
}

/// Held lines are written out beyond this many bytes even before the step ends.
const MAX_HELD: usize = 256 * 1024;

impl AppLog {
    /// Serializes `record` as one line after the lines already held, then writes them all in
    /// one write unless `hold` (and the held lines are still small).
    fn append(
        &mut self,
        record: &impl Serialize,
        what: &'static str,
        app_id: &str,
        hold: bool,
    ) -> Result<(), TrackingError> {
        write_json_line(&mut self.buf, record).map_err(|source| TrackingError::Serialize {
            what,
            app_id: app_id.to_string(),
            source,
        })?;
        if hold && self.buf.len() < MAX_HELD {
            return Ok(());
        }
        self.flush()
    }

    /// Writes the buffered complete lines in one write.
    fn flush(&mut self) -> Result<(), TrackingError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if self.needs_repair {
            if let Err(e) = drop_torn_tail(&self.file) {
                self.buf.clear();
                return Err(TrackingError::io(&self.path, e));
            }
            self.needs_repair = false;
        }
        let written = self.file.write_all(&self.buf);
        self.needs_repair = written.is_err();
        self.buf.clear();
        if self.buf.capacity() > 1 << 20 {
            // Do not keep a huge buffer around after one huge state.
            self.buf = Vec::with_capacity(1024);
        }
        written.map_err(|e| TrackingError::io(&self.path, e))
    }
}

impl Drop for AppLog {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!(target: "burr_tracking::client", "tracking failed: {e}");
        }
    }
}

/// Cuts a torn last line (bytes after the last `\n`, left by a process killed mid-write) off
/// a log about to be appended to, so that the new lines do not glue onto it. Returns how many
/// bytes were removed.
fn drop_torn_tail(file: &File) -> io::Result<Option<u64>> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let read_at = |buf: &mut [u8], at: u64| -> io::Result<()> {
        let mut f = file;
        f.seek(SeekFrom::Start(at))?;
        f.read_exact(buf)
    };
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(None);
    }
    let mut last = [0u8; 1];
    read_at(&mut last, len - 1)?;
    if last[0] == b'\n' {
        return Ok(None);
    }
    let mut end = len;
    let mut chunk = vec![0u8; 64 * 1024];
    let keep = loop {
        let start = end.saturating_sub(chunk.len() as u64);
        let buf = &mut chunk[..(end - start) as usize];
        read_at(buf, start)?;
        if let Some(i) = memchr::memrchr(b'\n', buf) {
            break start + i as u64 + 1;
        }
        if start == 0 {
            break 0;
        }
        end = start;
    };
    file.set_len(keep)?;
    Ok(Some(len - keep))
}

fn report(app_id: &str, error: &TrackingError) {
    tracing::error!(target: "burr_tracking::client", app_id, "tracking failed: {error}");
}

fn open_append(path: &Path) -> Result<File, TrackingError> {
    OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| TrackingError::io(path, e))
}

/// Writes `graph.json` or `metadata.json` whole: to a temporary file, then renamed over, so a
/// crash never leaves half a file.
fn write_json_file(path: &Path, value: &impl Serialize, app_id: &str) -> Result<(), TrackingError> {
    let text = to_python_json(value).map_err(|source| TrackingError::Serialize {
        what: "graph/metadata",
        app_id: app_id.to_string(),
        source,
    })?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text).map_err(|e| TrackingError::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| TrackingError::io(path, e))
}

fn pointer_model(p: &Pointer) -> PointerModel {
    PointerModel {
        app_id: p.app_id.clone(),
        sequence_id: p.sequence_id,
        partition_key: p.partition_key.clone(),
    }
}

/// The `graph.json` model of a graph. Burr's writer stores required inputs in
/// `optional_inputs` and optional ones in `inputs`; this does the same, for byte parity.
fn graph_model(graph: &Graph) -> ApplicationModel {
    ApplicationModel {
        entrypoint: graph.entrypoint.clone(),
        actions: graph.actions.iter().map(action_model).collect(),
        transitions: graph
            .transitions
            .iter()
            .map(|t| TransitionModel {
                from: t.from.clone(),
                to: t.to.clone(),
                condition: t.condition.clone(),
            })
            .collect(),
    }
}

fn action_model(a: &ActionInfo) -> ActionModel {
    let names = |required: bool| {
        a.inputs
            .iter()
            .filter(|i| i.required == required)
            .map(|i| i.name.clone())
            .collect()
    };
    ActionModel {
        name: a.name.clone(),
        reads: a.reads.clone(),
        writes: a.writes.clone(),
        code: a.source.clone().unwrap_or_else(|| NO_SOURCE.to_string()),
        inputs: names(false),
        optional_inputs: names(true),
    }
}

/// Inputs minus an injected tracer, as Burr logs them.
struct InputsWithoutTracer<'a>(&'a Map<String, Value>);

impl Serialize for InputsWithoutTracer<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().filter(|(k, _)| k.as_str() != "__tracer"))
    }
}

/// The `exception` text of a failed step, shaped like a Python traceback so that Burr's UI
/// shows it as one: the causes first (deepest first), then the error itself, ending with
/// `"{Kind}: {message}\n"` where `Kind` is the error's variant (`ActionFailed`, `MissingKey`,
/// ...).
///
/// # Examples
///
/// ```
/// use burr_core::ActionError;
/// let err = ActionError::msg("kaboom").into_burr("boom");
/// let text = burr_tracking::client::format_exception(&err, "boom", 7);
/// assert!(text.starts_with("kaboom\n"));
/// assert!(text.contains("in action `boom` (sequence id 7)"));
/// assert!(text.ends_with("ActionFailed: action `boom` failed: kaboom\n"));
/// ```
pub fn format_exception(error: &BurrError, action: &str, sequence_id: u64) -> String {
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    let mut out = String::new();
    for cause in causes.iter().rev() {
        out.push_str(cause);
        out.push_str(
            "\n\nThe above exception was the direct cause of the following exception:\n\n",
        );
    }
    let _ = write!(
        out,
        "Traceback (most recent call last):\n  in action `{action}` (sequence id {sequence_id})\n{}: {error}\n",
        error_kind(error)
    );
    out
}

/// The variant name of an engine error, from its `Debug` form (`ActionFailed { .. }` gives
/// `ActionFailed`; a wrapper such as `State(MissingKey { .. })` gives the inner
/// `MissingKey`).
fn error_kind(error: &BurrError) -> String {
    let debug = format!("{error:?}");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let outer = ident(&debug);
    let rest = &debug[outer.len()..];
    match rest.strip_prefix('(') {
        Some(inner) if inner.starts_with(|c: char| c.is_ascii_uppercase()) => ident(inner),
        _ if outer.is_empty() => "Error".to_string(),
        _ => outer,
    }
}

impl LifecycleHook for LocalTrackingClient {
    fn post_application_create(&self, event: &ApplicationCreated<'_>) {
        if let Err(e) = self.create_app(event) {
            report(event.app_id, &e);
        }
    }

    fn pre_run_step(&self, event: &PreRunStep<'_>) {
        let line = BeginEntryLine {
            start_time: Timestamp::local_at(event.time),
            action: &event.action.name,
            inputs: &InputsWithoutTracer(event.inputs.as_map()),
            sequence_id: event.sequence_id,
        };
        self.append(event.app_id, "begin_entry", &line, false);
    }

    fn post_run_step(&self, event: &PostRunStep<'_>) {
        let exception = event
            .error
            .map(|e| format_exception(e, &event.action.name, event.sequence_id));
        let line = EndEntryLine {
            end_time: Timestamp::local_at(event.time),
            action: &event.action.name,
            result: if event.error.is_some() {
                None
            } else {
                event.result
            },
            exception: exception.as_deref(),
            state: event.state,
            sequence_id: event.sequence_id,
        };
        self.append(event.app_id, "end_entry", &line, false);
    }

    fn pre_start_span(&self, event: &SpanEvent<'_>) {
        let span = event.span;
        let line = BeginSpanLine {
            start_time: Timestamp::local_at(event.time),
            action_sequence_id: span.action_sequence_id,
            span_id: &span.uid,
            span_name: &span.name,
            parent_span_id: span.parent_uid.as_deref(),
            span_dependencies: &span.dependencies,
        };
        self.append(event.app_id, "begin_span", &line, true);
    }

    fn post_end_span(&self, event: &SpanEvent<'_>) {
        let line = EndSpanLine {
            end_time: Timestamp::local_at(event.time),
            action_sequence_id: event.span.action_sequence_id,
            span_id: &event.span.uid,
        };
        self.append(event.app_id, "end_span", &line, true);
    }

    fn do_log_attributes(&self, event: &AttributesEvent<'_>) {
        let time_logged = Some(Timestamp::utc_at(event.time));
        let span_id = event.span.map(|s| s.uid.as_str());
        // Burr always writes empty tags.
        let tags = Tags::new();
        self.append_each(
            event.app_id,
            "attribute",
            event.attributes.iter().map(|(key, value)| AttributeLine {
                key,
                action_sequence_id: event.action_sequence_id,
                span_id,
                value,
                tags: &tags,
                time_logged,
            }),
            true,
        );
    }

    fn pre_start_stream(&self, event: &StreamStart<'_>) {
        self.with_log(event.app_id, |log| log.first_item_logged = None);
        let line = BeginStreamModel {
            action_sequence_id: event.sequence_id,
            span_id: None,
            stream_init_time: Timestamp::utc_at(event.time),
        };
        self.append(event.app_id, "begin_stream", &line, true);
    }

    fn post_stream_item(&self, event: &StreamItem<'_>) {
        self.with_log(event.app_id, |log| {
            if log.first_item_logged == Some(event.sequence_id) {
                return;
            }
            log.first_item_logged = Some(event.sequence_id);
            let line = FirstItemStreamModel {
                action_sequence_id: event.sequence_id,
                span_id: None,
                first_item_time: Timestamp::utc_at(event.time),
            };
            if let Err(e) = log.append(&line, "first_item_stream", event.app_id, self.buffer_spans)
            {
                report(event.app_id, &e);
            }
        });
    }

    fn post_end_stream(&self, event: &StreamEnd<'_>) {
        let line = EndStreamModel {
            action_sequence_id: event.sequence_id,
            span_id: None,
            end_time: Timestamp::utc_at(event.time),
            items_streamed: event.items_streamed as u64,
        };
        self.append(event.app_id, "end_stream", &line, false);
    }
}

impl StateLoader for LocalTrackingClient {
    fn load(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: Option<u64>,
    ) -> Result<Option<PersistedState>, PersistenceError> {
        self.loader()
            .map_err(PersistenceError::backend)?
            .load(partition_key, app_id, sequence_id)
    }

    fn list_app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError> {
        self.loader()
            .map_err(PersistenceError::backend)?
            .list_app_ids(partition_key)
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::format::LogRecord;
    use burr_core::{SpanInfo, State};
    use serde_json::json;

    /// Writes a line the way the client does.
    fn line(record: &impl Serialize) -> String {
        let mut buf = Vec::new();
        write_json_line(&mut buf, record).unwrap();
        String::from_utf8(buf).unwrap()
    }

    /// The client's line, written from what the hooks hold (a `State`, inputs without the
    /// tracer), must be exactly what the typed record writes once read back.
    fn assert_same_as_model(text: &str) {
        let parsed = LogRecord::from_json_line(text.trim_end().as_bytes()).unwrap();
        assert!(!matches!(parsed, LogRecord::Unknown(_)), "{text}");
        assert_eq!(parsed.to_json_line(), text);
    }

    #[test]
    fn every_line_kind_matches_the_model_byte_for_byte() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_micros(1_700_000_000_123_456);
        let state = State::new()
            .update("counter", 1)
            .update("ratio", 0.5)
            .update("big", 1e16)
            .update("text", "é\"\n")
            .with_sequence_id(3)
            .with_prior_step("count");
        let inputs = json!({"amount": 10, "__tracer": "x", "nested": {"a": [1, 2.25]}});
        let result = json!({"answer": 42});
        let deps = vec!["outer".to_string()];
        let value = json!({"n": [1, null, "x"], "f": 1e-7});
        let no_tags = Tags::new();
        let lines = [
            line(&BeginEntryLine {
                start_time: Timestamp::local_at(t),
                action: "count",
                inputs: &InputsWithoutTracer(inputs.as_object().unwrap()),
                sequence_id: 3,
            }),
            line(&EndEntryLine {
                end_time: Timestamp::local_at(t),
                action: "count",
                result: result.as_object(),
                exception: None,
                state: &state,
                sequence_id: 3,
            }),
            line(&EndEntryLine {
                end_time: Timestamp::local_at(t),
                action: "count",
                result: None,
                exception: Some("Traceback\nActionFailed: x\n"),
                state: &state,
                sequence_id: 3,
            }),
            line(&BeginSpanLine {
                start_time: Timestamp::local_at(t),
                action_sequence_id: 3,
                span_id: "3:0.1",
                span_name: "inner",
                parent_span_id: Some("3:0"),
                span_dependencies: &deps,
            }),
            line(&BeginSpanLine {
                start_time: Timestamp::local_at(t),
                action_sequence_id: 3,
                span_id: "3:0",
                span_name: "outer",
                parent_span_id: None,
                span_dependencies: &[],
            }),
            line(&EndSpanLine {
                end_time: Timestamp::local_at(t),
                action_sequence_id: 3,
                span_id: "3:0",
            }),
            line(&AttributeLine {
                key: "k",
                action_sequence_id: 3,
                span_id: None,
                value: &value,
                tags: &no_tags,
                time_logged: Some(Timestamp::utc_at(t)),
            }),
            line(&BeginStreamModel {
                action_sequence_id: 3,
                span_id: None,
                stream_init_time: Timestamp::utc_at(t),
            }),
            line(&FirstItemStreamModel {
                action_sequence_id: 3,
                span_id: None,
                first_item_time: Timestamp::utc_at(t),
            }),
            line(&EndStreamModel {
                action_sequence_id: 3,
                span_id: None,
                end_time: Timestamp::utc_at(t),
                items_streamed: 5,
            }),
        ];
        // Strings that need escaping.
        let odd = "q\"b\\n\n\t\u{1}\u{1f}\u{7f}é😀</script>";
        let odd_deps = vec![odd.to_string(), String::new()];
        let before_1970 = SystemTime::UNIX_EPOCH - std::time::Duration::from_micros(1_500_000);
        let odd_inputs = json!({ odd: odd, "n": 1.25 });
        let odd_state = State::new().update(odd, odd).with_sequence_id(9);
        let odd_value = json!({ odd: [odd, 1.5, -0.0, 1e300, u64::MAX, i64::MIN] });
        let mut odd_lines = vec![
            line(&BeginSpanLine {
                start_time: Timestamp::local_at(before_1970),
                action_sequence_id: u64::MAX,
                span_id: odd,
                span_name: odd,
                parent_span_id: Some(odd),
                span_dependencies: &odd_deps,
            }),
            line(&EndSpanLine {
                end_time: Timestamp::utc_at(before_1970),
                action_sequence_id: 0,
                span_id: odd,
            }),
            line(&BeginEntryLine {
                start_time: Timestamp::local_at(t),
                action: odd,
                inputs: &InputsWithoutTracer(odd_inputs.as_object().unwrap()),
                sequence_id: 9,
            }),
        ];
        for (result, exception) in [(odd_inputs.as_object(), None), (None, Some(odd))] {
            odd_lines.push(line(&EndEntryLine {
                end_time: Timestamp::local_at(t),
                action: odd,
                result,
                exception,
                state: &odd_state,
                sequence_id: 9,
            }));
        }
        for (span_id, time_logged) in [(None, Some(Timestamp::utc_at(t))), (Some(odd), None)] {
            odd_lines.push(line(&AttributeLine {
                key: odd,
                action_sequence_id: 7,
                span_id,
                value: &odd_value,
                tags: &no_tags,
                time_logged,
            }));
        }
        for l in lines.iter().chain(&odd_lines) {
            assert_same_as_model(l);
        }
        assert!(!lines[0].contains("__tracer"));
        assert!(lines[1].contains(r#""state":{"counter":1,"ratio":0.5,"big":1e+16,"text":"é\"\n","__SEQUENCE_ID":3,"__PRIOR_STEP":"count"}"#), "{}", lines[1]);
        assert!(lines[6].ends_with("\"time_logged\":\"2023-11-14T22:13:20.123456Z\"}\n"));
    }

    #[test]
    fn error_kinds_come_from_the_variant() {
        let failed = burr_core::ActionError::msg("x").into_burr("a");
        assert_eq!(error_kind(&failed), "ActionFailed");
        let other = BurrError::Other("plain".into());
        assert_eq!(error_kind(&other), "Other");
        let missing = BurrError::State(burr_core::StateError::MissingKey {
            key: "k".into(),
            known: vec![],
        });
        assert_eq!(error_kind(&missing), "MissingKey");
        assert!(format_exception(&missing, "a", 0).ends_with("MissingKey: key `k` not found in state; keys state knows about are: []; make sure an earlier action wrote it and that the action reading it declares it in `reads`\n"));
    }

    #[test]
    fn project_names_follow_burr() {
        for ok in ["p", "demo_counter", "a-b:c", "X9"] {
            assert!(validate_project(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a/b", "..", ".x", "é", "a\0"] {
            assert!(validate_project(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn span_attribute_and_stream_events_need_a_created_app() {
        let root = tempfile::tempdir().unwrap();
        let client = LocalTrackingClient::new("p")
            .unwrap()
            .with_storage_dir(root.path());
        let span = SpanInfo {
            uid: "0:0".into(),
            name: "s".into(),
            parent_uid: None,
            dependencies: vec![],
            action_sequence_id: 0,
        };
        // Nothing is created for an application the client never saw.
        let line = BeginSpanLine {
            start_time: Timestamp::local_at(SystemTime::now()),
            action_sequence_id: 0,
            span_id: &span.uid,
            span_name: &span.name,
            parent_span_id: None,
            span_dependencies: &[],
        };
        client.append("ghost", "begin_span", &line, false);
        assert!(!root.path().join("p").exists());
    }
}
