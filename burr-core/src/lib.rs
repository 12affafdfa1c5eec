#![doc = include_str!("../README.md")]

pub mod action;
mod application;
mod context;
mod error;
pub mod expr;
mod graph;
pub mod hooks;
pub mod marker;
pub mod parallel;
pub mod persistence;
mod state;
mod step;
mod time;
pub mod tracing_layer;

pub use action::stream;
pub use action::{
    Action, Bound, FnAction, Input, InputSpec, Inputs, IntoAction, IntoStepOutput, Placeholder,
    ResultAction, ResultMap, StepOutput,
};
pub use application::{
    Application, ApplicationBuilder, AsyncStreamIterate, AsyncStreamingResult, Halt, Halted,
    InitializeFrom, Iterate, Outcome, StepResult, StreamIterate, StreamOutcome, StreamingResult,
    halt_after, halt_before,
};
pub use context::{ActionContext, SpanGuard, Tracer};
pub use error::{ActionError, BoxError, BuildProblem, BurrError, Error, Result, StateError};
pub use graph::{
    ActionInfo, Condition, DotOptions, Graph, TransitionInfo, TransitionSpec, default, expr, when,
};
pub use hooks::{
    ApplicationCreated, AsyncLifecycleHook, AttributesEvent, ExecuteCall, ExecuteMethod,
    LifecycleHook, Pointer, PostRunStep, PreRunStep, SpanEvent, SpanInfo, StreamEnd, StreamItem,
    StreamStart,
};
pub use persistence::{
    AsyncStateLoader, AsyncStateSaver, InMemoryPersister, Loader, PersistedState, PersistenceError,
    SaveRequest, Saver, StateLoader, StateSaver, Status,
};
pub use state::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State};
#[cfg(feature = "tracing-layer")]
pub use tracing_layer::BurrLayer;

#[doc(hidden)]
pub mod __private {
    //! Not a stable API: used by macros.
    pub use serde_json;
}
