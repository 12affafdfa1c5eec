//! [`LogRecord`]: one line of `log.jsonl`, read by its `type` and written back in Burr's form.

use std::borrow::Cow;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::probe::{self, LineProbe};
use super::records::RecordKind;
use super::{
    AttributeModel, BeginEntryModel, BeginSpanModel, BeginStreamModel, EndEntryModel, EndSpanModel,
    EndStreamModel, FirstItemStreamModel, UnknownRecord, to_json_line,
};

/// One line of `log.jsonl`, dispatched on its `type`.
///
/// Serializing writes the inner record, `type` first. Reading dispatches on `type`; an
/// unknown `type` gives [`LogRecord::Unknown`], a known one whose other keys are invalid is an
/// error (Burr's server fails the same way).
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{EndSpanModel, LogRecord};
/// let r: LogRecord = serde_json::from_str(
///     r#"{"type":"end_span","end_time":"2024-08-27T11:57:10.764191","action_sequence_id":0,"span_id":"0:0","extra":1}"#,
/// ).unwrap();
/// assert_eq!(r.type_name(), "end_span");
/// assert_eq!(r.step_sequence_id(), Some(0));
/// // Unknown keys are dropped:
/// assert!(!r.to_json_line().contains("extra"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LogRecord {
    /// `begin_entry`.
    BeginEntry(BeginEntryModel),
    /// `end_entry`.
    EndEntry(EndEntryModel),
    /// `begin_span`.
    BeginSpan(BeginSpanModel),
    /// `end_span`.
    EndSpan(EndSpanModel),
    /// `attribute`.
    Attribute(AttributeModel),
    /// `begin_stream`.
    BeginStream(BeginStreamModel),
    /// `first_item_stream`.
    FirstItemStream(FirstItemStreamModel),
    /// `end_stream`.
    EndStream(EndStreamModel),
    /// Any other `type`.
    Unknown(UnknownRecord),
}

/// Why a log or children line could not be read.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{LogRecord, RecordError};
/// assert!(matches!(LogRecord::from_json_line(b"[1]"), Err(RecordError::NotAnObject)));
/// let err = LogRecord::from_json_line(br#"{"type":"end_span"}"#).unwrap_err();
/// assert!(err.to_string().contains("end_span"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The line is not JSON (a torn or blank line).
    #[error("not valid JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The line is JSON but not an object.
    #[error("not a JSON object")]
    NotAnObject,
    /// The object has no `type` key.
    #[error("record has no `type` key")]
    MissingType,
    /// The line is longer than the reader reads (see
    /// [`MAX_LINE`](crate::read::MAX_LINE)); it was passed over unread.
    #[error("line longer than {limit} bytes, not read")]
    TooLong {
        /// The budget, in bytes.
        limit: usize,
    },
    /// A known record kind with missing or wrongly typed keys.
    #[error("invalid `{kind}` record: {source}")]
    Invalid {
        /// The record's `type`.
        kind: String,
        /// What is wrong.
        #[source]
        source: serde_json::Error,
    },
}

impl RecordError {
    fn invalid(kind: RecordKind, source: serde_json::Error) -> Self {
        RecordError::Invalid {
            kind: kind.name().to_string(),
            source,
        }
    }
}

impl LogRecord {
    /// Reads one line (without or with its line ending). The bytes must be valid UTF-8; see
    /// [`crate::read::parse_log`] for a reader that replaces invalid bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::format::LogRecord;
    /// let r = LogRecord::from_json_line(
    ///     b"{\"type\":\"end_span\",\"end_time\":\"2024-08-27T11:57:10\",\"action_sequence_id\":\"0\",\"span_id\":\"0:0\"}\r\n",
    /// ).unwrap();
    /// assert_eq!(r.step_sequence_id(), Some(0));
    /// assert!(LogRecord::from_json_line(b"{\"type\":\"begin_entry\",\"start_ti").is_err());
    /// ```
    pub fn from_json_line(line: &[u8]) -> Result<Self, RecordError> {
        Self::from_line(line, std::str::from_utf8(line).ok())
    }

    /// Reads a record from a log line as Burr's server decodes it: bytes that are not UTF-8
    /// read as U+FFFD. The text is checked for UTF-8 once.
    pub(crate) fn from_lossy_line(line: &[u8]) -> Result<Self, RecordError> {
        match std::str::from_utf8(line) {
            Ok(text) => Self::from_line(line, Some(text)),
            Err(_) => {
                let text = String::from_utf8_lossy(line);
                Self::from_line(text.as_bytes(), Some(&text))
            }
        }
    }

