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

/// The settings given to the builder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policies {
    default: ActionPolicy,
    retries: Vec<(String, Arc<RetryPolicy>)>,
    timeouts: Vec<(String, Duration)>,
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

    /// A problem for each setting that names no action.
    pub(crate) fn check(&self, known: &[String], problems: &mut Vec<BuildProblem>) {
        let named = self
            .retries
            .iter()
            .map(|(n, _)| n)
            .chain(self.timeouts.iter().map(|(n, _)| n));
        for name in named {
            if !known.contains(name) {
                problems.push(BuildProblem::UnknownPolicyAction {
                    name: name.clone(),
                    known: known.to_vec(),
                });
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
