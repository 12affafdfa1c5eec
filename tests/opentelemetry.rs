//! OpenTelemetry export, checked against a real OTLP/HTTP receiver on loopback: one root per
//! application call, one span per step under it, Burr spans, `#[trace]` functions and other
//! crates' spans nested, attributes, links, stream events, error statuses, masking and the
//! GenAI attributes of an LLM call; and the `opentelemetry` example end to end.
#![cfg(feature = "otel")]

#[path = "support/otlp_receiver.rs"]
mod otlp_receiver;
#[path = "../examples/support/question_answerer.rs"]
mod question_answerer;
#[path = "support/mod.rs"]
mod support;

use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

use burr::genai::LlmRequest;
use burr::otel::{MASKED, Masked, OtelConfig, OtlpProtocol};
use burr::prelude::*;
use burr::stream::Emitter;
use otlp_receiver::{Received, Receiver, attribute};
use serde_json::json;
use tracing_subscriber::layer::SubscriberExt;

/// Runs `f` with a subscriber that exports through `config` to `receiver`, then shuts the
/// exporter down (which flushes) and returns the trace ids of the calls `f` made.
fn exporting(config: OtelConfig, receiver: &Receiver, f: impl FnOnce()) -> Vec<String> {
    let exporter = config
        .endpoint(&receiver.url)
        .start()
        .expect("the exporter starts");
    let subscriber = tracing_subscriber::registry().with(exporter.layer());
    tracing::subscriber::with_default(subscriber, f);
    let ids = exporter.trace_ids();
    exporter
        .shutdown()
        .expect("every span reaches the receiver");
    ids
}

fn by_name<'a>(spans: &'a [Received], name: &str) -> Vec<&'a Received> {
    spans.iter().filter(|s| s.name() == name).collect()
}

fn one<'a>(spans: &'a [Received], name: &str) -> &'a Received {
    let found = by_name(spans, name);
    assert_eq!(found.len(), 1, "one span {name:?} among {:?}", names(spans));
    found[0]
}

fn names(spans: &[Received]) -> Vec<&str> {
    spans.iter().map(Received::name).collect()
}

fn parent_of<'a>(spans: &'a [Received], child: &Received) -> &'a Received {
    spans
        .iter()
        .find(|s| s.span.span_id == child.span.parent_span_id)
        .unwrap_or_else(|| panic!("the parent of {:?} was exported", child.name()))
}

