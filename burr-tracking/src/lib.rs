#![doc = include_str!("../README.md")]

pub mod client;
#[cfg(feature = "server")]
pub mod demo;
mod load;
pub mod model;
pub mod persist;
pub mod reader;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod store;

pub use client::LocalTrackingClient;
pub use load::{LoadError, LoadedState, TrackingLoader, default_root, load_state};

#[cfg(feature = "postgres")]
pub use persist::postgres::PostgresPersister;
#[cfg(feature = "redis")]
pub use persist::redis::RedisPersister;
#[cfg(feature = "sqlite")]
pub use persist::sqlite::SqlitePersister;
