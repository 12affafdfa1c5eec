//! The runtime of burr: [`State`], [`Action`], conditions, the graph, [`ApplicationBuilder`]
//! and [`Application`], lifecycle hooks, span context and persister traits.
//!
//! Most users depend on the `burr` crate, which re-exports all of this together with the
//! `#[action]` and `#[trace]` attributes and the tracking client.
//!
//! ```
//! use burr_core::*;
//!
//! let mut app = ApplicationBuilder::new()
//!     .with_action("ask", Input::new(["question"]))
//!     .with_action("answer", ResultAction::new(["question"]))
//!     .with_transition("ask", "answer", default())
//!     .with_entrypoint("ask")
//!     .build()?;
//! let out = app.run(halt_after(["answer"]), inputs! { question: "why?" })?;
//! assert_eq!(out.state.get::<String>("question")?, "why?");
//! # Ok::<(), BurrError>(())
//! ```

mod action;
mod application;
mod condition;
mod context;
mod error;
pub mod expr;
mod graph;
pub mod parallel;
mod hooks;
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
#[cfg(feature = "tracing-layer")]
pub use tracing_layer::BurrLayer;
pub use error::{ActionError, BoxError, BuildProblem, BurrError, Result, StateError};
pub use graph::{ActionInfo, DotOptions, Graph, TransitionInfo, TransitionSpec};
pub use hooks::{
    ApplicationCreated, AsyncLifecycleHook, AttributesEvent, ExecuteCall, ExecuteMethod,
    LifecycleHook, Pointer, PostRunStep, PreRunStep, SpanEvent, SpanInfo, StreamEnd, StreamItem,
    StreamStart,
};
pub use persistence::{
    AsyncStateLoader, AsyncStateSaver, InMemoryPersister, Loader, PersistedState,
    PersistenceError, SaveRequest, Saver, StateLoader, StateSaver, Status,
};
pub use state::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State};

pub use streaming::{
    AsyncStreamIterate, AsyncStreamingResult, StreamIterate, StreamOutcome, StreamingResult,
};
#[doc(hidden)]
pub mod __private {
    //! Not a stable API: used by macros.
    pub use serde_json;
}
