//! The open logs of the applications a client tracks, and how lines reach the disk: whole,
//! a step's lines together in one write.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use serde::Serialize;

use crate::format::write_json_line;
use crate::layout::LOG_FILE;

use super::flush::{Flusher, TICK, Wake};
use super::{LocalTrackingClient, TrackingError};

/// How many application logs one client keeps open at once; beyond this the one opened
/// longest ago is closed (and reopened if that application logs again).
const MAX_OPEN_APPS: usize = 256;

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

/// What the clones of one client share: the open logs, and the flusher that writes out the
/// lines a step has held too long (started with the first held line, stopped when the last
/// clone is dropped).
#[derive(Debug, Default)]
pub(super) struct Shared {
    pub(super) logs: Arc<Logs>,
    /// `None` inside when the flusher thread could not be started: lines are then written at
    /// once instead of being held.
    flusher: OnceLock<Option<Flusher>>,
    /// With an object store as the root: what ships the spool there. Declared after the
    /// flusher, so it is dropped after the flusher wrote out the held lines, and ships them.
    #[cfg(feature = "object-store")]
    pub(super) shipper: Option<crate::object::ship::Shipper>,
}

impl Shared {
    /// Shared state whose flusher looks at the logs every `tick`.
    #[cfg(test)]
    pub(super) fn with_tick(tick: Duration) -> Shared {
        Shared {
            logs: Arc::new(Logs {
                tick,
                ..Logs::default()
            }),
            flusher: OnceLock::new(),
            #[cfg(feature = "object-store")]
            shipper: None,
        }
    }

    /// How many writes the open log of `app_id` has made.
    #[cfg(test)]
    pub(super) fn writes(&self, app_id: &str) -> Option<u64> {
        let apps = self.logs.apps.read().unwrap();
        apps.get(app_id).map(|log| log.lock().unwrap().writes)
    }

    /// Shared state of a client that ships its spool with `shipper`.
    #[cfg(feature = "object-store")]
    pub(super) fn shipping(shipper: crate::object::ship::Shipper) -> Shared {
        Shared {
            shipper: Some(shipper),
            ..Shared::default()
        }
    }

    /// Whether lines may be held: the flusher runs (it is started on the first call).
    fn can_hold(&self) -> bool {
        self.flusher
            .get_or_init(|| Flusher::start(&self.logs))
            .is_some()
    }
}

/// The open logs, and how the flusher is woken.
#[derive(Debug)]
pub(super) struct Logs {
    apps: RwLock<AppTable>,
    /// Ticks ordering the opening of logs, for closing the oldest beyond the limit.
    clock: std::sync::atomic::AtomicU64,
    pub(super) wake: Wake,
    /// How often the flusher looks at logs holding lines ([`TICK`]; longer in tests that
    /// count writes).
    pub(super) tick: Duration,
}

impl Default for Logs {
    fn default() -> Self {
        Logs {
            apps: RwLock::default(),
            clock: Default::default(),
            wake: Wake::default(),
            tick: TICK,
        }
    }
}

impl Logs {
    /// The table of open logs, for reading (a panic elsewhere does not make it unusable).
    fn table(&self) -> std::sync::RwLockReadGuard<'_, AppTable> {
        self.apps.read().unwrap_or_else(|p| p.into_inner())
    }

    /// One pass of the flusher: writes out the lines each log has held since the previous
    /// pass. Returns whether lines are still held (the flusher then comes back a tick later).
    pub(super) fn flush_overdue(&self) -> bool {
        let logs: Vec<Arc<Mutex<AppLog>>> = { self.table().values().cloned().collect() };
        let mut pending = false;
        for log in logs {
            // A hook holds the lock only to add a line or write: this waits microseconds.
            pending |= log
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .flush_if_overdue();
        }
        pending
    }

    /// Writes out every held line (when the client goes away).
    pub(super) fn flush_all(&self) {
        for log in self.table().values() {
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .flush_reported();
        }
    }
}

