//! The sequence id of a `begin_entry` line, read without building its record: the step counts
//! of huge logs check every `begin_entry` line, and a record's inputs are a JSON map of owned
//! values.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

use super::Timestamp;
use super::records::RecordKind;
use super::scan::{decimal_u64, plain_string, top_level};

/// A `begin_entry` as [`BeginEntryModel`](super::BeginEntryModel) reads one, borrowing its
/// strings and skipping the content of its inputs.
#[derive(Deserialize)]
#[serde(tag = "type", rename = "begin_entry")]
struct BeginProbe<'a> {
    #[serde(borrow)]
    start_time: Cow<'a, str>,
    #[serde(borrow)]
    #[expect(dead_code, reason = "read only to check that it is a string")]
    action: Cow<'a, str>,
    #[expect(dead_code, reason = "read only to check that it is an object")]
    inputs: AnyObject,
    #[serde(deserialize_with = "super::lax::u64")]
    sequence_id: u64,
}

/// A JSON object, whatever it holds (read through, as a map of values would be, so that its
/// strings are checked as they would be decoded).
struct AnyObject;

impl<'de> Deserialize<'de> for AnyObject {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = AnyObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyObject, A::Error> {
                while map.next_entry::<AnyValue, AnyValue>()?.is_some() {}
                Ok(AnyObject)
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

/// Any JSON value, read through and dropped.
struct AnyValue;

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = AnyValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<AnyValue, E> {
                Ok(AnyValue)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<AnyValue, E> {
                Ok(AnyValue)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<AnyValue, E> {
                Ok(AnyValue)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<AnyValue, E> {
                Ok(AnyValue)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyValue, E> {
                Ok(AnyValue)
            }
            fn visit_unit<E: de::Error>(self) -> Result<AnyValue, E> {
                Ok(AnyValue)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyValue, A::Error> {
                while seq.next_element::<AnyValue>()?.is_some() {}
                Ok(AnyValue)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
                while map.next_entry::<AnyValue, AnyValue>()?.is_some() {}
                Ok(AnyValue)
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

/// The sequence id of `line` when it is a `begin_entry` whose start time is a timestamp
/// string: such a line reads as a [`LogRecord::BeginEntry`](super::LogRecord) with that
/// sequence id. `None` says nothing: the line may still read (a time given as a number, text
/// that is not UTF-8), which only the full parse decides.
pub(crate) fn begin_sequence_id(line: &[u8]) -> Option<u64> {
    scanned(line).or_else(|| parsed(line))
}

/// [`begin_sequence_id`] for the lines the strict scan takes (see [`super::scan`]), whose
/// start time is a string without escapes and whose sequence id is plain digits.
fn scanned(line: &[u8]) -> Option<u64> {
    let [kind, start_time, action, inputs, sequence_id] = top_level(
        line,
        [b"type", b"start_time", b"action", b"inputs", b"sequence_id"],
    )?;
    if kind? != br#""begin_entry""# || !action?.starts_with(b"\"") || !inputs?.starts_with(b"{") {
        return None;
    }
    if !Timestamp::reads_as_timestamp(plain_string(start_time?)?) {
        return None;
    }
    decimal_u64(sequence_id?)
}

/// [`begin_sequence_id`] by a parse that borrows what it can.
fn parsed(line: &[u8]) -> Option<u64> {
    // The probe's `type` tag takes any value: the line's kind is checked apart.
    let kind = match super::probe::leading_type(line) {
        Some(name) => RecordKind::from_name(name),
        None => super::LineProbe::read(line).ok()?.record_kind(),
    };
    if kind != Some(RecordKind::BeginEntry) {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_slice(line);
    let probe = BeginProbe::deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    probe.start_time.parse::<Timestamp>().ok()?;
    Some(probe.sequence_id)
}

#[cfg(test)]
mod tests {
    use super::begin_sequence_id;
    use crate::format::LogRecord;

    /// Whenever the probe gives a sequence id, the full parse reads the same `begin_entry`.
    #[test]
    fn agrees_with_the_full_parse() {
        let lines: &[&str] = &[
            r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"a","inputs":{},"sequence_id":0}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00.5","action":"a","inputs":{"x":{"y":[1,2,{"z":null}]},"__tracer":"t"},"sequence_id":12}"#,
            r#"{"sequence_id": 3, "inputs": {}, "action": "é", "start_time": "2024-01-01 00:00:00", "type": "begin_entry", "extra": 1}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:75","action":"a","inputs":{},"sequence_id":1}"#,
            r#"{"type":"begin_entry","start_time":"soon","action":"a","inputs":{},"sequence_id":1}"#,
            r#"{"type":"begin_entry","start_time":1700000000.5,"action":"a","inputs":{},"sequence_id":1}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":[],"sequence_id":1}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":1,"inputs":{},"sequence_id":1}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","inputs":{},"sequence_id":1}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":-1}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":2.0}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":"4"}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":1} x"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","action":"b","inputs":{},"sequence_id":1}"#,
            r#"{"type":"end_entry","end_time":"2024-01-01","action":"a","result":null,"exception":null,"state":{},"sequence_id":1}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a\u0000","inputs":{"k":"\ud83d\ude00"},"sequence_id":9}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{"k":"\ud800"},"sequence_id":9}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{"n":1e400},"sequence_id":9}"#,
            r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{"n":18446744073709551616},"sequence_id":9}"#,
            "not json",
            "",
        ];
        let deep = format!(
            r#"{{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{{"d":{}1{}}},"sequence_id":5}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let lines: Vec<&str> = lines.iter().copied().chain([deep.as_str()]).collect();
        for line in &lines {
            let full = match LogRecord::from_json_line(line.as_bytes()) {
                Ok(LogRecord::BeginEntry(entry)) => Some(entry.sequence_id),
                _ => None,
            };
            if let Some(seq) = begin_sequence_id(line.as_bytes()) {
                assert_eq!(Some(seq), full, "{line}");
            }
        }
        // Broken, torn and odd variants of them: the quick reading never disagrees.
        let mut mutations = crate::format::scan::Mutations::new(0x2545_F491_4F6C_DD1D);
        let alphabet = b"{}[]:,\\\"0123456789.-eE tn\xff";
        for round in 0..crate::format::scan::fuzz_rounds(20_000) {
            let line = mutations.mutate(lines[round % 3].as_bytes(), alphabet, 2);
            let full = match LogRecord::from_json_line(&line) {
                Ok(LogRecord::BeginEntry(entry)) => Some(entry.sequence_id),
                _ => None,
            };
            if let Some(seq) = begin_sequence_id(&line) {
                assert_eq!(Some(seq), full, "{}", String::from_utf8_lossy(&line));
            }
        }
        // The common shapes are read by the probe itself.
        assert_eq!(begin_sequence_id(lines[0].as_bytes()), Some(0));
        assert_eq!(begin_sequence_id(lines[1].as_bytes()), Some(12));
        assert_eq!(begin_sequence_id(lines[2].as_bytes()), Some(3));
    }
}
