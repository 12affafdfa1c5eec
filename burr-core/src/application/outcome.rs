//! What a step and a run give back.

use crate::state::State;
use crate::step::ResultMap;

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// The action that ran.
    pub action: String,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// Its result.
    pub result: ResultMap,
    /// The state after it.
    pub state: State,
    /// The error of the action, when it failed and an error transition routed the failure
    /// (see [`ApplicationBuilder::with_error_transition`](crate::ApplicationBuilder::with_error_transition)).
    pub error: Option<String>,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halted {
    /// The next action is in `halt_before`; it did not run.
    Before,
    /// The last action is in `halt_after`.
    After,
    /// No transition matched (or nothing ran): the graph reached a dead end.
    NoTransition,
    /// A [`CancelHandle`](crate::CancelHandle) stopped the run after the step it names.
    Cancelled,
    /// An action suspended, waiting for a value (see
    /// [`Application::resume`](crate::Application::resume)); `action` is that action.
    Suspended,
}

/// What a run ended with (Burr's `(action, result, state)` triple, plus why it stopped).
///
/// - halted before an action: `action` is that action, `result` is `None`;
/// - halted after an action: `action` and `result` are that step's;
/// - dead end: the last step's action and result (both `None` when nothing ran);
/// - cancelled: the last step's action and result (both `None` when nothing ran);
/// - suspended: the action that suspended, `result` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The action (see the type's docs).
    pub action: Option<String>,
    /// The result (see the type's docs).
    pub result: Option<ResultMap>,
    /// The final state.
    pub state: State,
    /// Why the run stopped.
    pub halted: Halted,
}

impl From<Outcome> for (Option<String>, Option<ResultMap>, State) {
    fn from(o: Outcome) -> Self {
        (o.action, o.result, o.state)
    }
}
