use burr::prelude::*;

#[derive(serde::Serialize)]
struct Answer {
    text: String,
}

#[action(reads = [question], writes = [answer])]
fn answer(state: State) -> (Answer, State) {
    let question: String = state.get("question").unwrap_or_default();
    let text = format!("you asked: {question}");
    let next = state.update("answer", text.clone());
    (Answer { text }, next)
}

#[action(reads = [], writes = [])]
fn raw(state: State) -> (ResultMap, State) {
    (ResultMap::new(), state)
}

fn main() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![answer, raw])
        .with_state(state! { question: "why" })
        .with_entrypoint("answer")
        .build()
        .unwrap();
    let step = app.step().unwrap().unwrap();
    assert_eq!(step.result["text"], "you asked: why");
}
