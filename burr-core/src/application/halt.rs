//! Where a run stops: [`Halt`], built with [`halt_after`] and [`halt_before`].

use super::runtime_graph::RuntimeGraph;
use crate::error::Error;

/// Where a run stops: before any of `before` runs, or after any of `after` ran. Names may be
/// `@tag:<tag>` to mean every action with that tag.
///
/// # Examples
///
/// ```
/// use burr_core::{halt_after, halt_before};
/// let h = halt_after(["done"]).and_before(["ask_user"]);
/// assert_eq!(h.after, vec!["done"]);
/// assert_eq!(halt_before(["x"]).before, vec!["x"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Halt {
    /// Stop before these actions run.
    pub before: Vec<String>,
    /// Stop after these actions ran.
    pub after: Vec<String>,
}

impl Halt {
    /// Also stop after these actions.
    ///
    /// # Examples
    ///
    /// ```
    /// let h = burr_core::halt_before(["a"]).and_after(["b"]);
    /// assert_eq!(h.after, vec!["b"]);
    /// ```
    #[must_use]
    pub fn and_after<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.after.extend(names.into_iter().map(Into::into));
        self
    }

    /// Also stop before these actions.
    ///
    /// # Examples
    ///
    /// ```
    /// let h = burr_core::halt_after(["a"]).and_before(["b"]);
    /// assert_eq!(h.before, vec!["b"]);
    /// ```
    #[must_use]
    pub fn and_before<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.before.extend(names.into_iter().map(Into::into));
        self
    }
}

/// Stop after any of these actions ran.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_core::halt_after(["done"]).after, vec!["done"]);
/// ```
pub fn halt_after<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Halt {
    Halt::default().and_after(names)
}

/// Stop before any of these actions runs.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_core::halt_before(["ask"]).before, vec!["ask"]);
/// ```
pub fn halt_before<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Halt {
    Halt::default().and_before(names)
}

/// Halt names resolved to node indices.
#[derive(Debug, Default)]
pub(super) struct Halts {
    pub(super) before: Vec<usize>,
    pub(super) after: Vec<usize>,
}

impl Halts {
    pub(super) fn resolve(graph: &RuntimeGraph, halt: &Halt) -> Result<Halts, Error> {
        if halt.before.is_empty() && halt.after.is_empty() {
            tracing::warn!(target: "burr", "no halt condition given: the run goes until no transition matches");
        }
        Ok(Halts {
            before: graph.resolve_halts(&halt.before)?,
            after: graph.resolve_halts(&halt.after)?,
        })
    }
}
