//! Save policies (`ApplicationBuilder::with_save_policy`), sync and async: every step, every
//! n-th step, the steps of tagged actions; failed steps and the step a run stops at saved
//! whatever the policy; a resumed application loses nothing.

mod support;

use std::sync::{Arc, Mutex};

use burr_core::*;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use support::{counter, rt};

/// A store that records what it is asked to save, sync and async.
#[derive(Default)]
struct Log {
    store: InMemoryPersister,
    saves: Mutex<Vec<(u64, String, Status)>>,
}

impl Log {
    fn new() -> Arc<Self> {
        Arc::new(Log::default())
    }

    fn seqs(&self) -> Vec<u64> {
        self.saves.lock().unwrap().iter().map(|s| s.0).collect()
    }

    fn saves(&self) -> Vec<(u64, String, Status)> {
        self.saves.lock().unwrap().clone()
    }

    fn record(&self, r: SaveRequest<'_>) -> Result<(), PersistenceError> {
        (self.saves.lock().unwrap()).push((r.sequence_id, r.position.to_string(), r.status));
        StateSaver::save(&self.store, r)
    }
}

impl StateSaver for Log {
    fn save(&self, r: SaveRequest<'_>) -> Result<(), PersistenceError> {
        self.record(r)
    }
}

/// The same store, seen as an async saver.
struct AsyncLog(Arc<Log>);

impl AsyncStateSaver for AsyncLog {
    fn save<'a>(&'a self, r: SaveRequest<'a>) -> BoxFuture<'a, Result<(), PersistenceError>> {
        Box::pin(async move { self.0.record(r) })
    }
}

/// `count` from 0 to `until` (a dead end there).
fn counting(until: i64) -> ApplicationBuilder {
    ApplicationBuilder::new()
        .with_action("count", counter())
        .with_transition("count", "count", expr(&format!("count < {until}")).unwrap())
        .with_state(state! { count: 0 })
        .with_entrypoint("count")
        .with_app_id("app")
}

#[test]
fn every_step_is_saved_by_default() {
    let log = Log::new();
    let mut app = counting(4)
        .with_state_persister(log.clone())
        .build()
        .unwrap();
    app.run(Halt::default(), ()).unwrap();
    assert_eq!(log.seqs(), vec![0, 1, 2, 3]);
}

#[test]
fn every_n_steps_saves_the_multiples_of_n_and_the_step_the_run_stopped_at() {
    let log = Log::new();
    let mut app = counting(10)
        .with_state_persister(log.clone())
        .with_save_policy(SavePolicy::every_n_steps(4))
        .build()
        .unwrap();
    let out = app.run(Halt::default(), ()).unwrap();
    assert_eq!(out.halted, Halted::NoTransition);
    assert_eq!(log.seqs(), vec![0, 4, 8, 9]);
    let latest = log.store.load(None, "app", None).unwrap().unwrap();
    assert_eq!(latest.state.get::<i64>("count").unwrap(), 10);
    assert_eq!(latest.state, *app.state());
}

#[test]
fn every_n_steps_with_an_async_saver() {
    rt().block_on(async {
        let log = Log::new();
        let mut app = counting(10)
            .with_state_persister(AsyncLog(log.clone()))
            .with_save_policy(SavePolicy::every_n_steps(3))
            .build_async()
            .await
            .unwrap();
        app.run_async(Halt::default(), ()).await.unwrap();
        assert_eq!(log.seqs(), vec![0, 3, 6, 9]);
        // Steps 0 and 3 by the policy, step 4 where the iteration stopped.
        let mut app = counting(100)
            .with_app_id("other")
            .with_state_persister(AsyncLog(log.clone()))
            .with_save_policy(SavePolicy::every_n_steps(3))
            .build_async()
            .await
            .unwrap();
        log.saves.lock().unwrap().clear();
        for _ in 0..4 {
            app.step_async().await.unwrap();
        }
        let steps: Vec<_> = app.iterate_async(halt_after(["count"]), ()).collect().await;
        assert_eq!(steps.len(), 1);
        assert_eq!(log.seqs(), vec![0, 3, 4]);
    });
}

