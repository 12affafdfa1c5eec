use burr::prelude::*;

#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, ActionError> {
    let count: i64 = state.get("cuont")?;
    Ok(state.update("count", count + 1))
}

fn main() {}
