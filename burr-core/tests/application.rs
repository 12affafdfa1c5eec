//! Application behaviours (step, run, iterate, halts, inputs, failures, hooks, persistence,
//! initialize_from), with hand-written actions.

mod support;

use std::sync::{Arc, Mutex};

use burr_core::*;
use serde_json::json;
use support::{Recorder, counter};

/// An action with the given declarations and a body that returns the new state.
fn custom(
    reads: &[&'static str],
    writes: &[&'static str],
    body: impl Fn(State, &Inputs) -> std::result::Result<State, ActionError> + Send + Sync + 'static,
) -> FnAction {
    FnAction::new(
        reads.iter().copied(),
        writes.iter().copied(),
        move |s, i, _| body(s, i),
    )
}

fn counter_app(limit: i64) -> Application {
    ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("result", ResultAction::new(["count"]))
        .with_transitions([
            (
                "counter",
                "counter",
                expr(&format!("count < {limit}")).unwrap(),
            ),
            ("counter", "result", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .build()
        .unwrap()
}

#[test]
fn first_step_has_sequence_zero_and_prior_step() {
    let mut app = counter_app(10);
    let step = app.step().unwrap().unwrap();
    assert_eq!(step.sequence_id, 0);
    assert_eq!(step.result["count"], 1);
    assert_eq!(app.state().prior_step(), Some("counter"));
    assert_eq!(app.sequence_id(), Some(0));
}

#[test]
fn loops_until_condition_then_result() {
    let mut app = counter_app(10);
    let out = app.run(halt_after(["result"]), ()).unwrap();
    assert_eq!(out.halted, Halted::After);
    assert_eq!(out.action.as_deref(), Some("result"));
    assert_eq!(out.result.unwrap()["count"], 10);
    assert_eq!(out.state.get::<i64>("count").unwrap(), 10);
    // 10 counter steps (0..=9) then result (10).
    assert_eq!(app.sequence_id(), Some(10));
}

#[test]
fn halt_before_returns_next_action_without_result() {
    let mut app = counter_app(10);
    let out = app.run(halt_before(["result"]), ()).unwrap();
    assert_eq!(out.halted, Halted::Before);
    assert_eq!(out.action.as_deref(), Some("result"));
    assert!(out.result.is_none());
    assert_eq!(out.state.get::<i64>("count").unwrap(), 10);
}

#[test]
fn halt_before_wins_over_halt_after() {
    let mut app = counter_app(3);
    let out = app
        .run(halt_after(["counter"]).and_before(["counter"]), ())
        .unwrap();
    assert_eq!(out.halted, Halted::Before);
}

#[test]
fn tags_expand_in_halts_and_unknown_ones_error() {
    let mut app = counter_app(3);
    let out = app.run(halt_after(["@tag:counting"]), ()).unwrap();
    assert_eq!(out.action.as_deref(), Some("counter"));
    let err = app.run(halt_after(["@tag:nope"]), ()).unwrap_err();
    assert!(matches!(err, Error::UnknownTag { .. }), "{err}");
    let err = app.run(halt_after(["nope", "other"]), ()).unwrap_err();
    let Error::UnknownHalt { names, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(names, vec!["nope", "other"]);
}

#[test]
fn inputs_reach_every_step() {
    let mut app = counter_app(27);
    app.run(halt_after(["result"]), inputs! { by: 8 }).unwrap();
    // 0 -> 8 -> 16 -> 24 -> 32: four counter steps then result.
    assert_eq!(app.state().get::<i64>("count").unwrap(), 32);
    assert_eq!(app.sequence_id(), Some(4));
}

#[test]
fn dead_end_returns_last_step() {
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_transition("counter", "counter", expr("count < 3").unwrap())
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .build()
        .unwrap();
    let out = app.run(halt_after(["counter"]).and_before(Vec::<String>::new()), ());
    assert_eq!(out.unwrap().halted, Halted::After);
    let out = app.run(Halt::default(), ()).unwrap();
    assert_eq!(out.halted, Halted::NoTransition);
    assert_eq!(out.action.as_deref(), Some("counter"));
    assert_eq!(out.state.get::<i64>("count").unwrap(), 3);
    // Stepping at a dead end returns None and spends no sequence id.
    let seq = app.sequence_id().unwrap();
    assert!(app.step().unwrap().is_none());
    assert_eq!(app.sequence_id(), Some(seq));
}

#[test]
fn iterate_yields_each_step_and_the_outcome() {
    let mut app = counter_app(3);
    let mut it = app.iterate(halt_after(["result"]), ());
    let names: Vec<String> = it.by_ref().map(|s| s.unwrap().action).collect();
    assert_eq!(names, vec!["counter", "counter", "counter", "result"]);
    assert_eq!(it.outcome().unwrap().halted, Halted::After);
}

#[test]
fn missing_required_input_names_action_and_input() {
    let mut app = ApplicationBuilder::new()
        .with_action("ask", Input::new(["question"]))
        .with_entrypoint("ask")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    let Error::MissingInputs {
        action, missing, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(
        (action.as_str(), missing.as_slice()),
        ("ask", &["question".to_string()][..])
    );
    let err = app.step_with(&inputs! { "__secret": 1 }).unwrap_err();
    assert!(matches!(err, Error::ReservedInput(_)), "{err}");
}

#[test]
fn wrong_input_type_is_typed_error() {
    let mut app = counter_app(3);
    let err = app.step_with(&inputs! { by: "eight" }).unwrap_err();
    let Error::InvalidInput { action, input, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!((action.as_str(), input.as_str()), ("counter", "by"));
    // The failed step left the state unchanged.
    assert_eq!(app.state().get::<i64>("count").unwrap(), 0);
}

#[test]
fn undeclared_read_names_action_key_and_reads() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "peek",
            custom(&["a"], &["a"], |s, _| {
                let b: i64 = s.get("b")?;
                Ok(s.update("a", b))
            }),
        )
        .with_state(state! { a: 1, b: 2 })
        .with_entrypoint("peek")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    let Error::State(StateError::UndeclaredRead { action, key, reads }) = &err else {
        panic!("{err}")
    };
    assert_eq!((action.as_str(), key.as_str()), ("peek", "b"));
    assert_eq!(reads, &vec!["a".to_string()]);
}

#[test]
fn undeclared_and_missing_writes_are_errors() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "sneaky",
            custom(&["a"], &["a"], |s, _| Ok(s.update("a", 2).update("z", 1))),
        )
        .with_state(state! { a: 1 })
        .with_entrypoint("sneaky")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    let Error::UndeclaredWrite { action, keys, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (action.as_str(), keys.as_slice()),
        ("sneaky", &["z".to_string()][..])
    );
    assert!(!app.state().contains("z"));

    let mut app = ApplicationBuilder::new()
        .with_action(
            "lazy",
            custom(&["a"], &["a", "b"], |s, _| Ok(s.update("a", 2))),
        )
        .with_state(state! { a: 1 })
        .with_entrypoint("lazy")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    let Error::MissingWrite { action, keys, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (action.as_str(), keys.as_slice()),
        ("lazy", &["b".to_string()][..])
    );
}

#[test]
fn writing_a_runtime_key_is_rejected() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "meddle",
            custom(&[], &[], |s, _| Ok(s.update("__PRIOR_STEP", "other"))),
        )
        .with_entrypoint("meddle")
        .build()
        .unwrap();
    assert!(matches!(
        app.step().unwrap_err(),
        Error::UndeclaredWrite { .. }
    ));
}

#[test]
fn actions_can_delete_declared_keys_and_build_fresh_states() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "drop_b",
            custom(&["b"], &["b"], |s, _| Ok(s.wipe_delete(["b"]))),
        )
        .with_action(
            "fresh",
            custom(&["a"], &["c"], |_, _| Ok(State::new().update("c", 3))),
        )
        .with_transition("drop_b", "fresh", default())
        .with_state(state! { a: 1, b: 2 })
        .with_entrypoint("drop_b")
        .build()
        .unwrap();
    app.step().unwrap();
    assert!(!app.state().contains("b"));
    // `fresh` returned a new State holding only `c`: the read `a` it left out counts as a
    // deletion, which it did not declare.
    let err = app.step().unwrap_err();
    assert!(
        matches!(err, Error::UndeclaredDelete { ref keys, .. } if keys == &vec!["a".to_string()]),
        "{err}"
    );
}

