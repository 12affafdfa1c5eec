//! What the `tracing` bridge costs per step: no subscriber at all, a subscriber that is not
//! interested in target `burr`, and a subscriber with `BurrLayer` (everything enabled).
//!
//! Run with
//!
//! ```not_rust
//! cargo bench -p burr-core --features tracing-layer --bench tracing_bridge
//! ```

use std::hint::black_box;

use burr_core::{
    Application, ApplicationBuilder, BurrLayer, FnAction, LifecycleHook, ResultMap, StepOutput,
};
use criterion::{Criterion, criterion_main};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;

/// Two nested spans and an attribute, the shape of a typical traced action.
fn traced() -> FnAction {
    FnAction::new(None::<&str>, None::<&str>, |state, _, ctx| {
        let tracer = ctx.tracer();
        let _outer = tracer.span("outer");
        let inner = tracer.span("inner");
        inner.log_attribute("n", 1);
        StepOutput {
            result: ResultMap::new(),
            state,
        }
    })
}

/// A hook that ignores everything, so that the tracer records.
struct Quiet;
impl LifecycleHook for Quiet {}

fn app(hooks: bool) -> Application {
    let builder = ApplicationBuilder::new()
        .with_action("traced", traced())
        .with_transition("traced", "traced", burr_core::default())
        .with_entrypoint("traced");
    let builder = if hooks {
        builder.with_hook(Quiet)
    } else {
        builder
    };
    builder.build().expect("a valid graph")
}

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    for hooks in [false, true] {
        let suffix = if hooks { "with a hook" } else { "no hook" };
        let mut a = app(hooks);
        group.bench_function(format!("no subscriber, {suffix}"), |b| {
            b.iter(|| black_box(a.step().expect("step runs")))
        });
        let not_burr = tracing_subscriber::registry()
            .with(Targets::new().with_target("my_app", LevelFilter::INFO));
        let mut a = app(hooks);
        tracing::subscriber::with_default(not_burr, || {
            group.bench_function(format!("subscriber not listening to burr, {suffix}"), |b| {
                b.iter(|| black_box(a.step().expect("step runs")))
            });
        });
        let layer = tracing_subscriber::registry().with(BurrLayer::new());
        let mut a = app(hooks);
        tracing::subscriber::with_default(layer, || {
            group.bench_function(format!("BurrLayer, {suffix}"), |b| {
                b.iter(|| black_box(a.step().expect("step runs")))
            });
        });
    }
    group.finish();
}

mod group {
    // In a module of its own: the function the macro generates has no docs.
    criterion::criterion_group!(benches, super::steps);
}
criterion_main!(group::benches);
