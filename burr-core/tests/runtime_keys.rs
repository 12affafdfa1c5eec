//! The runtime owns `__SEQUENCE_ID`, `__PRIOR_STEP` and every other `__` key: actions cannot
//! declare or change them, a state never holds them twice, and a step that does not run
//! spends no sequence id.

use burr_core::*;
use serde_json::json;

fn action(reads: &[&'static str], writes: &[&'static str], body: fn(State) -> State) -> FnAction {
    FnAction::new(
        reads.iter().copied(),
        writes.iter().copied(),
        move |s, _, _| Ok::<_, ActionError>(body(s)),
    )
}

fn problems(result: Result<Application, Error>) -> Vec<BuildProblem> {
    match result {
        Err(Error::Build { problems }) => problems,
        other => panic!("expected a build error, got {other:?}"),
    }
}

#[test]
fn an_action_cannot_declare_a_runtime_key_in_its_writes() {
    let found = problems(
        ApplicationBuilder::new()
            .with_action("a", action(&[], &["x", "__SEQUENCE_ID"], |s| s))
            .with_action("b", action(&["__custom"], &["__custom"], |s| s))
            .with_entrypoint("a")
            .build(),
    );
    let reserved: Vec<(String, String, &str)> = found
        .iter()
        .filter_map(|p| match p {
            BuildProblem::ReservedKey {
                action,
                key,
                declared,
            } => Some((action.clone(), key.clone(), *declared)),
            _ => None,
        })
        .collect();
    assert_eq!(
        reserved,
        [
            ("a".into(), "__SEQUENCE_ID".into(), "writes"),
            ("b".into(), "__custom".into(), "reads"),
            ("b".into(), "__custom".into(), "writes"),
        ]
    );
    let message = found[0].to_string();
    assert!(message.contains("belong to the runtime"), "{message}");
}

#[test]
fn an_action_may_read_the_two_runtime_keys() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "a",
            action(&["__SEQUENCE_ID", "__PRIOR_STEP"], &["seen"], |s| {
                let seq: u64 = s.get("__SEQUENCE_ID").unwrap();
                let prior: Option<String> = s.get_opt("__PRIOR_STEP").unwrap();
                s.update("seen", json!([seq, prior]))
            }),
        )
        .with_transition("a", "a", default())
        .with_entrypoint("a")
        .build()
        .unwrap();
    app.step().unwrap();
    app.step().unwrap();
    assert_eq!(app.state().get_value("seen").unwrap(), json!([1, "a"]));
}

#[test]
fn an_action_writing_the_sequence_id_through_a_variable_key_fails_the_step() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "a",
            action(&[], &["x"], |s| {
                let k = String::from("__SEQUENCE_ID");
                s.update("x", 1).update(&k, 99)
            }),
        )
        .with_entrypoint("a")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    assert!(
        matches!(&err, Error::UndeclaredWrite { keys, .. } if keys == &["__SEQUENCE_ID"]),
        "{err}"
    );
    assert_eq!(app.sequence_id(), Some(0));
}

#[test]
fn an_action_writing_a_custom_dunder_key_fails_the_step_and_stores_nothing() {
    let mut app = ApplicationBuilder::new()
        .with_action(
            "a",
            action(&[], &["x"], |s| s.update("x", 1).update("__custom", 1)),
        )
        .with_entrypoint("a")
        .build()
        .unwrap();
    assert!(matches!(
        app.step().unwrap_err(),
        Error::UndeclaredWrite { keys, .. } if keys == ["__custom"]
    ));
    assert!(!app.state().contains("__custom"));
}

#[test]
fn whatever_an_action_does_to_the_runtime_fields_the_runtime_sets_them() {
    // Setting the fields directly (not through a key) is not a write, and is overridden.
    let mut app = ApplicationBuilder::new()
        .with_action(
            "a",
            action(&[], &["x"], |s| {
                s.update("x", 1).with_sequence_id(99).without_prior_step()
            }),
        )
        .with_action(
            "b",
            action(&[], &["y"], |_| {
                State::new()
                    .update("y", 2)
                    .with_sequence_id(42)
                    .with_prior_step("zzz")
            }),
        )
        .with_transition("a", "b", default())
        .with_entrypoint("a")
        .build()
        .unwrap();
    app.step().unwrap();
    assert_eq!(app.sequence_id(), Some(0));
    assert_eq!(app.state().prior_step(), Some("a"));
    app.step().unwrap();
    assert_eq!(app.sequence_id(), Some(1));
    assert_eq!(app.state().prior_step(), Some("b"));
    assert_eq!(
        app.state().to_json(),
        json!({"x": 1, "y": 2, "__SEQUENCE_ID": 1, "__PRIOR_STEP": "b"})
    );
}

