//! Parallel map/reduce over sub-applications (Burr's `MapStates`, `MapActions`,
//! `MapActionsAndStates` and task-based parallel actions).
//!
//! A [`Parallel`] action maps a sub-graph ([`RunnableGraph`]: one action, or a graph with its
//! entrypoint and `halt_after`) over many states and/or many sub-graphs, runs each pair as a
//! real sub-application, and reduces the final states, in task order, into the parent's
//! state. It is an ordinary [`Action`]: add it to the builder like any other.
//!
//! ```
//! use burr_core::*;
//! use burr_core::parallel::{Parallel, RunnableGraph};
//!
//! // Squares one number: the sub-graph run for every state.
//! let square = FnAction::new(["x"], ["y"], |s, _, _| {
//!     let x: i64 = s.get("x")?;
//!     Ok::<_, ActionError>(s.update("y", x * x))
//! });
//! let fanout = Parallel::map_states(RunnableGraph::from_action("square", square), |state, _| {
//!     let xs: Vec<i64> = state.get("xs")?;
//!     Ok(xs.into_iter().map(|x| State::new().update("x", x)).collect())
//! })
//! .with_reads(["xs"])
//! .with_writes(["ys"])
//! .reduce(|state, children| {
//!     let ys = children.iter().map(|c| c.get::<i64>("y")).collect::<Result<Vec<_>, _>>()?;
//!     Ok(state.update("ys", ys))
//! });
//! let mut app = ApplicationBuilder::new()
//!     .with_action("fanout", fanout)
//!     .with_state(state! { xs: [1, 2, 3] })
//!     .with_entrypoint("fanout")
//!     .build()?;
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let out = app.run_async(halt_after(["fanout"]), ()).await?;
//! assert_eq!(out.state.get::<Vec<i64>>("ys")?, vec![1, 4, 9]);
//! # Ok::<(), Error>(())
//! # })?;
//! # Ok::<(), Error>(())
//! ```
//!
//! # How sub-applications run
//!
//! - **Async (the default)**: the parallel action is async (`is_async` is `true`, so the
//!   parent runs it with `step_async`/`run_async`); the sub-applications run with `run_async`, at most
//!   [`Parallel::concurrency`] at a time (default 64), interleaved on the parent's task.
//! - **Sync** ([`Parallel::sync`]): the parent runs it with `step`/`run`; the
//!   sub-applications run with `run` on up to `concurrency` scoped threads (default: the
//!   number of CPUs).
//!
//! Each sub-application is built with [`ApplicationBuilder`]: it records the parent step as
//! its spawning parent, shares the parent's partition key, and gets the parent's tracker,
//! state persister and state initializer according to a [`Cascade`] rule (by default it
//! shares them). With an initializer, a sub-application that already completed is resumed
//! (idempotent re-runs). Its app id is [`child_app_id`]: the same for the same parent app,
//! parent step and task, and different across invocations of the same parallel action.
//!
//! # Failures
//!
//! The first sub-application to fail fails the parallel step with a
//! [`SubApplicationError`] naming the task and the child's app id (inside
//! [`Error::ActionFailed`]). The others are cancelled: in async mode their futures are
//! dropped at their next `.await` point; in sync mode no further task starts and running
//! ones finish their current run. The parent's state is unchanged, as for any failed step.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::action::{Action, ActionKind, Call, IntoAction};
use crate::application::{ApplicationBuilder, InitializeFrom, Mode, drive, halt_after};
use crate::context::ActionContext;
use crate::error::{ActionError, Error};
use crate::graph::TransitionSpec;
use crate::hooks::Hook;
use crate::persistence::{Loader, Saver};
use crate::state::State;
use crate::step::{InputSpec, Inputs, StepOutput};

/// A sub-graph to run as a sub-application: actions, transitions, the entrypoint and the
/// actions after which it stops.
///
/// # Examples
///
/// ```
/// use burr_core::{Input, ResultAction, default};
/// use burr_core::parallel::RunnableGraph;
/// let g = RunnableGraph::new("ask", ["answer"])
///     .with_action("ask", Input::new(["q"]))
///     .with_action("answer", ResultAction::new(["q"]))
///     .with_transitions([("ask", "answer", default())]);
/// assert_eq!(g.entrypoint(), "ask");
/// assert_eq!(g.halt_after(), ["answer"]);
/// ```
#[derive(Clone)]
pub struct RunnableGraph {
    actions: Vec<(String, Arc<dyn Action>)>,
    transitions: Vec<TransitionSpec>,
    entrypoint: String,
    halt_after: Vec<String>,
}

