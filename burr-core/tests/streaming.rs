//! Streaming actions: `stream_result`, `stream_result_async`, `stream_iterate`,
//! `stream_iterate_async`, the stream hooks, and the edge cases (pass-through, halt before,
//! early drop, missing final output, reads/writes enforcement).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use burr_core::action::{ActionKind, Call};
use burr_core::stream::{ActionStream, StreamEvent};
use burr_core::*;
use futures_util::StreamExt;
use serde_json::json;
use support::{AsyncRecorder, Recorder, counter, rt};

/// How a streaming counter ends.
#[derive(Clone, Copy, PartialEq)]
enum Ending {
    /// With `Done`.
    Done,
    /// Without a final output.
    NoDone,
    /// Writing nothing although it declares `count`.
    MissingWrite,
    /// Writing an undeclared key.
    UndeclaredWrite,
}

/// Streams `count + i/10` for i in 0..10, then sets `count += 1`; sync (iterator, thread) or
/// async (emitter future), depending on the fields.
struct StreamingCounter {
    is_async: bool,
    threaded: bool,
    ending: Ending,
    produced: Arc<AtomicUsize>,
}

impl StreamingCounter {
    fn sync() -> Self {
        StreamingCounter {
            is_async: false,
            threaded: false,
            ending: Ending::Done,
            produced: Arc::default(),
        }
    }
    fn threaded() -> Self {
        StreamingCounter {
            threaded: true,
            ..Self::sync()
        }
    }
    fn asynchronous() -> Self {
        StreamingCounter {
            is_async: true,
            ..Self::sync()
        }
    }
    fn ending(mut self, ending: Ending) -> Self {
        self.ending = ending;
        self
    }
}

fn final_output(state: State, n: i64, ending: Ending) -> Option<StepOutput> {
    let mut r = ResultMap::new();
    r.insert("count".into(), json!(n + 1));
    let state = match ending {
        Ending::NoDone => return None,
        Ending::Done => state.update("count", n + 1),
        Ending::MissingWrite => state,
        Ending::UndeclaredWrite => state.update("count", n + 1).update("other", 1),
    };
    Some(StepOutput { result: r, state })
}

impl Action for StreamingCounter {
    fn reads(&self) -> Vec<String> {
        vec!["count".into()]
    }
    fn writes(&self) -> Vec<String> {
        vec!["count".into()]
    }
    fn kind(&self) -> ActionKind {
        ActionKind::new(self.is_async, true)
    }
    fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        match self.events(state, ctx) {
            Ok(events) => Call::Stream(events),
            Err(e) => Call::Ready(Err(e)),
        }
    }
}

impl StreamingCounter {
    fn events(&self, state: State, ctx: &ActionContext) -> Result<ActionStream, ActionError> {
        let n: i64 = state.get("count")?;
        let ending = self.ending;
        let produced = self.produced.clone();
        let item = move |i: i64| json!({"count": n as f64 + i as f64 / 10.0});
        if self.is_async {
            return Ok(ActionStream::from_async_fn(ctx, move |emit| async move {
                for i in 0..10 {
                    produced.fetch_add(1, Ordering::SeqCst);
                    emit.item(item(i)).await?;
                }
                final_output(state, n, ending).ok_or_else(|| ActionError::msg("unused"))
            }))
            .map(|s| match (ending, s) {
                // An async stream that simply stops, without `Done`.
                (Ending::NoDone, _) => ActionStream::from_stream(futures_util::stream::iter(
                    (0..3)
                        .map(move |i| Ok(StreamEvent::Item(item(i).as_object().unwrap().clone()))),
                )),
                (_, s) => s,
            });
        }
        if self.threaded {
            return Ok(ActionStream::from_fn(ctx, move |emit| {
                for i in 0..10 {
                    produced.fetch_add(1, Ordering::SeqCst);
                    emit.item(item(i))?;
                }
                final_output(state, n, ending).ok_or_else(|| ActionError::msg("no final output"))
            }));
        }
        let items = (0..10).map(move |i| {
            produced.fetch_add(1, Ordering::SeqCst);
            Ok(StreamEvent::Item(item(i).as_object().unwrap().clone()))
        });
        let done = final_output(state, n, ending).map(|o| Ok(StreamEvent::Done(o)));
        Ok(ActionStream::from_iter(items.chain(done)))
    }
}

