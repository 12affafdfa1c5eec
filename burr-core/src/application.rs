//! [`ApplicationBuilder`] and [`Application`]: compose actions and transitions, then step,
//! run and iterate, from sync code or from tokio.

use std::sync::Arc;
use std::time::SystemTime;

use futures_core::Stream;

use crate::State;
use crate::action::{Action, Inputs, IntoAction, ResultMap, StepOutput};
use crate::condition::Condition;
use crate::context::{ActionContext, AppShared, Scoped, scoped};
use crate::error::{ActionError, BuildProblem, BurrError};
use crate::graph::{Graph, RuntimeGraph, TransitionSpec, build_graph};
use crate::hooks::{
    ApplicationCreated, AsyncLifecycleHook, ExecuteCall, ExecuteMethod, Hooks, LifecycleHook,
    Pointer, PostRunStep, PreRunStep,
};
use crate::persistence::{
    AsyncStateLoader, AsyncStateSaver, Loader, PersistedState, SaveRequest, Saver, StateLoader,
    StateSaver, Status,
};

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

impl From<()> for Inputs {
    fn from(_: ()) -> Self {
        Inputs::new()
    }
}

impl From<&Inputs> for Inputs {
    fn from(i: &Inputs) -> Self {
        i.clone()
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// The action that ran.
    pub action: String,
    /// The step's sequence id.
    pub sequence_id: u64,
    /// Its result.
    pub result: ResultMap,
    /// The state after it.
    pub state: State,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halted {
    /// The next action is in `halt_before`; it did not run.
    Before,
    /// The last action is in `halt_after`.
    After,
    /// No transition matched (or nothing ran): the graph reached a dead end.
    NoTransition,
}

/// What a run ended with (Burr's `(action, result, state)` triple, plus why it stopped).
///
/// - halted before an action: `action` is that action, `result` is `None`;
/// - halted after an action: `action` and `result` are that step's;
/// - dead end: the last step's action and result (both `None` when nothing ran).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The action (see the type's docs).
    pub action: Option<String>,
    /// The result (see the type's docs).
    pub result: Option<ResultMap>,
    /// The final state.
    pub state: State,
    /// Why the run stopped.
    pub halted: Halted,
}

impl From<Outcome> for (Option<String>, Option<ResultMap>, State) {
    fn from(o: Outcome) -> Self {
        (o.action, o.result, o.state)
    }
}

/// How [`ApplicationBuilder::initialize_from`] loads the starting state: resume an
/// application, or fork a new one from any step of another.
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
    loader: Loader,
    resume_at_next_action: bool,
    default_state: State,
    default_entrypoint: String,
    fork_from: Option<Pointer>,
    override_state_values: Option<State>,
}

impl InitializeFrom {
    /// Loads with a sync loader; when nothing is saved, starts from `default_state` at
    /// `default_entrypoint`. Resumes at the next action by default.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = burr_core::InitializeFrom::new(burr_core::InMemoryPersister::new(), burr_core::State::new(), "a");
    /// ```
    pub fn new(
        loader: impl StateLoader + 'static,
        default_state: State,
        default_entrypoint: impl Into<String>,
    ) -> Self {
        Self::with_loader(
            Loader::Sync(Arc::new(loader)),
            default_state,
            default_entrypoint,
        )
    }

    /// Loads with an async loader (the application must be built with
    /// [`ApplicationBuilder::abuild`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use burr_core::*;
    /// # struct L;
    /// # impl AsyncStateLoader for L {
    /// #   fn load<'a>(&'a self, _: Option<&'a str>, _: &'a str, _: Option<u64>) -> futures_util::future::BoxFuture<'a, Result<Option<PersistedState>, PersistenceError>> { Box::pin(async { Ok(None) }) }
    /// #   fn list_app_ids<'a>(&'a self, _: Option<&'a str>) -> futures_util::future::BoxFuture<'a, Result<Vec<String>, PersistenceError>> { Box::pin(async { Ok(vec![]) }) }
    /// # }
    /// let _ = InitializeFrom::new_async(L, State::new(), "a");
    /// ```
    pub fn new_async(
        loader: impl AsyncStateLoader + 'static,
        default_state: State,
        default_entrypoint: impl Into<String>,
    ) -> Self {
        Self::with_loader(
            Loader::Async(Arc::new(loader)),
            default_state,
            default_entrypoint,
        )
    }

    /// Loads with a shared loader.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let p = Arc::new(burr_core::InMemoryPersister::new());
    /// let _ = burr_core::InitializeFrom::with_loader(burr_core::Loader::Sync(p), burr_core::State::new(), "a");
    /// ```
    pub fn with_loader(
        loader: Loader,
        default_state: State,
        default_entrypoint: impl Into<String>,
    ) -> Self {
        InitializeFrom {
            loader,
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
    tracker: Option<Arc<dyn LifecycleHook>>,
    saver: Option<Saver>,
    initializer: Option<InitializeFrom>,
    spawning_parent: Option<Pointer>,
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

    /// Adds a sync lifecycle hook.
    ///
    /// # Examples
    ///
    /// ```
    /// struct Quiet;
    /// impl burr_core::LifecycleHook for Quiet {}
    /// let b = burr_core::ApplicationBuilder::new().with_hook(Quiet);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_hook(mut self, hook: impl LifecycleHook) -> Self {
        self.hooks.sync.push(Arc::new(hook));
        self
    }

    /// Adds a shared sync lifecycle hook.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// struct Quiet;
    /// impl burr_core::LifecycleHook for Quiet {}
    /// let hook: Arc<dyn burr_core::LifecycleHook> = Arc::new(Quiet);
    /// let b = burr_core::ApplicationBuilder::new().with_shared_hook(hook);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_shared_hook(mut self, hook: Arc<dyn LifecycleHook>) -> Self {
        self.hooks.sync.push(hook);
        self
    }

