//! A typed state and its map form round-trip through every persister (in memory, SQLite,
//! PostgreSQL, Redis) and through the tracking reader (`load_state`), for generated values.
//!
//! PostgreSQL (`BURR_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`)
//! and Redis (`BURR_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/`) are used for real
//! (with the `postgres` and `redis` features); when one is unreachable its part prints
//! "skipping: ..." and passes, unless `BURR_REQUIRE_SERVICES=1`. `BURR_TYPED_CASES` changes
//! the 24 generated states.
#![cfg(feature = "sqlite")]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use burr::persistence::{
    AsyncStateLoader, AsyncStateSaver, InMemoryPersister, SaveRequest, StateLoader, StateSaver,
    Status,
};
use burr::prelude::*;
use burr::tracking::{LocalTrackingClient, SqlitePersister, load_state};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    x: i16,
    label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedState)]
struct Profile {
    name: String,
    #[serde(rename = "visit count")]
    count: i64,
    big: u64,
    ratio: f64,
    #[burr(append)]
    tags: Vec<String>,
    #[burr(merge)]
    scores: BTreeMap<String, i32>,
    flag: Option<bool>,
    inner: Option<Inner>,
}

fn profiles() -> impl Strategy<Value = Profile> {
    let ratio = prop_oneof![
        Just(0.0),
        Just(-1.5),
        proptest::num::f64::NORMAL,
        proptest::num::f64::SUBNORMAL,
    ];
    let inner =
        proptest::option::of((any::<i16>(), "\\PC{0,8}").prop_map(|(x, label)| Inner { x, label }));
    (
        "\\PC{0,16}",
        any::<i64>(),
        any::<u64>(),
        ratio,
        proptest::collection::vec("\\PC{0,8}", 0..4),
        proptest::collection::btree_map("[a-z]{1,4}", any::<i32>(), 0..4),
        proptest::option::of(any::<bool>()),
        inner,
    )
        .prop_map(
            |(name, count, big, ratio, tags, scores, flag, inner)| Profile {
                name,
                count,
                big,
                ratio,
                tags,
                scores,
                flag,
                inner,
            },
        )
}

fn cases() -> u32 {
    std::env::var("BURR_TYPED_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Skips a part whose service is missing (or fails, with `BURR_REQUIRE_SERVICES=1`).
fn skip(service: &str, why: impl std::fmt::Display) {
    assert!(
        std::env::var("BURR_REQUIRE_SERVICES").as_deref() != Ok("1"),
        "{service} cannot run (BURR_REQUIRE_SERVICES=1): {why}"
    );
    eprintln!("skipping: {service}: unreachable ({why})");
}

fn request<'a>(app_id: &'a str, state: &'a State) -> SaveRequest<'a> {
    SaveRequest {
        partition_key: None,
        app_id,
        sequence_id: 0,
        position: "start",
        state,
        status: Status::Completed,
    }
}

/// The checks every backend shares: the map form is serde's JSON object, and what comes
/// back is the same typed state.
fn check_map_form(p: &Profile) -> State {
    let state = State::from_typed(p).expect("serializes");
    assert_eq!(state.to_json(), serde_json::to_value(p).unwrap());
    assert_eq!(&state.to_typed::<Profile>().unwrap(), p);
    state
}

fn run_cases(case: impl Fn(&Profile, &State)) {
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        ..Config::default()
    });
    runner
        .run(&profiles(), |p| {
            let state = check_map_form(&p);
            case(&p, &state);
            Ok(())
        })
        .unwrap();
}

#[test]
fn in_memory_and_sqlite() {
    let memory = InMemoryPersister::new();
    let sqlite = SqlitePersister::in_memory().unwrap();
    sqlite.initialize().unwrap();
    run_cases(|p, state| {
        let id = unique("typed");
        for store in [&memory as &dyn Store, &sqlite] {
            store.save_sync(request(&id, state));
            let row = store.load_sync(&id);
            assert_eq!(&row.typed_state::<Profile>().unwrap(), p);
        }
    });
}

/// The sync persisters, as one type for the loop.
trait Store {
    fn save_sync(&self, r: SaveRequest<'_>);
    fn load_sync(&self, app_id: &str) -> burr::persistence::PersistedState;
}

impl<T: StateSaver + StateLoader> Store for T {
    fn save_sync(&self, r: SaveRequest<'_>) {
        self.save(r).expect("save");
    }
    fn load_sync(&self, app_id: &str) -> burr::persistence::PersistedState {
        self.load(None, app_id, None).expect("load").expect("a row")
    }
}

/// Saves then loads each generated state through an async persister.
fn async_cases<P: AsyncStateSaver + AsyncStateLoader>(rt: &tokio::runtime::Runtime, store: &P) {
    run_cases(|p, state| {
        let id = unique("typed");
        rt.block_on(async {
            store.save(request(&id, state)).await.expect("save");
            let row = store
                .load(None, &id, None)
                .await
                .expect("load")
                .expect("a row");
            assert_eq!(&row.typed_state::<Profile>().unwrap(), p);
        });
    });
}

#[cfg(feature = "postgres")]
#[test]
fn postgres() {
    use burr::persistence::PostgresPersister;
    use std::time::Duration;

    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = std::env::var("BURR_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let table = unique("burr_typed");
    let store = PostgresPersister::builder(url)
        .table_name(&table)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("build");
    if let Err(e) = rt.block_on(AsyncStateSaver::initialize(&store)) {
        return skip("PostgreSQL", e);
    }
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        async_cases(&rt, &store);
    }));
    rt.block_on(async {
        let client = store.pool().get().await.expect("a connection");
        client
            .batch_execute(&format!("DROP TABLE IF EXISTS {table}, {table}_journal"))
            .await
            .expect("drop the table");
    });
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[cfg(feature = "redis")]
#[test]
fn redis() {
    use burr::persistence::RedisPersister;
    use burr::tracking::persist::redis::driver::AsyncCommands;
    use std::time::Duration;

    let rt = tokio::runtime::Runtime::new().unwrap();
    let url =
        std::env::var("BURR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let namespace = unique("burr_typed");
    let store = match rt.block_on(
        RedisPersister::builder(url)
            .namespace(&namespace)
            .timeout(Duration::from_secs(5))
            .connect(),
    ) {
        Ok(store) => store,
        Err(e) => return skip("Redis", e),
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        async_cases(&rt, &store);
    }));
    rt.block_on(async {
        let mut conn = store.connection();
        let keys: Vec<String> = conn
            .keys(format!("{namespace}:*"))
            .await
            .expect("list the keys");
        if !keys.is_empty() {
            let _: () = conn.del(keys).await.expect("delete the keys");
        }
    });
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn tracking_reader() {
    let root = tempfile::tempdir().unwrap();
    let client = LocalTrackingClient::new("typed_roundtrip")
        .unwrap()
        .with_storage_dir(root.path());
    let keep = Arc::new(FnAction::new(None::<&str>, None::<&str>, |s, _, _| s));
    run_cases(|p, _| {
        let id = unique("typed");
        let mut app = ApplicationBuilder::new()
            .with_action("keep", keep.clone() as Arc<dyn Action>)
            .with_typed_state(p)
            .with_entrypoint("keep")
            .with_app_id(&id)
            .with_tracker(client.clone())
            .build()
            .unwrap();
        app.step().unwrap();
        drop(app);
        let loaded = load_state(root.path(), "typed_roundtrip", &id, None).unwrap();
        assert_eq!(&loaded.typed_state::<Profile>().unwrap(), p);
    });
}
