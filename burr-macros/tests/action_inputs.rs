//! Runtime inputs of generated actions: declared from the parameters, deserialized into the
//! parameter types, injected tracer and context, and `bind`.

use std::sync::{Arc, Mutex};

use burr::InputSpec;
use burr::hooks::{LifecycleHook, SpanEvent};
use burr::prelude::*;
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

#[action(reads = [], writes = [seen])]
fn take_inputs(
    state: State,
    count: u8,
    label: String,
    point: Point,
    scale: Option<f64>,
    tags: Option<Vec<String>>,
) -> State {
    let seen = format!(
        "{count} {label} ({}, {}) {scale:?} {tags:?}",
        point.x, point.y
    );
    state.update("seen", seen)
}

fn app_for(action: impl burr::IntoAction) -> Application {
    ApplicationBuilder::new()
        .with_action("act", action)
        .with_entrypoint("act")
        .build()
        .unwrap()
}

#[test]
fn inputs_are_declared_from_parameters() {
    assert_eq!(
        take_inputs {}.inputs(),
        [
            InputSpec::required("count"),
            InputSpec::required("label"),
            InputSpec::required("point"),
            InputSpec::optional("scale"),
            InputSpec::optional("tags"),
        ]
    );
}

#[test]
fn inputs_reach_the_action_with_their_types() {
    let mut app = app_for(take_inputs {});
    let inputs = inputs! { count: 3, label: "hi", point: {"x": 1, "y": -2}, scale: 0.5 };
    app.step_with(&inputs).unwrap();
    assert_eq!(
        app.state().get::<String>("seen").unwrap(),
        "3 hi (1, -2) Some(0.5) None"
    );
}

#[test]
fn wrong_type_names_the_input() {
    let mut app = app_for(take_inputs {});
    let inputs = inputs! { count: 300, label: "hi", point: {"x": 1, "y": 2} };
    match app.step_with(&inputs).unwrap_err() {
        Error::InvalidInput {
            action,
            input,
            expected,
            ..
        } => {
            assert_eq!((action.as_str(), input.as_str()), ("act", "count"));
            assert_eq!(expected, "u8");
        }
        other => panic!("expected an invalid input, got {other:?}"),
    }
    let inputs = inputs! { count: 1, label: "hi", point: {"x": 1} };
    let err = app.step_with(&inputs).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { input, .. } if input == "point"),
        "{err:?}"
    );
    let inputs = inputs! { count: 1, label: "hi", point: {"x": 1, "y": 1}, tags: "one" };
    let err = app.step_with(&inputs).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { input, .. } if input == "tags"),
        "{err:?}"
    );
}

#[test]
fn missing_required_input() {
    let mut app = app_for(take_inputs {});
    match app.step_with(&inputs! { count: 1 }).unwrap_err() {
        Error::MissingInputs {
            action, missing, ..
        } => {
            assert_eq!(action, "act");
            assert_eq!(missing, ["label", "point"]);
        }
        other => panic!("expected missing inputs, got {other:?}"),
    }
}

#[action(reads = [], writes = [total])]
fn add(state: State, x: i64, y: i64) -> State {
    state.update("total", x + y)
}

#[test]
fn bind_removes_inputs_and_binds_are_independent() {
    let base = add::bind([("x", 100)]);
    assert_eq!(base.inputs(), [InputSpec::required("y")]);
    let ten = base.bind([("y", 10)]);
    let twenty = base.bind([("y", 20)]);
    assert!(ten.inputs().is_empty() && twenty.inputs().is_empty());
    assert_eq!(add {}.inputs().len(), 2, "the action itself is unchanged");

    let mut app = ApplicationBuilder::new()
        .with_actions(actions!["ten" => ten, "twenty" => twenty])
        .with_transition("ten", "twenty", default())
        .with_entrypoint("ten")
        .build()
        .unwrap();
    let first = app.step().unwrap().unwrap();
    assert_eq!(first.state.get::<i64>("total").unwrap(), 110);
    let second = app.step().unwrap().unwrap();
    assert_eq!(second.state.get::<i64>("total").unwrap(), 120);
}

#[derive(Default)]
struct SpanNames(Mutex<Vec<String>>);

impl LifecycleHook for SpanNames {
    fn pre_start_span(&self, e: &SpanEvent<'_>) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {}", e.span.uid, e.span.name));
    }
}

#[action(reads = [], writes = [who])]
fn introspect(state: State, tracer: &Tracer, ctx: &ActionContext, owned: ActionContext) -> State {
    let _span = tracer.span("inside");
    assert_eq!(ctx.sequence_id(), owned.sequence_id());
    let who = format!(
        "{}#{}@{}",
        ctx.action_name(),
        ctx.sequence_id(),
        ctx.app_id()
    );
    state.update("who", who)
}

#[action(reads = [], writes = [n])]
fn owned_tracer(state: State, tracer: Tracer) -> State {
    let _span = tracer.span("owned");
    state.update("n", 1)
}

#[test]
fn tracer_and_context_are_injected_not_inputs() {
    assert!(introspect {}.inputs().is_empty());
    assert!(owned_tracer {}.inputs().is_empty());
    let names = Arc::new(SpanNames::default());
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![introspect, owned_tracer])
        .with_transition("introspect", "owned_tracer", default())
        .with_entrypoint("introspect")
        .with_app_id("app-1")
        .with_hook(names.clone())
        .build()
        .unwrap();
    app.step().unwrap();
    app.step().unwrap();
    assert_eq!(
        app.state().get::<String>("who").unwrap(),
        "introspect#0@app-1"
    );
    assert_eq!(*names.0.lock().unwrap(), ["0:0 inside", "1:0 owned"]);
}
