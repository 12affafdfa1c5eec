//! [`PostgresPersister`]: saves states in a PostgreSQL table laid out as Apache Burr's
//! PostgreSQL persisters lay it out, through a pool of connections.
//!
//! # Examples
//!
//! ```
//! use burr_tracking::persist::postgres::PostgresPersister;
//! // Connections are opened on first use.
//! let persister = PostgresPersister::builder("postgres://postgres@127.0.0.1:5432/test").build()?;
//! assert_eq!(persister.table_name(), "burr_state");
//! # Ok::<(), burr_core::PersistenceError>(())
//! ```

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use burr_core::persistence::JournalEntry;
use burr_core::{AsyncStateLoader, AsyncStateSaver, PersistedState, PersistenceError, SaveRequest};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};

/// The pool and client types, for [`PostgresPersister::from_pool`].
pub use deadpool_postgres;
/// The driver, for its error and configuration types.
pub use tokio_postgres;

use super::sql::{Dialect, Statements, check_table_name};
use super::{
    BoxFuture, DEFAULT_PARTITION_KEY, DEFAULT_TABLE_NAME, InvalidTableName, Retention, RowName,
    state_from_text, state_to_text, status_from_text,
};

mod journal;
mod nul_byte;

use nul_byte::nul_in;

/// PostgreSQL truncates identifiers to 63 bytes; the index name adds 17.
const MAX_TABLE_NAME_LEN: usize = 63 - "_created_at_index".len();

/// Burr's table in PostgreSQL: `state` is JSONB, `created_at` UTC.
const POSTGRES: Dialect = Dialect {
    state_type: "JSONB",
    values: [
        "$1::text",
        "$2::text",
        "$3::int4",
        "$4::text",
        "$5::text::jsonb",
        "$6::text",
    ],
    now: "(now() AT TIME ZONE 'UTC')",
    params: ["$1", "$2", "$3"],
    columns: "position, state::text, sequence_id, app_id, created_at::text, status",
    newest_row: "created_at DESC",
    newest_app: "MAX(sequence_id) DESC",
    prune_params: ["$3::int4", "$7::int4"],
    cutoff: "((now() AT TIME ZONE 'UTC') - make_interval(secs => $8::float8))",
    journal_values: [
        "$1::text", "$2::text", "$3::int4", "$4::int4", "$5::text", "$6::text", "$7::text",
    ],
};

/// The insert and its prune as one statement (one round trip, atomic): the prune runs only
/// when the insert did; the count of inserted rows is selected.
fn save_and_prune(sql: &Statements) -> String {
    format!(
        "WITH saved AS ({} RETURNING 1), pruned AS ({} AND EXISTS (SELECT 1 FROM saved) \
         RETURNING 1) SELECT (SELECT count(*) FROM saved)",
        sql.insert, sql.prune
    )
}

/// Saves states in PostgreSQL, in Apache Burr's table layout, through a connection pool.
///
/// The table (default `burr_state`; choose another with
/// [`PostgresPersisterBuilder::table_name`] so that several applications share a server) has
/// the columns of Burr's `PostgreSQLPersister`: `partition_key TEXT DEFAULT ''`, `app_id`,
/// `sequence_id INTEGER`, `position`, `status`, `state JSONB`, `created_at TIMESTAMP`
/// (UTC), primary key `(partition_key, app_id, sequence_id, position)`, and an index on
/// `created_at`. A JSONB state keeps its values but not its key order.
///
/// A save of a step that exists is [`PersistenceError::Duplicate`]. The primary key makes
/// this hold for any number of concurrent writers of the same step and action; the check
/// that also refuses the same step under another action name is part of the insert, so two
/// writers racing on one step with different action names (which one application never
/// does) could both succeed.
///
/// Connections come from a [`deadpool_postgres`] pool, each caching its prepared
/// statements. A connection that dies (the server restarts, an administrator terminates it)
/// fails the call that was using it with [`PersistenceError::Backend`] and is replaced on the
/// next call. [`list_app_ids`](AsyncStateLoader::list_app_ids) returns the app ids by their
/// latest save, most recent first.
///
/// # Examples
///
/// ```no_run
/// use burr_core::{AsyncStateLoader, AsyncStateSaver, SaveRequest, State, Status};
/// use burr_tracking::persist::postgres::PostgresPersister;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let persister = PostgresPersister::builder("postgres://postgres@127.0.0.1:5432/test")
///     .table_name("chatbot_state")
///     .build()?;
/// persister.initialize().await?;
/// let state = State::new().update("count", 1);
/// persister
///     .save(SaveRequest {
///         partition_key: Some("user-7"),
///         app_id: "app-1",
///         sequence_id: 0,
///         position: "counter",
///         state: &state,
///         status: Status::Completed,
///     })
///     .await?;
/// let saved = persister.load(Some("user-7"), "app-1", None).await?;
/// assert_eq!(saved.unwrap().state, state);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PostgresPersister {
    pool: Pool,
    sql: Arc<Statements>,
    /// The insert of a save with retention (see [`save_and_prune`]).
    pruning_insert: Arc<str>,
    initialized: Arc<AtomicBool>,
    retention: Retention,
}