impl std::fmt::Debug for RunnableGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunnableGraph")
            .field(
                "actions",
                &self.actions.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("entrypoint", &self.entrypoint)
            .field("halt_after", &self.halt_after)
            .finish_non_exhaustive()
    }
}

impl RunnableGraph {
    /// An empty graph that starts at `entrypoint` and stops after any of `halt_after`.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["b"]);
    /// assert_eq!(g.entrypoint(), "a");
    /// ```
    pub fn new<S: Into<String>>(
        entrypoint: impl Into<String>,
        halt_after: impl IntoIterator<Item = S>,
    ) -> Self {
        RunnableGraph {
            actions: Vec::new(),
            transitions: Vec::new(),
            entrypoint: entrypoint.into(),
            halt_after: halt_after.into_iter().map(Into::into).collect(),
        }
    }

    /// A one-action graph: it starts at the action and stops after it.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::from_action("a", burr_core::Input::new(["x"]));
    /// assert_eq!((g.entrypoint(), g.halt_after()), ("a", &["a".to_string()][..]));
    /// ```
    pub fn from_action(name: impl Into<String>, action: impl IntoAction) -> Self {
        let name = name.into();
        RunnableGraph::new(name.clone(), [name.clone()]).with_action(name, action)
    }

    /// Adds an action.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["a"]).with_action("a", burr_core::Input::new(["x"]));
    /// # let _ = g;
    /// ```
    #[must_use]
    pub fn with_action(mut self, name: impl Into<String>, action: impl IntoAction) -> Self {
        self.actions.push((name.into(), action.into_action()));
        self
    }

    /// Adds named actions (see [`actions!`](crate::actions)).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{actions, Input};
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["a"]).with_actions(actions!["a" => Input::new(["x"])]);
    /// # let _ = g;
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

    /// Adds transitions (the same forms as
    /// [`ApplicationBuilder::with_transitions`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::new("a", ["b"]).with_transitions([("a", "b")]);
    /// # let _ = g;
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

    /// The entrypoint.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::parallel::RunnableGraph::new("a", ["a"]).entrypoint(), "a");
    /// ```
    pub fn entrypoint(&self) -> &str {
        &self.entrypoint
    }

    /// The actions after which a run stops.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_core::parallel::RunnableGraph::new("a", ["a"]).halt_after().contains(&"a".to_string()));
    /// ```
    pub fn halt_after(&self) -> &[String] {
        &self.halt_after
    }

    /// A builder holding this graph's actions and transitions (no entrypoint or state yet).
    ///
    /// # Examples
    ///
    /// ```
    /// let g = burr_core::parallel::RunnableGraph::from_action("a", burr_core::Input::new(["x"]));
    /// let app = g.builder().with_entrypoint("a").build().unwrap();
    /// assert_eq!(app.graph().actions.len(), 1);
    /// ```
    pub fn builder(&self) -> ApplicationBuilder {
        ApplicationBuilder::new()
            .with_actions(self.actions.iter().cloned())
            .with_transitions(self.transitions.iter().cloned())
    }
}

/// How a sub-application gets one of its parent's adapters (tracker, persister, initializer).
///
/// # Examples
///
/// ```
/// use burr_core::parallel::Cascade;
/// let rule: Cascade<u8> = Cascade::default();
/// assert_eq!(rule.resolve(Some(&1)), Some(1));
/// assert_eq!(Cascade::Off.resolve(Some(&1)), None);
/// assert_eq!(Cascade::Fixed(7).resolve(Some(&1)), Some(7));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cascade<T> {
    /// Share the parent's (the default; trackers and persisters are shared `Arc`s, so one
    /// object serves the parent and all its sub-applications).
    #[default]
    Inherit,
    /// None for the sub-application.
    Off,
    /// This one.
    Fixed(T),
}

impl<T: Clone> Cascade<T> {
    /// What the sub-application gets, given the parent's.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::parallel::Cascade::<u8>::Inherit.resolve(None), None);
    /// ```
    pub fn resolve(&self, parent: Option<&T>) -> Option<T> {
        match self {
            Cascade::Inherit => parent.cloned(),
            Cascade::Off => None,
            Cascade::Fixed(t) => Some(t.clone()),
        }
    }
}

