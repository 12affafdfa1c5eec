#![doc = include_str!("../README.md")]

pub use burr_core::*;
pub use burr_macros::{action, streaming_action, trace};

/// Tracking: the local tracking client (writes `~/.burr`), the log reader, `load_state`,
/// state persisters and the tracking server.
#[cfg(feature = "tracking")]
pub use burr_tracking as tracking;

/// Everything an application needs, in one `use burr::prelude::*;`.
pub mod prelude {
    pub use burr_core::{
        Action, ActionContext, ActionError, Application, ApplicationBuilder, BurrError, Condition,
        Halt, Halted, Inputs, Outcome, Result, ResultMap, State, StepOutput, StepResult, Tracer,
        actions, default, expr, halt_after, halt_before, inputs, state, when,
    };
    pub use burr_macros::{action, streaming_action, trace};
}

#[doc(hidden)]
pub mod __private {
    //! Not a stable API: used by the code `#[action]` and `#[trace]` generate. It may change
    //! in any release.
    pub use burr_core;
    pub use futures_core;
    pub use serde;
    pub use serde_json;

    pub use crate::macro_support::*;
}

mod macro_support;