impl std::fmt::Debug for PostgresPersister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresPersister")
            .field("table", &self.sql.table)
            .field("pool", &self.pool.status())
            .finish()
    }
}

/// Options of a [`PostgresPersister`]; made by [`PostgresPersister::builder`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use burr_tracking::persist::postgres::PostgresPersister;
///
/// let persister = PostgresPersister::builder("postgres://postgres@127.0.0.1:5432/test")
///     .table_name("burr_state_eu")
///     .max_connections(32)
///     .timeout(Duration::from_secs(3))
///     .build()?; // connects lazily, on first use
/// assert_eq!(persister.table_name(), "burr_state_eu");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "call `.build()` to make the persister"]
pub struct PostgresPersisterBuilder {
    url: String,
    table_name: String,
    max_connections: usize,
    timeout: Duration,
}

impl PostgresPersisterBuilder {
    /// The table to use instead of `burr_state`: a plain lower-case identifier of at most 46
    /// bytes (its index name must fit PostgreSQL's 63).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// let err = PostgresPersister::builder("postgres://127.0.0.1/test")
    ///     .table_name("Mixed_Case")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("Mixed_Case"));
    /// ```
    pub fn table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = name.into();
        self
    }

    /// The most connections the pool opens (default 16, at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// let p = PostgresPersister::builder("postgres://127.0.0.1/test").max_connections(4).build()?;
    /// assert_eq!(p.pool().status().max_size, 4);
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// How long a call waits to connect, or for a free connection, before it fails with
    /// [`PersistenceError::Backend`] (default 10 seconds).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// let builder = PostgresPersister::builder("postgres://127.0.0.1/test")
    ///     .timeout(Duration::from_millis(500));
    /// assert!(builder.build().is_ok());
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Makes the persister. Connections are opened on first use, so this fails only for a
    /// malformed URL or table name.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// assert!(PostgresPersister::builder("postgres://127.0.0.1/test").build().is_ok());
    /// assert!(PostgresPersister::builder("postgres://host:notaport/db").build().is_err());
    /// ```
    pub fn build(self) -> Result<PostgresPersister, PersistenceError> {
        check_table_name(&self.table_name, MAX_TABLE_NAME_LEN, true)?;
        let mut config =
            tokio_postgres::Config::from_str(&self.url).map_err(PersistenceError::backend)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(self.timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("burr");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(self.max_connections)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(self.timeout))
            .create_timeout(Some(self.timeout))
            .recycle_timeout(Some(self.timeout))
            .build()
            .map_err(PersistenceError::backend)?;
        Ok(PostgresPersister::from_pool(pool).with_table(&self.table_name))
    }
}

impl PostgresPersister {
    /// Starts configuring a persister for the server at `url`
    /// (`postgres://user[:password]@host[:port]/database`, or the `key=value` form).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// let persister = PostgresPersister::builder("postgres://postgres@127.0.0.1:5432/test").build()?;
    /// assert_eq!(persister.table_name(), "burr_state");
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn builder(url: impl Into<String>) -> PostgresPersisterBuilder {
        PostgresPersisterBuilder {
            url: url.into(),
            table_name: DEFAULT_TABLE_NAME.to_string(),
            max_connections: 16,
            timeout: Duration::from_secs(10),
        }
    }

