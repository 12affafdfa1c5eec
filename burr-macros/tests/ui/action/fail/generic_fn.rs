use burr::prelude::*;

#[action(reads = [], writes = [value])]
fn store<T: serde::de::DeserializeOwned + serde::Serialize>(state: State, value: T) -> State {
    state.try_update("value", &value).unwrap()
}

fn main() {}
