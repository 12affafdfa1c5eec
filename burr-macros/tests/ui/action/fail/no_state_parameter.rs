use burr::prelude::*;

#[action(reads = [], writes = [count])]
fn increment(count: i64) -> State {
    State::new().update("count", count)
}

fn main() {}
