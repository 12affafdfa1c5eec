//! The journal of a step in progress: the results an action journaled with
//! [`ActionContext::durable`](crate::ActionContext::durable), saved as each one is made, so
//! that the step run again after a crash (or after it failed, from a fresh process) replays
//! them instead of repeating the side effects.

use serde_json::Value;

/// One journaled result, as a saver receives it and a loader returns it.
///
/// A step's entries are numbered from 0 in call order; saving an entry again (same partition
/// key, app id, sequence id and index) replaces it, since a re-run that reaches the same
/// place journals the same call.
///
/// # Examples
///
/// ```
/// use burr_core::persistence::JournalEntry;
/// let entry = JournalEntry {
///     partition_key: None,
///     app_id: "app-1".into(),
///     sequence_id: 4,
///     position: "notify".into(),
///     index: 0,
///     key: "send-email".into(),
///     value: serde_json::json!({"message_id": "m-1"}),
/// };
/// assert_eq!(entry.key, "send-email");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    /// The partition key, if any.
    pub partition_key: Option<String>,
    /// The application id.
    pub app_id: String,
    /// The sequence id of the step that journaled it.
    pub sequence_id: u64,
    /// The step's action.
    pub position: String,
    /// Its place among the step's journaled results (0 for the first).
    pub index: usize,
    /// The key the action gave.
    pub key: String,
    /// The result.
    pub value: Value,
}
