use burr::prelude::*;

#[action(reads = [], writes = [greeting])]
fn greet(state: State, name: &str) -> State {
    state.update("greeting", format!("hello {name}"))
}

fn main() {}