    /// [`LogRecord::from_json_line`] of `line`, which is `text` when it is UTF-8.
    fn from_line(line: &[u8], text: Option<&str>) -> Result<Self, RecordError> {
        if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(match serde_json::from_slice::<de::IgnoredAny>(line) {
                Ok(_) => RecordError::NotAnObject,
                Err(e) => RecordError::NotJson(e),
            });
        }
        // Every writer puts `type` first: read it from the bytes when it is there, and parse
        // the line only once.
        let kind = match probe::leading_type(line).and_then(RecordKind::from_name) {
            Some(kind) => kind,
            None => {
                let probe = LineProbe::read(line).map_err(RecordError::NotJson)?;
                match probe.record_kind() {
                    Some(kind) => kind,
                    None if probe.has_type() => {
                        return serde_json::from_slice(line)
                            .map(|raw| LogRecord::Unknown(UnknownRecord { raw }))
                            .map_err(RecordError::NotJson);
                    }
                    None => return Err(RecordError::MissingType),
                }
            }
        };
        // Text checked to be UTF-8 is parsed without checking each string again.
        match text {
            Some(text) => Self::decode_all(kind, serde_json::Deserializer::from_str(text)),
            None => Self::decode_all(kind, serde_json::Deserializer::from_slice(line)),
        }
    }

    /// Reads a record of kind `kind` that is all the deserializer's input.
    fn decode_all<'de, R: serde_json::de::Read<'de>>(
        kind: RecordKind,
        mut deserializer: serde_json::Deserializer<R>,
    ) -> Result<Self, RecordError> {
        let record = Self::decode(kind, &mut deserializer)?;
        deserializer
            .end()
            .map_err(|source| RecordError::invalid(kind, source))?;
        Ok(record)
    }

    /// Reads a record from a JSON object already parsed.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::format::LogRecord;
    /// let v = serde_json::json!({"type": "end_span", "end_time": 1700000000,
    ///                            "action_sequence_id": 2, "span_id": "2:0"});
    /// let r = LogRecord::from_value(v).unwrap();
    /// assert!(r.to_json_line().contains("\"2023-11-14T22:13:20Z\""));
    /// ```
    pub fn from_value(value: Value) -> Result<Self, RecordError> {
        let Value::Object(map) = value else {
            return Err(RecordError::NotAnObject);
        };
        let kind = match map.get("type") {
            None => return Err(RecordError::MissingType),
            Some(Value::String(name)) => RecordKind::from_name(name),
            Some(_) => None,
        };
        match kind {
            Some(kind) => Self::decode(kind, Value::Object(map)),
            None => Ok(LogRecord::Unknown(UnknownRecord { raw: map })),
        }
    }

    /// Reads the rest of a record of a known kind.
    fn decode<'de, D>(kind: RecordKind, deserializer: D) -> Result<Self, RecordError>
    where
        D: Deserializer<'de, Error = serde_json::Error>,
    {
        let record = match kind {
            RecordKind::BeginEntry => Deserialize::deserialize(deserializer).map(Self::BeginEntry),
            RecordKind::EndEntry => Deserialize::deserialize(deserializer).map(Self::EndEntry),
            RecordKind::BeginSpan => Deserialize::deserialize(deserializer).map(Self::BeginSpan),
            RecordKind::EndSpan => Deserialize::deserialize(deserializer).map(Self::EndSpan),
            RecordKind::Attribute => Deserialize::deserialize(deserializer).map(Self::Attribute),
            RecordKind::BeginStream => {
                Deserialize::deserialize(deserializer).map(Self::BeginStream)
            }
            RecordKind::FirstItemStream => {
                Deserialize::deserialize(deserializer).map(Self::FirstItemStream)
            }
            RecordKind::EndStream => Deserialize::deserialize(deserializer).map(Self::EndStream),
        };
        record.map_err(|source| RecordError::invalid(kind, source))
    }

    /// The record's `type`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::format::{BeginEntryModel, LogRecord};
    /// assert_eq!(LogRecord::from_json_line(br#"{"type":"x"}"#).unwrap().type_name(), "x");
    /// ```
    pub fn type_name(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            LogRecord::BeginEntry(_) => "begin_entry",
            LogRecord::EndEntry(_) => "end_entry",
            LogRecord::BeginSpan(_) => "begin_span",
            LogRecord::EndSpan(_) => "end_span",
            LogRecord::Attribute(_) => "attribute",
            LogRecord::BeginStream(_) => "begin_stream",
            LogRecord::FirstItemStream(_) => "first_item_stream",
            LogRecord::EndStream(_) => "end_stream",
            LogRecord::Unknown(u) => return u.kind(),
        })
    }

    /// The sequence id of the step this record belongs to: `sequence_id` for entries,
    /// `action_sequence_id` for spans, attributes and stream events, and the top-level
    /// `sequence_id` of an unknown record if it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::format::LogRecord;
    /// let r = LogRecord::from_json_line(br#"{"type":"x"}"#).unwrap();
    /// assert_eq!(r.step_sequence_id(), None);
    /// ```
    pub fn step_sequence_id(&self) -> Option<u64> {
        Some(match self {
            LogRecord::BeginEntry(r) => r.sequence_id,
            LogRecord::EndEntry(r) => r.sequence_id,
            LogRecord::BeginSpan(r) => r.action_sequence_id,
            LogRecord::EndSpan(r) => r.action_sequence_id,
            LogRecord::Attribute(r) => r.action_sequence_id,
            LogRecord::BeginStream(r) => r.action_sequence_id,
            LogRecord::FirstItemStream(r) => r.action_sequence_id,
            LogRecord::EndStream(r) => r.action_sequence_id,
            LogRecord::Unknown(r) => return r.sequence_id(),
        })
    }

    /// The value of a top-level `sequence_id` key, which only entries (and possibly unknown
    /// records) have. Burr's step count is the last such value plus one.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::format::LogRecord;
    /// let span = LogRecord::from_json_line(
    ///     br#"{"type":"end_span","end_time":"2024-08-27T11:57:10","action_sequence_id":4,"span_id":"4:0"}"#,
    /// ).unwrap();
    /// assert_eq!(span.top_level_sequence_id(), None);
    /// ```
    pub fn top_level_sequence_id(&self) -> Option<u64> {
        match self {
            LogRecord::BeginEntry(r) => Some(r.sequence_id),
            LogRecord::EndEntry(r) => Some(r.sequence_id),
            LogRecord::Unknown(r) => r.sequence_id(),
            _ => None,
        }
    }

    /// The record as one log line: compact JSON in Burr's key order, then `"\n"`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::format::{AttributeModel, LogRecord};
    /// let a = AttributeModel {
    ///     key: "ratio".into(),
    ///     action_sequence_id: 0,
    ///     span_id: None,
    ///     value: serde_json::json!(1e16),
    ///     tags: Default::default(),
    ///     time_logged: None,
    /// };
    /// assert_eq!(
    ///     LogRecord::from(a).to_json_line(),
    ///     "{\"type\":\"attribute\",\"key\":\"ratio\",\"action_sequence_id\":0,\"span_id\":null,\"value\":1e+16,\"tags\":{},\"time_logged\":null}\n"
    /// );
    /// ```
    pub fn to_json_line(&self) -> String {
        to_json_line(self).unwrap_or_else(|e| {
            // Every record is a plain tree of strings, numbers and maps with string keys:
            // serializing it cannot fail. Keep a valid line even so.
            format!(
                "{{\"type\":\"serialization_error\",\"error\":{:?}}}\n",
                e.to_string()
            )
        })
    }
}

