use burr::prelude::*;

#[action(reads = [count, 42], writes = [count])]
fn increment(state: State) -> State {
    state.update("count", 1)
}

fn main() {}
