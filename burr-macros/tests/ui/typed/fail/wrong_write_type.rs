use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Counter {
    count: i64,
}

#[action(state = Counter, reads = [count], writes = [count])]
fn increment(c: Reads) -> Writes {
    Writes { count: c.count.to_string() }
}

fn main() {}
