//! One behaviour suite, run over every state persister: in memory, SQLite, PostgreSQL and
//! Redis. Each case runs against a fresh table (or key namespace) and removes it afterwards.
//!
//! PostgreSQL (`BURR_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`)
//! and Redis (`BURR_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/`) are used for real;
//! when one is unreachable its cases print "skipping: ..." and pass, unless
//! `BURR_REQUIRE_SERVICES=1`. `BURR_SUITE_STEPS` changes the 1,000 saves per task of the
//! concurrency case.
// Built without the PostgreSQL or Redis feature, their helpers go unused.
#![cfg_attr(
    not(all(feature = "postgres", feature = "redis")),
    allow(dead_code, unused_imports)
)]

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use burr_core::{
    AsyncStateLoader, AsyncStateSaver, PersistedState, PersistenceError, SaveRequest, State, Status,
};
use support::roots::{env_count, unique};
use support::service_unreachable;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A persister with both async halves.
trait Store: AsyncStateSaver + AsyncStateLoader {}
impl<T: AsyncStateSaver + AsyncStateLoader> Store for T {}

/// Writes a row past the persister's checks, to test what loading a bad row does.
type RawWriter =
    Box<dyn Fn(&str, u64, &str, &str) -> BoxFuture<'static, ()> + Send + Sync + 'static>;

/// What a case needs from a backend.
struct Fixture {
    store: Arc<dyn Store>,
    /// A second persister (its own connection) on the same table or namespace.
    reopen: Box<dyn Fn() -> BoxFuture<'static, Arc<dyn Store>> + Send + Sync>,
    /// The table name, for stores that need `initialize()` first.
    table: Option<String>,
    /// Writes a row as-is: (app id, sequence id, state text, status).
    raw: Option<RawWriter>,
}

/// Drops what a case created.
type Cleanup = Option<BoxFuture<'static, ()>>;

/// Runs a case on its own task so that the cleanup runs even when the case panics.
async fn run<F, Fut>(fixture: Fixture, cleanup: Cleanup, case: F)
where
    F: FnOnce(Arc<Fixture>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let fixture = Arc::new(fixture);
    let outcome = tokio::spawn(case(fixture)).await;
    if let Some(cleanup) = cleanup {
        cleanup.await;
    }
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

fn request<'a>(
    partition_key: Option<&'a str>,
    app_id: &'a str,
    sequence_id: u64,
    position: &'a str,
    state: &'a State,
    status: Status,
) -> SaveRequest<'a> {
    SaveRequest {
        partition_key,
        app_id,
        sequence_id,
        position,
        state,
        status,
    }
}

/// The state an application has after step `seq` ran action `position`.
fn step_state(app: &str, seq: u64, position: &str) -> State {
    State::new()
        .update("app", app)
        .update("count", seq)
        .with_sequence_id(seq)
        .with_prior_step(position)
}

fn position_of(seq: u64) -> &'static str {
    ["counter", "check", "report"][(seq % 3) as usize]
}

async fn ready(f: &Fixture) {
    f.store.initialize().await.expect("initialize");
}

async fn save_steps(store: &dyn Store, pk: Option<&str>, app: &str, seqs: std::ops::Range<u64>) {
    for seq in seqs {
        let position = position_of(seq);
        let state = step_state(app, seq, position);
        store
            .save(request(pk, app, seq, position, &state, Status::Completed))
            .await
            .unwrap_or_else(|e| panic!("saving {app} step {seq}: {e}"));
    }
}

mod cases {
    use super::*;

    pub(super) async fn initialization(f: Arc<Fixture>) {
        match &f.table {
            Some(table) => {
                assert!(!f.store.is_initialized().await.unwrap());
                let state = State::new();
                let err = f
                    .store
                    .save(request(None, "a", 0, "x", &state, Status::Completed))
                    .await
                    .unwrap_err();
                assert!(matches!(err, PersistenceError::Uninitialized(_)), "{err}");
                assert!(err.to_string().contains(table.as_str()), "{err}");
                let err = f.store.load(None, "a", None).await.unwrap_err();
                assert!(matches!(err, PersistenceError::Uninitialized(_)), "{err}");
                let err = f.store.list_app_ids(None).await.unwrap_err();
                assert!(matches!(err, PersistenceError::Uninitialized(_)), "{err}");
                let second = (f.reopen)().await;
                assert!(!second.is_initialized().await.unwrap());
                ready(&f).await;
                assert!(f.store.is_initialized().await.unwrap());
                // Idempotent, and visible from another connection.
                ready(&f).await;
                let third = (f.reopen)().await;
                assert!(third.is_initialized().await.unwrap());
                assert!(second.is_initialized().await.unwrap());
            }
            None => {
                assert!(f.store.is_initialized().await.unwrap());
                ready(&f).await;
                assert!((f.reopen)().await.is_initialized().await.unwrap());
            }
        }
    }

