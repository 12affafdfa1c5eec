//! Parallel map/reduce: `map_actions`, `map_states`, `map_actions_and_states`, the
//! task-based form, sync and async; child ids, cascades, failures, recursion.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use burr_core::hooks::Hook;
use burr_core::parallel::{
    Cascade, Parallel, RunnableGraph, SubApplicationError, SubGraphTask, child_app_id,
};
use burr_core::*;
use support::{Recorder, rt};

/// `n += add` (sync, or async when `is_async`).
fn adder(add: i64, is_async: bool) -> FnAction {
    if is_async {
        FnAction::new_async(["n"], ["n"], move |s, _, _| async move {
            tokio::task::yield_now().await;
            let n: i64 = s.get("n")?;
            Ok::<_, ActionError>(s.update("n", n + add))
        })
    } else {
        FnAction::new(["n"], ["n"], move |s, _, _| {
            let n: i64 = s.get("n")?;
            Ok::<_, ActionError>(s.update("n", n + add))
        })
    }
}

/// `n += add`, sync.
fn add(add: i64) -> FnAction {
    adder(add, false)
}

/// `n += k` where `k` is an input (to be bound).
fn add_input() -> FnAction {
    FnAction::new(["n"], ["n"], |s, i, ctx| {
        let n: i64 = s.get("n")?;
        let k: i64 = i.get(ctx.action_name(), "k")?;
        Ok::<_, ActionError>(s.update("n", n + k))
    })
    .with_inputs([InputSpec::required("k")])
}

/// Three kinds of sub-graphs adding 1000, 2000 and 3000: a bound action, an action, and a
/// two-action graph (+2000 then +1000).
fn three_graphs(is_async: bool) -> Vec<RunnableGraph> {
    vec![
        RunnableGraph::from_action("bound", Bound::new(add_input(), [("k", 1000)])),
        RunnableGraph::from_action("plain", adder(2000, is_async)),
        RunnableGraph::new("first", ["second"])
            .with_action("first", adder(2000, is_async))
            .with_action("second", add(1000))
            .with_transitions([("first", "second")]),
    ]
}

fn collect_n(state: State, children: Vec<State>) -> Result<State, ActionError> {
    let ns: Vec<i64> = children
        .iter()
        .map(|c| c.get("n"))
        .collect::<Result<_, _>>()?;
    Ok(state.update("results", ns))
}

fn parent_app(action: Parallel, rec: &Arc<Recorder>) -> Application {
    ApplicationBuilder::new()
        .with_action("fanout", action)
        .with_state(state! { n: 111 })
        .with_entrypoint("fanout")
        .with_app_id("parent")
        .with_tracker(rec.clone())
        .build()
        .unwrap()
}

fn run(app: &mut Application, is_async: bool) -> Result<Outcome, Error> {
    if is_async {
        rt().block_on(app.run_async(halt_after(["fanout"]), ()))
    } else {
        app.run(halt_after(["fanout"]), ())
    }
}

fn cartesian() -> Vec<i64> {
    let mut v = Vec::new();
    for a in [1000, 2000, 3000] {
        for s in [111, 211, 311] {
            v.push(a + s);
        }
    }
    v
}

#[test]
fn map_actions_in_order_with_child_ids() {
    for is_async in [false, true] {
        let rec = Recorder::new();
        let mut action = Parallel::map_actions(three_graphs(is_async))
            .with_reads(["n"])
            .with_writes(["results"])
            .reduce(collect_n);
        if !is_async {
            action = action.sync();
        }
        let mut app = parent_app(action, &rec);
        let out = run(&mut app, is_async).unwrap();
        assert_eq!(
            out.state.get::<Vec<i64>>("results").unwrap(),
            vec![1111, 2111, 3111]
        );
        let ctx = ActionContext::detached("parent", "fanout", 0);
        let children = rec.children("parent");
        let ids: HashSet<_> = children.iter().map(|(id, _)| id.clone()).collect();
        let expected: HashSet<_> = (0..3)
            .map(|i| child_app_id(&ctx, &format!("{i}-0")))
            .collect();
        assert_eq!(ids, expected);
        assert!(children.iter().all(|(_, p)| p.sequence_id == Some(0)));
    }
}

