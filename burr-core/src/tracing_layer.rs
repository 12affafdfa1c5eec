//! The bridge between Burr's spans and the [`tracing`] ecosystem, in both directions.
//!
//! **Burr to `tracing` (always on).** Every step the runtime runs is a `tracing` span named
//! `burr.step`, and every Burr span (opened with [`Tracer::span`](crate::Tracer::span) or
//! `#[trace]`) is a `tracing` span named `burr.span` nested inside it, all with target `burr`
//! and level `INFO`. `tracing` span names are static, so the Burr name travels in the fields:
//!
//! | span        | fields |
//! |-------------|--------|
//! | `burr.step` | `otel.name` (the action), `burr.action`, `burr.sequence_id`, `burr.app_id`, `burr.partition_key` |
//! | `burr.span` | `otel.name` (the span's name), `burr.span_name`, `burr.span_id` (`"3:0.1"`), `burr.action`, `burr.sequence_id`, `burr.app_id` |
//!
//! `otel.name` is the field `tracing-opentelemetry` uses as the exported span's name, so an
//! OpenTelemetry backend shows the action and span names. Attributes logged through the tracer
//! become `INFO` events named `burr.attribute` (target `burr`) inside their span, with the
//! fields `key` and `value` (the value as compact JSON). A span is entered only while its code
//! runs: the runtime enters the step span (and the current Burr span) around the action and
//! around every poll of an async action, never across an `.await`. When no subscriber is
//! interested in target `burr`, all of this costs a couple of level checks per step. With a
//! subscriber listening, an application without hooks records its spans too (for `tracing`).
//!
//! # Examples
//!
//! Print every step, span and attribute with `tracing-subscriber`'s formatter:
//!
//! ```
//! use burr_core::*;
//!
//! let answer = FnAction::new(None::<&str>, None::<&str>, |state, _, ctx| {
//!     let span = ctx.tracer().span("retrieve");
//!     span.log_attribute("documents", 3);
//!     state
//! });
//!
//! // Prints (fields shortened):
//! // INFO burr.step{otel.name="answer" ..}:burr.span{otel.name="retrieve" burr.span_id="0:0" ..}:
//! //   burr: key="documents" value=3
//! let subscriber = tracing_subscriber::fmt().with_test_writer().finish();
//! tracing::subscriber::with_default(subscriber, || {
//!     let mut app = ApplicationBuilder::new()
//!         .with_action("answer", answer)
//!         .with_entrypoint("answer")
//!         .build()?;
//!     app.step()?;
//!     Ok::<(), Error>(())
//! })?;
//! # Ok::<(), Error>(())
//! ```
//!
//! **`tracing` to Burr (feature `tracing-layer`).** `BurrLayer` is a
//! `tracing-subscriber` layer that turns the spans and events of the code an action calls
//! (for instance functions instrumented with `#[tracing::instrument]` in other crates) into
//! Burr spans and attributes, so they appear in the tracking UI.

#[cfg(feature = "tracing-layer")]
pub use layer::BurrLayer;

#[cfg(feature = "tracing-layer")]
mod layer {
    use std::cell::{Cell, RefCell};
    use std::fmt;
    use std::sync::Arc;

