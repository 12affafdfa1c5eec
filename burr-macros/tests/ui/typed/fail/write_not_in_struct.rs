use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    history: Vec<String>,
    response: String,
}

#[action(state = Chat, reads = [prompt], writes = [answer])]
fn respond(chat: Reads) -> Writes {
    Writes { answer: chat.prompt }
}

fn main() {}
