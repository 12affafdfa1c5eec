//! Burr spans and the `tracing` ecosystem: steps and Burr spans seen by a `tracing`
//! subscriber, and (feature `tracing-layer`) `tracing` spans and events recorded as Burr spans.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use burr_core::{
    ActionError, ApplicationBuilder, FnAction, Inputs, ResultMap, StepOutput, halt_after,
};
use support::{Recorder, rt};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

// ---------------------------------------------------------------------------------------------
// A capture layer: what a `tracing` subscriber sees, as readable lines.

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
}

#[derive(Default)]
struct Seen {
    /// One line per span lifecycle event or event, in order.
    lines: Vec<String>,
    /// The fields of every span, by label.
    fields: HashMap<String, Vec<(String, String)>>,
    /// Labels of live spans, by id.
    labels: HashMap<u64, String>,
}

/// Records what has target `burr` (what the runtime emits); other spans only get a label.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

impl Capture {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().lines.clone()
    }

    fn fields(&self, label: &str) -> Vec<(String, String)> {
        self.0.lock().unwrap().fields[label].clone()
    }

    fn label(&self, id: &Id) -> Option<String> {
        self.0.lock().unwrap().labels.get(&id.into_u64()).cloned()
    }

    fn push(&self, line: String) {
        self.0.lock().unwrap().lines.push(line);
    }
}