    pub(super) async fn starts_empty(f: Arc<Fixture>) {
        ready(&f).await;
        assert!(f.store.list_app_ids(None).await.unwrap().is_empty());
        assert!(f.store.list_app_ids(Some("pk")).await.unwrap().is_empty());
        assert_eq!(f.store.load(None, "nobody", None).await.unwrap(), None);
        assert_eq!(f.store.load(None, "nobody", Some(0)).await.unwrap(), None);
    }

    pub(super) async fn save_then_load(f: Arc<Fixture>) {
        ready(&f).await;
        let state = State::new()
            .update("text", "héllo \"quoted\" \\ 🦀 \u{1}")
            .update("int", -42)
            .update("big", 9_007_199_254_740_993_u64)
            .update("float", 0.1)
            .update("flag", true)
            .update("nothing", serde_json::Value::Null)
            .update("list", serde_json::json!([1, "two", {"three": [3]}]))
            .update("nested", serde_json::json!({"a": {"b": [], "c": {}}}))
            .with_sequence_id(0)
            .with_prior_step("start");
        f.store
            .save(request(None, "app", 0, "start", &state, Status::Completed))
            .await
            .unwrap();
        for loaded in [
            f.store.load(None, "app", None).await.unwrap().unwrap(),
            f.store.load(None, "app", Some(0)).await.unwrap().unwrap(),
        ] {
            assert_eq!(loaded.state, state);
            assert_eq!(loaded.state.sequence_id(), Some(0));
            assert_eq!(loaded.state.prior_step(), Some("start"));
            assert_eq!(
                loaded.state.get::<String>("text").unwrap(),
                "héllo \"quoted\" \\ 🦀 \u{1}"
            );
            assert_eq!(
                loaded.state.get::<u64>("big").unwrap(),
                9_007_199_254_740_993
            );
            assert_eq!(loaded.partition_key, None);
            assert_eq!(loaded.app_id, "app");
            assert_eq!(loaded.sequence_id, 0);
            assert_eq!(loaded.position, "start");
            assert_eq!(loaded.status, Status::Completed);
            assert!(loaded.created_at.starts_with("20"), "{}", loaded.created_at);
        }
        // Another connection sees the same row.
        let other = (f.reopen)().await;
        let loaded = other.load(None, "app", None).await.unwrap().unwrap();
        assert_eq!(loaded.state, state);
    }

    pub(super) async fn latest_and_exact(f: Arc<Fixture>) {
        ready(&f).await;
        save_steps(&*f.store, None, "app", 0..3).await;
        // A failed step saves the state before the action, with the bumped sequence id.
        let before = step_state("app", 2, position_of(2));
        f.store
            .save(request(None, "app", 3, "explode", &before, Status::Failed))
            .await
            .unwrap();
        let latest = f.store.load(None, "app", None).await.unwrap().unwrap();
        assert_eq!(
            (latest.sequence_id, latest.position.as_str(), latest.status),
            (3, "explode", Status::Failed)
        );
        assert_eq!(latest.state, before);
        for seq in 0..3 {
            let row = f.store.load(None, "app", Some(seq)).await.unwrap().unwrap();
            assert_eq!(row.sequence_id, seq);
            assert_eq!(row.position, position_of(seq));
            assert_eq!(row.status, Status::Completed);
            assert_eq!(row.state, step_state("app", seq, position_of(seq)));
        }
        assert_eq!(f.store.load(None, "app", Some(4)).await.unwrap(), None);
        assert_eq!(
            f.store.load(None, "app", Some(u64::MAX)).await.unwrap(),
            None
        );
        assert_eq!(f.store.load(None, "other", None).await.unwrap(), None);
        assert_eq!(
            f.store.load(Some("elsewhere"), "app", None).await.unwrap(),
            None
        );
    }

    pub(super) async fn app_ids_most_recent_first(f: Arc<Fixture>) {
        ready(&f).await;
        // Saved in the order a, b, c, each with more steps than the one before, so "most
        // recently saved" and "highest sequence id" (Redis) give the same order.
        save_steps(&*f.store, None, "a", 0..1).await;
        save_steps(&*f.store, None, "b", 0..2).await;
        save_steps(&*f.store, None, "c", 0..3).await;
        save_steps(&*f.store, Some("p1"), "z", 0..1).await;
        assert_eq!(f.store.list_app_ids(None).await.unwrap(), ["c", "b", "a"]);
        assert_eq!(f.store.list_app_ids(Some("p1")).await.unwrap(), ["z"]);
        assert!(f.store.list_app_ids(Some("p2")).await.unwrap().is_empty());
    }

