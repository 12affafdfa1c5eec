#![doc = include_str!("../README.md")]

// The modules, in layers from the bottom up, one group of `mod` lines per layer: a module
// uses only modules of the groups before its own, so that no two modules depend on each
// other (`tests/layers.rs` checks it).

// Errors, the clock, and the markers of the `Into*` conversions.
mod error;
pub mod marker;
mod time;

// State.
mod state;

// Expressions, and the data of a step (its inputs and output).
pub mod expr;
mod step;

// The graph as declared (transitions, conditions) and as described to hooks (and in DOT).
mod graph;

// What an application saves through: persisters, and the journals reconciled with them.
pub mod persistence;

// What an application reports to: hooks (a tracker's hook can expose its journal).
pub mod hooks;

// How a failing or slow action is retried and timed out.
pub mod policy;

// The context of a step: its ids, tracer and spans.
mod context;

// Spans of the `tracing` ecosystem as Burr spans.
pub mod tracing_layer;

// LLM calls as spans with the GenAI semantic conventions.
pub mod genai;

// Runs, steps and spans exported to OpenTelemetry.
#[cfg(feature = "otel")]
pub mod otel;

// Actions.
pub mod action;

// The application: builder, runtime graph and step engine.
mod application;

// Parallel map/reduce over sub-applications.
pub mod parallel;

// Typed state: structs as the state, and what typed actions are built from.
pub mod typed;

// Test cases recorded from tracked runs, and running an action against them.
pub mod testing;

pub use action::stream;
pub use action::{
    Action, Bound, FnAction, Input, InputSpec, Inputs, IntoAction, IntoStepOutput, Placeholder,
    ResultAction, ResultMap, StepOutput,
};
pub use application::{
    Application, ApplicationBuilder, AsyncStreamIterate, AsyncStreamingResult, CancelHandle, Halt,
    Halted, InitializeFrom, Iterate, Outcome, SUSPENDED_KEY, SavePolicy, StepResult, StreamIterate,
    StreamOutcome, StreamingResult, Suspension, halt_after, halt_before,
};
pub use context::{ActionContext, SpanGuard, Tracer};
pub use error::{ActionError, BoxError, BuildProblem, Error, Result, StateError, TypedStateError};
pub use graph::{
    ActionInfo, Condition, DotOptions, Graph, GraphOptions, RenderError, TransitionInfo,
    TransitionSpec, default, expr, when,
};
pub use hooks::{
    ApplicationCreated, AsyncLifecycleHook, AttributesEvent, ExecuteCall, ExecuteMethod,
    LifecycleHook, Pointer, PostRunStep, PreRunStep, SpanEvent, SpanInfo, StreamEnd, StreamItem,
    StreamStart,
};
pub use persistence::{
    AsyncStateLoader, AsyncStateSaver, InMemoryPersister, Loader, PersistedState, PersistenceError,
    SaveRequest, Saver, StateLoader, StateSaver, Status, StepJournal,
};
pub use state::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State};
#[cfg(feature = "tracing-layer")]
pub use tracing_layer::BurrLayer;
pub use typed::TypedState;

#[doc(hidden)]
pub mod __private {
    //! Not a stable API: used by macros.
    pub use serde_json;
}
