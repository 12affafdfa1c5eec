use burr::prelude::*;

#[action(reads = [""], writes = [])]
fn noop(state: State) -> State {
    state
}

fn main() {}
