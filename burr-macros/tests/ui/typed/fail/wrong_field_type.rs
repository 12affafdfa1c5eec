use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    history: Vec<String>,
    response: String,
}

#[action(state = Chat, reads = [history], writes = [response])]
fn respond(chat: Reads) -> Writes {
    let first: String = chat.history;
    Writes { response: first }
}

fn main() {}
