fn main() {
    use burr::prelude::*;

    #[action(reads = [], writes = [done])]
    fn finish(state: State) -> State {
        state.update("done", true)
    }

    let mut app = ApplicationBuilder::new()
        .with_actions(actions![finish])
        .with_entrypoint("finish")
        .build()
        .unwrap();
    app.step().unwrap();
    assert!(app.state().get::<bool>("done").unwrap());
}
