//! Applications with a state persister, end to end: many applications saving and resuming
//! at once, a failed step that re-runs on resume, a fork from an earlier step, and a
//! suspension resumed by a fresh application (twice at once: one wins).
//!
//! Runs over SQLite, PostgreSQL (`BURR_TEST_POSTGRES_URL`) and Redis (`BURR_TEST_REDIS_URL`);
//! an unreachable service prints "skipping: ..." unless `BURR_REQUIRE_SERVICES=1`.
//! `BURR_APP_STEPS` changes the 1,000 steps per application of the concurrency tests.
// Built with only some of the store features, part of the shared code goes unused.
#![cfg_attr(
    not(all(feature = "sqlite", feature = "postgres", feature = "redis")),
    allow(dead_code, unused_imports)
)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use burr_core::persistence::JournalEntry;
use burr_core::{
    ActionError, ApplicationBuilder, AsyncStateLoader, AsyncStateSaver, Error, FnAction, Halted,
    InitializeFrom, Loader, PersistenceError, SUSPENDED_KEY, SavePolicy, SaveRequest, Saver, State,
    StateLoader, StateSaver, Status, halt_after,
};

/// The future type of the async persister traits.
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
use support::roots::{env_count, unique};
use support::service_unreachable;

/// `count += 1`; fails while `explode` is set and `count == fail_at`.
fn count(explode: Arc<AtomicBool>, fail_at: i64) -> FnAction {
    FnAction::new(
        ["count"],
        ["count"],
        move |state, _, _| -> Result<State, ActionError> {
            let count: i64 = state.get("count")?;
            if count == fail_at && explode.load(Ordering::SeqCst) {
                return Err(ActionError::msg(format!("exploded at count {count}")));
            }
            Ok(state.update("count", count + 1))
        },
    )
}

/// Where the steps go: a saver and a loader over one store.
#[derive(Clone)]
struct Backend {
    name: &'static str,
    saver: Saver,
    loader: Loader,
    /// A plain async loader, for the checks.
    check: Arc<dyn AsyncStateLoader>,
}

/// Builds application `app_id` from what `backend` saved (or from `count = 0`).
async fn build(
    backend: &Backend,
    app_id: &str,
    init: impl FnOnce(InitializeFrom) -> InitializeFrom,
    explode: Arc<AtomicBool>,
) -> Result<burr_core::Application, Error> {
    let initial = InitializeFrom::new(
        backend.loader.clone(),
        State::new().update("count", 0),
        "count",
    );
    ApplicationBuilder::new()
        .with_action("count", count(explode, 3))
        .with_transitions([("count", "count")])
        .with_app_id(app_id)
        .with_state_persister(backend.saver.clone())
        .initialize_from(init(initial))
        .build_async()
        .await
}

/// Runs `steps` more steps of `app_id`, resuming from its last saved step.
async fn run_session(backend: &Backend, app_id: &str, steps: u64) {
    let mut app = build(backend, app_id, |i| i, Arc::default())
        .await
        .unwrap_or_else(|e| panic!("{}: building {app_id}: {e}", backend.name));
    for _ in 0..steps {
        app.step_async()
            .await
            .unwrap_or_else(|e| panic!("{}: {app_id}: {e}", backend.name))
            .expect("a next action");
    }
}

/// 64 applications run 1,000 steps each at the same time, in four sessions: each session
/// builds the application again from its last saved step.
async fn concurrent_resumed_apps(backend: Backend) {
    let steps = env_count("BURR_APP_STEPS", 1000);
    let sessions = 4;
    let prefix = unique("app");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let backend = backend.clone();
        let app_id = format!("{prefix}_{i}");
        tasks.spawn(async move {
            for session in 0..sessions {
                let n = steps / sessions + u64::from(session < steps % sessions);
                run_session(&backend, &app_id, n).await;
            }
            app_id
        });
    }
    let mut apps = Vec::new();
    while let Some(done) = tasks.join_next().await {
        apps.push(done.expect("an application task panicked"));
    }
    for app_id in &apps {
        let last = backend.check.load(None, app_id, None).await.unwrap();
        let last = last.unwrap_or_else(|| panic!("{}: nothing saved for {app_id}", backend.name));
        assert_eq!(last.sequence_id, steps - 1, "{}: {app_id}", backend.name);
        assert_eq!(last.status, Status::Completed);
        assert_eq!(last.state.get::<u64>("count").unwrap(), steps);
        assert_eq!(last.state.sequence_id(), Some(steps - 1));
        assert_eq!(last.state.prior_step(), Some("count"));
        // Each step continued from the one before: step `s` holds `count == s + 1`.
        for seq in [0, steps / 2, steps - 2] {
            let row = backend
                .check
                .load(None, app_id, Some(seq))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.state.get::<u64>("count").unwrap(), seq + 1);
        }
    }
    let listed = backend.check.list_app_ids(None).await.unwrap();
    for app_id in &apps {
        assert!(
            listed.contains(app_id),
            "{}: {app_id} not listed",
            backend.name
        );
    }
}