/// The app id of the sub-application for task `key` spawned by the step `parent`: the hex
/// SHA-256 of `"{parent app id}:{parent sequence id}:{key}"`.
///
/// # Examples
///
/// ```
/// let ctx = burr_core::ActionContext::detached("parent", "fanout", 3);
/// let a = burr_core::parallel::child_app_id(&ctx, "0-1");
/// assert_eq!(a.len(), 64);
/// assert_eq!(a, burr_core::parallel::child_app_id(&ctx, "0-1"));
/// assert_ne!(a, burr_core::parallel::child_app_id(&burr_core::ActionContext::detached("parent", "fanout", 4), "0-1"));
/// ```
pub fn child_app_id(parent: &ActionContext, key: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Sha256::new();
    hasher.update(parent.app_id().as_bytes());
    hasher.update(b":");
    hasher.update(parent.sequence_id().to_string().as_bytes());
    hasher.update(b":");
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

impl ApplicationBuilder {
    /// Makes the application a sub-application of the step `ctx` belongs to: records that
    /// step as its spawning parent, and takes the parent's partition key, tracker (shared)
    /// and state persister (shared). This is how an ordinary action starts a
    /// sub-application.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// let parent = ActionContext::detached("parent", "spawn", 2);
    /// let app = ApplicationBuilder::new()
    ///     .with_action("a", Input::new(["x"]))
    ///     .with_entrypoint("a")
    ///     .with_parent_context(&parent)
    ///     .build()?;
    /// let p = app.spawning_parent_pointer().unwrap();
    /// assert_eq!((p.app_id.as_str(), p.sequence_id), ("parent", Some(2)));
    /// # Ok::<(), Error>(())
    /// ```
    #[must_use]
    pub fn with_parent_context(self, ctx: &ActionContext) -> Self {
        let mut b = self.with_spawning_parent(ctx.as_parent());
        if let Some(pk) = ctx.partition_key() {
            b = b.with_partition_key(pk);
        }
        if let Some(t) = ctx.tracker() {
            b = b.with_tracker(t.clone());
        }
        if let Some(s) = ctx.state_persister() {
            b = b.with_state_persister(s.clone());
        }
        b
    }
}

/// One sub-application to run: a graph, its starting state and inputs, its app id and
/// adapters.
///
/// # Examples
///
/// ```
/// use burr_core::*;
/// use burr_core::parallel::{RunnableGraph, SubGraphTask};
/// let parent = ActionContext::detached("parent", "fanout", 0);
/// let task = SubGraphTask::new(RunnableGraph::from_action("a", Input::new(["x"])), State::new(), "child-1")
///     .with_inputs(inputs! { x: 5 });
/// let state = task.run(&parent)?;
/// assert_eq!(state.get::<i32>("x")?, 5);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone)]
pub struct SubGraphTask {
    /// The graph.
    pub graph: Arc<RunnableGraph>,
    /// The starting state.
    pub state: State,
    /// Inputs offered to every step.
    pub inputs: Inputs,
    /// The sub-application's id.
    pub app_id: String,
    /// A name for the task in errors (`"i-j"` for the map forms).
    pub key: String,
    /// Its tracker.
    pub tracker: Option<Hook>,
    /// Its state persister.
    pub persister: Option<Saver>,
    /// Its state initializer (resumes an already-run sub-application).
    pub initializer: Option<Loader>,
}

impl std::fmt::Debug for SubGraphTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubGraphTask")
            .field("key", &self.key)
            .field("app_id", &self.app_id)
            .field("graph", &self.graph)
            .finish_non_exhaustive()
    }
}

impl SubGraphTask {
    /// A task with no inputs and no adapters; its key is its app id.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::parallel::{RunnableGraph, SubGraphTask};
    /// let t = SubGraphTask::new(RunnableGraph::new("a", ["a"]), burr_core::State::new(), "id");
    /// assert_eq!(t.key, "id");
    /// ```
    pub fn new(
        graph: impl Into<Arc<RunnableGraph>>,
        state: State,
        app_id: impl Into<String>,
    ) -> Self {
        let app_id = app_id.into();
        SubGraphTask {
            graph: graph.into(),
            state,
            inputs: Inputs::new(),
            key: app_id.clone(),
            app_id,
            tracker: None,
            persister: None,
            initializer: None,
        }
    }