fn app_with(streamer: StreamingCounter, recorder: &Arc<Recorder>) -> Application {
    ApplicationBuilder::new()
        .with_action("counter", counter())
        .with_action("streaming_counter", streamer)
        .with_action("result", ResultAction::new(["count"]))
        .with_transitions([
            ("counter", "counter", expr("count < 10").unwrap()),
            ("counter", "streaming_counter", default()),
            ("streaming_counter", "result", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("counter")
        .with_hook(recorder.clone())
        .build()
        .unwrap()
}

/// A graph whose entrypoint is the streaming action.
fn streaming_first(streamer: StreamingCounter, recorder: &Arc<Recorder>) -> Application {
    ApplicationBuilder::new()
        .with_action("streaming_counter", streamer)
        .with_action("counter", counter())
        .with_transitions([("streaming_counter", "counter", default())])
        .with_state(state! { count: 1 })
        .with_entrypoint("streaming_counter")
        .with_hook(recorder.clone())
        .build()
        .unwrap()
}

fn counts(items: &[ResultMap]) -> Vec<f64> {
    items.iter().map(|i| i["count"].as_f64().unwrap()).collect()
}

#[test]
fn streams_items_then_advances_state() {
    for streamer in [StreamingCounter::sync(), StreamingCounter::threaded()] {
        let rec = Recorder::new();
        let mut app = streaming_first(streamer, &rec);
        let (action, mut stream) = app
            .stream_result(halt_after(["streaming_counter"]), ())
            .unwrap();
        assert_eq!(action, "streaming_counter");
        let items: Vec<ResultMap> = stream.by_ref().collect();
        let c = counts(&items);
        assert_eq!(c.len(), 10);
        assert!(c.windows(2).all(|w| w[0] < w[1]), "items increase: {c:?}");
        let (result, state) = stream.finish().unwrap();
        assert_eq!(result.unwrap()["count"], 2);
        assert_eq!(state.get::<i64>("count").unwrap(), 2);
        assert_eq!(app.state().get::<i64>("count").unwrap(), 2);
        assert_eq!(app.state().prior_step(), Some("streaming_counter"));
        let events = rec.events();
        let expected: Vec<String> = [
            "create streaming_counter",
            "pre_exec stream_result",
            "pre_step 0 streaming_counter",
            "start_stream streaming_counter",
        ]
        .into_iter()
        .map(String::from)
        .chain((0..10).map(|i| format!("stream_item {i}")))
        .chain(
            [
                "post_step 0 streaming_counter ok",
                "end_stream 10",
                "post_exec stream_result ok",
            ]
            .map(String::from),
        )
        .collect();
        assert_eq!(events, expected);
    }
}

#[test]
fn runs_up_to_the_streaming_action() {
    let rec = Recorder::new();
    let mut app = app_with(StreamingCounter::sync(), &rec);
    let (action, stream) = app
        .stream_result(halt_after(["streaming_counter"]), ())
        .unwrap();
    assert_eq!(action, "streaming_counter");
    let (result, state) = stream.finish().unwrap();
    assert_eq!(result.unwrap()["count"], 11);
    assert_eq!(state.get::<i64>("count").unwrap(), 11);
    assert_eq!(rec.seqs(), (0..=10).collect::<Vec<_>>());
    assert_eq!(rec.count("pre_exec"), 1);
    assert_eq!(rec.count("post_exec"), 1);
    assert_eq!(
        (
            rec.count("start_stream"),
            rec.count("stream_item"),
            rec.count("end_stream")
        ),
        (1, 10, 1)
    );
}

#[test]
fn non_streaming_target_is_a_pass_through() {
    let rec = Recorder::new();
    let mut app = app_with(StreamingCounter::sync(), &rec);
    let (action, mut stream) = app.stream_result(halt_after(["result"]), ()).unwrap();
    assert_eq!(action, "result");
    assert!(stream.next().is_none());
    let (result, state) = stream.finish().unwrap();
    assert_eq!(result.unwrap()["count"], 11);
    assert_eq!(state.get::<i64>("count").unwrap(), 11);
    assert_eq!(rec.seqs(), (0..=11).collect::<Vec<_>>());
}

#[test]
fn halt_before_gives_an_empty_container() {
    let rec = Recorder::new();
    let mut app = app_with(StreamingCounter::sync(), &rec);
    let (action, mut stream) = app
        .stream_result(halt_before(["streaming_counter"]), ())
        .unwrap();
    assert_eq!(action, "streaming_counter");
    assert!(stream.next().is_none());
    let (result, state) = stream.finish().unwrap();
    assert_eq!(result, None);
    assert_eq!(state.get::<i64>("count").unwrap(), 10);
    assert_eq!(rec.seqs(), (0..=9).collect::<Vec<_>>());
    assert_eq!(rec.count("start_stream"), 0);
}

#[test]
fn dropping_the_stream_early_keeps_the_state_and_tells_the_hooks() {
    for streamer in [StreamingCounter::sync(), StreamingCounter::threaded()] {
        let produced = streamer.produced.clone();
        let rec = Recorder::new();
        let mut app = streaming_first(streamer, &rec);
        {
            let (_, mut stream) = app
                .stream_result(halt_after(["streaming_counter"]), ())
                .unwrap();
            assert!(stream.next().is_some());
            assert!(stream.next().is_some());
        }
        assert_eq!(app.state().get::<i64>("count").unwrap(), 1);
        assert_eq!(app.state().prior_step(), None);
        assert_eq!(app.sequence_id(), Some(0));
        // Lazy: the producer ran at most one item ahead of the consumer.
        assert!(
            produced.load(Ordering::SeqCst) <= 3,
            "{}",
            produced.load(Ordering::SeqCst)
        );
        let events = rec.events();
        let post = events.iter().find(|e| e.starts_with("post_step")).unwrap();
        assert!(post.contains("dropped the stream"), "{post}");
        assert!(events.contains(&"end_stream 2".to_string()));
        let last = events.last().unwrap();
        assert!(last.starts_with("post_exec stream_result err: "), "{last}");
        // The application goes on from where it was: the action runs again.
        let (_, stream) = app
            .stream_result(halt_after(["streaming_counter"]), ())
            .unwrap();
        assert_eq!(stream.finish().unwrap().1.get::<i64>("count").unwrap(), 2);
    }
}

#[test]
fn dropping_the_stream_early_saves_a_failed_step() {
    let store = InMemoryPersister::new();
    let mut app = ApplicationBuilder::new()
        .with_action("streaming_counter", StreamingCounter::sync())
        .with_state(state! { count: 1 })
        .with_entrypoint("streaming_counter")
        .with_app_id("dropped")
        .with_state_persister(store.clone())
        .build()
        .unwrap();
    let (_, mut stream) = app
        .stream_result(halt_after(["streaming_counter"]), ())
        .unwrap();
    stream.next();
    drop(stream);
    let row = store.load(None, "dropped", None).unwrap().unwrap();
    assert_eq!(row.status, Status::Failed);
    assert_eq!(row.state.get::<i64>("count").unwrap(), 1);
}

#[test]
fn a_stream_without_final_output_is_a_typed_error() {
    for streamer in [
        StreamingCounter::sync().ending(Ending::NoDone),
        StreamingCounter::threaded().ending(Ending::NoDone),
    ] {
        let rec = Recorder::new();
        let mut app = streaming_first(streamer, &rec);
        let (_, mut stream) = app
            .stream_result(halt_after(["streaming_counter"]), ())
            .unwrap();
        assert_eq!(stream.by_ref().count(), 10);
        let err = stream.finish().unwrap_err();
        assert!(
            matches!(err, Error::Stream { ref action, .. } | Error::ActionFailed { ref action, .. } if action == "streaming_counter"),
            "{err}"
        );
        assert_eq!(app.state().get::<i64>("count").unwrap(), 1);
    }
    let rec = Recorder::new();
    let mut app = streaming_first(StreamingCounter::sync().ending(Ending::NoDone), &rec);
    let (_, stream) = app
        .stream_result(halt_after(["streaming_counter"]), ())
        .unwrap();
    let err = stream.finish().unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err}");
    assert!(err.to_string().contains("without a final result"), "{err}");
}

#[test]
fn writes_are_enforced_on_streaming_actions() {
    let rec = Recorder::new();
    let mut app = streaming_first(StreamingCounter::sync().ending(Ending::MissingWrite), &rec);
    let (_, stream) = app
        .stream_result(halt_after(["streaming_counter"]), ())
        .unwrap();
    let err = stream.finish().unwrap_err();
    assert!(
        matches!(err, Error::MissingWrite { ref keys, .. } if keys == &["count"]),
        "{err}"
    );

    let mut app = streaming_first(
        StreamingCounter::threaded().ending(Ending::UndeclaredWrite),
        &rec,
    );
    let (_, stream) = app
        .stream_result(halt_after(["streaming_counter"]), ())
        .unwrap();
    let err = stream.finish().unwrap_err();
    assert!(
        matches!(err, Error::UndeclaredWrite { ref keys, .. } if keys == &["other"]),
        "{err}"
    );
    assert_eq!(app.state().get::<i64>("count").unwrap(), 1);
}

/// Reads are enforced too: the action sees only its declared reads.
struct ReadsTooMuch;

impl Action for ReadsTooMuch {
    fn reads(&self) -> Vec<String> {
        vec![]
    }
    fn writes(&self) -> Vec<String> {
        vec![]
    }
    fn kind(&self) -> ActionKind {
        ActionKind::Stream
    }
    fn call<'a>(&'a self, state: State, _: &'a Inputs, _: &'a ActionContext) -> Call<'a> {
        let n: i64 = match state.get("count") {
            Ok(n) => n,
            Err(e) => return Call::Ready(Err(e.into())),
        };
        Call::Stream(ActionStream::from_iter([Ok(StreamEvent::Done(
            StepOutput::state(state.update("x", n)),
        ))]))
    }
}

