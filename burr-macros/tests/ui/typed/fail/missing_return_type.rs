use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    response: String,
}

#[action(state = Chat, reads = [prompt], writes = [response])]
fn respond(chat: Reads) {
    let _ = chat.prompt;
}

fn main() {}
