//! [`RedisPersister`]: saves states in Redis with Apache Burr's key layout, over one
//! multiplexed connection that reconnects by itself.
//!
//! # Examples
//!
//! ```no_run
//! use burr_core::AsyncStateLoader;
//! use burr_tracking::persist::redis::RedisPersister;
//! # async fn run() -> Result<(), burr_core::PersistenceError> {
//! let persister = RedisPersister::builder("redis://127.0.0.1:6379/")
//!     .namespace("chatbot")
//!     .connect()
//!     .await?;
//! for app_id in persister.list_app_ids(Some("user-7")).await? {
//!     println!("{app_id}");
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use burr_core::persistence::JournalEntry;
use burr_core::{AsyncStateLoader, AsyncStateSaver, PersistedState, PersistenceError, SaveRequest};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};

/// The driver, for [`RedisPersister::connection`] and its error types.
pub use ::redis as driver;

use super::journal;
use super::{
    BoxFuture, DEFAULT_PARTITION_KEY, Retention, RowName, state_from_text, state_to_text,
    status_from_text,
};

/// Writes one step atomically: refuses an existing hash, else writes the hash, raises the
/// app id's score in the partition's sorted set to this sequence id (never lowers it, so the
/// score stays the highest saved sequence id whatever order concurrent saves land in); with a
/// retention, adds the sequence id to the app's step set and applies the retention.
///
/// KEYS: the step's hash, the partition's sorted set, the app's step set. ARGV 1-7: the
/// hash's fields; 8: the prefix of the app's step keys; 9: the first sequence id kept by
/// count (`0`: no count); 10: the `created_at` before which steps go (empty: no age); 11:
/// the most steps one save deletes (`0`: no retention, Burr's keys only). Only steps below
/// the one saved are deleted.
static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('EXISTS', KEYS[1]) == 1 then
    return 0
end
redis.call('HSET', KEYS[1],
    'partition_key', ARGV[1], 'app_id', ARGV[2], 'sequence_id', ARGV[3],
    'position', ARGV[4], 'state', ARGV[5], 'status', ARGV[6], 'created_at', ARGV[7])
local latest = redis.call('ZSCORE', KEYS[2], ARGV[2])
if not latest or tonumber(latest) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
end
local budget = tonumber(ARGV[11])
if budget == 0 then
    return 1
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[3])
local function drop(seq)
    redis.call('DEL', ARGV[8] .. seq)
    redis.call('ZREM', KEYS[3], seq)
    budget = budget - 1
end
if tonumber(ARGV[9]) > 0 then
    local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[9], 'LIMIT', 0, budget)
    for _, seq in ipairs(old) do
        drop(seq)
    end
end
if ARGV[10] ~= '' then
    while budget > 0 do
        local oldest = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[3], 'LIMIT', 0, 1)
        if #oldest == 0 then
            break
        end
        local at = redis.call('HGET', ARGV[8] .. oldest[1], 'created_at')
        if at and at >= ARGV[10] then
            break
        end
        drop(oldest[1])
    end
end
return 1",
    )
});

/// The most steps one save deletes: a larger backlog (retention turned on for a long-lived
/// application) goes over the next saves, so that no save blocks the server for long.
const PRUNE_BUDGET: u32 = 1000;

/// The highest sequence id a sorted-set score (a double) holds exactly: 2^53.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::persist::redis::MAX_SEQUENCE_ID, 1 << 53);
/// ```
pub const MAX_SEQUENCE_ID: u64 = 1 << 53;

