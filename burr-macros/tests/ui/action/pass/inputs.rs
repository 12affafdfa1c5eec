use burr::prelude::*;

#[derive(serde::Deserialize)]
struct Options {
    shout: bool,
}

#[action(reads = [], writes = [greeting])]
fn greet(state: State, name: String, options: Option<Options>, times: Option<u8>) -> State {
    let mut greeting = format!("hello {name}").repeat(usize::from(times.unwrap_or(1)));
    if options.is_some_and(|o| o.shout) {
        greeting = greeting.to_uppercase();
    }
    state.update("greeting", greeting)
}

fn main() {
    assert_eq!(greet {}.inputs().len(), 3);
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![greet])
        .with_entrypoint("greet")
        .build()
        .unwrap();
    app.step_with(&inputs! { name: "ada", options: {"shout": true} }).unwrap();
    assert_eq!(app.state().get::<String>("greeting").unwrap(), "HELLO ADA");
}
