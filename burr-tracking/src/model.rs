//! The typed records of the tracking directory, in Apache Burr's on-disk format.
//!
//! A tracked application lives in `<root>/<project>/<app_id>/` and is made of four files:
//!
//! | file | content | type here |
//! |---|---|---|
//! | `graph.json` | the application's actions and transitions | [`ApplicationModel`] |
//! | `metadata.json` | partition key, fork and spawn parents | [`ApplicationMetadataModel`] |
//! | `log.jsonl` | one event per line, appended as the application runs | [`LogRecord`] |
//! | `children.jsonl` | one line per fork or spawned child (in the parent's directory) | [`ChildApplicationModel`] |
//!
//! Every record serializes with its `type` key first and its other keys in Burr's order; keys
//! that Burr requires but allows to be null (`result`, `exception`, `parent_span_id`,
//! `span_id`, ...) are written as `null`, never left out.
//!
//! Reading follows Burr's tracking server (pydantic in lax mode): unknown keys are ignored,
//! integers may be written as `"3"` or `3.0` (but `1.5` is rejected), timestamps may take any
//! of the forms [`Timestamp`] accepts, and a key that may be null may also be absent. A key
//! that must hold a value (`state`, `action`, `span_dependencies`, `tags`, ...) must be
//! present, or the record is rejected.
//!
//! Two output styles exist, as in Burr:
//! - log lines ([`LogRecord::to_json_line`], [`to_json_line`]): compact JSON, raw UTF-8,
//!   floats as pydantic prints them, NaN and infinities as `null`, ending in `"\n"`;
//! - `graph.json` and `metadata.json` ([`to_python_json`]): Python's `json.dump` layout, with
//!   `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`, and no trailing newline.
//!
//! # Examples
//!
//! ```
//! use burr_tracking::model::{BeginEntryModel, LogRecord, Timestamp};
//!
//! let line = r#"{"type":"begin_entry","start_time":"2024-08-27T11:59:58.569978","action":"result","inputs":{},"sequence_id":1}"#;
//! let record = LogRecord::from_json_line(line.as_bytes())?;
//! let LogRecord::BeginEntry(begin) = &record else { unreachable!() };
//! assert_eq!(begin.action, "result");
//! assert_eq!(record.to_json_line(), format!("{line}\n"));
//!
//! let begin = BeginEntryModel {
//!     start_time: "2024-01-02T03:04:05".parse()?,
//!     action: "count".into(),
//!     inputs: Default::default(),
//!     sequence_id: 0,
//! };
//! assert_eq!(
//!     LogRecord::from(begin).to_json_line(),
//!     "{\"type\":\"begin_entry\",\"start_time\":\"2024-01-02T03:04:05\",\"action\":\"count\",\"inputs\":{},\"sequence_id\":0}\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use indexmap::IndexMap;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// A JSON object, keys in file order (`inputs`, `state`, `result`).
///
/// # Examples
///
/// ```
/// let state: burr_tracking::model::JsonObject =
///     serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
/// assert_eq!(state.keys().collect::<Vec<_>>(), ["b", "a"]);
/// ```
pub type JsonObject = Map<String, Value>;

/// The `tags` of an attribute: string keys to string values, in file order.
///
/// # Examples
///
/// ```
/// let mut tags = burr_tracking::model::Tags::new();
/// tags.insert("env".into(), "prod".into());
/// assert_eq!(serde_json::to_string(&tags).unwrap(), r#"{"env":"prod"}"#);
/// ```
pub type Tags = IndexMap<String, String>;

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

/// The zone part of a [`Timestamp`], kept so that a timestamp is written back in the form it
/// was read.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{Timestamp, Zone};
/// let t: Timestamp = "2024-08-27T18:58:44.913192Z".parse().unwrap();
/// assert_eq!(t.zone(), Zone::Utc);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// No zone: a wall-clock time (Burr's local `datetime.now()`), written without suffix.
    Naive,
    /// UTC, written with a `Z` suffix (a `+00:00` offset reads as this too).
    Utc,
    /// A fixed non-zero offset, written as `+HH:MM` / `-HH:MM`.
    Offset(FixedOffset),
}

/// A point in time as Burr's files hold it: a date and time to the microsecond, naive or with
/// a zone.
///
/// Burr writes two forms in the same log: naive local time for steps, spans and child events
/// (`2024-08-27T11:59:58.577318`, from [`Timestamp::now_local`]) and UTC with `Z` for
/// attributes and stream events (`2024-08-27T18:58:44.913192Z`, from
/// [`Timestamp::now_utc`]). The fraction has six digits and is left out when it is zero.
///
/// Parsing accepts what Burr's server accepts: `T`, `t` or a space between date and time,
/// a missing seconds field, a date alone (midnight), `.` or `,` before up to six fraction
/// digits (more are truncated), `Z`, `+HH:MM` or `+HHMM` offsets, and epoch numbers (as JSON
/// numbers or digit strings; seconds, or milliseconds above 2×10¹⁰), which read as UTC.
/// Displaying or serializing echoes the parsed form: naive stays naive.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::Timestamp;
///
/// let naive: Timestamp = "2024-01-01 00:00:00".parse().unwrap();
/// assert_eq!(naive.to_string(), "2024-01-01T00:00:00");
/// let aware: Timestamp = "2024-08-27T11:59:58.5+00:00".parse().unwrap();
/// assert_eq!(aware.to_string(), "2024-08-27T11:59:58.500000Z");
/// let epoch: Timestamp = serde_json::from_str("1700000000.5").unwrap();
/// assert_eq!(epoch.to_string(), "2023-11-14T22:13:20.500000Z");
/// assert!("2024-13-01".parse::<Timestamp>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    datetime: NaiveDateTime,
    zone: Zone,
}