    pub(super) async fn partition_keys(f: Arc<Fixture>) {
        ready(&f).await;
        let none = State::new().update("who", "none");
        let user = State::new().update("who", "user-1");
        f.store
            .save(request(None, "app", 0, "x", &none, Status::Completed))
            .await
            .unwrap();
        f.store
            .save(request(
                Some("user-1"),
                "app",
                0,
                "x",
                &user,
                Status::Completed,
            ))
            .await
            .unwrap();
        let a = f.store.load(None, "app", None).await.unwrap().unwrap();
        assert_eq!((a.state, a.partition_key), (none, None));
        let b = f
            .store
            .load(Some("user-1"), "app", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (b.state, b.partition_key.as_deref()),
            (user, Some("user-1"))
        );
        assert_eq!(f.store.list_app_ids(None).await.unwrap(), ["app"]);
        assert_eq!(f.store.list_app_ids(Some("user-1")).await.unwrap(), ["app"]);
    }

    /// A missing partition key is stored as Burr's default, the empty string.
    pub(super) async fn no_partition_key_is_the_empty_one(f: Arc<Fixture>) {
        ready(&f).await;
        save_steps(&*f.store, None, "app", 0..1).await;
        let row = f.store.load(Some(""), "app", None).await.unwrap().unwrap();
        assert_eq!(row.partition_key.as_deref(), Some(""));
        assert_eq!(f.store.list_app_ids(Some("")).await.unwrap(), ["app"]);
    }

    pub(super) async fn duplicates_are_refused(f: Arc<Fixture>) {
        ready(&f).await;
        save_steps(&*f.store, None, "app", 0..2).await;
        let other = State::new().update("overwrite", true);
        for position in [position_of(1), "another_action"] {
            let err = f
                .store
                .save(request(None, "app", 1, position, &other, Status::Completed))
                .await
                .unwrap_err();
            assert!(matches!(err, PersistenceError::Duplicate(_)), "{err}");
            assert!(err.to_string().contains("\"app\""), "{err}");
        }
        let kept = f.store.load(None, "app", Some(1)).await.unwrap().unwrap();
        assert_eq!(kept.state, step_state("app", 1, position_of(1)));
        // The same step under another partition is another step.
        f.store
            .save(request(Some("p"), "app", 1, "x", &other, Status::Completed))
            .await
            .unwrap();
    }

    pub(super) async fn bad_rows_are_corrupt(f: Arc<Fixture>) {
        ready(&f).await;
        let raw = f.raw.as_ref().expect("this backend writes raw rows");
        raw("list_state", 0, "[1, 2]", "completed").await;
        raw("bad_status", 0, r#"{"a": 1}"#, "done").await;
        for (app, needle) in [("list_state", "JSON object"), ("bad_status", "\"done\"")] {
            for seq in [None, Some(0)] {
                let err = f.store.load(None, app, seq).await.unwrap_err();
                assert!(matches!(err, PersistenceError::Corrupt(_)), "{err}");
                let msg = err.to_string();
                assert!(msg.contains(needle) && msg.contains(app), "{msg}");
            }
        }
        // Good rows next to bad ones still load.
        save_steps(&*f.store, None, "fine", 0..1).await;
        assert!(f.store.load(None, "fine", None).await.unwrap().is_some());
    }

    /// Two writers race to save every step of one application: for each step exactly one
    /// wins, the other gets `Duplicate`, and the saved step is the winner's, whole.
    pub(super) async fn racing_writers_never_mix(f: Arc<Fixture>) {
        ready(&f).await;
        let mut tasks = tokio::task::JoinSet::new();
        for seq in 0..100_u64 {
            for writer in ["left", "right"] {
                let store = f.store.clone();
                tasks.spawn(async move {
                    let state = State::new()
                        .update("writer", writer)
                        .update("payload", writer.repeat(200))
                        .with_sequence_id(seq);
                    let saved = store
                        .save(request(
                            None,
                            "race",
                            seq,
                            "step",
                            &state,
                            Status::Completed,
                        ))
                        .await;
                    (seq, writer, saved)
                });
            }
        }
        let mut winners = std::collections::HashMap::new();
        while let Some(done) = tasks.join_next().await {
            let (seq, writer, saved) = done.expect("a writer panicked");
            match saved {
                Ok(()) => {
                    let previous = winners.insert(seq, writer);
                    assert_eq!(previous, None, "step {seq} saved by both writers");
                }
                Err(PersistenceError::Duplicate(_)) => {}
                Err(other) => panic!("step {seq} by {writer}: {other}"),
            }
        }
        assert_eq!(winners.len(), 100, "every step has a winner");
        for (seq, writer) in winners {
            let row = f
                .store
                .load(None, "race", Some(seq))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.state.get::<String>("writer").unwrap(), writer);
            assert_eq!(
                row.state.get::<String>("payload").unwrap(),
                writer.repeat(200)
            );
        }
        let latest = f.store.load(None, "race", None).await.unwrap().unwrap();
        assert_eq!(latest.sequence_id, 99);
    }

