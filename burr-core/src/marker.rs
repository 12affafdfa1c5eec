//! The markers that let [`IntoHook`](crate::hooks::IntoHook),
//! [`IntoSaver`](crate::persistence::IntoSaver) and
//! [`IntoLoader`](crate::persistence::IntoLoader) accept sync and async values alike: the
//! compiler picks the one that fits, so a caller never names them.

/// A sync value.
#[derive(Debug)]
pub enum Sync {}
/// An async value.
#[derive(Debug)]
pub enum Async {}
/// A shared (`Arc`) sync value.
#[derive(Debug)]
pub enum SharedSync {}
/// A shared (`Arc`) async value.
#[derive(Debug)]
pub enum SharedAsync {}
/// A value already converted.
#[derive(Debug)]
pub enum Converted {}
