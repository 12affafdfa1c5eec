//! [`SqlitePersister`]: saves states in a SQLite table laid out as Apache Burr's
//! `SQLitePersister` lays it out, so each side reads what the other wrote.
//!
//! # Examples
//!
//! ```
//! use burr_core::StateSaver;
//! let persister = burr_tracking::persist::sqlite::SqlitePersister::in_memory()?;
//! persister.initialize()?;
//! assert!(persister.is_initialized()?);
//! # Ok::<(), burr_core::PersistenceError>(())
//! ```

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use burr_core::persistence::JournalEntry;
use burr_core::{PersistedState, PersistenceError, SaveRequest, StateLoader, StateSaver, Status};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};

use super::journal;
use super::sql::{Dialect, Statements, check_table_name};
use super::{
    DEFAULT_PARTITION_KEY, DEFAULT_TABLE_NAME, InvalidTableName, Retention, RowName,
    state_from_text, state_to_text, status_from_text,
};

/// Longest table name accepted (SQLite has no limit; this keeps names readable).
const MAX_TABLE_NAME_LEN: usize = 128;

/// Burr's table in SQLite.
const SQLITE: Dialect = Dialect {
    state_type: "TEXT",
    values: ["?1", "?2", "?3", "?4", "?5", "?6"],
    // Burr's `YYYY-MM-DD HH:MM:SS` form, with milliseconds added, so that rows of both sides
    // sort together.
    now: "strftime('%Y-%m-%d %H:%M:%f', 'now')",
    params: ["?1", "?2", "?3"],
    columns: "position, state, sequence_id, app_id, created_at, status",
    newest_row: "rowid DESC",
    newest_app: "MAX(rowid) DESC",
    prune_params: ["?3", "?4"],
    // Text comparison: Burr's `YYYY-MM-DD HH:MM:SS` and the form above sort together.
    cutoff: "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ?5 || ' seconds')",
    journal_values: ["?1", "?2", "?3", "?4", "?5", "?6", "?7"],
};

/// Saves states in a SQLite database, in Apache Burr's table layout.
///
/// The table (default `burr_state`, see [`SqlitePersister::with_table_name`]) is the one
/// Burr's `SQLitePersister` creates: `partition_key TEXT DEFAULT ''`, `app_id`,
/// `sequence_id`, `position`, `status`, `state` (JSON text), `created_at`, with primary key
/// `(partition_key, app_id, sequence_id, position)` and an index on `created_at`. Python
/// Burr reads a database written here and the other way round.
///
/// - A file database is opened in WAL mode with `synchronous = NORMAL` and a checkpoint
///   every 4,000 pages: a save is one short transaction with no fsync of its own, readers
///   never block the writer, and a crash of the process loses nothing that was saved (a
///   power cut may lose the last saves, never corrupt the file). Other connections to the
///   same file wait up to five seconds for a lock. Saving a small state takes well under
///   100 µs, against about a millisecond for Burr's default rollback journal with
///   `synchronous = FULL`.
/// - One connection is shared behind a mutex; statements are prepared once and cached.
///   Clones share the connection.
/// - Saving a (partition key, app id, sequence id) that exists is
///   [`PersistenceError::Duplicate`]; before [`initialize`](StateSaver::initialize) every
///   call is [`PersistenceError::Uninitialized`] naming the table.
/// - [`list_app_ids`](StateLoader::list_app_ids) returns the app ids by their latest save,
///   most recent first.
///
/// It implements the sync traits ([`StateSaver`], [`StateLoader`]), which sync and async
/// applications both accept. An async application that must not block its runtime on disk
/// I/O wraps it in [`Blocking`](burr_core::persistence::Blocking), which runs each query on
/// tokio's blocking threads.
///
/// # Examples
///
/// ```
/// use burr_core::{SaveRequest, State, StateLoader, StateSaver, Status};
/// use burr_tracking::persist::sqlite::SqlitePersister;
///
/// let dir = tempfile::tempdir()?;
/// let persister = SqlitePersister::open(dir.path().join("state.db"))?;
/// persister.initialize()?;
/// let state = State::new().update("count", 1).with_sequence_id(0).with_prior_step("counter");
/// persister.save(SaveRequest {
///     partition_key: None,
///     app_id: "app-1",
///     sequence_id: 0,
///     position: "counter",
///     state: &state,
///     status: Status::Completed,
/// })?;
/// let saved = persister.load(None, "app-1", None)?.expect("saved above");
/// assert_eq!(saved.state, state);
/// assert_eq!(persister.list_app_ids(None)?, vec!["app-1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SqlitePersister {
    conn: Arc<Mutex<Connection>>,
    sql: Arc<Statements>,
    initialized: Arc<AtomicBool>,
    retention: Retention,
}

