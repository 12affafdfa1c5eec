//! [`ApplicationBuilder`]: actions, transitions, state, hooks and persistence, validated
//! into an [`Application`].

use std::sync::Arc;
use std::time::SystemTime;

use super::deferred_save::Saving;
use super::engine::{Mode, drive};
use super::policies::Policies;
use super::reconcile::reconcile;
use super::runtime_graph::build_graph;
use super::{Application, InitializeFrom, SavePolicy};
use crate::action::{Action, IntoAction};
use crate::context::AppShared;
use crate::error::{BuildProblem, Error};
use crate::graph::{Condition, TransitionSpec};
use crate::hooks::{ApplicationCreated, Hook, Hooks, IntoHook, Pointer};
use crate::persistence::{IntoSaver, Loader, LoaderRef, PersistedState, Saver, Status};
use crate::state::State;

/// Builds an [`Application`].
///
/// # Examples
///
/// ```
/// use burr_core::{ApplicationBuilder, Input, ResultAction, default, expr, halt_after, state};
/// let mut app = ApplicationBuilder::new()
///     .with_action("ask", Input::new(["question"]))
///     .with_action("answer", ResultAction::new(["question"]))
///     .with_transitions([("ask", "answer", default())])
///     .with_state(state! { question: "" })
///     .with_entrypoint("ask")
///     .build()
///     .unwrap();
/// let out = app.run(halt_after(["answer"]), burr_core::inputs! { question: "why?" }).unwrap();
/// assert_eq!(out.result.unwrap()["question"], "why?");
/// ```
#[derive(Default)]
pub struct ApplicationBuilder {
    actions: Vec<(String, Arc<dyn Action>)>,
    transitions: Vec<TransitionSpec>,
    state: Option<State>,
    entrypoint: Option<String>,
    app_id: Option<String>,
    partition_key: Option<String>,
    sequence_id: Option<u64>,
    hooks: Hooks,
    tracker: Option<Hook>,
    saver: Option<Saver>,
    pub(super) save_policy: SavePolicy,
    initializer: Option<InitializeFrom>,
    spawning_parent: Option<Pointer>,
    pub(super) policies: Policies,
    problems: Vec<BuildProblem>,
}

