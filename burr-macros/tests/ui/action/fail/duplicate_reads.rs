use burr::prelude::*;

#[action(reads = [count], writes = [count], reads = [total])]
fn increment(state: State) -> State {
    state.update("count", 1)
}

fn main() {}