/// A timestamp that could not be read.
///
/// # Examples
///
/// ```
/// let err = "yesterday".parse::<burr_tracking::model::Timestamp>().unwrap_err();
/// assert!(err.to_string().contains("yesterday"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {input:?}: {reason}")]
pub struct TimestampError {
    input: String,
    reason: &'static str,
}

impl TimestampError {
    fn new(input: impl fmt::Display, reason: &'static str) -> Self {
        let mut input = input.to_string();
        if input.len() > 80 {
            let mut cut = 80;
            while !input.is_char_boundary(cut) {
                cut -= 1;
            }
            input.truncate(cut);
            input.push('…');
        }
        TimestampError { input, reason }
    }
}

fn truncate_to_micros(t: NaiveDateTime) -> NaiveDateTime {
    let nanos = t.nanosecond() % 1_000_000_000;
    t.with_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

impl Timestamp {
    /// The current local wall-clock time, naive: what Burr writes for steps, spans and child
    /// events.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::model::{Timestamp, Zone};
    /// assert_eq!(Timestamp::now_local().zone(), Zone::Naive);
    /// ```
    pub fn now_local() -> Self {
        Timestamp::naive(Local::now().naive_local())
    }

    /// The current time in UTC: what Burr writes for attributes and stream events.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_tracking::model::Timestamp::now_utc().to_string().ends_with('Z'));
    /// ```
    pub fn now_utc() -> Self {
        Timestamp::utc(Utc::now())
    }

    /// A naive timestamp (no zone), truncated to the microsecond.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let t = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap();
    /// let ts = burr_tracking::model::Timestamp::naive(t);
    /// assert_eq!(ts.to_string(), "2024-01-02T03:04:05");
    /// ```
    pub fn naive(datetime: NaiveDateTime) -> Self {
        Timestamp {
            datetime: truncate_to_micros(datetime),
            zone: Zone::Naive,
        }
    }

    /// A UTC timestamp, truncated to the microsecond.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    /// let ts = burr_tracking::model::Timestamp::utc(t);
    /// assert_eq!(ts.to_string(), "2023-11-14T22:13:20Z");
    /// ```
    pub fn utc(datetime: DateTime<Utc>) -> Self {
        Timestamp {
            datetime: truncate_to_micros(datetime.naive_utc()),
            zone: Zone::Utc,
        }
    }

    /// A timestamp with a fixed offset (a zero offset becomes [`Zone::Utc`]), truncated to the
    /// microsecond.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::{FixedOffset, TimeZone};
    /// let tz = FixedOffset::east_opt(2 * 3600).unwrap();
    /// let ts = burr_tracking::model::Timestamp::with_offset(
    ///     tz.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap(),
    /// );
    /// assert_eq!(ts.to_string(), "2024-01-02T03:04:05+02:00");
    /// ```
    pub fn with_offset(datetime: DateTime<FixedOffset>) -> Self {
        let offset = *datetime.offset();
        Timestamp {
            datetime: truncate_to_micros(datetime.naive_local()),
            zone: if offset.local_minus_utc() == 0 {
                Zone::Utc
            } else {
                Zone::Offset(offset)
            },
        }
    }

    /// Seconds since the Unix epoch, read as Burr's server reads epoch numbers: values above
    /// 2×10¹⁰ in absolute value are milliseconds. The result is UTC.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::model::Timestamp;
    /// assert_eq!(Timestamp::from_epoch(0.0).unwrap().to_string(), "1970-01-01T00:00:00Z");
    /// assert_eq!(
    ///     Timestamp::from_epoch(20_000_000_001.0).unwrap().to_string(),
    ///     "1970-08-20T11:33:20.001000Z"
    /// );
    /// assert!(Timestamp::from_epoch(f64::NAN).is_err());
    /// ```
    pub fn from_epoch(value: f64) -> Result<Self, TimestampError> {
        if !value.is_finite() {
            return Err(TimestampError::new(
                value,
                "epoch value is not a finite number",
            ));
        }
        let seconds = if value.abs() > 2e10 {
            value / 1000.0
        } else {
            value
        };
        // Beyond year 9999 Burr fails too.
        if seconds.abs() > 253_402_300_800.0 {
            return Err(TimestampError::new(value, "epoch value out of range"));
        }
        let whole = seconds.floor();
        let mut micros = ((seconds - whole) * 1e6).round() as i64;
        let mut secs = whole as i64;
        if micros >= 1_000_000 {
            secs += 1;
            micros -= 1_000_000;
        }
        let dt = DateTime::from_timestamp(secs, (micros * 1_000) as u32)
            .ok_or_else(|| TimestampError::new(value, "epoch value out of range"))?;
        Ok(Timestamp::utc(dt))
    }

    /// The date and time as written (local wall-clock for naive timestamps, the offset's wall
    /// clock for aware ones).
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::Timelike;
    /// let t: burr_tracking::model::Timestamp = "2024-01-02T03:04:05+02:00".parse().unwrap();
    /// assert_eq!(t.datetime().hour(), 3);
    /// ```
    pub fn datetime(&self) -> NaiveDateTime {
        self.datetime
    }

    /// The zone the timestamp was written with.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::model::{Timestamp, Zone};
    /// assert_eq!("2024-01-02".parse::<Timestamp>().unwrap().zone(), Zone::Naive);
    /// ```
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The instant in UTC. A naive timestamp is read as local time, as Burr's UI does (both
    /// kinds appear in one log, so comparing them needs this).
    ///
    /// # Examples
    ///
    /// ```
    /// let t: burr_tracking::model::Timestamp = "2024-01-02T03:04:05+02:00".parse().unwrap();
    /// assert_eq!(t.to_utc().to_rfc3339(), "2024-01-02T01:04:05+00:00");
    /// ```
    pub fn to_utc(&self) -> DateTime<Utc> {
        match self.zone {
            Zone::Utc => self.datetime.and_utc(),
            Zone::Offset(offset) => (self.datetime
                - chrono::TimeDelta::seconds(i64::from(offset.local_minus_utc())))
            .and_utc(),
            Zone::Naive => match Local.from_local_datetime(&self.datetime).earliest() {
                Some(local) => local.with_timezone(&Utc),
                // A wall-clock time skipped by a DST change: read it as UTC.
                None => self.datetime.and_utc(),
            },
        }
    }

    fn parse_str(input: &str) -> Result<Self, TimestampError> {
        let bytes = input.as_bytes();
        let err = |reason| TimestampError::new(input, reason);
        if !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_digit() || b"+-.".contains(b))
            && let Ok(n) = input.parse::<f64>()
        {
            return Timestamp::from_epoch(n);
        }
        let mut p = Cursor { bytes, pos: 0 };
        let year = p.digits(4).ok_or_else(|| err("expected a 4-digit year"))?;
        p.expect(b'-')
            .ok_or_else(|| err("expected `-` after the year"))?;
        let month = p.digits(2).ok_or_else(|| err("expected a 2-digit month"))?;
        p.expect(b'-')
            .ok_or_else(|| err("expected `-` after the month"))?;
        let day = p.digits(2).ok_or_else(|| err("expected a 2-digit day"))?;
        let date =
            NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(|| err("no such date"))?;
        if p.done() {
            return Ok(Timestamp::naive(date.and_time(NaiveTime::MIN)));
        }
        match p.next() {
            Some(b'T' | b't' | b' ') => {}
            _ => return Err(err("expected `T` or a space between date and time")),
        }
        let hour = p.digits(2).ok_or_else(|| err("expected a 2-digit hour"))?;
        p.expect(b':')
            .ok_or_else(|| err("expected `:` after the hour"))?;
        let minute = p.digits(2).ok_or_else(|| err("expected 2-digit minutes"))?;
        let (mut second, mut micro) = (0, 0);
        if p.peek() == Some(b':') {
            p.pos += 1;
            second = p.digits(2).ok_or_else(|| err("expected 2-digit seconds"))?;
            if matches!(p.peek(), Some(b'.' | b',')) {
                p.pos += 1;
                let start = p.pos;
                while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                    p.pos += 1;
                }
                let frac = &bytes[start..p.pos];
                if frac.is_empty() {
                    return Err(err("expected digits after the decimal point"));
                }
                for i in 0..6 {
                    micro = micro * 10 + frac.get(i).map_or(0, |d| u32::from(d - b'0'));
                }
            }
        }
        let time = NaiveTime::from_hms_micro_opt(hour, minute, second, micro)
            .ok_or_else(|| err("no such time of day"))?;
        let datetime = date.and_time(time);
        let zone = match p.next() {
            None => Zone::Naive,
            Some(b'Z' | b'z') => Zone::Utc,
            Some(sign @ (b'+' | b'-')) => {
                let hours = p
                    .digits(2)
                    .ok_or_else(|| err("expected a 2-digit offset hour"))?;
                if p.peek() == Some(b':') {
                    p.pos += 1;
                }
                let minutes = p
                    .digits(2)
                    .ok_or_else(|| err("expected 2-digit offset minutes"))?;
                if hours >= 24 || minutes >= 60 {
                    return Err(err("offset out of range"));
                }
                let secs = (hours * 3600 + minutes * 60) as i32;
                let secs = if sign == b'-' { -secs } else { secs };
                match FixedOffset::east_opt(secs) {
                    Some(o) if secs != 0 => Zone::Offset(o),
                    Some(_) => Zone::Utc,
                    None => return Err(err("offset out of range")),
                }
            }
            Some(_) => return Err(err("unexpected character after the time")),
        };
        if !p.done() {
            return Err(err("unexpected characters after the timestamp"));
        }
        Ok(Timestamp { datetime, zone })
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }
    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }
    fn digits(&mut self, n: usize) -> Option<u32> {
        let slice = self.bytes.get(self.pos..self.pos + n)?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.pos += n;
        Some(
            slice
                .iter()
                .fold(0, |acc, d| acc * 10 + u32::from(d - b'0')),
        )
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse_str(s)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.datetime;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )?;
        let micros = d.nanosecond() / 1_000;
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        match self.zone {
            Zone::Naive => Ok(()),
            Zone::Utc => f.write_str("Z"),
            Zone::Offset(o) => {
                let secs = o.local_minus_utc();
                let sign = if secs < 0 { '-' } else { '+' };
                let secs = secs.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", secs / 3600, (secs / 60) % 60)
            }
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 8601 timestamp or epoch seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Timestamp::from_epoch(v as f64).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Timestamp::from_epoch(v as f64).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Timestamp::from_epoch(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(TimestampVisitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Lax integers
// ---------------------------------------------------------------------------------------------

/// Reads integers the way pydantic's lax mode does: JSON integers, floats without a fraction,
/// booleans, and strings such as `"3"`, `" 3 "`, `"3.0"` or `"3_000"`.
mod lax {
    use super::*;

    pub(super) fn parse_str(s: &str) -> Option<u64> {
        let s = s.trim();
        let s = s.strip_prefix('+').unwrap_or(s);
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if frac.is_some_and(|f| !f.bytes().all(|b| b == b'0')) {
            return None;
        }
        if int.is_empty()
            || int.starts_with('_')
            || int.ends_with('_')
            || int.contains("__")
            || !int.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        {
            return None;
        }
        int.replace('_', "").parse().ok()
    }

    pub(super) fn from_f64(v: f64) -> Option<u64> {
        (v.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&v)).then_some(v as u64)
    }

    pub(super) struct LaxU64;

    impl Visitor<'_> for LaxU64 {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v)
                .map_err(|_| E::custom(format!("expected a non-negative integer, found {v}")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            from_f64(v).ok_or_else(|| {
                E::custom(format!(
                    "expected a non-negative integer, found the number {v}"
                ))
            })
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<u64, E> {
            Ok(u64::from(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            parse_str(v).ok_or_else(|| {
                E::custom(format!(
                    "expected a non-negative integer, found the string {v:?}"
                ))
            })
        }
    }

    pub(super) fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(LaxU64)
    }

    pub(super) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        struct Opt;
        impl<'de> Visitor<'de> for Opt {
            type Value = Option<u64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<u64>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<u64>, D::Error> {
                u64(d).map(Some)
            }
        }
        d.deserialize_option(Opt)
    }

    /// A JSON value read as a lax integer, if it is one.
    pub(super) fn from_value(v: &Value) -> Option<u64> {
        match v {
            Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(from_f64)),
            Value::String(s) => parse_str(s),
            Value::Bool(b) => Some(u64::from(*b)),
            _ => None,
        }
    }
}

/// Reads a JSON value as an integer the way Burr's server does (pydantic's lax mode):
/// `3`, `3.0`, `"3"`, `" 3 "`, `"3_000"` and `true` are integers; `1.5`, `"1e3"`, negative
/// numbers and `null` are not.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::lax_u64;
/// use serde_json::json;
/// assert_eq!(lax_u64(&json!("3")), Some(3));
/// assert_eq!(lax_u64(&json!(3.0)), Some(3));
/// assert_eq!(lax_u64(&json!(1.5)), None);
/// ```
pub fn lax_u64(value: &Value) -> Option<u64> {
    lax::from_value(value)
}

// ---------------------------------------------------------------------------------------------
// log.jsonl records
// ---------------------------------------------------------------------------------------------

/// A `begin_entry` line: a step started.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{BeginEntryModel, LogRecord};
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
/// use burr_tracking::model::EndEntryModel;
/// let e: EndEntryModel = serde_json::from_str(
///     r#"{"type":"end_entry","end_time":"2024-08-27T11:59:58.569778","action":"counter","result":{},"exception":null,"state":{"counter":1,"__SEQUENCE_ID":0},"sequence_id":0}"#,
/// ).unwrap();
/// assert!(e.succeeded());
/// assert_eq!(e.state["counter"], 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// use burr_tracking::model::EndEntryModel;
    /// let e = EndEntryModel {
    ///     end_time: burr_tracking::model::Timestamp::now_local(),
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
/// use burr_tracking::model::BeginSpanModel;
/// let s: BeginSpanModel = serde_json::from_str(
///     r#"{"type":"begin_span","start_time":"2024-08-27T11:58:44.913348","action_sequence_id":4,"span_id":"4:0.0.0","span_name":"safe","parent_span_id":"4:0.0","span_dependencies":[]}"#,
/// ).unwrap();
/// assert_eq!(s.parent_span_id.as_deref(), Some("4:0.0"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
/// use burr_tracking::model::EndSpanModel;
/// let s: EndSpanModel = serde_json::from_str(
///     r#"{"type":"end_span","end_time":"2024-08-27T11:57:10.764191","action_sequence_id":0,"span_id":"0:0"}"#,
/// ).unwrap();
/// assert_eq!(s.span_id, "0:0");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
/// use burr_tracking::model::AttributeModel;
/// let a: AttributeModel = serde_json::from_str(
///     r#"{"type":"attribute","key":"model","action_sequence_id":3,"span_id":"3:0","value":"dall-e-2","tags":{},"time_logged":"2024-08-27T18:58:44.913192Z"}"#,
/// ).unwrap();
/// assert_eq!(a.value, "dall-e-2");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
/// use burr_tracking::model::BeginStreamModel;
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
/// use burr_tracking::model::FirstItemStreamModel;
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
/// use burr_tracking::model::EndStreamModel;
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
/// use burr_tracking::model::LogRecord;
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
    /// let r = burr_tracking::model::UnknownRecord {
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
    /// let r = burr_tracking::model::UnknownRecord {
    ///     raw: serde_json::json!({"type": "x", "sequence_id": "7"}).as_object().unwrap().clone(),
    /// };
    /// assert_eq!(r.sequence_id(), Some(7));
    /// ```
    pub fn sequence_id(&self) -> Option<u64> {
        self.raw.get("sequence_id").and_then(lax::from_value)
    }
}

/// One line of `log.jsonl`, dispatched on its `type`.
///
/// Serializing writes the inner record, `type` first. Reading dispatches on `type`; an
/// unknown `type` gives [`LogRecord::Unknown`], a known one whose other keys are invalid is an
/// error (Burr's server fails the same way).
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{EndSpanModel, LogRecord};
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
/// use burr_tracking::model::{LogRecord, RecordError};
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

const KNOWN_TYPES: [&str; 8] = [
    "begin_entry",
    "end_entry",
    "begin_span",
    "end_span",
    "attribute",
    "begin_stream",
    "first_item_stream",
    "end_stream",
];

#[derive(Deserialize)]
struct TypeProbe<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<ProbeKind<'a>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ProbeKind<'a> {
    Str(#[serde(borrow)] Cow<'a, str>),
    Other(de::IgnoredAny),
}

impl LogRecord {
    /// Reads one line (without or with its line ending). The bytes must be valid UTF-8; see
    /// [`crate::reader::parse_log`] for a reader that replaces invalid bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::model::LogRecord;
    /// let r = LogRecord::from_json_line(
    ///     b"{\"type\":\"end_span\",\"end_time\":\"2024-08-27T11:57:10\",\"action_sequence_id\":\"0\",\"span_id\":\"0:0\"}\r\n",
    /// ).unwrap();
    /// assert_eq!(r.step_sequence_id(), Some(0));
    /// assert!(LogRecord::from_json_line(b"{\"type\":\"begin_entry\",\"start_ti").is_err());
    /// ```
    pub fn from_json_line(line: &[u8]) -> Result<Self, RecordError> {
        if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(match serde_json::from_slice::<de::IgnoredAny>(line) {
                Ok(_) => RecordError::NotAnObject,
                Err(e) => RecordError::NotJson(e),
            });
        }
        // Every writer puts `type` first: read it from the bytes when it is there, and parse
        // the line only once.
        let leading = line
            .strip_prefix(b"{\"type\":\"")
            .and_then(|rest| {
                let end = rest.iter().position(|&b| b == b'"')?;
                std::str::from_utf8(&rest[..end]).ok()
            })
            .filter(|k| KNOWN_TYPES.contains(k));
        let kind = match leading {
            Some(k) => k.to_string(),
            None => {
                let probe: TypeProbe<'_> =
                    serde_json::from_slice(line).map_err(RecordError::NotJson)?;
                match probe.kind {
                    None => return Err(RecordError::MissingType),
                    Some(ProbeKind::Str(s)) if KNOWN_TYPES.contains(&&*s) => s.into_owned(),
                    Some(_) => {
                        return serde_json::from_slice(line)
                            .map(|raw| LogRecord::Unknown(UnknownRecord { raw }))
                            .map_err(RecordError::NotJson);
                    }
                }
            }
        };
        fn typed<T: DeserializeOwned>(
            line: &[u8],
            kind: &str,
            wrap: fn(T) -> LogRecord,
        ) -> Result<LogRecord, RecordError> {
            serde_json::from_slice(line)
                .map(wrap)
                .map_err(|source| RecordError::Invalid {
                    kind: kind.to_string(),
                    source,
                })
        }
        Self::dispatch(&kind, |k| match k {
            Kind::BeginEntry => typed(line, &kind, LogRecord::BeginEntry),
            Kind::EndEntry => typed(line, &kind, LogRecord::EndEntry),
            Kind::BeginSpan => typed(line, &kind, LogRecord::BeginSpan),
            Kind::EndSpan => typed(line, &kind, LogRecord::EndSpan),
            Kind::Attribute => typed(line, &kind, LogRecord::Attribute),
            Kind::BeginStream => typed(line, &kind, LogRecord::BeginStream),
            Kind::FirstItemStream => typed(line, &kind, LogRecord::FirstItemStream),
            Kind::EndStream => typed(line, &kind, LogRecord::EndStream),
        })
    }

    fn dispatch<R>(kind: &str, f: impl FnOnce(Kind) -> R) -> R {
        f(match kind {
            "begin_entry" => Kind::BeginEntry,
            "end_entry" => Kind::EndEntry,
            "begin_span" => Kind::BeginSpan,
            "end_span" => Kind::EndSpan,
            "attribute" => Kind::Attribute,
            "begin_stream" => Kind::BeginStream,
            "first_item_stream" => Kind::FirstItemStream,
            _ => Kind::EndStream,
        })
    }

    /// Reads a record from a JSON object already parsed.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::model::LogRecord;
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
            Some(Value::String(s)) if KNOWN_TYPES.contains(&s.as_str()) => s.clone(),
            Some(_) => return Ok(LogRecord::Unknown(UnknownRecord { raw: map })),
        };
        fn typed<T: DeserializeOwned>(
            map: JsonObject,
            kind: &str,
            wrap: fn(T) -> LogRecord,
        ) -> Result<LogRecord, RecordError> {
            serde_json::from_value(Value::Object(map))
                .map(wrap)
                .map_err(|source| RecordError::Invalid {
                    kind: kind.to_string(),
                    source,
                })
        }
        Self::dispatch(&kind, |k| match k {
            Kind::BeginEntry => typed(map, &kind, LogRecord::BeginEntry),
            Kind::EndEntry => typed(map, &kind, LogRecord::EndEntry),
            Kind::BeginSpan => typed(map, &kind, LogRecord::BeginSpan),
            Kind::EndSpan => typed(map, &kind, LogRecord::EndSpan),
            Kind::Attribute => typed(map, &kind, LogRecord::Attribute),
            Kind::BeginStream => typed(map, &kind, LogRecord::BeginStream),
            Kind::FirstItemStream => typed(map, &kind, LogRecord::FirstItemStream),
            Kind::EndStream => typed(map, &kind, LogRecord::EndStream),
        })
    }

    /// The record's `type`.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::model::{BeginEntryModel, LogRecord};
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
    /// use burr_tracking::model::LogRecord;
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
    /// use burr_tracking::model::LogRecord;
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
    /// use burr_tracking::model::{AttributeModel, LogRecord};
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

