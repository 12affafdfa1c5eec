use burr::prelude::*;

#[action(reads = [count, __custom], writes = [count])]
fn increment(state: State) -> State {
    state.update("count", 1)
}

fn main() {}
