//! Retries and timeouts (`burr_core::policy`), sync and async: attempts with the same state,
//! inputs and sequence id, each failed attempt logged on the step, the state untouched until
//! one succeeds, only retryable errors retried, streams retried before their first item.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use burr_core::action::{ActionKind, Call};
use burr_core::policy::RetryPolicy;
use burr_core::stream::{ActionStream, StreamEvent};
use burr_core::*;
use futures_util::StreamExt;
use serde_json::json;
use support::{Recorder, rt};

/// No waiting between attempts.
fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::new(attempts).initial_delay(Duration::ZERO)
}

/// An action that fails its first `failures` calls, then writes `answer = calls`.
fn flaky(failures: u32, calls: Arc<AtomicU32>) -> FnAction {
    FnAction::new(Vec::<String>::new(), ["answer"], move |state, _, _| {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= failures {
            return Err(ActionError::msg(format!("overloaded ({n})")));
        }
        Ok(state.update("answer", n))
    })
}

fn app_with(
    action: impl IntoAction,
    configure: fn(ApplicationBuilder) -> ApplicationBuilder,
) -> (Application, Arc<Recorder>) {
    let recorder = Recorder::new();
    let builder = ApplicationBuilder::new()
        .with_action("ask", action)
        .with_state(State::new().update("answer", 0))
        .with_entrypoint("ask")
        .with_hook(recorder.clone());
    (configure(builder).build().unwrap(), recorder)
}