#[test]
fn a_halt_on_a_skipped_step_saves_it_sync_and_async() {
    let log = Log::new();
    let mut app = counting(100)
        .with_state_persister(log.clone())
        .with_save_policy(SavePolicy::every_n_steps(10))
        .build()
        .unwrap();
    app.step().unwrap();
    app.step().unwrap();
    let mut it = app.iterate(halt_after(["count"]), ());
    assert_eq!(it.by_ref().map(Result::unwrap).count(), 1);
    assert_eq!(it.outcome().unwrap().halted, Halted::After);
    assert_eq!(log.seqs(), vec![0, 2]);
    app.step().unwrap();
    app.step().unwrap();
    assert_eq!(log.seqs(), vec![0, 2]);
    let out = app.run(halt_after(["count"]), ()).unwrap();
    assert_eq!(out.halted, Halted::After);
    assert_eq!(log.seqs(), vec![0, 2, 5]);
    let out = app.run(halt_before(["count"]), ()).unwrap();
    assert_eq!(out.halted, Halted::Before);
    assert_eq!(log.seqs(), vec![0, 2, 5, 6]);

    rt().block_on(async {
        let log = Log::new();
        let mut app = counting(100)
            .with_state_persister(AsyncLog(log.clone()))
            .with_save_policy(SavePolicy::every_n_steps(10))
            .build_async()
            .await
            .unwrap();
        for _ in 0..3 {
            app.step_async().await.unwrap();
        }
        app.run_async(halt_after(["count"]), ()).await.unwrap();
        assert_eq!(log.seqs(), vec![0, 3]);
    });
}

