use std::sync::{Arc, Mutex};

use burr::prelude::*;
use burr::hooks::{LifecycleHook, SpanEvent};

#[derive(Default)]
struct Spans(Mutex<Vec<String>>);

impl LifecycleHook for Spans {
    fn pre_start_span(&self, e: &SpanEvent<'_>) {
        self.0.lock().unwrap().push(format!("{} {}", e.span.uid, e.span.name));
    }
}

#[action(reads = [n], writes = [n])]
#[trace]
fn first(state: State) -> Result<State, ActionError> {
    let n: i64 = state.get("n")?;
    Ok(state.update("n", n + 1))
}

#[trace(span_name = "second-span", capture_inputs = false)]
#[action(reads = [n], writes = [n])]
fn second(state: State) -> Result<State, ActionError> {
    let n: i64 = state.get("n")?;
    Ok(state.update("n", n * 10))
}

fn main() {
    let spans = Arc::new(Spans::default());
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![first, second])
        .with_transition("first", "second", default())
        .with_state(state! { n: 1 })
        .with_entrypoint("first")
        .with_hook(spans.clone())
        .build()
        .unwrap();
    app.run(halt_after(["second"]), Inputs::new()).unwrap();
    assert_eq!(app.state().get::<i64>("n").unwrap(), 20);
    assert_eq!(*spans.0.lock().unwrap(), ["0:0 first", "1:0 second-span"]);
}
