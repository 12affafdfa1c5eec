use burr::prelude::*;

#[action(reads = [], writes = [who])]
fn who(state: State, tracer: &Tracer, ctx: &ActionContext, prefix: Option<String>) -> State {
    let _span = tracer.span("naming");
    let who = format!("{}{}", prefix.unwrap_or_default(), ctx.action_name());
    state.update("who", who)
}

#[action(reads = [], writes = [n])]
fn owned(state: State, ctx: ActionContext, tracer: Tracer) -> State {
    tracer.log_attribute("seq", ctx.sequence_id());
    state.update("n", ctx.sequence_id())
}

fn main() {
    assert_eq!(who {}.inputs().len(), 1);
    assert!(owned {}.inputs().is_empty());
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![who, owned])
        .with_transition("who", "owned", default())
        .with_entrypoint("who")
        .build()
        .unwrap();
    app.step().unwrap();
    assert_eq!(app.state().get::<String>("who").unwrap(), "who");
}
