//! Condition evaluation speed: parse once, evaluate on every step.
//!
//! Run with
//!
//! ```not_rust
//! cargo bench -p burr-core --bench expr
//! ```

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use burr_core::State;
use burr_core::expr::{Expr, Scope};
use criterion::{Criterion, criterion_group, criterion_main};

fn conditions(c: &mut Criterion) {
    let state = State::new()
        .update("count", 3)
        .update("done", false)
        .update("name", "burr")
        .update("items", serde_json::json!([1, 2, 3, 4]))
        .update("user", serde_json::json!({"name": "ada", "age": 36}));
    let cases = [
        "count < 10",
        "count < 10 and not done",
        "0 < count <= 10",
        "name == 'burr'",
        "len(items) > 2",
        "user.age >= 18",
        "2 in items",
    ];
    for src in cases {
        let expr = Expr::parse(src).expect("benchmark expressions parse");
        c.bench_function(&format!("eval_bool `{src}`"), |b| {
            b.iter(|| black_box(&expr).eval_bool(black_box(&state)))
        });
    }
    c.bench_function("State lookup `count`", |b| {
        b.iter(|| black_box(&state).lookup(black_box("count")).is_some())
    });
    let map = state.to_map();
    let expr = Expr::parse("count < 10").expect("parses");
    c.bench_function("eval_bool `count < 10` over a JSON map", |b| {
        b.iter(|| black_box(&expr).eval_bool(black_box(&map)))
    });
    c.bench_function("parse `count < 10 and not done`", |b| {
        b.iter(|| Expr::parse(black_box("count < 10 and not done")))
    });
}

criterion_group!(benches, conditions);
criterion_main!(benches);