    /// A persister over a pool you configured yourself (TLS, hooks...), with table
    /// `burr_state`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::{deadpool_postgres, tokio_postgres, PostgresPersister};
    /// let config: tokio_postgres::Config = "postgres://postgres@127.0.0.1/test".parse()?;
    /// let manager = deadpool_postgres::Manager::new(config, tokio_postgres::NoTls);
    /// let pool = deadpool_postgres::Pool::builder(manager).max_size(4).build()?;
    /// let persister = PostgresPersister::from_pool(pool);
    /// assert_eq!(persister.pool().status().max_size, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_pool(pool: Pool) -> Self {
        PostgresPersister {
            pool,
            sql: Arc::new(Statements::new(DEFAULT_TABLE_NAME, &POSTGRES)),
            pruning_insert: Arc::from(""),
            initialized: Arc::new(AtomicBool::new(false)),
            retention: Retention::keep_all(),
        }
        .with_table(DEFAULT_TABLE_NAME)
    }

    /// The same pool, saving in table `name` (see [`PostgresPersisterBuilder::table_name`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// let base = PostgresPersister::builder("postgres://127.0.0.1/test").build()?;
    /// let other = base.clone().with_table_name("other_app")?;
    /// assert_eq!((base.table_name(), other.table_name()), ("burr_state", "other_app"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_table_name(self, name: &str) -> Result<Self, InvalidTableName> {
        check_table_name(name, MAX_TABLE_NAME_LEN, true)?;
        Ok(self.with_table(name))
    }

    fn with_table(mut self, name: &str) -> Self {
        self.sql = Arc::new(Statements::new(name, &POSTGRES));
        self.pruning_insert = Arc::from(save_and_prune(&self.sql));
        self.initialized = Arc::new(AtomicBool::new(false));
        self
    }

    /// The table the states are saved in.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// let p = PostgresPersister::builder("postgres://127.0.0.1/test").table_name("t1").build()?;
    /// assert_eq!(p.table_name(), "t1");
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn table_name(&self) -> &str {
        &self.sql.table
    }

    /// Deletes old steps of an application when it saves one (see [`Retention`]): the save
    /// and the delete are one statement, and the delete covers the primary key's range of
    /// that application only.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use burr_tracking::{PostgresPersister, Retention};
    /// let persister = PostgresPersister::builder("postgres://127.0.0.1/test")
    ///     .build()?
    ///     .with_retention(Retention::keep_last(50).max_age(Duration::from_secs(86_400)));
    /// assert_eq!(persister.retention().last(), Some(50));
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
    /// use burr_tracking::PostgresPersister;
    /// let persister = PostgresPersister::builder("postgres://127.0.0.1/test").build()?;
    /// assert!(persister.retention().keeps_all());
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// The connection pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::postgres::PostgresPersister;
    /// let p = PostgresPersister::builder("postgres://127.0.0.1/test").build()?;
    /// assert_eq!(p.pool().status().size, 0); // nothing opened yet
    /// # Ok::<(), burr_core::PersistenceError>(())
    /// ```
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, PersistenceError> {
        self.pool.get().await.map_err(PersistenceError::backend)
    }

    fn map_err(&self, e: tokio_postgres::Error, row: Option<&RowName<'_>>) -> PersistenceError {
        match e.code() {
            Some(code) if *code == SqlState::UNDEFINED_TABLE => PersistenceError::Uninitialized(
                format!("table {:?} does not exist", self.sql.table),
            ),
            Some(code) if *code == SqlState::UNIQUE_VIOLATION && row.is_some() => {
                PersistenceError::Duplicate(row.map(ToString::to_string).unwrap_or_default())
            }
            _ => PersistenceError::backend(e),
        }
    }

    async fn initialize_table(&self) -> Result<(), PersistenceError> {
        let client = self.client().await?;
        let mut attempt = client.batch_execute(&self.sql.create).await;
        // Two processes creating the same table at once: one of them loses the race on the
        // catalog; the table then exists, so once more succeeds.
        if let Err(e) = &attempt
            && matches!(
                e.code(),
                Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::DUPLICATE_TABLE
            )
        {
            attempt = client.batch_execute(&self.sql.create).await;
        }
        attempt.map_err(|e| self.map_err(e, None))?;
        self.initialized.store(true, Ordering::Release);
        Ok(())
    }

    async fn table_exists(&self) -> Result<bool, PersistenceError> {
        if self.initialized.load(Ordering::Acquire) {
            return Ok(true);
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT to_regclass($1::text) IS NOT NULL")
            .await
            .map_err(|e| self.map_err(e, None))?;
        let found: bool = client
            .query_one(&stmt, &[&self.sql.table])
            .await
            .map_err(|e| self.map_err(e, None))?
            .try_get(0)
            .map_err(PersistenceError::backend)?;
        if found {
            self.initialized.store(true, Ordering::Release);
        }
        Ok(found)
    }

    async fn save_step(&self, r: SaveRequest<'_>) -> Result<(), PersistenceError> {
        let partition_key = r.partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        let row = RowName {
            partition_key,
            app_id: r.app_id,
            sequence_id: r.sequence_id.into(),
        };
        let seq = i32::try_from(r.sequence_id).map_err(|_| {
            PersistenceError::Unsupported(format!(
                "sequence id {} of {row} does not fit the INTEGER column (at most {})",
                r.sequence_id,
                i32::MAX
            ))
        })?;
        for (column, value) in [
            ("partition_key", partition_key),
            ("app_id", r.app_id),
            ("position", r.position),
        ] {
            if value.contains('\0') {
                return Err(PersistenceError::Unsupported(format!(
                    "the {column} of {row} holds a NUL character (U+0000), which PostgreSQL \
                     text cannot hold"
                )));
            }
        }
        let state = state_to_text(r.state)?;
        // JSONB refuses the NUL character in any string (serialized as `\u0000`).
        if state.contains("\\u0000")
            && let Some(path) = nul_in(&r.state.to_json(), &mut String::new())
        {
            return Err(PersistenceError::Unsupported(format!(
                "the state of {row} holds a NUL character (U+0000) at {path}, which PostgreSQL's \
                 JSONB cannot hold; remove it or encode the value (base64, escaped text)"
            )));
        }
        let client = self.client().await?;
        let status = r.status.as_str();
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
            &partition_key,
            &r.app_id,
            &seq,
            &r.position,
            &state,
            &status,
        ];
        let inserted = if self.retention.keeps_all() {
            let stmt = client
                .prepare_cached(&self.sql.insert)
                .await
                .map_err(|e| self.map_err(e, Some(&row)))?;
            client.execute(&stmt, &params).await
        } else {
            // Sequence ids fit INTEGER here (checked above), and so does the first kept.
            let first_kept = i32::try_from(self.retention.first_kept(r.sequence_id)).unwrap_or(0);
            let age = self.retention.age_secs();
            let stmt = client
                .prepare_cached(&self.pruning_insert)
                .await
                .map_err(|e| self.map_err(e, Some(&row)))?;
            let mut all = params.to_vec();
            all.extend([
                &first_kept as &(dyn tokio_postgres::types::ToSql + Sync),
                &age,
            ]);
            client
                .query_one(&stmt, &all)
                .await
                .and_then(|row| row.try_get::<_, i64>(0))
                .map(|n| n.unsigned_abs())
        }
        .map_err(|e| self.map_err(e, Some(&row)))?;
        if inserted == 0 {
            return Err(PersistenceError::Duplicate(row.to_string()));
        }
        Ok(())
    }

    async fn load_step(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: Option<u64>,
    ) -> Result<Option<PersistedState>, PersistenceError> {
        let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        if pk.contains('\0') || app_id.contains('\0') {
            // Text with a NUL was never saved (see `save_step`).
            return Ok(None);
        }
        let client = self.client().await?;
        let found = match sequence_id {
            None => {
                let stmt = client
                    .prepare_cached(&self.sql.load_latest)
                    .await
                    .map_err(|e| self.map_err(e, None))?;
                client.query_opt(&stmt, &[&pk, &app_id]).await
            }
            Some(seq) => {
                // No row can have a sequence id beyond the INTEGER column's range.
                let Ok(seq) = i32::try_from(seq) else {
                    return Ok(None);
                };
                let stmt = client
                    .prepare_cached(&self.sql.load_exact)
                    .await
                    .map_err(|e| self.map_err(e, None))?;
                client.query_opt(&stmt, &[&pk, &app_id, &seq]).await
            }
        }
        .map_err(|e| self.map_err(e, None))?;
        found
            .map(|row| read_row(partition_key, app_id, &row))
            .transpose()
    }

    async fn app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError> {
        let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        if pk.contains('\0') {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&self.sql.list)
            .await
            .map_err(|e| self.map_err(e, None))?;
        let rows = client
            .query(&stmt, &[&pk])
            .await
            .map_err(|e| self.map_err(e, None))?;
        rows.iter()
            .map(|row| {
                row.try_get::<_, String>(0).map_err(|e| {
                    PersistenceError::Corrupt(format!(
                        "table {:?} has an unreadable app id under partition key {pk:?}: {e}",
                        self.sql.table
                    ))
                })
            })
            .collect()
    }
}