/// The open log of one application and its reusable line buffer, which holds the complete
/// lines of the step in progress until the step ends.
#[derive(Debug)]
pub(super) struct AppLog {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    last_used: u64,
    /// How many writes this log has made (failed ones included).
    writes: u64,
    /// The value of `writes` when the flusher last found lines held: if it finds them held
    /// again with the same count, they have waited at least one tick.
    seen_held: Option<u64>,
    /// Whether the current stream of this application already logged its first item.
    pub(super) first_item_logged: Option<u64>,
    /// A write failed (disk full...) and may have left part of a line: cut it before the
    /// next write.
    needs_repair: bool,
}

impl LocalTrackingClient {
    pub(super) fn insert(&self, app_id: &str, path: PathBuf, file: File) -> Arc<Mutex<AppLog>> {
        let tick = self.tick();
        let log = Arc::new(Mutex::new(AppLog {
            path,
            file,
            buf: Vec::with_capacity(1024),
            last_used: tick,
            writes: 0,
            seen_held: None,
            first_item_logged: None,
            needs_repair: false,
        }));
        let mut apps = self
            .shared
            .logs
            .apps
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if apps.len() >= MAX_OPEN_APPS && !apps.contains_key(app_id) {
            let oldest = apps
                .iter()
                .min_by_key(|(_, l)| l.lock().map_or(0, |l| l.last_used))
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest
                && let Some(closed) = apps.remove(&oldest)
            {
                // Written out now, under the table's lock: a reopened log must not get the
                // step's end before the lines held here.
                closed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .flush_reported();
            }
        }
        if let Some(replaced) = apps.insert(Arc::from(app_id), log.clone()) {
            replaced
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .flush_reported();
        }
        log
    }

