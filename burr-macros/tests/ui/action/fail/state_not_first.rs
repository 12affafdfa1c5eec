use burr::prelude::*;

#[action(reads = [], writes = [count])]
fn increment(by: i64, state: State) -> State {
    state.update("count", by)
}

fn main() {}
