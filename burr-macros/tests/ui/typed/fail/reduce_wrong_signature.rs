use burr::TypedState;
use serde::{Deserialize, Serialize};

fn longest(a: String, b: String) -> String {
    if b.len() > a.len() { b } else { a }
}

#[derive(Serialize, Deserialize, TypedState)]
struct Best {
    #[burr(reduce = longest)]
    score: i64,
}

fn main() {}
