//! A timer that needs no runtime: one thread, started on first use, wakes the [`Sleep`]
//! futures whose deadline has passed.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// A future that is ready once its deadline has passed (never, without one).
#[derive(Debug)]
pub(crate) struct Sleep {
    deadline: Option<Instant>,
    slot: Option<Arc<Slot>>,
}

/// Where the timer thread finds the waker of a pending [`Sleep`].
#[derive(Debug, Default)]
struct Slot {
    waker: Mutex<Option<Waker>>,
}

/// A deadline waiting in the timer's queue; the soonest comes first.
struct Entry {
    deadline: Instant,
    slot: Weak<Slot>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.deadline == other.deadline
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.deadline.cmp(&self.deadline)
    }
}

/// The queue size from which dead entries are dropped (at each power of two).
const COMPACT_AT: usize = 1024;

struct Timer {
    queue: Mutex<BinaryHeap<Entry>>,
    changed: Condvar,
}

/// The timer, started on first use; `None` when its thread could not be started (a
/// [`Sleep`] then blocks its thread until its deadline).
fn timer() -> Option<&'static Timer> {
    static TIMER: OnceLock<Option<&'static Timer>> = OnceLock::new();
    *TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            queue: Mutex::new(BinaryHeap::new()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("burr-timer".into())
            .spawn(move || timer.run())
            .ok()
            .map(|_| timer)
    })
}

impl Timer {
    fn run(&self) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let mut due = Vec::new();
        loop {
            let now = Instant::now();
            while queue.peek().is_some_and(|e| e.deadline <= now) {
                if let Some(slot) = queue.pop().and_then(|e| e.slot.upgrade())
                    && let Some(waker) = slot.waker.lock().unwrap_or_else(|p| p.into_inner()).take()
                {
                    due.push(waker);
                }
            }
            if !due.is_empty() {
                // Woken without the queue's lock, so that a waker may schedule a new sleep.
                drop(queue);
                due.drain(..).for_each(Waker::wake);
                queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                continue;
            }
            queue = match queue.peek().map(|e| e.deadline) {
                None => self.changed.wait(queue).unwrap_or_else(|p| p.into_inner()),
                Some(next) => {
                    let wait = next.saturating_duration_since(now);
                    match self.changed.wait_timeout(queue, wait) {
                        Ok((q, _)) => q,
                        Err(p) => p.into_inner().0,
                    }
                }
            };
        }
    }

    fn schedule(&self, deadline: Instant, slot: &Arc<Slot>) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        // Sleeps dropped before their deadline (a timeout that did not fire) leave their
        // entry behind: past a size, the queue keeps only the live ones.
        if queue.len() >= COMPACT_AT && queue.len().is_power_of_two() {
            queue.retain(|e| e.slot.strong_count() > 0);
        }
        let sooner = queue.peek().is_none_or(|e| deadline < e.deadline);
        queue.push(Entry {
            deadline,
            slot: Arc::downgrade(slot),
        });
        if sooner {
            self.changed.notify_one();
        }
    }
}

/// A future ready after `duration` (never, for a duration beyond the clock's range).
pub(crate) fn sleep(duration: Duration) -> Sleep {
    Sleep {
        deadline: Instant::now().checked_add(duration),
        slot: None,
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.deadline else {
            return Poll::Pending;
        };
        let now = Instant::now();
        if now >= deadline {
            return Poll::Ready(());
        }
        let Some(timer) = timer() else {
            std::thread::sleep(deadline - now);
            return Poll::Ready(());
        };
        match &self.slot {
            Some(slot) => {
                *slot.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(cx.waker().clone());
            }
            None => {
                let slot = Arc::new(Slot {
                    waker: Mutex::new(Some(cx.waker().clone())),
                });
                timer.schedule(deadline, &slot);
                self.slot = Some(slot);
            }
        }
        // The deadline may have passed while the waker was being stored.
        if Instant::now() >= deadline {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_end_in_deadline_order_whatever_order_they_start() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let start = Instant::now();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            for ms in [30u64, 10, 20] {
                let tx = tx.clone();
                tokio::spawn(async move {
                    sleep(Duration::from_millis(ms)).await;
                    tx.send(ms).unwrap();
                });
            }
            drop(tx);
            let mut order = Vec::new();
            while let Some(ms) = rx.recv().await {
                order.push(ms);
            }
            assert_eq!(order, [10, 20, 30]);
            assert!(start.elapsed() >= Duration::from_millis(30));
        });
    }

    #[test]
    fn a_dropped_sleep_is_forgotten() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut long = Box::pin(sleep(Duration::from_secs(3600)));
            let waker = std::task::Waker::noop();
            let polled = long.as_mut().poll(&mut Context::from_waker(waker));
            assert!(polled.is_pending());
            drop(long);
            // The timer thread skips the forgotten deadline and still wakes the next one.
            sleep(Duration::from_millis(1)).await;
            let never = sleep(Duration::MAX);
            let mut never = Box::pin(never);
            assert!(
                never
                    .as_mut()
                    .poll(&mut Context::from_waker(waker))
                    .is_pending()
            );
        });
    }
}
