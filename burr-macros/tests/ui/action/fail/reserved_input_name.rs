use burr::prelude::*;

#[action(reads = [], writes = [n])]
fn set(state: State, __value: i64) -> State {
    state.update("n", __value)
}

fn main() {}