impl SqlitePersister {
    /// Opens (or creates) the database file at `path`, in WAL mode, with table `burr_state`.
    ///
    /// WAL mode is recorded in the file itself, so a database made by Python Burr (rollback
    /// journal) stays in WAL mode afterwards; Python's `sqlite3` reads and writes it as
    /// before. Keep the file on a local disk: processes sharing a WAL database share memory
    /// through its `-shm` file, which network file systems do not support.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::StateSaver;
    /// use burr_tracking::persist::sqlite::SqlitePersister;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let persister = SqlitePersister::open(dir.path().join("burr.db"))?;
    /// assert!(!persister.is_initialized()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, PersistenceError> {
        let conn = Connection::open(path.as_ref()).map_err(PersistenceError::backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(PersistenceError::backend)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(PersistenceError::backend)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::debug!(%mode, path = %path.as_ref().display(), "SQLite kept its journal mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(PersistenceError::backend)?;
        // Checkpoint (copy the WAL into the database, with an fsync) every ~16 MB instead
        // of every ~4 MB: a quarter of the fsyncs for a steady stream of small saves.
        conn.pragma_update(None, "wal_autocheckpoint", 4000)
            .map_err(PersistenceError::backend)?;
        Ok(Self::from_connection(conn))
    }

    /// A private database in memory, gone when the last clone is dropped: for tests and
    /// examples.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::StateSaver;
    /// let persister = burr_tracking::persist::sqlite::SqlitePersister::in_memory()?;
    /// persister.initialize()?;
    /// assert!(persister.is_initialized()?);
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn in_memory() -> Result<Self, PersistenceError> {
        let conn = Connection::open_in_memory().map_err(PersistenceError::backend)?;
        Ok(Self::from_connection(conn))
    }

    fn from_connection(conn: Connection) -> Self {
        conn.set_prepared_statement_cache_capacity(16);
        SqlitePersister {
            conn: Arc::new(Mutex::new(conn)),
            sql: Arc::new(Statements::new(DEFAULT_TABLE_NAME, &SQLITE)),
            initialized: Arc::new(AtomicBool::new(false)),
            retention: Retention::keep_all(),
        }
    }

    /// Deletes old steps of an application when it saves one (see [`Retention`]): the save
    /// and the delete are one transaction, and the delete is one statement over the primary
    /// key's range of that application.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{SaveRequest, State, StateLoader, StateSaver, Status};
    /// use burr_tracking::{Retention, SqlitePersister};
    ///
    /// let persister = SqlitePersister::in_memory()?.with_retention(Retention::keep_last(2));
    /// persister.initialize()?;
    /// for seq in 0..5 {
    ///     let state = State::new().update("n", seq).with_sequence_id(seq);
    ///     persister.save(SaveRequest {
    ///         partition_key: None, app_id: "app", sequence_id: seq, position: "count",
    ///         state: &state, status: Status::Completed,
    ///     })?;
    /// }
    /// assert_eq!(persister.load(None, "app", None)?.unwrap().sequence_id, 4);
    /// assert!(persister.load(None, "app", Some(3))?.is_some());
    /// assert!(persister.load(None, "app", Some(2))?.is_none());
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    #[must_use]
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// The retention applied on save.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::{Retention, SqlitePersister};
    /// assert!(SqlitePersister::in_memory()?.retention().keeps_all());
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Uses the table `name` instead of `burr_state` (its index is `{name}_created_at_index`).
    /// The name must be a plain identifier: an ASCII letter or `_`, then letters, digits or
    /// `_`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::sqlite::SqlitePersister;
    /// let persister = SqlitePersister::in_memory()?.with_table_name("chatbot_state")?;
    /// assert_eq!(persister.table_name(), "chatbot_state");
    /// assert!(SqlitePersister::in_memory()?.with_table_name("no spaces").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_table_name(mut self, name: &str) -> Result<Self, InvalidTableName> {
        check_table_name(name, MAX_TABLE_NAME_LEN, false)?;
        self.sql = Arc::new(Statements::new(name, &SQLITE));
        self.initialized = Arc::new(AtomicBool::new(false));
        Ok(self)
    }