impl std::fmt::Debug for ApplicationBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationBuilder")
            .field(
                "actions",
                &self.actions.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("entrypoint", &self.entrypoint)
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl ApplicationBuilder {
    /// An empty builder.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::ApplicationBuilder::new().build().is_err());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an action under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_action("ask", burr_core::Input::new(["q"]));
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_action(mut self, name: impl Into<String>, action: impl IntoAction) -> Self {
        self.actions.push((name.into(), action.into_action()));
        self
    }

    /// Adds named actions (see the [`actions!`](crate::actions) macro).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{actions, Input};
    /// let b = burr_core::ApplicationBuilder::new().with_actions(actions!["ask" => Input::new(["q"])]);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_actions<S: Into<String>>(
        mut self,
        actions: impl IntoIterator<Item = (S, Arc<dyn Action>)>,
    ) -> Self {
        self.actions
            .extend(actions.into_iter().map(|(n, a)| (n.into(), a)));
        self
    }

    /// Adds one transition.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_transition("a", "b", burr_core::default());
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_transition(
        mut self,
        from: impl Into<String>,
        to: impl Into<String>,
        condition: Condition,
    ) -> Self {
        self.transitions
            .push(TransitionSpec::new([from.into()], to, condition));
        self
    }

    /// Adds transitions: `(from, to)`, `(from, to, condition)` or `([from, ...], to,
    /// condition)`. Conditions are evaluated in declaration order; the first that holds wins.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{default, expr};
    /// let b = burr_core::ApplicationBuilder::new().with_transitions([
    ///     ("count", "count", expr("n < 3").unwrap()),
    ///     ("count", "done", default()),
    /// ]);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_transitions<T: Into<TransitionSpec>>(
        mut self,
        transitions: impl IntoIterator<Item = T>,
    ) -> Self {
        self.transitions
            .extend(transitions.into_iter().map(Into::into));
        self
    }

    /// Sets the initial state; calling it again merges (later values win).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_state(burr_core::state! { n: 0 });
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_state(mut self, state: State) -> Self {
        if self.initializer.is_some() {
            self.problems.push(BuildProblem::Conflict(
                "cannot set state when loading it with `initialize_from`".into(),
            ));
        }
        self.state = Some(match self.state.take() {
            Some(s) => s.merge(&state),
            None => state,
        });
        self
    }

    /// Sets the first action.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_entrypoint("start");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_entrypoint(mut self, name: impl Into<String>) -> Self {
        if self.initializer.is_some() {
            self.problems.push(BuildProblem::Conflict(
                "cannot set an entrypoint when loading state with `initialize_from`; use its `default_entrypoint`".into(),
            ));
        } else if self.entrypoint.is_some() {
            self.problems.push(BuildProblem::Conflict(
                "the entrypoint was already set; call `with_entrypoint` once".into(),
            ));
        }
        self.entrypoint = Some(name.into());
        self
    }

    /// Sets the application id (default: a fresh UUID v4).
    ///
    /// # Examples
    ///
    /// ```
    /// let app = burr_core::ApplicationBuilder::new().with_app_id("chat-1")
    ///     .with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.app_id(), "chat-1");
    /// ```
    #[must_use]
    pub fn with_app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Sets the partition key (for example a user id).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_partition_key("user-7");
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_partition_key(mut self, partition_key: impl Into<String>) -> Self {
        self.partition_key = Some(partition_key.into());
        self
    }

    /// Sets the sequence id of the last step: the next step gets `sequence_id + 1`.
    ///
    /// # Examples
    ///
    /// ```
    /// let app = burr_core::ApplicationBuilder::new().with_sequence_id(5)
    ///     .with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.sequence_id(), Some(5));
    /// ```
    #[must_use]
    pub fn with_sequence_id(mut self, sequence_id: u64) -> Self {
        self.sequence_id = Some(sequence_id);
        self
    }

    /// Adds a lifecycle hook: any [`LifecycleHook`](crate::LifecycleHook) (runs in every
    /// method) or [`AsyncLifecycleHook`](crate::AsyncLifecycleHook) (runs in the `_async`
    /// methods), or an `Arc` of one to share it. Hooks run in the order they were added.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// struct Quiet;
    /// impl burr_core::LifecycleHook for Quiet {}
    /// struct Later;
    /// impl burr_core::AsyncLifecycleHook for Later {}
    /// let shared = Arc::new(Quiet);
    /// let b = burr_core::ApplicationBuilder::new().with_hook(Quiet).with_hook(Later).with_hook(shared.clone());
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_hook<M>(mut self, hook: impl IntoHook<M>) -> Self {
        self.hooks.push(hook.into_hook());
        self
    }

    /// Adds a tracker: a hook (of either kind, see [`ApplicationBuilder::with_hook`]) that is
    /// also handed to sub-applications and exposed on the action context.
    ///
    /// # Examples
    ///
    /// ```
    /// struct Tracker;
    /// impl burr_core::LifecycleHook for Tracker {}
    /// let b = burr_core::ApplicationBuilder::new().with_tracker(Tracker);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_tracker<M>(mut self, tracker: impl IntoHook<M>) -> Self {
        let t = tracker.into_hook();
        self.hooks.push(t.clone());
        self.tracker = Some(t);
        self
    }

    /// Saves the state after every step (status completed, or failed with the state before
    /// the failed action): any [`StateSaver`](crate::StateSaver) or
    /// [`AsyncStateSaver`](crate::AsyncStateSaver) (async applications only: build with
    /// [`ApplicationBuilder::build_async`]), an `Arc` of one, or a
    /// [`Saver`]. The store must be initialized: `build` checks it. To save fewer steps, see
    /// [`ApplicationBuilder::with_save_policy`].
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_state_persister(burr_core::InMemoryPersister::new());
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_state_persister<M>(mut self, saver: impl IntoSaver<M>) -> Self {
        self.saver = Some(saver.into_saver());
        self
    }

    /// Loads the starting state (resume or fork) instead of `with_state`/`with_entrypoint`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// let store = InMemoryPersister::new();
    /// let app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .initialize_from(InitializeFrom::new(store, State::new(), "a"))
    ///     .with_app_id("new")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(app.next_action(), Some("a"));
    /// ```
    #[must_use]
    pub fn initialize_from(mut self, init: InitializeFrom) -> Self {
        if self.state.is_some() || self.entrypoint.is_some() {
            self.problems.push(BuildProblem::Conflict(
                "cannot call `initialize_from` after setting state or an entrypoint".into(),
            ));
        }
        self.initializer = Some(init);
        self
    }

    /// Records the application that spawned this one (for tracking).
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_spawning_parent(burr_core::Pointer {
    ///     app_id: "parent".into(), sequence_id: Some(1), partition_key: None,
    /// });
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_spawning_parent(mut self, parent: Pointer) -> Self {
        self.spawning_parent = Some(parent);
        self
    }

    /// Validates everything and builds the application, reporting every problem found.
    /// A sync loader in `initialize_from` is used here; async persisters and loaders need
    /// [`ApplicationBuilder::build_async`].
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{ApplicationBuilder, Error, Input, default};
    /// let err = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_transition("a", "nowhere", default())
    ///     .build()
    ///     .unwrap_err();
    /// let Error::Build { problems } = err else { panic!() };
    /// assert_eq!(problems.len(), 2); // unknown target, missing entrypoint
    /// ```
    pub fn build(self) -> Result<Application, Error> {
        drive(self.build_in(Mode::Sync))
    }

    /// The async [`ApplicationBuilder::build`]: awaits async persisters and loaders. The
    /// application can then only be run with the `_async` methods.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let app = burr_core::ApplicationBuilder::new()
    ///     .with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a")
    ///     .build_async().await.unwrap();
    /// assert!(app.is_async_only());
    /// # });
    /// ```
    #[doc(alias = "abuild")]
    pub async fn build_async(self) -> Result<Application, Error> {
        self.build_in(Mode::Async).await
    }

    pub(crate) async fn build_in(self, mode: Mode) -> Result<Application, Error> {
        let problem = |p: &str| Err(Error::build(vec![BuildProblem::Persistence(p.into())]));
        let initialized = match &self.saver {
            None => true,
            Some(Saver::Sync(s)) => s.is_initialized()?,
            Some(Saver::Async(_)) if !mode.is_async() => {
                return problem(
                    "an async state persister needs an async application: use `build_async().await`",
                );
            }
            Some(Saver::Async(s)) => s.is_initialized().await?,
        };
        if !initialized {
            return problem(
                "the state persister is not initialized: call `initialize()` on it first",
            );
        }
        self.reconcile(mode).await?;
        let loaded = match &self.initializer {
            Some(init) => {
                if matches!(init.loader, Loader::Async(_)) && !mode.is_async() {
                    return problem(
                        "an async state loader needs an async application: use `build_async().await`",
                    );
                }
                Some(match self.load_target(init)? {
                    // A fresh app id has nothing saved: nothing to load.
                    None => None,
                    Some((pk, id, seq)) => match &init.loader {
                        Loader::Sync(l) => l.load(pk.as_deref(), &id, seq)?,
                        Loader::Async(l) => l.load(pk.as_deref(), &id, seq).await?,
                    },
                })
            }
            None => None,
        };
        // The step that runs next re-runs a failed step, or one that may have crashed after
        // journaling: its journal, if the store kept one.
        let journal_of = match (&self.initializer, &loaded, &self.app_id) {
            (Some(init), Some(Some(row)), _) if init.fork_from.is_none() => Some((
                row.sequence_id
                    .saturating_add(u64::from(row.status == Status::Completed)),
                row.app_id.clone(),
            )),
            (Some(init), Some(None), Some(id)) if init.fork_from.is_none() => Some((0, id.clone())),
            _ => None,
        };
        let mut journal = Vec::new();
        if let (Some((seq, id)), Some(init)) = (&journal_of, &self.initializer) {
            let pk = self.partition_key.as_deref();
            journal = match &init.loader {
                Loader::Sync(l) => l.load_journal(pk, id, *seq)?,
                Loader::Async(l) => l.load_journal(pk, id, *seq).await?,
            };
            // Loaded from a tracker, say: the state persister may keep the journal.
            if journal.is_empty() {
                journal = match self.saver.as_ref().and_then(Saver::loader) {
                    Some(LoaderRef::Sync(l)) => l.load_journal(pk, id, *seq)?,
                    Some(LoaderRef::Async(l)) => l.load_journal(pk, id, *seq).await?,
                    None => Vec::new(),
                };
            }
        }
        let mut app = self.finish(loaded, mode.is_async())?;
        app.recovered_journal = journal;
        Ok(app)
    }

    /// Before a resume: when a tracker keeping a [`StepJournal`](crate::StepJournal) and a
    /// persister both record this application, brings the one that is behind (a process
    /// killed between the save and the tracker's record of the step, or inside an action) up
    /// to the
    /// other (see [`persistence`](crate::persistence)'s reconciliation), so that both hold the
    /// same steps whichever one `initialize_from` loads. Forks and applications with a fresh
    /// id have nothing of their own to reconcile.
    async fn reconcile(&self, mode: Mode) -> Result<(), Error> {
        let (Some(init), Some(Hook::Sync(tracker)), Some(saver), Some(app_id)) =
            (&self.initializer, &self.tracker, &self.saver, &self.app_id)
        else {
            return Ok(());
        };
        match tracker.step_journal() {
            Some(journal) if init.fork_from.is_none() => {
                reconcile(
                    journal,
                    saver,
                    self.partition_key.as_deref(),
                    app_id,
                    &init.default_state,
                    mode,
                )
                .await
            }
            _ => Ok(()),
        }
    }

    /// What `initialize_from` loads: the fork's source, or the app's own id; `None` when
    /// the app gets a fresh id (nothing can be saved under it yet).
    #[allow(clippy::type_complexity)]
    fn load_target(
        &self,
        init: &InitializeFrom,
    ) -> Result<Option<(Option<String>, String, Option<u64>)>, Error> {
        match &init.fork_from {
            Some(p) => {
                if self.app_id.as_deref() == Some(p.app_id.as_str()) {
                    return Err(Error::build(vec![BuildProblem::Conflict(format!(
                        "cannot fork and save to the same app id `{}`; give the fork a new id",
                        p.app_id
                    ))]));
                }
                Ok(Some((
                    p.partition_key.clone(),
                    p.app_id.clone(),
                    p.sequence_id,
                )))
            }
            None => Ok(self
                .app_id
                .as_ref()
                .map(|id| (self.partition_key.clone(), id.clone(), self.sequence_id))),
        }
    }

    fn finish(
        mut self,
        loaded: Option<Option<PersistedState>>,
        async_only: bool,
    ) -> Result<Application, Error> {
        let mut problems = std::mem::take(&mut self.problems);
        let mut state = self.state.take().unwrap_or_default();
        let mut entrypoint = self.entrypoint.take();
        let mut sequence_id = self.sequence_id;
        let mut parent_pointer = None;
        if let Some(init) = &self.initializer {
            entrypoint = Some(init.default_entrypoint.clone());
            match loaded.flatten() {
                None => {
                    state = state.merge(&init.default_state);
                    sequence_id = None;
                }
                Some(row) => {
                    state = row.state;
                    if let Some(o) = &init.override_state_values {
                        state = state.merge(o);
                    }
                    sequence_id = Some(row.sequence_id);
                    match row.status {
                        Status::Completed if init.resume_at_next_action => {
                            state = state.with_prior_step(&row.position);
                        }
                        Status::Completed => state = state.without_prior_step(),
                        Status::Failed => {
                            entrypoint = Some(row.position.clone());
                            state = state.without_prior_step();
                        }
                    }
                    parent_pointer = init.fork_from.clone().map(|p| Pointer {
                        sequence_id: Some(row.sequence_id),
                        ..p
                    });
                }
            }
        }
        if let Some(e) = state.write_error() {
            problems.push(BuildProblem::InvalidState(e.clone()));
        }
        let graph = build_graph(
            &self.actions,
            &self.transitions,
            &self.policies,
            entrypoint.as_deref(),
            &mut problems,
        );
        if let Some(g) = &graph {
            let tags: Vec<String> = g.nodes.iter().flat_map(|n| n.info.tags.clone()).collect();
            self.save_policy.check(&tags, &mut problems);
        }
        let graph = match graph {
            Some(g) if problems.is_empty() => g,
            _ => return Err(Error::build(problems)),
        };
        if let Some(seq) = sequence_id {
            state = state.with_sequence_id(seq);
        }
        let prior = match state.prior_step() {
            Some(p) => Some(graph.lookup(p)?),
            None => None,
        };
        let shared = Arc::new(AppShared {
            app_id: Arc::from(
                self.app_id
                    .take()
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            ),
            partition_key: self.partition_key.take().map(Arc::from),
            hooks: std::mem::take(&mut self.hooks),
            tracker: self.tracker.take(),
            saver: self.saver.take(),
            loader: self.initializer.take().map(|i| i.loader),
            cancel: Default::default(),
        });
        let suspended = graph.suspended_node(&state)?;
        let app = Application {
            graph: Arc::new(graph),
            shared,
            state,
            prior,
            async_only,
            parent_pointer,
            spawning_parent_pointer: self.spawning_parent.take(),
            suspended,
            resume_value: None,
            resume_error: None,
            spare_ctx: None,
            recovered_journal: Vec::new(),
            saving: Saving::new(std::mem::take(&mut self.save_policy)),
            run_span: tracing::Span::none(),
        };
        let event = ApplicationCreated {
            app_id: app.app_id(),
            partition_key: app.partition_key(),
            state: &app.state,
            graph: app.graph(),
            parent_pointer: app.parent_pointer.as_ref(),
            spawning_parent_pointer: app.spawning_parent_pointer.as_ref(),
            time: SystemTime::now(),
        };
        app.shared.hooks.each(|h| h.post_application_create(&event));
        Ok(app)
    }
}
