//! [`IntoStepOutput`]: the return types an action body may have, turned into a step's output.

use serde::Serialize;
use serde_json::Value;

use super::StepOutput;
use crate::error::{ActionError, Error};
use crate::state::State;

/// The return types an `#[action]` function may have, turned into a step's output.
///
/// # Examples
///
/// ```
/// use burr_core::IntoStepOutput;
/// let out = (serde_json::json!({"n": 1}), burr_core::State::new()).into_step_output("act").unwrap();
/// assert_eq!(out.result["n"], 1);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the return type of an action",
    label = "an action returns `State`, `(R, State)`, a `StepOutput` or a `Result` of one of them",
    note = "in `(R, State)`, `R` is any `Serialize` type that serializes to a map (a struct, a `ResultMap`, a `HashMap`)",
    note = "the error of a `Result` is any `std::error::Error + Send + Sync` or an `ActionError`"
)]
pub trait IntoStepOutput {
    /// The step's output; `action` names the action in errors.
    fn into_step_output(self, action: &str) -> Result<StepOutput, ActionError>;
}

impl IntoStepOutput for StepOutput {
    #[inline]
    fn into_step_output(self, _: &str) -> Result<StepOutput, ActionError> {
        Ok(self)
    }
}

impl IntoStepOutput for State {
    #[inline]
    fn into_step_output(self, _: &str) -> Result<StepOutput, ActionError> {
        Ok(StepOutput::state(self))
    }
}

impl<R: Serialize> IntoStepOutput for (R, State) {
    fn into_step_output(self, action: &str) -> Result<StepOutput, ActionError> {
        let (result, state) = self;
        let invalid = |message: String| {
            ActionError::from(Error::InvalidOutput {
                action: action.to_string(),
                message,
            })
        };
        match serde_json::to_value(&result) {
            Ok(Value::Object(result)) => Ok(StepOutput { result, state }),
            Ok(other) => Err(invalid(format!(
                "its result `{}` serialized to {}, but a result must serialize to a JSON object \
                 (a struct or a map)",
                std::any::type_name::<R>(),
                json_kind(&other)
            ))),
            Err(e) => Err(invalid(format!(
                "its result `{}` could not be serialized: {e}",
                std::any::type_name::<R>()
            ))),
        }
    }
}

impl<T: IntoStepOutput, E: Into<ActionError>> IntoStepOutput for Result<T, E> {
    #[inline]
    fn into_step_output(self, action: &str) -> Result<StepOutput, ActionError> {
        self.map_err(Into::into)?.into_step_output(action)
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