    /// 64 applications save 1,000 steps each at the same time; every step is then there
    /// once, in order, and the latest is the last one.
    pub(super) async fn concurrent_apps(f: Arc<Fixture>) {
        ready(&f).await;
        let steps = env_count("BURR_SUITE_STEPS", 1000);
        let apps: Vec<String> = (0..64).map(|i| format!("app-{i:02}")).collect();
        let mut tasks = tokio::task::JoinSet::new();
        for app in apps.clone() {
            let store = f.store.clone();
            tasks.spawn(async move { save_steps(&*store, Some("load"), &app, 0..steps).await });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("a saving task panicked");
        }
        let mut listed = f.store.list_app_ids(Some("load")).await.unwrap();
        listed.sort();
        assert_eq!(listed, apps);
        let mut checks = tokio::task::JoinSet::new();
        for app in apps {
            let store = f.store.clone();
            checks.spawn(async move {
                let latest = store.load(Some("load"), &app, None).await.unwrap().unwrap();
                assert_eq!(latest.sequence_id, steps - 1);
                assert_eq!(
                    latest.state,
                    step_state(&app, steps - 1, position_of(steps - 1))
                );
                let mut previous: Option<PersistedState> = None;
                for seq in 0..steps {
                    let row = store.load(Some("load"), &app, Some(seq)).await.unwrap();
                    let row = row.unwrap_or_else(|| panic!("{app} step {seq} is missing"));
                    assert_eq!(row.state, step_state(&app, seq, position_of(seq)));
                    assert_eq!(row.position, position_of(seq));
                    if let Some(prev) = &previous {
                        assert!(
                            prev.created_at <= row.created_at,
                            "{app}: step {seq} saved at {} before step {} at {}",
                            row.created_at,
                            prev.sequence_id,
                            prev.created_at
                        );
                    }
                    previous = Some(row);
                }
                assert_eq!(
                    store.load(Some("load"), &app, Some(steps)).await.unwrap(),
                    None
                );
            });
        }
        while let Some(done) = checks.join_next().await {
            done.expect("a checking task panicked");
        }
    }
}

/// Declares one test per case for a backend.
macro_rules! suite {
    ($backend:ident => $fixture:expr; $($case:ident),+ $(,)?) => {
        mod $backend {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let Some((fixture, cleanup)) = $fixture.await else { return };
                    run(fixture, cleanup, cases::$case).await;
                }
            )+
        }
    };
}

// ---------------------------------------------------------------------------- in memory

mod memory_backend {
    use super::*;
    use burr_core::{InMemoryPersister, StateLoader, StateSaver};

    /// The in-memory persister is sync; this runs it behind the async traits.
    pub(super) struct Memory(pub(super) InMemoryPersister);

    impl AsyncStateSaver for Memory {
        fn save<'a>(&'a self, r: SaveRequest<'a>) -> BoxFuture<'a, Result<(), PersistenceError>> {
            let done = StateSaver::save(&self.0, r);
            Box::pin(async move { done })
        }
    }

    impl AsyncStateLoader for Memory {
        fn load<'a>(
            &'a self,
            partition_key: Option<&'a str>,
            app_id: &'a str,
            sequence_id: Option<u64>,
        ) -> BoxFuture<'a, Result<Option<PersistedState>, PersistenceError>> {
            let done = StateLoader::load(&self.0, partition_key, app_id, sequence_id);
            Box::pin(async move { done })
        }

        fn list_app_ids<'a>(
            &'a self,
            partition_key: Option<&'a str>,
        ) -> BoxFuture<'a, Result<Vec<String>, PersistenceError>> {
            let done = StateLoader::list_app_ids(&self.0, partition_key);
            Box::pin(async move { done })
        }
    }

    pub(super) async fn fixture() -> Option<(Fixture, Cleanup)> {
        let shared = InMemoryPersister::new();
        let again = shared.clone();
        Some((
            Fixture {
                store: Arc::new(Memory(shared)),
                reopen: Box::new(move || {
                    let store: Arc<dyn Store> = Arc::new(Memory(again.clone()));
                    Box::pin(async move { store })
                }),
                table: None,
                raw: None,
            },
            None,
        ))
    }
}