#[test]
fn failing_action_leaves_state_and_reports_source() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "boom",
            custom(&[], &[], |_, _| Err(ActionError::msg("kaboom"))),
        )
        .with_state(state! { a: 1 })
        .with_entrypoint("boom")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    let Error::ActionFailed { action, source } = &err else {
        panic!("{err}")
    };
    assert_eq!(action, "boom");
    assert_eq!(source.to_string(), "kaboom");
    assert_eq!(app.state().get::<i64>("a").unwrap(), 1);
    assert_eq!(app.state().prior_step(), None);
}

#[test]
fn build_reports_every_problem() {
    let err = ApplicationBuilder::new()
        .with_action("a", counter())
        .with_action("a", counter())
        .with_transition("a", "missing", default())
        .with_transition("ghost", "a", default())
        .with_entrypoint("nowhere")
        .build()
        .unwrap_err();
    let Error::Build { problems } = err else {
        panic!()
    };
    assert!(problems.contains(&BuildProblem::DuplicateAction("a".into())));
    assert!(problems.iter().any(|p| matches!(p, BuildProblem::UnknownTransitionEndpoint { which: "target", name, .. } if name == "missing")));
    assert!(problems.iter().any(|p| matches!(p, BuildProblem::UnknownTransitionEndpoint { which: "source", name, .. } if name == "ghost")));
    assert!(
        problems.iter().any(
            |p| matches!(p, BuildProblem::UnknownEntrypoint { name, .. } if name == "nowhere")
        )
    );

    let err = ApplicationBuilder::new()
        .with_action("a", counter())
        .with_action("b", counter())
        .with_transitions([("a", "b", default()), ("a", "a", default())])
        .with_entrypoint("a")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("redundant"), "{err}");

    let err = ApplicationBuilder::new().build().unwrap_err();
    assert!(err.to_string().contains("no actions"), "{err}");

    let err = ApplicationBuilder::new()
        .with_action("a", counter())
        .with_entrypoint("a")
        .with_entrypoint("a")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("once"), "{err}");
}

