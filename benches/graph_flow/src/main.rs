//! The `counter` scenario of burr-rs's `bench` example (examples/bench/core.rs), run by
//! graph-flow 0.8: `increment` reads `count` from the context and writes `count + 1`, loops
//! back to itself while `count < N`, then goes to `done` (N + 1 steps). Prints one JSON line
//! in the `bench` example's shape.
//!
//! ```not_rust
//! cargo run --release --manifest-path benches/graph_flow/Cargo.toml -- --steps 200000
//! ```
//!
//! `--mode` picks how graph-flow is driven (see README.md): `chained` (default),
//! `execute-session` or `flow-runner`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use graph_flow::{
    Context, ExecutionStatus, FlowRunner, Graph, GraphBuilder, GraphError, InMemorySessionStorage,
    NextAction, Session, SessionStorage, Task, TaskResult,
};

const INCREMENT: &str = "increment";
const DONE: &str = "done";
const SESSION: &str = "counter";

/// Reads `count`, writes `count + 1`, and hands the next step to the graph's edges.
struct Increment {
    next: NextAction,
}

#[async_trait]
impl Task for Increment {
    fn id(&self) -> &str {
        INCREMENT
    }

    async fn run(&self, context: Context) -> graph_flow::Result<TaskResult> {
        let count: i64 = context
            .get("count")
            .ok_or_else(|| GraphError::ContextError("no `count` in the context".into()))?;
        context.set("count", count + 1)?;
        Ok(TaskResult::new(None, self.next.clone()))
    }
}

/// Ends the workflow; reads and writes nothing.
struct Done;

#[async_trait]
impl Task for Done {
    fn id(&self) -> &str {
        DONE
    }

    async fn run(&self, _context: Context) -> graph_flow::Result<TaskResult> {
        Ok(TaskResult::new(None, NextAction::End))
    }
}

/// The two-task counter graph; `next` is what `increment` returns.
fn counter_graph(steps: i64, next: NextAction) -> graph_flow::Result<Graph> {
    let increment: Arc<dyn Task> = Arc::new(Increment { next });
    let done: Arc<dyn Task> = Arc::new(Done);
    GraphBuilder::new("counter")
        .add_task(increment)
        .add_task(done)
        .add_conditional_edge(
            INCREMENT,
            move |ctx| ctx.get::<i64>("count").is_some_and(|c| c < steps),
            INCREMENT,
            DONE,
        )
        .set_start_task(INCREMENT)
        .build()
}

fn new_session() -> graph_flow::Result<Session> {
    let session = Session::new_from_task(SESSION.to_string(), INCREMENT);
    session.context.set("count", 0i64)?;
    Ok(session)
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// `increment` returns `ContinueAndExecute`: one `Graph::execute_session` call runs every
    /// step, the session is held by the caller and never stored.
    Chained,
    /// `increment` returns `Continue`: one `Graph::execute_session` call a step, in a loop
    /// on the returned status, the session held by the caller.
    ExecuteSession,
    /// `increment` returns `Continue`: the README's loop, one `FlowRunner::run` a step (load
    /// the session from `InMemorySessionStorage`, execute one step, save it back).
    FlowRunner,
}

impl Mode {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "chained" => Some(Self::Chained),
            "execute-session" => Some(Self::ExecuteSession),
            "flow-runner" => Some(Self::FlowRunner),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Chained => "chained",
            Self::ExecuteSession => "execute-session",
            Self::FlowRunner => "flow-runner",
        }
    }
}

/// Runs the counter to its end; returns the seconds taken and the final session.
async fn run(steps: i64, mode: Mode) -> graph_flow::Result<(f64, Session)> {
    let next = match mode {
        Mode::Chained => NextAction::ContinueAndExecute,
        Mode::ExecuteSession | Mode::FlowRunner => NextAction::Continue,
    };
    let graph = Arc::new(counter_graph(steps, next)?);
    let mut session = new_session()?;
    match mode {
        Mode::Chained => {
            let start = Instant::now();
            let result = graph.execute_session(&mut session).await?;
            let seconds = start.elapsed().as_secs_f64();
            expect_completed(&result.status)?;
            Ok((seconds, session))
        }
        Mode::ExecuteSession => {
            let start = Instant::now();
            loop {
                let result = graph.execute_session(&mut session).await?;
                match result.status {
                    ExecutionStatus::Paused { .. } => continue,
                    status => {
                        expect_completed(&status)?;
                        break;
                    }
                }
            }
            Ok((start.elapsed().as_secs_f64(), session))
        }
        Mode::FlowRunner => {
            let storage = Arc::new(InMemorySessionStorage::new());
            storage.save(session).await?;
            let runner = FlowRunner::new(graph, storage.clone());
            let start = Instant::now();
            loop {
                let result = runner.run(SESSION).await?;
                match result.status {
                    ExecutionStatus::Paused { .. } => continue,
                    status => {
                        expect_completed(&status)?;
                        break;
                    }
                }
            }
            let seconds = start.elapsed().as_secs_f64();
            let session = storage
                .get(SESSION)
                .await?
                .ok_or_else(|| GraphError::SessionNotFound(SESSION.to_string()))?;
            Ok((seconds, session))
        }
    }
}

fn expect_completed(status: &ExecutionStatus) -> graph_flow::Result<()> {
    match status {
        ExecutionStatus::Completed => Ok(()),
        other => Err(GraphError::TaskExecutionFailed(format!(
            "the counter stopped before `done`: {other:?}"
        ))),
    }
}

/// The value following `--name` in `args`, if any.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let steps: i64 = match flag(&args, "--steps").map(str::parse) {
        None => 100_000,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => {
            eprintln!("--steps takes a whole number of at least 1");
            return ExitCode::from(2);
        }
    };
    let mode = match flag(&args, "--mode") {
        None => Mode::Chained,
        Some(name) => match Mode::parse(name) {
            Some(mode) => mode,
            None => {
                eprintln!("--mode takes chained, execute-session or flow-runner");
                return ExitCode::from(2);
            }
        },
    };

    // A current-thread runtime, the cheapest tokio offers; graph-flow's task timeout needs
    // its timer.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bench failed: no tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (seconds, session) = match runtime.block_on(run(steps, mode)) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("bench failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let count: Option<i64> = session.context.get("count");
    if count != Some(steps) || session.current_task_id != DONE {
        eprintln!(
            "bench failed: the counter must reach N and end at `done` (count {count:?}, at `{}`)",
            session.current_task_id
        );
        return ExitCode::FAILURE;
    }

    let executed = steps + 1;
    let us_per_step = seconds * 1e6 / executed as f64;
    // The `bench` example's shape; a non-default mode is named in one more field.
    let mode_field = match mode {
        Mode::Chained => String::new(),
        other => format!(",\"mode\":\"{}\"", other.name()),
    };
    println!(
        "{{\"scenario\":\"counter\",\"runtime\":\"graph-flow\"{mode_field},\"steps\":{executed},\"seconds\":{seconds},\"us_per_step\":{us_per_step}}}"
    );
    ExitCode::SUCCESS
}
