//! Tracking for burr.

pub mod model;
pub mod persist;
pub mod reader;

#[cfg(feature = "postgres")]
pub use persist::postgres::PostgresPersister;
#[cfg(feature = "redis")]
pub use persist::redis::RedisPersister;
#[cfg(feature = "sqlite")]
pub use persist::sqlite::SqlitePersister;