enum Kind {
    BeginEntry,
    EndEntry,
    BeginSpan,
    EndSpan,
    Attribute,
    BeginStream,
    FirstItemStream,
    EndStream,
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

// ---------------------------------------------------------------------------------------------
// graph.json, metadata.json, children.jsonl
// ---------------------------------------------------------------------------------------------

/// `graph.json`: the application's shape, written once when the application is created.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{to_python_json, ActionModel, ApplicationModel, TransitionModel};
/// let graph = ApplicationModel {
///     entrypoint: "counter".into(),
///     actions: vec![ActionModel {
///         name: "counter".into(),
///         reads: vec!["counter".into()],
///         writes: vec!["counter".into()],
///         code: "fn counter() {}".into(),
///         inputs: vec![],
///         optional_inputs: vec![],
///     }],
///     transitions: vec![TransitionModel {
///         from: "counter".into(),
///         to: "counter".into(),
///         condition: "default".into(),
///     }],
/// };
/// assert_eq!(
///     to_python_json(&graph).unwrap(),
///     r#"{"type": "application", "entrypoint": "counter", "actions": [{"type": "action", "name": "counter", "reads": ["counter"], "writes": ["counter"], "code": "fn counter() {}", "inputs": [], "optional_inputs": []}], "transitions": [{"type": "transition", "from_": "counter", "to": "counter", "condition": "default"}]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "application")]
pub struct ApplicationModel {
    /// The name of the first action.
    pub entrypoint: String,
    /// The actions, in graph order.
    pub actions: Vec<ActionModel>,
    /// The transitions, in declaration order.
    pub transitions: Vec<TransitionModel>,
}

/// One action of [`ApplicationModel`].
///
/// Burr's writer swaps the input lists: it stores *required* inputs in `optional_inputs` and
/// optional ones in `inputs`. Writers that want byte parity with Burr do the same; the UI
/// draws `inputs`.
///
/// # Examples
///
/// ```
/// let a: burr_tracking::model::ActionModel = serde_json::from_str(
///     r#"{"name": "add", "reads": [], "writes": ["n"], "code": ""}"#,
/// ).unwrap();
/// assert!(a.inputs.is_empty() && a.optional_inputs.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "action")]
pub struct ActionModel {
    /// The action's name.
    pub name: String,
    /// Declared reads, in order.
    pub reads: Vec<String>,
    /// Declared writes, in order.
    pub writes: Vec<String>,
    /// The action's source code.
    pub code: String,
    /// See the type's docs (Burr's writer puts optional inputs here).
    #[serde(default)]
    pub inputs: Vec<String>,
    /// See the type's docs (Burr's writer puts required inputs here).
    #[serde(default)]
    pub optional_inputs: Vec<String>,
}

/// One transition of [`ApplicationModel`]; the key is `from_` on disk.
///
/// # Examples
///
/// ```
/// let t: burr_tracking::model::TransitionModel = serde_json::from_str(
///     r#"{"type": "transition", "from_": "a", "to": "b", "condition": "x < 5"}"#,
/// ).unwrap();
/// assert_eq!(t.from, "a");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "transition")]
pub struct TransitionModel {
    /// The source action.
    #[serde(rename = "from_")]
    pub from: String,
    /// The target action.
    pub to: String,
    /// The condition's name (`"default"`, `"counter < 5"`, `"a=1"`, ...).
    pub condition: String,
}

/// A reference to another application (and optionally one of its steps).
///
/// # Examples
///
/// ```
/// use burr_tracking::model::PointerModel;
/// let p = PointerModel { app_id: "app-main".into(), sequence_id: Some(2), partition_key: None };
/// assert_eq!(
///     serde_json::to_string(&p).unwrap(),
///     r#"{"type":"pointer_data","app_id":"app-main","sequence_id":2,"partition_key":null}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename = "pointer_data")]
pub struct PointerModel {
    /// The application's id.
    pub app_id: String,
    /// The step, if the pointer names one.
    #[serde(default, deserialize_with = "lax::opt_u64")]
    pub sequence_id: Option<u64>,
    /// The application's partition key.
    #[serde(default)]
    pub partition_key: Option<String>,
}

/// `metadata.json`: partition key and parents. A missing file reads as the default (all
/// null), as in Burr's server.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{to_python_json, ApplicationMetadataModel};
/// let m = ApplicationMetadataModel { partition_key: Some("user_1".into()), ..Default::default() };
/// assert_eq!(
///     to_python_json(&m).unwrap(),
///     r#"{"type": "application_metadata", "partition_key": "user_1", "parent_pointer": null, "spawning_parent_pointer": null}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "application_metadata")]
pub struct ApplicationMetadataModel {
    /// The partition key, if any.
    #[serde(default)]
    pub partition_key: Option<String>,
    /// The application this one was forked from, at which step.
    #[serde(default)]
    pub parent_pointer: Option<PointerModel>,
    /// The application (and step) that spawned this one.
    #[serde(default)]
    pub spawning_parent_pointer: Option<PointerModel>,
}

/// How a child application relates to its parent.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::ChildEventType;
/// assert_eq!(serde_json::to_string(&ChildEventType::SpawnStart).unwrap(), "\"spawn_start\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildEventType {
    /// The child was forked from the parent.
    Fork,
    /// The parent spawned the child.
    SpawnStart,
}

