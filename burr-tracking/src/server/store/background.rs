//! Logs indexed in the background, after their newest page was answered from their end: one
//! thread per store reads them in turns of [`TURN_BYTES`], letting go of the index between
//! turns (a request for the app goes first, and reads what is left itself), and stops when
//! the queue is empty or the store is dropped.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, Weak};

use crate::confined::RootPath;

use super::{Inner, Store, lock};

/// Bytes of a log read per turn.
const TURN_BYTES: u64 = 4 << 20;

/// The app folders waiting to be indexed, and whether a thread is at it.
#[derive(Debug, Default)]
pub(super) struct Queue {
    state: Mutex<QueueState>,
}

#[derive(Debug, Default)]
struct QueueState {
    dirs: VecDeque<(RootPath, Claim)>,
    running: bool,
}

/// What a tail answer said of a log, checked against the index once it is read: the step
/// count, for the log's size then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Claim {
    /// Steps with a `begin_entry`.
    pub(super) num_steps: usize,
    /// Bytes of the log.
    pub(super) log_size: u64,
}

impl Store {
    /// Queues the log of the app in `dir` to be indexed, starting the store's indexing thread
    /// when it is not running; `claim` is what was answered from the log's end, checked once
    /// the log is indexed (a difference is logged as a warning). When no thread can be
    /// started, requests index what they need.
    pub(super) fn index_in_background(&self, dir: &RootPath, claim: Claim) {
        let mut queue = lock(&self.inner.background.state);
        if queue
            .dirs
            .iter()
            .any(|(d, _)| d.relative() == dir.relative())
        {
            return;
        }
        queue.dirs.push_back((dir.clone(), claim));
        if queue.running {
            return;
        }
        let inner = Arc::downgrade(&self.inner);
        let max_response = self.max_response;
        let spawned = std::thread::Builder::new()
            .name("burr-index".to_owned())
            .spawn(move || index_queued(&inner, max_response));
        match spawned {
            Ok(_) => queue.running = true,
            Err(err) => {
                tracing::debug!("no thread to index logs in the background: {err}");
                queue.dirs.clear();
            }
        }
    }
}

/// Indexes the queued logs of the store behind `inner`, one turn at a time, while it lives.
fn index_queued(inner: &Weak<Inner>, max_response: usize) {
    loop {
        // The store is held for one turn only: dropping it ends the indexing.
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let store = Store {
            inner,
            max_response,
        };
        let (dir, claim) = {
            let mut queue = lock(&store.inner.background.state);
            match queue.dirs.front() {
                Some(queued) => queued.clone(),
                None => {
                    queue.running = false;
                    return;
                }
            }
        };
        let turn = catch_unwind(AssertUnwindSafe(|| {
            store.with_index(&dir, |index| {
                let done = index.refresh_some(TURN_BYTES)?;
                Ok(done.then(|| index.status()))
            })
        }));
        // Done, failed (a request will say why) or panicked (a bug): next log.
        if let Ok(Ok(Some(status))) = turn
            && status.log_size == claim.log_size
            && status.num_steps != claim.num_steps
        {
            tracing::warn!(
                "{}: the newest page was answered from the end of log.jsonl with {} steps, \
                 and the whole log has {}: its steps are not laid out as writers append them",
                dir.relative().display(),
                claim.num_steps,
                status.num_steps
            );
        }
        if !matches!(turn, Ok(Ok(None))) {
            lock(&store.inner.background.state).dirs.pop_front();
        }
    }
}
