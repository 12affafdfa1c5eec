//! Behaviour of `#[streaming_action]`: items reach the caller as they are emitted, the final
//! state and result follow, inputs and injected values work, sync and async, lazily.

use std::sync::atomic::{AtomicUsize, Ordering};

use burr::prelude::*;
use burr::stream::{AsyncEmitter, Emitter};
use futures_util::StreamExt;
use serde_json::json;

static PRODUCED: AtomicUsize = AtomicUsize::new(0);

#[streaming_action(reads = [prompt], writes = [reply])]
fn speak(
    state: State,
    emit: &Emitter,
    suffix: Option<String>,
) -> Result<(ResultMap, State), ActionError> {
    let prompt: String = state.get("prompt")?;
    let mut reply = String::new();
    for word in prompt.split(' ') {
        emit.item(json!({ "token": word }))?;
        reply.push_str(word);
    }
    reply.push_str(&suffix.unwrap_or_default());
    let mut result = ResultMap::new();
    result.insert("length".into(), json!(reply.len()));
    Ok((result, state.update("reply", reply)))
}

#[streaming_action(reads = [], writes = [count])]
fn endless(state: State, emit: &Emitter) -> Result<State, ActionError> {
    for i in 0..1000 {
        PRODUCED.fetch_add(1, Ordering::SeqCst);
        emit.item(json!({ "i": i }))?;
    }
    Ok(state.update("count", 1000))
}

#[streaming_action(reads = [prompt], writes = [reply])]
async fn aspeak(
    state: State,
    ctx: &ActionContext,
    emit: AsyncEmitter,
) -> Result<State, ActionError> {
    let prompt: String = state.get("prompt")?;
    for word in prompt.split(' ') {
        emit.item(json!({ "token": word, "seq": ctx.sequence_id() }))
            .await?;
    }
    Ok(state.update("reply", prompt.to_uppercase()))
}

fn tokens(items: &[ResultMap]) -> Vec<&str> {
    items.iter().map(|i| i["token"].as_str().unwrap()).collect()
}

#[test]
fn sync_streaming_action_streams_then_updates() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![speak])
        .with_state(state! { prompt: "a b c" })
        .with_entrypoint("speak")
        .build()
        .unwrap();
    assert!(app.graph().action("speak").unwrap().is_streaming);
    let (action, mut stream) = app
        .stream_result(halt_after(["speak"]), inputs! { suffix: "!" })
        .unwrap();
    assert_eq!(action, "speak");
    let items: Vec<ResultMap> = stream.by_ref().collect();
    assert_eq!(tokens(&items), ["a", "b", "c"]);
    let (result, state) = stream.finish().unwrap();
    assert_eq!(result.unwrap()["length"], 4);
    assert_eq!(state.get::<String>("reply").unwrap(), "abc!");
}

#[test]
fn run_drains_a_streaming_action() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![speak])
        .with_state(state! { prompt: "x y" })
        .with_entrypoint("speak")
        .build()
        .unwrap();
    let out = app.run(halt_after(["speak"]), ()).unwrap();
    assert_eq!(out.state.get::<String>("reply").unwrap(), "xy");
}

#[test]
fn dropping_the_stream_stops_the_function() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![endless])
        .with_entrypoint("endless")
        .build()
        .unwrap();
    {
        let (_, mut stream) = app.stream_result(halt_after(["endless"]), ()).unwrap();
        for _ in 0..3 {
            stream.next().unwrap();
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert!(
        PRODUCED.load(Ordering::SeqCst) <= 4,
        "{}",
        PRODUCED.load(Ordering::SeqCst)
    );
    assert!(!app.state().contains("count"));
}

#[test]
fn async_streaming_action() {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let mut app = ApplicationBuilder::new()
                .with_actions(actions![aspeak])
                .with_state(state! { prompt: "hi there" })
                .with_entrypoint("aspeak")
                .build()
                .unwrap();
            let (_, mut stream) = app
                .stream_result_async(halt_after(["aspeak"]), ())
                .await
                .unwrap();
            let mut items = Vec::new();
            while let Some(item) = stream.next().await {
                items.push(item);
            }
            assert_eq!(tokens(&items), ["hi", "there"]);
            assert_eq!(items[0]["seq"], 0);
            let (_, state) = stream.finish().await.unwrap();
            assert_eq!(state.get::<String>("reply").unwrap(), "HI THERE");
        });
}