#[test]
fn the_tagged_policy_saves_the_steps_of_tagged_actions() {
    let log = Log::new();
    let mut app = ApplicationBuilder::new()
        .with_action("count", counter())
        .with_action(
            "checkpoint",
            FnAction::new(["count"], Vec::<String>::new(), |s, _, _| {
                Ok::<_, ActionError>(s)
            })
            .with_tags(["durable"]),
        )
        .with_transitions([
            ("count", "checkpoint", expr("count % 3 == 0").unwrap()),
            ("count", "count", default()),
            ("checkpoint", "count", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("count")
        .with_app_id("app")
        .with_state_persister(log.clone())
        .with_save_policy(SavePolicy::tagged(["durable"]))
        .build()
        .unwrap();
    app.run(halt_after(["count"]), ()).unwrap(); // one step (count 1)
    app.run(halt_after(["checkpoint"]), ()).unwrap(); // counts to 3, checkpoint
    assert_eq!(
        log.saves(),
        vec![
            (0, "count".into(), Status::Completed), // the first run stopped there
            (3, "checkpoint".into(), Status::Completed),
        ]
    );
}

#[test]
fn failed_steps_are_always_saved_and_a_resumed_app_runs_them_again() {
    let log = Log::new();
    let fails = Arc::new(Mutex::new(true));
    let flag = fails.clone();
    let flaky = FnAction::new(["count"], ["count"], move |state, _, _| {
        if *flag.lock().unwrap() {
            return Err(ActionError::msg("down"));
        }
        let count: i64 = state.get("count")?;
        Ok::<_, ActionError>(state.update("count", count + 100))
    });
    let build = |log: Arc<Log>, flaky: FnAction| {
        ApplicationBuilder::new()
            .with_action("count", counter())
            .with_action("flaky", flaky)
            .with_transitions([
                ("count", "flaky", expr("count == 3").unwrap()),
                ("count", "count", default()),
            ])
            .with_state_persister(log.clone())
            .with_save_policy(SavePolicy::every_n_steps(100))
    };
    let mut app = build(log.clone(), flaky.clone())
        .with_state(state! { count: 0 })
        .with_entrypoint("count")
        .with_app_id("app")
        .build()
        .unwrap();
    let err = app.run(halt_after(["flaky"]), ()).unwrap_err();
    assert!(matches!(err, Error::ActionFailed { .. }), "{err}");
    assert_eq!(
        log.saves(),
        vec![
            (0, "count".into(), Status::Completed),
            (3, "flaky".into(), Status::Failed),
        ]
    );
    // The failed row holds the state the skipped steps reached: nothing was lost.
    *fails.lock().unwrap() = false;
    let mut resumed = build(log.clone(), flaky)
        .initialize_from(InitializeFrom::new(
            log.store.clone(),
            State::new(),
            "count",
        ))
        .with_app_id("app")
        .build()
        .unwrap();
    assert_eq!(resumed.next_action(), Some("flaky"));
    let out = resumed.run(halt_after(["flaky"]), ()).unwrap();
    assert_eq!(out.state.get::<i64>("count").unwrap(), 103);
    assert_eq!(out.state.sequence_id(), Some(4));
}

#[test]
fn a_run_with_every_n_resumed_from_the_store_ends_like_a_run_saving_every_step() {
    let expected = {
        let mut app = counting(20).build().unwrap();
        app.run(Halt::default(), ()).unwrap().state
    };
    let log = Log::new();
    let mut app = counting(20)
        .with_state_persister(log.clone())
        .with_save_policy(SavePolicy::every_n_steps(6))
        .build()
        .unwrap();
    // Stop on a step the policy skips (count 8 is step 7).
    for _ in 0..7 {
        app.step().unwrap();
    }
    app.run(halt_after(["count"]), ()).unwrap();
    assert_eq!(log.seqs(), vec![0, 6, 7]);
    drop(app);
    let mut resumed = ApplicationBuilder::new()
        .with_action("count", counter())
        .with_transition("count", "count", expr("count < 20").unwrap())
        .initialize_from(InitializeFrom::new(
            log.store.clone(),
            State::new(),
            "count",
        ))
        .with_app_id("app")
        .with_state_persister(log.clone())
        .with_save_policy(SavePolicy::every_n_steps(6))
        .build()
        .unwrap();
    assert_eq!(resumed.state().get::<i64>("count").unwrap(), 8);
    let out = resumed.run(Halt::default(), ()).unwrap();
    assert_eq!(out.state, expected);
    assert_eq!(log.seqs(), vec![0, 6, 7, 12, 18, 19]);
}

#[test]
fn steps_driven_one_by_one_are_saved_with_save_pending() {
    let log = Log::new();
    let mut app = counting(100)
        .with_state_persister(log.clone())
        .with_save_policy(SavePolicy::every_n_steps(5))
        .build()
        .unwrap();
    for _ in 0..3 {
        app.step().unwrap();
    }
    assert_eq!(log.seqs(), vec![0]);
    app.save_pending().unwrap();
    app.save_pending().unwrap(); // nothing left to save
    assert_eq!(log.seqs(), vec![0, 2]);
    let latest = log.store.load(None, "app", None).unwrap().unwrap();
    assert_eq!(latest.state, *app.state());
}

#[test]
fn the_step_a_stream_result_stops_at_is_saved() {
    let log = Log::new();
    let mut app = counting(100)
        .with_state_persister(log.clone())
        .with_save_policy(SavePolicy::every_n_steps(10))
        .build()
        .unwrap();
    for _ in 0..2 {
        app.step().unwrap();
    }
    let (_, container) = app.stream_result(halt_after(["count"]), ()).unwrap();
    container.finish().unwrap();
    assert_eq!(log.seqs(), vec![0, 2]);
}

#[test]
fn a_save_policy_that_cannot_work_is_a_build_problem() {
    let Err(Error::Build { problems }) = counting(3)
        .with_save_policy(SavePolicy::every_n_steps(0))
        .build()
    else {
        panic!("built")
    };
    assert!(problems[0].to_string().contains("every_n_steps(0)"));
    let Err(Error::Build { problems }) = counting(3)
        .with_save_policy(SavePolicy::tagged(["nope"]))
        .build()
    else {
        panic!("built")
    };
    assert!(problems[0].to_string().contains("`nope`"), "{problems:?}");
}
