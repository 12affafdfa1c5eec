use burr::prelude::*;

#[action(reads = [count], write = [count])]
fn increment(state: State) -> State {
    state
}

fn main() {}
