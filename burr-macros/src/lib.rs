//! Attribute macros of burr.