/// A step that fails is saved as `failed` with the state before it; the resumed application
/// runs the failed action again.
async fn failed_step_reruns_on_resume(backend: Backend) {
    let app_id = unique("fails");
    let explode = Arc::new(AtomicBool::new(true));
    let mut app = build(&backend, &app_id, |i| i, explode.clone())
        .await
        .unwrap();
    for _ in 0..3 {
        app.step_async().await.unwrap();
    }
    let err = app.step_async().await.unwrap_err();
    assert!(err.to_string().contains("exploded at count 3"), "{err}");
    drop(app);

    let failed = backend
        .check
        .load(None, &app_id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, Status::Failed, "{}", backend.name);
    assert_eq!(failed.sequence_id, 3);
    assert_eq!(failed.position, "count");
    assert_eq!(
        failed.state.get::<i64>("count").unwrap(),
        3,
        "the state before the action"
    );

    explode.store(false, Ordering::SeqCst);
    let mut app = build(&backend, &app_id, |i| i, explode).await.unwrap();
    assert_eq!(
        app.next_action(),
        Some("count"),
        "the failed action runs again"
    );
    app.step_async().await.unwrap().expect("a step");
    let resumed = backend
        .check
        .load(None, &app_id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resumed.status, Status::Completed);
    assert_eq!(resumed.sequence_id, 4);
    assert_eq!(resumed.position, "count");
    assert_eq!(resumed.state.get::<i64>("count").unwrap(), 4);
    // The failed step stays on record.
    let kept = backend
        .check
        .load(None, &app_id, Some(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.status, Status::Failed);
}

/// A new application forks from step 3 of another and goes on from there; the original is
/// untouched.
async fn fork_from_step_three(backend: Backend) {
    let original = unique("original");
    let forked = unique("forked");
    run_session(&backend, &original, 6).await;
    let mut app = build(
        &backend,
        &forked,
        |i| i.fork_from(original.clone(), Some(3), None),
        Arc::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        app.state().get::<i64>("count").unwrap(),
        4,
        "state of step 3"
    );
    let parent = app.parent_pointer().expect("a fork records its parent");
    assert_eq!(
        (parent.app_id.as_str(), parent.sequence_id),
        (original.as_str(), Some(3))
    );
    app.step_async().await.unwrap().expect("a step");
    app.step_async().await.unwrap().expect("a step");

    let head = backend
        .check
        .load(None, &forked, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.sequence_id, 5, "{}", backend.name);
    assert_eq!(head.state.get::<i64>("count").unwrap(), 6);
    assert_eq!(
        backend.check.load(None, &forked, Some(3)).await.unwrap(),
        None
    );
    let source = backend
        .check
        .load(None, &original, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(source.sequence_id, 5);
    assert_eq!(source.state.get::<i64>("count").unwrap(), 6);
    let listed = backend.check.list_app_ids(None).await.unwrap();
    assert!(listed.contains(&original) && listed.contains(&forked));
}

/// An action that suspends for approval after one journaled, expensive call.
fn approval(expensive: Arc<AtomicU32>) -> FnAction {
    FnAction::new(Vec::<String>::new(), ["approved"], move |state, _, ctx| {
        let calls = expensive.clone();
        let draft: String = ctx.durable("draft", || {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ActionError>("hello".to_string())
        })?;
        let approved: bool = ctx.suspend("approval", serde_json::json!({ "draft": draft }))?;
        Ok::<_, ActionError>(state.update("approved", approved))
    })
}

/// Builds `app_id` with the approval action, from what `backend` saved.
async fn build_approval(
    backend: &Backend,
    app_id: &str,
    expensive: Arc<AtomicU32>,
) -> burr_core::Application {
    ApplicationBuilder::new()
        .with_action("approve", approval(expensive))
        .with_app_id(app_id)
        .with_state_persister(backend.saver.clone())
        .initialize_from(InitializeFrom::new(
            backend.loader.clone(),
            State::new(),
            "approve",
        ))
        .build_async()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", backend.name))
}

/// A step suspends and its process ends; two fresh applications (as two processes would)
/// resume it at once: one wins, the other gets `AlreadyResumed`; the journaled call ran once.
async fn suspend_and_resume_across_builds(backend: Backend) {
    let app_id = unique("suspends");
    let expensive = Arc::new(AtomicU32::new(0));
    let halt = || halt_after(["approve"]);
    let mut first = build_approval(&backend, &app_id, expensive.clone()).await;
    let out = first.run_async(halt(), ()).await.unwrap();
    assert_eq!(out.halted, Halted::Suspended, "{}", backend.name);
    drop(first);
    let saved = backend
        .check
        .load(None, &app_id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((saved.sequence_id, saved.status), (0, Status::Completed));
    assert_eq!(
        saved.state.get_value(SUSPENDED_KEY).unwrap()["channel"],
        "approval"
    );

    let mut one = build_approval(&backend, &app_id, expensive.clone()).await;
    let mut two = build_approval(&backend, &app_id, expensive.clone()).await;
    assert_eq!(one.suspension().unwrap().channel, "approval");
    let won = one
        .resume_async("approval", true, halt(), ())
        .await
        .unwrap();
    assert!(won.state.get::<bool>("approved").unwrap());
    let lost = two
        .resume_async("approval", false, halt(), ())
        .await
        .unwrap_err();
    assert!(
        matches!(lost, Error::AlreadyResumed { .. }),
        "{}: {lost}",
        backend.name
    );
    assert_eq!(expensive.load(Ordering::SeqCst), 1, "{}", backend.name);

    let done = backend
        .check
        .load(None, &app_id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.sequence_id, 1);
    assert!(done.state.get::<bool>("approved").unwrap());
    assert!(!done.state.contains(SUSPENDED_KEY));
    // A fresh build after the resume has nothing to resume.
    let mut after = build_approval(&backend, &app_id, expensive).await;
    let err = after
        .resume_async("approval", true, halt(), ())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotSuspended { .. }), "{err}");
}

/// Saves journals through `inner` but, like a process killed at that moment, never a step
/// from `limit` on.
struct DiesAt {
    inner: Saver,
    limit: u64,
}

impl AsyncStateSaver for DiesAt {
    fn save<'a>(&'a self, r: SaveRequest<'a>) -> BoxFuture<'a, Result<(), PersistenceError>> {
        Box::pin(async move {
            if r.sequence_id >= self.limit {
                return Err(PersistenceError::backend("killed"));
            }
            match &self.inner {
                Saver::Sync(s) => s.save(r),
                Saver::Async(s) => s.save(r).await,
            }
        })
    }

    fn save_journal<'a>(
        &'a self,
        entry: &'a JournalEntry,
    ) -> BoxFuture<'a, Result<(), PersistenceError>> {
        Box::pin(async move {
            match &self.inner {
                Saver::Sync(s) => s.save_journal(entry),
                Saver::Async(s) => s.save_journal(entry).await,
            }
        })
    }
}

