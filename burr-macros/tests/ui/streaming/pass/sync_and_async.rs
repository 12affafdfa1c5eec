use burr::prelude::*;
use burr::stream::{AsyncEmitter, Emitter};

#[streaming_action(reads = [a], writes = [b])]
fn sync_one(state: State, emit: &Emitter) -> Result<State, ActionError> {
    emit.item(serde_json::json!({ "x": 1 }))?;
    let a: i64 = state.get("a")?;
    Ok(state.update("b", a))
}

#[streaming_action(reads = [], writes = [b])]
async fn async_one(state: State, n: i64, emit: &AsyncEmitter) -> Result<State, ActionError> {
    emit.item(serde_json::json!({ "n": n })).await?;
    Ok(state.update("b", n))
}

fn main() {
    let _ = actions![sync_one, async_one];
}
