//! The one look at a log line that says where it belongs, taken without building the record:
//! its `type`, its top-level `sequence_id` and its `action_sequence_id`.
//!
//! Every reader of this crate that must place a line before (or instead of) reading it whole
//! uses it: reading a record ([`LogRecord`](super::LogRecord)), counting steps, loading a
//! step's state, and the server's index of a log. The probe reads the line as Burr's server
//! does: bytes that are not UTF-8 are replaced by U+FFFD, a `null` `type` is no `type`, and
//! when a key appears twice the last one counts (as in Python's `json`).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::lax_u64;
use super::records::RecordKind;
use super::scan::{plain_string, top_level};

/// The keys of a log line that decide where it belongs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineProbe<'a> {
    kind: TypeKey<'a>,
    sequence_id: Option<Value>,
    action_sequence_id: Option<Value>,
}

/// The `type` of a line.
#[derive(Debug, Clone, PartialEq)]
enum TypeKey<'a> {
    /// No `type` key, or a `null` one.
    Missing,
    /// A string.
    Name(Cow<'a, str>),
    /// Any other JSON value (Burr's server reads such a line as a record of no known kind).
    Other,
}

impl<'a> LineProbe<'a> {
    /// Probes one line (whitespace around it is allowed). A line that is not a JSON object is
    /// an error.
    pub(crate) fn read(line: &'a [u8]) -> Result<Self, serde_json::Error> {
        if let Some(probe) = Self::scan(line) {
            return Ok(probe);
        }
        serde_json::from_slice(line).or_else(|err| match std::str::from_utf8(line) {
            Ok(_) => Err(err),
            Err(_) => serde_json::from_str::<LineProbe<'_>>(&String::from_utf8_lossy(line))
                .map(LineProbe::into_owned),
        })
    }

    /// The probe of a line the strict scan takes (see [`super::scan`]): the same as
    /// `serde_json` gives, without building anything but the two ids.
    fn scan(line: &'a [u8]) -> Option<Self> {
        let [kind, sequence_id, action_sequence_id] =
            top_level(line, [b"type", b"sequence_id", b"action_sequence_id"])?;
        let kind = match kind {
            None | Some(b"null") => TypeKey::Missing,
            // A name with escapes is left to the parser, which unescapes it.
            Some(value @ [b'"', ..]) => {
                let name = plain_string(value)?;
                TypeKey::Name(Cow::Borrowed(std::str::from_utf8(name).ok()?))
            }
            Some(_) => TypeKey::Other,
        };
        let id = |v: Option<&[u8]>| v.map(serde_json::from_slice::<Value>).transpose().ok();
        Some(LineProbe {
            kind,
            sequence_id: id(sequence_id)?,
            action_sequence_id: id(action_sequence_id)?,
        })
    }

    fn into_owned(self) -> LineProbe<'static> {
        LineProbe {
            kind: match self.kind {
                TypeKey::Missing => TypeKey::Missing,
                TypeKey::Name(name) => TypeKey::Name(Cow::Owned(name.into_owned())),
                TypeKey::Other => TypeKey::Other,
            },
            sequence_id: self.sequence_id,
            action_sequence_id: self.action_sequence_id,
        }
    }

    /// Whether the line has a `type` (a `null` one does not count).
    pub(crate) fn has_type(&self) -> bool {
        self.kind != TypeKey::Missing
    }

    /// The record kind the line's `type` names, if it names a known one.
    pub(crate) fn record_kind(&self) -> Option<RecordKind> {
        match &self.kind {
            TypeKey::Name(name) => RecordKind::from_name(name),
            TypeKey::Missing | TypeKey::Other => None,
        }
    }

    /// The top-level `sequence_id`, when it holds an integer (read as Burr's server reads
    /// integers). Only entries have one; Burr's step count is the last one plus one.
    pub(crate) fn sequence_id(&self) -> Option<u64> {
        self.sequence_id.as_ref().and_then(lax_u64)
    }

    /// The step the line belongs to, as Burr's server groups lines into steps: an entry's
    /// `sequence_id`, the `action_sequence_id` of the other known kinds, none for a line of
    /// no known kind. (The server's index places raw lines by step; the object-store shipper
    /// names the steps an object holds.)
    #[cfg(any(feature = "server", feature = "object-store"))]
    pub(crate) fn step(&self) -> Option<u64> {
        match self.record_kind()? {
            kind if kind.is_entry() => self.sequence_id(),
            _ => self.action_sequence_id.as_ref().and_then(lax_u64),
        }
    }
}