    /// Sets the inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::parallel::{RunnableGraph, SubGraphTask};
    /// let t = SubGraphTask::new(RunnableGraph::new("a", ["a"]), burr_core::State::new(), "id")
    ///     .with_inputs(burr_core::inputs! { x: 1 });
    /// assert_eq!(t.inputs.len(), 1);
    /// ```
    #[must_use]
    pub fn with_inputs(mut self, inputs: Inputs) -> Self {
        self.inputs = inputs;
        self
    }

    fn builder(&self, parent: &ActionContext) -> ApplicationBuilder {
        let mut b = self
            .graph
            .builder()
            .with_spawning_parent(parent.as_parent())
            .with_app_id(self.app_id.clone());
        if let Some(pk) = parent.partition_key() {
            b = b.with_partition_key(pk);
        }
        if let Some(t) = &self.tracker {
            b = b.with_tracker(t.clone());
        }
        if let Some(s) = &self.persister {
            b = b.with_state_persister(s.clone());
        }
        match &self.initializer {
            Some(l) => b.initialize_from(
                InitializeFrom::new(l.clone(), self.state.clone(), self.graph.entrypoint.clone())
                    .resume_at_next_action(true),
            ),
            None => b
                .with_state(self.state.clone())
                .with_entrypoint(self.graph.entrypoint.clone()),
        }
    }

    /// Builds and runs the sub-application (sync) until its `halt_after`; returns its final
    /// state.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// use burr_core::parallel::{RunnableGraph, SubGraphTask};
    /// let ctx = ActionContext::detached("p", "a", 0);
    /// let t = SubGraphTask::new(RunnableGraph::from_action("a", Input::new(["x"])), State::new(), "c");
    /// assert!(t.run(&ctx).is_err()); // `x` is a required input
    /// ```
    pub fn run(self, parent: &ActionContext) -> Result<State, Error> {
        drive(self.run_in(parent, Mode::Sync))
    }

    /// The async [`SubGraphTask::run`]: builds the sub-application (awaiting async
    /// persisters and loaders) and runs it with `run_async`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// use burr_core::parallel::{RunnableGraph, SubGraphTask};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let ctx = ActionContext::detached("p", "a", 0);
    /// let t = SubGraphTask::new(RunnableGraph::from_action("a", Input::new(["x"])), State::new(), "c")
    ///     .with_inputs(inputs! { x: 1 });
    /// assert_eq!(t.run_async(&ctx).await?.get::<i32>("x")?, 1);
    /// # Ok::<(), Error>(())
    /// # }).unwrap();
    /// ```
    #[doc(alias = "arun")]
    pub async fn run_async(self, parent: &ActionContext) -> Result<State, Error> {
        self.run_in(parent, Mode::Async).await
    }

    async fn run_in(self, parent: &ActionContext, mode: Mode) -> Result<State, Error> {
        let mut app = self.builder(parent).build_in(mode).await?;
        let halt = halt_after(self.graph.halt_after.iter());
        let out = app.run_in(&halt, &self.inputs, mode).await?;
        Ok(out.state)
    }
}

/// A sub-application of a parallel step failed.
///
/// # Examples
///
/// ```
/// use burr_core::parallel::SubApplicationError;
/// let e = SubApplicationError { key: "0-2".into(), app_id: "abc".into(), source: burr_core::Error::Other("boom".into()) };
/// assert_eq!(e.to_string(), "sub-application for task `0-2` (app id `abc`) failed: boom");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("sub-application for task `{key}` (app id `{app_id}`) failed: {source}")]
pub struct SubApplicationError {
    /// The task's key.
    pub key: String,
    /// The sub-application's id.
    pub app_id: String,
    /// What it failed with.
    #[source]
    pub source: Error,
}

type TasksFn = dyn Fn(&State, &ActionContext, &Inputs, &Adapters) -> Result<Vec<SubGraphTask>, ActionError>
    + Send
    + Sync;
type StatesFn = dyn Fn(&State, &Inputs) -> Result<Vec<State>, ActionError> + Send + Sync;
type ReduceFn = dyn Fn(State, Vec<State>) -> Result<State, ActionError> + Send + Sync;

