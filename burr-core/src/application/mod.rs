//! [`ApplicationBuilder`] and [`Application`]: compose actions and transitions, then step,
//! run, iterate and stream, from sync code or from tokio.
//!
//! Every public method goes through the one [step engine](engine): the sync methods and
//! their `_async` twins differ only in the [`Mode`](engine::Mode) they pass.

mod builder;
mod cancel;
mod deferred_save;
mod engine;
mod events;
mod halt;
mod initialize;
mod iterate;
mod outcome;
mod policies;
mod reconcile;
mod replay;
mod run;
mod runtime_graph;
mod save_policy;
mod step_end;
mod streaming;
mod suspend;

use std::sync::Arc;

pub use builder::ApplicationBuilder;
pub use cancel::CancelHandle;
pub(crate) use engine::{Mode, drive};
pub use halt::{Halt, halt_after, halt_before};
pub use initialize::InitializeFrom;
pub use iterate::Iterate;
pub use outcome::{Halted, Outcome, StepResult};
pub use save_policy::SavePolicy;
pub use streaming::{
    AsyncStreamIterate, AsyncStreamingResult, StreamIterate, StreamOutcome, StreamingResult,
};
pub use suspend::{SUSPENDED_KEY, Suspension};

use crate::context::{ActionContext, AppShared};
use crate::error::Error;
use crate::graph::Graph;
use crate::hooks::{Hook, Pointer};
use crate::persistence::Saver;
use crate::state::State;
use runtime_graph::RuntimeGraph;

/// A running application: a graph, a state, and the position in the graph.
///
/// # Examples
///
/// ```
/// use burr_core::*;
/// let mut app = ApplicationBuilder::new()
///     .with_action("ask", Input::new(["q"]))
///     .with_entrypoint("ask")
///     .build()
///     .unwrap();
/// let step = app.step_with(&inputs! { q: "hi" }).unwrap().unwrap();
/// assert_eq!((step.action.as_str(), step.sequence_id), ("ask", 0));
/// assert_eq!(app.state().get::<String>("q").unwrap(), "hi");
/// assert!(app.step().unwrap().is_none()); // no transition out of `ask`
/// ```
pub struct Application {
    graph: Arc<RuntimeGraph>,
    pub(crate) shared: Arc<AppShared>,
    pub(crate) state: State,
    /// Index of the node named by `state.prior_step()`, kept in sync with it.
    pub(crate) prior: Option<usize>,
    pub(crate) async_only: bool,
    pub(crate) parent_pointer: Option<Pointer>,
    pub(crate) spawning_parent_pointer: Option<Pointer>,
    /// The node of the suspended action, while the state holds a suspension.
    pub(crate) suspended: Option<usize>,
    /// The channel and value of the resume in progress.
    pub(crate) resume_value: Option<(String, serde_json::Value)>,
    /// Why the value of the resume in progress was refused (the step suspended again).
    pub(crate) resume_error: Option<Error>,
    /// The context of the last step, reused in place by the next one (its journal slot
    /// too, when no one kept it).
    pub(crate) spare_ctx: Option<crate::context::ActionContext>,
    /// The journal a persister kept for the step this application runs first, when it was
    /// built from a failed step or after a crash (see `ActionContext::durable`).
    pub(crate) recovered_journal: Vec<crate::persistence::JournalEntry>,
    /// Which steps are saved, and the last one skipped.
    saving: deferred_save::Saving,
    /// The `tracing` span of the outermost call in progress (`Span::none()` between calls).
    pub(crate) run_span: tracing::Span,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("app_id", &self.shared.app_id)
            .field("partition_key", &self.shared.partition_key)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// The application id.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.app_id().len(), 36); // a UUID
    /// ```
    pub fn app_id(&self) -> &str {
        &self.shared.app_id
    }

    /// The partition key, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.partition_key(), None);
    /// ```
    pub fn partition_key(&self) -> Option<&str> {
        self.shared.partition_key.as_deref()
    }

