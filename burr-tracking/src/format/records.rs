//! The records of `log.jsonl`, one type per `type`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::lax;
use super::{JsonObject, Tags, Timestamp};

/// The known values of a record's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordKind {
    BeginEntry,
    EndEntry,
    BeginSpan,
    EndSpan,
    Attribute,
    BeginStream,
    FirstItemStream,
    EndStream,
}

impl RecordKind {
    const ALL: [RecordKind; 8] = [
        RecordKind::BeginEntry,
        RecordKind::EndEntry,
        RecordKind::BeginSpan,
        RecordKind::EndSpan,
        RecordKind::Attribute,
        RecordKind::BeginStream,
        RecordKind::FirstItemStream,
        RecordKind::EndStream,
    ];

    /// The kind a `type` names, if it names a known one.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The `type` of records of this kind.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RecordKind::BeginEntry => "begin_entry",
            RecordKind::EndEntry => "end_entry",
            RecordKind::BeginSpan => "begin_span",
            RecordKind::EndSpan => "end_span",
            RecordKind::Attribute => "attribute",
            RecordKind::BeginStream => "begin_stream",
            RecordKind::FirstItemStream => "first_item_stream",
            RecordKind::EndStream => "end_stream",
        }
    }

    /// Whether records of this kind name their step with a top-level `sequence_id` (entries)
    /// rather than an `action_sequence_id`.
    #[cfg(feature = "server")]
    pub(crate) fn is_entry(self) -> bool {
        matches!(self, RecordKind::BeginEntry | RecordKind::EndEntry)
    }
}

/// A `begin_entry` line: a step started.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{BeginEntryModel, LogRecord};
/// let b = BeginEntryModel {
///     start_time: "2024-08-27T11:59:58.569978".parse().unwrap(),
///     action: "result".into(),
///     inputs: Default::default(),
///     sequence_id: 1,
/// };
/// assert_eq!(
///     serde_json::to_string(&b).unwrap(),
///     r#"{"type":"begin_entry","start_time":"2024-08-27T11:59:58.569978","action":"result","inputs":{},"sequence_id":1}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename = "begin_entry")]
pub struct BeginEntryModel {
    /// When the step started (naive local time).
    pub start_time: Timestamp,
    /// The action's name.
    pub action: String,
    /// The inputs the action declared, serialized (`__tracer` left out).
    pub inputs: JsonObject,
    /// The step's sequence id.
    #[serde(deserialize_with = "lax::u64")]
    pub sequence_id: u64,
}

/// An `end_entry` line: a step finished, successfully or not.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::EndEntryModel;
/// let e: EndEntryModel = serde_json::from_str(
///     r#"{"type":"end_entry","end_time":"2024-08-27T11:59:58.569778","action":"counter","result":{},"exception":null,"state":{"counter":1,"__SEQUENCE_ID":0},"sequence_id":0}"#,
/// ).unwrap();
/// assert!(e.succeeded());
/// assert_eq!(e.state["counter"], 1);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename = "end_entry")]
pub struct EndEntryModel {
    /// When the step finished (naive local time).
    pub end_time: Timestamp,
    /// The action's name.
    pub action: String,
    /// The action's result (`{}` for actions that return only state, null on failure).
    pub result: Option<JsonObject>,
    /// The formatted traceback when the step failed, else null.
    pub exception: Option<String>,
    /// The full state after the step (before it, on failure), runtime keys included.
    pub state: JsonObject,
    /// The step's sequence id.
    #[serde(deserialize_with = "lax::u64")]
    pub sequence_id: u64,
}

impl EndEntryModel {
    /// Whether the step completed (its `exception` is null).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::format::EndEntryModel;
    /// let e = EndEntryModel {
    ///     end_time: burr_tracking::format::Timestamp::now_local(),
    ///     action: "boom".into(),
    ///     result: None,
    ///     exception: Some("RuntimeError: kaboom\n".into()),
    ///     state: Default::default(),
    ///     sequence_id: 3,
    /// };
    /// assert!(!e.succeeded());
    /// ```
    pub fn succeeded(&self) -> bool {
        self.exception.is_none()
    }
}

/// A `begin_span` line: a span opened inside a step.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::BeginSpanModel;
/// let s: BeginSpanModel = serde_json::from_str(
///     r#"{"type":"begin_span","start_time":"2024-08-27T11:58:44.913348","action_sequence_id":4,"span_id":"4:0.0.0","span_name":"safe","parent_span_id":"4:0.0","span_dependencies":[]}"#,
/// ).unwrap();
/// assert_eq!(s.parent_span_id.as_deref(), Some("4:0.0"));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename = "begin_span")]
pub struct BeginSpanModel {
    /// When the span opened (naive local time).
    pub start_time: Timestamp,
    /// The sequence id of the step the span belongs to.
    #[serde(deserialize_with = "lax::u64")]
    pub action_sequence_id: u64,
    /// The span's id, `"{step}:{i}.{j}..."`.
    pub span_id: String,
    /// The span's name.
    pub span_name: String,
    /// The enclosing span's id, or null for a top-level span.
    pub parent_span_id: Option<String>,
    /// Names the user declared this span depends on.
    pub span_dependencies: Vec<String>,
}

