//! `#[trace]` inside actions: a recording hook sees each span begin and end, and the
//! attributes logged on it, in order.

use std::sync::{Arc, Mutex};

use burr::hooks::{AttributesEvent, LifecycleHook, SpanEvent};
use burr::prelude::*;

/// Records span and attribute events as lines, in the order the hooks fire.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Recorder {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl LifecycleHook for Recorder {
    fn pre_start_span(&self, e: &SpanEvent<'_>) {
        let parent = e.span.parent_uid.as_deref().unwrap_or("-");
        let line = format!("begin {} {} parent={parent}", e.span.uid, e.span.name);
        self.0.lock().unwrap().push(line);
    }

    fn post_end_span(&self, e: &SpanEvent<'_>) {
        self.0.lock().unwrap().push(format!("end {}", e.span.uid));
    }

    fn do_log_attributes(&self, e: &AttributesEvent<'_>) {
        let span = e.span.map_or("-", |s| s.uid.as_str());
        let attrs: Vec<String> = e
            .attributes
            .iter()
            .map(|(k, v)| match k.as_str() {
                "__burr_function_hash" => {
                    let hash = v.as_str().unwrap();
                    assert_eq!(hash.len(), 64, "{hash}");
                    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");
                    format!("{k}=<sha256>")
                }
                _ => format!("{k}={v}"),
            })
            .collect();
        let line = format!("attrs {span} {}", attrs.join(" "));
        self.0.lock().unwrap().push(line);
    }
}

#[trace(input_filterlist = ["password"])]
fn login(user: &str, password: &str) -> bool {
    check(user) && !password.is_empty()
}

#[trace]
fn check(user: &str) -> bool {
    user == "ada"
}

#[trace(
    capture_inputs = false,
    capture_outputs = false,
    span_name = "quiet-span"
)]
fn quiet(x: u32) -> u32 {
    x + 1
}

struct Opaque;

#[derive(Debug)]
struct DebugOnly(#[allow(dead_code)] u8);

struct Service;

impl Service {
    #[trace]
    fn describe(&self, opaque: Opaque, debug: DebugOnly, (a, b): (u8, u8)) -> String {
        let _ = opaque;
        format!("{debug:?}{a}{b}")
    }
}

#[action(reads = [user], writes = [ok])]
fn sign_in(state: State) -> Result<State, ActionError> {
    let user: String = state.get("user")?;
    let ok = login(&user, "hunter2");
    quiet(1);
    Service.describe(Opaque, DebugOnly(7), (1, 2));
    Ok(state.update("ok", ok))
}

fn app_with(
    recorder: &Arc<Recorder>,
    actions: Vec<(String, Arc<dyn Action>)>,
    entry: &str,
) -> Application {
    ApplicationBuilder::new()
        .with_actions(actions)
        .with_state(state! { user: "ada" })
        .with_entrypoint(entry)
        .with_hook(recorder.clone())
        .build()
        .unwrap()
}

#[test]
fn sync_spans_and_attributes_in_order() {
    let recorder = Arc::new(Recorder::default());
    let mut app = app_with(&recorder, actions![sign_in], "sign_in");
    app.step().unwrap();
    assert!(app.state().get::<bool>("ok").unwrap());
    assert_eq!(
        recorder.take(),
        [
            "begin 0:0 login parent=-",
            r#"attrs 0:0 user="ada""#,
            r#"attrs 0:0 __burr_function="trace_capture_inputs::login" __burr_function_hash=<sha256>"#,
            "begin 0:0.0 check parent=0:0",
            r#"attrs 0:0.0 user="ada""#,
            r#"attrs 0:0.0 __burr_function="trace_capture_inputs::check" __burr_function_hash=<sha256>"#,
            "attrs 0:0.0 return=true",
            "end 0:0.0",
            "attrs 0:0 return=true",
            "end 0:0",
            "begin 0:1 quiet-span parent=-",
            r#"attrs 0:1 __burr_function="trace_capture_inputs::quiet" __burr_function_hash=<sha256>"#,
            "end 0:1",
            "begin 0:2 describe parent=-",
            r#"attrs 0:2 opaque="<trace_capture_inputs::Opaque>" debug="DebugOnly(7)" a=1 b=2"#,
            r#"attrs 0:2 __burr_function="trace_capture_inputs::describe" __burr_function_hash=<sha256>"#,
            r#"attrs 0:2 return="DebugOnly(7)12""#,
            "end 0:2",
        ]
    );
}

#[test]
fn hashes_differ_between_functions() {
    #[derive(Default)]
    struct Hashes(Mutex<Vec<String>>);
    impl LifecycleHook for Hashes {
        fn do_log_attributes(&self, e: &AttributesEvent<'_>) {
            for (k, v) in e.attributes {
                if k == "__burr_function_hash" {
                    self.0.lock().unwrap().push(v.as_str().unwrap().to_string());
                }
            }
        }
    }
    let hashes = Arc::new(Hashes::default());
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![sign_in])
        .with_state(state! { user: "ada" })
        .with_entrypoint("sign_in")
        .with_hook(hashes.clone())
        .build()
        .unwrap();
    app.step().unwrap();
    let mut seen = hashes.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 4);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4, "each function has its own hash");
}

