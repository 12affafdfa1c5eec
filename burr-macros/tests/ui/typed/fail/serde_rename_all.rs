use burr::TypedState;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
#[serde(rename_all = "camelCase")]
struct Chat {
    chat_history: Vec<String>,
}

fn main() {}
