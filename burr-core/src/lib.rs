#![doc = include_str!("../README.md")]

mod action;
mod application;
mod condition;
mod context;
mod error;
pub mod expr;
mod graph;
mod hooks;
pub mod parallel;
mod persistence;
mod state;
pub mod stream;
pub mod streaming;
mod time;
pub mod tracing_layer;

pub use action::{
    Action, Bound, Input, InputSpec, Inputs, IntoAction, Placeholder, ResultAction, ResultMap,
    StepOutput,
};
pub use application::{
    Application, ApplicationBuilder, Halt, Halted, InitializeFrom, IntoHook, Iterate, Outcome,
    StepResult, halt_after, halt_before,
};
pub use condition::{Condition, default, expr, when};
pub use context::{ActionContext, SpanGuard, Tracer};
pub use error::{ActionError, BoxError, BuildProblem, BurrError, Result, StateError};
pub use graph::{ActionInfo, DotOptions, Graph, TransitionInfo, TransitionSpec};
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
pub use streaming::{
    AsyncStreamIterate, AsyncStreamingResult, StreamIterate, StreamOutcome, StreamingResult,
};
#[cfg(feature = "tracing-layer")]
pub use tracing_layer::BurrLayer;

#[doc(hidden)]
pub mod __private {
    //! Not a stable API: used by macros.
    pub use serde_json;
}
