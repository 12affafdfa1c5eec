use burr::prelude::*;

struct Counter;

impl Counter {
    #[action(reads = [count], writes = [count])]
    fn increment(&self, state: State) -> State {
        state
    }
}

fn main() {}
