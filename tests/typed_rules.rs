//! Update rules declared on typed fields (`append`, `add`, `merge`, `reduce`) apply when an
//! action writes the field, whether or not it reads it.

use std::collections::BTreeMap;

use burr::prelude::*;
use serde::{Deserialize, Serialize};

fn longest(stored: String, written: String) -> String {
    if written.len() > stored.len() {
        written
    } else {
        stored
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedState)]
struct Tally {
    #[burr(append)]
    log: Vec<i64>,
    #[burr(add)]
    total: i64,
    #[burr(add)]
    mean: f64,
    #[burr(merge)]
    seen: BTreeMap<String, u32>,
    #[burr(reduce = longest)]
    longest: String,
    last: i64,
}

/// Writes every field without reading any of them.
#[action(state = Tally, reads = [], writes = [log, total, mean, seen, longest, last])]
fn record(value: i64, word: String) -> Writes {
    Writes {
        log: vec![value],
        total: value,
        mean: 0.5,
        seen: BTreeMap::from([(word.clone(), 1)]),
        longest: word,
        last: value,
    }
}

fn tally() -> Tally {
    Tally {
        log: vec![],
        total: 0,
        mean: 0.0,
        seen: BTreeMap::from([("start".into(), 0)]),
        longest: String::new(),
        last: 0,
    }
}

fn app(initial: &Tally) -> Result<Application, Error> {
    ApplicationBuilder::new()
        .with_actions(actions![record])
        .with_transitions([("record", "record", default())])
        .with_typed_state(initial)
        .with_entrypoint("record")
        .build()
}

#[test]
fn each_field_combines_by_its_rule() -> Result<(), Error> {
    let mut app = app(&tally())?;
    for (value, word) in [(1, "ab"), (2, "abcd"), (3, "abc")] {
        app.step_with(&inputs! { value: value, word: word })?;
    }
    let t: Tally = app.typed_state()?;
    assert_eq!(t.log, [1, 2, 3]);
    assert_eq!(t.total, 6);
    assert_eq!(t.mean, 1.5);
    assert_eq!(
        t.seen,
        BTreeMap::from([
            ("start".into(), 0),
            ("ab".into(), 1),
            ("abcd".into(), 1),
            ("abc".into(), 1)
        ])
    );
    assert_eq!(t.longest, "abcd");
    assert_eq!(t.last, 3, "a field without a rule is replaced");
    Ok(())
}

#[test]
fn a_rule_that_cannot_combine_fails_the_step_naming_the_field() -> Result<(), Error> {
    let mut start = tally();
    start.total = i64::MAX;
    let mut app = app(&start)?;
    let err = app.step_with(&inputs! { value: 1, word: "x" }).unwrap_err();
    assert!(
        matches!(&err, Error::TypedState(e) if e.field() == "total"),
        "{err}"
    );
    assert!(err.to_string().contains("`add` update failed"), "{err}");
    // The step failed: nothing it wrote is kept.
    assert_eq!(app.typed_state::<Tally>()?, start);
    Ok(())
}

#[test]
fn the_initial_state_is_not_combined() -> Result<(), Error> {
    let app = ApplicationBuilder::new()
        .with_actions(actions![record])
        .with_typed_state(&tally())
        .with_typed_state(&Tally {
            total: 5,
            ..tally()
        })
        .with_entrypoint("record")
        .build()?;
    assert_eq!(app.typed_state::<Tally>()?.total, 5);
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedState)]
struct Turns {
    #[burr(add)]
    turns: u8,
}

#[action(state = Turns, reads = [], writes = [turns])]
fn take_turns(n: u8) -> Writes {
    Writes { turns: n }
}

/// A sum beyond the field's own type (not only beyond 64 bits) fails the step.
#[test]
fn an_add_that_does_not_fit_a_narrow_field_fails_the_step() -> Result<(), Error> {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![take_turns])
        .with_transitions([("take_turns", "take_turns", default())])
        .with_typed_state(&Turns { turns: 250 })
        .with_entrypoint("take_turns")
        .build()?;
    app.step_with(&inputs! { n: 5 })?;
    assert_eq!(app.typed_state::<Turns>()?.turns, 255);
    let err = app.step_with(&inputs! { n: 1 }).unwrap_err();
    assert!(
        matches!(&err, Error::TypedState(e) if e.field() == "turns"),
        "{err}"
    );
    assert!(err.to_string().contains("u8"), "{err}");
    assert_eq!(app.typed_state::<Turns>()?.turns, 255);
    Ok(())
}
