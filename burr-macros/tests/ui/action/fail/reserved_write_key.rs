use burr::prelude::*;

#[action(reads = [count], writes = [count, "__SEQUENCE_ID"])]
fn increment(state: State) -> State {
    state.update("count", 1)
}

fn main() {}
