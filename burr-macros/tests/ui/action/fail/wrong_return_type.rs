use burr::prelude::*;

#[action(reads = [count], writes = [])]
fn count(state: State) -> i64 {
    state.get("count").unwrap()
}

fn main() {}
