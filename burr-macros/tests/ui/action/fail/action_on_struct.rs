use burr::prelude::*;

#[action(reads = [count], writes = [count])]
struct Increment {
    by: i64,
}

fn main() {}
