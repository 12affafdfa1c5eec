//! The shipper: a thread per tracking client that copies what the client wrote into its
//! local spool folder to the object store, as new objects in Apache Burr's layout.
//!
//! The client writes as it always does, into a spool folder of its own (a tracking root on
//! the local disk, locked by this client): a step never waits for the network. The shipper
//! looks every interval (or as soon as `batch` new lines were written, or when asked to
//! flush) and uploads, for each application, its `graph.json` and `metadata.json` once, and
//! the whole lines its `log.jsonl` and `children.jsonl` gained since the previous upload, as
//! one new object each. How far each file was shipped is saved in the spool after every
//! upload, so a failed upload is retried (with a growing pause, up to 30 s) from where it
//! stopped, and a process that dies leaves its spool to the next client started on the same
//! spool base, which ships it and removes it. A client that goes away ships what is left
//! (for at most its shutdown bound) and removes its spool when everything was shipped.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use object_store::{Attribute, Attributes, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

use super::keys::{KeyClock, object_key};
use super::{ObjectRoot, ObjectStoreError};
use crate::client::validate_project;
use crate::format::{LineProbe, RecordKind};
use crate::layout::{CHILDREN_FILE, GRAPH_FILE, IdKind, LOG_FILE, METADATA_FILE, validate_id};
use crate::read;

/// The file in a spool folder saying how far each file was shipped.
const SHIPPED_FILE: &str = ".shipped.json";
/// The lock file a client holds on its spool folder while it runs.
const LOCK_FILE: &str = ".lock";
/// The most bytes of lines one object holds.
const MAX_OBJECT: usize = 8 << 20;
/// The longest pause between two attempts while the store fails.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How a shipper batches and how long it waits for the store.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use burr_tracking::object::ShipOptions;
/// let o = ShipOptions::default();
/// assert_eq!(o.interval, Duration::from_secs(1));
/// assert_eq!(o.batch, 10_000);
/// ```
#[derive(Debug, Clone)]
pub struct ShipOptions {
    /// The longest a written line waits before it is uploaded.
    pub interval: Duration,
    /// Lines written that trigger an upload before the interval is over.
    pub batch: u64,
    /// The bound on one request to the store.
    pub request_timeout: Duration,
    /// How long a client that goes away keeps trying to ship what is left.
    pub shutdown_timeout: Duration,
}