// The in-memory store keeps every save and keys partitions by the `Option` itself (as
// Burr's does), so duplicates, bad rows and the empty-partition-key equivalence do not apply
// to it.
suite!(memory => memory_backend::fixture();
    initialization, starts_empty, save_then_load, latest_and_exact, app_ids_most_recent_first,
    partition_keys, concurrent_apps);

// ---------------------------------------------------------------------------- SQLite

#[cfg(feature = "sqlite")]
mod sqlite_backend {
    use super::*;
    use burr_core::persistence::Blocking;
    use burr_tracking::persist::sqlite::SqlitePersister;

    /// The SQLite persister is sync; `Blocking` runs it on tokio's blocking threads behind
    /// the async traits.
    pub(super) async fn fixture() -> Option<(Fixture, Cleanup)> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        let table = unique("burr_test");
        let open = {
            let (path, table) = (path.clone(), table.clone());
            move || {
                Blocking::new(
                    SqlitePersister::open(&path)
                        .expect("open")
                        .with_table_name(&table)
                        .expect("table name"),
                )
            }
        };
        let store = open();
        let raw: RawWriter = {
            let (path, table) = (path.clone(), table.clone());
            Box::new(move |app, seq, state, status| {
                let conn = rusqlite::Connection::open(&path).expect("open raw");
                conn.execute(
                    &format!(
                        "INSERT INTO {table} (partition_key, app_id, sequence_id, position, \
                         status, state) VALUES ('', ?1, ?2, 'raw', ?3, ?4)"
                    ),
                    rusqlite::params![app, seq as i64, status, state],
                )
                .expect("raw insert");
                Box::pin(async {})
            })
        };
        Some((
            Fixture {
                store: Arc::new(store),
                reopen: Box::new(move || {
                    let store: Arc<dyn Store> = Arc::new(open());
                    Box::pin(async move { store })
                }),
                table: Some(table),
                raw: Some(raw),
            },
            Some(Box::pin(async move { drop(dir) }) as BoxFuture<'static, ()>),
        ))
    }
}

#[cfg(feature = "sqlite")]
suite!(sqlite => sqlite_backend::fixture();
    initialization, starts_empty, save_then_load, latest_and_exact, app_ids_most_recent_first,
    partition_keys, no_partition_key_is_the_empty_one, duplicates_are_refused,
    bad_rows_are_corrupt, racing_writers_never_mix,
    concurrent_apps);

// ---------------------------------------------------------------------------- PostgreSQL

#[cfg(feature = "postgres")]
mod postgres_backend {
    use super::*;
    use burr_tracking::persist::postgres::PostgresPersister;

    pub(super) fn url() -> String {
        std::env::var("BURR_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
    }

    /// A plain client for what the persister does not do (raw rows, dropping tables).
    pub(super) async fn admin() -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    pub(super) async fn fixture() -> Option<(Fixture, Cleanup)> {
        let admin = match tokio::time::timeout(Duration::from_secs(5), admin()).await {
            Ok(Ok(client)) => Arc::new(client),
            Ok(Err(e)) => return service_unreachable("PostgreSQL", e),
            Err(e) => return service_unreachable("PostgreSQL", e),
        };
        let table = unique("burr_t");
        let open = {
            let table = table.clone();
            move || {
                PostgresPersister::builder(url())
                    .table_name(&table)
                    .max_connections(16)
                    .build()
                    .expect("build")
            }
        };
        let raw: RawWriter = {
            let (admin, table) = (admin.clone(), table.clone());
            Box::new(move |app, seq, state, status| {
                let (admin, table) = (admin.clone(), table.clone());
                let (app, state, status) = (app.to_string(), state.to_string(), status.to_string());
                Box::pin(async move {
                    admin
                        .execute(
                            &format!(
                                "INSERT INTO {table} (partition_key, app_id, sequence_id, \
                                 position, status, state) \
                                 VALUES ('', $1, $2::int4, 'raw', $3, $4::text::jsonb)"
                            ),
                            &[&app, &(seq as i32), &status, &state],
                        )
                        .await
                        .expect("raw insert");
                })
            })
        };
        let cleanup: BoxFuture<'static, ()> = {
            let table = table.clone();
            Box::pin(async move {
                admin
                    .batch_execute(&format!("DROP TABLE IF EXISTS {table}, {table}_journal"))
                    .await
                    .expect("drop table");
            })
        };
        Some((
            Fixture {
                store: Arc::new(open()),
                reopen: Box::new(move || {
                    let store: Arc<dyn Store> = Arc::new(open());
                    Box::pin(async move { store })
                }),
                table: Some(table),
                raw: Some(raw),
            },
            Some(cleanup),
        ))
    }
}

