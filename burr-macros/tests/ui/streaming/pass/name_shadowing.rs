use burr::stream::Emitter;

#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
type Result = ();
#[allow(dead_code)]
struct Inputs;

#[burr::streaming_action(reads = [], writes = [])]
fn quiet(state: burr::State, emit: &Emitter) -> burr::State {
    let _ = emit.item(serde_json::json!({}));
    state
}

fn main() {
    let _ = quiet {};
}
