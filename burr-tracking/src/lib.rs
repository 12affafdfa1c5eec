//! Tracking for burr.