#[test]
fn a_runtime_key_of_the_wrong_type_is_a_write_error_and_never_a_second_key() {
    let s = State::new()
        .with_sequence_id(3)
        .update("__SEQUENCE_ID", "abc");
    assert_eq!(s.keys(), ["__SEQUENCE_ID"]);
    assert_eq!(s.to_json(), json!({"__SEQUENCE_ID": 3}));
    assert!(matches!(
        s.write_error(),
        Some(StateError::RuntimeKey { key, found: "string", .. }) if key == "__SEQUENCE_ID"
    ));
    let serialized = serde_json::to_string(&s).unwrap();
    assert_eq!(serialized, r#"{"__SEQUENCE_ID":3}"#);

    let s = State::new().with_prior_step("a");
    for bad in [
        s.try_update("__PRIOR_STEP", &5).unwrap_err(),
        s.try_append("__PRIOR_STEP", 5).unwrap_err(),
        s.try_append("__SEQUENCE_ID", 5).unwrap_err(),
        s.extend("__SEQUENCE_ID", [1]).unwrap_err(),
        s.increment("__PRIOR_STEP", 1).unwrap_err(),
    ] {
        assert!(
            matches!(
                bad,
                StateError::RuntimeKey { .. } | StateError::NotAnInteger { .. }
            ),
            "{bad}"
        );
    }
    assert_eq!(s.keys(), ["__PRIOR_STEP"]);
    assert_eq!(
        State::new()
            .with_sequence_id(4)
            .increment("__SEQUENCE_ID", 1)
            .unwrap()
            .sequence_id(),
        Some(5)
    );
    // `null` clears a runtime key.
    assert_eq!(s.update("__PRIOR_STEP", json!(null)).prior_step(), None);
    assert!(State::from_json(json!({"__SEQUENCE_ID": -1})).is_err());
    assert!(State::from_json(json!({"__PRIOR_STEP": ["a"]})).is_err());
}

#[test]
fn a_builder_refuses_an_initial_state_with_a_bad_runtime_key() {
    let found = problems(
        ApplicationBuilder::new()
            .with_action("a", action(&[], &[], |s| s))
            .with_state(State::new().update("__SEQUENCE_ID", "abc"))
            .with_entrypoint("a")
            .build(),
    );
    assert!(
        matches!(
            &found[..],
            [BuildProblem::InvalidState(StateError::RuntimeKey { .. })]
        ),
        "{found:?}"
    );
}

/// `a → b`, and `b` has no transition out (`c` is never reached).
fn dead_end_app() -> Application {
    ApplicationBuilder::new()
        .with_action("a", action(&[], &[], |s| s))
        .with_action("b", action(&[], &[], |s| s))
        .with_action("c", action(&[], &[], |s| s))
        .with_transition("a", "b", default())
        .with_entrypoint("a")
        .build()
        .unwrap()
}

#[test]
fn a_run_that_stops_at_a_dead_end_spends_no_sequence_id() {
    let mut app = dead_end_app();
    let out = app.run(halt_after(["c"]), ()).unwrap();
    assert_eq!(out.action.as_deref(), Some("b"));
    assert_eq!(app.sequence_id(), Some(1));
    for _ in 0..3 {
        app.run(halt_after(["c"]), ()).unwrap();
        assert!(app.step().unwrap().is_none());
        assert_eq!(app.iterate(halt_after(["c"]), ()).count(), 0);
    }
    assert_eq!(app.sequence_id(), Some(1));
    assert_eq!(app.state().sequence_id(), Some(1));
}

#[test]
fn a_step_refused_for_its_inputs_spends_no_sequence_id() {
    let mut app = ApplicationBuilder::new()
        .with_action("a", Input::new(["x"]))
        .with_entrypoint("a")
        .build()
        .unwrap();
    assert!(app.step().is_err());
    assert!(app.step_with(&inputs! { __x: 1 }).is_err());
    assert_eq!(app.sequence_id(), None);
    let step = app.step_with(&inputs! { x: 1 }).unwrap().unwrap();
    assert_eq!(step.sequence_id, 0);
}
