//! Deleting keys inside an action: deleting is writing (declared in `writes`, and it counts as
//! the declared write), `wipe_keep` deletes only what the action can see, and errors say
//! "deleted" for keys that were deleted.

use burr_core::*;
use serde_json::json;

fn app_with(
    reads: &[&'static str],
    writes: &[&'static str],
    body: fn(State) -> State,
) -> Application {
    ApplicationBuilder::new()
        .with_action(
            "act",
            FnAction::new(
                reads.iter().copied(),
                writes.iter().copied(),
                move |s, _, _| Ok::<_, ActionError>(body(s)),
            ),
        )
        .with_state(
            State::new()
                .update("a", 1)
                .update("b", 2)
                .update("hidden", 3),
        )
        .with_entrypoint("act")
        .build()
        .unwrap()
}

#[test]
fn deleting_a_declared_write_counts_as_writing_it() {
    let mut app = app_with(&[], &["a"], |s| s.wipe_delete(["a"]));
    app.step().unwrap();
    assert_eq!(app.state().user_keys(), ["b", "hidden"]);
}

#[test]
fn deleting_an_undeclared_key_is_an_undeclared_delete() {
    let mut app = app_with(&["a"], &["b"], |s| s.update("b", 0).wipe_delete(["a"]));
    let err = app.step().unwrap_err();
    assert!(
        matches!(&err, Error::UndeclaredDelete { action, keys, .. } if action == "act" && keys == &["a"]),
        "{err:?}"
    );
    assert!(err.to_string().contains("deleted [\"a\"]"), "{err}");
    assert_eq!(app.state().get_value("a"), Some(json!(1)));
}

#[test]
fn a_key_written_and_one_deleted_undeclared_report_the_write_first() {
    let mut app = app_with(&["a"], &[], |s| s.update("z", 0).wipe_delete(["a"]));
    assert!(matches!(
        app.step().unwrap_err(),
        Error::UndeclaredWrite { keys, .. } if keys == ["z"]
    ));
}

#[test]
fn wipe_keep_deletes_only_the_keys_the_action_can_see() {
    let mut app = app_with(&["a", "b"], &["b"], |s| s.wipe_keep(["a"]));
    app.step().unwrap();
    assert_eq!(
        app.state().to_json(),
        json!({"a": 1, "hidden": 3, "__SEQUENCE_ID": 0, "__PRIOR_STEP": "act"})
    );
}

#[test]
fn keeping_a_declared_write_is_not_writing_it() {
    let mut app = app_with(&["a", "b"], &["a", "b"], |s| s.wipe_keep(["a"]));
    let err = app.step().unwrap_err();
    assert!(
        matches!(&err, Error::MissingWrite { keys, .. } if keys == &["a"]),
        "{err:?}"
    );
}

#[test]
fn wipe_keep_of_a_visible_undeclared_key_is_an_undeclared_delete() {
    let mut app = app_with(&["a", "b"], &["b"], |s| s.update("b", 5).wipe_keep(["b"]));
    assert!(matches!(
        app.step().unwrap_err(),
        Error::UndeclaredDelete { keys, .. } if keys == ["a"]
    ));
}

#[test]
fn an_action_returning_its_own_state_without_a_declared_write_deleted_it() {
    // A state built from scratch: the reads it lacks were deleted.
    let mut app = app_with(&["a"], &["a"], |_| State::new());
    app.step().unwrap();
    assert!(!app.state().contains("a"));
    let mut app = app_with(&["a", "b"], &["a"], |_| State::new());
    assert!(matches!(
        app.step().unwrap_err(),
        Error::UndeclaredDelete { keys, .. } if keys == ["b"]
    ));
}
