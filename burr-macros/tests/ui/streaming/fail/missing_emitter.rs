use burr::prelude::*;

#[streaming_action(reads = [], writes = [])]
fn no_emitter(state: State) -> State {
    state
}

fn main() {}