#[test]
fn map_states_in_order() {
    for is_async in [false, true] {
        let rec = Recorder::new();
        let mut action =
            Parallel::map_states(RunnableGraph::from_action("add", add(100)), |_, _| {
                Ok((0..3)
                    .map(|j| State::new().update("n", 11 + 100 * j))
                    .collect())
            })
            .with_writes(["results"])
            .reduce(collect_n);
        if !is_async {
            action = action.sync().concurrency(2);
        }
        let mut app = parent_app(action, &rec);
        let out = run(&mut app, is_async).unwrap();
        assert_eq!(
            out.state.get::<Vec<i64>>("results").unwrap(),
            vec![111, 211, 311]
        );
    }
}

#[test]
fn map_actions_and_states_is_actions_outer_states_inner() {
    for is_async in [false, true] {
        let rec = Recorder::new();
        let graphs =
            [1000, 2000, 3000].map(|k| RunnableGraph::from_action("add", adder(k, is_async)));
        let mut action = Parallel::map_actions_and_states(graphs, |_, _| {
            Ok((0..3)
                .map(|j| State::new().update("n", 111 + 100 * j))
                .collect())
        })
        .with_writes(["results"])
        .reduce(collect_n);
        if !is_async {
            action = action.sync();
        }
        let mut app = parent_app(action, &rec);
        let out = run(&mut app, is_async).unwrap();
        assert_eq!(out.state.get::<Vec<i64>>("results").unwrap(), cartesian());
        assert_eq!(rec.children("parent").len(), 9);
        let ids: HashSet<_> = rec
            .children("parent")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids.len(), 9);
    }
}

#[test]
fn task_based_form() {
    for is_async in [false, true] {
        let rec = Recorder::new();
        let graphs: Vec<Arc<RunnableGraph>> = [1000, 2000, 3000]
            .map(|k| Arc::new(RunnableGraph::from_action("add", add(k))))
            .into();
        let mut action = Parallel::from_tasks(move |_, ctx, _, adapters| {
            let mut tasks = Vec::new();
            for (i, g) in graphs.iter().enumerate() {
                for j in 0..3 {
                    let key = format!("{i}-{j}");
                    let state = State::new().update("n", 111 + 100 * j);
                    tasks.push(adapters.apply(SubGraphTask::new(
                        g.clone(),
                        state,
                        child_app_id(ctx, &key),
                    )));
                }
            }
            Ok(tasks)
        })
        .with_writes(["results"])
        .reduce(collect_n);
        if !is_async {
            action = action.sync();
        }
        let mut app = parent_app(action, &rec);
        let out = run(&mut app, is_async).unwrap();
        assert_eq!(out.state.get::<Vec<i64>>("results").unwrap(), cartesian());
        // The tracker was shared: the children were created with it.
        assert_eq!(rec.children("parent").len(), 9);
    }
}

#[test]
fn child_ids_are_stable_per_step_and_differ_across_steps() {
    let rec = Recorder::new();
    let action = Parallel::map_actions([RunnableGraph::from_action("add", add(1))])
        .with_reads(["n"])
        .with_writes(["n"])
        .reduce(|s, c| Ok(s.update("n", c[0].get::<i64>("n")?)))
        .sync();
    let mut app = ApplicationBuilder::new()
        .with_action("fanout", action)
        .with_transitions([("fanout", "fanout", expr("n < 3").unwrap())])
        .with_state(state! { n: 0 })
        .with_entrypoint("fanout")
        .with_app_id("parent")
        .with_tracker(rec.clone())
        .build()
        .unwrap();
    app.run(Halt::default(), ()).unwrap();
    assert_eq!(app.state().get::<i64>("n").unwrap(), 3);
    let children = rec.children("parent");
    assert_eq!(children.len(), 3);
    for (seq, (id, pointer)) in children.iter().enumerate() {
        assert_eq!(pointer.sequence_id, Some(seq as u64));
        assert_eq!(
            *id,
            child_app_id(
                &ActionContext::detached("parent", "fanout", seq as u64),
                "0-0"
            )
        );
    }
}