/// One part of a key, escaped so that no part can contain the `:` that separates parts:
/// `%` becomes `%25` and `:` becomes `%3A`. Parts without either (UUIDs, `user-7`) are
/// written as they are, so keys are Apache Burr's for them.
fn key_part(part: &str) -> std::borrow::Cow<'_, str> {
    if !part.contains([':', '%']) {
        return std::borrow::Cow::Borrowed(part);
    }
    let mut out = String::with_capacity(part.len() + 8);
    for c in part.chars() {
        match c {
            '%' => out.push_str("%25"),
            ':' => out.push_str("%3A"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Saves states in Redis, with Apache Burr's key layout.
///
/// Each step is a hash at `[namespace:]{partition_key}:{app_id}:{sequence_id}` with fields
/// `partition_key`, `app_id`, `sequence_id`, `position`, `state` (JSON text), `status` and
/// `created_at` (UTC, ISO 8601); the sorted set `[namespace:]{partition_key}` maps each app
/// id to its highest saved sequence id. A missing partition key is stored as the empty
/// string. Burr's `RedisBasePersister` given the same namespace reads these keys. With a
/// [retention](RedisPersister::with_retention), each save also adds its sequence id to the
/// sorted set `[namespace:]{partition_key}:{app_id}:steps`, which Burr ignores.
///
/// - The partition key and the app id of a key are escaped: `%` is written `%25` and `:`
///   is written `%3A`, so that two tenants never share a key (unescaped, partition key `T:a`
///   with app id `b` and partition key `T` with app id `a:b` would). Ids with neither
///   character, which is what Burr's ids are, are unchanged. The namespace is the operator's
///   and is used as written (`prod:burr` stays `prod:burr`, as in Burr); give two
///   persisters namespaces that are not prefixes of each other's keys. Data saved by a
///   version that did not escape, under ids holding `:` or `%`, is found again by renaming
///   its keys to the escaped form (`RENAME`); Burr, which does not escape, reads only the
///   unchanged ones.
/// - Sorted-set scores are doubles: a sequence id above [`MAX_SEQUENCE_ID`] (2^53) is refused
///   with [`PersistenceError::Unsupported`], since the latest step could not be found exactly.
///
/// - A save is one Lua script: the existence check, the hash and the sorted-set update
///   happen together, so two writers cannot interleave; a step that exists is
///   [`PersistenceError::Duplicate`].
/// - Redis has no schema: [`initialize`](AsyncStateSaver::initialize) does nothing and
///   [`is_initialized`](AsyncStateSaver::is_initialized) is always true.
/// - [`list_app_ids`](AsyncStateLoader::list_app_ids) orders app ids by their highest saved
///   sequence id, highest first (Burr's order, as Redis sorts a sorted set).
/// - All clones share one multiplexed connection ([`ConnectionManager`]): calls are
///   pipelined, and a lost connection fails the calls in flight with
///   [`PersistenceError::Backend`] and is re-established for the next ones.
///
/// # Examples
///
/// ```no_run
/// use burr_core::{AsyncStateLoader, AsyncStateSaver, SaveRequest, State, Status};
/// use burr_tracking::persist::redis::RedisPersister;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let persister = RedisPersister::builder("redis://127.0.0.1:6379/")
///     .namespace("chatbot")
///     .connect()
///     .await?;
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
/// // Keys: hash `chatbot:user-7:app-1:0`, sorted set `chatbot:user-7`.
/// assert_eq!(persister.list_app_ids(Some("user-7")).await?, vec!["app-1"]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisPersister {
    conn: ConnectionManager,
    namespace: Arc<str>,
    retention: Retention,
}

impl std::fmt::Debug for RedisPersister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPersister")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// Options of a [`RedisPersister`]; made by [`RedisPersister::builder`].
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use burr_tracking::persist::redis::RedisPersister;
///
/// # async fn run() -> Result<(), burr_core::PersistenceError> {
/// let persister = RedisPersister::builder("redis://127.0.0.1:6379/0")
///     .namespace("my_project")
///     .timeout(Duration::from_secs(2))
///     .connect()
///     .await?;
/// assert_eq!(persister.namespace(), "my_project");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "call `.connect().await` to make the persister"]
pub struct RedisPersisterBuilder {
    url: String,
    namespace: String,
    timeout: Duration,
}

impl RedisPersisterBuilder {
    /// Prefixes every key with `namespace:` (none by default), so that several projects
    /// share a server.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::redis::RedisPersister;
    /// let builder = RedisPersister::builder("redis://127.0.0.1/").namespace("demo");
    /// # let _ = builder;
    /// ```
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// How long to wait to connect and for each reply before failing with
    /// [`PersistenceError::Backend`] (default 10 seconds).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use burr_tracking::persist::redis::RedisPersister;
    /// let builder = RedisPersister::builder("redis://127.0.0.1/").timeout(Duration::from_secs(1));
    /// # let _ = builder;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connects (must run inside a tokio runtime). Fails with
    /// [`PersistenceError::Backend`] for a malformed URL or an unreachable server.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::redis::RedisPersister;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let err = RedisPersister::builder("not a url").connect().await.unwrap_err();
    /// assert!(matches!(err, burr_core::PersistenceError::Backend(_)));
    /// # }
    /// ```
    pub async fn connect(self) -> Result<RedisPersister, PersistenceError> {
        let client = redis::Client::open(self.url.as_str()).map_err(PersistenceError::backend)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_secs(1));
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(PersistenceError::backend)?;
        Ok(RedisPersister {
            conn,
            namespace: self.namespace.into(),
            retention: Retention::keep_all(),
        })
    }
}

impl RedisPersister {
    /// Starts configuring a persister for the server at `url` (`redis://host[:port][/db]`).
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = burr_tracking::persist::redis::RedisPersister::builder("redis://127.0.0.1/");
    /// # let _ = builder;
    /// ```
    pub fn builder(url: impl Into<String>) -> RedisPersisterBuilder {
        RedisPersisterBuilder {
            url: url.into(),
            namespace: String::new(),
            timeout: Duration::from_secs(10),
        }
    }

    /// Connects to `url` with no namespace; see [`RedisPersister::builder`] for options.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), burr_core::PersistenceError> {
    /// let p = burr_tracking::persist::redis::RedisPersister::connect("redis://127.0.0.1/").await?;
    /// assert_eq!(p.namespace(), "");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<Self, PersistenceError> {
        Self::builder(url).connect().await
    }

    /// The key prefix (without its `:`), empty when there is none.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), burr_core::PersistenceError> {
    /// use burr_tracking::persist::redis::RedisPersister;
    /// let p = RedisPersister::builder("redis://127.0.0.1/").namespace("ns").connect().await?;
    /// assert_eq!(p.namespace(), "ns");
    /// # Ok(())
    /// # }
    /// ```
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// A handle on the shared connection, for commands of your own.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use burr_tracking::persist::redis::{driver::AsyncCommands, RedisPersister};
    /// let p = RedisPersister::connect("redis://127.0.0.1/").await?;
    /// let n: usize = p.connection().zcard("").await?;
    /// # let _ = n;
    /// # Ok(())
    /// # }
    /// ```
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// `[namespace:]partition_key`: the sorted set of the partition (the partition key
    /// escaped, the namespace as configured).
    fn partition_set(&self, partition_key: &str) -> String {
        let pk = key_part(partition_key);
        if self.namespace.is_empty() {
            pk.into_owned()
        } else {
            format!("{}:{pk}", self.namespace)
        }
    }

    /// `[namespace:]partition_key:app_id:sequence_id`: the hash of one step (the ids
    /// escaped, the namespace as configured).
    fn step_key(&self, partition_key: &str, app_id: &str, sequence_id: u64) -> String {
        format!("{}{sequence_id}", self.step_prefix(partition_key, app_id))
    }

    /// The key of an app's steps without the sequence id: `[namespace:]{pk}:{app}:`.
    fn step_prefix(&self, partition_key: &str, app_id: &str) -> String {
        let (pk, app) = (key_part(partition_key), key_part(app_id));
        if self.namespace.is_empty() {
            format!("{pk}:{app}:")
        } else {
            format!("{}:{pk}:{app}:", self.namespace)
        }
    }

    /// Deletes old steps of an application when it saves one (see [`Retention`]), in the
    /// save's script, so that the save and the delete are atomic.
    ///
    /// Each save with a retention also adds its sequence id to the application's step set,
    /// `[namespace:]{partition_key}:{app_id}:steps` (a sorted set, which Burr ignores): the
    /// deletion reads that set, never scans keys. Steps saved without a retention (or by
    /// Burr) are not in it, and are not deleted: to index the steps of an application before
    /// limiting them, save with a retention that deletes nothing,
    /// `Retention::keep_last(u64::MAX)`. With [`Retention::max_age`], the oldest steps
    /// go up to the first one young enough (steps are saved in order). One save deletes at
    /// most 1,000 steps; a larger backlog goes over the next saves. The script builds the
    /// keys of the steps it deletes, so it needs a single Redis server, not a cluster.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use burr_tracking::{RedisPersister, Retention};
    /// # async fn run() -> Result<(), burr_core::PersistenceError> {
    /// let persister = RedisPersister::connect("redis://127.0.0.1:6379/")
    ///     .await?
    ///     .with_retention(Retention::keep_last(20));
    /// assert_eq!(persister.retention().last(), Some(20));
    /// # Ok(())
    /// # }
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
    /// ```no_run
    /// # async fn run() -> Result<(), burr_core::PersistenceError> {
    /// let persister = burr_tracking::RedisPersister::connect("redis://127.0.0.1:6379/").await?;
    /// assert!(persister.retention().keeps_all());
    /// # Ok(())
    /// # }
    /// ```
    pub fn retention(&self) -> Retention {
        self.retention
    }

    fn map_err(e: redis::RedisError, key: &str) -> PersistenceError {
        if e.code() == Some("WRONGTYPE") {
            return PersistenceError::Corrupt(format!(
                "key {key:?} holds another Redis type than this persister writes: {e}"
            ));
        }
        PersistenceError::backend(e)
    }

    async fn save_step(&self, r: SaveRequest<'_>) -> Result<(), PersistenceError> {
        let partition_key = r.partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        if r.sequence_id > MAX_SEQUENCE_ID {
            return Err(PersistenceError::Unsupported(format!(
                "sequence id {} of {}: Redis orders steps by a sorted-set score, a double \
                 that holds sequence ids exactly only up to 2^53 ({MAX_SEQUENCE_ID})",
                r.sequence_id,
                RowName {
                    partition_key,
                    app_id: r.app_id,
                    sequence_id: r.sequence_id.into(),
                }
            )));
        }
        let prefix = self.step_prefix(partition_key, r.app_id);
        let key = format!("{prefix}{}", r.sequence_id);
        let set = self.partition_set(partition_key);
        let steps = format!("{prefix}steps");
        let state = state_to_text(r.state)?;
        let now = chrono::Utc::now();
        let stamp = |t: chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
        };
        // An age beyond the calendar deletes nothing: no cutoff.
        let cutoff = (self.retention.age())
            .and_then(|age| chrono::TimeDelta::from_std(age).ok())
            .and_then(|age| now.checked_sub_signed(age))
            .map(stamp)
            .unwrap_or_default();
        let mut conn = self.conn.clone();
        let written: i64 = SAVE
            .key(&key)
            .key(&set)
            .key(&steps)
            .arg(partition_key)
            .arg(r.app_id)
            .arg(r.sequence_id)
            .arg(r.position)
            .arg(state)
            .arg(r.status.as_str())
            .arg(stamp(now))
            .arg(&prefix)
            .arg(self.retention.first_kept(r.sequence_id))
            .arg(cutoff)
            .arg(if self.retention.keeps_all() {
                0
            } else {
                PRUNE_BUDGET
            })
            .invoke_async(&mut conn)
            .await
            .map_err(|e| Self::map_err(e, &key))?;
        if written == 0 {
            return Err(PersistenceError::Duplicate(format!(
                "{} (key {key:?})",
                RowName {
                    partition_key,
                    app_id: r.app_id,
                    sequence_id: r.sequence_id.into(),
                }
            )));
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
        let mut conn = self.conn.clone();
        let sequence_id = match sequence_id {
            Some(seq) => seq,
            None => {
                let set = self.partition_set(pk);
                let score: Option<f64> = conn
                    .zscore(&set, app_id)
                    .await
                    .map_err(|e| Self::map_err(e, &set))?;
                let Some(score) = score else {
                    return Ok(None);
                };
                if !(score >= 0.0 && score.fract() == 0.0 && score <= MAX_SEQUENCE_ID as f64) {
                    return Err(PersistenceError::Corrupt(format!(
                        "sorted set {set:?} gives app id {app_id:?} the score {score}, \
                         which is not a sequence id"
                    )));
                }
                score as u64
            }
        };
        let key = self.step_key(pk, app_id, sequence_id);
        let fields: HashMap<String, Vec<u8>> = conn
            .hgetall(&key)
            .await
            .map_err(|e| Self::map_err(e, &key))?;
        if fields.is_empty() {
            return Ok(None);
        }
        let name = RowName {
            partition_key: pk,
            app_id,
            sequence_id: sequence_id.into(),
        };
        let field = |f: &str| -> Result<String, PersistenceError> {
            match fields.get(f) {
                Some(bytes) => String::from_utf8(bytes.clone()).map_err(|_| {
                    PersistenceError::Corrupt(format!(
                        "{name}: field {f:?} of hash {key:?} is not UTF-8"
                    ))
                }),
                None => Err(PersistenceError::Corrupt(format!(
                    "{name}: hash {key:?} has no field {f:?}"
                ))),
            }
        };
        let state = state_from_text(&field("state")?, &name)?;
        let status = status_from_text(&field("status")?, &name)?;
        Ok(Some(PersistedState {
            partition_key: partition_key.map(str::to_string),
            app_id: app_id.to_string(),
            sequence_id,
            position: field("position")?,
            state,
            created_at: field("created_at").unwrap_or_default(),
            status,
        }))
    }

    async fn app_ids(&self, partition_key: Option<&str>) -> Result<Vec<String>, PersistenceError> {
        let set = self.partition_set(partition_key.unwrap_or(DEFAULT_PARTITION_KEY));
        let mut conn = self.conn.clone();
        let ids: Vec<Vec<u8>> = conn
            .zrevrange(&set, 0, -1)
            .await
            .map_err(|e| Self::map_err(e, &set))?;
        ids.into_iter()
            .map(|id| {
                String::from_utf8(id).map_err(|e| {
                    PersistenceError::Corrupt(format!(
                        "sorted set {set:?} holds an app id that is not UTF-8: {e}"
                    ))
                })
            })
            .collect()
    }
}