#[test]
fn a_run_is_one_trace_with_its_steps_spans_and_the_spans_of_other_crates_nested() {
    let receiver = Receiver::start();
    let ids = exporting(
        OtelConfig::new()
            .service_name("qa-test")
            .mask_keys(["prompt"]),
        &receiver,
        || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            let mut app = question_answerer::builder()
                .with_app_id("qa-1")
                .with_partition_key("user-7")
                .build()
                .unwrap();
            runtime
                .block_on(app.run_async(halt_after(["answer"]), Inputs::new()))
                .unwrap();
        },
    );
    assert_eq!(ids.len(), 1, "one call, one trace");
    let spans = receiver.wait_until(|s| s.len() >= 11);
    assert!(spans.iter().all(|s| s.service == "qa-test"));
    assert!(
        spans.iter().all(|s| s.trace_id() == ids[0]),
        "every span is in the run's trace"
    );

    let root = one(&spans, "arun");
    assert!(root.is_root(), "the call is the root");
    assert_eq!(root.attr("burr.app_id").as_deref(), Some("qa-1"));
    assert_eq!(root.attr("burr.partition_key").as_deref(), Some("user-7"));
    assert_eq!(spans.iter().filter(|s| s.is_root()).count(), 1);

    let search = one(&spans, "search");
    let answer = one(&spans, "answer");
    for (step, seq) in [(search, "0"), (answer, "1")] {
        assert_eq!(parent_of(&spans, step).name(), "arun");
        assert_eq!(step.attr("burr.sequence_id").as_deref(), Some(seq));
        assert_eq!(step.attr("burr.action").as_deref(), Some(step.name()));
        let status = step.span.status.as_ref().expect("a status");
        assert_eq!(status.code, 1, "ok: {status:?}");
    }
    // An action-level attribute is an attribute of the step.
    assert_eq!(search.attr("question_length").as_deref(), Some("18"));

    // Burr spans and #[trace] functions nest as they ran.
    let retrieval = one(&spans, "retrieval");
    assert_eq!(parent_of(&spans, retrieval).name(), "search");
    assert_eq!(retrieval.attr("source").as_deref(), Some("canned index"));
    let retrieve = one(&spans, "retrieve");
    assert_eq!(parent_of(&spans, retrieve).name(), "retrieval");
    assert_eq!(retrieve.attr("limit").as_deref(), Some("2"));
    assert!(
        retrieve
            .attr("return")
            .is_some_and(|r| r.contains("state machines"))
    );
    // A span another crate opened with `tracing` nests under the span that was current.
    let query = one(&spans, "index.query");
    assert_eq!(parent_of(&spans, query).name(), "retrieve");
    assert_eq!(query.attr("db.system").as_deref(), Some("canned"));

    let compose = one(&spans, "compose");
    assert_eq!(parent_of(&spans, compose).name(), "answer");
    let build = one(&spans, "build_prompt");
    let llm = one(&spans, "llm");
    // A declared dependency is a link to the span it names.
    assert_eq!(llm.span.links.len(), 1, "llm links to build_prompt");
    assert_eq!(llm.span.links[0].span_id, build.span.span_id);
    assert_eq!(llm.span.links[0].trace_id, build.span.trace_id);

    // The LLM call carries the GenAI conventions, and Burr's Insights names.
    let chat = one(&spans, "chat canned-1");
    assert_eq!(parent_of(&spans, chat).name(), "llm");
    for (key, value) in [
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "canned"),
        ("gen_ai.request.model", "canned-1"),
        ("gen_ai.response.model", "canned-1"),
        ("gen_ai.response.finish_reasons", "[stop]"),
    ] {
        assert_eq!(chat.attr(key).as_deref(), Some(value), "{key}");
    }
    let input = chat
        .attr("gen_ai.usage.input_tokens")
        .expect("input tokens");
    assert!(input.parse::<u64>().unwrap() > 10);
    assert_eq!(chat.attr("gen_ai.usage.prompt_tokens"), Some(input));
    assert!(chat.attr("gen_ai.usage.output_tokens").is_some());

    // The model call's prompt is masked; its API key was never captured.
    let call_model = one(&spans, "call_model");
    assert_eq!(parent_of(&spans, call_model).name(), "chat canned-1");
    assert_eq!(call_model.attr("prompt").as_deref(), Some(MASKED));
    assert_eq!(call_model.attr("api_key"), None);
    let everything = format!("{spans:?}");
    assert!(
        !everything.contains("Question: What does Burr do?"),
        "no prompt text leaves"
    );
    assert!(!everything.contains("sk-not-a-real-key"));
    // Burr attributes are attributes, not duplicated as events.
    assert!(
        spans
            .iter()
            .all(|s| s.span.events.iter().all(|e| e.name != "burr.attribute"))
    );
}

#[action(reads = [count], writes = [count], tags = [cheap])]
fn count(state: State) -> State {
    let n: i64 = state.get("count").unwrap_or(0);
    state.update("count", n + 1)
}

#[action(reads = [count], writes = [])]
fn fail(state: State, tracer: &Tracer) -> Result<State, ActionError> {
    let _ = state;
    tracer
        .llm_call(&LlmRequest::chat("openai", "gpt-4o"))
        .fail("rate_limited");
    Err(ActionError::msg("the model is down"))
}