    /// Adds an async lifecycle hook (run by the async methods).
    ///
    /// # Examples
    ///
    /// ```
    /// struct Quiet;
    /// impl burr_core::AsyncLifecycleHook for Quiet {}
    /// let b = burr_core::ApplicationBuilder::new().with_async_hook(Quiet);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_async_hook(mut self, hook: impl AsyncLifecycleHook) -> Self {
        self.hooks.asynchronous.push(Arc::new(hook));
        self
    }

    /// Adds a tracker: a hook that is also handed to sub-applications and exposed on the
    /// context. Accepts any hook, or an `Arc` of one to share it.
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
    pub fn with_tracker(mut self, tracker: impl IntoHook) -> Self {
        let t = tracker.into_hook();
        self.hooks.sync.push(t.clone());
        self.tracker = Some(t);
        self
    }

    /// Saves the state after every step (status completed, or failed with the state before
    /// the failed action). The store must be initialized: `build` checks it.
    ///
    /// # Examples
    ///
    /// ```
    /// let b = burr_core::ApplicationBuilder::new().with_state_persister(burr_core::InMemoryPersister::new());
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_state_persister(mut self, saver: impl StateSaver + 'static) -> Self {
        self.saver = Some(Saver::Sync(Arc::new(saver)));
        self
    }

    /// Like [`ApplicationBuilder::with_state_persister`] with an async saver (async
    /// applications only: build with [`ApplicationBuilder::abuild`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # struct S;
    /// # impl AsyncStateSaver for S {
    /// #   fn save<'a>(&'a self, _: SaveRequest<'a>) -> futures_util::future::BoxFuture<'a, Result<(), PersistenceError>> { Box::pin(async { Ok(()) }) }
    /// # }
    /// let b = ApplicationBuilder::new().with_async_state_persister(S);
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_async_state_persister(mut self, saver: impl AsyncStateSaver + 'static) -> Self {
        self.saver = Some(Saver::Async(Arc::new(saver)));
        self
    }

    /// Uses a shared saver (sync or async).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let p = Arc::new(burr_core::InMemoryPersister::new());
    /// let b = burr_core::ApplicationBuilder::new().with_saver(burr_core::Saver::Sync(p));
    /// # let _ = b;
    /// ```
    #[must_use]
    pub fn with_saver(mut self, saver: Saver) -> Self {
        self.saver = Some(saver);
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
    /// A sync loader in `initialize_from` is used here; async ones need
    /// [`ApplicationBuilder::abuild`].
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{ApplicationBuilder, BurrError, Input, default};
    /// let err = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_transition("a", "nowhere", default())
    ///     .build()
    ///     .unwrap_err();
    /// let BurrError::Build { problems } = err else { panic!() };
    /// assert_eq!(problems.len(), 2); // unknown target, missing entrypoint
    /// ```
    pub fn build(self) -> Result<Application, BurrError> {
        if matches!(self.saver, Some(Saver::Async(_))) {
            return Err(BurrError::build(vec![BuildProblem::Persistence(
                "an async state persister needs an async application: use `abuild().await`".into(),
            )]));
        }
        if let Some(Saver::Sync(s)) = &self.saver
            && !s.is_initialized()?
        {
            return Err(BurrError::build(vec![BuildProblem::Persistence(
                "the state persister is not initialized: call `initialize()` on it first".into(),
            )]));
        }
        let loaded = match &self.initializer {
            Some(init) => match &init.loader {
                Loader::Sync(l) => {
                    let (pk, id, seq) = self.load_target(init)?;
                    Some(l.load(pk.as_deref(), &id, seq)?)
                }
                Loader::Async(_) => {
                    return Err(BurrError::build(vec![BuildProblem::Persistence(
                        "an async state loader needs an async application: use `abuild().await`"
                            .into(),
                    )]));
                }
            },
            None => None,
        };
        self.finish(loaded, false)
    }

    /// Like [`ApplicationBuilder::build`], awaiting async persisters and loaders. The
    /// application can then only be run with the async methods.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let app = burr_core::ApplicationBuilder::new()
    ///     .with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a")
    ///     .abuild().await.unwrap();
    /// assert!(app.is_async_only());
    /// # });
    /// ```
    pub async fn abuild(self) -> Result<Application, BurrError> {
        match &self.saver {
            Some(Saver::Async(s)) if !s.is_initialized().await? => {
                return Err(BurrError::build(vec![BuildProblem::Persistence(
                    "the state persister is not initialized: call `initialize()` on it first"
                        .into(),
                )]));
            }
            Some(Saver::Sync(s)) if !s.is_initialized()? => {
                return Err(BurrError::build(vec![BuildProblem::Persistence(
                    "the state persister is not initialized: call `initialize()` on it first"
                        .into(),
                )]));
            }
            _ => {}
        }
        let loaded = match &self.initializer {
            Some(init) => {
                let (pk, id, seq) = self.load_target(init)?;
                Some(match &init.loader {
                    Loader::Sync(l) => l.load(pk.as_deref(), &id, seq)?,
                    Loader::Async(l) => l.load(pk.as_deref(), &id, seq).await?,
                })
            }
            None => None,
        };
        self.finish(loaded, true)
    }

    fn load_target(
        &self,
        init: &InitializeFrom,
    ) -> Result<(Option<String>, String, Option<u64>), BurrError> {
        match &init.fork_from {
            Some(p) => {
                if self.app_id.as_deref() == Some(p.app_id.as_str()) {
                    return Err(BurrError::build(vec![BuildProblem::Conflict(format!(
                        "cannot fork and save to the same app id `{}`; give the fork a new id",
                        p.app_id
                    ))]));
                }
                Ok((p.partition_key.clone(), p.app_id.clone(), p.sequence_id))
            }
            None => match &self.app_id {
                Some(id) => Ok((self.partition_key.clone(), id.clone(), self.sequence_id)),
                // A fresh UUID has nothing saved: skip the load.
                None => Ok((self.partition_key.clone(), String::new(), None)),
            },
        }
    }

    fn finish(
        mut self,
        loaded: Option<Option<PersistedState>>,
        async_only: bool,
    ) -> Result<Application, BurrError> {
        let mut problems = std::mem::take(&mut self.problems);
        let mut state = self.state.take().unwrap_or_default();
        let mut entrypoint = self.entrypoint.take();
        let mut sequence_id = self.sequence_id;
        let mut parent_pointer = None;
        if let Some(init) = &self.initializer {
            entrypoint = Some(init.default_entrypoint.clone());
            match loaded
                .flatten()
                .filter(|_| self.app_id.is_some() || init.fork_from.is_some())
            {
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
        let graph = build_graph(
            &self.actions,
            &self.transitions,
            entrypoint.as_deref(),
            &mut problems,
        );
        let graph = match graph {
            Some(g) if problems.is_empty() => g,
            _ => return Err(BurrError::build(problems)),
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
        });
        let app = Application {
            graph: Arc::new(graph),
            shared,
            state,
            prior,
            async_only,
            parent_pointer,
            spawning_parent_pointer: self.spawning_parent.take(),
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

/// Converts a value into a shared hook: any [`LifecycleHook`], or an `Arc` of one.
pub trait IntoHook {
    /// The shared hook.
    fn into_hook(self) -> Arc<dyn LifecycleHook>;
}

impl<T: LifecycleHook> IntoHook for T {
    fn into_hook(self) -> Arc<dyn LifecycleHook> {
        Arc::new(self)
    }
}

impl IntoHook for Arc<dyn LifecycleHook> {
    fn into_hook(self) -> Arc<dyn LifecycleHook> {
        self
    }
}

/// A running application: a graph, a state, and the position in the graph.
///
/// # Examples
///
/// ```
/// use burr_core::*;
/// let mut app = ApplicationBuilder::new()
///     .with_action("ask", Input::new(["q"]))
///     .with_entrypoint("ask")
///     .build()
///     .unwrap();
/// let step = app.step_with(&inputs! { q: "hi" }).unwrap().unwrap();
/// assert_eq!((step.action.as_str(), step.sequence_id), ("ask", 0));
/// assert_eq!(app.state().get::<String>("q").unwrap(), "hi");
/// assert!(app.step().unwrap().is_none()); // no transition out of `ask`
/// ```
pub struct Application {
    pub(crate) graph: Arc<RuntimeGraph>,
    pub(crate) shared: Arc<AppShared>,
    pub(crate) state: State,
    /// Index of the node named by `state.prior_step()`, kept in sync with it.
    pub(crate) prior: Option<usize>,
    pub(crate) async_only: bool,
    pub(crate) parent_pointer: Option<Pointer>,
    pub(crate) spawning_parent_pointer: Option<Pointer>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("app_id", &self.shared.app_id)
            .field("partition_key", &self.shared.partition_key)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A step that was prepared (sequence id bumped, action chosen, inputs checked).
pub(crate) struct Prepared {
    pub(crate) node: usize,
    pub(crate) seq: u64,
    pub(crate) inputs: Inputs,
    pub(crate) ctx: ActionContext,
    /// The state before the step, when a saver may need it back.
    pub(crate) before: Option<State>,
    pub(crate) before_prior: Option<usize>,
}

impl Application {
    /// The application id.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.app_id().len(), 36); // a UUID
    /// ```
    pub fn app_id(&self) -> &str {
        &self.shared.app_id
    }

    /// The partition key, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.partition_key(), None);
    /// ```
    pub fn partition_key(&self) -> Option<&str> {
        self.shared.partition_key.as_deref()
    }

    /// The sequence id of the last step (`None` before the first).
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.sequence_id(), None);
    /// ```
    pub fn sequence_id(&self) -> Option<u64> {
        self.state.sequence_id()
    }

    /// The current state.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.state().is_empty());
    /// ```
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The graph.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.graph().entrypoint, "a");
    /// ```
    pub fn graph(&self) -> &Graph {
        &self.graph.public
    }

    /// The graph in Graphviz DOT.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.visualize().contains("\"a\""));
    /// ```
    pub fn visualize(&self) -> String {
        self.graph.public.to_dot()
    }

    /// The application this one was forked from.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.parent_pointer().is_none());
    /// ```
    pub fn parent_pointer(&self) -> Option<&Pointer> {
        self.parent_pointer.as_ref()
    }

    /// The application that spawned this one.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.spawning_parent_pointer().is_none());
    /// ```
    pub fn spawning_parent_pointer(&self) -> Option<&Pointer> {
        self.spawning_parent_pointer.as_ref()
    }

    /// The tracker, if one was set.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.tracker().is_none());
    /// ```
    pub fn tracker(&self) -> Option<&Arc<dyn LifecycleHook>> {
        self.shared.tracker.as_ref()
    }

    /// The state saver, if one was set.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.state_persister().is_none());
    /// ```
    pub fn state_persister(&self) -> Option<&Saver> {
        self.shared.saver.as_ref()
    }

    /// Whether it was built with `abuild` (only the async methods work).
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(!app.is_async_only());
    /// ```
    pub fn is_async_only(&self) -> bool {
        self.async_only
    }

    /// Replaces the state (the position follows its `__PRIOR_STEP`).
    ///
    /// # Examples
    ///
    /// ```
    /// # let mut app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// app.update_state(burr_core::State::new().update("x", 1)).unwrap();
    /// assert_eq!(app.state().get::<i32>("x").unwrap(), 1);
    /// ```
    pub fn update_state(&mut self, state: State) -> Result<(), BurrError> {
        self.prior = match state.prior_step() {
            Some(p) => Some(self.graph.lookup(p)?),
            None => None,
        };
        self.state = state;
        Ok(())
    }

    /// Goes back to the entrypoint (forgets `__PRIOR_STEP`), keeping the state.
    ///
    /// # Examples
    ///
    /// ```
    /// # let mut app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// app.reset_to_entrypoint();
    /// assert_eq!(app.next_action(), Some("a"));
    /// ```
    pub fn reset_to_entrypoint(&mut self) {
        self.state = self.state.without_prior_step();
        self.prior = None;
    }

    /// The action the next step would run (`None` at a dead end). Conditions that fail to
    /// evaluate count as no next action here; `step` reports their error.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.next_action(), Some("a"));
    /// assert!(app.has_next_action());
    /// ```
    pub fn next_action(&self) -> Option<&str> {
        let next = self.graph.next(self.prior, &self.state).ok()??;
        Some(&self.graph.nodes[next].info.name)
    }

    /// Whether there is a next action.
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.has_next_action());
    /// ```
    pub fn has_next_action(&self) -> bool {
        self.next_action().is_some()
    }

    /// The context the next step's action would get (ids and sequence id).
    ///
    /// # Examples
    ///
    /// ```
    /// # let app = burr_core::ApplicationBuilder::new().with_app_id("x").with_action("a", burr_core::Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.context().app_id(), "x");
    /// assert_eq!(app.context().sequence_id(), 0);
    /// ```
    pub fn context(&self) -> ActionContext {
        let seq = self.state.sequence_id().map_or(0, |s| s + 1);
        let name = self.next_action().map_or_else(|| Arc::from(""), Arc::from);
        ActionContext::new(&self.shared, &name, seq)
    }

    pub(crate) fn check_sync(&self) -> Result<(), BurrError> {
        if self.async_only {
            Err(BurrError::AsyncOnly)
        } else {
            Ok(())
        }
    }

    fn execute_event<'a>(
        &'a self,
        method: ExecuteMethod,
        error: Option<&'a BurrError>,
    ) -> ExecuteCall<'a> {
        ExecuteCall {
            app_id: &self.shared.app_id,
            partition_key: self.shared.partition_key.as_deref(),
            state: &self.state,
            method,
            error,
            time: SystemTime::now(),
        }
    }

    pub(crate) fn fire_execute(&self, method: ExecuteMethod, pre: bool, error: Option<&BurrError>) {
        if self.shared.hooks.sync.is_empty() {
            return;
        }
        let event = self.execute_event(method, error);
        if pre {
            self.shared.hooks.each(|h| h.pre_run_execute_call(&event));
        } else {
            self.shared.hooks.each(|h| h.post_run_execute_call(&event));
        }
    }

    pub(crate) async fn afire_execute(
        &self,
        method: ExecuteMethod,
        pre: bool,
        error: Option<&BurrError>,
    ) {
        self.fire_execute(method, pre, error);
        if self.shared.hooks.asynchronous.is_empty() {
            return;
        }
        let event = self.execute_event(method, error);
        for h in &self.shared.hooks.asynchronous {
            if pre {
                h.pre_run_execute_call(&event).await;
            } else {
                h.post_run_execute_call(&event).await;
            }
        }
    }

    /// Bumps the sequence id, picks the next action, checks the inputs.
    pub(crate) fn prepare(&mut self, inputs: &Inputs) -> Result<Option<Prepared>, BurrError> {
        // Kept only to roll back when saving fails (nothing else needs it).
        let before = self.shared.saver.as_ref().map(|_| self.state.clone());
        let before_prior = self.prior;
        let seq = self.state.sequence_id().map_or(0, |s| s + 1);
        self.state.set_sequence_id(seq);
        let Some(node) = self.graph.next(self.prior, &self.state)? else {
            return Ok(None);
        };
        let n = &self.graph.nodes[node];
        if inputs.names().any(|k| k.starts_with("__")) {
            return Err(BurrError::ReservedInput(
                inputs
                    .names()
                    .filter(|k| k.starts_with("__"))
                    .map(str::to_string)
                    .collect(),
            ));
        }
        let inputs = inputs.filtered(&n.info.inputs);
        let missing: Vec<String> = n
            .info
            .inputs
            .iter()
            .filter(|i| i.required && !inputs.contains(&i.name))
            .map(|i| i.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(BurrError::MissingInputs {
                action: n.info.name.clone(),
                missing,
                given: inputs.names().map(str::to_string).collect(),
            });
        }
        let ctx = ActionContext::for_step(&self.shared, &n.name, seq);
        Ok(Some(Prepared {
            node,
            seq,
            inputs,
            ctx,
            before,
            before_prior,
        }))
    }

    fn pre_step_event<'a>(&'a self, p: &'a Prepared) -> PreRunStep<'a> {
        PreRunStep {
            app_id: &self.shared.app_id,
            partition_key: self.shared.partition_key.as_deref(),
            sequence_id: p.seq,
            state: &self.state,
            action: &self.graph.nodes[p.node].info,
            inputs: &p.inputs,
            time: SystemTime::now(),
        }
    }

    pub(crate) fn fire_pre_step(&self, p: &Prepared) {
        if self.shared.hooks.sync.is_empty() {
            return;
        }
        let event = self.pre_step_event(p);
        self.shared.hooks.each(|h| h.pre_run_step(&event));
    }

    pub(crate) async fn afire_pre_step(&self, p: &Prepared) {
        self.fire_pre_step(p);
        if self.shared.hooks.asynchronous.is_empty() {
            return;
        }
        let event = self.pre_step_event(p);
        for h in &self.shared.hooks.asynchronous {
            h.pre_run_step(&event).await;
        }
    }

    /// Checks the action's output against its declarations and merges it into the state.
    pub(crate) fn apply(&self, node: usize, out: StepOutput) -> Result<StepOutput, BurrError> {
        let n = &self.graph.nodes[node];
        let writes = &n.info.writes;
        let StepOutput { result, state: out } = out;
        let mut new_state = if out.is_view_of(&n.view) {
            let (undeclared, missing) = out.write_violations();
            write_errors(&n.info.name, writes, undeclared, missing)?;
            out.into_unviewed()
        } else {
            // The action built a state of its own: what differs from what it could see is
            // what it wrote.
            let before = &self.state;
            let reads = &n.info.reads;
            let mut written: Vec<String> = out
                .raw_keys()
                .filter(|k| !(reads.iter().any(|r| r == k) && before.same_field(&out, k)))
                .map(str::to_string)
                .collect();
            written.extend(
                reads
                    .iter()
                    .filter(|r| before.has_raw(r) && !out.has_raw(r))
                    .cloned(),
            );
            let undeclared = written
                .iter()
                .filter(|k| !writes.contains(k))
                .cloned()
                .collect();
            let missing = writes
                .iter()
                .filter(|w| !written.contains(w))
                .cloned()
                .collect();
            write_errors(&n.info.name, writes, undeclared, missing)?;
            let mut merged = before.clone();
            for k in &written {
                merged.copy_field_from(&out, k);
            }
            merged
        };
        new_state.set_prior_step_arc(n.name.clone());
        Ok(StepOutput {
            result,
            state: new_state,
        })
    }

    /// Records a step's outcome: new state on success, the previous one on failure; fires
    /// the post-step hooks (sync) and saves.
    pub(crate) fn conclude_sync(
        &mut self,
        p: &Prepared,
        outcome: Result<StepOutput, ActionError>,
    ) -> Result<StepResult, BurrError> {
        let node = p.node;
        let applied = outcome
            .map_err(|e| e.into_burr(&self.graph.nodes[node].info.name))
            .and_then(|out| self.apply(node, out));
        let saved = self.save_sync(p, applied.as_ref().ok());
        self.commit(p, applied, saved)
    }

    pub(crate) fn save_sync(
        &self,
        p: &Prepared,
        out: Option<&StepOutput>,
    ) -> Result<(), BurrError> {
        match &self.shared.saver {
            None => Ok(()),
            Some(Saver::Sync(s)) => Ok(s.save(self.save_request(p, out))?),
            Some(Saver::Async(_)) => Err(BurrError::AsyncOnly),
        }
    }

    pub(crate) async fn save_async(
        &self,
        p: &Prepared,
        out: Option<&StepOutput>,
    ) -> Result<(), BurrError> {
        match &self.shared.saver {
            None => Ok(()),
            Some(Saver::Sync(s)) => Ok(s.save(self.save_request(p, out))?),
            Some(Saver::Async(s)) => Ok(s.save(self.save_request(p, out)).await?),
        }
    }

    pub(crate) fn save_request<'a>(
        &'a self,
        p: &'a Prepared,
        out: Option<&'a StepOutput>,
    ) -> SaveRequest<'a> {
        SaveRequest {
            partition_key: self.shared.partition_key.as_deref(),
            app_id: &self.shared.app_id,
            sequence_id: p.seq,
            position: &self.graph.nodes[p.node].info.name,
            state: out.map_or(&self.state, |o| &o.state),
            status: if out.is_some() {
                Status::Completed
            } else {
                Status::Failed
            },
        }
    }

    /// Applies the outcome to the application and fires the sync post-step hooks.
    pub(crate) fn commit(
        &mut self,
        p: &Prepared,
        applied: Result<StepOutput, BurrError>,
        saved: Result<(), BurrError>,
    ) -> Result<StepResult, BurrError> {
        let node = p.node;
        let result = match (applied, saved) {
            (Ok(out), Ok(())) => {
                self.state = out.state;
                self.prior = Some(node);
                Ok(StepResult {
                    action: self.graph.nodes[node].info.name.clone(),
                    sequence_id: p.seq,
                    result: out.result,
                    state: self.state.clone(),
                })
            }
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => {
                // Nothing was saved: go back to before the step so that it can be retried.
                if let Some(before) = &p.before {
                    self.state = before.clone();
                    self.prior = p.before_prior;
                }
                Err(e)
            }
        };
        if !self.shared.hooks.sync.is_empty() {
            let event = self.post_step_event(p, &result);
            self.shared.hooks.each(|h| h.post_run_step(&event));
        }
        result
    }

    fn post_step_event<'a>(
        &'a self,
        p: &'a Prepared,
        result: &'a Result<StepResult, BurrError>,
    ) -> PostRunStep<'a> {
        let (result, error) = match result {
            Ok(r) => (Some(&r.result), None),
            Err(e) => (None, Some(e)),
        };
        PostRunStep {
            app_id: &self.shared.app_id,
            partition_key: self.shared.partition_key.as_deref(),
            sequence_id: p.seq,
            state: &self.state,
            action: &self.graph.nodes[p.node].info,
            result,
            error,
            time: SystemTime::now(),
        }
    }

    pub(crate) async fn afire_post_step(
        &self,
        p: &Prepared,
        result: &Result<StepResult, BurrError>,
    ) {
        if self.shared.hooks.asynchronous.is_empty() {
            return;
        }
        let event = self.post_step_event(p, result);
        for h in &self.shared.hooks.asynchronous {
            h.post_run_step(&event).await;
        }
    }

    pub(crate) fn step_inner(&mut self, inputs: &Inputs) -> Result<Option<StepResult>, BurrError> {
        let Some(p) = self.prepare(inputs)? else {
            return Ok(None);
        };
        let n = &self.graph.nodes[p.node];
        if n.info.is_async {
            return Err(BurrError::AsyncActionInSyncContext {
                action: n.info.name.clone(),
            });
        }
        self.fire_pre_step(&p);
        let action = n.action.clone();
        let view = self.state.view_for(&n.view);
        let streaming = n.info.is_streaming;
        let outcome = scoped(&p.ctx.tracer, || {
            crate::streaming::run_action(&*action, streaming, view, &p.inputs, &p.ctx)
        });
        self.conclude_sync(&p, outcome).map(Some)
    }

    pub(crate) async fn astep_inner(
        &mut self,
        inputs: &Inputs,
    ) -> Result<Option<StepResult>, BurrError> {
        let Some(p) = self.prepare(inputs)? else {
            return Ok(None);
        };
        self.afire_pre_step(&p).await;
        let n = &self.graph.nodes[p.node];
        let action = n.action.clone();
        let view = self.state.view_for(&n.view);
        let outcome = if n.info.is_async || n.info.is_streaming {
            Scoped::new(
                &p.ctx.tracer,
                crate::streaming::run_action_async(
                    &*action,
                    n.info.is_streaming,
                    view,
                    &p.inputs,
                    &p.ctx,
                ),
            )
            .await
        } else {
            let streaming = n.info.is_streaming;
            scoped(&p.ctx.tracer, || {
                crate::streaming::run_action(&*action, streaming, view, &p.inputs, &p.ctx)
            })
        };
        if let Some(step) = p.ctx.tracer.step() {
            step.flush_async().await;
        }
        let node = p.node;
        let applied = outcome
            .map_err(|e| e.into_burr(&self.graph.nodes[node].info.name))
            .and_then(|out| self.apply(node, out));
        let saved = self.save_async(&p, applied.as_ref().ok()).await;
        let result = self.commit(&p, applied, saved);
        self.afire_post_step(&p, &result).await;
        result.map(Some)
    }

    /// Runs the next action. `Ok(None)` when there is none (the sequence id still advances,
    /// as in Burr). On failure the state is unchanged and the error names the action.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let err = app.step().unwrap_err();
    /// assert!(matches!(err, BurrError::MissingInputs { .. }));
    /// ```
    pub fn step(&mut self) -> Result<Option<StepResult>, BurrError> {
        self.step_with(&Inputs::new())
    }

    /// [`Application::step`] with runtime inputs (undeclared ones are ignored).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let s = app.step_with(&inputs! { x: 1, unused: 2 }).unwrap().unwrap();
    /// assert_eq!(s.state.get::<i32>("x").unwrap(), 1);
    /// ```
    pub fn step_with(&mut self, inputs: &Inputs) -> Result<Option<StepResult>, BurrError> {
        self.check_sync()?;
        self.fire_execute(ExecuteMethod::Step, true, None);
        let r = self.step_inner(inputs);
        self.fire_execute(ExecuteMethod::Step, false, r.as_ref().err());
        r
    }

    /// Async [`Application::step`]: runs async and sync actions, and the async hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let s = app.astep_with(&inputs! { x: 1 }).await.unwrap().unwrap();
    /// assert_eq!(s.action, "a");
    /// # });
    /// ```
    pub async fn astep(&mut self) -> Result<Option<StepResult>, BurrError> {
        self.astep_with(&Inputs::new()).await
    }

    /// Async [`Application::step_with`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// assert!(app.astep_with(&inputs! { x: 1 }).await.unwrap().is_some());
    /// # });
    /// ```
    pub async fn astep_with(&mut self, inputs: &Inputs) -> Result<Option<StepResult>, BurrError> {
        self.afire_execute(ExecuteMethod::AStep, true, None).await;
        let r = self.astep_inner(inputs).await;
        self.afire_execute(ExecuteMethod::AStep, false, r.as_ref().err())
            .await;
        r
    }

    /// Steps until a halt condition (or a dead end) and returns the [`Outcome`]. At least one
    /// step runs before the halts are checked; `before` wins over `after`. The same inputs
    /// are offered to every step.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_action("b", ResultAction::new(["x"]))
    ///     .with_transition("a", "b", default())
    ///     .with_entrypoint("a").build().unwrap();
    /// let out = app.run(halt_before(["b"]), inputs! { x: 1 }).unwrap();
    /// assert_eq!((out.action.as_deref(), out.result, out.halted), (Some("b"), None, Halted::Before));
    /// ```
    pub fn run(&mut self, halt: Halt, inputs: impl Into<Inputs>) -> Result<Outcome, BurrError> {
        self.check_sync()?;
        let inputs = inputs.into();
        self.fire_execute(ExecuteMethod::Run, true, None);
        let r = self.run_inner(&halt, &inputs);
        self.fire_execute(ExecuteMethod::Run, false, r.as_ref().err());
        r
    }

    pub(crate) fn run_inner(&mut self, halt: &Halt, inputs: &Inputs) -> Result<Outcome, BurrError> {
        let halts = Halts::resolve(&self.graph, halt)?;
        let mut last: Option<StepResult> = None;
        loop {
            match self.step_inner(inputs)? {
                None => return Ok(self.dead_end(last)),
                Some(step) => {
                    if let Some(o) = self.check_halt(&halts, &step)? {
                        return Ok(o);
                    }
                    last = Some(step);
                }
            }
        }
    }

    pub(crate) fn dead_end(&self, last: Option<StepResult>) -> Outcome {
        tracing::debug!(target: "burr", app_id = %self.shared.app_id, "run reached a dead end: no transition matched");
        Outcome {
            action: last.as_ref().map(|s| s.action.clone()),
            result: last.map(|s| s.result),
            state: self.state.clone(),
            halted: Halted::NoTransition,
        }
    }

    pub(crate) fn check_halt(
        &self,
        halts: &Halts,
        step: &StepResult,
    ) -> Result<Option<Outcome>, BurrError> {
        if !halts.before.is_empty()
            && let Some(next) = self.graph.next(self.prior, &self.state)?
            && halts.before.contains(&next)
        {
            return Ok(Some(Outcome {
                action: Some(self.graph.nodes[next].info.name.clone()),
                result: None,
                state: self.state.clone(),
                halted: Halted::Before,
            }));
        }
        if self.prior.is_some_and(|p| halts.after.contains(&p)) {
            return Ok(Some(Outcome {
                action: Some(step.action.clone()),
                result: Some(step.result.clone()),
                state: self.state.clone(),
                halted: Halted::After,
            }));
        }
        Ok(None)
    }

    /// Async [`Application::run`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let out = app.arun(halt_after(["a"]), inputs! { x: 2 }).await.unwrap();
    /// assert_eq!(out.halted, Halted::After);
    /// # });
    /// ```
    pub async fn arun(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> Result<Outcome, BurrError> {
        let inputs = inputs.into();
        self.afire_execute(ExecuteMethod::ARun, true, None).await;
        let r = self.arun_inner(&halt, &inputs).await;
        self.afire_execute(ExecuteMethod::ARun, false, r.as_ref().err())
            .await;
        r
    }

    pub(crate) async fn arun_inner(
        &mut self,
        halt: &Halt,
        inputs: &Inputs,
    ) -> Result<Outcome, BurrError> {
        let halts = Halts::resolve(&self.graph, halt)?;
        let mut last: Option<StepResult> = None;
        loop {
            match self.astep_inner(inputs).await? {
                None => return Ok(self.dead_end(last)),
                Some(step) => {
                    if let Some(o) = self.check_halt(&halts, &step)? {
                        return Ok(o);
                    }
                    last = Some(step);
                }
            }
        }
    }

    /// Iterates step by step until a halt condition; after the iterator ends,
    /// [`Iterate::outcome`] tells how the run ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_action("b", ResultAction::new(["x"]))
    ///     .with_transition("a", "b", default())
    ///     .with_entrypoint("a").build().unwrap();
    /// let mut it = app.iterate(halt_after(["b"]), inputs! { x: 1 });
    /// let names: Vec<String> = it.by_ref().map(|s| s.unwrap().action).collect();
    /// assert_eq!(names, vec!["a", "b"]);
    /// assert_eq!(it.outcome().unwrap().halted, Halted::After);
    /// ```
    pub fn iterate(&mut self, halt: Halt, inputs: impl Into<Inputs>) -> Iterate<'_> {
        let inputs = inputs.into();
        let start = self
            .check_sync()
            .and_then(|()| Halts::resolve(&self.graph, &halt));
        self.fire_execute(ExecuteMethod::Iterate, true, None);
        Iterate {
            app: self,
            inputs,
            halts: start,
            last: None,
            outcome: None,
            done: false,
        }
    }

    /// Async iteration: a `Stream` of steps until a halt condition (or an error, which is the
    /// last item).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// use futures_util::StreamExt;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let steps: Vec<_> = app.aiterate(halt_after(["a"]), inputs! { x: 1 }).collect().await;
    /// assert_eq!(steps.len(), 1);
    /// # });
    /// ```
    pub fn aiterate(
        &mut self,
        halt: Halt,
        inputs: impl Into<Inputs>,
    ) -> impl Stream<Item = Result<StepResult, BurrError>> + Send + '_ {
        let inputs = inputs.into();
        let halts = Halts::resolve(&self.graph, &halt);
        self.fire_execute(ExecuteMethod::AIterate, true, None);
        futures_util::stream::unfold(
            (Some(self), inputs, halts),
            |(app, inputs, halts)| async move {
                let app = app?;
                let halts = match halts {
                    Ok(h) => h,
                    Err(e) => return Some((Err(e), (None, inputs, Ok(Halts::default())))),
                };
                match app.astep_inner(&inputs).await {
                    Ok(None) => {
                        app.afire_execute(ExecuteMethod::AIterate, false, None)
                            .await;
                        None
                    }
                    Err(e) => {
                        app.afire_execute(ExecuteMethod::AIterate, false, Some(&e))
                            .await;
                        Some((Err(e), (None, inputs, Ok(halts))))
                    }
                    Ok(Some(step)) => {
                        let stop = match app.check_halt(&halts, &step) {
                            Ok(o) => o.is_some(),
                            Err(e) => return Some((Err(e), (None, inputs, Ok(halts)))),
                        };
                        if stop {
                            app.afire_execute(ExecuteMethod::AIterate, false, None)
                                .await;
                            Some((Ok(step), (None, inputs, Ok(halts))))
                        } else {
                            Some((Ok(step), (Some(app), inputs, Ok(halts))))
                        }
                    }
                }
            },
        )
    }
}