#[test]
fn reads_are_enforced_on_streaming_actions() {
    let mut app = ApplicationBuilder::new()
        .with_action("sneaky", ReadsTooMuch)
        .with_state(state! { count: 1 })
        .with_entrypoint("sneaky")
        .build()
        .unwrap();
    let (_, stream) = app.stream_result(halt_after(["sneaky"]), ()).unwrap();
    let err = stream.finish().unwrap_err();
    assert!(err.to_string().contains("`count`"), "{err}");
}

#[test]
fn a_panicking_streaming_function_fails_the_step() {
    struct Panics;
    impl Action for Panics {
        fn reads(&self) -> Vec<String> {
            vec![]
        }
        fn writes(&self) -> Vec<String> {
            vec![]
        }
        fn kind(&self) -> ActionKind {
            ActionKind::Stream
        }
        fn call<'a>(&'a self, _: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
            Call::Stream(ActionStream::from_fn(ctx, |emit| {
                emit.item(json!({"a": 1}))?;
                panic!("model exploded");
            }))
        }
    }
    let mut app = ApplicationBuilder::new()
        .with_action("panics", Panics)
        .with_entrypoint("panics")
        .build()
        .unwrap();
    let (_, stream) = app.stream_result(halt_after(["panics"]), ()).unwrap();
    let err = stream.finish().unwrap_err();
    assert!(err.to_string().contains("model exploded"), "{err}");
}

