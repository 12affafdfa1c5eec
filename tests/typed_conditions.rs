//! Conditions over the typed state (`Condition::typed`), beside `expr` and `when`, which
//! keep reading the map form.

use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedState)]
struct Counter {
    count: i64,
    mode: String,
}

#[action(state = Counter, reads = [count], writes = [count])]
fn increment(c: Reads) -> Writes {
    Writes { count: c.count + 1 }
}

#[action(state = Counter, reads = [], writes = [mode])]
fn finish() -> Writes {
    Writes {
        mode: "done".into(),
    }
}

#[action(state = Counter, reads = [], writes = [])]
fn stop() -> Writes {
    Writes {}
}

#[test]
fn typed_conditions_route_beside_expr_and_when() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment, finish, stop])
        .with_transitions([
            (
                "increment",
                "increment",
                Condition::typed("count < 3", |c: &Counter| c.count < 3),
            ),
            ("increment", "finish", expr("count >= 3")?),
            ("finish", "stop", when([("mode", "done")])?),
        ])
        .with_typed_state(&Counter {
            count: 0,
            mode: "counting".into(),
        })
        .with_entrypoint("increment")
        .build()?;
    let out = app.run(halt_after(["stop"]), ())?;
    assert_eq!(
        out.typed_state::<Counter>()?,
        Counter {
            count: 3,
            mode: "done".into()
        }
    );
    let graph = app.graph();
    assert!(
        graph.transitions.iter().any(|t| t.condition == "count < 3"),
        "{:?}",
        graph.transitions
    );
    Ok(())
}

#[test]
fn a_state_that_does_not_convert_fails_the_condition_naming_the_field() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![increment])
        .with_transitions([(
            "increment",
            "increment",
            Condition::typed("small", |c: &Counter| c.count < 3),
        )])
        .with_typed_state(&Counter {
            count: 0,
            mode: "x".into(),
        })
        .with_state(state! { mode: 7 })
        .with_entrypoint("increment")
        .build()?;
    app.step()?;
    let err = app.step().unwrap_err().to_string();
    assert!(err.contains("field `mode` of `Counter`"), "{err}");
    Ok(())
}
