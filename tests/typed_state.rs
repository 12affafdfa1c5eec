//! `#[derive(TypedState)]`: the map form of a struct is serde's JSON object of it, and
//! converting back names the field that does not deserialize.

use std::collections::{BTreeMap, HashMap};

use burr::TypedStateError;
use burr::prelude::*;
use burr::typed::UpdateRule;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TypedState)]
struct Profile {
    name: String,
    #[serde(rename = "visit count")]
    #[burr(add)]
    visits: u64,
    #[burr(append)]
    tags: Vec<String>,
    #[burr(merge)]
    scores: BTreeMap<String, f64>,
    nickname: Option<String>,
    #[serde(default)]
    level: u8,
    #[serde(default = "default_lang")]
    lang: String,
    r#type: String,
}

fn default_lang() -> String {
    "en".into()
}

fn profile() -> Profile {
    Profile {
        name: "Ada".into(),
        visits: 3,
        tags: vec!["a".into(), "b".into()],
        scores: BTreeMap::from([("math".into(), 9.5)]),
        nickname: None,
        level: 2,
        lang: "fr".into(),
        r#type: "admin".into(),
    }
}

#[test]
fn the_map_form_is_serdes_json_object() -> Result<(), TypedStateError> {
    let p = profile();
    let state = State::from_typed(&p)?;
    assert_eq!(state.to_json(), serde_json::to_value(&p).unwrap());
    assert_eq!(
        state.keys(),
        [
            "name",
            "visit count",
            "tags",
            "scores",
            "nickname",
            "level",
            "lang",
            "type"
        ]
    );
    assert_eq!(state.to_typed::<Profile>()?, p);
    // And back from serde's own JSON, through the map.
    let from_serde = State::from_json(serde_json::to_value(&p).unwrap()).unwrap();
    assert_eq!(from_serde.to_typed::<Profile>()?, p);
    Ok(())
}

#[test]
fn fields_describe_names_keys_and_rules() {
    let fields: Vec<_> = Profile::FIELDS
        .iter()
        .map(|f| (f.name, f.key, f.rule))
        .collect();
    assert_eq!(fields[0], ("name", "name", UpdateRule::Replace));
    assert_eq!(fields[1], ("visits", "visit count", UpdateRule::Add));
    assert_eq!(fields[2], ("tags", "tags", UpdateRule::Append));
    assert_eq!(fields[3], ("scores", "scores", UpdateRule::Merge));
    assert_eq!(fields[7], ("type", "type", UpdateRule::Replace));
    assert_eq!(Profile::NAME, "Profile");
}

#[test]
fn missing_fields_are_none_or_default_or_an_error_naming_them() {
    let state = State::from_json(json!({
        "name": "Ada", "visit count": 1, "tags": [], "scores": {}, "type": "user",
        "__SEQUENCE_ID": 4, "unrelated": true
    }))
    .unwrap();
    let p: Profile = state.to_typed().unwrap();
    assert_eq!(p.nickname, None);
    assert_eq!(p.level, 0);
    assert_eq!(p.lang, "en");

    let err = state
        .wipe_delete(["tags"])
        .to_typed::<Profile>()
        .unwrap_err();
    assert_eq!(
        err,
        TypedStateError::MissingField {
            state: "Profile",
            field: "tags",
            key: "tags"
        }
    );
    assert_eq!(
        err.to_string(),
        "field `tags` of `Profile` is missing: the state has no key `tags`"
    );
}

#[test]
fn a_field_that_does_not_deserialize_is_named() {
    let state = State::from_typed(&profile())
        .unwrap()
        .update("visit count", "many");
    let err = state.to_typed::<Profile>().unwrap_err();
    assert_eq!(err.field(), "visits");
    let text = err.to_string();
    assert!(
        text.contains("field `visits` of `Profile`")
            && text.contains("key `visit count` holds a string"),
        "{text}"
    );
}

#[derive(Debug, Serialize, Deserialize, TypedState)]
struct Grid {
    cells: HashMap<(u8, u8), u8>,
}

#[test]
fn a_field_that_does_not_serialize_is_named_and_refused_by_the_builder() {
    let grid = Grid {
        cells: HashMap::from([((1, 2), 3)]),
    };
    let err = State::from_typed(&grid).unwrap_err();
    assert!(
        matches!(
            &err,
            TypedStateError::Serialize {
                state: "Grid",
                field: "cells",
                ..
            }
        ),
        "{err}"
    );
    let noop = FnAction::new(None::<&str>, None::<&str>, |s, _, _| s);
    let built = ApplicationBuilder::new()
        .with_action("noop", noop)
        .with_typed_state(&grid)
        .with_entrypoint("noop")
        .build();
    let err = built.unwrap_err().to_string();
    assert!(err.contains("`cells`"), "{err}");
}

#[test]
fn applications_and_outcomes_give_the_typed_state_back() -> Result<(), Error> {
    let bump = FnAction::new(["visit count"], ["visit count"], |s, _, _| {
        s.increment("visit count", 1)
    });
    let mut app = ApplicationBuilder::new()
        .with_action("bump", bump)
        .with_transitions([("bump", "bump", default())])
        .with_typed_state(&profile())
        .with_entrypoint("bump")
        .build()?;
    assert_eq!(app.typed_state::<Profile>()?, profile());
    let step = app.step()?.unwrap();
    assert_eq!(step.typed_state::<Profile>()?.visits, 4);
    let out = app.run(halt_after(["bump"]), ())?;
    assert_eq!(out.typed_state::<Profile>()?.visits, 5);
    // The typed error converts into the engine's error.
    let e: Error = TypedStateError::Serialize {
        state: "S",
        field: "f",
        message: "m".into(),
    }
    .into();
    assert!(matches!(e, Error::TypedState(_)));
    Ok(())
}

#[test]
fn a_field_that_does_not_serialize_is_refused_after_other_state_too() {
    let grid = Grid {
        cells: HashMap::from([((1, 2), 3)]),
    };
    let noop = FnAction::new(None::<&str>, None::<&str>, |s, _, _| s);
    let built = ApplicationBuilder::new()
        .with_action("noop", noop)
        .with_state(state! { x: 1 })
        .with_typed_state(&grid)
        .with_entrypoint("noop")
        .build();
    let err = built.unwrap_err().to_string();
    assert!(err.contains("`cells`"), "{err}");
}

#[derive(Debug, PartialEq, Serialize, Deserialize, TypedState)]
#[serde(rename_all = "camelCase")]
#[allow(non_snake_case)]
struct Camel {
    _id: u32,
    URL: String,
    user_name: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, TypedState)]
#[serde(rename_all = "PascalCase")]
struct Pascal {
    _id: u32,
    user_name: String,
}

/// The keys `rename_all` gives are serde's own, leading underscores and capitals included.
#[test]
fn rename_all_keys_are_serdes() -> Result<(), TypedStateError> {
    let camel = Camel {
        _id: 1,
        URL: "u".into(),
        user_name: "n".into(),
    };
    let state = State::from_typed(&camel)?;
    assert_eq!(state.to_json(), serde_json::to_value(&camel).unwrap());
    assert_eq!(state.to_typed::<Camel>()?, camel);
    let pascal = Pascal {
        _id: 2,
        user_name: "n".into(),
    };
    let state = State::from_typed(&pascal)?;
    assert_eq!(state.to_json(), serde_json::to_value(&pascal).unwrap());
    Ok(())
}
