//! Tests of the line serializer against serde_json.

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::Value;

use super::*;

fn line<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut out = Vec::new();
    value.serialize(LineSerializer(&mut out))?;
    Ok(String::from_utf8(out).unwrap())
}

/// serde_json's compact output, which a log line matches except for floats.
fn compact<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

#[derive(Serialize)]
struct Bytes<'a>(#[serde(serialize_with = "as_bytes")] &'a [u8]);

fn as_bytes<S: ser::Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(bytes)
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Unit,
    Newtype(u8),
    Tuple(i8, char),
    Struct { a: Option<u128>, b: () },
}

#[derive(Serialize)]
struct Unit;

#[derive(Serialize)]
struct Pair(i128, &'static str);

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Name(&'static str);

/// Field names that are not written in one piece.
#[derive(Serialize)]
struct OddNames {
    #[serde(rename = "a \"quoted\"\tname")]
    quoted: u8,
    #[serde(rename = "a_name_longer_than_the_pieces_names_are_written_in_at_once_0123")]
    long: u8,
}

#[test]
fn every_serde_form_is_written_as_serde_json_writes_it() {
    let kinds = [
        Kind::Unit,
        Kind::Newtype(7),
        Kind::Tuple(-3, 'é'),
        Kind::Struct {
            a: Some(u128::MAX),
            b: (),
        },
        Kind::Struct { a: None, b: () },
    ];
    assert_eq!(line(&kinds).unwrap(), compact(&kinds));
    let odd = OddNames { quoted: 1, long: 2 };
    assert_eq!(line(&odd).unwrap(), compact(&odd));
    let mixed = (
        Unit,
        Pair(i128::MIN, "\u{0}\u{1f}\"\\/\u{7f}"),
        Bytes(&[0, 255]),
        [(); 0],
    );
    assert_eq!(line(&mixed).unwrap(), compact(&mixed));
    let keys = (
        BTreeMap::from([(i64::MIN, 1), (0, 2)]),
        BTreeMap::from([(u64::MAX, ())]),
        BTreeMap::from([(true, 'x'), (false, 'y')]),
        BTreeMap::from([('k', -1i8), ('\n', 1)]),
        BTreeMap::from([(Kind::Unit, 1u16)]),
        BTreeMap::from([(Name("a\"b"), Some(1u32))]),
        BTreeMap::from([(Some("opt"), 1i16)]),
    );
    assert_eq!(line(&keys).unwrap(), compact(&keys));
    for bad in [
        line(&BTreeMap::from([(Kind::Newtype(1), 1)])),
        line(&BTreeMap::from([((), 1)])),
        line(&BTreeMap::from([(vec![1], 1)])),
        line(&BTreeMap::from([(None::<&str>, 1)])),
    ] {
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("key must be a string")
        );
    }
}

#[test]
fn strings_of_every_length_are_written_as_serde_json_writes_them() {
    let letters = "abcdefghijklmnopqrstuvwxyzé0123456789";
    for len in 0..=letters.chars().count() {
        let plain: Vec<char> = letters.chars().take(len).collect();
        let text: String = plain.iter().collect();
        assert_eq!(line(&text).unwrap(), compact(&text));
        for at in 0..len {
            for escaped in ['"', '\\', '\n', '\u{1}', '\u{1f}'] {
                let mut chars = plain.clone();
                chars[at] = escaped;
                let text: String = chars.into_iter().collect();
                assert_eq!(line(&text).unwrap(), compact(&text));
            }
        }
    }
}

/// A map with float keys.
struct FloatKeys(&'static [(f64, u8)]);

impl Serialize for FloatKeys {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[test]
fn floats_are_printed_as_pydantic_prints_them() {
    assert_eq!(
        line(&(1e16, 0.25f32, 1e-6, f64::NAN, f64::NEG_INFINITY)).unwrap(),
        "[1e+16,0.25,1e-6,null,null]"
    );
    assert_eq!(line(&FloatKeys(&[(2.5, 1)])).unwrap(), r#"{"2.5":1}"#);
    assert!(line(&FloatKeys(&[(f64::NAN, 1)])).is_err());
}

/// JSON values without floats: any string (many with escapes, of every length the
/// string writer tells apart), integers at both ends, nesting.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[\u{0}-\u{21}\"\\\\a-z]{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn values_are_written_as_serde_json_writes_them(v in value()) {
        prop_assert_eq!(line(&v).unwrap(), compact(&v));
    }

    #[test]
    fn the_word_check_agrees_with_the_byte_check(
        bytes in prop::collection::vec(prop_oneof![any::<u8>(), 0x1eu8..0x24, 0x5bu8..0x5e], 0..40),
    ) {
        prop_assert_eq!(is_plain(&bytes), !bytes.iter().any(|&b| needs_escape(b)));
    }
}
