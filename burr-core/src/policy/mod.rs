//! How a failing or slow action is handled: [`RetryPolicy`] (attempts with backoff) and
//! timeouts, set per action or as an application default with
//! [`ApplicationBuilder::with_retry`](crate::ApplicationBuilder::with_retry),
//! [`with_default_retry`](crate::ApplicationBuilder::with_default_retry),
//! [`with_timeout`](crate::ApplicationBuilder::with_timeout) and
//! [`with_default_timeout`](crate::ApplicationBuilder::with_default_timeout).
//!
//! # Retries
//!
//! A step whose action fails with a retryable error (by default an error of the action's body,
//! [`Error::ActionFailed`](crate::Error::ActionFailed), or a
//! [`Error::Timeout`](crate::Error::Timeout)) calls the action again after a delay, with the
//! same state, inputs and sequence id, until an attempt succeeds or the attempts run out; the
//! last error is the step's. The application's state is untouched until an attempt succeeds.
//! Errors of the declarations (undeclared writes...), of the state and of persistence are
//! never retried. Each failed attempt is logged on the step as attributes that hooks and the
//! tracker see (see [`ATTEMPT_ATTRIBUTE`]); in Burr's UI they show as attributes of the
//! action.
//!
//! A streaming action is retried only when it fails before its first item: once an item
//! has reached the caller, a failure ends the step.
//!
//! # Timeouts
//!
//! An async action (or an async streaming action) that runs past its timeout is cancelled (its
//! future is dropped at its next `.await`; for a stream the timeout covers the whole stream,
//! the caller's time between items included) and the attempt fails with
//! [`Error::Timeout`](crate::Error::Timeout), which the retry policy may retry. A sync action
//! cannot be interrupted: its duration is checked when it returns, and a late result is
//! discarded as the same timeout error. The clock runs on a timer thread of its own, so no
//! runtime feature is needed.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use burr_core::{policy::RetryPolicy, ApplicationBuilder, FnAction, ActionError, default};
//! use std::sync::atomic::{AtomicU32, Ordering};
//!
//! static CALLS: AtomicU32 = AtomicU32::new(0);
//! let flaky = FnAction::new(Vec::<String>::new(), ["answer"], |state, _, _| {
//!     if CALLS.fetch_add(1, Ordering::Relaxed) < 2 {
//!         return Err(ActionError::msg("the model is overloaded"));
//!     }
//!     Ok(state.update("answer", 42))
//! });
//! let mut app = ApplicationBuilder::new()
//!     .with_action("ask", flaky)
//!     .with_retry("ask", RetryPolicy::new(3).initial_delay(Duration::from_millis(1)))
//!     .with_entrypoint("ask")
//!     .build()
//!     .unwrap();
//! app.step().unwrap();
//! assert_eq!(app.state().get::<i32>("answer").unwrap(), 42);
//! assert_eq!(CALLS.load(Ordering::Relaxed), 3);
//! ```

mod retry;
mod timer;

pub use retry::RetryPolicy;
pub(crate) use timer::sleep;

/// The attribute logged on a step for each failed attempt that is retried: an object
/// `{"attempt": 1, "max_attempts": 3, "error": "...", "retry_in_ms": 100}`.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_core::policy::ATTEMPT_ATTRIBUTE, "burr.retry");
/// ```
pub const ATTEMPT_ATTRIBUTE: &str = "burr.retry";

/// The attribute logged on a step that succeeded after failed attempts: the number of
/// attempts it took.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_core::policy::ATTEMPTS_ATTRIBUTE, "burr.attempts");
/// ```
pub const ATTEMPTS_ATTRIBUTE: &str = "burr.attempts";

/// The attribute logged on a step that suspended: `{"channel": ..., "payload": ...}` (see
/// [`Application::resume`](crate::Application::resume)).
///
/// # Examples
///
/// ```
/// assert_eq!(burr_core::policy::SUSPENDED_ATTRIBUTE, "burr.suspended");
/// ```
pub const SUSPENDED_ATTRIBUTE: &str = "burr.suspended";
