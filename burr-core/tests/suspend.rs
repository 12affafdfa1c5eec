//! Suspending inside an action and resuming from a fresh application (as another process
//! would), with the journal of `durable` results replayed instead of repeated.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use burr_core::policy::RetryPolicy;
use burr_core::*;
use serde_json::json;
use support::{Recorder, rt};

/// `draft` writes a draft with one expensive call (journaled), asks for approval, and writes
/// the verdict; `publish` ends the run.
fn graph(expensive: Arc<AtomicU32>) -> ApplicationBuilder {
    let draft = FnAction::new(["topic"], ["draft", "approved"], move |state, _, ctx| {
        let topic: String = state.get("topic")?;
        let calls = expensive.clone();
        let draft: String = ctx.durable("llm", || {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ActionError>(format!("a post about {topic}"))
        })?;
        let approved: bool = ctx.suspend("approval", json!({ "draft": draft }))?;
        Ok::<_, ActionError>(state.update("draft", draft).update("approved", approved))
    });
    ApplicationBuilder::new()
        .with_action("draft", draft)
        .with_action("publish", ResultAction::new(["approved"]))
        .with_transition("draft", "publish", default())
}

fn fresh(store: &InMemoryPersister, expensive: Arc<AtomicU32>) -> Application {
    graph(expensive)
        .initialize_from(InitializeFrom::new(
            store.clone(),
            State::new().update("topic", "rust"),
            "draft",
        ))
        .with_app_id("app-1")
        .with_state_persister(store.clone())
        .build()
        .unwrap()
}

#[test]
fn a_suspended_run_stops_with_its_suspension_saved_and_tracked() {
    let store = InMemoryPersister::new();
    let expensive = Arc::new(AtomicU32::new(0));
    let recorder = Recorder::new();
    let mut app = graph(expensive.clone())
        .with_state(State::new().update("topic", "rust"))
        .with_entrypoint("draft")
        .with_app_id("app-1")
        .with_state_persister(store.clone())
        .with_hook(recorder.clone())
        .build()
        .unwrap();
    let out = app.run(halt_after(["publish"]), ()).unwrap();
    assert_eq!(out.halted, Halted::Suspended);
    assert_eq!(out.action.as_deref(), Some("draft"));
    let waiting = app.suspension().unwrap();
    assert_eq!(
        waiting,
        Suspension {
            action: "draft".into(),
            channel: "approval".into(),
            payload: json!({"draft": "a post about rust"}),
            sequence_id: 0,
        }
    );
    assert_eq!(app.state().user_keys(), ["topic"]);
    assert!(
        recorder
            .events()
            .iter()
            .any(|e| e.starts_with("attributes - burr.suspended={\"channel\":\"approval\"")),
        "{:?}",
        recorder.events()
    );
    let saved = store.load(None, "app-1", None).unwrap().unwrap();
    assert_eq!((saved.sequence_id, saved.status), (0, Status::Completed));
    assert!(saved.state.contains(SUSPENDED_KEY));

    // Until it is resumed, runs stop at once and steps are refused.
    let again = app.run(halt_after(["publish"]), ()).unwrap();
    assert_eq!(again.halted, Halted::Suspended);
    assert!(matches!(app.step().unwrap_err(), Error::Suspended { .. }));
    assert_eq!(app.sequence_id(), Some(0));
    assert_eq!(expensive.load(Ordering::SeqCst), 1);
}

#[test]
fn a_fresh_application_resumes_with_the_journal_replayed() {
    let store = InMemoryPersister::new();
    let expensive = Arc::new(AtomicU32::new(0));
    let mut first = fresh(&store, expensive.clone());
    first.run(halt_after(["publish"]), ()).unwrap();
    drop(first);

    let mut second = fresh(&store, expensive.clone());
    assert_eq!(second.next_action(), Some("draft"));
    let out = second
        .resume("approval", true, halt_after(["publish"]), ())
        .unwrap();
    assert_eq!(out.halted, Halted::After);
    assert_eq!(out.action.as_deref(), Some("publish"));
    assert!(out.state.get::<bool>("approved").unwrap());
    assert_eq!(
        out.state.get::<String>("draft").unwrap(),
        "a post about rust"
    );
    assert!(!out.state.contains(SUSPENDED_KEY));
    assert_eq!(
        expensive.load(Ordering::SeqCst),
        1,
        "the journaled call ran once"
    );
    assert_eq!(second.sequence_id(), Some(2));
    assert!(second.suspension().is_none());
}

