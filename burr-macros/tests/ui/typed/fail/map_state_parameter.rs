use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    prompt: String,
    history: Vec<String>,
    response: String,
}

#[action(state = Chat, reads = [prompt], writes = [response])]
fn respond(state: State) -> State {
    state
}

fn main() {}