/// The adapters sub-applications get, resolved from the parent's by the cascade rules.
#[derive(Clone)]
pub struct Adapters {
    /// The tracker.
    pub tracker: Option<Hook>,
    /// The state persister.
    pub persister: Option<Saver>,
    /// The state initializer.
    pub initializer: Option<Loader>,
}

impl std::fmt::Debug for Adapters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adapters")
            .field("tracker", &self.tracker.is_some())
            .field("persister", &self.persister)
            .field("initializer", &self.initializer)
            .finish()
    }
}

impl Adapters {
    /// Sets these adapters on `task`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::parallel::{Adapters, RunnableGraph, SubGraphTask};
    /// let none = Adapters { tracker: None, persister: None, initializer: None };
    /// let t = none.apply(SubGraphTask::new(RunnableGraph::new("a", ["a"]), burr_core::State::new(), "id"));
    /// assert!(t.tracker.is_none());
    /// ```
    pub fn apply(&self, mut task: SubGraphTask) -> SubGraphTask {
        task.tracker.clone_from(&self.tracker);
        task.persister.clone_from(&self.persister);
        task.initializer.clone_from(&self.initializer);
        task
    }
}

/// A parallel map/reduce action; see the [module docs](self).
///
/// # Examples
///
/// Burr's `MapActions`: three different sub-graphs over the same state.
///
/// ```
/// use burr_core::*;
/// use burr_core::parallel::{Parallel, RunnableGraph};
/// let add = |k: i64| FnAction::new(["n"], ["n"], move |s, _, _| {
///     let n: i64 = s.get("n")?;
///     Ok::<_, ActionError>(s.update("n", n + k))
/// });
/// let graphs = (1..=3).map(|k| RunnableGraph::from_action("add", add(k * 1000)));
/// let fanout = Parallel::map_actions(graphs)
///     .with_reads(["n"])
///     .with_writes(["all"])
///     .reduce(|s, children| {
///         let all: Vec<i64> = children.iter().map(|c| c.get("n")).collect::<Result<_, _>>()?;
///         Ok(s.update("all", all))
///     })
///     .sync();
/// let mut app = ApplicationBuilder::new()
///     .with_action("fanout", fanout)
///     .with_state(state! { n: 111 })
///     .with_entrypoint("fanout")
///     .build()?;
/// let out = app.run(halt_after(["fanout"]), ())?;
/// assert_eq!(out.state.get::<Vec<i64>>("all")?, vec![1111, 2111, 3111]);
/// # Ok::<(), Error>(())
/// ```
pub struct Parallel {
    tasks: Arc<TasksFn>,
    reduce: Option<Arc<ReduceFn>>,
    reads: Vec<String>,
    writes: Vec<String>,
    inputs: Vec<InputSpec>,
    concurrency: Option<usize>,
    is_async: bool,
    tracker: Cascade<Hook>,
    persister: Cascade<Saver>,
    initializer: Cascade<Loader>,
}

impl std::fmt::Debug for Parallel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parallel")
            .field("reads", &self.reads)
            .field("writes", &self.writes)
            .field("concurrency", &self.concurrency)
            .field("is_async", &self.is_async)
            .finish_non_exhaustive()
    }
}

/// The parent's state as the map forms hand it to sub-applications: its declared reads only,
/// without the runtime keys.
fn child_state(state: &State) -> State {
    state.subset(state.user_keys())
}

