//! [`SubGraphTask`]: one sub-application to run, with its id, adapters and failure.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::RunnableGraph;
use crate::application::{ApplicationBuilder, Halted, InitializeFrom, Mode, drive, halt_after};
use crate::context::ActionContext;
use crate::error::Error;
use crate::hooks::Hook;
use crate::persistence::{Loader, Saver};
use crate::state::State;
use crate::step::Inputs;

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
                InitializeFrom::new(l.clone(), self.state.clone(), self.graph.entrypoint())
                    .resume_at_next_action(true),
            ),
            None => b
                .with_state(self.state.clone())
                .with_entrypoint(self.graph.entrypoint()),
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
        let halt = halt_after(self.graph.halt_after());
        let out = app.run_in(&halt, &self.inputs, mode).await?;
        match out.halted {
            Halted::Suspended | Halted::Cancelled => Err(Error::Other(format!(
                "sub-application `{}` stopped ({:?}) before its end: a child cannot suspend or \
                 be cancelled on its own",
                app.app_id(),
                out.halted
            ))),
            _ => Ok(out.state),
        }
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