#[cfg(feature = "postgres")]
suite!(postgres => postgres_backend::fixture();
    initialization, starts_empty, save_then_load, latest_and_exact, app_ids_most_recent_first,
    partition_keys, no_partition_key_is_the_empty_one, duplicates_are_refused,
    bad_rows_are_corrupt, racing_writers_never_mix,
    concurrent_apps);

// ---------------------------------------------------------------------------- Redis

#[cfg(feature = "redis")]
mod redis_backend {
    use super::*;
    use burr_tracking::persist::redis::RedisPersister;
    use burr_tracking::persist::redis::driver::AsyncCommands;

    pub(super) fn url() -> String {
        std::env::var("BURR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
    }

    pub(super) async fn connect(namespace: &str) -> Result<RedisPersister, PersistenceError> {
        RedisPersister::builder(url())
            .namespace(namespace)
            .timeout(Duration::from_secs(5))
            .connect()
            .await
    }

    /// Deletes every key of `namespace`.
    pub(super) async fn delete_namespace(p: &RedisPersister) {
        let mut conn = p.connection();
        let pattern = format!("{}:*", p.namespace());
        let keys: Vec<String> = {
            let mut iter = conn.scan_match::<_, String>(&pattern).await.expect("scan");
            let mut keys = Vec::new();
            while let Some(key) = iter.next_item().await {
                keys.push(key.expect("scan item"));
            }
            keys
        };
        let mut conn = p.connection();
        for chunk in keys.chunks(500) {
            let _: () = conn.del(chunk).await.expect("del");
        }
    }

    pub(super) async fn fixture() -> Option<(Fixture, Cleanup)> {
        let namespace = unique("burr_test");
        let store = match connect(&namespace).await {
            Ok(store) => store,
            Err(e) => return service_unreachable("Redis", e),
        };
        let raw: RawWriter = {
            let store = store.clone();
            Box::new(move |app, seq, state, status| {
                let mut conn = store.connection();
                let ns = store.namespace().to_string();
                let (app, state, status) = (app.to_string(), state.to_string(), status.to_string());
                Box::pin(async move {
                    let key = format!("{ns}::{app}:{seq}");
                    let fields = [
                        ("partition_key", String::new()),
                        ("app_id", app.clone()),
                        ("sequence_id", seq.to_string()),
                        ("position", "raw".into()),
                        ("state", state),
                        ("status", status),
                        ("created_at", "2026-01-01T00:00:00+00:00".into()),
                    ];
                    let _: () = conn.hset_multiple(&key, &fields).await.expect("raw hset");
                    let _: () = conn
                        .zadd(format!("{ns}:"), &app, seq)
                        .await
                        .expect("raw zadd");
                })
            })
        };
        let cleanup: BoxFuture<'static, ()> = {
            let store = store.clone();
            Box::pin(async move { delete_namespace(&store).await })
        };
        Some((
            Fixture {
                store: Arc::new(store),
                reopen: Box::new(move || {
                    let namespace = namespace.clone();
                    Box::pin(async move {
                        let store: Arc<dyn Store> =
                            Arc::new(connect(&namespace).await.expect("reconnect"));
                        store
                    })
                }),
                table: None,
                raw: Some(raw),
            },
            Some(cleanup),
        ))
    }
}

#[cfg(feature = "redis")]
suite!(redis => redis_backend::fixture();
    initialization, starts_empty, save_then_load, latest_and_exact, app_ids_most_recent_first,
    partition_keys, no_partition_key_is_the_empty_one, duplicates_are_refused,
    bad_rows_are_corrupt, racing_writers_never_mix,
    concurrent_apps);

// ---------------------------------------------------------------------------- faults

/// A TCP proxy in front of a server, to take the server away and bring it back.
#[cfg(any(feature = "postgres", feature = "redis"))]
mod proxy {
    use std::net::SocketAddr;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use tokio::net::{TcpListener, TcpStream};
    use tokio::task::AbortHandle;

    pub(super) struct Proxy {
        pub(super) addr: SocketAddr,
        up: Arc<AtomicBool>,
        links: Arc<Mutex<Vec<AbortHandle>>>,
        acceptor: AbortHandle,
    }

