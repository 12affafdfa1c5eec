//! The builder's retry and timeout settings, per action and as defaults (see
//! [`crate::policy`]).

use std::sync::Arc;
use std::time::Duration;

use super::ApplicationBuilder;
use crate::error::BuildProblem;
use crate::policy::RetryPolicy;

/// How one action's steps are retried and timed out.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionPolicy {
    pub(crate) retry: Option<Arc<RetryPolicy>>,
    pub(crate) timeout: Option<Duration>,
}

impl ActionPolicy {
    /// Whether steps of the action run as plain calls (no retry, no timeout).
    pub(crate) fn is_plain(&self) -> bool {
        self.retry.is_none() && self.timeout.is_none()
    }
}

/// A transition taken when an action fails (see [`ApplicationBuilder::with_error_transition`]).
#[derive(Debug, Clone)]
pub(crate) struct ErrorTransition {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) capture_as: String,
}

/// The settings given to the builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policies {
    default: ActionPolicy,
    retries: Vec<(String, Arc<RetryPolicy>)>,
    timeouts: Vec<(String, Duration)>,
    pub(crate) error_transitions: Vec<ErrorTransition>,
}

impl Policies {
    /// The policy of action `name`: its own settings, else the defaults.
    pub(crate) fn for_action(&self, name: &str) -> ActionPolicy {
        // The last setting given for the action wins.
        ActionPolicy {
            retry: (self.retries.iter().rev())
                .find(|(n, _)| n == name)
                .map(|(_, r)| r.clone())
                .or_else(|| self.default.retry.clone()),
            timeout: (self.timeouts.iter().rev())
                .find(|(n, _)| n == name)
                .map(|(_, t)| *t)
                .or(self.default.timeout),
        }
    }

    /// A problem for each setting that names no action, and for each error transition that
    /// cannot be taken.
    pub(crate) fn check(&self, known: &[String], problems: &mut Vec<BuildProblem>) {
        let named = (self.retries.iter().map(|(n, _)| n))
            .chain(self.timeouts.iter().map(|(n, _)| n))
            .chain(self.error_transitions.iter().flat_map(|t| [&t.from, &t.to]));
        for name in named {
            if !known.contains(name) {
                problems.push(BuildProblem::UnknownPolicyAction {
                    name: name.clone(),
                    known: known.to_vec(),
                });
            }
        }
        for (i, t) in self.error_transitions.iter().enumerate() {
            if self.error_transitions[..i].iter().any(|o| o.from == t.from) {
                problems.push(BuildProblem::Conflict(format!(
                    "action `{}` has two error transitions; give it one",
                    t.from
                )));
            }
            if t.capture_as.is_empty() || t.capture_as.starts_with("__") {
                problems.push(BuildProblem::Conflict(format!(
                    "the error transition from `{}` captures the error as `{}`: give a state key \
                     that does not start with `__`",
                    t.from, t.capture_as
                )));
            }
        }
    }
}

impl ApplicationBuilder {
    /// Retries the steps of action `action` with `policy` (see [`crate::policy`]); replaces
    /// the default retry policy for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{policy::RetryPolicy, ApplicationBuilder, Input};
    /// let app = ApplicationBuilder::new()
    ///     .with_action("ask", Input::new(["q"]))
    ///     .with_retry("ask", RetryPolicy::new(5))
    ///     .with_entrypoint("ask")
    ///     .build();
    /// assert!(app.is_ok());
    /// ```
    pub fn with_retry(mut self, action: impl Into<String>, policy: RetryPolicy) -> Self {
        self.policies
            .retries
            .push((action.into(), Arc::new(policy)));
        self
    }

    /// Retries the steps of every action that has no retry policy of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{policy::RetryPolicy, ApplicationBuilder, Input};
    /// let app = ApplicationBuilder::new()
    ///     .with_action("ask", Input::new(["q"]))
    ///     .with_default_retry(RetryPolicy::new(2))
    ///     .with_entrypoint("ask")
    ///     .build();
    /// assert!(app.is_ok());
    /// ```
    pub fn with_default_retry(mut self, policy: RetryPolicy) -> Self {
        self.policies.default.retry = Some(Arc::new(policy));
        self
    }

    /// Fails each attempt of action `action` that runs longer than `timeout` with
    /// [`Error::Timeout`](crate::Error::Timeout): an async action is cancelled, a sync one is
    /// checked when it returns (see [`crate::policy`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use burr_core::{ApplicationBuilder, Input};
    /// let app = ApplicationBuilder::new()
    ///     .with_action("ask", Input::new(["q"]))
    ///     .with_timeout("ask", Duration::from_secs(30))
    ///     .with_entrypoint("ask")
    ///     .build();
    /// assert!(app.is_ok());
    /// ```
    pub fn with_timeout(mut self, action: impl Into<String>, timeout: Duration) -> Self {
        self.policies.timeouts.push((action.into(), timeout));
        self
    }

    /// When action `from` fails (its body returns an error, or it times out, after its
    /// retries), goes to `to` instead of failing the run: the step is recorded as failed
    /// (hooks and the tracker get its error), the state the action saw gets the error under
    /// the key `capture_as`, and the next step runs `to`.
    ///
    /// The captured error is `{"action": ..., "sequence_id": ..., "kind": "action_failed" |
    /// "timeout", "message": ...}`. The route is chosen from the state alone (the captured
    /// error's sequence id is the last step's), so an application resumed from a persister
    /// after the failure takes it too; a persister saves the routed step as completed.
    /// Errors of the declarations (an undeclared write...) and of the state are not routed:
    /// they fail the step as usual. `step` returns the routed step with its
    /// [`error`](crate::StepResult::error) set; `run` and `iterate` go on.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{ActionError, ApplicationBuilder, FnAction, Halted, State, halt_after};
    /// let ask = FnAction::new(Vec::<String>::new(), ["answer"], |_, _, _| {
    ///     Err::<State, _>(ActionError::msg("the model is down"))
    /// });
    /// let apologize = FnAction::new(["error"], ["answer"], |state, _, _| {
    ///     let error = state.get_value("error").unwrap();
    ///     let message = error["message"].as_str().unwrap().to_string();
    ///     Ok::<_, ActionError>(state.update("answer", format!("sorry: {message}")))
    /// });
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("ask", ask)
    ///     .with_action("apologize", apologize)
    ///     .with_error_transition("ask", "apologize", "error")
    ///     .with_entrypoint("ask")
    ///     .build()
    ///     .unwrap();
    /// let out = app.run(halt_after(["apologize"]), ()).unwrap();
    /// assert_eq!(out.halted, Halted::After);
    /// assert_eq!(
    ///     out.state.get::<String>("answer").unwrap(),
    ///     "sorry: action `ask` failed: the model is down"
    /// );
    /// ```
    pub fn with_error_transition(
        mut self,
        from: impl Into<String>,
        to: impl Into<String>,
        capture_as: impl Into<String>,
    ) -> Self {
        self.policies.error_transitions.push(ErrorTransition {
            from: from.into(),
            to: to.into(),
            capture_as: capture_as.into(),
        });
        self
    }

    /// The timeout of every action that has none of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use burr_core::{ApplicationBuilder, Input};
    /// let app = ApplicationBuilder::new()
    ///     .with_action("ask", Input::new(["q"]))
    ///     .with_default_timeout(Duration::from_secs(60))
    ///     .with_entrypoint("ask")
    ///     .build();
    /// assert!(app.is_ok());
    /// ```
    pub fn with_default_timeout(mut self, timeout: Duration) -> Self {
        self.policies.default.timeout = Some(timeout);
        self
    }
}
