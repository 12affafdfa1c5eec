//! [`SavePolicy`]: which steps the state persister saves (see
//! [`ApplicationBuilder::with_save_policy`]).

use super::ApplicationBuilder;
use crate::error::BuildProblem;

/// Which steps a state persister saves: every step (the default), every `n`-th step, or the
/// steps of actions carrying given tags.
///
/// Whatever the policy, the saves that keep a resumed application correct are made:
///
/// - a failed step is always saved (with the state before the failed action, so that a
///   resumed application runs it again);
/// - the step a `run`, `iterate` or stream call stops at (a halt, a dead end, an error) is
///   saved even when the policy skips it, so that an application resumed after the call
///   starts where the call left it;
/// - [`Application::save_pending`](crate::Application::save_pending) saves a skipped step on
///   demand (for applications driven with `step`).
///
/// Between two saves, the skipped steps live only in memory: a crash loses them, and an
/// application resumed from the persister starts again from the last saved step (at most
/// `n - 1` steps back with [`SavePolicy::every_n_steps`]), running the lost steps again.
/// A suspended step, and the step that resumes one, are always saved. An application that
/// also has a tracker is resumed from the further of the two records: when the tracker's log
/// has steps the persister skipped, the resume copies them into the persister first (see
/// [the persistence module](crate::persistence#reconciliation)), so nothing is run twice.
///
/// # Examples
///
/// ```
/// use burr_core::SavePolicy;
/// assert_eq!(SavePolicy::default(), SavePolicy::EveryStep);
/// assert_eq!(SavePolicy::every_n_steps(10), SavePolicy::EveryNSteps(10));
/// assert_eq!(
///     SavePolicy::tagged(["checkpoint"]),
///     SavePolicy::Tagged(vec!["checkpoint".to_string()])
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SavePolicy {
    /// Saves every step.
    #[default]
    EveryStep,
    /// Saves the steps whose sequence id is a multiple of `n` (the first step, then every
    /// `n`-th one): a crash loses at most `n - 1` steps. `n` must not be 0.
    EveryNSteps(u64),
    /// Saves the steps of the actions carrying at least one of these tags.
    Tagged(Vec<String>),
}

impl SavePolicy {
    /// Saves every `n`-th step (see [`SavePolicy::EveryNSteps`]); `build` refuses `0`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::SavePolicy::every_n_steps(1).saves(3, &[]), true);
    /// assert_eq!(burr_core::SavePolicy::every_n_steps(2).saves(3, &[]), false);
    /// ```
    pub fn every_n_steps(n: u64) -> Self {
        SavePolicy::EveryNSteps(n)
    }

    /// Saves the steps of the actions carrying one of `tags` (see [`SavePolicy::Tagged`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let policy = burr_core::SavePolicy::tagged(["checkpoint"]);
    /// assert!(policy.saves(7, &["checkpoint".to_string()]));
    /// assert!(!policy.saves(7, &["chat".to_string()]));
    /// ```
    pub fn tagged<S: Into<String>>(tags: impl IntoIterator<Item = S>) -> Self {
        SavePolicy::Tagged(tags.into_iter().map(Into::into).collect())
    }

    /// Whether the policy saves the completed step `sequence_id` of an action with tags
    /// `tags` (failed steps and the steps a run stops at are saved whatever it says).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::SavePolicy;
    /// let every_3 = SavePolicy::every_n_steps(3);
    /// let saved: Vec<u64> = (0..7).filter(|&seq| every_3.saves(seq, &[])).collect();
    /// assert_eq!(saved, vec![0, 3, 6]);
    /// assert!(SavePolicy::EveryStep.saves(5, &[]));
    /// ```
    pub fn saves(&self, sequence_id: u64, tags: &[String]) -> bool {
        match self {
            SavePolicy::EveryStep => true,
            SavePolicy::EveryNSteps(n) => *n != 0 && sequence_id.is_multiple_of(*n),
            SavePolicy::Tagged(wanted) => tags.iter().any(|t| wanted.contains(t)),
        }
    }

    /// A problem when the policy cannot work: `every_n_steps(0)`, or a tag no action carries.
    pub(crate) fn check(&self, tags_known: &[String], problems: &mut Vec<BuildProblem>) {
        match self {
            SavePolicy::EveryNSteps(0) => problems.push(BuildProblem::Conflict(
                "`SavePolicy::every_n_steps(0)` saves nothing; give a number of steps of 1 or more"
                    .into(),
            )),
            SavePolicy::Tagged(wanted) => {
                for tag in wanted.iter().filter(|t| !tags_known.contains(t)) {
                    problems.push(BuildProblem::Conflict(format!(
                        "the save policy names tag `{tag}`, which no action carries; tags are \
                         {tags_known:?}"
                    )));
                }
            }
            _ => {}
        }
    }
}

impl ApplicationBuilder {
    /// Chooses which steps the state persister saves (default: every step). Failed steps,
    /// and the step a `run`, `iterate` or stream call stops at, are saved whatever the policy
    /// (see [`SavePolicy`] for what a crash between two saves loses).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// let store = InMemoryPersister::new();
    /// let count = FnAction::new(["n"], ["n"], |state, _, _| {
    ///     let n = state.get::<i64>("n").unwrap();
    ///     Ok::<_, ActionError>(state.update("n", n + 1))
    /// });
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("count", count)
    ///     .with_transition("count", "count", expr("n < 10").unwrap())
    ///     .with_state(state! { n: 0 })
    ///     .with_entrypoint("count")
    ///     .with_app_id("counter")
    ///     .with_state_persister(store.clone())
    ///     .with_save_policy(SavePolicy::every_n_steps(4))
    ///     .build()
    ///     .unwrap();
    /// app.run(Halt::default(), ()).unwrap();
    /// // Steps 0, 4 and 8 by the policy, step 9 because the run stopped there.
    /// let latest = store.load(None, "counter", None).unwrap().unwrap();
    /// assert_eq!((latest.sequence_id, latest.state.get::<i64>("n").unwrap()), (9, 10));
    /// assert!(store.load(None, "counter", Some(5)).unwrap().is_none());
    /// ```
    #[must_use]
    pub fn with_save_policy(mut self, policy: SavePolicy) -> Self {
        self.save_policy = policy;
        self
    }
}
