use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    history: Vec<String>,
    response: String,
}

#[action(state = Chat, reads = [prompt], writes = [response, history])]
fn respond(chat: Reads) -> Writes {
    Writes { response: chat.prompt }
}

fn main() {}
