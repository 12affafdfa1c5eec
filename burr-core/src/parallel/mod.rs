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
//!   [`Parallel::concurrency`] at a time (default 64). Where they run depends on the runtime
//!   that polls the parent:
//!   - on a multi-threaded tokio runtime, each sub-application is its own task
//!     ([`tokio::spawn`]), so the runtime's workers run them in parallel, CPU-bound work
//!     included. A task is spawned only when a slot is free, so at most `concurrency` exist at
//!     once. Each runs inside the parent's current `tracing` span and subscriber, so the
//!     sub-application's spans nest under the parent's step exactly as when interleaved. A
//!     sub-application that panics makes the parallel step panic with the same payload;
//!   - on a current-thread runtime (or when polled outside tokio), and whenever at most one
//!     sub-application can run at a time (a single task, or `concurrency(1)`), they are
//!     futures interleaved on the parent's task: they overlap while they wait (I/O, timers)
//!     but share one thread.
//!
//!   Either way the results are reduced in task order, whatever order they finish in.
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
//! [`Error::ActionFailed`]). The others are cancelled, each at its next `.await` point: as
//! interleaved futures they are dropped; as spawned tasks they are aborted, and the parallel
//! step returns (or re-raises a panic) only once they have stopped, so none still reports to
//! the shared tracker or persister afterwards. Dropping the parent's future (cancelling the
//! step, for instance with a timeout) aborts spawned sub-applications too, without waiting for
//! them. A spawned task cancelled from outside (its runtime shutting down) fails the step
//! with a [`SubApplicationError`] for that task. In sync mode no further task starts and
//! running ones finish their current run. The parent's state is unchanged, as for any failed
//! step.
//!
//! [`ApplicationBuilder`]: crate::ApplicationBuilder
//! [`Error::ActionFailed`]: crate::Error::ActionFailed

mod graph;
mod run;
mod task;

use std::sync::Arc;

use crate::action::{Action, ActionKind, Call};
use crate::context::ActionContext;
use crate::error::ActionError;
use crate::hooks::Hook;
use crate::persistence::{Loader, Saver};
use crate::state::State;
use crate::step::{InputSpec, Inputs, StepOutput};
use run::{run_tasks, run_threads};

pub use graph::RunnableGraph;
pub use task::{Adapters, Cascade, SubApplicationError, SubGraphTask, child_app_id};

type TasksFn = dyn Fn(&State, &ActionContext, &Inputs, &Adapters) -> Result<Vec<SubGraphTask>, ActionError>
    + Send
    + Sync;
type StatesFn = dyn Fn(&State, &Inputs) -> Result<Vec<State>, ActionError> + Send + Sync;
type ReduceFn = dyn Fn(State, Vec<State>) -> Result<State, ActionError> + Send + Sync;

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