/// An `end_span` line: a span closed.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::EndSpanModel;
/// let s: EndSpanModel = serde_json::from_str(
///     r#"{"type":"end_span","end_time":"2024-08-27T11:57:10.764191","action_sequence_id":0,"span_id":"0:0"}"#,
/// ).unwrap();
/// assert_eq!(s.span_id, "0:0");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename = "end_span")]
pub struct EndSpanModel {
    /// When the span closed (naive local time).
    pub end_time: Timestamp,
    /// The sequence id of the step the span belongs to.
    #[serde(deserialize_with = "lax::u64")]
    pub action_sequence_id: u64,
    /// The span's id.
    pub span_id: String,
}

/// An `attribute` line: one key logged by an action or inside a span.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::AttributeModel;
/// let a: AttributeModel = serde_json::from_str(
///     r#"{"type":"attribute","key":"model","action_sequence_id":3,"span_id":"3:0","value":"dall-e-2","tags":{},"time_logged":"2024-08-27T18:58:44.913192Z"}"#,
/// ).unwrap();
/// assert_eq!(a.value, "dall-e-2");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename = "attribute")]
pub struct AttributeModel {
    /// The attribute's name.
    pub key: String,
    /// The sequence id of the step it was logged in.
    #[serde(deserialize_with = "lax::u64")]
    pub action_sequence_id: u64,
    /// The span it was logged in, or null for an action-level attribute.
    pub span_id: Option<String>,
    /// Any JSON value.
    pub value: Value,
    /// String tags (Burr writes `{}`).
    pub tags: Tags,
    /// When it was logged (UTC).
    #[serde(default)]
    pub time_logged: Option<Timestamp>,
}

/// A `begin_stream` line: a streaming action started streaming.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::BeginStreamModel;
/// let s = BeginStreamModel {
///     action_sequence_id: 6,
///     span_id: None,
///     stream_init_time: "2026-11-22T00:29:44.278111Z".parse().unwrap(),
/// };
/// assert_eq!(
///     serde_json::to_string(&s).unwrap(),
///     r#"{"type":"begin_stream","action_sequence_id":6,"span_id":null,"stream_init_time":"2026-11-22T00:29:44.278111Z"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "begin_stream")]
pub struct BeginStreamModel {
    /// The sequence id of the streaming step.
    #[serde(deserialize_with = "lax::u64")]
    pub action_sequence_id: u64,
    /// Always null in Burr's logs.
    pub span_id: Option<String>,
    /// When the stream started (UTC).
    pub stream_init_time: Timestamp,
}

/// A `first_item_stream` line: the first item of a stream arrived.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::FirstItemStreamModel;
/// let s: FirstItemStreamModel = serde_json::from_str(
///     r#"{"type":"first_item_stream","action_sequence_id":6,"span_id":null,"first_item_time":"2026-11-22T00:29:44.278174Z"}"#,
/// ).unwrap();
/// assert_eq!(s.action_sequence_id, 6);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "first_item_stream")]
pub struct FirstItemStreamModel {
    /// The sequence id of the streaming step.
    #[serde(deserialize_with = "lax::u64")]
    pub action_sequence_id: u64,
    /// Always null in Burr's logs.
    pub span_id: Option<String>,
    /// When the first item arrived (UTC).
    pub first_item_time: Timestamp,
}

/// An `end_stream` line: a stream finished (written after the step's `end_entry`).
///
/// # Examples
///
/// ```
/// use burr_tracking::format::EndStreamModel;
/// let s: EndStreamModel = serde_json::from_str(
///     r#"{"type":"end_stream","action_sequence_id":6,"span_id":null,"end_time":"2026-11-22T00:29:44.278353Z","items_streamed":3}"#,
/// ).unwrap();
/// assert_eq!(s.items_streamed, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "end_stream")]
pub struct EndStreamModel {
    /// The sequence id of the streaming step.
    #[serde(deserialize_with = "lax::u64")]
    pub action_sequence_id: u64,
    /// Always null in Burr's logs.
    pub span_id: Option<String>,
    /// When the stream finished (UTC).
    pub end_time: Timestamp,
    /// How many items were streamed.
    #[serde(deserialize_with = "lax::u64")]
    pub items_streamed: u64,
}

/// A log line whose `type` is none of the known kinds. Burr's server ignores such lines
/// when it builds steps, but counts their `sequence_id` (if any) for the number of steps.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::LogRecord;
/// let r = LogRecord::from_json_line(br#"{"type":"custom","sequence_id":99}"#).unwrap();
/// let LogRecord::Unknown(u) = &r else { unreachable!() };
/// assert_eq!(u.kind(), "custom");
/// assert_eq!(u.sequence_id(), Some(99));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnknownRecord {
    /// The whole JSON object, as read.
    pub raw: JsonObject,
}

