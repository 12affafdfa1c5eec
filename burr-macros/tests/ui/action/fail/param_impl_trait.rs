use burr::prelude::*;

#[action(reads = [], writes = [greeting])]
fn greet(state: State, name: impl Into<String>) -> State {
    state.update("greeting", name.into())
}

fn main() {}
