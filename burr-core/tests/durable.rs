//! Journaled side effects survive the process: an application built again from its persister
//! after a failed step, or after a crash before the step was saved, replays what the step
//! journaled instead of repeating it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use burr_core::persistence::{IntoSaver, JournalEntry};
use burr_core::*;

/// `notify` sends an email once (journaled), then fails while `fail` is set.
fn notify(sent: Arc<AtomicU32>, fail: Arc<AtomicBool>) -> FnAction {
    FnAction::new(["n"], ["n", "receipt"], move |state, _, ctx| {
        let sent = sent.clone();
        let receipt: String = ctx.durable("send-email", || {
            let k = sent.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ActionError>(format!("message-{k}"))
        })?;
        if fail.load(Ordering::SeqCst) {
            return Err(ActionError::msg("the process lost its network"));
        }
        let n: u64 = state.get("n")?;
        Ok(state.update("n", n + 1).update("receipt", receipt))
    })
}

fn build(
    saver: impl IntoSaver<marker::Sync>,
    store: &InMemoryPersister,
    sent: &Arc<AtomicU32>,
    fail: &Arc<AtomicBool>,
) -> Application {
    ApplicationBuilder::new()
        .with_action(
            "count",
            FnAction::new(["n"], ["n"], |s, _, _| {
                let n: u64 = s.get("n")?;
                Ok::<_, ActionError>(s.update("n", n + 1))
            }),
        )
        .with_action("notify", notify(sent.clone(), fail.clone()))
        .with_transitions([
            ("count", "notify", default()),
            ("notify", "count", default()),
        ])
        .initialize_from(InitializeFrom::new(store.clone(), state! { n: 0 }, "count"))
        .with_app_id("app-1")
        .with_state_persister(saver)
        .build()
        .unwrap()
}

#[test]
fn a_failed_step_rerun_by_a_fresh_application_replays_its_journal() {
    let store = InMemoryPersister::new();
    let (sent, fail) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicBool::new(true)));
    let mut app = build(store.clone(), &store, &sent, &fail);
    app.step().unwrap();
    assert!(app.step().is_err());
    drop(app);
    assert_eq!(
        store.load_journal(None, "app-1", 1).unwrap(),
        [JournalEntry {
            partition_key: None,
            app_id: "app-1".into(),
            sequence_id: 1,
            position: "notify".into(),
            index: 0,
            key: "send-email".into(),
            value: serde_json::json!("message-0"),
        }]
    );

    fail.store(false, Ordering::SeqCst);
    let mut again = build(store.clone(), &store, &sent, &fail);
    assert_eq!(again.next_action(), Some("notify"));
    again.step().unwrap();
    assert_eq!(again.state().get::<String>("receipt").unwrap(), "message-0");
    assert_eq!(sent.load(Ordering::SeqCst), 1, "the email was sent once");
}

/// Saves journals but, like a process killed at that moment, never a step past `limit`.
struct DiesAt {
    store: InMemoryPersister,
    limit: u64,
}

impl StateSaver for DiesAt {
    fn save(&self, r: SaveRequest<'_>) -> Result<(), PersistenceError> {
        if r.sequence_id >= self.limit {
            return Err(PersistenceError::backend("killed"));
        }
        self.store.save(r)
    }
    fn save_journal(&self, entry: &JournalEntry) -> Result<(), PersistenceError> {
        self.store.save_journal(entry)
    }
}

#[test]
fn a_step_that_crashed_before_it_was_saved_replays_its_journal() {
    let store = InMemoryPersister::new();
    let (sent, fail) = (
        Arc::new(AtomicU32::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let dying = DiesAt {
        store: store.clone(),
        limit: 3,
    };
    let mut app = build(dying, &store, &sent, &fail);
    app.step().unwrap(); // 0 count
    app.step().unwrap(); // 1 notify: message-0
    app.step().unwrap(); // 2 count
    assert!(app.step().is_err()); // 3 notify: message-1 sent and journaled, the step lost
    drop(app);
    assert_eq!(sent.load(Ordering::SeqCst), 2);

    let mut again = build(store.clone(), &store, &sent, &fail);
    assert_eq!(again.sequence_id(), Some(2));
    let step = again.step().unwrap().unwrap();
    assert_eq!((step.action.as_str(), step.sequence_id), ("notify", 3));
    assert_eq!(again.state().get::<String>("receipt").unwrap(), "message-1");
    assert_eq!(sent.load(Ordering::SeqCst), 2, "no email sent twice");
    // The next notify is a new step: it sends for real.
    again.step().unwrap();
    again.step().unwrap();
    assert_eq!(again.state().get::<String>("receipt").unwrap(), "message-2");
}

#[test]
fn a_step_that_failed_runs_again_in_the_same_process_with_its_journal() {
    let store = InMemoryPersister::new();
    let (sent, fail) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicBool::new(true)));
    let mut app = build(store.clone(), &store, &sent, &fail);
    app.step().unwrap();
    assert!(app.step().is_err());
    fail.store(false, Ordering::SeqCst);
    let step = app.step().unwrap().unwrap();
    assert_eq!(step.action, "notify");
    assert_eq!(app.state().get::<String>("receipt").unwrap(), "message-0");
    assert_eq!(sent.load(Ordering::SeqCst), 1);
}

#[test]
fn sync_durable_with_an_async_persister_journals_in_memory_only() {
    let ran = Arc::new(AtomicU32::new(0));
    let r = ran.clone();
    let fail_once = Arc::new(AtomicBool::new(true));
    let f = fail_once.clone();
    let act = FnAction::new(Vec::<String>::new(), ["x"], move |state, _, ctx| {
        let r = r.clone();
        let n: u32 = ctx.durable("side-effect", || {
            Ok::<_, ActionError>(r.fetch_add(1, Ordering::SeqCst))
        })?;
        if f.swap(false, Ordering::SeqCst) {
            return Err(ActionError::msg("flaky"));
        }
        Ok::<_, ActionError>(state.update("x", n))
    });
    let store = InMemoryPersister::new();
    let saver = burr_core::persistence::Blocking::new(store.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut app = ApplicationBuilder::new()
            .with_action("act", act)
            .with_entrypoint("act")
            .with_app_id("app")
            .with_retry(
                "act",
                burr_core::policy::RetryPolicy::new(2).initial_delay(std::time::Duration::ZERO),
            )
            .with_state_persister(burr_core::Saver::Async(Arc::new(saver)))
            .build_async()
            .await
            .unwrap();
        app.step_async().await.unwrap();
    });
    // Replayed across the retry, not saved through the async persister.
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert!(store.load_journal(None, "app", 0).unwrap().is_empty());
    assert_eq!(
        store.load(None, "app", None).unwrap().unwrap().sequence_id,
        0
    );
}
