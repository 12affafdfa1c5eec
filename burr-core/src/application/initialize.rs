//! [`InitializeFrom`]: where an application's starting state is loaded from.

use crate::hooks::Pointer;
use crate::persistence::{IntoLoader, Loader};
use crate::state::State;

/// How [`ApplicationBuilder::initialize_from`] loads the starting state: resume an
/// application, or fork a new one from any step of another.
///
/// [`ApplicationBuilder::initialize_from`]: crate::ApplicationBuilder::initialize_from
///
/// # Examples
///
/// ```
/// use burr_core::{InitializeFrom, InMemoryPersister, State};
/// let init = InitializeFrom::new(InMemoryPersister::new(), State::new().update("n", 0), "count")
///     .resume_at_next_action(true)
///     .fork_from("old-app", Some(3), None);
/// # let _ = init;
/// ```
#[derive(Debug, Clone)]
pub struct InitializeFrom {
    pub(crate) loader: Loader,
    pub(crate) resume_at_next_action: bool,
    pub(crate) default_state: State,
    pub(crate) default_entrypoint: String,
    pub(crate) fork_from: Option<Pointer>,
    pub(crate) override_state_values: Option<State>,
}

impl InitializeFrom {
    /// Loads with `loader`: any [`StateLoader`](crate::StateLoader) or
    /// [`AsyncStateLoader`](crate::AsyncStateLoader) (async applications only: build with
    /// [`ApplicationBuilder::build_async`](crate::ApplicationBuilder::build_async)), an `Arc`
    /// of one, or a [`Loader`]. When nothing is saved, the application starts from
    /// `default_state` at `default_entrypoint`. Resumes at the next action by default.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = burr_core::InitializeFrom::new(burr_core::InMemoryPersister::new(), burr_core::State::new(), "a");
    /// ```
    pub fn new<M>(
        loader: impl IntoLoader<M>,
        default_state: State,
        default_entrypoint: impl Into<String>,
    ) -> Self {
        InitializeFrom {
            loader: loader.into_loader(),
            resume_at_next_action: true,
            default_state,
            default_entrypoint: default_entrypoint.into(),
            fork_from: None,
            override_state_values: None,
        }
    }

    /// Whether a completed step resumes at the action after it (`true`, the default) or the
    /// application restarts at `default_entrypoint` with the loaded state. A failed step is
    /// always re-run.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let _ = InitializeFrom::new(InMemoryPersister::new(), State::new(), "a").resume_at_next_action(false);
    /// ```
    #[must_use]
    pub fn resume_at_next_action(mut self, on: bool) -> Self {
        self.resume_at_next_action = on;
        self
    }

    /// Forks: loads step `sequence_id` (latest when `None`) of `app_id` instead of this
    /// application's own saved state. The new application records that pointer.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let _ = InitializeFrom::new(InMemoryPersister::new(), State::new(), "a").fork_from("src", Some(2), Some("user"));
    /// ```
    #[must_use]
    pub fn fork_from(
        mut self,
        app_id: impl Into<String>,
        sequence_id: Option<u64>,
        partition_key: Option<&str>,
    ) -> Self {
        self.fork_from = Some(Pointer {
            app_id: app_id.into(),
            sequence_id,
            partition_key: partition_key.map(str::to_string),
        });
        self
    }

    /// Values set on the loaded state (only when a saved state was found).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let _ = InitializeFrom::new(InMemoryPersister::new(), State::new(), "a")
    ///     .override_state_values(State::new().update("mode", "debug"));
    /// ```
    #[must_use]
    pub fn override_state_values(mut self, values: State) -> Self {
        self.override_state_values = Some(values);
        self
    }
}