#[test]
fn async_streaming_action_in_sync_method_is_an_error() {
    let rec = Recorder::new();
    let mut app = streaming_first(StreamingCounter::asynchronous(), &rec);
    let err = app
        .stream_result(halt_after(["streaming_counter"]), ())
        .unwrap_err();
    assert!(
        matches!(err, Error::AsyncActionInSyncContext { .. }),
        "{err}"
    );
    let last = rec.last();
    assert!(last.starts_with("post_exec stream_result err: "), "{last}");
}

#[test]
fn stream_iterate_with_and_without_draining() {
    for drain in [true, false] {
        let rec = Recorder::new();
        let mut app = app_with(StreamingCounter::threaded(), &rec);
        let mut steps = app.stream_iterate(halt_after(["result"]), ());
        let mut names = Vec::new();
        while let Some(step) = steps.next() {
            let (name, stream) = step.unwrap();
            names.push(name);
            if drain {
                let n = stream.count();
                assert_eq!(
                    n,
                    if names.last().unwrap() == "streaming_counter" {
                        10
                    } else {
                        0
                    }
                );
            }
        }
        drop(steps);
        assert_eq!(names.len(), 12);
        assert_eq!(names[10], "streaming_counter");
        assert_eq!(names[11], "result");
        assert_eq!(app.state().get::<i64>("count").unwrap(), 11);
        assert_eq!(rec.seqs(), (0..=11).collect::<Vec<_>>());
        assert_eq!(rec.count("pre_exec"), 1);
        assert_eq!(rec.last(), "post_exec stream_iterate ok");
    }
}

