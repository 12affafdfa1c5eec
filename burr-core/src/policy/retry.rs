//! [`RetryPolicy`]: how many attempts an action gets, how long to wait between them, and which
//! errors are worth another attempt.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

type Predicate = Arc<dyn Fn(&Error) -> bool + Send + Sync>;

/// Attempts with exponential backoff: the delay before attempt `n + 1` is
/// `initial_delay * backoff_factor^(n - 1)`, at most `max_delay`, then moved by up to
/// `jitter` of itself either way (a fraction; `0.0`, the default, keeps delays exact).
///
/// Defaults: 3 attempts, 500 ms initial delay, factor 2, at most 30 s, no jitter, and the
/// errors of the action's body and timeouts are retried (see [`RetryPolicy::retry_if`]).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use burr_core::policy::RetryPolicy;
///
/// let policy = RetryPolicy::new(4)
///     .initial_delay(Duration::from_millis(100))
///     .backoff_factor(3.0)
///     .max_delay(Duration::from_millis(500));
/// let delays: Vec<_> = (1..4).map(|n| policy.delay_after(n).as_millis()).collect();
/// assert_eq!(delays, [100, 300, 500]);
/// assert_eq!(policy.max_attempts(), 4);
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    backoff_factor: f64,
    max_delay: Duration,
    jitter: f64,
    retry_if: Option<Predicate>,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("initial_delay", &self.initial_delay)
            .field("backoff_factor", &self.backoff_factor)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .field("retry_if", &self.retry_if.as_ref().map(|_| "<fn>"))
            .finish()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new(3)
    }
}

impl RetryPolicy {
    /// A policy of `max_attempts` attempts in all (at least 1: `new(1)` never retries).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::policy::RetryPolicy::new(0).max_attempts(), 1);
    /// ```
    pub fn new(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            initial_delay: Duration::from_millis(500),
            backoff_factor: 2.0,
            max_delay: Duration::from_secs(30),
            jitter: 0.0,
            retry_if: None,
        }
    }

    /// The delay before the second attempt.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = burr_core::policy::RetryPolicy::new(2).initial_delay(Duration::ZERO);
    /// assert_eq!(p.delay_after(1), Duration::ZERO);
    /// ```
    #[must_use]
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// How much each delay grows over the one before (`1.0` for a constant delay; values
    /// below 1 or not finite count as 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = burr_core::policy::RetryPolicy::new(5)
    ///     .initial_delay(Duration::from_millis(10))
    ///     .backoff_factor(1.0);
    /// assert_eq!(p.delay_after(4), Duration::from_millis(10));
    /// ```
    #[must_use]
    pub fn backoff_factor(mut self, factor: f64) -> Self {
        self.backoff_factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        self
    }

    /// The longest delay between two attempts (before jitter).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = burr_core::policy::RetryPolicy::new(10).max_delay(Duration::from_secs(1));
    /// assert_eq!(p.delay_after(9), Duration::from_secs(1));
    /// ```
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Moves each delay by a random amount of up to `fraction` of itself, either way, so
    /// that many clients failing together do not retry together (clamped to `0.0..=1.0`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = burr_core::policy::RetryPolicy::new(2)
    ///     .initial_delay(Duration::from_millis(100))
    ///     .jitter(0.5);
    /// let d = p.delay_after(1);
    /// assert!(d >= Duration::from_millis(50) && d <= Duration::from_millis(150));
    /// ```
    #[must_use]
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// Decides which errors get another attempt, replacing the default (errors of the
    /// action's body, [`Error::ActionFailed`], and [`Error::Timeout`]). Errors of the
    /// declarations, of the state and of persistence are never retried, whatever it says.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{policy::RetryPolicy, ActionError, Error};
    ///
    /// #[derive(Debug)]
    /// struct RateLimited;
    /// impl std::fmt::Display for RateLimited {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    ///         f.write_str("rate limited")
    ///     }
    /// }
    /// impl std::error::Error for RateLimited {}
    ///
    /// let policy = RetryPolicy::new(5).retry_if(|e| match e {
    ///     Error::ActionFailed { source, .. } => source.is::<RateLimited>(),
    ///     _ => false,
    /// });
    /// assert!(policy.is_retryable(&ActionError::from(RateLimited).into_burr("ask")));
    /// assert!(!policy.is_retryable(&ActionError::msg("bad request").into_burr("ask")));
    /// ```
    #[must_use]
    pub fn retry_if(mut self, predicate: impl Fn(&Error) -> bool + Send + Sync + 'static) -> Self {
        self.retry_if = Some(Arc::new(predicate));
        self
    }

    /// The number of attempts in all.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_core::policy::RetryPolicy::default().max_attempts(), 3);
    /// ```
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether `error` deserves another attempt (attempts left aside).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_core::{policy::RetryPolicy, ActionError, Error, StateError};
    /// let p = RetryPolicy::default();
    /// assert!(p.is_retryable(&ActionError::msg("flaky").into_burr("a")));
    /// let state = Error::State(StateError::NotAnObject { found: "list" });
    /// assert!(!p.is_retryable(&state));
    /// ```
    pub fn is_retryable(&self, error: &Error) -> bool {
        let candidate = matches!(error, Error::ActionFailed { .. } | Error::Timeout { .. });
        candidate && self.retry_if.as_ref().is_none_or(|p| p(error))
    }

    /// The delay after failed attempt `attempt` (1 for the first), jitter included.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let p = burr_core::policy::RetryPolicy::new(3).initial_delay(Duration::from_millis(20));
    /// assert_eq!(p.delay_after(1), Duration::from_millis(20));
    /// assert_eq!(p.delay_after(2), Duration::from_millis(40));
    /// ```
    pub fn delay_after(&self, attempt: u32) -> Duration {
        if self.initial_delay.is_zero() {
            return Duration::ZERO;
        }
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let max = self.max_delay.as_secs_f64();
        let base = (self.initial_delay.as_secs_f64() * self.backoff_factor.powi(exponent)).min(max);
        let jittered = if self.jitter > 0.0 {
            base * (1.0 + self.jitter * (2.0 * unit_random() - 1.0))
        } else {
            base
        };
        Duration::try_from_secs_f64(jittered.max(0.0)).unwrap_or(self.max_delay)
    }
}

/// A random number in `0.0..1.0`, from the operating system's randomness behind UUIDs.
fn unit_random() -> f64 {
    // The low 53 bits of a v4 UUID are random (its version and variant bits are higher).
    let bits = uuid::Uuid::new_v4().as_u128() as u64 & ((1u64 << 53) - 1);
    bits as f64 / (1u64 << 53) as f64
}
