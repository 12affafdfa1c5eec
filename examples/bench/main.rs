//! Benchmarks of burr-rs, one JSON line per run.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --release --example bench -- counter --steps 100000
//! cargo run --release --example bench -- counter-typed --steps 100000
//! cargo run --release --example bench -- state-growth --steps 10000
//! cargo run --release --example bench -- fanout --tasks 1000 --work-us 500 --threads 4
//! ```
//!
//! Scenarios: `counter` (two-action counter; `--track DIR` writes tracking files),
//! `counter-typed` (the same counter with a typed state and typed actions),
//! `state-growth` (appends 200 bytes to a list each step), `spans` (4 spans per step, tracked),
//! `trace-noop` (`#[trace]` outside an action), `sqlite` (saved steps), `fanout`
//! (sub-applications; `--work-us W` of CPU work each, on `--threads T` runtime workers).

mod core;
mod fanout;
mod sqlite;
mod tracked;
mod typed;

use std::process::ExitCode;

fn usage() -> String {
    "usage: bench <scenario> [options]\n\
     scenarios:\n  \
     counter --steps N [--track DIR]\n  \
     counter-typed --steps N\n  \
     state-growth --steps K\n  \
     spans --steps N --track DIR\n  \
     trace-noop --calls M\n  \
     sqlite --steps N --db FILE\n  \
     fanout --tasks N [--work-us W] [--threads T] [--concurrency C]\n"
        .to_string()
}

/// The value following `--name` in `args`, parsed.
pub(crate) fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(scenario) = args.first() else {
        eprint!("{}", usage());
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let out = match scenario.as_str() {
        "counter" if rest.iter().any(|a| a == "--track") => Ok(tracked::counter_tracked(rest)),
        "counter" => core::counter(rest),
        "counter-typed" => typed::counter_typed(rest),
        "state-growth" => core::state_growth(rest),
        "spans" => Ok(tracked::spans(rest)),
        "trace-noop" => Ok(core::trace_noop(rest)),
        "sqlite" => Ok(sqlite::run(rest)),
        "fanout" => Ok(fanout::run(rest)),
        _ => {
            eprint!("unknown scenario `{scenario}`\n{}", usage());
            return ExitCode::from(2);
        }
    };
    match out {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}
