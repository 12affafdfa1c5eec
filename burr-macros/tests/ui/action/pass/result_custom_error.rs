use burr::prelude::*;

#[derive(Debug)]
enum LlmError {
    Timeout,
}

impl std::fmt::Display for LlmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for LlmError {}

#[action(reads = [], writes = [reply])]
fn call(state: State, fail: bool) -> Result<State, LlmError> {
    if fail {
        return Err(LlmError::Timeout);
    }
    Ok(state.update("reply", "ok"))
}

#[action(reads = [], writes = [reply])]
fn boxed(state: State) -> Result<(ResultMap, State), Box<dyn std::error::Error + Send + Sync>> {
    let n: i64 = "12".parse()?;
    Ok((ResultMap::new(), state.update("reply", n)))
}

fn main() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![call, boxed])
        .with_entrypoint("call")
        .build()
        .unwrap();
    let err = app.step_with(&inputs! { fail: true }).unwrap_err();
    assert!(matches!(err, Error::ActionFailed { .. }));
}