/// `call run app-1` for the span of a call, `step 3 app-1` for a step span, the Burr id
/// (`0:1.0`) for a Burr span.
fn label_of(name: &str, fields: &[(String, String)]) -> String {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    match name {
        "burr.run" => format!("call {} {}", get("burr.method"), get("burr.app_id")),
        "burr.step" => format!("step {} {}", get("burr.sequence_id"), get("burr.app_id")),
        "burr.span" => get("burr.span_id"),
        other => other.to_string(),
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().target() != "burr" {
            // Named, so that Burr spans inside it can say so; no line of its own.
            let name = attrs.metadata().name().to_string();
            self.0.lock().unwrap().labels.insert(id.into_u64(), name);
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let label = label_of(attrs.metadata().name(), &fields.0);
        let parent = ctx
            .span(id)
            .and_then(|s| s.parent())
            .and_then(|p| self.label(&p.id()))
            .unwrap_or_else(|| "-".into());
        let mut seen = self.0.lock().unwrap();
        seen.lines.push(format!("new {label} in {parent}"));
        seen.fields.insert(label.clone(), fields.0);
        seen.labels.insert(id.into_u64(), label);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "burr" {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let fields: Vec<String> = fields.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let span = ctx
            .event_span(event)
            .and_then(|s| self.label(&s.id()))
            .unwrap_or_else(|| "-".into());
        self.push(format!(
            "event {} {} in {span}",
            event.metadata().name(),
            fields.join(" ")
        ));
    }

    fn on_enter(&self, id: &Id, _: Context<'_, S>) {
        if let Some(label) = self.label(id) {
            self.push(format!("enter {label}"));
        }
    }

    fn on_exit(&self, id: &Id, _: Context<'_, S>) {
        if let Some(label) = self.label(id) {
            self.push(format!("exit {label}"));
        }
    }

    fn on_close(&self, id: Id, _: Context<'_, S>) {
        let label = self.0.lock().unwrap().labels.remove(&id.into_u64());
        if let Some(label) = label {
            self.push(format!("close {label}"));
        }
    }
}

fn lines(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// Actions.

/// Logs an action-level attribute, then opens `outer` > `inner` and a second top-level span.
fn nested() -> FnAction {
    FnAction::new(None::<&str>, None::<&str>, |state, _, ctx| {
        let tracer = ctx.tracer();
        tracer.log_attribute("top", 1);
        {
            let outer = tracer.span("outer");
            {
                let _inner = tracer.span_with_dependencies("inner", ["outer"]);
                tracer.log_attribute("k", "v");
            }
            outer.log_attribute("n", 2);
        }
        {
            let _second = tracer.span("second");
        }
        StepOutput {
            result: ResultMap::new(),
            state,
        }
    })
}

/// An async action that keeps Burr spans open across `.await` points.
fn async_nested(who: &'static str) -> FnAction {
    FnAction::new_async(
        None::<&str>,
        None::<&str>,
        move |state, _, ctx| async move {
            let tracer = ctx.tracer();
            let outer = tracer.span("outer");
            tokio::task::yield_now().await;
            let inner = tracer.span("inner");
            tokio::task::yield_now().await;
            tracer.log_attribute("who", who);
            drop(inner);
            tokio::task::yield_now().await;
            drop(outer);
            StepOutput {
                result: ResultMap::new(),
                state,
            }
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Burr to `tracing`.

#[test]
fn a_step_and_its_spans_are_nested_tracing_spans() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, || {
        // No hooks at all: the subscriber alone makes the step record its spans.
        let mut app = ApplicationBuilder::new()
            .with_app_id("app-1")
            .with_partition_key("user-7")
            .with_action("work", nested())
            .with_entrypoint("work")
            .build()
            .unwrap();
        app.step().unwrap();
    });
    assert_eq!(
        capture.lines(),
        lines(&[
            "new call step app-1 in -",
            "new step 0 app-1 in call step app-1",
            "enter step 0 app-1",
            "event burr.attribute key=top value=1 in step 0 app-1",
            "new 0:0 in step 0 app-1",
            "enter 0:0",
            "new 0:0.0 in 0:0",
            "exit 0:0",
            "enter 0:0.0",
            "event burr.attribute key=k value=\"v\" in 0:0.0",
            "exit 0:0.0",
            "enter 0:0",
            "close 0:0.0",
            "event burr.attribute key=n value=2 in 0:0",
            "exit 0:0",
            "close 0:0",
            "new 0:1 in step 0 app-1",
            "enter 0:1",
            "exit 0:1",
            "close 0:1",
            "exit step 0 app-1",
            "close step 0 app-1",
            "close call step app-1",
        ])
    );
    let step_fields = capture.fields("step 0 app-1");
    assert_eq!(
        step_fields,
        [
            ("otel.name", "work"),
            ("burr.action", "work"),
            ("burr.sequence_id", "0"),
            ("burr.app_id", "app-1"),
            ("burr.partition_key", "user-7"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    assert_eq!(
        capture.fields("0:0.0"),
        [
            ("otel.name", "inner"),
            ("burr.span_name", "inner"),
            ("burr.span_id", "0:0.0"),
            ("burr.action", "work"),
            ("burr.sequence_id", "0"),
            ("burr.app_id", "app-1"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
}

#[test]
fn hooks_and_tracing_see_the_same_spans() {
    let capture = Capture::default();
    let recorder = Recorder::new();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, || {
        let mut app = ApplicationBuilder::new()
            .with_app_id("app-2")
            .with_action("work", nested())
            .with_entrypoint("work")
            .with_hook(recorder.clone())
            .build()
            .unwrap();
        app.run(halt_after(["work"]), Inputs::new()).unwrap();
    });
    let spans: Vec<String> = capture
        .lines()
        .iter()
        .filter_map(|l| l.strip_prefix("new ").map(str::to_string))
        .collect();
    assert_eq!(
        spans,
        lines(&[
            "call run app-2 in -",
            "step 0 app-2 in call run app-2",
            "0:0 in step 0 app-2",
            "0:0.0 in 0:0",
            "0:1 in step 0 app-2",
        ])
    );
    assert_eq!(
        recorder.spans(),
        lines(&[
            "attributes - top=1",
            "start_span 0:0 outer in -",
            "start_span 0:0.0 inner in 0:0",
            "attributes 0:0.0 k=\"v\"",
            "end_span 0:0.0 inner",
            "attributes 0:0 n=2",
            "end_span 0:0 outer",
            "start_span 0:1 second in -",
            "end_span 0:1 second",
        ])
    );
}

/// Runs a whole child application inside a span of its own step.
fn spawner() -> FnAction {
    FnAction::new(None::<&str>, None::<&str>, |state, _, ctx| {
        let _spawn = ctx.tracer().span("spawn");
        let mut child = ApplicationBuilder::new()
            .with_app_id("child")
            .with_action("work", nested())
            .with_entrypoint("work")
            .build()?;
        child.step()?;
        ctx.tracer().log_attribute("back", true);
        Ok::<_, ActionError>(StepOutput {
            result: ResultMap::new(),
            state,
        })
    })
}

#[test]
fn a_child_application_nests_under_the_span_that_runs_it() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, || {
        let mut app = ApplicationBuilder::new()
            .with_app_id("parent")
            .with_action("spawner", spawner())
            .with_entrypoint("spawner")
            .build()
            .unwrap();
        app.step().unwrap();
        assert!(tracing::Span::current().is_none());
    });
    let all = capture.lines();
    let new: Vec<String> = all
        .iter()
        .filter(|l| l.starts_with("new "))
        .cloned()
        .collect();
    assert_eq!(
        new,
        lines(&[
            "new call step parent in -",
            "new step 0 parent in call step parent",
            "new 0:0 in step 0 parent",
            "new call step child in 0:0",
            "new step 0 child in call step child",
            "new 0:0 in step 0 child",
            "new 0:0.0 in 0:0",
            "new 0:1 in step 0 child",
        ])
    );
    // Back in the parent, its own span is current again.
    assert!(
        all.contains(&"event burr.attribute key=back value=true in 0:0".to_string()),
        "{all:#?}"
    );
    let enters = all.iter().filter(|l| l.starts_with("enter ")).count();
    let exits = all.iter().filter(|l| l.starts_with("exit ")).count();
    assert_eq!(enters, exits, "{all:#?}");
}

#[test]
fn without_a_subscriber_nothing_is_entered() {
    // No subscriber and no hooks: the step runs with the no-op tracer.
    let mut app = ApplicationBuilder::new()
        .with_action("work", nested())
        .with_entrypoint("work")
        .build()
        .unwrap();
    app.step().unwrap();
    assert!(tracing::Span::current().is_none());
}

/// Polls alongside the actions and fails if a `tracing` span is left entered between polls.
async fn watch_for_leaks(rounds: usize) {
    for _ in 0..rounds {
        assert!(
            tracing::Span::current().is_none(),
            "a span stayed entered across an await: {:?}",
            tracing::Span::current().metadata().map(|m| m.name())
        );
        tokio::task::yield_now().await;
    }
}

#[test]
fn async_steps_keep_their_nesting_across_await() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let runtime = rt();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let mut a = ApplicationBuilder::new()
                .with_app_id("app-a")
                .with_action("work", async_nested("a"))
                .with_entrypoint("work")
                .build()
                .unwrap();
            let mut b = ApplicationBuilder::new()
                .with_app_id("app-b")
                .with_action("work", async_nested("b"))
                .with_entrypoint("work")
                .build()
                .unwrap();
            let (ra, rb, ()) = tokio::join!(a.step_async(), b.step_async(), watch_for_leaks(10));
            ra.unwrap();
            rb.unwrap();
        });
    });
    let all = capture.lines();
    let new: Vec<&String> = all.iter().filter(|l| l.starts_with("new ")).collect();
    assert_eq!(new.len(), 8, "{all:#?}");
    // Each app's step nests under its own call.
    for app in ["app-a", "app-b"] {
        let step = format!("new step 0 {app} in call astep {app}");
        assert!(new.iter().any(|l| **l == step), "{step:?} in {all:#?}");
    }
    // Each app's spans nest under its own step, whatever the interleaving.
    for app in ["app-a", "app-b"] {
        let outer = new
            .iter()
            .find(|l| l.starts_with("new 0:0 in ") && l.ends_with(&format!("step 0 {app}")));
        assert!(
            outer.is_some(),
            "no outer span under {app}'s step: {all:#?}"
        );
    }
    assert_eq!(
        new.iter()
            .filter(|l| l.as_str() == "new 0:0.0 in 0:0")
            .count(),
        2,
        "{all:#?}"
    );
    // The attributes are events of the inner span of their own application.
    let mut who = Vec::new();
    for line in &all {
        if let Some(rest) = line.strip_prefix("event burr.attribute key=who value=") {
            who.push(rest.to_string());
        }
    }
    who.sort();
    assert_eq!(who, ["\"a\" in 0:0.0", "\"b\" in 0:0.0"], "{all:#?}");
    // Every enter is matched by an exit, and the step is never entered twice at once.
    let enters = all.iter().filter(|l| l.starts_with("enter ")).count();
    let exits = all.iter().filter(|l| l.starts_with("exit ")).count();
    assert_eq!(enters, exits, "{all:#?}");
    assert!(enters >= 6, "{all:#?}");
}

#[cfg(feature = "tracing-layer")]
mod layer {
    //! `tracing` to Burr: `BurrLayer`.

    use super::*;
    use burr_core::{BurrLayer, LifecycleHook};
    use tracing::Instrument;

    #[tracing::instrument]
    fn lookup(id: u32) -> u32 {
        tracing::info!("looking up");
        id * 2
    }

    /// Mixes Burr spans with the user's own `tracing` spans and events.
    fn mixed() -> FnAction {
        FnAction::new(None::<&str>, None::<&str>, |state, _, ctx| {
            let tracer = ctx.tracer();
            let _outer = tracer.span("outer");
            {
                let fetch = tracing::info_span!("fetch", url = "https://example.com");
                let _entered = fetch.enter();
                tracing::info!(bytes = 3, "downloaded");
                tracer.log_attribute("k", 1);
                {
                    let _parse = tracer.span("parse");
                    lookup(21);
                }
                fetch.record("url", "https://example.org");
            }
            tracing::info!("after");
            // The runtime's own target is never recorded.
            let _ignored = tracing::info_span!(target: "burr", "internal").entered();
            tracing::info!(target: "burr", "internal");
            StepOutput {
                result: ResultMap::new(),
                state,
            }
        })
    }

    #[test]
    fn tracing_spans_and_events_inside_an_action_become_burr_spans() {
        let recorder = Recorder::new();
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry()
            .with(BurrLayer::new())
            .with(capture.clone());
        tracing::subscriber::with_default(subscriber, || {
            let mut app = ApplicationBuilder::new()
                .with_app_id("app")
                .with_action("mixed", mixed())
                .with_entrypoint("mixed")
                .with_hook(recorder.clone())
                .build()
                .unwrap();
            app.step().unwrap();
        });
        assert_eq!(
            recorder.spans(),
            lines(&[
                "start_span 0:0 outer in -",
                "start_span 0:0.0 fetch in 0:0",
                "attributes 0:0.0 url=\"https://example.com\"",
                "attributes 0:0.0 message=\"downloaded\" bytes=3",
                "attributes 0:0.0 k=1",
                "start_span 0:0.0.0 parse in 0:0.0",
                "start_span 0:0.0.0.0 lookup in 0:0.0.0",
                "attributes 0:0.0.0.0 id=21",
                "attributes 0:0.0.0.0 message=\"looking up\"",
                "end_span 0:0.0.0.0 lookup",
                "end_span 0:0.0.0 parse",
                "attributes 0:0.0 url=\"https://example.org\"",
                "end_span 0:0.0 fetch",
                "attributes 0:0 message=\"after\"",
                "end_span 0:0 outer",
            ])
        );
        // On the `tracing` side, the Burr span opened inside `fetch` nests under it.
        let new: Vec<String> = capture
            .lines()
            .into_iter()
            .filter(|l| l.starts_with("new "))
            .collect();
        assert_eq!(
            new,
            lines(&[
                "new call step app in -",
                "new step 0 app in call step app",
                "new 0:0 in step 0 app",
                "new 0:0.0.0 in fetch",
                "new internal in 0:0",
            ])
        );
    }

    /// Instruments its work with a `tracing` span and awaits inside it.
    fn remote() -> FnAction {
        FnAction::new_async(None::<&str>, None::<&str>, |state, _, ctx| async move {
            async {
                tracing::info!(part = 1, "sent");
                tokio::task::yield_now().await;
                let _s = ctx.tracer().span("decode");
                tokio::task::yield_now().await;
                tracing::info!(part = 2, "received");
            }
            .instrument(tracing::info_span!("remote"))
            .await;
            tokio::task::yield_now().await;
            tracing::info!("done");
            StepOutput {
                result: ResultMap::new(),
                state,
            }
        })
    }

    /// Emits events and spans of its own while the actions are suspended.
    async fn bystander() {
        for i in 0..6 {
            assert!(
                tracing::Span::current().is_none(),
                "a span leaked across an await"
            );
            let _span = tracing::info_span!("bystander", i).entered();
            tracing::info!("noise");
            drop(_span);
            tokio::task::yield_now().await;
        }
    }

    #[test]
    fn async_actions_keep_tracing_spans_nested_across_await() {
        let recorder = Recorder::new();
        let subscriber = tracing_subscriber::registry().with(BurrLayer::new());
        let runtime = rt();
        tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(async {
                let mut app = ApplicationBuilder::new()
                    .with_action("remote", remote())
                    .with_entrypoint("remote")
                    .with_hook(recorder.clone())
                    .build()
                    .unwrap();
                let (r, ()) = tokio::join!(app.step_async(), bystander());
                r.unwrap();
            });
        });
        assert_eq!(
            recorder.spans(),
            lines(&[
                "start_span 0:0 remote in -",
                "attributes 0:0 message=\"sent\" part=1",
                "start_span 0:0.0 decode in 0:0",
                "attributes 0:0.0 message=\"received\" part=2",
                "end_span 0:0.0 decode",
                "end_span 0:0 remote",
                "attributes - message=\"done\"",
            ])
        );
    }

    /// Emits a span and an event from a hook, outside the action.
    struct NoisyHook;

    impl LifecycleHook for NoisyHook {
        fn pre_run_step(&self, _: &burr_core::PreRunStep<'_>) {
            let _s = tracing::info_span!("in_hook").entered();
            tracing::info!("from a hook");
        }
    }

    #[test]
    fn nothing_is_recorded_outside_an_action() {
        let recorder = Recorder::new();
        let subscriber = tracing_subscriber::registry().with(BurrLayer::new());
        tracing::subscriber::with_default(subscriber, || {
            let before = tracing::info_span!("before_build").entered();
            tracing::info!("before");
            let mut app = ApplicationBuilder::new()
                .with_action("work", nested())
                .with_entrypoint("work")
                .with_hook(NoisyHook)
                .with_hook(recorder.clone())
                .build()
                .unwrap();
            app.step().unwrap();
            drop(before);
            let _after = tracing::info_span!("after_step").entered();
            tracing::info!("after");
        });
        // Only what the action itself did through the tracer.
        assert_eq!(
            recorder.spans(),
            lines(&[
                "attributes - top=1",
                "start_span 0:0 outer in -",
                "start_span 0:0.0 inner in 0:0",
                "attributes 0:0.0 k=\"v\"",
                "end_span 0:0.0 inner",
                "attributes 0:0 n=2",
                "end_span 0:0 outer",
                "start_span 0:1 second in -",
                "end_span 0:1 second",
            ])
        );
    }
}