    /// The sequence id of the last step (`None` before the first).
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.sequence_id(), None);
    /// ```
    pub fn sequence_id(&self) -> Option<u64> {
        self.state.sequence_id()
    }

    /// The current state.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.state().is_empty());
    /// ```
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The graph.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.graph().entrypoint, "a");
    /// ```
    pub fn graph(&self) -> &Graph {
        &self.graph.public
    }

    /// The graph in Graphviz DOT.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.visualize().contains("\"a\""));
    /// ```
    pub fn visualize(&self) -> String {
        self.graph.public.to_dot()
    }

    /// The application this one was forked from.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.parent_pointer().is_none());
    /// ```
    pub fn parent_pointer(&self) -> Option<&Pointer> {
        self.parent_pointer.as_ref()
    }

    /// The application that spawned this one.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.spawning_parent_pointer().is_none());
    /// ```
    pub fn spawning_parent_pointer(&self) -> Option<&Pointer> {
        self.spawning_parent_pointer.as_ref()
    }

    /// The tracker, if one was set.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.tracker().is_none());
    /// ```
    pub fn tracker(&self) -> Option<&Hook> {
        self.shared.tracker.as_ref()
    }

    /// The state saver, if one was set.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.state_persister().is_none());
    /// ```
    pub fn state_persister(&self) -> Option<&Saver> {
        self.shared.saver.as_ref()
    }

    /// Whether it was built with `build_async` (only the async methods work).
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(!app.is_async_only());
    /// ```
    pub fn is_async_only(&self) -> bool {
        self.async_only
    }

    /// Replaces the state (the position follows its `__PRIOR_STEP`).
    ///
    /// # Examples
    ///
    /// ```
    /// # let mut app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// app.update_state(burr_core::State::new().update("x", 1)).unwrap();
    /// assert_eq!(app.state().get::<i32>("x").unwrap(), 1);
    /// ```
    pub fn update_state(&mut self, state: State) -> Result<(), Error> {
        self.prior = match state.prior_step() {
            Some(p) => Some(self.graph.lookup(p)?),
            None => None,
        };
        self.suspended = self.graph.suspended_node(&state)?;
        self.state = state;
        Ok(())
    }

    /// The node the next step runs: the suspended action while there is a suspension, else
    /// what the transitions say.
    pub(crate) fn next_node(&self) -> Result<Option<usize>, Error> {
        match self.suspended {
            Some(node) => Ok(Some(node)),
            None => self.graph.next(self.prior, &self.state),
        }
    }

    /// Goes back to the entrypoint (forgets `__PRIOR_STEP`), keeping the state.
    ///
    /// # Examples
    ///
    /// ```
    /// # let mut app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// app.reset_to_entrypoint();
    /// assert_eq!(app.next_action(), Some("a"));
    /// ```
    pub fn reset_to_entrypoint(&mut self) {
        self.state = self.state.without_prior_step();
        self.prior = None;
    }

    /// The action the next step would run (`None` at a dead end). Conditions that fail to
    /// evaluate count as no next action here; `step` reports their error.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.next_action(), Some("a"));
    /// assert!(app.has_next_action());
    /// ```
    pub fn next_action(&self) -> Option<&str> {
        let next = self.next_node().ok()??;
        Some(&self.graph.nodes[next].info.name)
    }

    /// Whether there is a next action.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.has_next_action());
    /// ```
    pub fn has_next_action(&self) -> bool {
        self.next_action().is_some()
    }

    /// The context the next step's action would get (ids and sequence id).
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_app_id("x").with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.context().app_id(), "x");
    /// assert_eq!(app.context().sequence_id(), 0);
    /// ```
    pub fn context(&self) -> ActionContext {
        let seq = self.state.sequence_id().map_or(0, |s| s + 1);
        let name = self.next_action().map_or_else(|| Arc::from(""), Arc::from);
        ActionContext::new(&self.shared, &name, seq)
    }

    pub(crate) fn check_sync(&self) -> Result<(), Error> {
        if self.async_only {
            Err(Error::AsyncOnly)
        } else {
            Ok(())
        }
    }
}
