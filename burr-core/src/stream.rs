//! Streaming actions: what a streaming action yields.

use std::pin::Pin;

use crate::action::{ResultMap, StepOutput};
use crate::error::ActionError;

/// One event of a streaming action: an intermediate item, or the final result and state.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// An intermediate item (a token, a partial result...).
    Item(ResultMap),
    /// The final result and the new state; the last event of a stream.
    Done(StepOutput),
}

/// The events of a running streaming action: an iterator (sync actions) or a stream (async).
pub enum ActionStream<'a> {
    /// Events produced by a sync action.
    Sync(Box<dyn Iterator<Item = Result<StreamEvent, ActionError>> + Send + 'a>),
    /// Events produced by an async action.
    Async(Pin<Box<dyn futures_core::Stream<Item = Result<StreamEvent, ActionError>> + Send + 'a>>),
}

impl std::fmt::Debug for ActionStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ActionStream::Sync(_) => "ActionStream::Sync",
            ActionStream::Async(_) => "ActionStream::Async",
        })
    }
}
