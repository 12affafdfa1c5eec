//! The generated `Action` reports its declarations, and the runtime holds the action to them.

use burr::prelude::*;
use burr::{InputSpec, StateError};

#[action(reads = [count], writes = [count], tags = [counter, "hot path"])]
fn increment(state: State) -> Result<State, ActionError> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

#[action(reads = ["count"], writes = [])]
fn done(state: State) -> State {
    state
}

#[test]
fn declarations_are_reported() {
    let a = increment {};
    assert_eq!(a.reads(), ["count"]);
    assert_eq!(a.writes(), ["count"]);
    assert_eq!(a.tags(), ["counter", "hot path"]);
    assert_eq!(a.inputs(), Vec::<InputSpec>::new());
    assert_eq!(a.default_name().as_deref(), Some("increment"));
    assert!(!a.kind().is_async());
    let source = a.source().unwrap();
    assert!(source.starts_with("fn increment(state: State)"), "{source}");
    assert!(
        source.contains("Ok(state.update(\"count\", count + 1))"),
        "{source}"
    );
    assert!(done {}.writes().is_empty());
    // The source is the item as written: doc comments included, the attribute left out.
    let source = dynamic {}.source().unwrap();
    assert!(
        source.starts_with(
            "/// Reads and writes a key chosen at run time, so only the runtime can check it.\n\
             fn dynamic(state: State) -> Result<State, ActionError> {\n    let key"
        ),
        "{source}"
    );
}

#[test]
fn the_function_stays_callable() {
    let s = increment(state! { count: 41 }).unwrap();
    assert_eq!(s.get::<i64>("count").unwrap(), 42);
}

#[test]
fn counts_to_ten() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transition("increment", "increment", expr("count < 10").unwrap())
        .with_transition("increment", "done", default())
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()
        .unwrap();
    let out = app.run(halt_after(["done"]), Inputs::new()).unwrap();
    assert_eq!(out.state.get::<i64>("count").unwrap(), 10);
    assert_eq!(out.action.as_deref(), Some("done"));
}

#[test]
fn actions_are_usable_inside_a_function_body() {
    /// Says hello.
    #[action(reads = [], writes = [greeting])]
    fn greet(state: State) -> State {
        state.update("greeting", "hello")
    }
    assert_eq!(
        greet {}.source().unwrap(),
        "/// Says hello.\n    fn greet(state: State) -> State {\n        state.update(\"greeting\", \"hello\")\n    }"
    );
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![greet])
        .with_entrypoint("greet")
        .build()
        .unwrap();
    app.step().unwrap();
    assert_eq!(app.state().get::<String>("greeting").unwrap(), "hello");
}

/// Reads and writes a key chosen at run time, so only the runtime can check it.
#[action(reads = [key], writes = [key])]
fn dynamic(state: State) -> Result<State, ActionError> {
    let key: String = state.get("key")?;
    let value: Option<i64> = state.get_opt(&key)?;
    let _ = value;
    let read_it: i64 = state.get(&key)?;
    Ok(state.update(&key, read_it))
}

fn run_dynamic(key: &str) -> Error {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![dynamic])
        .with_state(state! { key: key, secret: 7, other: 1 })
        .with_entrypoint("dynamic")
        .build()
        .unwrap();
    let err = app.step().unwrap_err();
    // A failed step leaves the state as it was.
    assert_eq!(app.state().get::<i64>("secret").unwrap(), 7);
    err
}

#[test]
fn undeclared_read_at_run_time() {
    match run_dynamic("secret") {
        Error::State(StateError::UndeclaredRead { action, key, reads }) => {
            assert_eq!((action.as_str(), key.as_str()), ("dynamic", "secret"));
            assert_eq!(reads, ["key"]);
        }
        other => panic!("expected an undeclared read, got {other:?}"),
    }
}

#[action(reads = [key], writes = [key])]
fn write_elsewhere(state: State) -> Result<State, ActionError> {
    let target = format!("{}-copy", state.get::<String>("key")?);
    Ok(state.update("key", "k").update(&target, 1))
}

#[action(reads = [], writes = [a, b])]
fn writes_only_a(state: State) -> State {
    state.update("a", 1)
}

#[test]
fn undeclared_and_missing_writes() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![write_elsewhere])
        .with_state(state! { key: "x" })
        .with_entrypoint("write_elsewhere")
        .build()
        .unwrap();
    match app.step().unwrap_err() {
        Error::UndeclaredWrite {
            action,
            keys,
            writes,
        } => {
            assert_eq!(action, "write_elsewhere");
            assert_eq!(keys, ["x-copy"]);
            assert_eq!(writes, ["key"]);
        }
        other => panic!("expected an undeclared write, got {other:?}"),
    }

    let mut app = ApplicationBuilder::new()
        .with_actions(actions![writes_only_a])
        .with_entrypoint("writes_only_a")
        .build()
        .unwrap();
    match app.step().unwrap_err() {
        Error::MissingWrite { action, keys, .. } => {
            assert_eq!(action, "writes_only_a");
            assert_eq!(keys, ["b"]);
        }
        other => panic!("expected a missing write, got {other:?}"),
    }
}