    impl Proxy {
        pub(super) async fn start(target: SocketAddr) -> Proxy {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
            let addr = listener.local_addr().expect("proxy address");
            let up = Arc::new(AtomicBool::new(true));
            let links = Arc::new(Mutex::new(Vec::<AbortHandle>::new()));
            let acceptor = {
                let (up, links) = (up.clone(), links.clone());
                tokio::spawn(async move {
                    loop {
                        let Ok((mut inbound, _)) = listener.accept().await else {
                            continue;
                        };
                        if !up.load(Ordering::SeqCst) {
                            drop(inbound); // the server is "down": hang up at once
                            continue;
                        }
                        let link = tokio::spawn(async move {
                            if let Ok(mut outbound) = TcpStream::connect(target).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound)
                                    .await;
                            }
                        });
                        links.lock().unwrap().push(link.abort_handle());
                    }
                })
                .abort_handle()
            };
            Proxy {
                addr,
                up,
                links,
                acceptor,
            }
        }

        /// Cuts every open connection and refuses new ones.
        pub(super) fn down(&self) {
            self.up.store(false, Ordering::SeqCst);
            for link in self.links.lock().unwrap().drain(..) {
                link.abort();
            }
        }

        pub(super) fn up(&self) {
            self.up.store(true, Ordering::SeqCst);
        }
    }

    impl Drop for Proxy {
        fn drop(&mut self) {
            self.down();
            self.acceptor.abort();
        }
    }

    /// Retries `attempt` until it succeeds (at most ~20 s); every failure must be `Backend`.
    pub(super) async fn until_ok<T, F, Fut>(what: &str, mut attempt: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, PersistenceError>>,
    {
        for _ in 0..100 {
            match attempt().await {
                Ok(v) => return v,
                Err(PersistenceError::Backend(_)) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(other) => {
                    panic!("{what}: expected a backend error while recovering, got {other}")
                }
            }
        }
        panic!("{what}: still failing after 20 s");
    }
}

/// Steps `0..n` must all be there, with their states. Connections cut during the outage
/// may still sit in a pool, each failing one call, hence the retries.
#[cfg(any(feature = "postgres", feature = "redis"))]
async fn assert_all_steps(store: &dyn Store, app: &str, n: u64) {
    use proxy::until_ok;
    for seq in 0..n {
        let row = until_ok("load", || store.load(None, app, Some(seq))).await;
        let row = row.unwrap_or_else(|| panic!("step {seq} was lost"));
        assert_eq!(row.state, step_state(app, seq, position_of(seq)));
    }
    let latest = until_ok("load latest", || store.load(None, app, None)).await;
    assert_eq!(latest.unwrap().sequence_id, n - 1);
}

#[cfg(feature = "postgres")]
mod postgres_faults {
    use super::proxy::{Proxy, until_ok};
    use super::*;
    use burr_tracking::persist::postgres::PostgresPersister;

    /// The server goes away mid-run (its backend connections are terminated, then it is
    /// unreachable): saves fail with `Backend`, succeed again once it is back, and nothing
    /// saved before is lost.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn saves_fail_typed_and_recover_when_the_server_goes_away() {
        let admin = match postgres_backend::admin().await {
            Ok(admin) => admin,
            Err(e) => {
                let _ = service_unreachable::<()>("PostgreSQL", e);
                return;
            }
        };
        let config: tokio_postgres::Config = postgres_backend::url().parse().unwrap();
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let target = tokio::net::lookup_host((host.as_str(), port))
            .await
            .unwrap()
            .next()
            .unwrap();
        let proxy = Proxy::start(target).await;
        let table = unique("burr_fault");
        let application = unique("burr_fault_app");
        let user = config.get_user().unwrap_or("postgres");
        let dbname = config.get_dbname().unwrap_or("postgres");
        let url = format!(
            "postgres://{user}@{}/{dbname}?application_name={application}",
            proxy.addr
        );
        let store = PostgresPersister::builder(url)
            .table_name(&table)
            .max_connections(4)
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let outcome = tokio::spawn({
            let store = store.clone();
            let admin_app = application.clone();
            async move {
                store.initialize().await.unwrap();
                save_steps(&store, None, "app", 0..5).await;

                // An administrator kills the persister's connections.
                let killed = admin
                    .query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE application_name = $1",
                        &[&admin_app],
                    )
                    .await
                    .unwrap();
                assert!(!killed.is_empty(), "no connection to terminate");
                let state = step_state("app", 5, position_of(5));
                let save5 = || {
                    store.save(request(
                        None,
                        "app",
                        5,
                        position_of(5),
                        &state,
                        Status::Completed,
                    ))
                };
                // Each dead pooled connection fails at most the call using it (with Backend);
                // fresh connections replace them.
                match save5().await {
                    Ok(()) | Err(PersistenceError::Backend(_)) => {}
                    Err(other) => panic!("expected Ok or Backend after termination, got {other}"),
                }
                if until_ok("load after termination", || {
                    store.load(None, "app", Some(5))
                })
                .await
                .is_none()
                {
                    until_ok("save after termination", save5).await;
                }

                // The server becomes unreachable.
                proxy.down();
                let state = step_state("app", 6, position_of(6));
                let save6 = || {
                    store.save(request(
                        None,
                        "app",
                        6,
                        position_of(6),
                        &state,
                        Status::Completed,
                    ))
                };
                let err = save6().await.unwrap_err();
                assert!(matches!(err, PersistenceError::Backend(_)), "{err}");
                let err = store.load(None, "app", None).await.unwrap_err();
                assert!(matches!(err, PersistenceError::Backend(_)), "{err}");

                // It comes back: the retry succeeds and every step is there.
                proxy.up();
                until_ok("save once the server is back", save6).await;
                assert_all_steps(&store, "app", 7).await;
                admin
            }
        })
        .await;
        let cleanup = postgres_backend::admin().await.unwrap();
        cleanup
            .batch_execute(&format!("DROP TABLE IF EXISTS {table}, {table}_journal"))
            .await
            .unwrap();
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

