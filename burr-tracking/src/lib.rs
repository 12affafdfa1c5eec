#![doc = include_str!("../README.md")]

pub mod client;
mod confined;
#[cfg(feature = "server")]
pub mod demo;
pub mod format;
pub mod layout;
#[cfg(feature = "object-store")]
pub mod object;
pub mod persist;
pub mod read;
#[cfg(feature = "server")]
pub mod server;

pub use client::LocalTrackingClient;
pub use layout::default_root;
pub use persist::Retention;
pub use read::{LoadError, LoadedState, TrackingLoader, load_state};

#[cfg(feature = "postgres")]
pub use persist::postgres::PostgresPersister;
#[cfg(feature = "redis")]
pub use persist::redis::RedisPersister;
#[cfg(feature = "sqlite")]
pub use persist::sqlite::SqlitePersister;

// The demo projects are written with `#[action]`, whose code names `::burr::__private`: inside
// this crate that path is the module below.
#[cfg(feature = "server")]
extern crate self as burr;

#[cfg(feature = "server")]
#[doc(hidden)]
pub mod __private {
    //! Not a stable API: what `#[action]` calls in the demo projects.
    pub use burr_core;
    pub use burr_core::IntoStepOutput;
    pub use serde_json;
}