fn read_row(
    partition_key: Option<&str>,
    app_id: &str,
    row: &Row,
) -> Result<PersistedState, PersistenceError> {
    let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
    let seq_raw: i32 = row.try_get(2).map_err(|e| {
        PersistenceError::Corrupt(format!(
            "sequence id of partition key {pk:?}, app id {app_id:?} is unreadable: {e}"
        ))
    })?;
    let name = RowName {
        partition_key: pk,
        app_id,
        sequence_id: seq_raw.into(),
    };
    let Ok(sequence_id) = u64::try_from(seq_raw) else {
        return Err(PersistenceError::Corrupt(format!(
            "{name}: the sequence id is negative"
        )));
    };
    let column = |i: usize, what: &str| -> Result<String, PersistenceError> {
        row.try_get::<_, String>(i).map_err(|e| {
            PersistenceError::Corrupt(format!("{name}: the {what} column is unreadable: {e}"))
        })
    };
    let state = state_from_text(&column(1, "state")?, &name)?;
    let status = status_from_text(&column(5, "status")?, &name)?;
    Ok(PersistedState {
        partition_key: partition_key.map(str::to_string),
        app_id: column(3, "app_id")?,
        sequence_id,
        position: column(0, "position")?,
        state,
        created_at: row
            .try_get::<_, Option<String>>(4)
            .ok()
            .flatten()
            .unwrap_or_default(),
        status,
    })
}