#[test]
fn cascade_rules() {
    // Off: the children get no tracker.
    let rec = Recorder::new();
    let action = Parallel::map_actions([RunnableGraph::from_action("add", add(1))])
        .with_reads(["n"])
        .with_writes(["results"])
        .reduce(collect_n)
        .tracker(Cascade::Off)
        .sync();
    let mut app = parent_app(action, &rec);
    app.run(halt_after(["fanout"]), ()).unwrap();
    assert!(rec.children("parent").is_empty());

    // Fixed: the children get that one, the parent keeps its own.
    let rec = Recorder::new();
    let other = Recorder::new();
    let action = Parallel::map_actions([RunnableGraph::from_action("add", add(1))])
        .with_reads(["n"])
        .with_writes(["results"])
        .reduce(collect_n)
        .tracker(Cascade::Fixed(Hook::Sync(other.clone())))
        .sync();
    let mut app = parent_app(action, &rec);
    app.run(halt_after(["fanout"]), ()).unwrap();
    assert!(rec.children("parent").is_empty());
    assert_eq!(other.children("parent").len(), 1);

    // Persister: inherited (shared), so the child's steps are saved in the parent's store.
    let store = InMemoryPersister::new();
    let action = Parallel::map_actions([RunnableGraph::from_action("add", add(1))])
        .with_reads(["n"])
        .with_writes(["results"])
        .reduce(collect_n)
        .sync();
    let mut app = ApplicationBuilder::new()
        .with_action("fanout", action)
        .with_state(state! { n: 1 })
        .with_entrypoint("fanout")
        .with_app_id("parent")
        .with_state_persister(store.clone())
        .build()
        .unwrap();
    app.run(halt_after(["fanout"]), ()).unwrap();
    let child = child_app_id(&ActionContext::detached("parent", "fanout", 0), "0-0");
    let ids = store.list_app_ids(None).unwrap();
    assert!(
        ids.contains(&child) && ids.contains(&"parent".to_string()),
        "{ids:?}"
    );
    assert_eq!(
        store
            .load(None, &child, None)
            .unwrap()
            .unwrap()
            .state
            .get::<i64>("n")
            .unwrap(),
        2
    );
}

#[test]
fn a_completed_child_is_resumed_not_rerun_with_an_initializer() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = {
        let runs = runs.clone();
        FnAction::new(None::<&str>, ["done"], move |s, _, _| {
            runs.fetch_add(1, Ordering::SeqCst);
            s.update("done", true)
        })
    };
    let store = InMemoryPersister::new();
    let ctx = ActionContext::detached("parent", "fanout", 0);
    let graph = Arc::new(RunnableGraph::from_action("work", counted));
    for _ in 0..2 {
        let mut task = SubGraphTask::new(graph.clone(), State::new(), "child");
        task.persister = Some(Saver::Sync(Arc::new(store.clone())));
        task.initializer = Some(Loader::Sync(Arc::new(store.clone())));
        let state = task.run(&ctx).unwrap();
        assert!(state.get::<bool>("done").unwrap());
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn a_failing_child_fails_the_step_names_the_task_and_cancels_the_others() {
    let fails = || {
        FnAction::new_async(None::<&str>, None::<&str>, |_, _, _| async {
            Err::<State, _>(ActionError::msg("model unavailable"))
        })
    };
    let slow = |finished: Arc<AtomicUsize>| {
        FnAction::new_async(None::<&str>, None::<&str>, move |s, _, _| {
            let finished = finished.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ActionError>(s)
            }
        })
    };
    let finished = Arc::new(AtomicUsize::new(0));
    let mut graphs = vec![RunnableGraph::from_action("slow", slow(finished.clone()))];
    graphs.push(RunnableGraph::from_action("fails", fails()));
    graphs.push(RunnableGraph::from_action("slow", slow(finished.clone())));
    let action = Parallel::map_actions(graphs)
        .with_reads(["n"])
        .with_writes(["results"])
        .reduce(collect_n);
    let rec = Recorder::new();
    let mut app = parent_app(action, &rec);
    let before = app.state().clone();
    let err = rt()
        .block_on(async {
            let r = app.run_async(halt_after(["fanout"]), ()).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            r
        })
        .unwrap_err();
    let Error::ActionFailed { action, source } = &err else {
        panic!("{err}")
    };
    assert_eq!(action, "fanout");
    let sub = source.downcast_ref::<SubApplicationError>().unwrap();
    assert_eq!(sub.key, "1-0");
    assert_eq!(
        sub.app_id,
        child_app_id(&ActionContext::detached("parent", "fanout", 0), "1-0")
    );
    assert!(err.to_string().contains("model unavailable"), "{err}");
    assert!(err.to_string().contains(&sub.app_id), "{err}");
    assert_eq!(
        finished.load(Ordering::SeqCst),
        0,
        "the other sub-applications were cancelled"
    );
    assert_eq!(
        app.state().get::<i64>("n").unwrap(),
        before.get::<i64>("n").unwrap()
    );
    assert!(!app.state().contains("results"));
}

