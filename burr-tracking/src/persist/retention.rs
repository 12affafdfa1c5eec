//! [`Retention`]: how many saved steps of each application a persister keeps.

use std::time::Duration;

/// Which saved steps of an application a persister keeps; the others are deleted when the
/// application saves a step. The default keeps every step.
///
/// - [`Retention::keep_last`]`(n)` keeps the steps of the last `n` sequence ids up to the
///   one just saved (`seq - n + 1 ..= seq`) and deletes the older ones; with a
///   [`SavePolicy`](burr_core::SavePolicy) that skips steps, fewer than `n` rows remain;
/// - [`Retention::max_age`] deletes the steps saved longer ago than the given age;
/// - both together delete what either would.
///
/// The step just saved, the newest of its application, is always kept, so
/// `load(.., None)` finds it; loading a deleted step (`load(.., Some(n))`) is `Ok(None)`.
/// Retention is applied per application, on its own saves, with the same atomicity as the
/// save (one transaction in SQL, one script in Redis), and reads only that application's
/// rows: other applications are untouched until they save.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use burr_tracking::persist::Retention;
///
/// assert!(Retention::default().keeps_all());
/// let r = Retention::keep_last(100).max_age(Duration::from_secs(7 * 24 * 3600));
/// assert_eq!(r.last(), Some(100));
/// assert_eq!(r.age(), Some(Duration::from_secs(604_800)));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    keep_last: Option<u64>,
    max_age: Option<Duration>,
}

impl Retention {
    /// Keeps every saved step (the default).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::Retention;
    /// assert_eq!(Retention::keep_all(), Retention::default());
    /// ```
    pub const fn keep_all() -> Self {
        Retention {
            keep_last: None,
            max_age: None,
        }
    }

    /// Keeps the last `n` steps of each application (`0` keeps the newest one, as `1`).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::Retention;
    /// assert_eq!(Retention::keep_last(10).last(), Some(10));
    /// assert_eq!(Retention::keep_last(0).last(), Some(1));
    /// ```
    pub const fn keep_last(n: u64) -> Self {
        Retention {
            keep_last: Some(if n == 0 { 1 } else { n }),
            max_age: None,
        }
    }

    /// Also deletes the steps saved more than `age` ago (the newest step of an application
    /// stays, however old).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use burr_tracking::persist::Retention;
    /// let r = Retention::keep_all().max_age(Duration::from_secs(3600));
    /// assert_eq!((r.last(), r.age()), (None, Some(Duration::from_secs(3600))));
    /// ```
    #[must_use]
    pub const fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// The number of steps kept per application, if limited.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_tracking::persist::Retention::keep_all().last(), None);
    /// ```
    pub const fn last(&self) -> Option<u64> {
        self.keep_last
    }

    /// The age past which steps are deleted, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(burr_tracking::persist::Retention::keep_last(3).age(), None);
    /// ```
    pub const fn age(&self) -> Option<Duration> {
        self.max_age
    }

    /// Whether nothing is ever deleted.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::persist::Retention;
    /// assert!(Retention::keep_all().keeps_all());
    /// assert!(!Retention::keep_last(5).keeps_all());
    /// ```
    pub const fn keeps_all(&self) -> bool {
        self.keep_last.is_none() && self.max_age.is_none()
    }

    /// After saving step `seq`: the steps below this sequence id go by count (`0`, nothing,
    /// without a count).
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
        allow(dead_code)
    )]
    pub(crate) fn first_kept(&self, seq: u64) -> u64 {
        self.keep_last
            .map_or(0, |n| seq.saturating_sub(n.saturating_sub(1)))
    }

    /// The age limit in seconds, for the databases' date arithmetic.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
        allow(dead_code)
    )]
    pub(crate) fn age_secs(&self) -> Option<f64> {
        self.max_age.map(|d| d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_kept_counts_back_from_the_saved_step() {
        let r = Retention::keep_last(3);
        assert_eq!(r.first_kept(10), 8);
        assert_eq!(r.first_kept(1), 0);
        assert_eq!(r.first_kept(u64::MAX), u64::MAX - 2);
        assert_eq!(Retention::keep_last(1).first_kept(5), 5);
        assert_eq!(Retention::keep_all().first_kept(5), 0);
    }
}