#[test]
fn astream_result_streams_async_and_sync_actions() {
    rt().block_on(async {
        for streamer in [
            StreamingCounter::asynchronous(),
            StreamingCounter::sync(),
            StreamingCounter::threaded(),
        ] {
            let rec = Recorder::new();
            let async_rec = AsyncRecorder::new();
            let mut app = ApplicationBuilder::new()
                .with_action("streaming_counter", streamer)
                .with_state(state! { count: 1 })
                .with_entrypoint("streaming_counter")
                .with_hook(rec.clone())
                .with_hook(async_rec.clone())
                .build()
                .unwrap();
            let (action, mut stream) = app
                .stream_result_async(halt_after(["streaming_counter"]), ())
                .await
                .unwrap();
            assert_eq!(action, "streaming_counter");
            let mut items = Vec::new();
            while let Some(item) = stream.next().await {
                items.push(item);
            }
            assert_eq!(counts(&items).len(), 10);
            let (result, state) = stream.finish().await.unwrap();
            assert_eq!(result.unwrap()["count"], 2);
            assert_eq!(state.get::<i64>("count").unwrap(), 2);
            assert_eq!(rec.count("stream_item"), 10);
            assert_eq!(rec.last(), "post_exec astream_result ok");
            assert_eq!(async_rec.count("start_stream"), 1);
            assert_eq!(async_rec.count("stream_item"), 10);
            assert_eq!(async_rec.count("end_stream"), 1);
        }
    });
}

#[test]
fn astream_result_edge_cases() {
    rt().block_on(async {
        let rec = Recorder::new();
        let mut app = app_with(StreamingCounter::asynchronous(), &rec);
        let (action, stream) = app
            .stream_result_async(halt_before(["streaming_counter"]), ())
            .await
            .unwrap();
        assert_eq!(action, "streaming_counter");
        let (result, state) = stream.finish().await.unwrap();
        assert_eq!((result, state.get::<i64>("count").unwrap()), (None, 10));

        let (_, stream) = app
            .stream_result_async(halt_after(["result"]), ())
            .await
            .unwrap();
        let (result, state) = stream.finish().await.unwrap();
        assert_eq!(result.unwrap()["count"], 11);
        assert_eq!(state.get::<i64>("count").unwrap(), 11);

        // Early drop.
        let streamer = StreamingCounter::asynchronous();
        let produced = streamer.produced.clone();
        let rec = Recorder::new();
        let mut app = streaming_first(streamer, &rec);
        {
            let (_, mut stream) = app
                .stream_result_async(halt_after(["streaming_counter"]), ())
                .await
                .unwrap();
            assert!(stream.next().await.is_some());
        }
        assert!(produced.load(Ordering::SeqCst) <= 2);
        assert_eq!(app.state().get::<i64>("count").unwrap(), 1);
        assert!(
            rec.events()
                .iter()
                .any(|e| e.starts_with("post_step ") && e.contains("dropped the stream"))
        );

        // No final output.
        let mut app = streaming_first(
            StreamingCounter::asynchronous().ending(Ending::NoDone),
            &rec,
        );
        let (_, stream) = app
            .stream_result_async(halt_after(["streaming_counter"]), ())
            .await
            .unwrap();
        let err = stream.finish().await.unwrap_err();
        assert!(matches!(err, Error::Stream { .. }), "{err}");

        // Missing write.
        let mut app = streaming_first(
            StreamingCounter::asynchronous().ending(Ending::MissingWrite),
            &rec,
        );
        let (_, stream) = app
            .stream_result_async(halt_after(["streaming_counter"]), ())
            .await
            .unwrap();
        assert!(matches!(
            stream.finish().await.unwrap_err(),
            Error::MissingWrite { .. }
        ));
    });
}

