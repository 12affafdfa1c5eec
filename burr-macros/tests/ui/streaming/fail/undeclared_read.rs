use burr::prelude::*;
use burr::stream::Emitter;

#[streaming_action(reads = [a], writes = [])]
fn sneaky(state: State, emit: &Emitter) -> Result<State, ActionError> {
    let _ = emit;
    let _b: i64 = state.get("b")?;
    Ok(state)
}

fn main() {}
