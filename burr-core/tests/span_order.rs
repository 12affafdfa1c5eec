//! Span nesting when guards are dropped in any order: a new span never nests under a span
//! that has ended.

mod support;

use burr_core::*;
use support::Recorder;

/// Runs one step of an action whose body is `body`, and returns the span lines recorded.
fn spans_of(body: fn(&Tracer)) -> Vec<String> {
    let recorder = Recorder::new();
    let action = FnAction::new(
        Vec::<String>::new(),
        Vec::<String>::new(),
        move |state, _, ctx| {
            body(ctx.tracer());
            Ok::<_, ActionError>(StepOutput {
                result: ResultMap::new(),
                state,
            })
        },
    );
    let mut app = ApplicationBuilder::new()
        .with_action("work", action)
        .with_entrypoint("work")
        .with_hook(recorder.clone())
        .build()
        .unwrap();
    app.step().unwrap();
    recorder.spans()
}

fn lines(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| s.to_string()).collect()
}

#[test]
fn an_outer_guard_dropped_first_does_not_become_a_parent_again() {
    let spans = spans_of(|tracer| {
        let outer = tracer.span("outer");
        let inner = tracer.span("inner");
        drop(outer);
        drop(inner);
        let _after = tracer.span("after");
    });
    assert_eq!(
        spans,
        lines(&[
            "start_span 0:0 outer in -",
            "start_span 0:0.0 inner in 0:0",
            "end_span 0:0 outer",
            "end_span 0:0.0 inner",
            "start_span 0:1 after in -",
            "end_span 0:1 after",
        ])
    );
}

#[test]
fn a_span_opened_while_its_ended_parent_still_has_an_open_child_nests_under_the_child() {
    let spans = spans_of(|tracer| {
        let a = tracer.span("a");
        let b = tracer.span("b");
        drop(a);
        // `b` is still open and current.
        let c = tracer.span("c");
        drop(c);
        drop(b);
        let _d = tracer.span("d");
    });
    assert_eq!(
        spans,
        lines(&[
            "start_span 0:0 a in -",
            "start_span 0:0.0 b in 0:0",
            "end_span 0:0 a",
            "start_span 0:0.0.0 c in 0:0.0",
            "end_span 0:0.0.0 c",
            "end_span 0:0.0 b",
            "start_span 0:1 d in -",
            "end_span 0:1 d",
        ])
    );
}

#[test]
fn a_middle_span_dropped_first_hands_over_to_the_nearest_open_ancestor() {
    let spans = spans_of(|tracer| {
        let top = tracer.span("top");
        let mid = tracer.span("mid");
        let leaf = tracer.span("leaf");
        drop(mid);
        drop(leaf);
        let next = tracer.span("next");
        drop(next);
        drop(top);
    });
    assert_eq!(
        spans,
        lines(&[
            "start_span 0:0 top in -",
            "start_span 0:0.0 mid in 0:0",
            "start_span 0:0.0.0 leaf in 0:0.0",
            "end_span 0:0.0 mid",
            "end_span 0:0.0.0 leaf",
            "start_span 0:0.1 next in 0:0",
            "end_span 0:0.1 next",
            "end_span 0:0 top",
        ])
    );
}

#[test]
fn a_guard_dropped_on_another_thread_is_no_parent_on_the_step_thread() {
    let spans = spans_of(|tracer| {
        let moved = tracer.span("moved");
        std::thread::scope(|s| {
            s.spawn(move || drop(moved));
        });
        tracer.log_attribute("k", 1);
        let _after = tracer.span("after");
    });
    assert_eq!(
        spans,
        lines(&[
            "start_span 0:0 moved in -",
            "end_span 0:0 moved",
            "attributes - k=1",
            "start_span 0:1 after in -",
            "end_span 0:1 after",
        ])
    );
}
