//! State persisters: save the steps of an application to a database, and load any step back
//! to resume an application or fork a new one from it.
//!
//! Each persister implements the traits of [`burr_core`]:
//!
//! | Store | Type | Feature | Traits |
//! |---|---|---|---|
//! | SQLite file (or memory) | `sqlite::SqlitePersister` | `sqlite` (default) | sync and async |
//! | PostgreSQL | `postgres::PostgresPersister` | `postgres` | async |
//! | Redis | `redis::RedisPersister` | `redis` | async |
//!
//! All of them store what Apache Burr's persisters store, in the same layout, so a database
//! written by one side is read by the other:
//!
//! - the state is the JSON object of [`State::to_json`](burr_core::State::to_json), runtime
//!   keys `__SEQUENCE_ID` and `__PRIOR_STEP` included;
//! - a missing partition key is stored as the empty string (Burr's default), and loaded back
//!   as the partition key that was asked for;
//! - the status is `completed` or `failed`.
//!
//! Each store also keeps the journal of steps in progress (the results an action journals
//! with `ActionContext::durable`, saved as each is made), so that a step run again after a
//! crash or a failure replays them: SQL persisters in `<table>_journal` beside Burr's table
//! (created by `initialize`; Burr ignores it), Redis in one hash per step,
//! `[namespace:]{pk}:{app}:{seq}:journal`. A database initialized by an earlier version gets
//! the journal table by calling `initialize` again.
//!
//! Semantics shared by every store here:
//!
//! - one saved row per (partition key, app id, sequence id): saving it again is
//!   [`PersistenceError::Duplicate`], and nothing is overwritten;
//! - `load(.., None)` returns the step with the highest sequence id, `load(.., Some(n))` the
//!   step `n`, and `Ok(None)` when nothing matches;
//! - a stored row that cannot be read back (state that is not a JSON object, unknown status,
//!   negative sequence id) is [`PersistenceError::Corrupt`], naming the row;
//! - a lost connection or any other failure of the server is [`PersistenceError::Backend`];
//!   the persister reconnects by itself, so retrying the call once the server is back works.
//!   A save whose reply was lost may have been applied: its retry then reports
//!   [`PersistenceError::Duplicate`].
//!
//! # Bounded persistence
//!
//! Two settings keep the saved history small:
//!
//! - which steps are saved is the application's choice,
//!   [`ApplicationBuilder::with_save_policy`](burr_core::ApplicationBuilder::with_save_policy)
//!   (every step, every n-th step, the steps of tagged actions). Failed steps and the step a
//!   `run`, `iterate` or stream call stops at are saved whatever the policy, so an
//!   application resumed after a call loses nothing; a crash during a call loses the steps
//!   since the last save, which the resumed application runs again;
//! - how long saved steps stay is the persister's: `with_retention(`[`Retention`]`)` on
//!   each persister keeps the steps of an application's last `n` sequence ids and/or the
//!   steps younger than an age. It is applied when the application saves, to that
//!   application only, in the save's transaction (SQLite), statement (PostgreSQL) or script
//!   (Redis), and reads only that application's rows: the SQL tables are pruned through
//!   their primary key `(partition_key, app_id, sequence_id, position)`, Redis through a
//!   sorted set of each application's sequence ids (written by the saves made with a
//!   retention). The newest step of an application is always kept, so `load(.., None)`
//!   finds it; a deleted step loads as `Ok(None)`. The layout stays the one Apache Burr
//!   reads.
//!
//! ```
//! # #[cfg(feature = "sqlite")] {
//! use burr_core::{StateLoader, StateSaver};
//! use burr_core::{ApplicationBuilder, FnAction, ActionError, Halt, SavePolicy, expr, state};
//! use burr_tracking::{Retention, SqlitePersister};
//!
//! let persister = SqlitePersister::in_memory().unwrap().with_retention(Retention::keep_last(10));
//! persister.initialize().unwrap();
//! let count = FnAction::new(["n"], ["n"], |s, _, _| {
//!     let n = s.get::<i64>("n").unwrap();
//!     Ok::<_, ActionError>(s.update("n", n + 1))
//! });
//! let mut app = ApplicationBuilder::new()
//!     .with_action("count", count)
//!     .with_transition("count", "count", expr("n < 20").unwrap())
//!     .with_state(state! { n: 0 })
//!     .with_entrypoint("count")
//!     .with_app_id("counter")
//!     .with_state_persister(persister.clone())
//!     .with_save_policy(SavePolicy::every_n_steps(5))
//!     .build()
//!     .unwrap();
//! app.run(Halt::default(), ()).unwrap();
//! // Saved: steps 0, 5, 10, 15 and 19 (where the run stopped); kept: 10, 15 and 19 (the last
//! // ten sequence ids).
//! assert_eq!(persister.load(None, "counter", None).unwrap().unwrap().sequence_id, 19);
//! assert!(persister.load(None, "counter", Some(10)).unwrap().is_some());
//! assert!(persister.load(None, "counter", Some(5)).unwrap().is_none());
//! # }
//! ```
//!
//! # Examples
//!
//! ```
//! # #[cfg(feature = "sqlite")] {
//! use burr_core::{PersistenceError, SaveRequest, State, StateLoader, StateSaver, Status};
//! use burr_tracking::SqlitePersister;
//!
//! let persister = SqlitePersister::in_memory().unwrap();
//! persister.initialize().unwrap();
//! let state = State::new().update("n", 1).with_sequence_id(0);
//! let step = || SaveRequest {
//!     partition_key: None,
//!     app_id: "app-1",
//!     sequence_id: 0,
//!     position: "count",
//!     state: &state,
//!     status: Status::Completed,
//! };
//! persister.save(step()).unwrap();
//! assert!(matches!(persister.save(step()), Err(PersistenceError::Duplicate(_))));
//! assert_eq!(persister.load(None, "app-1", None).unwrap().unwrap().state, state);
//! # }
//! ```
//!
//! [`PersistenceError::Duplicate`]: burr_core::PersistenceError::Duplicate
//! [`PersistenceError::Corrupt`]: burr_core::PersistenceError::Corrupt
//! [`PersistenceError::Backend`]: burr_core::PersistenceError::Backend

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use burr_core::{PersistenceError, State, Status};

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
mod journal;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
mod retention;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;

