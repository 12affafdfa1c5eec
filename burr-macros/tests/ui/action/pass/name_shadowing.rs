//! Names at the call site that shadow what generated code could use must not matter.
#![allow(dead_code, non_camel_case_types)]

mod core {}
mod std {}
mod serde_json {}
type Result = ();
type Option = ();
type Vec = ();
type String = ();
type Box = ();
type Arc = ();
struct State;
struct Inputs;
struct ActionContext;
struct ActionError;
struct Some;
struct Ok;
struct Err;
trait Action {}
trait Future {}
trait Send {}
trait Into {}
trait Clone {}
trait IntoIterator {}
trait IntoStepOutput {}
macro_rules! vec {
    () => {
        compile_error!("the caller's `vec!` was used")
    };
}
macro_rules! concat {
    () => {};
}

#[burr::action(reads = [count], writes = [count])]
fn increment(
    state: burr::State,
    by: ::core::option::Option<i64>,
    tracer: &burr::Tracer,
) -> ::core::result::Result<burr::State, burr::ActionError> {
    let _ = tracer;
    let count: i64 = state.get("count")?;
    ::core::result::Result::Ok(state.update("count", count + by.unwrap_or(1)))
}

#[burr::action(reads = [], writes = [])]
async fn wait(state: burr::State) -> burr::State {
    state
}

#[burr::trace]
fn traced(x: i64, label: &str) -> i64 {
    let _ = label;
    x
}

#[burr::trace]
async fn traced_async(x: i64) -> i64 {
    x
}

fn main() {
    let mut app = burr::ApplicationBuilder::new()
        .with_actions(burr::actions![increment, wait])
        .with_state(burr::state! { count: 0 })
        .with_entrypoint("increment")
        .build()
        .unwrap();
    app.step().unwrap();
    let _ = increment::bind([("by", 2)]);
    let _ = increment::action();
    let _ = traced(1, "a");
    let _ = traced_async(1);
}