    fn tick(&self) -> u64 {
        self.shared
            .logs
            .clock
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `f` on the open log of `app_id`: from the table, or reopened when the
    /// application was created earlier (its log exists) and its file was closed to stay under
    /// the limit. Does nothing for an application this client never set up.
    pub(super) fn with_log(&self, app_id: &str, f: impl FnOnce(&mut AppLog)) {
        {
            if let Some(log) = self.shared.logs.table().get(app_id) {
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

    /// Writes out the lines `app_id` holds, if its log is open: before the log is read here.
    pub(super) fn flush_app(&self, app_id: &str) {
        if let Some(log) = self.shared.logs.table().get(app_id) {
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .flush_reported();
        }
    }

    /// Whether lines may be held until the step ends (the flusher runs).
    pub(super) fn can_hold(&self) -> bool {
        self.shared.can_hold()
    }

    /// Tells the flusher that a log has started holding lines.
    pub(super) fn held(&self) {
        self.shared.logs.wake.held();
    }

    /// Serializes one record into the application's buffer, after the lines it holds. With
    /// `hold` the line waits there for the end of the step (or for the flusher); without,
    /// the buffer is written out in one write.
    pub(super) fn append(
        &self,
        app_id: &str,
        what: &'static str,
        record: &impl Serialize,
        hold: bool,
    ) {
        self.append_each(app_id, what, std::iter::once(record), hold);
    }

    /// Like [`LocalTrackingClient::append`] for several records.
    pub(super) fn append_each<R: Serialize>(
        &self,
        app_id: &str,
        what: &'static str,
        records: impl IntoIterator<Item = R>,
        hold: bool,
    ) {
        let hold = hold && self.can_hold();
        let mut started = false;
        #[cfg(feature = "object-store")]
        let mut lines = 0;
        self.with_log(app_id, |log| {
            for record in records {
                match log.append(&record, what, app_id, hold) {
                    Ok(s) => started |= s,
                    Err(e) => report(app_id, &e),
                }
                #[cfg(feature = "object-store")]
                {
                    lines += 1;
                }
            }
        });
        #[cfg(feature = "object-store")]
        if let Some(shipper) = &self.shared.shipper {
            shipper.wrote(lines);
        }
        if started {
            self.held();
        }
    }
}

/// Held lines are written out beyond this many bytes even before the step ends.
const MAX_HELD: usize = 256 * 1024;

impl AppLog {
    /// Serializes `record` as one line after the lines already held, then writes them all in
    /// one write unless `hold` (and the held lines are still small). Returns whether this
    /// line is the first one held (the flusher must then know).
    pub(super) fn append(
        &mut self,
        record: &impl Serialize,
        what: &'static str,
        app_id: &str,
        hold: bool,
    ) -> Result<bool, TrackingError> {
        let was_empty = self.buf.is_empty();
        write_json_line(&mut self.buf, record).map_err(|source| TrackingError::Serialize {
            what,
            app_id: app_id.to_string(),
            source,
        })?;
        if hold && self.buf.len() < MAX_HELD {
            return Ok(was_empty);
        }
        self.flush().map(|()| false)
    }

    /// The flusher's look at this log: writes out lines it already found held a tick ago
    /// (without a write since). Returns whether lines are still held.
    fn flush_if_overdue(&mut self) -> bool {
        if self.buf.is_empty() {
            self.seen_held = None;
            return false;
        }
        if self.seen_held == Some(self.writes) {
            self.flush_reported();
            return false;
        }
        self.seen_held = Some(self.writes);
        true
    }

    /// [`AppLog::flush`], reporting its error.
    pub(super) fn flush_reported(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!(target: "burr_tracking::client", "tracking failed: {e}");
        }
    }

    /// Cuts a torn last line (left by a process killed mid-write) before lines are appended
    /// outside the hooks, so that they start on a line of their own.
    pub(super) fn cut_torn_tail(&mut self) -> Result<Option<u64>, TrackingError> {
        drop_torn_tail(&self.file).map_err(|e| TrackingError::io(&self.path, e))
    }

    /// Writes the buffered complete lines in one write.
    fn flush(&mut self) -> Result<(), TrackingError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.writes += 1;
        self.seen_held = None;
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
        self.flush_reported();
    }
}

/// Cuts a torn last line (bytes after the last `\n`, left by a process killed mid-write) off
/// a log about to be appended to, so that the new lines do not glue onto it. Returns how many
/// bytes were removed.
pub(super) fn drop_torn_tail(file: &File) -> io::Result<Option<u64>> {
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

pub(super) fn report(app_id: &str, error: &TrackingError) {
    tracing::error!(target: "burr_tracking::client", app_id, "tracking failed: {error}");
}

pub(super) fn open_append(path: &Path) -> Result<File, TrackingError> {
    OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| TrackingError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log_on(path: &Path, file: File) -> AppLog {
        AppLog {
            path: path.to_path_buf(),
            file,
            buf: Vec::new(),
            last_used: 0,
            writes: 0,
            seen_held: None,
            first_item_logged: None,
            needs_repair: false,
        }
    }

    #[test]
    fn a_failed_write_is_repaired_before_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        // A disk that is full: the write of the held lines and the step's end fails.
        let full = OpenOptions::new().append(true).open("/dev/full");
        let Ok(full) = full else {
            return; // no /dev/full on this system
        };
        let mut log = log_on(&path, full);
        assert!(
            log.append(&json!({"n": 1}), "begin_entry", "a", true)
                .unwrap()
        );
        let err = log.append(&json!({"n": 2}), "end_entry", "a", false);
        assert!(matches!(err, Err(TrackingError::Io { .. })), "{err:?}");
        assert!(log.needs_repair && log.buf.is_empty());
        // What such a write may leave behind: complete lines, then part of one.
        std::fs::write(&path, b"{\"n\":0}\n{\"n\":1}\n{\"n\":").unwrap();
        log.file = open_append(&path).unwrap();
        // The next write first cuts the torn line, then goes out whole.
        log.append(&json!({"n": 3}), "begin_entry", "a", true)
            .unwrap();
        log.append(&json!({"n": 4}), "end_entry", "a", false)
            .unwrap();
        assert!(!log.needs_repair);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "{\"n\":0}\n{\"n\":1}\n{\"n\":3}\n{\"n\":4}\n");
        assert_eq!(log.writes, 2);
    }
}
