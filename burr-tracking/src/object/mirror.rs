//! A local mirror of the tracking data in a bucket: the objects listed since the last look
//! are fetched once and applied to a folder in the local layout (`{project}/{app_id}/`
//! with `graph.json`, `metadata.json`, `log.jsonl`, `children.jsonl`), which the server and
//! the loader then read as any tracking root. A SQLite index beside it records every object
//! seen, the newest time applied per project, and how long each mirrored log was after its
//! last object, so a restart lists only from where it was (less a minute, for objects that
//! arrived late) and fetches no object twice, and a crash between an append and its record
//! is repaired by cutting the log back.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt as _;
use object_store::ObjectStoreExt as _;
use rusqlite::{Connection, OptionalExtension as _, params};

use super::keys::{FileKind, ObjectKey, data_prefix, parse_key, project_prefix, time_offset};
use super::{ObjectRoot, ObjectStoreError};
use crate::client::validate_project;
use crate::layout::{CHILDREN_FILE, GRAPH_FILE, LOG_FILE, METADATA_FILE};

/// How far before the newest object applied a listing starts again: objects whose name is
/// older than the newest one seen, because their upload took long or their writer's clock
/// is behind, are still found within this.
const LATE: Duration = Duration::from_secs(60);
/// The largest object fetched.
const MAX_OBJECT: u64 = 256 << 20;

/// What one look at the bucket did.
///
/// # Examples
///
/// ```
/// let report = burr_tracking::object::SyncReport::default();
/// assert_eq!(report.fetched, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Listing requests made.
    pub lists: usize,
    /// Objects fetched (and applied).
    pub fetched: usize,
    /// Objects skipped: not tracking objects, or with ids that cannot name a folder.
    pub skipped: usize,
}

/// A local mirror of a bucket's tracking data: each look ([`Mirror::sync`]) fetches the
/// objects listed since the previous one, once, and applies them to a folder in the local
/// layout ([`Mirror::data_dir`]) that the server and the loader read as any tracking root. A
/// SQLite index beside it records every object seen, the newest time applied per project and
/// the length of each mirrored log after its last object: a restart lists only from where it
/// was (less a minute, for objects that arrived late) and fetches no object twice, and a
/// crash between an append and its record is repaired by cutting the log back.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = tempfile::tempdir().unwrap();
/// let root = burr_tracking::object::ObjectRoot::open("memory:///").unwrap();
/// let mirror = burr_tracking::object::Mirror::open(root, dir.path()).unwrap();
/// let report = mirror.sync().await.unwrap();
/// assert_eq!(report.fetched, 0);
/// assert!(mirror.data_dir().is_dir());
/// # });
/// ```
#[derive(Debug)]
pub struct Mirror {
    root: ObjectRoot,
    data: PathBuf,
    index_path: PathBuf,
    index: Mutex<Connection>,
}

impl Mirror {
    /// A mirror of `root` kept in `dir` (its data in `dir/data`, its index in
    /// `dir/index.sqlite3`), created if missing.
    ///
    /// # Errors
    ///
    /// [`ObjectStoreError::Io`] or [`ObjectStoreError::Index`] when the folder or the index
    /// cannot be created or opened.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let root = burr_tracking::object::ObjectRoot::open("memory:///")?;
    /// let mirror = burr_tracking::object::Mirror::open(root, dir.path())?;
    /// assert_eq!(mirror.data_dir(), dir.path().join("data"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(root: ObjectRoot, dir: &Path) -> Result<Mirror, ObjectStoreError> {
        let data = dir.join("data");
        std::fs::create_dir_all(&data).map_err(|e| ObjectStoreError::io(&data, e))?;
        let index_path = dir.join("index.sqlite3");
        let index_error = |source| ObjectStoreError::Index {
            path: index_path.clone(),
            source,
        };
        let index = Connection::open(&index_path).map_err(index_error)?;
        index
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS objects (
                     key TEXT PRIMARY KEY, project TEXT NOT NULL, applied INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS projects (
                     name TEXT PRIMARY KEY, newest_micros INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS apps (
                     project TEXT NOT NULL, app_id TEXT NOT NULL,
                     log_len INTEGER NOT NULL, children_len INTEGER NOT NULL,
                     PRIMARY KEY (project, app_id));",
            )
            .map_err(index_error)?;
        Ok(Mirror {
            root,
            data,
            index_path,
            index: Mutex::new(index),
        })
    }