    use serde_json::Value;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Subscriber};
    use tracing_subscriber::layer::{Context, Layer};
    use tracing_subscriber::registry::LookupSpan;

    use crate::context::{self, SpanNode, StepTrace, TARGET};

    /// A [`tracing_subscriber::Layer`] that records the `tracing` spans and events of the
    /// code an action runs as Burr spans and attributes, so that they reach the lifecycle
    /// hooks (and the tracking UI) like spans opened with [`Tracer::span`](crate::Tracer::span).
    ///
    /// While a step runs on a thread:
    ///
    /// - a `tracing` span created there becomes a Burr span (its `tracing` name is the Burr
    ///   name), a child of its `tracing` parent when that is itself a recorded span, else of
    ///   the Burr span current at that moment. Its fields (and later
    ///   [`record`](tracing::Span::record)s) become attributes of the span; it begins when
    ///   created and ends when closed. While it is entered, it is the current Burr span, so
    ///   spans opened with the tracer or `#[trace]` inside it nest under it;
    /// - an event becomes attributes (its `message` and its fields, in order) of its span.
    ///
    /// Everything with target `burr` (what the runtime itself emits) or from burr's crates is
    /// ignored, and outside a step the layer does nothing. Field values keep their JSON type
    /// when they are numbers, booleans or strings; anything else is recorded as its `Debug`
    /// text.
    ///
    /// A span that outlives its step (kept and closed after the step ended) still ends in the
    /// sync hooks, but async hooks only see what happened before the step completed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use burr_core::*;
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let fetch = FnAction::new(None::<&str>, None::<&str>, |state, _, _| {
    ///     let _span = tracing::info_span!("fetch", url = "https://example.com").entered();
    ///     tracing::info!(bytes = 512, "downloaded");
    ///     state
    /// });
    ///
    /// #[derive(Default)]
    /// struct Spans(Mutex<Vec<String>>);
    /// impl LifecycleHook for Spans {
    ///     fn pre_start_span(&self, e: &SpanEvent<'_>) {
    ///         self.0.lock().unwrap().push(format!("{} {}", e.span.uid, e.span.name));
    ///     }
    /// }
    ///
    /// let spans = Arc::new(Spans::default());
    /// let subscriber = tracing_subscriber::registry().with(BurrLayer::new());
    /// tracing::subscriber::with_default(subscriber, || {
    ///     let mut app = ApplicationBuilder::new()
    ///         .with_action("fetch", fetch)
    ///         .with_entrypoint("fetch")
    ///         .with_hook(spans.clone())
    ///         .build()?;
    ///     app.step()?;
    ///     Ok::<(), Error>(())
    /// })?;
    /// assert_eq!(*spans.0.lock().unwrap(), ["0:0 fetch"]);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// A hook may itself log through `tracing`: what happens while the layer reports to the
    /// hooks is not recorded again, so a hook that logs cannot feed itself (a global
    /// subscriber, unlike a scoped one, would let it):
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use burr_core::*;
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let greet = FnAction::new(None::<&str>, None::<&str>, |state, _, _| {
    ///     tracing::info!("hello");
    ///     state
    /// });
    ///
    /// struct Chatty(AtomicUsize);
    /// impl LifecycleHook for Chatty {
    ///     fn do_log_attributes(&self, e: &AttributesEvent<'_>) {
    ///         self.0.fetch_add(1, Ordering::Relaxed);
    ///         tracing::info!(count = e.attributes.len(), "attributes were logged");
    ///     }
    /// }
    ///
    /// tracing::subscriber::set_global_default(
    ///     tracing_subscriber::registry().with(BurrLayer::new()),
    /// )
    /// .expect("the first global subscriber");
    /// let hook = Arc::new(Chatty(AtomicUsize::new(0)));
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("greet", greet)
    ///     .with_entrypoint("greet")
    ///     .with_hook(hook.clone())
    ///     .build()?;
    /// app.step()?;
    /// assert_eq!(hook.0.load(Ordering::Relaxed), 1);
    /// # Ok::<(), Error>(())
    /// ```
    #[derive(Debug, Default, Clone, Copy)]
    pub struct BurrLayer {
        _private: (),
    }

    impl BurrLayer {
        /// A new layer; add it to a [`tracing_subscriber::Registry`] with
        /// [`SubscriberExt::with`](tracing_subscriber::layer::SubscriberExt::with), beside any
        /// other layer (formatting, OpenTelemetry export).
        ///
        /// # Examples
        ///
        /// ```
        /// use tracing_subscriber::layer::SubscriberExt;
        /// let subscriber = tracing_subscriber::registry().with(burr_core::BurrLayer::new());
        /// let _guard = tracing::subscriber::set_default(subscriber);
        /// tracing::info!("outside any action: nothing is recorded");
        /// ```
        pub fn new() -> Self {
            BurrLayer::default()
        }
    }

    /// What the layer keeps in the extensions of a `tracing` span it recorded.
    struct Recorded {
        step: Arc<StepTrace>,
        node: Arc<SpanNode>,
        /// The span to make current when this one is entered again (set when it is exited).
        resume: Option<Arc<SpanNode>>,
    }

    /// A span the layer made current on this thread, and what was current before.
    struct Entered {
        id: Id,
        step: Arc<StepTrace>,
        prev: Option<Arc<SpanNode>>,
    }

    thread_local! {
        static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
        /// Set while the layer reports to the hooks on this thread.
        static REPORTING: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `report` (which calls the hooks) unless the layer is already reporting on this
    /// thread: what a hook itself logs or opens through `tracing` is not recorded again, so
    /// a hook that logs cannot recurse into itself.
    fn reporting(report: impl FnOnce()) {
        struct Done;
        impl Drop for Done {
            fn drop(&mut self) {
                REPORTING.with(|r| r.set(false));
            }
        }
        if REPORTING.with(|r| r.replace(true)) {
            return;
        }
        let _done = Done;
        report();
    }

    /// Whether `target` belongs to burr itself (the runtime's spans and events, the tracker's
    /// logs): the layer must not record those, or it would record its own output.
    fn is_burr_target(target: &str) -> bool {
        target == TARGET
            || ["burr::", "burr_core", "burr_tracking", "burr_macros"]
                .iter()
                .any(|prefix| target.starts_with(prefix))
    }

    /// The recorded span behind `id`, if it belongs to `step`.
    fn recorded_in<S>(ctx: &Context<'_, S>, id: &Id, step: &Arc<StepTrace>) -> Option<Arc<SpanNode>>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let span = ctx.span(id)?;
        let ext = span.extensions();
        let rec = ext.get::<Recorded>()?;
        Arc::ptr_eq(&rec.step, step).then(|| rec.node.clone())
    }

    /// The Burr span that a new span or event belongs to: its explicit parent when that was
    /// recorded in this step, nothing for an explicit root, else the current Burr span.
    fn burr_parent<S>(
        ctx: &Context<'_, S>,
        is_root: bool,
        explicit: Option<&Id>,
        current: &context::Current,
    ) -> Option<Arc<SpanNode>>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        if is_root {
            return None;
        }
        explicit
            .and_then(|id| recorded_in(ctx, id, current.step()))
            .or_else(|| current.span().cloned())
    }

    impl<S> Layer<S> for BurrLayer
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            if !crate::Tracer::is_active() || is_burr_target(attrs.metadata().target()) {
                return;
            }
            let Some(current) = context::current() else {
                return;
            };
            reporting(|| {
                let parent = burr_parent(&ctx, attrs.is_root(), attrs.parent(), &current);
                let step = current.step();
                let node = step.open_untraced(parent, attrs.metadata().name());
                let mut fields = Fields::default();
                attrs.record(&mut fields);
                if !fields.0.is_empty() {
                    step.log_untraced(Some(&node), fields.0);
                }
                if let Some(span) = ctx.span(id) {
                    span.extensions_mut().insert(Recorded {
                        step: step.clone(),
                        node,
                        resume: None,
                    });
                }
            });
        }

        fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
            let Some(span) = ctx.span(id) else { return };
            let Some((step, node)) = span
                .extensions()
                .get::<Recorded>()
                .map(|rec| (rec.step.clone(), rec.node.clone()))
            else {
                return;
            };
            let mut fields = Fields::default();
            values.record(&mut fields);
            if !fields.0.is_empty() {
                reporting(|| step.log_untraced(Some(&node), fields.0));
            }
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            if !crate::Tracer::is_active() || is_burr_target(event.metadata().target()) {
                return;
            }
            let Some(current) = context::current() else {
                return;
            };
            let span = burr_parent(&ctx, event.is_root(), event.parent(), &current);
            let mut fields = Fields::default();
            event.record(&mut fields);
            if !fields.0.is_empty() {
                reporting(|| current.step().log_untraced(span.as_deref(), fields.0));
            }
        }

        fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
            if !crate::Tracer::is_active() {
                return;
            }
            let Some(span) = ctx.span(id) else { return };
            let (step, target) = {
                let ext = span.extensions();
                let Some(rec) = ext.get::<Recorded>() else {
                    return;
                };
                let target = rec.resume.clone().unwrap_or_else(|| rec.node.clone());
                (rec.step.clone(), target)
            };
            // Entering calls back into the subscriber: hold no borrow across it.
            if let Some(prev) = context::resume_span(&step, target) {
                ENTERED.with(|e| {
                    e.borrow_mut().push(Entered {
                        id: id.clone(),
                        step,
                        prev,
                    });
                });
            }
        }

        fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
            let gone = ENTERED.with(|e| {
                let mut entered = e.borrow_mut();
                let pos = entered.iter().rposition(|x| x.id == *id)?;
                let gone = entered.remove(pos);
                match entered.get_mut(pos) {
                    // Exited out of order: the span entered after it now restores what it
                    // restored, and the current span stays as it is.
                    Some(next) => {
                        next.prev = gone.prev;
                        None
                    }
                    None => Some(gone),
                }
            });
            let Some(gone) = gone else { return };
            // What is current now (this span, or a Burr span opened inside it and still open)
            // becomes current again the next time this span is entered: that is how an
            // instrumented future keeps its spans across `.await`s.
            if let Some(left) = context::suspend_span(&gone.step, gone.prev)
                && let Some(span) = ctx.span(id)
                && let Some(rec) = span.extensions_mut().get_mut::<Recorded>()
            {
                rec.resume = left;
            }
        }

        fn on_close(&self, id: Id, ctx: Context<'_, S>) {
            let Some(span) = ctx.span(&id) else { return };
            let mut ext = span.extensions_mut();
            if let Some(rec) = ext.remove::<Recorded>() {
                drop(ext);
                rec.step.close_untraced(&rec.node);
            }
        }
    }

    /// Collects the fields of a span or event as attributes.
    #[derive(Default)]
    struct Fields(Vec<(String, Value)>);

    impl Fields {
        fn push(&mut self, field: &Field, value: Value) {
            self.0.push((field.name().to_string(), value));
        }
    }

    impl Visit for Fields {
        fn record_f64(&mut self, field: &Field, value: f64) {
            self.push(
                field,
                serde_json::Number::from_f64(value)
                    .map_or_else(|| Value::String(value.to_string()), Value::Number),
            );
        }
        fn record_i64(&mut self, field: &Field, value: i64) {
            self.push(field, value.into());
        }
        fn record_u64(&mut self, field: &Field, value: u64) {
            self.push(field, value.into());
        }
        fn record_i128(&mut self, field: &Field, value: i128) {
            let value =
                i64::try_from(value).map_or_else(|_| Value::String(value.to_string()), Value::from);
            self.push(field, value);
        }
        fn record_u128(&mut self, field: &Field, value: u128) {
            let value =
                u64::try_from(value).map_or_else(|_| Value::String(value.to_string()), Value::from);
            self.push(field, value);
        }
        fn record_bool(&mut self, field: &Field, value: bool) {
            self.push(field, value.into());
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.push(field, value.into());
        }
        fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
            self.push(field, value.to_string().into());
        }
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.push(field, format!("{value:?}").into());
        }
    }
}
