use burr::prelude::*;

#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, ActionError> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1).append("history", count))
}

fn main() {}
