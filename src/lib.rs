//! burr: applications that make decisions, as state machines of small actions.
pub use burr_core::*;