impl Parallel {
    /// The task-based form: `tasks` builds the sub-applications to run from the parent's
    /// state (its declared reads), context and inputs; the [`Adapters`] argument holds the
    /// tracker, persister and initializer the cascade rules give them (use
    /// [`Adapters::apply`] on each task, or ignore it). Use [`child_app_id`] for the ids.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// use burr_core::parallel::{Parallel, RunnableGraph, SubGraphTask, child_app_id};
    /// let g = std::sync::Arc::new(RunnableGraph::from_action("a", Input::new(["x"])));
    /// let p = Parallel::from_tasks(move |_state, ctx, _inputs, adapters| {
    ///     Ok((0..2)
    ///         .map(|i| adapters.apply(SubGraphTask::new(g.clone(), State::new(), child_app_id(ctx, &i.to_string()))
    ///             .with_inputs(inputs! { x: i })))
    ///         .collect())
    /// })
    /// .with_writes(["xs"])
    /// .reduce(|s, children| Ok(s.update("xs", children.iter().map(|c| c.get_value("x").unwrap()).collect::<Vec<_>>())))
    /// .sync();
    /// let mut app = ApplicationBuilder::new().with_action("p", p).with_entrypoint("p").build()?;
    /// assert_eq!(app.run(halt_after(["p"]), ())?.state.get::<Vec<i32>>("xs")?, vec![0, 1]);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn from_tasks<F>(tasks: F) -> Self
    where
        F: Fn(&State, &ActionContext, &Inputs, &Adapters) -> Result<Vec<SubGraphTask>, ActionError>
            + Send
            + Sync
            + 'static,
    {
        Parallel {
            tasks: Arc::new(tasks),
            reduce: None,
            reads: Vec::new(),
            writes: Vec::new(),
            inputs: Vec::new(),
            concurrency: None,
            is_async: true,
            tracker: Cascade::Inherit,
            persister: Cascade::Inherit,
            initializer: Cascade::Inherit,
        }
    }

