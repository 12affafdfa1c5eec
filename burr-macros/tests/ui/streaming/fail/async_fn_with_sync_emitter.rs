use burr::prelude::*;
use burr::stream::Emitter;

#[streaming_action(reads = [], writes = [])]
async fn wrong(state: State, emit: &Emitter) -> State {
    let _ = emit;
    state
}

fn main() {}