    /// The mirrored tracking root, to serve or load from.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let root = burr_tracking::object::ObjectRoot::open("memory:///")?;
    /// let mirror = burr_tracking::object::Mirror::open(root, dir.path())?;
    /// assert!(mirror.data_dir().ends_with("data"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The store mirrored.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let root = burr_tracking::object::ObjectRoot::open("memory:///")?;
    /// let mirror = burr_tracking::object::Mirror::open(root, dir.path())?;
    /// assert_eq!(mirror.root().url(), "memory:///");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn root(&self) -> &ObjectRoot {
        &self.root
    }

    /// Looks at every project of the bucket once and applies the objects new since the last
    /// look.
    ///
    /// # Errors
    ///
    /// [`ObjectStoreError::Store`] when the store cannot be listed or read (what was applied
    /// before stays applied), [`ObjectStoreError::Io`] or [`ObjectStoreError::Index`] for the
    /// local side.
    ///
    /// # Examples
    ///
    /// See [`Mirror`].
    pub async fn sync(&self) -> Result<SyncReport, ObjectStoreError> {
        let listing = self
            .root
            .store()
            .list_with_delimiter(Some(&data_prefix(self.root.prefix())))
            .await
            .map_err(|source| self.store_error(source))?;
        let mut report = SyncReport {
            lists: 1,
            ..SyncReport::default()
        };
        for project in listing.common_prefixes {
            let Some(name) = project.filename() else {
                continue;
            };
            if validate_project(name).is_err() {
                continue;
            }
            let part = self.sync_project(name).await?;
            report.lists += part.lists;
            report.fetched += part.fetched;
            report.skipped += part.skipped;
        }
        Ok(report)
    }

    /// [`Mirror::sync`] for one project only.
    ///
    /// # Errors
    ///
    /// As [`Mirror::sync`].
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let root = burr_tracking::object::ObjectRoot::open("memory:///").unwrap();
    /// let mirror = burr_tracking::object::Mirror::open(root, dir.path()).unwrap();
    /// assert_eq!(mirror.sync_project("chatbot").await.unwrap().lists, 1);
    /// # });
    /// ```
    pub async fn sync_project(&self, project: &str) -> Result<SyncReport, ObjectStoreError> {
        let newest = self.newest(project)?;
        let prefix = project_prefix(self.root.prefix(), project);
        let store = self.root.store();
        let listed: Vec<object_store::ObjectMeta> = match newest {
            Some(newest) => {
                let from = newest.checked_sub(LATE).unwrap_or(UNIX_EPOCH);
                let offset = time_offset(self.root.prefix(), project, from);
                store
                    .list_with_offset(Some(&prefix), &offset)
                    .try_collect()
                    .await
            }
            None => store.list(Some(&prefix)).try_collect().await,
        }
        .map_err(|source| self.store_error(source))?;
        let mut report = SyncReport {
            lists: 1,
            ..SyncReport::default()
        };
        let mut listed = listed;
        listed.sort_by(|a, b| a.location.as_ref().cmp(b.location.as_ref()));
        for meta in listed {
            if self.seen(meta.location.as_ref())? {
                continue;
            }
            let key = match parse_key(self.root.prefix(), &meta.location) {
                Ok(key) if key.project == project && meta.size <= MAX_OBJECT => key,
                Ok(_) | Err(_) => {
                    tracing::warn!(
                        target: "burr_tracking::object",
                        "skipped {}: not a tracking object of project {project}",
                        meta.location
                    );
                    self.record(meta.location.as_ref(), project, None, false)?;
                    report.skipped += 1;
                    continue;
                }
            };
            let bytes = store
                .get(&meta.location)
                .await
                .map_err(|source| self.store_error(source))?
                .bytes()
                .await
                .map_err(|source| self.store_error(source))?;
            report.fetched += 1;
            let lengths = self.apply(&key, &bytes)?;
            self.record(meta.location.as_ref(), project, Some((&key, lengths)), true)?;
        }
        Ok(report)
    }

    fn store_error(&self, source: object_store::Error) -> ObjectStoreError {
        ObjectStoreError::Store {
            url: self.root.url().to_string(),
            source,
        }
    }

    fn index_error(&self, source: rusqlite::Error) -> ObjectStoreError {
        ObjectStoreError::Index {
            path: self.index_path.clone(),
            source,
        }
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.index.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn newest(&self, project: &str) -> Result<Option<SystemTime>, ObjectStoreError> {
        let micros: Option<i64> = self
            .db()
            .query_row(
                "SELECT newest_micros FROM projects WHERE name = ?1",
                [project],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.index_error(e))?;
        Ok(micros.map(|m| UNIX_EPOCH + Duration::from_micros(m.max(0) as u64)))
    }

    fn seen(&self, key: &str) -> Result<bool, ObjectStoreError> {
        self.db()
            .query_row("SELECT 1 FROM objects WHERE key = ?1", [key], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.index_error(e))
    }

    /// The lengths the mirrored log and children files had after their last object.
    fn lengths(&self, project: &str, app_id: &str) -> Result<Option<(u64, u64)>, ObjectStoreError> {
        self.db()
            .query_row(
                "SELECT log_len, children_len FROM apps WHERE project = ?1 AND app_id = ?2",
                params![project, app_id],
                |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
            )
            .optional()
            .map_err(|e| self.index_error(e))
    }

    /// Records an object as seen (and, when applied, the lengths it left and its time).
    fn record(
        &self,
        key: &str,
        project: &str,
        applied: Option<(&ObjectKey, (u64, u64))>,
        ok: bool,
    ) -> Result<(), ObjectStoreError> {
        let mut db = self.db();
        let tx = db.transaction().map_err(|e| self.index_error(e))?;
        tx.execute(
            "INSERT OR IGNORE INTO objects (key, project, applied) VALUES (?1, ?2, ?3)",
            params![key, project, ok],
        )
        .map_err(|e| self.index_error(e))?;
        if let Some((object, (log_len, children_len))) = applied {
            tx.execute(
                "INSERT INTO apps (project, app_id, log_len, children_len) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (project, app_id) DO UPDATE SET log_len = ?3, children_len = ?4",
                params![project, object.app_id, log_len as i64, children_len as i64],
            )
            .map_err(|e| self.index_error(e))?;
            if let Some(time) = object.time {
                let micros = time
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_micros() as i64);
                tx.execute(
                    "INSERT INTO projects (name, newest_micros) VALUES (?1, ?2)
                     ON CONFLICT (name) DO UPDATE SET newest_micros = max(newest_micros, ?2)",
                    params![project, micros],
                )
                .map_err(|e| self.index_error(e))?;
            }
        }
        tx.commit().map_err(|e| self.index_error(e))
    }

    /// Applies one object to the mirrored folder of its application; returns the lengths of
    /// its log and children files after it.
    fn apply(&self, key: &ObjectKey, bytes: &[u8]) -> Result<(u64, u64), ObjectStoreError> {
        let dir = self.data.join(&key.project).join(&key.app_id);
        std::fs::create_dir_all(&dir).map_err(|e| ObjectStoreError::io(&dir, e))?;
        let (mut log_len, mut children_len) =
            self.lengths(&key.project, &key.app_id)?.unwrap_or((0, 0));
        // Cut what a crash may have appended after the last recorded object.
        let log = dir.join(LOG_FILE);
        let children = dir.join(CHILDREN_FILE);
        for (path, len) in [(&log, log_len), (&children, children_len)] {
            if let Ok(file) = std::fs::OpenOptions::new().write(true).open(path)
                && file.metadata().is_ok_and(|m| m.len() > len)
            {
                file.set_len(len)
                    .map_err(|e| ObjectStoreError::io(path, e))?;
            }
        }
        if !log.exists() {
            std::fs::write(&log, b"").map_err(|e| ObjectStoreError::io(&log, e))?;
        }
        match key.kind {
            FileKind::Graph => replace(&dir.join(GRAPH_FILE), bytes)?,
            FileKind::Metadata => replace(&dir.join(METADATA_FILE), bytes)?,
            FileKind::Log => log_len += append_lines(&log, bytes)?,
            FileKind::Children => children_len += append_lines(&children, bytes)?,
        }
        Ok((log_len, children_len))
    }
}

/// Writes `bytes` as the new content of `path` (a new file renamed over the old one).
fn replace(path: &Path, bytes: &[u8]) -> Result<(), ObjectStoreError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| ObjectStoreError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| ObjectStoreError::io(path, e))
}

/// Appends `bytes` to `path` as whole lines (a newline added after a last line without one,
/// as Apache Burr writes its objects); returns how many bytes were appended.
fn append_lines(path: &Path, bytes: &[u8]) -> Result<u64, ObjectStoreError> {
    if bytes.is_empty() {
        return Ok(0);
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| ObjectStoreError::io(path, e))?;
    let mut out = bytes.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    file.write_all(&out)
        .map_err(|e| ObjectStoreError::io(path, e))?;
    Ok(out.len() as u64)
}