#[test]
fn astream_iterate_with_and_without_draining() {
    rt().block_on(async {
        for drain in [true, false] {
            let rec = Recorder::new();
            let mut app = app_with(StreamingCounter::asynchronous(), &rec);
            let mut steps = app.stream_iterate_async(halt_after(["result"]), ()).await;
            let mut names = Vec::new();
            while let Some(step) = steps.next().await {
                let (name, stream) = step.unwrap();
                names.push(name);
                if drain {
                    let (result, _) = stream.finish().await.unwrap();
                    assert!(result.is_some());
                }
            }
            drop(steps);
            assert_eq!(names.len(), 12);
            assert_eq!(app.state().get::<i64>("count").unwrap(), 11);
            assert_eq!(rec.seqs(), (0..=11).collect::<Vec<_>>());
            assert_eq!(rec.last(), "post_exec astream_iterate ok");
        }
    });
}

#[test]
fn no_next_action_is_an_error() {
    let mut app = ApplicationBuilder::new()
        .with_action("a", Input::new(["x"]))
        .with_entrypoint("a")
        .build()
        .unwrap();
    app.run(halt_after(["a"]), inputs! { x: 1 }).unwrap();
    let err = app.stream_result(halt_after(["a"]), ()).unwrap_err();
    assert!(
        matches!(err, Error::Stream { ref action, .. } if action == "a"),
        "{err}"
    );
}

#[test]
fn stream_iterate_stops_before_a_halt_before_action() {
    let rec = Recorder::new();
    let mut app = app_with(StreamingCounter::sync(), &rec);
    let mut steps = app.stream_iterate(halt_before(["streaming_counter"]), ());
    let mut names = Vec::new();
    while let Some(step) = steps.next() {
        names.push(step.unwrap().0);
    }
    drop(steps);
    assert_eq!(names, vec!["counter"; 10]);
    assert_eq!(app.state().get::<i64>("count").unwrap(), 10);
    assert_eq!(app.next_action(), Some("streaming_counter"));
}

/// A sync action whose stream is a future: it runs under the async methods.
struct SyncWithAsyncStream;

impl Action for SyncWithAsyncStream {
    fn reads(&self) -> Vec<String> {
        vec![]
    }
    fn writes(&self) -> Vec<String> {
        vec!["done".into()]
    }
    /// A sync streaming kind, although the stream it answers is async.
    fn kind(&self) -> ActionKind {
        ActionKind::Stream
    }
    fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        Call::Stream(ActionStream::from_async_fn(ctx, |emit| async move {
            emit.item(json!({"step": 1})).await?;
            Ok(StepOutput::state(state.update("done", true)))
        }))
    }
}

#[test]
fn async_stream_of_a_sync_action_runs_under_arun_and_astream_result() {
    rt().block_on(async {
        let build = || {
            ApplicationBuilder::new()
                .with_action("work", SyncWithAsyncStream)
                .with_entrypoint("work")
                .build()
                .unwrap()
        };
        let mut app = build();
        let out = app.run_async(halt_after(["work"]), ()).await.unwrap();
        assert!(out.state.get::<bool>("done").unwrap());
        let mut app = build();
        let (_, mut stream) = app
            .stream_result_async(halt_after(["work"]), ())
            .await
            .unwrap();
        assert_eq!(stream.next().await.unwrap()["step"], 1);
        assert!(
            stream
                .finish()
                .await
                .unwrap()
                .1
                .get::<bool>("done")
                .unwrap()
        );
        // The sync method reports the mismatch instead of blocking.
        let mut app = build();
        let (_, stream) = app.stream_result(halt_after(["work"]), ()).unwrap();
        let err = stream.finish().unwrap_err();
        assert!(matches!(err, Error::Stream { .. }), "{err:?}");
    });
}
