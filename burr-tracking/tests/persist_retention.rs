//! Retention (`with_retention`) over real stores: SQLite, PostgreSQL and Redis. Old steps of
//! an application are deleted when it saves one: by count (`keep_last`) and by age
//! (`max_age`, tested on rows whose `created_at` is rewritten to the past); the newest step
//! always stays, deleted steps load as `None`, and other applications are untouched.
//!
//! PostgreSQL (`BURR_TEST_POSTGRES_URL`) and Redis (`BURR_TEST_REDIS_URL`) are used as in
//! `persist_suite`: unreachable, their cases print "skipping: ..." and pass, unless
//! `BURR_REQUIRE_SERVICES=1`.
#![cfg(all(feature = "sqlite", feature = "postgres", feature = "redis"))]

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use burr_core::persistence::Blocking;
use burr_core::{AsyncStateLoader, AsyncStateSaver, SaveRequest, State, Status};
use burr_tracking::Retention;
use support::roots::unique;
use support::service_unreachable;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

trait Store: AsyncStateSaver + AsyncStateLoader {}
impl<T: AsyncStateSaver + AsyncStateLoader> Store for T {}

/// Rewrites the `created_at` of steps (app id, sequence ids) to a day in 2001.
type Ager = Box<dyn Fn(&str, &[u64]) -> BoxFuture<'static, ()> + Send + Sync>;

/// One store under test.
struct Backend {
    /// A persister on the case's table (or namespace) with this retention.
    open: Box<dyn Fn(Retention) -> Arc<dyn Store> + Send + Sync>,
    /// Makes steps old.
    age: Ager,
}

/// A retention that deletes nothing (Redis then indexes the steps it saves, as with any
/// retention).
fn indexing() -> Retention {
    Retention::keep_last(u64::MAX)
}

async fn save(store: &dyn Store, pk: Option<&str>, app: &str, seqs: impl Iterator<Item = u64>) {
    for seq in seqs {
        let state = State::new().update("n", seq).with_sequence_id(seq);
        store
            .save(SaveRequest {
                partition_key: pk,
                app_id: app,
                sequence_id: seq,
                position: "count",
                state: &state,
                status: Status::Completed,
            })
            .await
            .unwrap_or_else(|e| panic!("saving {app} step {seq}: {e}"));
    }
}

/// The sequence ids of `app` that load, among `0..up_to`.
async fn kept(store: &dyn Store, pk: Option<&str>, app: &str, up_to: u64) -> Vec<u64> {
    let mut kept = Vec::new();
    for seq in 0..up_to {
        if let Some(row) = store.load(pk, app, Some(seq)).await.unwrap() {
            assert_eq!(row.sequence_id, seq);
            kept.push(seq);
        }
    }
    kept
}

async fn latest(store: &dyn Store, app: &str) -> Option<u64> {
    store
        .load(None, app, None)
        .await
        .unwrap()
        .map(|r| r.sequence_id)
}

async fn keep_last_deletes_older_steps_of_the_saving_app_only(b: &Backend) {
    let plain = (b.open)(indexing());
    plain.initialize().await.unwrap();
    save(&*plain, None, "other", 0..6).await;
    save(&*plain, Some("tenant"), "app", 0..6).await;
    let store = (b.open)(Retention::keep_last(3));
    save(&*store, None, "app", 0..10).await;
    assert_eq!(kept(&*store, None, "app", 12).await, vec![7, 8, 9]);
    assert_eq!(latest(&*store, "app").await, Some(9));
    assert_eq!(
        kept(&*store, None, "other", 8).await,
        (0..6).collect::<Vec<_>>()
    );
    assert_eq!(
        kept(&*store, Some("tenant"), "app", 8).await,
        (0..6).collect::<Vec<_>>()
    );
    // Sparse saves (a save policy skipping steps): the count is of sequence ids.
    save(&*store, None, "app", [12, 20].into_iter()).await;
    assert_eq!(kept(&*store, None, "app", 25).await, vec![20]);
    let one = (b.open)(Retention::keep_last(1));
    save(&*one, None, "app", [21].into_iter()).await;
    assert_eq!(kept(&*one, None, "app", 25).await, vec![21]);
    assert_eq!(latest(&*one, "app").await, Some(21));
    // Other apps are pruned when they save.
    save(&*store, None, "other", [6].into_iter()).await;
    assert_eq!(kept(&*store, None, "other", 8).await, vec![4, 5, 6]);
}

async fn max_age_deletes_old_steps_and_keeps_the_newest(b: &Backend) {
    let plain = (b.open)(indexing());
    plain.initialize().await.unwrap();
    save(&*plain, None, "app", 0..6).await;
    save(&*plain, None, "other", 0..3).await;
    (b.age)("app", &[0, 1, 2, 3]).await;
    (b.age)("other", &[0, 1, 2]).await;
    let store = (b.open)(Retention::keep_all().max_age(Duration::from_secs(3600)));
    save(&*store, None, "app", [6].into_iter()).await;
    assert_eq!(kept(&*store, None, "app", 8).await, vec![4, 5, 6]);
    // The newest step stays however old it is; other apps wait for their own save.
    assert_eq!(kept(&*store, None, "other", 4).await, vec![0, 1, 2]);
    (b.age)("app", &[4, 5, 6]).await;
    save(&*store, None, "app", [7].into_iter()).await;
    assert_eq!(kept(&*store, None, "app", 9).await, vec![7]);
    assert_eq!(latest(&*store, "app").await, Some(7));
    // Count and age together: what either lets go.
    let both = (b.open)(Retention::keep_last(2).max_age(Duration::from_secs(3600)));
    save(&*both, None, "app", 8..12).await;
    (b.age)("app", &[11]).await;
    save(&*both, None, "app", [12].into_iter()).await;
    assert_eq!(kept(&*both, None, "app", 14).await, vec![12]);
}

