use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    response: String,
}

struct Bot;

impl Bot {
    #[action(state = Chat, reads = [prompt], writes = [response])]
    fn respond(&self, chat: Reads) -> Writes {
        Writes { response: chat.prompt }
    }
}

fn main() {}