/// The future type of the async persister traits.
#[cfg_attr(not(any(feature = "postgres", feature = "redis")), allow(dead_code))]
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The partition key stored for an application without one (Apache Burr's default).
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::persist::DEFAULT_PARTITION_KEY, "");
/// ```
pub const DEFAULT_PARTITION_KEY: &str = "";

/// The table name used unless another one is chosen (Apache Burr's default).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// use burr_tracking::persist::{DEFAULT_TABLE_NAME, sqlite::SqlitePersister};
/// assert_eq!(SqlitePersister::in_memory().unwrap().table_name(), DEFAULT_TABLE_NAME);
/// # }
/// ```
pub const DEFAULT_TABLE_NAME: &str = "burr_state";

pub use retention::Retention;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql::InvalidTableName;

/// Names one stored step in error messages: `partition_key/app_id/sequence_id`.
pub(crate) struct RowName<'a> {
    pub(crate) partition_key: &'a str,
    pub(crate) app_id: &'a str,
    pub(crate) sequence_id: i128,
}

impl fmt::Display for RowName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "partition key {:?}, app id {:?}, sequence id {}",
            self.partition_key, self.app_id, self.sequence_id
        )
    }
}

/// Serializes a state to the JSON text stored in the database.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
    allow(dead_code)
)]
pub(crate) fn state_to_text(state: &State) -> Result<String, PersistenceError> {
    serde_json::to_string(state).map_err(PersistenceError::backend)
}

/// Parses the stored JSON text of a state; anything but a JSON object is corrupt.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
    allow(dead_code)
)]
pub(crate) fn state_from_text(text: &str, row: &RowName<'_>) -> Result<State, PersistenceError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| PersistenceError::Corrupt(format!("state of {row} is not valid JSON: {e}")))?;
    State::from_json(value).map_err(|e| PersistenceError::Corrupt(format!("state of {row}: {e}")))
}

/// Parses a stored status, naming the row when it is unknown.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "redis")),
    allow(dead_code)
)]
pub(crate) fn status_from_text(text: &str, row: &RowName<'_>) -> Result<Status, PersistenceError> {
    Status::parse(text).map_err(|e| match e {
        PersistenceError::Corrupt(msg) => PersistenceError::Corrupt(format!("{row}: {msg}")),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_state_text_is_corrupt_and_names_the_row() {
        let row = RowName {
            partition_key: "pk",
            app_id: "app",
            sequence_id: 3,
        };
        for text in ["[1, 2]", "{not json", "null", "\"s\""] {
            let err = state_from_text(text, &row).unwrap_err();
            assert!(matches!(err, PersistenceError::Corrupt(_)), "{err}");
            let msg = err.to_string();
            assert!(
                msg.contains("\"app\"") && msg.contains("sequence id 3"),
                "{msg}"
            );
        }
        let state = state_from_text(r#"{"n": 1, "__SEQUENCE_ID": 3}"#, &row).unwrap();
        assert_eq!(state.sequence_id(), Some(3));
    }

    #[test]
    fn unknown_status_is_corrupt_and_names_the_row() {
        let row = RowName {
            partition_key: "",
            app_id: "app",
            sequence_id: 0,
        };
        let msg = status_from_text("done", &row).unwrap_err().to_string();
        assert!(msg.contains("\"done\"") && msg.contains("\"app\""), "{msg}");
        assert_eq!(status_from_text("failed", &row).unwrap(), Status::Failed);
    }

    #[test]
    fn state_text_round_trips() {
        let state = State::new()
            .update("a", 1)
            .update("b", "x")
            .with_sequence_id(2)
            .with_prior_step("step");
        let text = state_to_text(&state).unwrap();
        let row = RowName {
            partition_key: "",
            app_id: "a",
            sequence_id: 2,
        };
        assert_eq!(state_from_text(&text, &row).unwrap(), state);
    }
}