/// The error for an action's writes: undeclared keys first, then declared writes left
/// unwritten.
fn write_errors(
    action: &str,
    writes: &[String],
    undeclared: Vec<String>,
    missing: Vec<String>,
) -> Result<(), BurrError> {
    if !undeclared.is_empty() {
        return Err(BurrError::UndeclaredWrite {
            action: action.to_string(),
            keys: undeclared,
            writes: writes.to_vec(),
        });
    }
    if !missing.is_empty() {
        return Err(BurrError::MissingWrite {
            action: action.to_string(),
            keys: missing,
            writes: writes.to_vec(),
        });
    }
    Ok(())
}

/// Halt names resolved to node indices.
#[derive(Debug, Default)]
pub(crate) struct Halts {
    pub(crate) before: Vec<usize>,
    pub(crate) after: Vec<usize>,
}

impl Halts {
    pub(crate) fn resolve(graph: &RuntimeGraph, halt: &Halt) -> Result<Halts, BurrError> {
        if halt.before.is_empty() && halt.after.is_empty() {
            tracing::warn!(target: "burr", "no halt condition given: the run goes until no transition matches");
        }
        Ok(Halts {
            before: graph.resolve_halts(&halt.before)?,
            after: graph.resolve_halts(&halt.after)?,
        })
    }
}