#[streaming_action(reads = [], writes = [reply])]
fn talk(state: State, emit: &Emitter) -> Result<(ResultMap, State), ActionError> {
    for token in ["a", "b", "c"] {
        emit.item(json!({ "delta": token }))?;
    }
    Ok((ResultMap::new(), state.update("reply", "abc")))
}

#[test]
fn each_call_is_its_own_trace_and_failures_streams_and_tags_are_visible() {
    let receiver = Receiver::start();
    let ids = exporting(OtelConfig::new(), &receiver, || {
        let mut app = ApplicationBuilder::new()
            .with_actions(actions![count, talk, fail])
            .with_transition("count", "talk", default())
            .with_transition("talk", "fail", default())
            .with_state(state! { count: 0 })
            .with_entrypoint("count")
            .build()
            .unwrap();
        app.step().unwrap();
        let (_, mut stream) = app
            .stream_result(halt_after(["talk"]), Inputs::new())
            .unwrap();
        assert_eq!(stream.by_ref().count(), 3);
        stream.finish().unwrap();
        assert!(app.run(halt_after(["fail"]), Inputs::new()).is_err());
    });
    let spans = receiver.wait_until(|s| s.len() >= 7);
    assert_eq!(
        ids.len(),
        3,
        "step, stream_result and run: three traces: {:?}",
        names(&spans)
    );
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3);
    let roots: Vec<&str> = spans
        .iter()
        .filter(|s| s.is_root())
        .map(Received::name)
        .collect();
    assert_eq!(roots.len(), 3, "{roots:?}");
    for name in ["step", "stream_result", "run"] {
        assert!(roots.contains(&name), "{name} in {roots:?}");
    }

    let counted = one(&spans, "count");
    assert_eq!(parent_of(&spans, counted).name(), "step");
    assert_eq!(counted.attr("burr.tags").as_deref(), Some("cheap"));

    let talked = one(&spans, "talk");
    assert_eq!(parent_of(&spans, talked).name(), "stream_result");
    let events: Vec<&str> = talked.span.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(events, ["burr.stream.first_item", "burr.stream.end"]);
    let end = &talked.span.events[1];
    assert_eq!(
        attribute(&end.attributes, "burr.items_streamed").as_deref(),
        Some("3")
    );

    let failed = one(&spans, "fail");
    let run = parent_of(&spans, failed);
    assert_eq!(run.name(), "run");
    for span in [failed, run] {
        let status = span.span.status.as_ref().expect("a status");
        assert_eq!(status.code, 2, "error: {status:?}");
        assert!(status.message.contains("the model is down"), "{status:?}");
    }
    let call = one(&spans, "chat gpt-4o");
    assert_eq!(parent_of(&spans, call).name(), "fail");
    assert_eq!(call.attr("error.type").as_deref(), Some("rate_limited"));
    let status = call.span.status.as_ref().expect("a status");
    assert_eq!((status.code, status.message.as_str()), (2, "rate_limited"));
}

#[test]
fn a_masking_function_replaces_or_removes_values_and_json_is_spoken_too() {
    let receiver = Receiver::start();
    let config = OtelConfig::new()
        .protocol(OtlpProtocol::HttpJson)
        .mask(|key, _| match key {
            "email" => Masked::Replace("someone@…".into()),
            "secret" => Masked::Remove,
            _ => Masked::Keep,
        });
    exporting(config, &receiver, || {
        let mut app = ApplicationBuilder::new()
            .with_action(
                "sign_up",
                FnAction::new(
                    Vec::<String>::new(),
                    ["done"],
                    |state: State, _: &Inputs, ctx: &ActionContext| {
                        ctx.tracer().log_attributes([
                            ("email", json!("ada@example.com")),
                            ("secret", json!("s3cr3t")),
                            ("plan", json!("free")),
                        ]);
                        state.update("done", true)
                    },
                ),
            )
            .with_entrypoint("sign_up")
            .build()
            .unwrap();
        app.step().unwrap();
    });
    let spans = receiver.wait_until(|s| s.len() >= 2);
    assert!(
        receiver
            .content_types()
            .iter()
            .all(|t| t.starts_with("application/json"))
    );
    let step = one(&spans, "sign_up");
    assert_eq!(step.attr("email").as_deref(), Some("someone@…"));
    assert_eq!(step.attr("secret"), None);
    assert_eq!(step.attr("plan").as_deref(), Some("free"));
    assert!(!format!("{spans:?}").contains("ada@example.com"));
}