    /// The table the states are saved in.
    ///
    /// # Examples
    ///
    /// ```
    /// let persister = burr_tracking::persist::sqlite::SqlitePersister::in_memory()?;
    /// assert_eq!(persister.table_name(), "burr_state");
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn table_name(&self) -> &str {
        &self.sql.table
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot leave the connection half-way through a
        // statement (each call is one statement), so the connection is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn map_err(&self, e: rusqlite::Error, row: Option<&RowName<'_>>) -> PersistenceError {
        if let rusqlite::Error::SqliteFailure(err, msg) = &e {
            if msg
                .as_deref()
                .is_some_and(|m| m.starts_with("no such table"))
            {
                return PersistenceError::Uninitialized(format!(
                    "table {:?} does not exist",
                    self.sql.table
                ));
            }
            if err.code == ErrorCode::ConstraintViolation
                && let Some(row) = row
            {
                return PersistenceError::Duplicate(row.to_string());
            }
        }
        PersistenceError::backend(e)
    }

    /// Saves a step whose state is already JSON text.
    fn save_text(
        &self,
        partition_key: &str,
        app_id: &str,
        sequence_id: u64,
        position: &str,
        state: &str,
        status: Status,
    ) -> Result<(), PersistenceError> {
        let row = RowName {
            partition_key,
            app_id,
            sequence_id: sequence_id.into(),
        };
        let seq = i64::try_from(sequence_id).map_err(|_| {
            PersistenceError::backend(format!(
                "sequence id {sequence_id} of {row} does not fit SQLite's INTEGER"
            ))
        })?;
        let mut conn = self.lock();
        let insert = |conn: &Connection| {
            let inserted = conn.prepare_cached(&self.sql.insert)?.execute(params![
                partition_key,
                app_id,
                seq,
                position,
                state,
                status.as_str()
            ])?;
            Ok::<_, rusqlite::Error>(inserted)
        };
        let inserted = if self.retention.keeps_all() {
            insert(&conn)
        } else {
            // The save and its prune are one transaction: both happen, or neither.
            let first_kept = i64::try_from(self.retention.first_kept(sequence_id)).unwrap_or(0);
            let age = self.retention.age_secs();
            conn.transaction().and_then(|tx| {
                let inserted = insert(&tx)?;
                if inserted > 0 {
                    tx.prepare_cached(&self.sql.prune)?.execute(params![
                        partition_key,
                        app_id,
                        seq,
                        first_kept,
                        age
                    ])?;
                }
                tx.commit()?;
                Ok(inserted)
            })
        }
        .map_err(|e| self.map_err(e, Some(&row)))?;
        if inserted == 0 {
            return Err(PersistenceError::Duplicate(row.to_string()));
        }
        Ok(())
    }