#[test]
fn resuming_the_wrong_app_channel_or_type_is_a_typed_error_and_nothing_is_lost() {
    let store = InMemoryPersister::new();
    let expensive = Arc::new(AtomicU32::new(0));
    let mut app = fresh(&store, expensive.clone());
    let nothing = app.resume("approval", true, Halt::default(), ());
    assert!(matches!(nothing.unwrap_err(), Error::NotSuspended { .. }));
    app.run(halt_after(["publish"]), ()).unwrap();

    let wrong = app
        .resume("payment", true, Halt::default(), ())
        .unwrap_err();
    assert!(
        matches!(&wrong, Error::WrongChannel { expected, given } if expected == "approval" && given == "payment"),
        "{wrong}"
    );
    let bad = app
        .resume("approval", "yes please", halt_after(["publish"]), ())
        .unwrap_err();
    assert!(matches!(bad, Error::ResumeValue { .. }), "{bad}");
    assert!(bad.to_string().contains("still suspended"), "{bad}");
    assert_eq!(app.suspension().unwrap().channel, "approval");

    let mut later = fresh(&store, expensive.clone());
    let out = later
        .resume("approval", false, halt_after(["publish"]), ())
        .unwrap();
    assert!(!out.state.get::<bool>("approved").unwrap());
    assert_eq!(expensive.load(Ordering::SeqCst), 1);
}

#[test]
fn of_two_resumes_at_once_one_wins_and_the_other_gets_a_typed_error() {
    let store = InMemoryPersister::new();
    let expensive = Arc::new(AtomicU32::new(0));
    fresh(&store, expensive.clone())
        .run(halt_after(["publish"]), ())
        .unwrap();
    let mut one = fresh(&store, expensive.clone());
    let mut two = fresh(&store, expensive.clone());
    one.resume("approval", true, halt_after(["draft"]), ())
        .unwrap();
    let err = two
        .resume("approval", false, halt_after(["draft"]), ())
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyResumed { .. }), "{err}");
    let saved = store.load(None, "app-1", Some(1)).unwrap().unwrap();
    assert!(saved.state.get::<bool>("approved").unwrap());
}

#[test]
fn a_re_run_that_asks_for_other_journaled_results_is_a_determinism_error() {
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let fickle = FnAction::new(Vec::<String>::new(), ["x"], move |state, _, ctx| {
        let key = if counted.fetch_add(1, Ordering::SeqCst) == 0 {
            "first"
        } else {
            "second"
        };
        let _: u32 = ctx.durable(key, || Ok::<_, ActionError>(1))?;
        let _: bool = ctx.suspend("go", ())?;
        Ok::<_, ActionError>(state.update("x", 1))
    });
    let mut app = ApplicationBuilder::new()
        .with_action("fickle", fickle)
        .with_entrypoint("fickle")
        .build()
        .unwrap();
    app.run(halt_after(["fickle"]), ()).unwrap();
    let err = app
        .resume("go", true, halt_after(["fickle"]), ())
        .unwrap_err();
    assert!(
        matches!(&err, Error::Determinism { journaled, asked, position: 0, .. } if journaled == "first" && asked == "second"),
        "{err}"
    );
}