/// One line of `children.jsonl`, in the parent's directory.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{ChildApplicationModel, ChildEventType};
/// let line = r#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"app-fork","sequence_id":null,"partition_key":"user_1"},"event_time":"2026-11-22T00:29:44.311262","event_type":"fork","sequence_id":2}"#;
/// let c: ChildApplicationModel = serde_json::from_str(line).unwrap();
/// assert_eq!(c.event_type, ChildEventType::Fork);
/// assert_eq!(burr_tracking::model::to_json_line(&c).unwrap(), format!("{line}\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "child_application_data")]
pub struct ChildApplicationModel {
    /// The child (its `sequence_id` is null).
    pub child: PointerModel,
    /// When the child was created (naive local time).
    pub event_time: Timestamp,
    /// Fork or spawn.
    pub event_type: ChildEventType,
    /// The parent's sequence id at the time of the fork or spawn.
    #[serde(default, deserialize_with = "lax::opt_u64")]
    pub sequence_id: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Output formats
// ---------------------------------------------------------------------------------------------

/// Splits a finite float into its shortest round-trip digits and decimal exponent
/// (`value = 0.d1d2… × 10^(exp + 1)`, i.e. `d1.d2… × 10^exp`).
fn float_parts(v: f64) -> (bool, String, i32) {
    let text = format!("{v:e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (negative, digits, exp.parse().unwrap_or(0))
}

/// Formats a finite float: fixed notation (with at least one fraction digit) when
/// `low <= exp < 16`, else `d.ddde±X` with the exponent padded to `exp_width` digits.
fn write_float<W: io::Write + ?Sized>(
    w: &mut W,
    v: f64,
    low: i32,
    exp_width: usize,
) -> io::Result<()> {
    let (negative, digits, exp) = float_parts(v);
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if (low..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:0exp_width$}", exp.unsigned_abs()));
    }
    w.write_all(out.as_bytes())
}

/// The compact layout of Burr's log lines (pydantic's `model_dump_json`): no spaces, raw
/// UTF-8, floats in fixed notation from 10⁻⁵ up to 10¹⁶ and `1e+16` / `1e-6` beyond.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::PydanticFormatter;
/// use serde::Serialize;
/// let mut out = Vec::new();
/// let mut ser = serde_json::Serializer::with_formatter(&mut out, PydanticFormatter);
/// serde_json::json!([0.00001, 1e-6, 1e15, 2.5]).serialize(&mut ser).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "[0.00001,1e-6,1000000000000000.0,2.5]");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PydanticFormatter;

impl serde_json::ser::Formatter for PydanticFormatter {
    fn write_f64<W: io::Write + ?Sized>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        write_float(w, v, -5, 1)
    }
    fn write_f32<W: io::Write + ?Sized>(&mut self, w: &mut W, v: f32) -> io::Result<()> {
        write_float(w, f64::from(v), -5, 1)
    }
}