#[test]
fn a_flaky_action_is_retried_until_it_succeeds_within_one_step() {
    let calls = Arc::new(AtomicU32::new(0));
    let (mut app, rec) = app_with(flaky(2, calls.clone()), |b| b.with_retry("ask", quick(3)));
    let step = app.step().unwrap().unwrap();
    assert_eq!(step.sequence_id, 0);
    assert_eq!(app.state().get::<u32>("answer").unwrap(), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(rec.count("pre_step"), 1);
    assert_eq!(rec.count("post_step"), 1);
    let attributes: Vec<String> = rec
        .events()
        .into_iter()
        .filter(|e| e.starts_with("attributes"))
        .collect();
    assert_eq!(attributes.len(), 3, "{attributes:?}");
    assert!(attributes[0].contains(r#"burr.retry={"attempt":1,"max_attempts":3,"error":"action `ask` failed: overloaded (1)","retry_in_ms":0}"#), "{}", attributes[0]);
    assert!(
        attributes[1].contains(r#""attempt":2"#),
        "{}",
        attributes[1]
    );
    assert_eq!(attributes[2], "attributes - burr.attempts=3");
}

#[test]
fn when_attempts_run_out_the_last_error_fails_the_step_and_the_state_is_untouched() {
    let calls = Arc::new(AtomicU32::new(0));
    let (mut app, rec) = app_with(flaky(5, calls.clone()), |b| b.with_default_retry(quick(2)));
    let err = app.step().unwrap_err();
    assert!(err.to_string().contains("overloaded (2)"), "{err}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(app.state().get::<u32>("answer").unwrap(), 0);
    assert_eq!(app.sequence_id(), Some(0));
    assert_eq!(rec.count("attributes"), 1);
}

#[test]
fn errors_of_the_declarations_and_the_state_are_not_retried() {
    let calls = Arc::new(AtomicU32::new(0));
    let counted = calls.clone();
    let undeclared = FnAction::new(Vec::<String>::new(), ["answer"], move |state, _, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        Ok::<_, ActionError>(state.update("answer", 1).update("other", 1))
    });
    let (mut app, _) = app_with(undeclared, |b| b.with_retry("ask", quick(5)));
    assert!(matches!(
        app.step().unwrap_err(),
        Error::UndeclaredWrite { .. }
    ));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let calls = Arc::new(AtomicU32::new(0));
    let counted = calls.clone();
    let missing_key = FnAction::new(["nope"], ["answer"], move |state, _, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        let n: i64 = state.get("nope")?;
        Ok::<_, ActionError>(state.update("answer", n))
    });
    let (mut app, _) = app_with(missing_key, |b| b.with_retry("ask", quick(5)));
    assert!(matches!(app.step().unwrap_err(), Error::State(_)));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn retry_if_decides_which_errors_get_another_attempt() {
    let calls = Arc::new(AtomicU32::new(0));
    let (mut app, _) = app_with(flaky(5, calls.clone()), |b| {
        b.with_retry("ask", quick(5).retry_if(|e| !e.to_string().contains("(3)")))
    });
    assert!(app.step().unwrap_err().to_string().contains("(3)"));
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn an_actions_own_policy_wins_over_the_default_and_unknown_names_are_refused() {
    let calls = Arc::new(AtomicU32::new(0));
    let (mut app, _) = app_with(flaky(3, calls.clone()), |b| {
        b.with_default_retry(quick(2)).with_retry("ask", quick(4))
    });
    app.step().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 4);

    let err = ApplicationBuilder::new()
        .with_action("ask", flaky(0, Arc::default()))
        .with_retry("aks", quick(2))
        .with_timeout("ask2", Duration::from_secs(1))
        .with_entrypoint("ask")
        .build()
        .unwrap_err();
    let Error::Build { problems } = err else {
        panic!("{err}")
    };
    let names: Vec<&str> = problems
        .iter()
        .filter_map(|p| match p {
            BuildProblem::UnknownPolicyAction { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["aks", "ask2"]);
}

#[test]
fn retries_wait_the_policys_backoff_between_attempts() {
    let calls = Arc::new(AtomicU32::new(0));
    let (mut app, rec) = app_with(flaky(2, calls), |b| {
        b.with_retry(
            "ask",
            RetryPolicy::new(3).initial_delay(Duration::from_millis(2)),
        )
    });
    app.step().unwrap();
    // The delays each failed attempt announced: the initial one, then doubled.
    let delays: Vec<String> = rec
        .events()
        .iter()
        .filter_map(|e| e.split("\"retry_in_ms\":").nth(1))
        .map(|rest| rest.trim_end_matches('}').to_string())
        .collect();
    assert_eq!(delays, ["2", "4"]);
}

/// A streaming action that journals a side effect, then fails before its first item once.
struct JournalingStream {
    sent: Arc<AtomicU32>,
    calls: Arc<AtomicU32>,
}

impl Action for JournalingStream {
    fn reads(&self) -> Vec<String> {
        Vec::new()
    }
    fn writes(&self) -> Vec<String> {
        vec!["answer".into()]
    }
    fn kind(&self) -> ActionKind {
        ActionKind::new(false, true)
    }
    fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        let sent = self.sent.clone();
        let receipt: Result<u32, ActionError> = ctx.durable("send", || {
            Ok::<_, ActionError>(sent.fetch_add(1, Ordering::SeqCst))
        });
        let first = self.calls.fetch_add(1, Ordering::SeqCst) == 0;
        let events = match receipt {
            Err(e) => vec![Err(e)],
            Ok(_) if first => vec![Err(ActionError::msg("dropped before the first item"))],
            Ok(receipt) => vec![
                Ok(StreamEvent::Item(
                    json!({"receipt": receipt}).as_object().unwrap().clone(),
                )),
                Ok(StreamEvent::Done(StepOutput {
                    result: ResultMap::new(),
                    state: state.update("answer", receipt),
                })),
            ],
        };
        Call::Stream(ActionStream::from_iter(events))
    }
}

#[test]
fn a_retried_stream_replays_what_its_first_attempt_journaled() {
    let sent = Arc::new(AtomicU32::new(0));
    let action = JournalingStream {
        sent: sent.clone(),
        calls: Arc::default(),
    };
    let mut app = ApplicationBuilder::new()
        .with_action("talk", action)
        .with_entrypoint("talk")
        .with_retry("talk", quick(2))
        .build()
        .unwrap();
    let (_, mut stream) = app.stream_result(halt_after(["talk"]), ()).unwrap();
    assert_eq!(stream.by_ref().count(), 1);
    let (_, state) = stream.finish().unwrap();
    assert_eq!(state.get::<u32>("answer").unwrap(), 0);
    assert_eq!(
        sent.load(Ordering::SeqCst),
        1,
        "sent once across the attempts"
    );
}

/// An async action that sleeps `sleeps[attempt]` then writes the attempt number.
fn slow_async(sleeps: &'static [u64], calls: Arc<AtomicU32>) -> FnAction {
    FnAction::new_async(Vec::<String>::new(), ["answer"], move |state, _, _| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            let ms = sleeps.get(n as usize).copied().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<_, ActionError>(state.update("answer", n + 1))
        }
    })
}

#[test]
fn an_async_action_past_its_timeout_is_cancelled_with_a_timeout_error() {
    rt().block_on(async {
        let calls = Arc::new(AtomicU32::new(0));
        let (mut app, _) = app_with(slow_async(&[3_600_000], calls), |b| {
            b.with_timeout("ask", Duration::from_millis(20))
        });
        let err = app.step_async().await.unwrap_err();
        assert!(
            matches!(&err, Error::Timeout { action, after } if action == "ask" && *after == Duration::from_millis(20)),
            "{err}"
        );
        assert_eq!(app.state().get::<u32>("answer").unwrap(), 0);
    });
}

#[test]
fn a_timed_out_attempt_is_retried() {
    rt().block_on(async {
        let calls = Arc::new(AtomicU32::new(0));
        let (mut app, rec) = app_with(slow_async(&[3_600_000, 0], calls.clone()), |b| {
            b.with_default_timeout(Duration::from_millis(20))
                .with_default_retry(quick(2))
        });
        app.step_async().await.unwrap();
        assert_eq!(app.state().get::<u32>("answer").unwrap(), 2);
        assert!(
            rec.events()
                .iter()
                .any(|e| e.contains("timed out after 20ms"))
        );
    });
}

#[test]
fn a_sync_action_that_returns_late_fails_with_a_timeout_and_its_result_is_discarded() {
    let slow = FnAction::new(Vec::<String>::new(), ["answer"], |state, _, _| {
        std::thread::sleep(Duration::from_millis(30));
        Ok::<_, ActionError>(state.update("answer", 1))
    });
    let (mut app, _) = app_with(slow, |b| b.with_timeout("ask", Duration::from_millis(5)));
    assert!(matches!(app.step().unwrap_err(), Error::Timeout { .. }));
    assert_eq!(app.state().get::<u32>("answer").unwrap(), 0);
}

/// A streaming action whose call `n` (from 0) fails after `fail_after[n]` items (`None`: it
/// streams three items and ends well).
struct FlakyStream {
    fail_after: &'static [Option<usize>],
    is_async: bool,
    calls: Arc<AtomicU32>,
}

impl Action for FlakyStream {
    fn reads(&self) -> Vec<String> {
        Vec::new()
    }
    fn writes(&self) -> Vec<String> {
        vec!["answer".into()]
    }
    fn kind(&self) -> ActionKind {
        ActionKind::new(self.is_async, true)
    }
    fn call<'a>(&'a self, state: State, _: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let fail_after = self.fail_after.get(n as usize).copied().flatten();
        let item = |i: usize| json!({ "token": i }).as_object().unwrap().clone();
        let done = move || {
            let mut result = ResultMap::new();
            result.insert("answer".into(), json!(n + 1));
            StepOutput {
                result,
                state: state.update("answer", n + 1),
            }
        };
        if self.is_async {
            return Call::Stream(ActionStream::from_async_fn(ctx, move |emit| async move {
                for i in 0..3 {
                    if fail_after == Some(i) {
                        return Err(ActionError::msg(format!("dropped at {i}")));
                    }
                    emit.item(json!({ "token": i })).await?;
                }
                Ok(done())
            }));
        }
        let mut events: Vec<Result<StreamEvent, ActionError>> = Vec::new();
        for i in 0..3 {
            if fail_after == Some(i) {
                events.push(Err(ActionError::msg(format!("dropped at {i}"))));
                return Call::Stream(ActionStream::from_iter(events));
            }
            events.push(Ok(StreamEvent::Item(item(i))));
        }
        events.push(Ok(StreamEvent::Done(done())));
        Call::Stream(ActionStream::from_iter(events))
    }
}

fn stream_app(
    fail_after: &'static [Option<usize>],
    is_async: bool,
) -> (Application, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let action = FlakyStream {
        fail_after,
        is_async,
        calls: calls.clone(),
    };
    let app = ApplicationBuilder::new()
        .with_action("talk", action)
        .with_state(State::new().update("answer", 0))
        .with_entrypoint("talk")
        .with_retry("talk", quick(3))
        .build()
        .unwrap();
    (app, calls)
}

#[test]
fn a_stream_that_fails_before_its_first_item_is_retried() {
    let (mut app, calls) = stream_app(&[Some(0), Some(0), None], false);
    let (_, mut stream) = app.stream_result(halt_after(["talk"]), ()).unwrap();
    let items: Vec<ResultMap> = stream.by_ref().collect();
    assert_eq!(items.len(), 3);
    let (result, state) = stream.finish().unwrap();
    assert_eq!(result.unwrap()["answer"], 3);
    assert_eq!(state.get::<u32>("answer").unwrap(), 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn a_stream_that_fails_after_an_item_reached_the_caller_is_not_retried() {
    let (mut app, calls) = stream_app(&[Some(1), None], false);
    let (_, mut stream) = app.stream_result(halt_after(["talk"]), ()).unwrap();
    assert_eq!(stream.by_ref().count(), 1);
    let err = stream.finish().unwrap_err();
    assert!(err.to_string().contains("dropped at 1"), "{err}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(app.state().get::<u32>("answer").unwrap(), 0);
}

#[test]
fn an_async_stream_is_retried_before_its_first_item_and_its_whole_run_retried_in_run() {
    rt().block_on(async {
        let (mut app, calls) = stream_app(&[Some(0), None], true);
        let (_, mut stream) = app
            .stream_result_async(halt_after(["talk"]), ())
            .await
            .unwrap();
        let mut items = 0;
        while stream.next().await.is_some() {
            items += 1;
        }
        assert_eq!(items, 3);
        assert_eq!(
            stream
                .finish()
                .await
                .unwrap()
                .1
                .get::<u32>("answer")
                .unwrap(),
            2
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // Through `run`, the stream is drained inside the step: a failure after items is
        // retried too (no item reached the caller).
        let (mut app, calls) = stream_app(&[Some(2), None], true);
        app.run_async(halt_after(["talk"]), ()).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    });
}
