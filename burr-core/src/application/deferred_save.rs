//! The steps a [`SavePolicy`] skips: which step to save, the last skipped step kept in
//! memory, and saving it when a run stops (or on demand with
//! [`Application::save_pending`]).

use super::engine::{Mode, Prepared, drive};
use super::{Application, SavePolicy};
use crate::error::Error;
use crate::persistence::{SaveRequest, Saver, Status};
use crate::state::State;

/// The application's side of its save policy.
#[derive(Debug, Default)]
pub(crate) struct Saving {
    pub(crate) policy: SavePolicy,
    /// The last completed step, when the policy skipped it and no later save covers it.
    unsaved: Option<Unsaved>,
}

impl Saving {
    pub(crate) fn new(policy: SavePolicy) -> Self {
        Saving {
            policy,
            unsaved: None,
        }
    }
}

/// A completed step that was not saved: what its save would have been.
#[derive(Debug)]
struct Unsaved {
    seq: u64,
    node: usize,
    state: State,
}

impl Application {
    /// Whether the step `p`, which `completed` or failed, is saved now. A failed step always
    /// is: its row (the state before the action) is what a resumed application needs.
    #[inline(always)]
    pub(crate) fn saves_step(&self, p: &Prepared, completed: bool) -> bool {
        !completed
            || self
                .saving
                .policy
                .saves(p.seq, &self.graph.nodes[p.node].info.tags)
    }

    /// Records how step `p` ended for the persister: `saved` when its row (completed or
    /// failed) was written, `committed` when the application moved to its new state. A
    /// failed step's row covers an earlier skipped step (it holds the same state).
    #[inline(always)]
    pub(crate) fn track_save(&mut self, p: &Prepared, saved: bool, committed: bool) {
        if self.shared.saver.is_some() {
            self.track_saved(p, saved, committed);
        }
    }

    /// [`Application::track_save`] for an application with a persister.
    fn track_saved(&mut self, p: &Prepared, saved: bool, committed: bool) {
        if saved {
            self.saving.unsaved = None;
        } else if committed {
            self.saving.unsaved = Some(Unsaved {
                seq: p.seq,
                node: p.node,
                state: self.state.clone(),
            });
        }
    }

    /// Saves the last step the policy skipped, if any; it stays pending when saving fails.
    /// An async persister cannot be used in sync mode: the step then stays pending.
    async fn save_unsaved(&mut self, mode: Mode) -> Result<(), Error> {
        let Some(u) = self.saving.unsaved.take() else {
            return Ok(());
        };
        let request = SaveRequest {
            partition_key: self.shared.partition_key.as_deref(),
            app_id: &self.shared.app_id,
            sequence_id: u.seq,
            position: &self.graph.nodes[u.node].info.name,
            state: &u.state,
            status: Status::Completed,
        };
        let saved = match &self.shared.saver {
            None => Ok(()),
            Some(Saver::Sync(s)) => s.save(request).map_err(Error::from),
            Some(Saver::Async(_)) if !mode.is_async() => Err(Error::AsyncOnly),
            Some(Saver::Async(s)) => s.save(request).await.map_err(Error::from),
        };
        if saved.is_err() {
            self.saving.unsaved = Some(u);
        }
        saved
    }

    /// Ends a run, an iteration or a stream call that returns `r`: saves the step it stopped
    /// at if the policy skipped it. A failure to save is the call's error, unless the call
    /// already failed (its error wins; the step stays pending).
    pub(crate) async fn end_run<T>(&mut self, r: Result<T, Error>, mode: Mode) -> Result<T, Error> {
        let saved = self.save_at_stop(mode, r.is_err()).await;
        r.and_then(|out| saved.map(|()| out))
    }

    /// Saves the step a call stopped at if the policy skipped it. When the call `failed`
    /// already, a failure to save is only logged (the step stays pending).
    pub(crate) async fn save_at_stop(&mut self, mode: Mode, failed: bool) -> Result<(), Error> {
        match self.save_unsaved(mode).await {
            Err(e) if failed => {
                tracing::warn!(target: "burr", app_id = %self.shared.app_id, error = %e, "could not save the step the run stopped at");
                Ok(())
            }
            saved => saved,
        }
    }

    /// Saves the last step the [`SavePolicy`] skipped, if no later save covers it: what
    /// `run` and `iterate` do when they stop, for applications driven with
    /// [`step`](Application::step). Nothing happens without a persister or a skipped step.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// let store = InMemoryPersister::new();
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_action("b", Input::new(["x"]))
    ///     .with_transition("a", "b", default())
    ///     .with_entrypoint("a")
    ///     .with_app_id("app")
    ///     .with_state_persister(store.clone())
    ///     .with_save_policy(SavePolicy::every_n_steps(2))
    ///     .build()
    ///     .unwrap();
    /// app.step_with(&inputs! { x: 1 }).unwrap(); // seq 0: saved
    /// app.step_with(&inputs! { x: 2 }).unwrap(); // seq 1: skipped
    /// assert_eq!(store.load(None, "app", None).unwrap().unwrap().sequence_id, 0);
    /// app.save_pending().unwrap();
    /// assert_eq!(store.load(None, "app", None).unwrap().unwrap().sequence_id, 1);
    /// ```
    pub fn save_pending(&mut self) -> Result<(), Error> {
        self.check_sync()?;
        drive(self.save_unsaved(Mode::Sync))
    }

    /// The async [`Application::save_pending`]: works with async persisters too.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = InMemoryPersister::new();
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_transition("a", "a", default())
    ///     .with_entrypoint("a")
    ///     .with_app_id("app")
    ///     .with_state_persister(store.clone())
    ///     .with_save_policy(SavePolicy::every_n_steps(5))
    ///     .build_async()
    ///     .await
    ///     .unwrap();
    /// for x in 0..3 {
    ///     app.step_with_async(&inputs! { x: x }).await.unwrap();
    /// }
    /// app.save_pending_async().await.unwrap();
    /// assert_eq!(store.load(None, "app", None).unwrap().unwrap().sequence_id, 2);
    /// # });
    /// ```
    pub async fn save_pending_async(&mut self) -> Result<(), Error> {
        self.save_unsaved(Mode::Async).await
    }
}
