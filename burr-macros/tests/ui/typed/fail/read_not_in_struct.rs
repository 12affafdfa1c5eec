use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    history: Vec<String>,
    response: String,
}

#[action(state = Chat, reads = [promt], writes = [response])]
fn respond(chat: Reads) -> Writes {
    let _ = chat;
    Writes { response: String::new() }
}

fn main() {}
