//! Typed state: `#[derive(TypedState)]` and `#[action(state = S, ..)]`.
//!
//! The two macros never see each other's input, so they meet through types: the derive
//! implements `Field<N>` for each field, where `N` names the field as a tuple of
//! `C<'x'>` characters, and a typed action asks for `<S as Field<N>>::Type` for each field it
//! declares. A field the struct does not have is then an unsatisfied trait bound, reported
//! at the key the user wrote.

mod action;
mod action_expand;
mod derive;
mod derive_expand;
mod names;

pub(crate) use action::action;
pub(crate) use derive::derive;
