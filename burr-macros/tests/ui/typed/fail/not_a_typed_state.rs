use burr::prelude::*;

struct Plain {
    prompt: String,
}

#[action(state = Plain, reads = [prompt], writes = [])]
fn respond(chat: Reads) -> Writes {
    let _ = chat;
    Writes {}
}

fn main() {
    let _ = Plain { prompt: String::new() }.prompt;
}