/// The layout of Python's `json.dump` defaults, used by Burr for `graph.json` and
/// `metadata.json`: `", "` and `": "` separators, every character outside printable ASCII
/// escaped as `\uXXXX` (surrogate pairs above U+FFFF), floats as Python's `repr`.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::PythonFormatter;
/// use serde::Serialize;
/// let mut out = Vec::new();
/// let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter::default());
/// serde_json::json!({"a": ["é😀", 1e-5]}).serialize(&mut ser).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), r#"{"a": ["\u00e9\ud83d\ude00", 1e-05]}"#);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: io::Write + ?Sized>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (c as u32) < 0x7f {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn write_f64<W: io::Write + ?Sized>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        write_float(w, v, -4, 2)
    }
    fn write_f32<W: io::Write + ?Sized>(&mut self, w: &mut W, v: f32) -> io::Result<()> {
        write_float(w, f64::from(v), -4, 2)
    }
}

/// Serializes a value as one log line: compact JSON in pydantic's layout
/// ([`PydanticFormatter`]), then `"\n"`. NaN and infinities become `null`.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{to_json_line, PointerModel};
/// let p = PointerModel { app_id: "é".into(), sequence_id: None, partition_key: None };
/// assert_eq!(
///     to_json_line(&p).unwrap(),
///     "{\"type\":\"pointer_data\",\"app_id\":\"é\",\"sequence_id\":null,\"partition_key\":null}\n"
/// );
/// ```
pub fn to_json_line<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        PydanticFormatter,
    ))?;
    out.push(b'\n');
    // serde_json writes valid UTF-8 only.
    String::from_utf8(out).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