/// The iterator of [`Application::iterate`].
#[derive(Debug)]
pub struct Iterate<'a> {
    app: &'a mut Application,
    inputs: Inputs,
    halts: Result<Halts, BurrError>,
    last: Option<StepResult>,
    outcome: Option<Outcome>,
    done: bool,
}

impl Iterate<'_> {
    /// How the run ended (`None` while it goes on, or when it ended with an error).
    ///
    /// # Examples
    ///
    /// ```
    /// # use burr_core::*;
    /// let mut app = ApplicationBuilder::new().with_action("a", Input::new(["x"])).with_entrypoint("a").build().unwrap();
    /// let mut it = app.iterate(halt_after(["a"]), inputs! { x: 1 });
    /// assert!(it.outcome().is_none());
    /// it.by_ref().for_each(drop);
    /// assert!(it.outcome().is_some());
    /// ```
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    fn finish(&mut self, error: Option<&BurrError>) {
        self.done = true;
        self.app.fire_execute(ExecuteMethod::Iterate, false, error);
    }
}

impl Iterator for Iterate<'_> {
    type Item = Result<StepResult, BurrError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let halts = match &self.halts {
            Ok(h) => h,
            Err(_) => {
                let e = std::mem::replace(&mut self.halts, Ok(Halts::default()))
                    .err()
                    .unwrap_or(BurrError::Other("invalid halt".into()));
                self.finish(Some(&e));
                return Some(Err(e));
            }
        };
        match self.app.step_inner(&self.inputs) {
            Ok(None) => {
                self.outcome = Some(self.app.dead_end(self.last.take()));
                self.finish(None);
                None
            }
            Err(e) => {
                self.finish(Some(&e));
                Some(Err(e))
            }
            Ok(Some(step)) => match self.app.check_halt(halts, &step) {
                Ok(Some(o)) => {
                    self.outcome = Some(o);
                    self.finish(None);
                    Some(Ok(step))
                }
                Ok(None) => {
                    self.last = Some(step.clone());
                    Some(Ok(step))
                }
                Err(e) => {
                    self.finish(Some(&e));
                    Some(Err(e))
                }
            },
        }
    }
}
