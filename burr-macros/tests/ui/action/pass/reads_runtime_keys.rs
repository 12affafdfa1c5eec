use burr::prelude::*;

// An action may read the two runtime keys it shares with conditions.
#[action(reads = [__SEQUENCE_ID, __PRIOR_STEP], writes = [seen])]
fn observe(state: State) -> Result<State, ActionError> {
    let seq: u64 = state.get("__SEQUENCE_ID")?;
    let prior: Option<String> = state.get_opt("__PRIOR_STEP")?;
    Ok(state.update("seen", (seq, prior)))
}

fn main() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![observe])
        .with_transition("observe", "observe", default())
        .with_entrypoint("observe")
        .build()
        .unwrap();
    app.step().unwrap();
    app.step().unwrap();
    let seen: (u64, Option<String>) = app.state().get("seen").unwrap();
    assert_eq!(seen, (1, Some("observe".to_string())));
}