#[test]
fn durable_results_are_replayed_across_the_attempts_of_a_step() {
    let expensive = Arc::new(AtomicU32::new(0));
    let attempts = Arc::new(AtomicU32::new(0));
    let (e, a) = (expensive.clone(), attempts.clone());
    let flaky = FnAction::new(Vec::<String>::new(), ["sent"], move |state, _, ctx| {
        let id: u32 = ctx.durable("send", || {
            Ok::<_, ActionError>(e.fetch_add(1, Ordering::SeqCst) + 100)
        })?;
        if a.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(ActionError::msg("the receipt was lost"));
        }
        Ok(state.update("sent", id))
    });
    let mut app = ApplicationBuilder::new()
        .with_action("send", flaky)
        .with_retry("send", RetryPolicy::new(2).initial_delay(Duration::ZERO))
        .with_entrypoint("send")
        .build()
        .unwrap();
    app.step().unwrap();
    assert_eq!(app.state().get::<u32>("sent").unwrap(), 100);
    assert_eq!(expensive.load(Ordering::SeqCst), 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

#[test]
fn an_action_that_suspends_twice_replays_the_first_answer() {
    let ask_twice = FnAction::new(Vec::<String>::new(), ["name", "age"], |state, _, ctx| {
        let name: String = ctx.suspend("name", "your name?")?;
        let age: u32 = ctx.suspend("age", "your age?")?;
        Ok::<_, ActionError>(state.update("name", name).update("age", age))
    });
    let mut app = ApplicationBuilder::new()
        .with_action("ask", ask_twice)
        .with_entrypoint("ask")
        .build()
        .unwrap();
    let halt = || halt_after(["ask"]);
    assert_eq!(app.run(halt(), ()).unwrap().halted, Halted::Suspended);
    let out = app.resume("name", "Ada", halt(), ()).unwrap();
    assert_eq!(out.halted, Halted::Suspended);
    assert_eq!(app.suspension().unwrap().channel, "age");
    let out = app.resume("age", 36, halt(), ()).unwrap();
    assert_eq!(out.halted, Halted::After);
    assert_eq!(out.state.get::<String>("name").unwrap(), "Ada");
    assert_eq!(out.state.get::<u32>("age").unwrap(), 36);
}

#[test]
fn async_actions_suspend_and_resume_too() {
    rt().block_on(async {
        let expensive = Arc::new(AtomicU32::new(0));
        let e = expensive.clone();
        let act = FnAction::new_async(Vec::<String>::new(), ["reply"], move |state, _, ctx| {
            let e = e.clone();
            let ctx = ctx.clone();
            async move {
                let reply: String = ctx
                    .durable_async("llm", || async {
                        e.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, ActionError>("drafted".to_string())
                    })
                    .await?;
                let ok: bool = ctx.suspend("ok", &reply)?;
                Ok::<_, ActionError>(state.update("reply", format!("{reply} {ok}")))
            }
        });
        let mut app = ApplicationBuilder::new()
            .with_action("act", act)
            .with_entrypoint("act")
            .build()
            .unwrap();
        let out = app.run_async(halt_after(["act"]), ()).await.unwrap();
        assert_eq!(out.halted, Halted::Suspended);
        let out = app
            .resume_async("ok", true, halt_after(["act"]), ())
            .await
            .unwrap();
        assert_eq!(out.state.get::<String>("reply").unwrap(), "drafted true");
        assert_eq!(expensive.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_suspension_is_saved_whatever_the_save_policy() {
    let store = InMemoryPersister::new();
    let expensive = Arc::new(AtomicU32::new(0));
    let mut app = graph(expensive.clone())
        .with_action("warm_up", ResultAction::new(["topic"]))
        .with_transition("warm_up", "draft", default())
        .with_state(State::new().update("topic", "rust"))
        .with_entrypoint("warm_up")
        .with_app_id("app-1")
        .with_state_persister(store.clone())
        .with_save_policy(SavePolicy::every_n_steps(10))
        .build()
        .unwrap();
    app.step().unwrap();
    // Driven step by step (no run to save at its end), the suspended step 1 is saved anyway.
    app.step().unwrap();
    let saved = store.load(None, "app-1", None).unwrap().unwrap();
    assert_eq!(saved.sequence_id, 1);
    assert!(saved.state.contains(SUSPENDED_KEY));
    let mut later = fresh(&store, expensive);
    let out = later
        .resume("approval", true, halt_after(["publish"]), ())
        .unwrap();
    assert_eq!(out.halted, Halted::After);
}

#[test]
fn a_resumed_action_that_fails_into_an_error_transition_ends_the_suspension() {
    let approve = FnAction::new(Vec::<String>::new(), ["approved"], |state, _, ctx| {
        let approved: bool = ctx.suspend("approval", ())?;
        if approved {
            return Err(ActionError::msg("the mail server is down"));
        }
        Ok::<_, ActionError>(state.update("approved", approved))
    });
    let mut app = ApplicationBuilder::new()
        .with_action("approve", approve)
        .with_action("fallback", ResultAction::new(["error"]))
        .with_error_transition("approve", "fallback", "error")
        .with_entrypoint("approve")
        .build()
        .unwrap();
    app.run(halt_after(["fallback"]), ()).unwrap();
    let out = app
        .resume("approval", true, halt_after(["fallback"]), ())
        .unwrap();
    assert_eq!(out.halted, Halted::After);
    assert!(app.suspension().is_none());
    assert!(!out.state.contains(SUSPENDED_KEY));
}

#[test]
fn a_resume_that_crashed_replays_its_answer_and_what_it_journaled_after_it() {
    let store = InMemoryPersister::new();
    let sent = Arc::new(AtomicU32::new(0));
    let crash = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let build = |store: &InMemoryPersister| {
        let (sent, crash) = (sent.clone(), crash.clone());
        let act = FnAction::new(Vec::<String>::new(), ["receipt"], move |state, _, ctx| {
            let ok: bool = ctx.suspend("approval", ())?;
            let receipt: u32 = ctx.durable("send", || {
                Ok::<_, ActionError>(sent.fetch_add(1, Ordering::SeqCst))
            })?;
            if crash.load(Ordering::SeqCst) {
                return Err(ActionError::msg("killed"));
            }
            Ok::<_, ActionError>(state.update("receipt", (ok, receipt)))
        });
        ApplicationBuilder::new()
            .with_action("send", act)
            .initialize_from(InitializeFrom::new(store.clone(), State::new(), "send"))
            .with_app_id("app-1")
            .with_state_persister(store.clone())
            .build()
            .unwrap()
    };
    let mut app = build(&store);
    app.run(halt_after(["send"]), ()).unwrap();
    // The resume runs the action, which sends, then fails (as a process killed there would).
    assert!(
        app.resume("approval", true, halt_after(["send"]), ())
            .is_err()
    );
    drop(app);
    crash.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut again = build(&store);
    let out = again
        .resume("approval", true, halt_after(["send"]), ())
        .unwrap();
    assert_eq!(
        out.state.get_value("receipt").unwrap(),
        serde_json::json!([true, 0])
    );
    assert_eq!(sent.load(Ordering::SeqCst), 1, "sent once");
}