/// `count`, then `notify`, which sends one message (journaled) per step.
async fn build_notifier(
    backend: &Backend,
    app_id: &str,
    saver: Saver,
    sent: Arc<AtomicU32>,
) -> burr_core::Application {
    let notify = FnAction::new_async(["count"], ["receipt"], move |state, _, ctx| {
        let sent = sent.clone();
        let ctx = ctx.clone();
        async move {
            let receipt: u32 = ctx
                .durable_async("send", || async {
                    Ok::<_, ActionError>(sent.fetch_add(1, Ordering::SeqCst))
                })
                .await?;
            Ok::<_, ActionError>(state.update("receipt", receipt))
        }
    });
    ApplicationBuilder::new()
        .with_action("count", count(Arc::default(), -1))
        .with_action("notify", notify)
        .with_transitions([("count", "notify"), ("notify", "count")])
        .with_app_id(app_id)
        .with_state_persister(saver)
        .initialize_from(InitializeFrom::new(
            backend.loader.clone(),
            State::new().update("count", 0),
            "count",
        ))
        .build_async()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", backend.name))
}

/// A step journals a sent message and dies before it is saved; the application built again
/// runs that step again and replays the message instead of sending it twice.
async fn journal_survives_a_crash(backend: Backend) {
    let app_id = unique("journal");
    let sent = Arc::new(AtomicU32::new(0));
    let dying = Saver::Async(Arc::new(DiesAt {
        inner: backend.saver.clone(),
        limit: 1,
    }));
    let mut first = build_notifier(&backend, &app_id, dying, sent.clone()).await;
    first.step_async().await.unwrap();
    let err = first.step_async().await.unwrap_err();
    assert!(
        err.to_string().contains("killed"),
        "{}: {err}",
        backend.name
    );
    drop(first);
    assert_eq!(sent.load(Ordering::SeqCst), 1);
    let journal = backend.check.load_journal(None, &app_id, 1).await.unwrap();
    assert_eq!(journal.len(), 1, "{}", backend.name);
    assert_eq!(
        (journal[0].position.as_str(), journal[0].key.as_str()),
        ("notify", "send")
    );

    let mut again = build_notifier(&backend, &app_id, backend.saver.clone(), sent.clone()).await;
    let step = again.step_async().await.unwrap().unwrap();
    assert_eq!((step.action.as_str(), step.sequence_id), ("notify", 1));
    assert_eq!(step.state.get::<u32>("receipt").unwrap(), 0);
    assert_eq!(
        sent.load(Ordering::SeqCst),
        1,
        "{}: sent twice",
        backend.name
    );
}

