use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    response: String,
}

#[action(state = Chat, reads = [prompt], writes = [response])]
fn respond<T: Default>(chat: Reads) -> Writes {
    let _ = T::default();
    Writes { response: chat.prompt }
}

fn main() {}