#[test]
fn a_failing_child_fails_a_sync_step_too() {
    let fails = FnAction::new(None::<&str>, None::<&str>, |_, _, _| {
        Err::<State, _>(ActionError::msg("boom"))
    });
    let graphs = vec![
        RunnableGraph::from_action("ok", add(1)),
        RunnableGraph::from_action("fails", fails),
    ];
    let action = Parallel::map_actions(graphs)
        .with_reads(["n"])
        .with_writes(["results"])
        .reduce(collect_n)
        .sync();
    let rec = Recorder::new();
    let mut app = parent_app(action, &rec);
    let err = app.run(halt_after(["fanout"]), ()).unwrap_err();
    assert!(err.to_string().contains("task `1-0`"), "{err}");
    assert!(!app.state().contains("results"));
}

#[test]
fn the_concurrency_bound_holds() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let track = {
        let peak = peak.clone();
        FnAction::new_async(None::<&str>, None::<&str>, move |s, _, _| {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, ActionError>(s)
            }
        })
    };
    let graph = RunnableGraph::from_action("t", track);
    let action = Parallel::map_states(graph, |_, _| Ok((0..20).map(|_| State::new()).collect()))
        .with_writes(["count"])
        .reduce(|s, c| Ok(s.update("count", c.len())))
        .concurrency(3);
    let rec = Recorder::new();
    let mut app = parent_app(action, &rec);
    let out = run(&mut app, true).unwrap();
    assert_eq!(out.state.get::<usize>("count").unwrap(), 20);
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[test]
fn missing_reduce_is_an_error_naming_the_action() {
    let action = Parallel::map_actions([RunnableGraph::from_action("add", add(1))]).sync();
    let mut app = ApplicationBuilder::new()
        .with_action("fanout", action)
        .with_entrypoint("fanout")
        .build()
        .unwrap();
    let err = app.run(halt_after(["fanout"]), ()).unwrap_err();
    assert!(err.to_string().contains("`fanout` has no reduce"), "{err}");
}

/// Counts the nodes of a binary tree of applications: each application's action spawns two
/// sub-applications one level down, with the helper for ordinary actions.
fn tree_app(
    ctx: Option<&ActionContext>,
    depth: i64,
    is_async: bool,
    rec: &Arc<Recorder>,
) -> ApplicationBuilder {
    let b = ApplicationBuilder::new()
        .with_action("recurse", recurse(is_async))
        .with_state(state! { depth: depth })
        .with_entrypoint("recurse");
    match ctx {
        Some(ctx) => b.with_parent_context(ctx),
        None => b.with_tracker(rec.clone()),
    }
}

