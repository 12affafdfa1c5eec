use burr::prelude::*;

// A mistake inside the body is rustc's ordinary error, at the mistake.
#[action(reads = [count], writes = [count])]
fn increment(state: State) -> State {
    state.updat("count", 1)
}

fn main() {}
