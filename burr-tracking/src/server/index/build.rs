//! Steps' JSON built from their lines, with the reader's grouping (Burr's `Step.from_logs`).

use std::sync::Arc;

use crate::read;

/// Below this many steps to build, one thread does it.
const PARALLEL_FROM: usize = 256;

/// Builds many steps' JSON, on several threads when there are many.
pub(super) fn build_steps(
    inputs: Vec<(u64, Vec<u8>)>,
) -> Vec<(u64, Option<Arc<str>>, Vec<String>)> {
    let build = |(seq, bytes): &(u64, Vec<u8>)| {
        let (json, errors) = build_step(bytes);
        (*seq, json.map(Arc::from), errors)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || inputs.len() < PARALLEL_FROM {
        return inputs.iter().map(build).collect();
    }
    let chunk = inputs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(build).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(built) => built,
                // A panic while building is a bug; keep the panic's payload going up.
                Err(payload) => std::panic::resume_unwind(payload),
            })
            .collect()
    })
}

/// Builds one step's JSON from its lines with the reader's grouping (Burr's `Step.from_logs`).
/// Returns `None` when the lines make no step (no `begin_entry`), and the unreadable lines.
fn build_step(bytes: &[u8]) -> (Option<String>, Vec<String>) {
    let mut log = read::parse_log(bytes);
    let mut errors: Vec<String> = log.problems.iter().map(|p| p.error.to_string()).collect();
    let records = std::mem::take(&mut log.records);
    let step = read::steps_from_records(records).into_iter().next_back();
    let json = step.and_then(|step| match serde_json::to_string(&step) {
        Ok(json) => Some(json),
        Err(err) => {
            errors.push(format!("cannot encode the step: {err}"));
            None
        }
    });
    (json, errors)
}

/// A JSON array of steps built within a byte bound, the same way for every answer: a step is
/// added while it, its separator and the closing bracket fit; the first that does not fit
/// ends the array.
#[derive(Debug)]
pub(super) struct StepArray {
    out: String,
    covered: usize,
    max_bytes: usize,
}

impl StepArray {
    /// An empty array whose text stays within `max_bytes`.
    pub(super) fn new(max_bytes: usize) -> Self {
        StepArray {
            out: String::from("["),
            covered: 0,
            max_bytes,
        }
    }

    /// Adds the next step: its JSON, or `None` for a step that is covered but not shown (its
    /// lines make no step). Returns `false`, adding nothing, when the step does not fit.
    pub(super) fn push(&mut self, json: Option<&str>) -> bool {
        if let Some(json) = json {
            let comma = usize::from(self.out.len() > 1);
            if self.out.len() + comma + json.len() + 1 > self.max_bytes {
                return false;
            }
            if comma == 1 {
                self.out.push(',');
            }
            self.out.push_str(json);
        }
        self.covered += 1;
        true
    }

    /// Bytes of the array so far.
    pub(super) fn len(&self) -> usize {
        self.out.len()
    }

    /// The array's text, and how many steps it covers.
    pub(super) fn finish(mut self) -> (String, usize) {
        self.out.push(']');
        (self.out, self.covered)
    }
}
