use burr::prelude::*;

#[action(reads = [], writes = [n])]
fn apply(state: State, f: fn(i64) -> i64) -> State {
    state.update("n", f(1))
}

fn main() {}