impl<'de> Deserialize<'de> for LogRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        LogRecord::from_value(value).map_err(de::Error::custom)
    }
}

macro_rules! record_from {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for LogRecord {
            fn from(r: $ty) -> Self {
                LogRecord::$variant(r)
            }
        }
    )*};
}

record_from!(
    BeginEntry(BeginEntryModel),
    EndEntry(EndEntryModel),
    BeginSpan(BeginSpanModel),
    EndSpan(EndSpanModel),
    Attribute(AttributeModel),
    BeginStream(BeginStreamModel),
    FirstItemStream(FirstItemStreamModel),
    EndStream(EndStreamModel),
    Unknown(UnknownRecord),
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Tags;

    #[test]
    fn records_without_type_or_with_bad_keys_are_errors() {
        assert!(matches!(
            LogRecord::from_json_line(br#"{"sequence_id":1}"#),
            Err(RecordError::MissingType)
        ));
        assert!(matches!(
            LogRecord::from_json_line(b""),
            Err(RecordError::NotJson(_))
        ));
        let bad_tags = br#"{"type":"attribute","key":"k","action_sequence_id":0,"span_id":null,"value":1,"tags":{"a":1}}"#;
        assert!(matches!(
            LogRecord::from_json_line(bad_tags),
            Err(RecordError::Invalid { .. })
        ));
        // A non-string type is an unknown record, as in Burr's server.
        let odd = LogRecord::from_json_line(br#"{"type":5,"sequence_id":"4"}"#).unwrap();
        assert_eq!(odd.top_level_sequence_id(), Some(4));
    }

    #[test]
    fn from_value_and_from_json_line_agree() {
        let line = br#"{"type":"attribute","key":"k","action_sequence_id":"2","span_id":null,"value":[1,{"x":null}],"tags":{"b":"1","a":"2"},"unknown":true}"#;
        let a = LogRecord::from_json_line(line).unwrap();
        let b = LogRecord::from_value(serde_json::from_slice(line).unwrap()).unwrap();
        let c: LogRecord = serde_json::from_slice(line).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(
            a.to_json_line(),
            "{\"type\":\"attribute\",\"key\":\"k\",\"action_sequence_id\":2,\"span_id\":null,\"value\":[1,{\"x\":null}],\"tags\":{\"b\":\"1\",\"a\":\"2\"},\"time_logged\":null}\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn attribute_values_round_trip(value in json_value()) {
            let record = LogRecord::from(AttributeModel {
                key: "k".into(),
                action_sequence_id: 0,
                span_id: None,
                value,
                tags: Tags::new(),
                time_logged: None,
            });
            let line = record.to_json_line();
            let back = LogRecord::from_json_line(line.as_bytes()).unwrap();
            proptest::prop_assert_eq!(&back, &record);
            proptest::prop_assert_eq!(back.to_json_line(), line);
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::vec(("[a-z_é]{0,6}", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }
}
