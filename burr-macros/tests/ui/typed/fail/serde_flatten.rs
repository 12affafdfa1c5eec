use burr::TypedState;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Extra {
    a: u8,
}

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    #[serde(flatten)]
    extra: Extra,
}

fn main() {}