/// Every third step is saved, and the step a run stops at: a fresh application resumes
/// from the last one saved.
async fn every_third_step_is_saved(backend: Backend) {
    let app_id = unique("every3");
    let mut app = ApplicationBuilder::new()
        .with_action("count", count(Arc::default(), -1))
        .with_transitions([("count", "count")])
        .with_app_id(&app_id)
        .with_state_persister(backend.saver.clone())
        .with_save_policy(SavePolicy::every_n_steps(3))
        .with_state(State::new().update("count", 0))
        .with_entrypoint("count")
        .build_async()
        .await
        .unwrap();
    for _ in 0..5 {
        app.step_async().await.unwrap();
    }
    let mut found = Vec::new();
    for seq in 0..5 {
        found.push(
            backend
                .check
                .load(None, &app_id, Some(seq))
                .await
                .unwrap()
                .is_some(),
        );
    }
    assert_eq!(found, [true, false, false, true, false], "{}", backend.name);
    app.save_pending_async().await.unwrap();
    let last = backend
        .check
        .load(None, &app_id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.sequence_id, 4, "{}", backend.name);
    assert_eq!(last.state.get::<i64>("count").unwrap(), 5);
}

// ---------------------------------------------------------------------------- SQLite

/// A sync persister behind the async loader trait, for the checks.
#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use burr_core::persistence::Blocking;
    use burr_tracking::persist::sqlite::SqlitePersister;

    pub(super) fn backend(dir: &tempfile::TempDir) -> Backend {
        let store = SqlitePersister::open(dir.path().join("apps.db")).unwrap();
        StateSaver::initialize(&store).unwrap();
        assert!(StateSaver::is_initialized(&store).unwrap());
        assert!(StateLoader::list_app_ids(&store, None).unwrap().is_empty());
        Backend {
            name: "sqlite",
            saver: Saver::Sync(Arc::new(store.clone())),
            loader: Loader::Sync(Arc::new(store.clone())),
            check: Arc::new(Blocking::new(store)),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn failed_step_reruns_on_resume() {
        let dir = tempfile::tempdir().unwrap();
        super::failed_step_reruns_on_resume(backend(&dir)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fork_from_step_three() {
        let dir = tempfile::tempdir().unwrap();
        super::fork_from_step_three(backend(&dir)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn suspend_and_resume_across_builds() {
        let dir = tempfile::tempdir().unwrap();
        super::suspend_and_resume_across_builds(backend(&dir)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn journal_survives_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        super::journal_survives_a_crash(backend(&dir)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_third_step_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        super::every_third_step_is_saved(backend(&dir)).await;
    }

    /// The sync API end to end: `build()` and `step()` with the SQLite persister.
    #[test]
    fn sync_application_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlitePersister::open(dir.path().join("sync.db")).unwrap();
        StateSaver::initialize(&store).unwrap();
        let make = || {
            ApplicationBuilder::new()
                .with_action("count", count(Arc::default(), -1))
                .with_transitions([("count", "count")])
                .with_app_id("sync-app")
                .with_state_persister(store.clone())
                .initialize_from(InitializeFrom::new(
                    store.clone(),
                    State::new().update("count", 0),
                    "count",
                ))
                .build()
                .unwrap()
        };
        let mut app = make();
        for _ in 0..5 {
            app.step().unwrap();
        }
        let mut app = make();
        assert_eq!(app.state().get::<i64>("count").unwrap(), 5);
        app.step().unwrap();
        let last = StateLoader::load(&store, None, "sync-app", None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (last.sequence_id, last.state.get::<i64>("count").unwrap()),
            (5, 6)
        );
    }
}

// ---------------------------------------------------------------------------- PostgreSQL

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use burr_tracking::persist::postgres::PostgresPersister;

    fn url() -> String {
        std::env::var("BURR_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
    }

    /// Runs `test` against a fresh table, dropped afterwards.
    async fn with_backend<F, Fut>(test: F)
    where
        F: FnOnce(Backend) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let table = unique("burr_app");
        let store = PostgresPersister::builder(url())
            .table_name(&table)
            .max_connections(16)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        match tokio::time::timeout(Duration::from_secs(5), store.initialize()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return service_unreachable("PostgreSQL", e).unwrap_or(()),
            Err(e) => return service_unreachable("PostgreSQL", e).unwrap_or(()),
        }
        let backend = Backend {
            name: "postgres",
            saver: Saver::Async(Arc::new(store.clone())),
            loader: Loader::Async(Arc::new(store.clone())),
            check: Arc::new(store.clone()),
        };
        let outcome = tokio::spawn(test(backend)).await;
        let client = store.pool().get().await.unwrap();
        client
            .batch_execute(&format!("DROP TABLE IF EXISTS {table}, {table}_journal"))
            .await
            .unwrap();
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_resumed_apps() {
        with_backend(super::concurrent_resumed_apps).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn failed_step_reruns_on_resume() {
        with_backend(super::failed_step_reruns_on_resume).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fork_from_step_three() {
        with_backend(super::fork_from_step_three).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn suspend_and_resume_across_builds() {
        with_backend(super::suspend_and_resume_across_builds).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn journal_survives_a_crash() {
        with_backend(super::journal_survives_a_crash).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_third_step_is_saved() {
        with_backend(super::every_third_step_is_saved).await;
    }
}

// ---------------------------------------------------------------------------- Redis

#[cfg(feature = "redis")]
mod redis {
    use super::*;
    use burr_tracking::persist::redis::RedisPersister;
    use burr_tracking::persist::redis::driver::AsyncCommands;

    fn url() -> String {
        std::env::var("BURR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
    }

    /// Runs `test` in a fresh namespace, deleted afterwards.
    async fn with_backend<F, Fut>(test: F)
    where
        F: FnOnce(Backend) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let namespace = unique("burr_app");
        let store = match RedisPersister::builder(url())
            .namespace(&namespace)
            .timeout(Duration::from_secs(30))
            .connect()
            .await
        {
            Ok(store) => store,
            Err(e) => return service_unreachable("Redis", e).unwrap_or(()),
        };
        let backend = Backend {
            name: "redis",
            saver: Saver::Async(Arc::new(store.clone())),
            loader: Loader::Async(Arc::new(store.clone())),
            check: Arc::new(store.clone()),
        };
        let outcome = tokio::spawn(test(backend)).await;
        let mut conn = store.connection();
        let keys: Vec<String> = conn.keys(format!("{namespace}:*")).await.unwrap();
        for chunk in keys.chunks(1000) {
            let _: () = conn.del(chunk).await.unwrap();
        }
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_resumed_apps() {
        with_backend(super::concurrent_resumed_apps).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn failed_step_reruns_on_resume() {
        with_backend(super::failed_step_reruns_on_resume).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn fork_from_step_three() {
        with_backend(super::fork_from_step_three).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn suspend_and_resume_across_builds() {
        with_backend(super::suspend_and_resume_across_builds).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn journal_survives_a_crash() {
        with_backend(super::journal_survives_a_crash).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_third_step_is_saved() {
        with_backend(super::every_third_step_is_saved).await;
    }
}