impl RedisPersister {
    /// `[namespace:]{pk}:{app}:{seq}:journal`: the journal hash of one step, one field per
    /// entry index.
    fn journal_key(&self, partition_key: Option<&str>, app_id: &str, sequence_id: u64) -> String {
        let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        format!("{}:journal", self.step_key(pk, app_id, sequence_id))
    }

    async fn save_journal_entry(&self, e: &JournalEntry) -> Result<(), PersistenceError> {
        let key = self.journal_key(e.partition_key.as_deref(), &e.app_id, e.sequence_id);
        let field = serde_json::json!({
            "position": e.position,
            "key": e.key,
            "value": e.value,
        });
        let mut conn = self.conn.clone();
        let () = conn
            .hset(&key, e.index, field.to_string())
            .await
            .map_err(|err| Self::map_err(err, &key))?;
        Ok(())
    }

    async fn journal_of(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<Vec<JournalEntry>, PersistenceError> {
        let key = self.journal_key(partition_key, app_id, sequence_id);
        let mut conn = self.conn.clone();
        let fields: HashMap<String, String> = conn
            .hgetall(&key)
            .await
            .map_err(|err| Self::map_err(err, &key))?;
        let corrupt = |what: String| PersistenceError::Corrupt(format!("journal {key:?}: {what}"));
        let mut entries = Vec::with_capacity(fields.len());
        for (idx, field) in fields {
            let idx: i64 = idx
                .parse()
                .map_err(|_| corrupt(format!("field {idx:?} is not an index")))?;
            let mut v: serde_json::Value = serde_json::from_str(&field)
                .map_err(|e| corrupt(format!("entry {idx} is not JSON: {e}")))?;
            let text = |v: &mut serde_json::Value, k: &str| match v
                .get_mut(k)
                .map(serde_json::Value::take)
            {
                Some(serde_json::Value::String(s)) => Ok(s),
                _ => Err(corrupt(format!("entry {idx} has no text {k:?}"))),
            };
            let (position, entry_key) = (text(&mut v, "position")?, text(&mut v, "key")?);
            let value = v.get("value").cloned().unwrap_or_default().to_string();
            entries.push(journal::entry(
                partition_key,
                app_id,
                sequence_id,
                idx,
                position,
                entry_key,
                &value,
            )?);
        }
        entries.sort_by_key(|e| e.index);
        Ok(entries)
    }
}

impl AsyncStateSaver for RedisPersister {
    fn save<'a>(&'a self, request: SaveRequest<'a>) -> BoxFuture<'a, Result<(), PersistenceError>> {
        Box::pin(self.save_step(request))
    }

    /// Saves the entry in the step's journal hash (see [`AsyncStateSaver::save_journal`]).
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

impl AsyncStateLoader for RedisPersister {
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

    /// Reads the step's journal hash (see [`AsyncStateLoader::load_journal`]).
    fn load_journal<'a>(
        &'a self,
        partition_key: Option<&'a str>,
        app_id: &'a str,
        sequence_id: u64,
    ) -> BoxFuture<'a, Result<Vec<JournalEntry>, PersistenceError>> {
        Box::pin(self.journal_of(partition_key, app_id, sequence_id))
    }
}