    fn read_row(
        partition_key: Option<&str>,
        app_id: &str,
        row: &Row<'_>,
    ) -> rusqlite::Result<Result<PersistedState, PersistenceError>> {
        let seq_raw: i64 = match row.get_ref(2)? {
            ValueRef::Integer(i) => i,
            other => {
                return Ok(Err(PersistenceError::Corrupt(format!(
                    "sequence id of partition key {:?}, app id {app_id:?} is a {}, not an integer",
                    partition_key.unwrap_or(DEFAULT_PARTITION_KEY),
                    other.data_type()
                ))));
            }
        };
        let stored_app_id = text(row.get_ref(3)?).unwrap_or(app_id).to_string();
        let name = RowName {
            partition_key: partition_key.unwrap_or(DEFAULT_PARTITION_KEY),
            app_id: &stored_app_id,
            sequence_id: seq_raw.into(),
        };
        let Ok(sequence_id) = u64::try_from(seq_raw) else {
            return Ok(Err(PersistenceError::Corrupt(format!(
                "{name}: the sequence id is negative"
            ))));
        };
        let column = |i: usize, what: &str| -> rusqlite::Result<Result<String, PersistenceError>> {
            Ok(match text(row.get_ref(i)?) {
                Some(s) => Ok(s.to_string()),
                None => Err(PersistenceError::Corrupt(format!(
                    "{name}: the {what} column is not text"
                ))),
            })
        };
        let position = match column(0, "position")? {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let state = match column(1, "state")? {
            Ok(s) => match state_from_text(&s, &name) {
                Ok(state) => state,
                Err(e) => return Ok(Err(e)),
            },
            Err(e) => return Ok(Err(e)),
        };
        let status = match column(5, "status")? {
            Ok(s) => match status_from_text(&s, &name) {
                Ok(status) => status,
                Err(e) => return Ok(Err(e)),
            },
            Err(e) => return Ok(Err(e)),
        };
        // A NULL timestamp (never written by either side) does not stop a resume.
        let created_at = text(row.get_ref(4)?).unwrap_or_default().to_string();
        Ok(Ok(PersistedState {
            partition_key: partition_key.map(str::to_string),
            app_id: stored_app_id,
            sequence_id,
            position,
            state,
            created_at,
            status,
        }))
    }
}

/// The text of a TEXT (or UTF-8 BLOB) value.
fn text(value: ValueRef<'_>) -> Option<&str> {
    match value {
        ValueRef::Text(t) | ValueRef::Blob(t) => std::str::from_utf8(t).ok(),
        _ => None,
    }
}

impl StateSaver for SqlitePersister {
    /// Creates the table and its `created_at` index when they are missing.
    fn initialize(&self) -> Result<(), PersistenceError> {
        self.lock()
            .execute_batch(&self.sql.create)
            .map_err(|e| self.map_err(e, None))?;
        self.initialized.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether the table exists (looked up in `sqlite_master` until it is found once).
    fn is_initialized(&self) -> Result<bool, PersistenceError> {
        if self.initialized.load(Ordering::Acquire) {
            return Ok(true);
        }
        let found = self
            .lock()
            .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")
            .and_then(|mut stmt| stmt.exists([&self.sql.table]))
            .map_err(|e| self.map_err(e, None))?;
        if found {
            self.initialized.store(true, Ordering::Release);
        }
        Ok(found)
    }

    /// Saves the entry in `<table>_journal` (see [`StateSaver::save_journal`]).
    fn save_journal(&self, e: &JournalEntry) -> Result<(), PersistenceError> {
        let value = journal::value_text(e)?;
        let (Ok(seq), Ok(idx)) = (i64::try_from(e.sequence_id), i64::try_from(e.index)) else {
            return Err(PersistenceError::Unsupported(format!(
                "journal entry {} of step {}: beyond SQLite's INTEGER range",
                e.index, e.sequence_id
            )));
        };
        let pk = e.partition_key.as_deref().unwrap_or(DEFAULT_PARTITION_KEY);
        self.lock()
            .prepare_cached(&self.sql.journal_save)
            .and_then(|mut stmt| {
                stmt.execute(params![pk, e.app_id, seq, idx, e.position, e.key, value])
            })
            .map_err(|err| self.map_err(err, None))?;
        Ok(())
    }

    fn save(&self, r: SaveRequest<'_>) -> Result<(), PersistenceError> {
        let state = state_to_text(r.state)?;
        self.save_text(
            r.partition_key.unwrap_or(DEFAULT_PARTITION_KEY),
            r.app_id,
            r.sequence_id,
            r.position,
            &state,
            r.status,
        )
    }

    /// Itself: a resume compares what it saved with the tracker's log.
    fn loader(&self) -> Option<&dyn StateLoader> {
        Some(self)
    }
}

impl StateLoader for SqlitePersister {
    /// Reads `<table>_journal` (see [`StateLoader::load_journal`]).
    fn load_journal(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<Vec<JournalEntry>, PersistenceError> {
        let Ok(seq) = i64::try_from(sequence_id) else {
            return Ok(Vec::new());
        };
        let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&self.sql.journal_load)
            .map_err(|e| self.map_err(e, None))?;
        let rows = stmt
            .query_map(params![pk, app_id, seq], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.map_err(e, None))?;
        let mut entries = Vec::new();
        for row in rows {
            let (idx, position, key, value) = row.map_err(|e| self.map_err(e, None))?;
            entries.push(journal::entry(
                partition_key,
                app_id,
                sequence_id,
                idx,
                position,
                key,
                &value,
            )?);
        }
        Ok(entries)
    }

