//! Tracking for burr.

pub mod persist;

#[cfg(feature = "postgres")]
pub use persist::postgres::PostgresPersister;
#[cfg(feature = "redis")]
pub use persist::redis::RedisPersister;
#[cfg(feature = "sqlite")]
pub use persist::sqlite::SqlitePersister;
