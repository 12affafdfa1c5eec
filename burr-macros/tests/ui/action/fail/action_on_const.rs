use burr::prelude::*;

#[action(reads = [], writes = [])]
const LIMIT: i64 = 10;

fn main() {}