#[test]
fn outside_an_action_nothing_is_recorded() {
    let recorder = Arc::new(Recorder::default());
    let _app = app_with(&recorder, actions![sign_in], "sign_in");
    assert!(login("ada", "pw"));
    assert!(!login("bob", "pw"));
    assert_eq!(quiet(41), 42);
    assert_eq!(
        Service.describe(Opaque, DebugOnly(1), (3, 4)),
        "DebugOnly(1)34"
    );
    assert!(recorder.take().is_empty());
}

#[trace]
async fn fetch(id: u32) -> u32 {
    tokio::task::yield_now().await;
    double(id)
}

#[trace(capture_outputs = false)]
fn double(id: u32) -> u32 {
    id * 2
}

#[action(reads = [], writes = [sum])]
async fn gather(state: State) -> State {
    let first = fetch(10).await;
    let (a, b) = tokio::join!(fetch(1), fetch(2));
    state.update("sum", first + a + b)
}

#[tokio::test]
async fn async_spans_follow_their_futures() {
    let recorder = Arc::new(Recorder::default());
    let mut app = app_with(&recorder, actions![gather], "gather");
    app.step_async().await.unwrap();
    assert_eq!(app.state().get::<u32>("sum").unwrap(), 26);
    let events = recorder.take();
    let function = |name: &str, span: &str| {
        format!(
            r#"attrs {span} __burr_function="trace_capture_inputs::{name}" __burr_function_hash=<sha256>"#
        )
    };
    // The awaited call first, then the two joined calls: each is a sibling at the top, and
    // each `double` nests under the `fetch` that called it, whatever the interleaving.
    let expected_first = [
        "begin 0:0 fetch parent=-".to_string(),
        "attrs 0:0 id=10".to_string(),
        function("fetch", "0:0"),
        "begin 0:0.0 double parent=0:0".to_string(),
        "attrs 0:0.0 id=10".to_string(),
        function("double", "0:0.0"),
        "end 0:0.0".to_string(),
        "attrs 0:0 return=20".to_string(),
        "end 0:0".to_string(),
    ];
    assert_eq!(events[..9], expected_first, "{events:#?}");
    let joined = &events[9..];
    for (span, id) in [("0:1", 1), ("0:2", 2)] {
        let mine: Vec<&String> = joined
            .iter()
            .filter(|e| {
                e.split(' ')
                    .nth(1)
                    .is_some_and(|s| s == span || s.starts_with(&format!("{span}.")))
            })
            .collect();
        let expected = [
            format!("begin {span} fetch parent=-"),
            format!("attrs {span} id={id}"),
            function("fetch", span),
            format!("begin {span}.0 double parent={span}"),
            format!("attrs {span}.0 id={id}"),
            function("double", &format!("{span}.0")),
            format!("end {span}.0"),
            format!("attrs {span} return={}", id * 2),
            format!("end {span}"),
        ];
        assert_eq!(mine, expected.iter().collect::<Vec<_>>(), "{events:#?}");
    }
    assert_eq!(joined.len(), 18, "{events:#?}");
    // Both joined calls were open at the same time.
    let begin_2 = joined
        .iter()
        .position(|e| e == "begin 0:2 fetch parent=-")
        .unwrap();
    let end_1 = joined.iter().position(|e| e == "end 0:1").unwrap();
    assert!(begin_2 < end_1, "{events:#?}");
}

#[tokio::test]
async fn async_traced_function_outside_an_action() {
    assert_eq!(fetch(4).await, 8);
}
