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
struct State;
struct Inputs;
struct ActionContext;
struct ActionError;
struct TypedStateError;
struct Some;
struct Ok;
struct Err;
trait Action {}
trait TypedState {}
trait Field {}
trait Default {}
macro_rules! vec {
    () => {
        compile_error!("the caller's `vec!` was used")
    };
}

#[derive(serde::Serialize, serde::Deserialize, burr::TypedState)]
struct Counter {
    #[burr(add)]
    #[serde(default)]
    count: i64,
    #[burr(append)]
    log: ::std::vec::Vec<i64>,
    #[burr(merge)]
    seen: ::std::collections::BTreeMap<::std::string::String, i64>,
}

#[burr::action(state = Counter, reads = [count], writes = [count, log])]
fn increment(c: Reads, by: ::core::option::Option<i64>) -> Writes {
    Writes { count: by.unwrap_or(1), log: ::std::vec![c.count] }
}

fn main() {}