impl AsyncStateSaver for PostgresPersister {
    /// Creates the table and its `created_at` index when they are missing.
    fn initialize(&self) -> BoxFuture<'_, Result<(), PersistenceError>> {
        Box::pin(self.initialize_table())
    }

    /// Whether the table exists (looked up with `to_regclass`, which follows the
    /// connection's `search_path`, until it is found once).
    fn is_initialized(&self) -> BoxFuture<'_, Result<bool, PersistenceError>> {
        Box::pin(self.table_exists())
    }

    fn save<'a>(&'a self, request: SaveRequest<'a>) -> BoxFuture<'a, Result<(), PersistenceError>> {
        Box::pin(self.save_step(request))
    }

    /// Saves the entry in `<table>_journal` (see [`AsyncStateSaver::save_journal`]).
    fn save_journal<'a>(
        &'a self,
        entry: &'a JournalEntry,
    ) -> BoxFuture<'a, Result<(), PersistenceError>> {
        Box::pin(self.save_journal_entry(entry))
    }

    /// Itself: a resume compares what it saved with the tracker's log.
    fn loader(&self) -> Option<burr_core::persistence::LoaderRef<'_>> {
        Some(burr_core::persistence::LoaderRef::Async(self))
    }
}

impl AsyncStateLoader for PostgresPersister {
    fn load<'a>(
        &'a self,
        partition_key: Option<&'a str>,
        app_id: &'a str,
        sequence_id: Option<u64>,
    ) -> BoxFuture<'a, Result<Option<PersistedState>, PersistenceError>> {
        Box::pin(self.load_step(partition_key, app_id, sequence_id))
    }

    fn list_app_ids<'a>(
        &'a self,
        partition_key: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<String>, PersistenceError>> {
        Box::pin(self.app_ids(partition_key))
    }

    /// Reads `<table>_journal` (see [`AsyncStateLoader::load_journal`]).
    fn load_journal<'a>(
        &'a self,
        partition_key: Option<&'a str>,
        app_id: &'a str,
        sequence_id: u64,
    ) -> BoxFuture<'a, Result<Vec<JournalEntry>, PersistenceError>> {
        Box::pin(self.journal_of(partition_key, app_id, sequence_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_checked_when_building() {
        let url = "postgres://postgres@127.0.0.1/test";
        assert!(
            PostgresPersister::builder(url)
                .table_name("ok_name")
                .build()
                .is_ok()
        );
        let too_long = "t".repeat(MAX_TABLE_NAME_LEN + 1);
        for bad in ["Upper", "a-b", "", too_long.as_str()] {
            let err = PostgresPersister::builder(url)
                .table_name(bad)
                .build()
                .unwrap_err();
            assert!(matches!(err, PersistenceError::Backend(_)), "{err}");
            assert!(err.to_string().contains("invalid table name"), "{err}");
        }
    }

    #[test]
    fn statements_name_the_table() {
        let sql = Statements::new("my_table", &POSTGRES);
        for text in [
            &sql.create,
            &sql.insert,
            &sql.load_latest,
            &sql.load_exact,
            &sql.list,
        ] {
            assert!(text.contains("my_table"), "{text}");
        }
        assert!(sql.create.contains("state JSONB NOT NULL"));
        assert!(sql.create.contains("my_table_created_at_index"));
    }
}
