//! Graceful shutdown: a cancel handle stops `run` and `iterate` at the next step boundary,
//! from another thread, with the step that ran saved.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use burr_core::*;
use support::rt;

/// `tick` counts forever; it cancels its own application at step `stop_at` through the
/// handle it was given (as another thread would).
fn ticking(handle_slot: Arc<std::sync::OnceLock<CancelHandle>>, stop_at: u64) -> FnAction {
    FnAction::new(["n"], ["n"], move |s, _, _| {
        let n: u64 = s.get("n")?;
        if n + 1 == stop_at
            && let Some(h) = handle_slot.get()
        {
            h.cancel();
        }
        Ok::<_, ActionError>(s.update("n", n + 1))
    })
}

fn ticker(stop_at: u64, store: &InMemoryPersister) -> Application {
    let slot = Arc::new(std::sync::OnceLock::new());
    let app = ApplicationBuilder::new()
        .with_action("tick", ticking(slot.clone(), stop_at))
        .with_transition("tick", "tick", default())
        .with_state(state! { n: 0 })
        .with_entrypoint("tick")
        .with_app_id("ticker")
        .with_state_persister(store.clone())
        .build()
        .unwrap();
    slot.set(app.cancel_handle()).unwrap();
    app
}

#[test]
fn a_cancelled_run_stops_after_the_step_that_runs_with_it_saved() {
    let store = InMemoryPersister::new();
    let mut app = ticker(5, &store);
    let out = app.run(Halt::default(), ()).unwrap();
    assert_eq!(out.halted, Halted::Cancelled);
    assert_eq!(out.action.as_deref(), Some("tick"));
    assert_eq!(out.state.get::<u64>("n").unwrap(), 5);
    let saved = store.load(None, "ticker", None).unwrap().unwrap();
    assert_eq!(saved.sequence_id, 4);
    // The request is used up: the next run goes on (and is stopped again only when asked).
    let handle = app.cancel_handle();
    assert!(!handle.is_cancelled());
    let out = app.run(halt_after(["tick"]), ()).unwrap();
    assert_eq!(out.halted, Halted::After);
}

#[test]
fn iterate_and_run_async_stop_too() {
    let store = InMemoryPersister::new();
    let mut app = ticker(3, &store);
    let mut it = app.iterate(Halt::default(), ());
    let steps = it.by_ref().count();
    assert_eq!(steps, 3);
    assert_eq!(it.outcome().unwrap().halted, Halted::Cancelled);

    rt().block_on(async {
        let store = InMemoryPersister::new();
        let mut app = ticker(2, &store);
        let out = app.run_async(Halt::default(), ()).await.unwrap();
        assert_eq!(out.halted, Halted::Cancelled);
        assert_eq!(out.state.get::<u64>("n").unwrap(), 2);
    });
}

#[test]
fn a_handle_cancels_from_another_thread_and_actions_can_see_it() {
    let seen = Arc::new(AtomicU32::new(0));
    let s2 = seen.clone();
    let (started, running) = std::sync::mpsc::channel::<()>();
    let started = std::sync::Mutex::new(started);
    let mut app = ApplicationBuilder::new()
        .with_action(
            "wait",
            FnAction::new(
                Vec::<String>::new(),
                Vec::<String>::new(),
                move |s, _, ctx| {
                    started.lock().unwrap().send(()).unwrap();
                    // A long action that checks for a stop between chunks of work.
                    while !ctx.is_cancelled() {
                        std::thread::yield_now();
                    }
                    s2.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, ActionError>(s)
                },
            ),
        )
        .with_transition("wait", "wait", default())
        .with_entrypoint("wait")
        .build()
        .unwrap();
    let handle = app.cancel_handle();
    let canceller = std::thread::spawn(move || {
        running.recv().unwrap();
        handle.cancel();
    });
    let out = app.run(Halt::default(), ()).unwrap();
    canceller.join().unwrap();
    assert_eq!(out.halted, Halted::Cancelled);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    assert_eq!(app.sequence_id(), Some(0));
}

#[test]
fn an_iteration_asked_to_stop_before_it_starts_runs_nothing() {
    let store = InMemoryPersister::new();
    let mut app = ticker(100, &store);
    app.cancel_handle().cancel();
    let mut it = app.iterate(Halt::default(), ());
    assert_eq!(it.by_ref().count(), 0);
    assert_eq!(it.outcome().unwrap().halted, Halted::Cancelled);
    drop(it);
    assert_eq!(app.sequence_id(), None);
}