#[test]
fn condition_on_missing_key_is_an_error() {
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_transition("counter", "counter", expr("limit > count").unwrap())
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .build()
        .unwrap();
    app.step().unwrap();
    let err = app.step().unwrap_err();
    assert!(
        matches!(err, Error::ConditionMissingKeys { ref missing, .. } if missing == &vec!["limit".to_string()]),
        "{err}"
    );
}

#[test]
fn with_sequence_id_starts_after_it() {
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_transition("counter", "counter", default())
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .with_sequence_id(5)
        .build()
        .unwrap();
    let seqs: Vec<u64> = (0..10)
        .map(|_| app.step().unwrap().unwrap().sequence_id)
        .collect();
    assert_eq!(seqs, (6..16).collect::<Vec<_>>());
}

#[test]
fn hooks_fire_in_order_once_per_public_call() {
    let rec = Recorder::new();
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("result", ResultAction::new(["count"]))
        .with_transitions([
            ("counter", "counter", expr("count < 2").unwrap()),
            ("counter", "result", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .with_hook(rec.clone())
        .build()
        .unwrap();
    app.run(halt_after(["result"]), ()).unwrap();
    assert_eq!(
        rec.take(),
        vec![
            "create counter",
            "pre_exec run",
            "pre_step 0 counter",
            "post_step 0 counter ok",
            "pre_step 1 counter",
            "post_step 1 counter ok",
            "pre_step 2 result",
            "post_step 2 result ok",
            "post_exec run ok",
        ]
    );
    assert!(app.step().unwrap().is_none());
    assert_eq!(rec.take(), vec!["pre_exec step", "post_exec step ok"]);
}

#[test]
fn persister_saves_every_step_and_failures_save_the_state_before() {
    let store = InMemoryPersister::new();
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("boom", custom(&[], &[], |_, _| Err(ActionError::msg("no"))))
        .with_transitions([
            ("counter", "counter", expr("count < 2").unwrap()),
            ("counter", "boom", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .with_app_id("app-1")
        .with_state_persister(store.clone())
        .build()
        .unwrap();
    assert!(app.run(halt_after(["boom"]), ()).is_err());
    let last = store.load(None, "app-1", None).unwrap().unwrap();
    assert_eq!(last.status, Status::Failed);
    assert_eq!(last.position, "boom");
    assert_eq!(last.sequence_id, 2);
    assert_eq!(last.state.get::<i64>("count").unwrap(), 2);
    assert_eq!(last.state.prior_step(), Some("counter"));
    let first = store.load(None, "app-1", Some(0)).unwrap().unwrap();
    assert_eq!(first.status, Status::Completed);
    assert_eq!(first.state.get::<i64>("count").unwrap(), 1);

    // Resuming re-runs the failed action.
    let resumed = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("boom", custom(&[], &[], |_, _| Ok(State::new())))
        .with_transitions([
            ("counter", "counter", expr("count < 2").unwrap()),
            ("counter", "boom", default()),
        ])
        .initialize_from(InitializeFrom::new(store.clone(), State::new(), "counter"))
        .with_app_id("app-1")
        .build()
        .unwrap();
    assert_eq!(resumed.next_action(), Some("boom"));
    assert_eq!(resumed.sequence_id(), Some(2));
}

#[test]
fn fork_from_a_step_continues_at_the_next_sequence_id() {
    let store = InMemoryPersister::new();
    let mut app = counter_app(5);
    let mut app2 = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("result", ResultAction::new(["count"]))
        .with_transitions([
            ("counter", "counter", expr("count < 10").unwrap()),
            ("counter", "result", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .with_app_id("source")
        .with_state_persister(store.clone())
        .build()
        .unwrap();
    app.run(halt_after(["result"]), ()).unwrap();
    app2.run(halt_after(["result"]), ()).unwrap();
    let fork = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("result", ResultAction::new(["count"]))
        .with_transitions([
            ("counter", "counter", expr("count < 10").unwrap()),
            ("counter", "result", default()),
        ])
        .initialize_from(
            InitializeFrom::new(store.clone(), State::new(), "counter").fork_from(
                "source",
                Some(4),
                None,
            ),
        )
        .with_app_id("fork")
        .build()
        .unwrap();
    assert_eq!(
        fork.state().to_json(),
        json!({"count": 5, "__SEQUENCE_ID": 4, "__PRIOR_STEP": "counter"})
    );
    assert_eq!(fork.parent_pointer().unwrap().app_id, "source");
    assert_eq!(fork.context().sequence_id(), 5);

    let err = ApplicationBuilder::new()
        .with_action("counter", counter())
        .initialize_from(
            InitializeFrom::new(store, State::new(), "counter").fork_from("source", None, None),
        )
        .with_app_id("source")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("same app id"), "{err}");
}

#[test]
fn initialize_from_conflicts_with_state_and_entrypoint() {
    let err = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_state(state! { count: 0 })
        .initialize_from(InitializeFrom::new(
            InMemoryPersister::new(),
            State::new(),
            "counter",
        ))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("initialize_from"), "{err}");
}

#[test]
fn uninitialized_persister_fails_at_build() {
    struct NotReady;
    impl StateSaver for NotReady {
        fn is_initialized(&self) -> std::result::Result<bool, PersistenceError> {
            Ok(false)
        }
        fn save(&self, _: SaveRequest<'_>) -> std::result::Result<(), PersistenceError> {
            Ok(())
        }
    }
    let err = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_entrypoint("counter")
        .with_state_persister(NotReady)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("not initialized"), "{err}");
}

#[test]
fn a_failed_save_keeps_the_state_so_the_step_can_be_retried() {
    struct Flaky(Mutex<bool>);
    impl StateSaver for Flaky {
        fn save(&self, _: SaveRequest<'_>) -> std::result::Result<(), PersistenceError> {
            if *self.0.lock().unwrap() {
                Err(PersistenceError::backend(std::io::Error::other("down")))
            } else {
                Ok(())
            }
        }
    }
    let flaky = Arc::new(Flaky(Mutex::new(true)));
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_transition("counter", "counter", default())
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .with_state_persister(Saver::Sync(flaky.clone()))
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    assert!(matches!(err, Error::Persistence(_)), "{err}");
    assert_eq!(app.state().get::<i64>("count").unwrap(), 0);
    assert_eq!(app.sequence_id(), None);
    *flaky.0.lock().unwrap() = false;
    let step = app.step().unwrap().unwrap();
    assert_eq!(
        (step.sequence_id, step.state.get::<i64>("count").unwrap()),
        (0, 1)
    );
}

/// `count *= 2`, async.
fn async_double() -> FnAction {
    FnAction::new_async(["count"], ["count"], |state, _, _| async move {
        tokio::task::yield_now().await;
        let c: i64 = state.get("count")?;
        Ok::<_, ActionError>(state.update("count", c * 2))
    })
}

#[tokio::test]
async fn async_and_sync_actions_mix_under_arun() {
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("double", async_double())
        .with_transitions([
            ("counter", "double", default()),
            ("double", "counter", expr("count < 20").unwrap()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .build()
        .unwrap();
    let out = app
        .run_async(halt_after(["double"]).and_before(Vec::<String>::new()), ())
        .await
        .unwrap();
    assert_eq!(out.state.get::<i64>("count").unwrap(), 2);
    let out = app.run_async(Halt::default(), ()).await.unwrap();
    // 2 -> 3 -> 6 -> 7 -> 14 -> 15 -> 30
    assert_eq!(out.state.get::<i64>("count").unwrap(), 30);
    assert!(matches!(
        app.update_state(state! { count: 0 }.with_prior_step("counter"))
            .map(|_| app.step()),
        Ok(Err(Error::AsyncActionInSyncContext { .. }))
    ));
}

#[tokio::test]
async fn abuild_apps_refuse_sync_methods() {
    let mut app = ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .build_async()
        .await
        .unwrap();
    assert!(matches!(app.step(), Err(Error::AsyncOnly)));
    assert!(app.step_async().await.unwrap().is_some());
}

#[test]
fn state_is_shared_not_copied_between_steps() {
    let mut app = ApplicationBuilder::new()
        .with_action("grow", custom(&["l"], &["l"], |s, _| Ok(s.append("l", 1))))
        .with_transition("grow", "grow", default())
        .with_state(state! { l: [] })
        .with_entrypoint("grow")
        .build()
        .unwrap();
    let first = app.step().unwrap().unwrap().state;
    app.step().unwrap();
    assert_eq!(first.get::<Vec<i32>>("l").unwrap(), vec![1]);
    assert_eq!(app.state().get::<Vec<i32>>("l").unwrap(), vec![1, 1]);
}

#[test]
fn visualize_draws_dot() {
    let app = counter_app(3);
    let dot = app.visualize();
    assert!(
        dot.contains("\"counter\" -> \"result\" [style=solid]"),
        "{dot}"
    );
    assert!(
        dot.contains("\"counter\" -> \"counter\" [style=dashed]"),
        "{dot}"
    );
    assert!(dot.contains("input__by"), "{dot}");
}

/// A value whose map keys are not strings: JSON cannot hold it.
fn unserializable() -> std::collections::HashMap<(u8, u8), u8> {
    std::collections::HashMap::from([((1, 2), 3)])
}

#[test]
fn writes_take_any_serializable_value_and_a_failed_one_fails_the_step() {
    #[derive(serde::Serialize)]
    struct Message {
        role: &'static str,
        text: String,
    }
    let mut app = ApplicationBuilder::new()
        .with_action(
            "say",
            custom(&[], &["message"], |s, _| {
                Ok(s.update(
                    "message",
                    Message {
                        role: "user",
                        text: "hi".into(),
                    },
                ))
            }),
        )
        .with_action(
            "break",
            custom(
                &[],
                &["grid"],
                |s, _| Ok(s.update("grid", unserializable())),
            ),
        )
        .with_transition("say", "break", default())
        .with_entrypoint("say")
        .build()
        .unwrap();
    let step = app.step().unwrap().unwrap();
    assert_eq!(step.state.get_value("message").unwrap()["text"], "hi");
    let err = app.step().unwrap_err();
    let Error::State(StateError::Serialize { key, .. }) = &err else {
        panic!("expected a serialization error, got {err:?}");
    };
    assert_eq!(key, "grid");
    assert!(!app.state().contains("grid"));
    assert_eq!(app.state().prior_step(), Some("say"));
}

#[test]
fn an_initial_state_with_a_failed_write_is_a_build_problem() {
    let err = ApplicationBuilder::new()
        .with_action("a", Input::new(["x"]))
        .with_state(State::new().update("grid", unserializable()))
        .with_entrypoint("a")
        .build()
        .unwrap_err();
    let Error::Build { problems } = err else {
        panic!("expected a build error")
    };
    assert!(
        matches!(&problems[..], [BuildProblem::InvalidState(StateError::Serialize { key, .. })] if key == "grid"),
        "{problems:?}"
    );
}

#[test]
fn state_and_inputs_macros_take_expressions_and_json_literals() {
    let base = 40;
    let s = state! { n: -1, total: base + 2, "spaced key": {"a": [1, 2]}, list: ["x", {"y": 1}] };
    assert_eq!(s.get::<i64>("n").unwrap(), -1);
    assert_eq!(s.get::<i64>("total").unwrap(), 42);
    assert_eq!(s.get_value("spaced key").unwrap(), json!({"a": [1, 2]}));
    assert_eq!(s.get_value("list").unwrap(), json!(["x", {"y": 1}]));
    let i = inputs! { by: -1, label: format!("{base}"), point: {"x": 1}, };
    assert_eq!(i.get::<i64>("a", "by").unwrap(), -1);
    assert_eq!(i.get::<String>("a", "label").unwrap(), "40");
    assert_eq!(i.value("point"), Some(&json!({"x": 1})));
    assert!(state! {}.is_empty() && inputs! {}.is_empty());
}

#[test]
fn appending_to_a_value_that_is_not_a_list_fails_the_step() {
    let mut app = ApplicationBuilder::new()
        .with_action("log", custom(&["x"], &["x"], |s, _| Ok(s.append("x", 1))))
        .with_state(state! { x: 5 })
        .with_entrypoint("log")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    assert!(
        matches!(&err, Error::State(StateError::NotAList { key, .. }) if key == "x"),
        "{err:?}"
    );
    assert_eq!(app.state().get::<i64>("x").unwrap(), 5);
}