#[cfg(feature = "redis")]
mod redis_faults {
    use super::proxy::{Proxy, until_ok};
    use super::*;
    use burr_tracking::persist::redis::RedisPersister;
    use burr_tracking::persist::redis::driver::{self, AsyncCommands};

    /// The server goes away mid-run (`CLIENT KILL` of the persister's connection, then the
    /// server is unreachable): saves fail with `Backend`, succeed again once it is back, and
    /// nothing saved before is lost.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn saves_fail_typed_and_recover_when_the_server_goes_away() {
        let admin = match driver::Client::open(redis_backend::url()) {
            Ok(client) => match client.get_multiplexed_async_connection().await {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = service_unreachable::<()>("Redis", e);
                    return;
                }
            },
            Err(e) => {
                let _ = service_unreachable::<()>("Redis", e);
                return;
            }
        };
        let info = driver::Client::open(redis_backend::url())
            .unwrap()
            .get_connection_info()
            .addr()
            .to_string();
        let target = tokio::net::lookup_host(info.as_str())
            .await
            .unwrap()
            .next()
            .unwrap();
        let proxy = Proxy::start(target).await;
        let namespace = unique("burr_fault");
        let store = RedisPersister::builder(format!("redis://{}/", proxy.addr))
            .namespace(&namespace)
            .timeout(Duration::from_secs(2))
            .connect()
            .await
            .unwrap();
        let outcome = tokio::spawn({
            let store = store.clone();
            let mut admin = admin.clone();
            async move {
                save_steps(&store, None, "app", 0..5).await;

                // An administrator kills the persister's connection.
                let id: i64 = driver::cmd("CLIENT")
                    .arg("ID")
                    .query_async(&mut store.connection())
                    .await
                    .unwrap();
                let killed: i64 = driver::cmd("CLIENT")
                    .arg("KILL")
                    .arg("ID")
                    .arg(id)
                    .query_async(&mut admin)
                    .await
                    .unwrap();
                assert_eq!(killed, 1);
                let state = step_state("app", 5, position_of(5));
                let save5 = || {
                    store.save(request(
                        None,
                        "app",
                        5,
                        position_of(5),
                        &state,
                        Status::Completed,
                    ))
                };
                match save5().await {
                    Ok(()) | Err(PersistenceError::Backend(_)) => {}
                    Err(other) => panic!("expected Ok or Backend after CLIENT KILL, got {other}"),
                }
                if until_ok("load after CLIENT KILL", || {
                    store.load(None, "app", Some(5))
                })
                .await
                .is_none()
                {
                    until_ok("save after CLIENT KILL", save5).await;
                }

                // The server becomes unreachable.
                proxy.down();
                let state = step_state("app", 6, position_of(6));
                let save6 = || {
                    store.save(request(
                        None,
                        "app",
                        6,
                        position_of(6),
                        &state,
                        Status::Completed,
                    ))
                };
                let err = save6().await.unwrap_err();
                assert!(matches!(err, PersistenceError::Backend(_)), "{err}");
                let err = store.load(None, "app", None).await.unwrap_err();
                assert!(matches!(err, PersistenceError::Backend(_)), "{err}");

                // It comes back: the retry succeeds and every step is there.
                proxy.up();
                until_ok("save once the server is back", save6).await;
                assert_all_steps(&store, "app", 7).await;
            }
        })
        .await;
        let mut admin = admin;
        let keys: Vec<String> = admin.keys(format!("{namespace}:*")).await.unwrap();
        if !keys.is_empty() {
            let _: () = admin.del(keys).await.unwrap();
        }
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}
