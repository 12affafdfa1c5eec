use burr::prelude::*;
use burr::stream::Emitter;

#[streaming_action(reads = [], writes = [])]
fn by_value(state: State, emit: Emitter) -> State {
    let _ = emit;
    state
}

fn main() {}