impl UnknownRecord {
    /// The record's `type`, as text (JSON text when it is not a string).
    ///
    /// # Examples
    ///
    /// ```
    /// let r = burr_tracking::format::UnknownRecord {
    ///     raw: serde_json::json!({"type": 5}).as_object().unwrap().clone(),
    /// };
    /// assert_eq!(r.kind(), "5");
    /// ```
    pub fn kind(&self) -> Cow<'_, str> {
        match self.raw.get("type") {
            Some(Value::String(s)) => Cow::Borrowed(s),
            Some(other) => Cow::Owned(other.to_string()),
            None => Cow::Borrowed(""),
        }
    }

    /// The record's top-level `sequence_id`, read as a lax integer.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = burr_tracking::format::UnknownRecord {
    ///     raw: serde_json::json!({"type": "x", "sequence_id": "7"}).as_object().unwrap().clone(),
    /// };
    /// assert_eq!(r.sequence_id(), Some(7));
    /// ```
    pub fn sequence_id(&self) -> Option<u64> {
        self.raw.get("sequence_id").and_then(lax::lax_u64)
    }
}

// ------------------------------------------------------------------------------------ writing
//
// The records a step writes most often, borrowed from what the writer holds (a step's state
// and inputs, a span's ids, an attribute's value), so that they are serialized straight into
// the line. Each is the one serialization of its kind: the owned record above writes itself
// through it too.

/// How a `begin_entry` line is written; `I` is the inputs' type.
#[derive(Serialize)]
#[serde(tag = "type", rename = "begin_entry")]
pub(crate) struct BeginEntryLine<'a, I = JsonObject> {
    pub(crate) start_time: Timestamp,
    pub(crate) action: &'a str,
    pub(crate) inputs: &'a I,
    pub(crate) sequence_id: u64,
}

/// How an `end_entry` line is written; `S` is the state's type.
#[derive(Serialize)]
#[serde(tag = "type", rename = "end_entry")]
pub(crate) struct EndEntryLine<'a, S = JsonObject> {
    pub(crate) end_time: Timestamp,
    pub(crate) action: &'a str,
    pub(crate) result: Option<&'a JsonObject>,
    pub(crate) exception: Option<&'a str>,
    pub(crate) state: &'a S,
    pub(crate) sequence_id: u64,
}

/// How a `begin_span` line is written.
#[derive(Serialize)]
#[serde(tag = "type", rename = "begin_span")]
pub(crate) struct BeginSpanLine<'a> {
    pub(crate) start_time: Timestamp,
    pub(crate) action_sequence_id: u64,
    pub(crate) span_id: &'a str,
    pub(crate) span_name: &'a str,
    pub(crate) parent_span_id: Option<&'a str>,
    pub(crate) span_dependencies: &'a [String],
}

/// How an `end_span` line is written.
#[derive(Serialize)]
#[serde(tag = "type", rename = "end_span")]
pub(crate) struct EndSpanLine<'a> {
    pub(crate) end_time: Timestamp,
    pub(crate) action_sequence_id: u64,
    pub(crate) span_id: &'a str,
}

/// How an `attribute` line is written; `T` is the tags' type.
#[derive(Serialize)]
#[serde(tag = "type", rename = "attribute")]
pub(crate) struct AttributeLine<'a, T = Tags> {
    pub(crate) key: &'a str,
    pub(crate) action_sequence_id: u64,
    pub(crate) span_id: Option<&'a str>,
    pub(crate) value: &'a Value,
    pub(crate) tags: &'a T,
    pub(crate) time_logged: Option<Timestamp>,
}

impl Serialize for BeginEntryModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        BeginEntryLine {
            start_time: self.start_time,
            action: &self.action,
            inputs: &self.inputs,
            sequence_id: self.sequence_id,
        }
        .serialize(serializer)
    }
}

impl Serialize for EndEntryModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EndEntryLine {
            end_time: self.end_time,
            action: &self.action,
            result: self.result.as_ref(),
            exception: self.exception.as_deref(),
            state: &self.state,
            sequence_id: self.sequence_id,
        }
        .serialize(serializer)
    }
}

impl Serialize for BeginSpanModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        BeginSpanLine {
            start_time: self.start_time,
            action_sequence_id: self.action_sequence_id,
            span_id: &self.span_id,
            span_name: &self.span_name,
            parent_span_id: self.parent_span_id.as_deref(),
            span_dependencies: &self.span_dependencies,
        }
        .serialize(serializer)
    }
}

impl Serialize for EndSpanModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EndSpanLine {
            end_time: self.end_time,
            action_sequence_id: self.action_sequence_id,
            span_id: &self.span_id,
        }
        .serialize(serializer)
    }
}

impl Serialize for AttributeModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        AttributeLine {
            key: &self.key,
            action_sequence_id: self.action_sequence_id,
            span_id: self.span_id.as_deref(),
            value: &self.value,
            tags: &self.tags,
            time_logged: self.time_logged,
        }
        .serialize(serializer)
    }
}
