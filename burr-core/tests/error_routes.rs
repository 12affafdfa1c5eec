//! Error transitions: a failed action routed to another one, the error captured in the state,
//! the route chosen from the state alone (so a resumed application takes it too).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use burr_core::policy::RetryPolicy;
use burr_core::*;
use serde_json::json;
use support::{Recorder, rt};

/// `ask` fails its first `failures` calls, then answers; `apologize` writes an apology from
/// the captured error and goes back to `ask`; `ask` goes to `done` when it succeeds.
fn builder(failures: u32) -> ApplicationBuilder {
    graph(failures)
        .with_state(State::new().update("answer", ""))
        .with_entrypoint("ask")
}

/// The actions and transitions of [`builder`], without state or entrypoint.
fn graph(failures: u32) -> ApplicationBuilder {
    let calls = Arc::new(AtomicU32::new(0));
    let ask = FnAction::new(Vec::<String>::new(), ["answer"], move |state, _, _| {
        if calls.fetch_add(1, Ordering::SeqCst) < failures {
            return Err(ActionError::msg("the model is down"));
        }
        Ok(state.update("answer", "42"))
    });
    let apologize = FnAction::new(["error"], ["apology"], |state, _, _| {
        let error = state.get_value("error").unwrap();
        let apology = format!("sorry: {}", error["message"].as_str().unwrap());
        Ok::<_, ActionError>(state.update("apology", apology))
    });
    ApplicationBuilder::new()
        .with_action("ask", ask)
        .with_action("apologize", apologize)
        .with_action("done", ResultAction::new(["answer"]))
        .with_transitions([("ask", "done", default()), ("apologize", "ask", default())])
        .with_error_transition("ask", "apologize", "error")
}

#[test]
fn a_failed_action_goes_to_its_error_transition_with_the_error_captured() {
    let recorder = Recorder::new();
    let mut app = builder(1).with_hook(recorder.clone()).build().unwrap();
    let step = app.step().unwrap().unwrap();
    assert_eq!((step.action.as_str(), step.sequence_id), ("ask", 0));
    assert_eq!(
        step.error.as_deref(),
        Some("action `ask` failed: the model is down")
    );
    assert_eq!(
        app.state().get_value("error").unwrap(),
        json!({
            "action": "ask",
            "sequence_id": 0,
            "kind": "action_failed",
            "message": "action `ask` failed: the model is down",
        })
    );
    assert_eq!(app.state().prior_step(), Some("ask"));
    assert_eq!(app.next_action(), Some("apologize"));
    assert!(
        recorder
            .events()
            .iter()
            .any(|e| e == "post_step 0 ask err: action `ask` failed: the model is down"),
        "{:?}",
        recorder.events()
    );

    // apologize, then ask again (which now succeeds), then done: the old error is stale.
    let out = app.run(halt_after(["done"]), ()).unwrap();
    assert_eq!(out.halted, Halted::After);
    assert_eq!(
        out.state.get::<String>("apology").unwrap(),
        "sorry: action `ask` failed: the model is down"
    );
    assert_eq!(out.state.get::<String>("answer").unwrap(), "42");
    assert_eq!(app.sequence_id(), Some(3));
}

#[test]
fn errors_of_the_declarations_are_not_routed() {
    let bad = FnAction::new(Vec::<String>::new(), ["answer"], |state, _, _| {
        Ok::<_, ActionError>(state.update("undeclared", 1))
    });
    let mut app = ApplicationBuilder::new()
        .with_action("ask", bad)
        .with_action("apologize", ResultAction::new(["error"]))
        .with_error_transition("ask", "apologize", "error")
        .with_entrypoint("ask")
        .build()
        .unwrap();
    assert!(matches!(
        app.step().unwrap_err(),
        Error::UndeclaredWrite { .. }
    ));
    assert!(!app.state().contains("error"));
}

#[test]
fn an_application_resumed_after_a_routed_failure_takes_the_route() {
    let store = InMemoryPersister::new();
    let mut app = builder(1)
        .with_app_id("app-1")
        .with_state_persister(store.clone())
        .build()
        .unwrap();
    app.step().unwrap();
    let saved = store.load(None, "app-1", None).unwrap().unwrap();
    assert_eq!(
        (saved.status, saved.position.as_str()),
        (Status::Completed, "ask")
    );

    let resumed = graph(0)
        .initialize_from(InitializeFrom::new(store, State::new(), "ask"))
        .with_app_id("app-1")
        .build()
        .unwrap();
    assert_eq!(resumed.next_action(), Some("apologize"));
}

#[test]
fn retries_come_first_and_a_timeout_is_routed_as_one() {
    rt().block_on(async {
        let slow =
            FnAction::new_async(Vec::<String>::new(), ["answer"], |state, _, _| async move {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok::<_, ActionError>(state)
            });
        let recorder = Recorder::new();
        let mut app = ApplicationBuilder::new()
            .with_action("ask", slow)
            .with_action("apologize", ResultAction::new(["error"]))
            .with_error_transition("ask", "apologize", "error")
            .with_timeout("ask", Duration::from_millis(10))
            .with_retry("ask", RetryPolicy::new(2).initial_delay(Duration::ZERO))
            .with_entrypoint("ask")
            .with_hook(recorder.clone())
            .build()
            .unwrap();
        let out = app.run_async(halt_after(["apologize"]), ()).await.unwrap();
        let error = out.state.get_value("error").unwrap();
        assert_eq!(error["kind"], "timeout");
        assert_eq!(recorder.count("attributes"), 1);
    });
}

#[test]
fn an_error_transition_is_described_in_the_graph_and_checked_by_the_builder() {
    let app = builder(0).build().unwrap();
    let routes: Vec<(String, String, String)> = app
        .graph()
        .transitions
        .iter()
        .map(|t| (t.from.clone(), t.to.clone(), t.condition.clone()))
        .collect();
    assert!(routes.contains(&("ask".into(), "apologize".into(), "on_error".into())));

    let err = builder(0)
        .with_error_transition("ask", "nowhere", "e")
        .with_error_transition("apologize", "ask", "__e")
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("two error transitions"), "{text}");
    assert!(text.contains("`nowhere`"), "{text}");
    assert!(text.contains("`__e`"), "{text}");
}
