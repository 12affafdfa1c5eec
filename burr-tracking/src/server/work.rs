//! [`BlockingWork`]: file reads run off the async threads, a bounded number at once.
//!
//! A request that times out stops waiting for its read, but the read itself cannot be
//! stopped: it holds its place until it ends, so that requests answered `503` never leave
//! more reads running than the bound.

use std::sync::Arc;

use tokio::sync::Semaphore;

/// Why blocking work gave no result: it panicked (its message is not kept, it may hold
/// anything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WorkFailed;

/// Runs blocking work on tokio's blocking threads, at most `max` at once.
#[derive(Debug, Clone)]
pub(super) struct BlockingWork {
    places: Arc<Semaphore>,
}

impl BlockingWork {
    /// At most `max` (at least 1) pieces of work at once.
    pub(super) fn new(max: usize) -> Self {
        BlockingWork {
            places: Arc::new(Semaphore::new(max.clamp(1, Semaphore::MAX_PERMITS))),
        }
    }

    /// Waits for a place, then runs `work` on a blocking thread; the place is given back
    /// when `work` ends, even when the caller stopped waiting for it.
    pub(super) async fn run<T, F>(&self, work: F) -> Result<T, WorkFailed>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        // The semaphore is never closed.
        let place = Arc::clone(&self.places)
            .acquire_owned()
            .await
            .map_err(|_| WorkFailed)?;
        tokio::task::spawn_blocking(move || {
            let _place = place;
            work()
        })
        .await
        .map_err(|_| WorkFailed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn work_past_the_bound_waits_even_when_its_caller_gave_up() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let work = BlockingWork::new(1);
            let (release, released) = mpsc::channel::<()>();
            let (started, starts) = mpsc::channel::<&str>();
            // The first caller gives up at once, like a request answered 503; its work runs on.
            let first = {
                let started = started.clone();
                work.run(move || {
                    started.send("first").unwrap();
                    released.recv().unwrap();
                })
            };
            let gave_up = tokio::time::timeout(Duration::from_millis(50), first).await;
            assert!(gave_up.is_err());
            assert_eq!(starts.recv_timeout(Duration::from_secs(10)), Ok("first"));
            let second = tokio::spawn({
                let work = work.clone();
                async move { work.run(move || started.send("second").unwrap()).await }
            });
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(starts.try_recv().is_err(), "ran past the bound");
            release.send(()).unwrap();
            assert_eq!(second.await.unwrap(), Ok(()));
            assert_eq!(starts.recv_timeout(Duration::from_secs(10)), Ok("second"));
        });
    }

    #[test]
    fn a_panic_is_a_failure_and_gives_its_place_back() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let work = BlockingWork::new(1);
            assert_eq!(work.run(|| panic!("boom")).await, Err::<(), _>(WorkFailed));
            assert_eq!(work.run(|| 7).await, Ok(7));
        });
    }
}