/// The `type` of a line whose first key is `type` with a plain string value (what every
/// writer produces), read from the bytes without parsing the line; `None` for any other line.
pub(crate) fn leading_type(line: &[u8]) -> Option<&str> {
    let rest = line.strip_prefix(b"{\"type\":\"")?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    if rest[end] != b'"' {
        return None;
    }
    std::str::from_utf8(&rest[..end]).ok()
}

/// The keys the probe looks at.
enum Key {
    Type,
    SequenceId,
    ActionSequenceId,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "type" => Key::Type,
                    "sequence_id" => Key::SequenceId,
                    "action_sequence_id" => Key::ActionSequenceId,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for TypeKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TypeVisitor;
        impl<'de> Visitor<'de> for TypeVisitor {
            type Value = TypeKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(TypeKey::Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TypeKey::Name(Cow::Owned(v.to_owned())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TypeKey::Missing)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(TypeKey::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(TypeKey::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(TypeKey::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(TypeKey::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TypeKey::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TypeKey::Other)
            }
        }
        deserializer.deserialize_any(TypeVisitor)
    }
}

impl<'de> Deserialize<'de> for LineProbe<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ProbeVisitor;
        impl<'de> Visitor<'de> for ProbeVisitor {
            type Value = LineProbe<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut probe = LineProbe {
                    kind: TypeKey::Missing,
                    sequence_id: None,
                    action_sequence_id: None,
                };
                while let Some(key) = map.next_key()? {
                    match key {
                        Key::Type => probe.kind = map.next_value()?,
                        Key::SequenceId => probe.sequence_id = Some(map.next_value()?),
                        Key::ActionSequenceId => {
                            probe.action_sequence_id = Some(map.next_value()?);
                        }
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(probe)
            }
        }
        deserializer.deserialize_map(ProbeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(line: &str) -> LineProbe<'_> {
        LineProbe::read(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    #[test]
    fn lines_are_read_for_their_kind_and_sequence_id() {
        let begin = probe(r#"{"type":"begin_entry","sequence_id":"3","action_sequence_id":9}"#);
        assert_eq!(begin.record_kind(), Some(RecordKind::BeginEntry));
        assert_eq!(begin.sequence_id(), Some(3));
        let span = probe(r#" {"action_sequence_id":4.0,"type":"end_span"} "#);
        assert_eq!(span.sequence_id(), None);
        let unknown = probe(r#"{"type":"custom","sequence_id":7,"action_sequence_id":1}"#);
        assert_eq!(unknown.record_kind(), None);
        assert_eq!(unknown.sequence_id(), Some(7));
        let odd = probe(r#"{"type":{"a":[1]},"sequence_id":null}"#);
        assert!(odd.has_type() && odd.record_kind().is_none());
        assert_eq!(odd.sequence_id(), None);
    }

    #[cfg(feature = "server")]
    #[test]
    fn lines_are_placed_in_steps_as_burrs_server_groups_them() {
        let begin = probe(r#"{"type":"begin_entry","sequence_id":"3","action_sequence_id":9}"#);
        assert_eq!(begin.step(), Some(3));
        let span = probe(r#" {"action_sequence_id":4.0,"type":"end_span"} "#);
        assert_eq!(span.step(), Some(4));
        let unknown = probe(r#"{"type":"custom","sequence_id":7,"action_sequence_id":1}"#);
        assert_eq!(unknown.step(), None);
    }

    #[test]
    fn a_missing_or_null_type_is_no_type() {
        assert!(!probe(r#"{"sequence_id":1}"#).has_type());
        assert!(!probe(r#"{"type":null}"#).has_type());
        // The last of two keys counts, as in Python's `json`.
        let twice = probe(r#"{"type":null,"type":"end_entry","sequence_id":1,"sequence_id":2}"#);
        assert_eq!(twice.record_kind(), Some(RecordKind::EndEntry));
        assert_eq!(twice.sequence_id(), Some(2));
    }

    #[test]
    fn escaped_keys_and_invalid_utf8_read_as_burr_reads_them() {
        let escaped = probe(r#"{"\u0074ype":"end\u005fentry","sequence_id":5}"#);
        assert_eq!(escaped.record_kind(), Some(RecordKind::EndEntry));
        let bytes = b"{\"type\":\"end_entry\",\"note\":\"\xff\",\"sequence_id\":6}";
        assert_eq!(LineProbe::read(bytes).unwrap().sequence_id(), Some(6));
        let bad_type = b"{\"type\":\"end_entry\xff\"}";
        assert!(LineProbe::read(bad_type).unwrap().record_kind().is_none());
    }

    /// The strict scan and the parser agree on every line the scan takes: lines as writers
    /// write them, and a great many broken, torn or odd variants of them.
    #[test]
    fn the_scan_reads_lines_as_the_parser_does() {
        use crate::format::scan::{Mutations, fuzz_rounds};
        let seeds: [&[u8]; 6] = [
            br#"{"type":"begin_entry","start_time":"2026-11-22T10:00:01.000001","action":"think","inputs":{"step":1},"sequence_id":1}"#,
            br#"{"type":"attribute","key":"tokens","action_sequence_id":3,"span_id":"3:0","value":{"prompt":12,"completion":17.5,"list":[true,false,null,-0.25,"\u00e9\n"]},"tags":{},"time_logged":"2026-11-22T10:00:01Z"}"#,
            br#"{"type":"end_entry","end_time":"2026-11-22T10:00:01","action":"act","result":{},"exception":null,"state":{"sequence_id":9,"type":"x","__SEQUENCE_ID":4},"sequence_id":"4"}"#,
            b" {\"type\" : null , \"sequence_id\" : 4.0, \"type\":\"end_span\",\"action_sequence_id\":[1]}\r\n",
            "{\"type\":\"\u{e9}t\u{e9}\",\"note\":\"\u{1f600}\",\"sequence_id\":18446744073709551615}".as_bytes(),
            br#"{"type":{"a":[1,{"b":"c"}]},"sequence_id":-3,"action_sequence_id":"x"}"#,
        ];
        let alphabet = b"{}[]:,\\\"0123456789.-+eEtrufalsn \t\n\x01\xc3\xa9\xff";
        let mut mutations = Mutations::new(0x9E37_79B9_7F4A_7C15);
        let mut taken = 0;
        for round in 0..fuzz_rounds(40_000) {
            let line = mutations.mutate(seeds[round % seeds.len()], alphabet, 3);
            let parsed: Result<LineProbe<'_>, _> = serde_json::from_slice(&line);
            if let Some(scanned) = LineProbe::scan(&line) {
                taken += 1;
                assert_eq!(
                    Some(scanned),
                    parsed.ok(),
                    "{}",
                    String::from_utf8_lossy(&line)
                );
            }
        }
        for seed in seeds {
            if let Some(scanned) = LineProbe::scan(seed) {
                assert_eq!(Some(scanned), serde_json::from_slice(seed).ok());
            }
        }
        // Lines as writers write them are all taken.
        assert!(
            seeds[..3]
                .iter()
                .all(|seed| LineProbe::scan(seed).is_some())
        );
        assert!(taken > 1_000, "the scan took only {taken} lines");
    }

    #[test]
    fn lines_that_are_not_objects_are_errors() {
        for line in ["", "[1]", "5", "\"x\"", "{\"type\":", "{} {}"] {
            assert!(LineProbe::read(line.as_bytes()).is_err(), "{line:?}");
        }
    }

    #[test]
    fn the_leading_type_is_read_from_the_bytes() {
        assert_eq!(
            leading_type(br#"{"type":"end_span","x":1}"#),
            Some("end_span")
        );
        assert_eq!(leading_type(br#"{"type":"end\u005fspan"}"#), None);
        assert_eq!(leading_type(br#"{ "type":"end_span"}"#), None);
        assert_eq!(leading_type(br#"{"type":5}"#), None);
        assert_eq!(leading_type(br#"{"type":"torn"#), None);
    }
}