impl Default for ShipOptions {
    fn default() -> Self {
        ShipOptions {
            interval: Duration::from_secs(1),
            batch: 10_000,
            request_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// How far each file of an application was shipped.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
struct Shipped {
    partition_key: Option<String>,
    graph: bool,
    metadata: bool,
    log: u64,
    children: u64,
}

/// One application of a spool folder.
struct AppAt<'a> {
    project: &'a str,
    app_id: &'a str,
    dir: &'a Path,
}

/// What the client and the shipper thread share.
#[derive(Debug)]
struct Inner {
    root: ObjectRoot,
    spool: PathBuf,
    options: ShipOptions,
    /// Lines written since the last upload.
    lines: AtomicU64,
    /// The store keeps no user metadata: objects are put without it.
    plain: AtomicBool,
    signal: Mutex<Signal>,
    cv: Condvar,
}

#[derive(Debug, Default)]
struct Signal {
    stop: bool,
    /// Flushes asked for, and the last one done.
    asked: u64,
    done: u64,
    /// The error of the last pass, if it failed, and the last flush asked when it started.
    error: Option<String>,
    failed: u64,
}

/// The running shipper of one client; dropping it ships what is left and stops the thread.
#[derive(Debug)]
pub(crate) struct Shipper {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
    _lock: File,
}

impl Shipper {
    /// Creates a spool folder of its own under `base` and starts shipping it (and any spool
    /// left there by a client that is gone) to `root`.
    pub(crate) fn start(
        root: ObjectRoot,
        base: &Path,
        options: ShipOptions,
    ) -> Result<Shipper, ObjectStoreError> {
        // Made under a hidden name and locked before it gets its own: a client looking for
        // spools left behind never sees one that is not locked yet.
        let id = uuid::Uuid::new_v4().to_string();
        let making = base.join(format!(".{id}"));
        std::fs::create_dir_all(&making).map_err(|e| ObjectStoreError::io(&making, e))?;
        let lock = lock(&making)?.ok_or_else(|| {
            ObjectStoreError::io(&making, std::io::Error::other("locked by another client"))
        })?;
        let spool = base.join(id);
        std::fs::rename(&making, &spool).map_err(|e| ObjectStoreError::io(&spool, e))?;
        let inner = Arc::new(Inner {
            root,
            spool,
            options,
            lines: AtomicU64::new(0),
            plain: AtomicBool::new(false),
            signal: Mutex::new(Signal::default()),
            cv: Condvar::new(),
        });
        let leftovers = leftovers(base, &inner.spool);
        let worker = inner.clone();
        let thread = std::thread::Builder::new()
            .name("burr-ship".into())
            .spawn(move || worker.run(leftovers))
            .map_err(|e| ObjectStoreError::io(base, e))?;
        Ok(Shipper {
            inner,
            thread: Some(thread),
            _lock: lock,
        })
    }

    /// The spool folder: the tracking root the client writes to.
    pub(crate) fn spool(&self) -> &Path {
        &self.inner.spool
    }

    /// Where the client's loader mirrors the bucket: `.mirror` under the spool base (hidden,
    /// so never taken for a spool left behind).
    pub(crate) fn mirror_dir(&self) -> PathBuf {
        self.inner.spool.parent().map_or_else(
            || self.inner.spool.join(".mirror"),
            |base| base.join(".mirror"),
        )
    }

    /// The store.
    pub(crate) fn root(&self) -> &ObjectRoot {
        &self.inner.root
    }

    /// `n` lines were written: ships early once a batch is full.
    pub(crate) fn wrote(&self, n: u64) {
        let before = self.inner.lines.fetch_add(n, Ordering::Relaxed);
        if before < self.inner.options.batch && before + n >= self.inner.options.batch {
            self.inner.cv.notify_all();
        }
    }

    /// Ships everything written so far; waits at most `timeout`.
    pub(crate) fn flush(&self, timeout: Duration) -> Result<(), ObjectStoreError> {
        let url = self.inner.root.url().to_string();
        let mut signal = self.inner.lock();
        signal.asked += 1;
        let ticket = signal.asked;
        self.inner.cv.notify_all();
        let deadline = Instant::now() + timeout;
        loop {
            if signal.done >= ticket {
                return Ok(());
            }
            if signal.failed >= ticket
                && let Some(error) = &signal.error
            {
                return Err(ObjectStoreError::Unavailable {
                    url,
                    reason: error.clone(),
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ObjectStoreError::Timeout {
                    url,
                    after: timeout,
                });
            }
            signal = self
                .inner
                .cv
                .wait_timeout(signal, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Shipper {
    fn drop(&mut self) {
        self.inner.lock().stop = true;
        self.inner.cv.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Signal> {
        self.signal.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The thread: waits for work, ships, and on stop ships what is left.
    fn run(self: Arc<Self>, leftovers: Vec<(PathBuf, File)>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(target: "burr_tracking::object", "cannot start the shipper: {e}");
                return;
            }
        };
        let clock = KeyClock::default();
        for (spool, _lock) in leftovers {
            match runtime.block_on(self.ship_folder(&spool, &clock)) {
                Ok(()) => {
                    let _ = std::fs::remove_dir_all(&spool);
                }
                Err(e) => tracing::warn!(
                    target: "burr_tracking::object",
                    "a spool left by an earlier client was not shipped yet: {e}"
                ),
            }
        }
        let mut backoff: Option<Duration> = None;
        loop {
            let (stop, ticket) = {
                let mut signal = self.lock();
                let wait = backoff.unwrap_or(self.options.interval);
                let deadline = Instant::now() + wait;
                loop {
                    let full = self.lines.load(Ordering::Relaxed) >= self.options.batch;
                    if signal.stop || (signal.asked > signal.done.max(signal.failed)) || full {
                        break;
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    signal = self
                        .cv
                        .wait_timeout(signal, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                (signal.stop, signal.asked)
            };
            self.lines.store(0, Ordering::Relaxed);
            let bound = if stop {
                self.options.shutdown_timeout
            } else {
                self.options.request_timeout
            };
            let result = runtime.block_on(async {
                tokio::time::timeout(bound, self.ship_folder(&self.spool, &clock))
                    .await
                    .unwrap_or_else(|_| {
                        Err(ObjectStoreError::Timeout {
                            url: self.root.url().to_string(),
                            after: bound,
                        })
                    })
            });
            {
                let mut signal = self.lock();
                match &result {
                    Ok(()) => {
                        signal.done = ticket;
                        signal.error = None;
                        backoff = None;
                    }
                    Err(e) => {
                        if signal.error.is_none() {
                            tracing::error!(
                                target: "burr_tracking::object",
                                "cannot ship tracking data (kept, retried): {e}"
                            );
                        }
                        signal.error = Some(e.to_string());
                        signal.failed = ticket;
                        backoff = Some(
                            backoff
                                .map_or(Duration::from_millis(200), |b| (b * 2).min(MAX_BACKOFF)),
                        );
                    }
                }
                self.cv.notify_all();
            }
            if stop {
                if result.is_ok() {
                    let _ = std::fs::remove_dir_all(&self.spool);
                } else {
                    tracing::error!(
                        target: "burr_tracking::object",
                        "tracking data not shipped is kept in {}; the next client on this spool ships it",
                        self.spool.display()
                    );
                }
                return;
            }
        }
    }

    /// Ships every application of one spool folder.
    async fn ship_folder(&self, spool: &Path, clock: &KeyClock) -> Result<(), ObjectStoreError> {
        let state_path = spool.join(SHIPPED_FILE);
        let mut shipped: BTreeMap<String, Shipped> = match std::fs::read(&state_path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(_) => BTreeMap::new(),
        };
        let projects = match std::fs::read_dir(spool) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(ObjectStoreError::io(spool, e)),
        };
        // Every project of the spool: a spool left by another client may hold another one.
        for project in projects.flatten() {
            let Some(name) = project.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if validate_project(&name).is_err() || !project.path().is_dir() {
                continue;
            }
            let project_dir = project.path();
            let entries = std::fs::read_dir(&project_dir)
                .map_err(|e| ObjectStoreError::io(&project_dir, e))?;
            for entry in entries.flatten() {
                let Some(app_id) = entry.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if validate_id(IdKind::App, &app_id).is_err() || !entry.path().is_dir() {
                    continue;
                }
                let at = AppAt {
                    project: &name,
                    app_id: &app_id,
                    dir: &entry.path(),
                };
                let slot = format!("{name}/{app_id}");
                let mut app = shipped.get(&slot).cloned().unwrap_or_default();
                let result = self
                    .ship_app(&at, &mut app, clock, &state_path, &mut shipped)
                    .await;
                shipped.insert(slot, app);
                result?;
            }
        }
        Ok(())
    }

    /// Ships what one application gained; `app` (and the saved state) follow each upload.
    async fn ship_app(
        &self,
        at: &AppAt<'_>,
        app: &mut Shipped,
        clock: &KeyClock,
        state_path: &Path,
        all: &mut BTreeMap<String, Shipped>,
    ) -> Result<(), ObjectStoreError> {
        if !app.metadata {
            let path = at.dir.join(METADATA_FILE);
            let Ok(bytes) = std::fs::read(&path) else {
                return Ok(()); // not set up yet
            };
            app.partition_key = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v["partition_key"].as_str().map(str::to_string));
            self.put(at, app, METADATA_FILE.to_string(), bytes, None, clock)
                .await?;
            app.metadata = true;
            save(state_path, all, at, app)?;
        }
        if !app.graph
            && let Ok(bytes) = std::fs::read(at.dir.join(GRAPH_FILE))
        {
            self.put(at, app, GRAPH_FILE.to_string(), bytes, None, clock)
                .await?;
            app.graph = true;
            save(state_path, all, at, app)?;
        }
        for (file, suffix) in [
            (CHILDREN_FILE, "__children.jsonl"),
            (LOG_FILE, "__log.jsonl"),
        ] {
            loop {
                let offset = if file == LOG_FILE {
                    app.log
                } else {
                    app.children
                };
                let path = at.dir.join(file);
                let lines = whole_lines_from(&path, offset)?;
                if lines.is_empty() {
                    break;
                }
                let len = lines.len() as u64;
                let range = (file == LOG_FILE).then(|| sequence_range(&lines)).flatten();
                let name = format!("{}{suffix}", uuid::Uuid::new_v4());
                self.put(at, app, name, lines, range, clock).await?;
                if file == LOG_FILE {
                    app.log += len;
                } else {
                    app.children += len;
                }
                save(state_path, all, at, app)?;
            }
        }
        Ok(())
    }

    /// Uploads one object of `app_id`, with Burr's user metadata.
    async fn put(
        &self,
        at: &AppAt<'_>,
        app: &Shipped,
        file: String,
        bytes: Vec<u8>,
        range: Option<(u64, u64)>,
        clock: &KeyClock,
    ) -> Result<(), ObjectStoreError> {
        let key = object_key(
            self.root.prefix(),
            at.project,
            app.partition_key.as_deref(),
            at.app_id,
            &file,
            clock.next(),
        );
        let mut attributes = Attributes::new();
        attributes.insert(
            Attribute::Metadata("tracker_id".into()),
            self.spool
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("burr-rs")
                .to_string()
                .into(),
        );
        if let Some((min, max)) = range {
            attributes.insert(
                Attribute::Metadata("min_sequence_id".into()),
                min.to_string().into(),
            );
            attributes.insert(
                Attribute::Metadata("max_sequence_id".into()),
                max.to_string().into(),
            );
        }
        let payload = PutPayload::from(bytes);
        if !self.plain.load(Ordering::Relaxed) {
            let options = PutOptions {
                attributes,
                ..PutOptions::default()
            };
            match self.send(&key, payload.clone(), options).await {
                // A store without user metadata (local files): the objects go without it.
                Err(ObjectStoreError::Store {
                    source: object_store::Error::NotImplemented { .. },
                    ..
                }) => self.plain.store(true, Ordering::Relaxed),
                other => return other,
            }
        }
        self.send(&key, payload, PutOptions::default()).await
    }

    /// One `put` within the request bound.
    async fn send(
        &self,
        key: &object_store::path::Path,
        payload: PutPayload,
        options: PutOptions,
    ) -> Result<(), ObjectStoreError> {
        let request = self.root.store().put_opts(key, payload, options);
        match tokio::time::timeout(self.options.request_timeout, request).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(source)) => Err(ObjectStoreError::Store {
                url: self.root.url().to_string(),
                source,
            }),
            Err(_) => Err(ObjectStoreError::Timeout {
                url: self.root.url().to_string(),
                after: self.options.request_timeout,
            }),
        }
    }
}

/// Saves how far `app_id` was shipped, with the rest, atomically (a new file renamed over).
fn save(
    path: &Path,
    all: &mut BTreeMap<String, Shipped>,
    at: &AppAt<'_>,
    app: &Shipped,
) -> Result<(), ObjectStoreError> {
    all.insert(format!("{}/{}", at.project, at.app_id), app.clone());
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec(all).map_err(|e| ObjectStoreError::io(path, e.into()))?;
    std::fs::write(&tmp, bytes).map_err(|e| ObjectStoreError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| ObjectStoreError::io(path, e))
}

/// The whole lines of `path` after `offset`: at most [`MAX_OBJECT`] bytes of them, or the one
/// line there when it alone is longer; empty when there is no whole line (or no file). Only
/// what is returned (and, for a long line, up to its end) is read.
fn whole_lines_from(path: &Path, offset: u64) -> Result<Vec<u8>, ObjectStoreError> {
    let io = |e| ObjectStoreError::io(path, e);
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let len = file.metadata().map_err(io)?.len();
    if len <= offset {
        return Ok(Vec::new());
    }
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut reader = file.take(len - offset);
    let mut bytes = Vec::new();
    loop {
        let before = bytes.len();
        (&mut reader)
            .take(MAX_OBJECT as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() == before {
            return Ok(Vec::new()); // a torn last line: no whole line yet
        }
        // The first chunk ends at its last newline; a longer line, at its own end.
        let found = if before == 0 {
            memchr::memrchr(b'\n', &bytes)
        } else {
            memchr::memchr(b'\n', &bytes[before..]).map(|i| before + i)
        };
        if let Some(i) = found {
            bytes.truncate(i + 1);
            return Ok(bytes);
        }
    }
}

/// The smallest and largest steps the lines begin, for the object's `min_sequence_id` and
/// `max_sequence_id` (Burr's S3 server counts an app's steps from the largest
/// `max_sequence_id`). A line begins a step by the rule every count of steps here follows
/// ([`read::begun_step`], as the server counts them): a `begin_entry` the reader drops (an
/// invalid timestamp, a missing key) begins none, so it counts no step that no answer shows.
/// `None` when the lines begin no step (the rest of steps begun in an earlier object: their
/// spans, attributes and `end_entry`, whose steps that object's range holds already).
fn sequence_range(lines: &[u8]) -> Option<(u64, u64)> {
    lines
        .split(|b| *b == b'\n')
        .filter(|line| {
            LineProbe::read(line)
                .is_ok_and(|probe| probe.record_kind() == Some(RecordKind::BeginEntry))
        })
        .filter_map(|line| read::begun_step(line).ok().flatten())
        .fold(None, |range, seq| {
            Some(range.map_or((seq, seq), |(lo, hi): (u64, u64)| {
                (lo.min(seq), hi.max(seq))
            }))
        })
}

/// Takes the lock of a spool folder; `None` when another client holds it.
fn lock(spool: &Path) -> Result<Option<File>, ObjectStoreError> {
    let path = spool.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| ObjectStoreError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(ObjectStoreError::io(&path, e)),
    }
}

/// The spool folders under `base` that no running client holds (left by one that died or
/// could not ship everything), locked for this one.
fn leftovers(base: &Path, own: &Path) -> Vec<(PathBuf, File)> {
    let Ok(entries) = std::fs::read_dir(base) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p != own
                && p.is_dir()
                && !p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        })
        .filter_map(|p| match lock(&p) {
            Ok(Some(file)) => Some((p, file)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_lines_are_shipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        assert!(whole_lines_from(&path, 0).unwrap().is_empty());
        std::fs::write(
            &path,
            b"{\"type\":\"begin_entry\",\"sequence_id\":1}\n{\"type\":\"attribute\",\"action_sequence_id\":4}\n{\"sequ",
        )
        .unwrap();
        let lines = whole_lines_from(&path, 0).unwrap();
        assert_eq!(
            lines,
            b"{\"type\":\"begin_entry\",\"sequence_id\":1}\n{\"type\":\"attribute\",\"action_sequence_id\":4}\n"
        );
        // That begin_entry is no record (no time, no action): it begins no step.
        assert_eq!(sequence_range(&lines), None);
        assert!(
            whole_lines_from(&path, lines.len() as u64)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_line_longer_than_an_object_goes_alone_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        let long = format!(
            "{{\"type\":\"end_entry\",\"sequence_id\":7,\"x\":\"{}\"}}\n",
            "a".repeat(MAX_OBJECT + 10)
        );
        let short = "{\"type\":\"begin_entry\",\"sequence_id\":8}\n";
        std::fs::write(&path, format!("{long}{short}")).unwrap();
        let first = whole_lines_from(&path, 0).unwrap();
        assert_eq!(first.len(), long.len());
        assert_eq!(sequence_range(&first), None);
        let next = whole_lines_from(&path, first.len() as u64).unwrap();
        assert_eq!(next, short.as_bytes());
        // Torn after a long start: nothing until the line ends.
        std::fs::write(&path, &long[..MAX_OBJECT + 5]).unwrap();
        assert!(whole_lines_from(&path, 0).unwrap().is_empty());
    }

    #[test]
    fn the_range_holds_the_steps_begun_as_the_server_counts_them() {
        let begin = |seq: u64, time: &str| {
            format!(
                "{{\"type\":\"begin_entry\",\"start_time\":\"{time}\",\"action\":\"a\",\"inputs\":{{}},\"sequence_id\":{seq}}}\n"
            )
        };
        let end = |seq: u64| {
            format!(
                "{{\"type\":\"end_entry\",\"end_time\":\"2024-01-01T00:00:01\",\"action\":\"a\",\"result\":{{}},\"exception\":null,\"state\":{{}},\"sequence_id\":{seq}}}\n"
            )
        };
        let span = |seq: u64| {
            format!(
                "{{\"type\":\"end_span\",\"end_time\":\"2024-01-01T00:00:01Z\",\"action_sequence_id\":{seq},\"span_id\":\"{seq}:0\"}}\n"
            )
        };
        let ok = "2024-01-01T00:00:00";
        // Steps 3 and 4 begun; the last begin_entry has an invalid time: the reader drops it
        // (and with it step 5), as the server's count does.
        let lines = [
            end(2),
            span(2),
            begin(3, ok),
            end(3),
            begin(4, ok),
            end(4),
            begin(5, "2024-01-01T00:00:60"),
            span(5),
            end(5),
        ]
        .concat();
        assert_eq!(sequence_range(lines.as_bytes()), Some((3, 4)));
        for line in lines.lines() {
            let begun = crate::read::begun_step(line.as_bytes()).ok().flatten();
            let counted = sequence_range(format!("{line}\n").as_bytes()).map(|r| r.1);
            assert_eq!(counted, begun, "{line}");
        }
        // Only the rest of steps begun before, or only a dropped begin_entry: no range.
        assert_eq!(sequence_range([end(2), span(2)].concat().as_bytes()), None);
        assert_eq!(sequence_range(begin(9, "not a time").as_bytes()), None);
    }
}