/// Serializes a value the way Python's `json.dump` writes `graph.json` and `metadata.json`
/// ([`PythonFormatter`]), without a trailing newline.
///
/// # Examples
///
/// ```
/// use burr_tracking::model::{to_python_json, PointerModel};
/// let p = PointerModel { app_id: "naïve".into(), sequence_id: Some(1), partition_key: None };
/// assert_eq!(
///     to_python_json(&p).unwrap(),
///     r#"{"type": "pointer_data", "app_id": "na\u00efve", "sequence_id": 1, "partition_key": null}"#
/// );
/// ```
pub fn to_python_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        PythonFormatter,
    ))?;
    String::from_utf8(out).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_parse_every_accepted_form() {
        let cases = [
            ("2024-08-27T11:59:58.577318", "2024-08-27T11:59:58.577318"),
            ("2024-08-27T11:59:58Z", "2024-08-27T11:59:58Z"),
            ("2024-08-27T11:59:58+00:00", "2024-08-27T11:59:58Z"),
            ("2024-08-27T11:59:58+02:00", "2024-08-27T11:59:58+02:00"),
            ("2024-08-27T11:59:58-0130", "2024-08-27T11:59:58-01:30"),
            ("2024-08-27T11:59:58.5", "2024-08-27T11:59:58.500000"),
            ("2024-08-27T11:59:58,5", "2024-08-27T11:59:58.500000"),
            ("2024-08-27T11:59:58.1234567", "2024-08-27T11:59:58.123456"),
            ("2024-08-27T11:59:58.000000", "2024-08-27T11:59:58"),
            ("2024-08-27t11:59:58z", "2024-08-27T11:59:58Z"),
            ("2024-08-27T11:59", "2024-08-27T11:59:00"),
            ("2024-01-01", "2024-01-01T00:00:00"),
            ("2024-01-01 00:00:00", "2024-01-01T00:00:00"),
            ("1700000000", "2023-11-14T22:13:20Z"),
        ];
        for (input, output) in cases {
            let t: Timestamp = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(t.to_string(), output, "{input}");
        }
        for bad in [
            "2024-08-27T11:59:60",
            "2024-08-27T24:00:00",
            "2024-08-27T11:59:58+02",
            " 2024-01-01",
            "2024-02-30",
            "",
            "2024-08-27T11:59:58.577318 +02:00",
        ] {
            assert!(
                bad.parse::<Timestamp>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn epoch_numbers_read_as_utc() {
        let read = |v: Value| serde_json::from_value::<Timestamp>(v).map(|t| t.to_string());
        assert_eq!(
            read(json!(1700000000.5)).unwrap(),
            "2023-11-14T22:13:20.500000Z"
        );
        assert_eq!(
            read(json!(1700000000000u64)).unwrap(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(read(json!(-1.5)).unwrap(), "1969-12-31T23:59:58.500000Z");
        assert!(read(json!(1e20)).is_err());
        assert!(read(json!(true)).is_err());
    }

    #[test]
    fn lax_integers_follow_pydantic() {
        for (v, n) in [
            (json!("3"), 3),
            (json!(3.0), 3),
            (json!(true), 1),
            (json!("3.0"), 3),
            (json!(" 3 "), 3),
            (json!("3_000"), 3000),
        ] {
            assert_eq!(lax_u64(&v), Some(n), "{v}");
            let line = json!({"type": "end_span", "end_time": "2024-01-01", "action_sequence_id": v, "span_id": "x"});
            assert_eq!(
                LogRecord::from_value(line).unwrap().step_sequence_id(),
                Some(n)
            );
        }
        for v in [
            json!(1.5),
            json!("1e3"),
            json!(null),
            json!("0x10"),
            json!(-2),
            json!("3__0"),
        ] {
            assert_eq!(lax_u64(&v), None, "{v}");
            let line = json!({"type": "end_span", "end_time": "2024-01-01", "action_sequence_id": v, "span_id": "x"});
            assert!(LogRecord::from_value(line).is_err(), "{v}");
        }
    }

    #[test]
    fn floats_print_like_pydantic_and_python() {
        let pyd = |v: f64| {
            let mut out = Vec::new();
            write_float(&mut out, v, -5, 1).unwrap();
            String::from_utf8(out).unwrap()
        };
        let py = |v: f64| {
            let mut out = Vec::new();
            write_float(&mut out, v, -4, 2).unwrap();
            String::from_utf8(out).unwrap()
        };
        for (v, s) in [
            (1e-4, "0.0001"),
            (1e-6, "1e-6"),
            (1.5e-7, "1.5e-7"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (5e-324, "5e-324"),
            (0.5, "0.5"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (2.5e-5, "0.000025"),
            (12345678.9, "12345678.9"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ] {
            assert_eq!(pyd(v), s, "{v:e}");
        }
        assert_eq!(py(1e-5), "1e-05");
        assert_eq!(py(1e16), "1e+16");
        assert_eq!(py(0.0001), "0.0001");
    }

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

    #[test]
    fn nan_becomes_null() {
        let a = AttributeModel {
            key: "k".into(),
            action_sequence_id: 0,
            span_id: None,
            value: Value::Null,
            tags: Tags::new(),
            time_logged: None,
        };
        #[derive(Serialize)]
        struct F {
            x: f64,
        }
        assert_eq!(to_json_line(&F { x: f64::NAN }).unwrap(), "{\"x\":null}\n");
        assert!(to_json_line(&a).unwrap().contains("\"value\":null"));
    }

    proptest::proptest! {
        #[test]
        fn timestamps_round_trip(
            secs in -2_000_000_000i64..4_000_000_000,
            micros in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000],
            zone in 0u8..3,
            offset_minutes in -1439i32..1440,
        ) {
            let datetime = DateTime::from_timestamp(secs, micros * 1000).unwrap().naive_utc();
            let t = match zone {
                0 => Timestamp::naive(datetime),
                1 => Timestamp::utc(datetime.and_utc()),
                _ => Timestamp::with_offset(
                    FixedOffset::east_opt(offset_minutes * 60).unwrap().from_utc_datetime(&datetime),
                ),
            };
            let text = t.to_string();
            proptest::prop_assert_eq!(text.contains('.'), micros != 0);
            let back: Timestamp = text.parse().unwrap();
            proptest::prop_assert_eq!(back, t);
            proptest::prop_assert_eq!(back.to_string(), text);
        }

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
