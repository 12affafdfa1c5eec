use burr::prelude::*;

#[action(reads = [], writes = [point])]
fn place(state: State, (x, y): (i64, i64)) -> State {
    state.update("point", x + y)
}

fn main() {}
