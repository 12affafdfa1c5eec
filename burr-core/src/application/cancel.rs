//! Graceful shutdown: a [`CancelHandle`] stops `run` and `iterate` at the next step
//! boundary, with every completed step saved and tracked.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Application, Halted, Outcome};
use crate::context::AppShared;

/// Stops the application's current (or next) `run` or `iterate` at its next step boundary:
/// the step that runs finishes (and is saved and tracked), then the run returns with
/// [`Halted::Cancelled`]; a run asked to stop before it starts runs nothing. Cloneable and usable from any thread, for a signal handler or a
/// server shutting down. The request is used up by the run it stops.
///
/// An action can check [`ActionContext::is_cancelled`](crate::ActionContext::is_cancelled) to
/// finish early.
///
/// # Examples
///
/// ```
/// use burr_core::{ApplicationBuilder, FnAction, ActionError, Halted, Halt, default};
/// let mut app = ApplicationBuilder::new()
///     .with_action("tick", FnAction::new(["n"], ["n"], |s, _, _| {
///         let n: u64 = s.get("n")?;
///         Ok::<_, ActionError>(s.update("n", n + 1))
///     }))
///     .with_transition("tick", "tick", default())
///     .with_state(burr_core::state! { n: 0 })
///     .with_entrypoint("tick")
///     .build()
///     .unwrap();
/// let handle = app.cancel_handle();
/// handle.cancel(); // before the run: it stops before its first step
/// let out = app.run(Halt::default(), ()).unwrap();
/// assert_eq!(out.halted, Halted::Cancelled);
/// assert_eq!(out.state.get::<u64>("n").unwrap(), 0);
/// assert!(!handle.is_cancelled());
/// ```
#[derive(Debug, Clone)]
pub struct CancelHandle {
    shared: Arc<AppShared>,
}

impl CancelHandle {
    /// Asks the application to stop at its next step boundary.
    ///
    /// # Examples
    ///
    /// See [`CancelHandle`].
    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for and not yet used up by a run.
    ///
    /// # Examples
    ///
    /// See [`CancelHandle`].
    pub fn is_cancelled(&self) -> bool {
        self.shared.cancel.load(Ordering::SeqCst)
    }
}

impl Application {
    /// A handle that stops this application's runs at a step boundary.
    ///
    /// # Examples
    ///
    /// See [`CancelHandle`].
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle {
            shared: self.shared.clone(),
        }
    }

    /// The outcome of a run stopped by its cancel handle after the step that ran last (the
    /// request is used up); `None` when no stop was asked for. `last` describes that step
    /// (its action and result), built only when a stop was asked for.
    #[inline(always)]
    pub(crate) fn cancelled_outcome<'a>(
        &'a self,
        last: impl FnOnce() -> Option<(&'a str, &'a crate::step::ResultMap)>,
    ) -> Option<Outcome> {
        // A plain load first, inline: the common case (no stop asked) costs no atomic write
        // and no call.
        if !self.shared.cancel.load(Ordering::Relaxed) {
            return None;
        }
        self.take_cancel(last())
    }

    /// [`Application::cancelled_outcome`] once a stop may have been asked for.
    #[cold]
    #[inline(never)]
    fn take_cancel(&self, last: Option<(&str, &crate::step::ResultMap)>) -> Option<Outcome> {
        if !self.shared.cancel.swap(false, Ordering::SeqCst) {
            return None;
        }
        Some(Outcome {
            action: last.map(|(a, _)| a.to_string()),
            result: last.map(|(_, r)| r.clone()),
            state: self.state.clone(),
            halted: Halted::Cancelled,
        })
    }
}