macro_rules! cases {
    () => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn keep_last() {
            let Some((backend, cleanup)) = backend().await else {
                return;
            };
            let case = tokio::spawn(async move {
                keep_last_deletes_older_steps_of_the_saving_app_only(&backend).await
            })
            .await;
            cleanup.await;
            case.unwrap();
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn max_age() {
            let Some((backend, cleanup)) = backend().await else {
                return;
            };
            let case = tokio::spawn(async move {
                max_age_deletes_old_steps_and_keeps_the_newest(&backend).await
            })
            .await;
            cleanup.await;
            case.unwrap();
        }
    };
}

mod sqlite {
    use super::*;
    use burr_tracking::SqlitePersister;

    pub(super) async fn backend() -> Option<(Backend, BoxFuture<'static, ()>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let open_path = path.clone();
        let backend = Backend {
            open: Box::new(move |retention| {
                let p = SqlitePersister::open(&open_path)
                    .unwrap()
                    .with_retention(retention);
                Arc::new(Blocking::new(p))
            }),
            age: Box::new(move |app, seqs| {
                let conn = rusqlite::Connection::open(&path).unwrap();
                for &seq in seqs {
                    conn.execute(
                        "UPDATE burr_state SET created_at = '2001-01-01 00:00:00' \
                         WHERE app_id = ?1 AND sequence_id = ?2",
                        rusqlite::params![app, seq as i64],
                    )
                    .unwrap();
                }
                Box::pin(async {})
            }),
        };
        Some((backend, Box::pin(async move { drop(dir) })))
    }

    cases!();
}

mod postgres {
    use super::*;
    use burr_tracking::PostgresPersister;

    fn url() -> String {
        std::env::var("BURR_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
    }

    pub(super) async fn backend() -> Option<(Backend, BoxFuture<'static, ()>)> {
        let admin_url = url();
        let connect = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls);
        let admin = match tokio::time::timeout(Duration::from_secs(5), connect).await {
            Ok(Ok((client, connection))) => {
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                Arc::new(client)
            }
            Ok(Err(e)) => return service_unreachable("PostgreSQL", e),
            Err(e) => return service_unreachable("PostgreSQL", e),
        };
        let table = unique("burr_retention");
        let backend = Backend {
            open: Box::new({
                let table = table.clone();
                move |retention| {
                    let p = PostgresPersister::builder(url())
                        .table_name(&table)
                        .max_connections(2)
                        .build()
                        .unwrap()
                        .with_retention(retention);
                    Arc::new(p)
                }
            }),
            age: Box::new({
                let (admin, table) = (admin.clone(), table.clone());
                move |app, seqs| {
                    let (admin, table, app) = (admin.clone(), table.clone(), app.to_string());
                    let seqs: Vec<i32> = seqs.iter().map(|&s| s as i32).collect();
                    Box::pin(async move {
                        admin
                            .execute(
                                &format!(
                                    "UPDATE {table} SET created_at = '2001-01-01 00:00:00' \
                                     WHERE app_id = $1 AND sequence_id = ANY($2)"
                                ),
                                &[&app, &seqs],
                            )
                            .await
                            .unwrap();
                    })
                }
            }),
        };
        let cleanup = Box::pin(async move {
            admin
                .batch_execute(&format!("DROP TABLE IF EXISTS {table}, {table}_journal"))
                .await
                .unwrap();
        });
        Some((backend, cleanup))
    }

    cases!();
}

mod redis {
    use super::*;
    use burr_tracking::RedisPersister;
    use burr_tracking::persist::redis::driver::AsyncCommands;

    fn url() -> String {
        std::env::var("BURR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
    }

    pub(super) async fn backend() -> Option<(Backend, BoxFuture<'static, ()>)> {
        let namespace = unique("burr_retention");
        let connect = RedisPersister::builder(url())
            .namespace(&namespace)
            .timeout(Duration::from_secs(2))
            .connect();
        let store = match tokio::time::timeout(Duration::from_secs(5), connect).await {
            Ok(Ok(store)) => store,
            Ok(Err(e)) => return service_unreachable("Redis", e),
            Err(e) => return service_unreachable("Redis", e),
        };
        let backend = Backend {
            open: Box::new({
                let store = store.clone();
                move |retention| Arc::new(store.clone().with_retention(retention))
            }),
            age: Box::new({
                let store = store.clone();
                move |app, seqs| {
                    let mut conn = store.connection();
                    let keys: Vec<String> = seqs
                        .iter()
                        .map(|seq| format!("{}::{app}:{seq}", store.namespace()))
                        .collect();
                    Box::pin(async move {
                        for key in keys {
                            let _: () = conn
                                .hset(&key, "created_at", "2001-01-01T00:00:00.000000+00:00")
                                .await
                                .unwrap();
                        }
                    })
                }
            }),
        };
        let cleanup = Box::pin(async move {
            let mut conn = store.connection();
            let pattern = format!("{}:*", store.namespace());
            let keys: Vec<String> = {
                let mut iter = conn.scan_match::<_, String>(&pattern).await.unwrap();
                let mut keys = Vec::new();
                while let Some(key) = iter.next_item().await {
                    keys.push(key.unwrap());
                }
                keys
            };
            let mut conn = store.connection();
            if !keys.is_empty() {
                let _: () = conn.del(keys).await.unwrap();
            }
        });
        Some((backend, cleanup))
    }

    cases!();
}
