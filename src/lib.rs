#![doc = include_str!("../README.md")]

pub use burr_core::action::{ActionKind, Call};
/// Retries and timeouts: [`policy::RetryPolicy`] and the attributes failed attempts log.
pub use burr_core::policy;
pub use burr_core::{
    Action, ActionContext, ActionError, Application, ApplicationBuilder, Bound, BoxError,
    BuildProblem, CancelHandle, Condition, Error, FnAction, Halt, Halted, InitializeFrom, Input,
    InputSpec, Inputs, IntoAction, IntoStepOutput, Iterate, Outcome, Placeholder, ResultAction,
    ResultMap, SpanGuard, State, StateError, StepOutput, StepResult, Suspension, Tracer,
    TypedState, TypedStateError, actions, default, expr, halt_after, halt_before, inputs, state,
    when,
};
pub use burr_macros::{TypedState, action, streaming_action, trace};

/// Typed state: the field descriptions, update rules and conversions behind
/// `#[derive(TypedState)]` and typed actions.
pub mod typed {
    pub use burr_core::typed::{FieldInfo, TypedOutput, UpdateRule, Writes};
}

/// LLM calls as spans with the OpenTelemetry GenAI semantic conventions (see
/// [`Tracer::llm_call`]).
pub use burr_core::genai;

/// Test cases recorded from tracked runs (`burr test-case`), and running an action against
/// them.
pub use burr_core::testing;

/// OpenTelemetry export (feature `otel`): every application call a trace, every step a span.
#[cfg(feature = "otel")]
pub use burr_core::otel;

/// The former name of [`Error`].
#[deprecated(since = "0.2.0", note = "renamed to `burr::Error`")]
pub type BurrError = Error;

/// Shorthand for results whose error is [`Error`]. Not in the prelude: it would shadow
/// `std::result::Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The reserved state keys the runtime maintains.
pub mod keys {
    pub use burr_core::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, SUSPENDED_KEY};
}

/// Lifecycle hooks: code that runs around an application's calls, steps, spans and streams.
pub mod hooks {
    pub use burr_core::hooks::{Hook, IntoHook};
    pub use burr_core::{
        ApplicationCreated, AsyncLifecycleHook, AttributesEvent, ExecuteCall, ExecuteMethod,
        LifecycleHook, Pointer, PostRunStep, PreRunStep, SpanEvent, SpanInfo, StreamEnd,
        StreamItem, StreamStart,
    };
}

/// The markers that let one builder method take sync and async hooks, savers and loaders.
pub mod marker {
    pub use burr_core::marker::{Async, Converted, SharedAsync, SharedSync, Sync};
}

/// State persistence: the saver and loader traits, the in-memory persister, and (with the
/// `sqlite`, `postgres` and `redis` features) the database persisters.
pub mod persistence {
    pub use burr_core::persistence::{
        BegunStep, Blocking, INTERRUPTED, IntoLoader, IntoSaver, JournalEntry, JournalTail,
        LoaderRef, StepJournal, UNRECORDED_FAILURE,
    };
    pub use burr_core::{
        AsyncStateLoader, AsyncStateSaver, InMemoryPersister, Loader, PersistedState,
        PersistenceError, SavePolicy, SaveRequest, Saver, StateLoader, StateSaver, Status,
    };
    #[cfg(feature = "postgres")]
    pub use burr_tracking::PostgresPersister;
    #[cfg(feature = "redis")]
    pub use burr_tracking::RedisPersister;
    #[cfg(feature = "tracking")]
    pub use burr_tracking::Retention;
    #[cfg(feature = "sqlite")]
    pub use burr_tracking::SqlitePersister;
}

/// Streaming actions and the containers that stream a step's items.
pub mod stream {
    pub use burr_core::stream::{ActionStream, AsyncEmitter, EmitError, Emitter, StreamEvent};
    pub use burr_core::{
        AsyncStreamIterate, AsyncStreamingResult, StreamIterate, StreamOutcome, StreamingResult,
    };
}

/// Parallel map/reduce over sub-applications.
pub mod parallel {
    pub use burr_core::parallel::{
        Adapters, Cascade, Parallel, RunnableGraph, SubApplicationError, SubGraphTask, child_app_id,
    };
}

/// The application's graph as data, and its pictures (DOT, Mermaid, SVG).
pub mod graph {
    pub use burr_core::{
        ActionInfo, DotOptions, Graph, GraphOptions, RenderError, TransitionInfo, TransitionSpec,
    };
}

/// Spans of the `tracing` ecosystem recorded as Burr spans.
#[cfg(feature = "tracking")]
pub use burr_core::BurrLayer;

/// Tracking: the local tracking client (writes `~/.burr`), the log reader, `load_state`,
/// state persisters and the tracking server.
#[cfg(feature = "tracking")]
pub use burr_tracking as tracking;

/// Everything an application needs, in one `use burr::prelude::*;`.
pub mod prelude {
    pub use burr_core::{
        Action, ActionContext, ActionError, Application, ApplicationBuilder, Condition, Error,
        FnAction, Halt, Halted, Inputs, Outcome, ResultMap, State, StepOutput, StepResult, Tracer,
        TypedState, actions, default, expr, halt_after, halt_before, inputs, state, when,
    };
    pub use burr_macros::{TypedState, action, streaming_action, trace};
}

#[doc(hidden)]
pub mod __private {
    //! Not a stable API: used by the code `#[action]` and `#[trace]` generate. It may change
    //! in any release.
    pub use burr_core;
    pub use burr_core::IntoStepOutput;
    pub use futures_core;
    pub use serde;
    pub use serde_json;

    pub use crate::macro_support::*;
}

mod macro_support;