    fn load(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: Option<u64>,
    ) -> Result<Option<PersistedState>, PersistenceError> {
        let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        let conn = self.lock();
        let found = match sequence_id {
            None => conn
                .prepare_cached(&self.sql.load_latest)
                .and_then(|mut stmt| {
                    stmt.query_row(params![pk, app_id], |row| {
                        Self::read_row(partition_key, app_id, row)
                    })
                    .optional()
                }),
            Some(seq) => {
                // No row can have a sequence id beyond SQLite's INTEGER range.
                let Ok(seq) = i64::try_from(seq) else {
                    return Ok(None);
                };
                conn.prepare_cached(&self.sql.load_exact)
                    .and_then(|mut stmt| {
                        stmt.query_row(params![pk, app_id, seq], |row| {
                            Self::read_row(partition_key, app_id, row)
                        })
                        .optional()
                    })
            }
        };
        found.map_err(|e| self.map_err(e, None))?.transpose()
    }

    fn list_app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError> {
        let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(&self.sql.list)
            .map_err(|e| self.map_err(e, None))?;
        let rows = stmt
            .query_map([pk], |row| Ok(text(row.get_ref(0)?).map(str::to_string)))
            .map_err(|e| self.map_err(e, None))?;
        let mut ids = Vec::new();
        for id in rows {
            match id.map_err(|e| self.map_err(e, None))? {
                Some(id) => ids.push(id),
                None => {
                    return Err(PersistenceError::Corrupt(format!(
                        "table {:?} has an app id that is not text under partition key {pk:?}",
                        self.sql.table
                    )));
                }
            }
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burr_core::State;

    fn save(p: &SqlitePersister, app: &str, seq: u64) -> Result<(), PersistenceError> {
        let state = State::new().update("n", seq).with_sequence_id(seq);
        StateSaver::save(
            p,
            SaveRequest {
                partition_key: None,
                app_id: app,
                sequence_id: seq,
                position: "step",
                state: &state,
                status: Status::Completed,
            },
        )
    }

    #[test]
    fn the_prune_searches_the_primary_key_of_one_app() {
        let p = SqlitePersister::in_memory().unwrap();
        StateSaver::initialize(&p).unwrap();
        let conn = p.lock();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", p.sql.prune))
            .unwrap()
            .query_map(params!["", "app", 9, 7, 3600.0], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.starts_with("SEARCH"), "{plan}");
        assert!(
            plan.contains("partition_key=? AND app_id=? AND sequence_id<?"),
            "{plan}"
        );
    }

    #[test]
    fn the_schema_is_burrs() {
        let p = SqlitePersister::in_memory().unwrap();
        StateSaver::initialize(&p).unwrap();
        let conn = p.lock();
        let columns: Vec<(String, String, Option<String>, i64)> = conn
            .prepare("SELECT name, type, dflt_value, pk FROM pragma_table_info('burr_state')")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected = [
            ("partition_key", "TEXT", Some("''"), 1),
            ("app_id", "TEXT", None, 2),
            ("sequence_id", "INTEGER", None, 3),
            ("position", "TEXT", None, 4),
            ("status", "TEXT", None, 0),
            ("state", "TEXT", None, 0),
            ("created_at", "TIMESTAMP", Some("CURRENT_TIMESTAMP"), 0),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(n, t, d, k)| (n.to_string(), t.to_string(), d.map(str::to_string), *k))
            .collect();
        assert_eq!(columns, expected);
        let index: String = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'burr_state' \
                 AND sql IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, "burr_state_created_at_index");
    }

    #[test]
    fn files_are_opened_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = SqlitePersister::open(dir.path().join("x.db")).unwrap();
        let mode: String = p
            .lock()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_missing_table_is_uninitialized_and_named() {
        let p = SqlitePersister::in_memory()
            .unwrap()
            .with_table_name("never_made")
            .unwrap();
        for err in [
            save(&p, "a", 0).unwrap_err(),
            StateLoader::load(&p, None, "a", None).unwrap_err(),
            StateLoader::list_app_ids(&p, None).unwrap_err(),
        ] {
            assert!(matches!(err, PersistenceError::Uninitialized(_)), "{err}");
            assert!(err.to_string().contains("never_made"), "{err}");
        }
    }

    #[test]
    fn the_same_sequence_id_with_another_position_is_a_duplicate() {
        let p = SqlitePersister::in_memory().unwrap();
        StateSaver::initialize(&p).unwrap();
        save(&p, "a", 0).unwrap();
        let state = State::new();
        let err = StateSaver::save(
            &p,
            SaveRequest {
                partition_key: None,
                app_id: "a",
                sequence_id: 0,
                position: "other",
                state: &state,
                status: Status::Failed,
            },
        )
        .unwrap_err();
        assert!(matches!(err, PersistenceError::Duplicate(_)), "{err}");
    }

    #[test]
    fn rows_of_other_writers_are_read_leniently_or_reported() {
        let p = SqlitePersister::in_memory().unwrap();
        StateSaver::initialize(&p).unwrap();
        p.lock()
            .execute_batch(
                "INSERT INTO burr_state (partition_key, app_id, sequence_id, position, status, state) \
                 VALUES ('', 'py', 0, 'start', 'completed', '{\"x\": 1}'), \
                        ('', 'neg', -1, 'start', 'completed', '{}'), \
                        ('', 'num', 0, 'start', 'completed', 5), \
                        ('', 'blob', 0, 'start', 'completed', X'FF');",
            )
            .unwrap();
        let row = StateLoader::load(&p, None, "py", None).unwrap().unwrap();
        assert_eq!(row.state, State::new().update("x", 1));
        assert_eq!(row.created_at.len(), "2026-01-01 00:00:00".len());
        let err = StateLoader::load(&p, None, "neg", None).unwrap_err();
        assert!(err.to_string().contains("negative"), "{err}");
        // TEXT affinity stores the number as the text `5`: valid JSON, not an object.
        let err = StateLoader::load(&p, None, "num", None).unwrap_err();
        assert!(err.to_string().contains("JSON object"), "{err}");
        let err = StateLoader::load(&p, None, "blob", None).unwrap_err();
        assert!(
            err.to_string().contains("state column is not text"),
            "{err}"
        );
    }
}
