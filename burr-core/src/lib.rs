//! The runtime of burr (see the `burr` crate for the user-facing documentation).

mod error;
pub mod expr;
mod persistence;
mod state;
mod time;

pub use error::{ActionError, BoxError, BuildProblem, BurrError, Result, StateError};
pub use persistence::{
    AsyncStateLoader, AsyncStateSaver, InMemoryPersister, Loader, PersistedState,
    PersistenceError, SaveRequest, Saver, StateLoader, StateSaver, Status,
};
pub use state::{PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State};

#[doc(hidden)]
pub mod __private {
    pub use serde_json;
}
