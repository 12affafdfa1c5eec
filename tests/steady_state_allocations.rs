//! An untracked step allocates nothing once an application runs: the counter's steps after
//! the first few reuse what the first ones allocated (the step's context, the state's
//! entries node). Counted by dhat's allocator; one test in this binary, so that nothing else
//! allocates meanwhile.

use burr::prelude::*;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

#[action(reads = [], writes = [])]
fn done(state: State) -> State {
    state
}

fn counter(steps: u64) -> Application {
    ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transitions([
            (
                "increment",
                "increment",
                expr(&format!("count < {steps}")).unwrap(),
            ),
            ("increment", "done", default()),
        ])
        .with_state(state! { count: 0 })
        .with_entrypoint("increment")
        .build()
        .unwrap()
}

fn allocations() -> u64 {
    dhat::HeapStats::get().total_blocks
}

#[test]
fn untracked_steps_allocate_nothing_in_the_steady_state() {
    let _profiler = dhat::Profiler::builder().testing().build();

    // `run`: no more allocations for 100,001 steps than for 11 (the first run also makes
    // what every later one reuses).
    let mut small = counter(10);
    let mut large = counter(100_000);
    let before = allocations();
    small.run(halt_after(["done"]), ()).unwrap();
    let few = allocations() - before;
    let before = allocations();
    let out = large.run(halt_after(["done"]), ()).unwrap();
    let many = allocations() - before;
    assert_eq!(out.state.get::<i64>("count").unwrap(), 100_000);
    assert!(
        many <= few,
        "a run of 100,001 steps allocated {many} times, one of 11 steps {few}"
    );

    // `step`: only the returned description allocates (the action's name it copies).
    let mut app = counter(100_000);
    let inputs = Inputs::new();
    for _ in 0..10 {
        app.step_with(&inputs).unwrap();
    }
    let before = allocations();
    for _ in 0..1_000 {
        let step = app.step_with(&inputs).unwrap().unwrap();
        assert_eq!(step.action, "increment");
    }
    let per_step = (allocations() - before) / 1_000;
    assert!(per_step <= 1, "{per_step} allocations per step");
}
