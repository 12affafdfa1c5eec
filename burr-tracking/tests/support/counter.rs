//! A tracked counter whose steps open a span and log an attribute in it (with non-ASCII text),
//! for the tests that track to a store and read it back.

use burr_core::{ActionError, ApplicationBuilder, FnAction, Pointer, State, StepOutput, default};
use burr_tracking::LocalTrackingClient;
use serde_json::json;

/// The counter action: `counter + 1`, in a span `work` with the attribute `note`.
pub(crate) fn traced_counter() -> FnAction {
    FnAction::new(
        ["counter"],
        ["counter"],
        |s, _, ctx| -> Result<StepOutput, ActionError> {
            let t = ctx.tracer();
            let span = t.span("work");
            span.log_attribute("note", json!({"π": "ünïcode", "n": [1, 2]}));
            drop(span);
            let n: i64 = s.get("counter")?;
            Ok(StepOutput::state(s.update("counter", n + 1)))
        },
    )
}

/// Runs `steps` steps of the counter as app `app_id` (with partition key `pk`, spawned by
/// `spawned_by`), tracked by `tracker`.
pub(crate) fn run_counter(
    tracker: &LocalTrackingClient,
    app_id: &str,
    pk: Option<&str>,
    spawned_by: Option<Pointer>,
    steps: usize,
) {
    let mut b = ApplicationBuilder::new()
        .with_action("counter", traced_counter())
        .with_transition("counter", "counter", default())
        .with_state(State::new().update("counter", 0))
        .with_entrypoint("counter")
        .with_app_id(app_id)
        .with_tracker(tracker.clone());
    if let Some(pk) = pk {
        b = b.with_partition_key(pk);
    }
    if let Some(parent) = spawned_by {
        b = b.with_spawning_parent(parent);
    }
    let mut app = b.build().unwrap();
    for _ in 0..steps {
        app.step().unwrap();
    }
}