    /// Burr's `MapActionsAndStates`: every graph (outer loop) over every state (inner loop);
    /// task `i-j` runs graph `i` on state `j`, with the parallel action's inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// use burr_core::parallel::{Parallel, RunnableGraph};
    /// let graphs = vec![RunnableGraph::from_action("r", ResultAction::new(["v"]))];
    /// let p = Parallel::map_actions_and_states(graphs, |_, _| Ok(vec![State::new().update("v", 1)]))
    ///     .with_writes(["n"])
    ///     .reduce(|s, children| Ok(s.update("n", children.len())))
    ///     .sync();
    /// let mut app = ApplicationBuilder::new().with_action("p", p).with_entrypoint("p").build()?;
    /// assert_eq!(app.run(halt_after(["p"]), ())?.state.get::<usize>("n")?, 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_actions_and_states<F>(
        graphs: impl IntoIterator<Item = RunnableGraph>,
        states: F,
    ) -> Self
    where
        F: Fn(&State, &Inputs) -> Result<Vec<State>, ActionError> + Send + Sync + 'static,
    {
        let graphs: Vec<Arc<RunnableGraph>> = graphs.into_iter().map(Arc::new).collect();
        let states: Arc<StatesFn> = Arc::new(states);
        Self::from_tasks(move |state, ctx, inputs, adapters| {
            let states = states(state, inputs)?;
            let mut tasks = Vec::with_capacity(graphs.len() * states.len());
            for (i, g) in graphs.iter().enumerate() {
                for (j, s) in states.iter().enumerate() {
                    let key = format!("{i}-{j}");
                    let mut t =
                        SubGraphTask::new(g.clone(), child_state(s), child_app_id(ctx, &key));
                    t.key = key;
                    t.inputs = inputs.clone();
                    tasks.push(adapters.apply(t));
                }
            }
            Ok(tasks)
        })
    }

    /// Burr's `MapStates`: one graph over many states.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// use burr_core::parallel::{Parallel, RunnableGraph};
    /// let p = Parallel::map_states(RunnableGraph::from_action("r", ResultAction::new(["v"])), |_, _| {
    ///     Ok((0..4).map(|v| State::new().update("v", v)).collect())
    /// })
    /// .with_writes(["n"])
    /// .reduce(|s, children| Ok(s.update("n", children.len())))
    /// .sync();
    /// let mut app = ApplicationBuilder::new().with_action("p", p).with_entrypoint("p").build()?;
    /// assert_eq!(app.run(halt_after(["p"]), ())?.state.get::<usize>("n")?, 4);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_states<F>(graph: RunnableGraph, states: F) -> Self
    where
        F: Fn(&State, &Inputs) -> Result<Vec<State>, ActionError> + Send + Sync + 'static,
    {
        Self::map_actions_and_states([graph], states)
    }

    /// Burr's `MapActions`: many graphs over the parent's state (its declared reads).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::*;
    /// use burr_core::parallel::{Parallel, RunnableGraph};
    /// let graphs = (0..3).map(|_| RunnableGraph::from_action("r", ResultAction::new(["v"])));
    /// let p = Parallel::map_actions(graphs)
    ///     .with_reads(["v"])
    ///     .with_writes(["n"])
    ///     .reduce(|s, children| Ok(s.update("n", children.len())))
    ///     .sync();
    /// let mut app = ApplicationBuilder::new().with_action("p", p).with_state(state! { v: 1 }).with_entrypoint("p").build()?;
    /// assert_eq!(app.run(halt_after(["p"]), ())?.state.get::<usize>("n")?, 3);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_actions(graphs: impl IntoIterator<Item = RunnableGraph>) -> Self {
        Self::map_actions_and_states(graphs, |state, _| Ok(vec![state.clone()]))
    }

    /// The state keys the action reads (what the tasks and `reduce` see).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::Action;
    /// let p = burr_core::parallel::Parallel::map_actions([]).with_reads(["q"]);
    /// assert_eq!(p.reads(), vec!["q"]);
    /// ```
    #[must_use]
    pub fn with_reads<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.reads = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The state keys `reduce` writes.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::Action;
    /// let p = burr_core::parallel::Parallel::map_actions([]).with_writes(["a"]);
    /// assert_eq!(p.writes(), vec!["a"]);
    /// ```
    #[must_use]
    pub fn with_writes<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.writes = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The runtime inputs the action takes (passed on to every sub-application by the map
    /// forms).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{Action, InputSpec};
    /// let p = burr_core::parallel::Parallel::map_actions([]).with_inputs([InputSpec::required("q")]);
    /// assert_eq!(p.inputs().len(), 1);
    /// ```
    #[must_use]
    pub fn with_inputs(mut self, inputs: impl IntoIterator<Item = InputSpec>) -> Self {
        self.inputs = inputs.into_iter().collect();
        self
    }

    /// Combines the parent's state (its declared reads) with the sub-applications' final
    /// states, in task order, into the new state.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = burr_core::parallel::Parallel::map_actions([]).reduce(|s, _| Ok(s));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn reduce<F>(mut self, reduce: F) -> Self
    where
        F: Fn(State, Vec<State>) -> Result<State, ActionError> + Send + Sync + 'static,
    {
        self.reduce = Some(Arc::new(reduce));
        self
    }

    /// At most this many sub-applications run at once (at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// let p = burr_core::parallel::Parallel::map_actions([]).concurrency(8);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = Some(limit.max(1));
        self
    }

    /// Runs from sync methods (`step`/`run`), the sub-applications on threads.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::Action;
    /// assert!(!burr_core::parallel::Parallel::map_actions([]).sync().kind().is_async());
    /// ```
    #[must_use]
    pub fn sync(mut self) -> Self {
        self.is_async = false;
        self
    }

    /// How sub-applications get the parent's tracker.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::parallel::{Cascade, Parallel};
    /// let p = Parallel::map_actions([]).tracker(Cascade::Off);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn tracker(mut self, rule: Cascade<Hook>) -> Self {
        self.tracker = rule;
        self
    }

    /// How sub-applications get the parent's state persister.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::parallel::{Cascade, Parallel};
    /// let p = Parallel::map_actions([]).persister(Cascade::Off);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn persister(mut self, rule: Cascade<Saver>) -> Self {
        self.persister = rule;
        self
    }

    /// How sub-applications get the parent's state initializer.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::parallel::{Cascade, Parallel};
    /// let p = Parallel::map_actions([]).initializer(Cascade::Off);
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn initializer(mut self, rule: Cascade<Loader>) -> Self {
        self.initializer = rule;
        self
    }

    fn adapters(&self, ctx: &ActionContext) -> Adapters {
        Adapters {
            tracker: self.tracker.resolve(ctx.tracker()),
            persister: self.persister.resolve(ctx.state_persister()),
            initializer: self.initializer.resolve(ctx.state_initializer()),
        }
    }

    fn plan(
        &self,
        state: &State,
        inputs: &Inputs,
        ctx: &ActionContext,
    ) -> Result<(Vec<SubGraphTask>, Arc<ReduceFn>), ActionError> {
        let Some(reduce) = self.reduce.clone() else {
            return Err(ActionError::msg(format!(
                "parallel action `{}` has no reduce function; set one with `.reduce(..)`",
                ctx.action_name()
            )));
        };
        let tasks = (self.tasks)(state, ctx, inputs, &self.adapters(ctx))?;
        Ok((tasks, reduce))
    }

    fn run_on_threads(
        &self,
        state: State,
        inputs: &Inputs,
        ctx: &ActionContext,
    ) -> Result<StepOutput, ActionError> {
        let (tasks, reduce) = self.plan(&state, inputs, ctx)?;
        let states = run_threads(tasks, ctx, self.limit())?;
        Ok(StepOutput::state(reduce(state, states)?))
    }

    fn limit(&self) -> usize {
        self.concurrency.unwrap_or_else(|| {
            if self.is_async {
                64
            } else {
                std::thread::available_parallelism().map_or(4, usize::from)
            }
        })
    }
}