#[test]
fn the_opentelemetry_example_prints_the_trace_id_it_exported() {
    let receiver = Receiver::start();
    let out = Command::new(support::example("opentelemetry"))
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)
        .env("OTEL_SERVICE_NAME", "example-test")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_PROTOCOL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("trace id: "))
        .expect("the trace id is printed");
    assert_eq!(trace_id.len(), 32);
    assert!(stdout.contains("exported to"), "{stdout}");
    let spans = receiver.spans();
    let root = spans.iter().find(|s| s.is_root()).expect("a root");
    assert_eq!(root.trace_id(), trace_id);
    assert_eq!(root.service, "example-test");
    assert!(spans.iter().all(|s| s.trace_id() == trace_id));
    assert!(by_name(&spans, "chat canned-1").len() == 1);
    assert_eq!(
        one(&spans, "call_model").attr("prompt").as_deref(),
        Some(MASKED)
    );
}

#[test]
fn the_opentelemetry_example_exports_over_https_to_a_collector_it_trusts() {
    let (receiver, certificate) = Receiver::start_tls();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("collector.pem");
    std::fs::write(&ca, certificate).unwrap();
    let out = Command::new(support::example("opentelemetry"))
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)
        .env("SSL_CERT_FILE", &ca)
        .env_remove("SSL_CERT_DIR")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_PROTOCOL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("exported to"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("trace id: "))
        .expect("the trace id is printed");
    let spans = receiver.spans();
    assert!(
        spans
            .iter()
            .any(|s| s.is_root() && s.trace_id() == trace_id)
    );
    assert!(by_name(&spans, "chat canned-1").len() == 1);
}

#[test]
fn an_https_collector_whose_certificate_is_not_trusted_exports_nothing() {
    let (receiver, _) = Receiver::start_tls();
    let out = Command::new(support::example("opentelemetry"))
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url)
        .env("OTEL_EXPORTER_OTLP_TIMEOUT", "5000")
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_PROTOCOL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("nothing exported"), "{stderr}");
    assert!(receiver.spans().is_empty());
}

#[test]
fn the_opentelemetry_example_exits_0_when_no_collector_listens() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = Instant::now();
    let out = Command::new(support::example("opentelemetry"))
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{port}"),
        )
        .env("OTEL_EXPORTER_OTLP_TIMEOUT", "2000")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("trace id: ") && l.len() == 42),
        "{stdout}"
    );
    assert!(stderr.contains("nothing exported"), "{stderr}");
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
fn dropping_the_exporter_flushes_what_it_holds() {
    let receiver = Receiver::start();
    let exporter = OtelConfig::new()
        .endpoint(&receiver.url)
        .start()
        .expect("the exporter starts");
    let subscriber = tracing_subscriber::registry().with(exporter.layer());
    tracing::subscriber::with_default(subscriber, || {
        let mut app = ApplicationBuilder::new()
            .with_actions(actions![count])
            .with_transition("count", "count", default())
            .with_state(state! { count: 0 })
            .with_entrypoint("count")
            .build()
            .unwrap();
        app.run(halt_after(["count"]), Inputs::new()).unwrap();
    });
    // Batched, not yet sent: the default batch waits seconds before it posts.
    assert!(receiver.spans().is_empty());
    drop(exporter);
    let spans = receiver.spans();
    assert_eq!(names(&spans).len(), 2, "{:?}", names(&spans));
    assert!(by_name(&spans, "count").len() == 1 && by_name(&spans, "run").len() == 1);
}