/// The action of [`tree_app`]: sync or async.
fn recurse(is_async: bool) -> FnAction {
    if is_async {
        return FnAction::new_async(["depth"], ["total_count"], |s, _, ctx| async move {
            let depth: i64 = s.get("depth")?;
            let mut total = 1;
            if depth > 0 {
                for _ in 0..2 {
                    let rec = Recorder::new();
                    let mut child = tree_app(Some(&ctx), depth - 1, true, &rec).build()?;
                    let out = child.run_async(halt_after(["recurse"]), ()).await?;
                    total += out.state.get::<i64>("total_count")?;
                }
            }
            Ok::<_, ActionError>(s.update("total_count", total))
        });
    }
    FnAction::new(["depth"], ["total_count"], |s, _, ctx| {
        let depth: i64 = s.get("depth")?;
        let mut total = 1;
        if depth > 0 {
            for _ in 0..2 {
                let rec = Recorder::new();
                let mut child = tree_app(Some(ctx), depth - 1, false, &rec).build()?;
                let out = child.run(halt_after(["recurse"]), ())?;
                total += out.state.get::<i64>("total_count")?;
            }
        }
        Ok::<_, ActionError>(s.update("total_count", total))
    })
}

#[test]
fn recursive_sub_applications() {
    for is_async in [false, true] {
        let rec = Recorder::new();
        let mut app = tree_app(None, 5, is_async, &rec).build().unwrap();
        let out = if is_async {
            rt().block_on(app.run_async(halt_after(["recurse"]), ()))
                .unwrap()
        } else {
            app.run(halt_after(["recurse"]), ()).unwrap()
        };
        assert_eq!(out.state.get::<i64>("total_count").unwrap(), 63);
        let apps = rec.apps();
        assert_eq!(apps.len(), 63);
        assert_eq!(apps.iter().filter(|(_, p)| p.is_some()).count(), 62);
        // One execute pair per application (the root's `run` and each child's).
        assert_eq!(rec.count("pre_exec"), 63);
        assert_eq!(rec.count("post_exec"), 63);
    }
}

/// A parallel step inside a sub-application: parallelism nests.
#[test]
fn parallel_inside_parallel() {
    let inner = Parallel::map_states(RunnableGraph::from_action("add", add(1)), |_, _| {
        Ok((0..2).map(|j| State::new().update("n", j)).collect())
    })
    .with_writes(["results"])
    .reduce(collect_n);
    let outer = Parallel::map_states(RunnableGraph::from_action("inner", inner), |_, _| {
        Ok((0..3).map(|_| State::new()).collect())
    })
    .with_writes(["all"])
    .reduce(|s, children| {
        let all: Vec<Vec<i64>> = children
            .iter()
            .map(|c| c.get("results"))
            .collect::<Result<_, _>>()?;
        Ok(s.update("all", serde_json::to_value(all)?))
    });
    let rec = Recorder::new();
    let mut app = parent_app(outer, &rec);
    let out = run(&mut app, true).unwrap();
    assert_eq!(
        out.state.get::<Vec<Vec<i64>>>("all").unwrap(),
        vec![vec![1, 2]; 3]
    );
    assert_eq!(rec.apps().len(), 1 + 3 + 6);
}

#[test]
fn a_failing_sync_child_stops_new_tasks_from_starting() {
    let started = Arc::new(AtomicUsize::new(0));
    let work = {
        let started = started.clone();
        FnAction::new(["i"], None::<&str>, move |s, _, _| {
            started.fetch_add(1, Ordering::SeqCst);
            if s.get::<i64>("i")? == 0 {
                return Err(ActionError::msg("first task fails"));
            }
            std::thread::sleep(Duration::from_millis(5));
            Ok(s)
        })
    };
    let action = Parallel::map_states(RunnableGraph::from_action("work", work), |_, _| {
        Ok((0..50).map(|i| State::new().update("i", i)).collect())
    })
    .with_writes(["results"])
    .reduce(collect_n)
    .sync()
    .concurrency(2);
    let rec = Recorder::new();
    let mut app = parent_app(action, &rec);
    let err = app.run(halt_after(["fanout"]), ()).unwrap_err();
    assert!(err.to_string().contains("task `0-0`"), "{err}");
    assert!(
        started.load(Ordering::SeqCst) < 10,
        "{}",
        started.load(Ordering::SeqCst)
    );
}