fn failed(task: (String, String), source: Error) -> ActionError {
    ActionError::from(SubApplicationError {
        key: task.0,
        app_id: task.1,
        source,
    })
}

/// Runs the tasks on scoped threads, at most `limit` at once; results in task order.
fn run_threads(
    tasks: Vec<SubGraphTask>,
    ctx: &ActionContext,
    limit: usize,
) -> Result<Vec<State>, ActionError> {
    let n = tasks.len();
    if limit <= 1 || n <= 1 {
        return tasks
            .into_iter()
            .map(|t| {
                let id = (t.key.clone(), t.app_id.clone());
                t.run(ctx).map_err(|e| failed(id, e))
            })
            .collect();
    }
    let slots: Vec<Mutex<Option<SubGraphTask>>> =
        tasks.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Vec<Mutex<Option<State>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let error: Mutex<Option<ActionError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..limit.min(n) {
            scope.spawn(|| {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let Some(task) = slots[i].lock().unwrap_or_else(|p| p.into_inner()).take()
                    else {
                        continue;
                    };
                    let id = (task.key.clone(), task.app_id.clone());
                    match task.run(ctx) {
                        Ok(state) => {
                            *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(state)
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            let mut slot = error.lock().unwrap_or_else(|p| p.into_inner());
                            if slot.is_none() {
                                *slot = Some(failed(id, e));
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .ok_or_else(|| ActionError::msg("a sub-application did not run"))
        })
        .collect()
}

/// Runs the tasks with `run_async`, at most `limit` at once; results in task order. The first
/// failure drops (cancels) the others.
async fn run_tasks(
    tasks: Vec<SubGraphTask>,
    ctx: &ActionContext,
    limit: usize,
) -> Result<Vec<State>, ActionError> {
    let n = tasks.len();
    let mut results: Vec<Option<State>> = vec![None; n];
    let mut running = futures_util::stream::iter(tasks.into_iter().enumerate())
        .map(|(i, t)| {
            let id = (t.key.clone(), t.app_id.clone());
            // Boxed: a sub-application's future is large; moving a pointer is cheaper.
            let fut = Box::pin(t.run_async(ctx));
            async move { (i, id, fut.await) }
        })
        .buffer_unordered(limit);
    while let Some((i, id, r)) = running.next().await {
        match r {
            Ok(state) => results[i] = Some(state),
            Err(e) => return Err(failed(id, e)),
        }
    }
    results
        .into_iter()
        .map(|s| s.ok_or_else(|| ActionError::msg("a sub-application did not run")))
        .collect()
}

impl Action for Parallel {
    fn reads(&self) -> Vec<String> {
        self.reads.clone()
    }
    fn writes(&self) -> Vec<String> {
        self.writes.clone()
    }
    fn inputs(&self) -> Vec<InputSpec> {
        self.inputs.clone()
    }
    fn kind(&self) -> ActionKind {
        if self.is_async {
            ActionKind::Async
        } else {
            ActionKind::Sync
        }
    }
    fn source(&self) -> Option<String> {
        Some(format!(
            "Parallel {{ reads: {:?}, writes: {:?}, concurrency: {}, async: {} }}",
            self.reads,
            self.writes,
            self.limit(),
            self.is_async
        ))
    }

    fn call<'a>(&'a self, state: State, inputs: &'a Inputs, ctx: &'a ActionContext) -> Call<'a> {
        if !self.is_async {
            return Call::Ready(self.run_on_threads(state, inputs, ctx));
        }
        Call::Future(Box::pin(async move {
            let (tasks, reduce) = self.plan(&state, inputs, ctx)?;
            let states = run_tasks(tasks, ctx, self.limit()).await?;
            Ok(StepOutput::state(reduce(state, states)?))
        }))
    }
}
