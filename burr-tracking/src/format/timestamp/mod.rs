//! Timestamps as Burr's files hold them: [`Timestamp`], parsed in every form Burr's server
//! accepts and written back in the form it was read.

use std::cell::{Cell, RefCell};
use std::fmt::{self, Write as _};
use std::str::FromStr;
use std::thread::LocalKey;
use std::time::{Duration, SystemTime};

use chrono::{
    DateTime, Datelike, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Timelike, Utc,
};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::DIGIT_PAIRS;

/// The zone part of a [`Timestamp`], kept so that a timestamp is written back in the form it
/// was read.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{Timestamp, Zone};
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
/// use burr_tracking::format::Timestamp;
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
/// let err = "yesterday".parse::<burr_tracking::format::Timestamp>().unwrap_err();
/// assert!(err.to_string().contains("yesterday"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {input:?}: {reason}")]
pub struct TimestampError {
    input: String,
    reason: &'static str,
}

/// Why a text is no timestamp: the reason its text gives, or the epoch it names is out of
/// range.
enum Invalid {
    Text(&'static str),
    Epoch(TimestampError),
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

/// The date and time of `time` to the microsecond, as `convert` reads an instant. Zone
/// offsets change on whole seconds only, so each thread converts a second once (`second`
/// holds the last one: its Unix second and its date and time) and adds the microseconds: a
/// step stamps several lines within one second.
fn datetime_at(
    time: SystemTime,
    second: &'static LocalKey<Cell<(i64, NaiveDateTime)>>,
    convert: impl FnOnce(DateTime<Utc>) -> NaiveDateTime,
) -> NaiveDateTime {
    // Whole seconds rounded down and the nanoseconds past them, as chrono reads a time.
    let (unix_second, nanos) = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => (after.as_secs() as i64, after.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            match before.subsec_nanos() {
                0 => (-(before.as_secs() as i64), 0),
                nanos => (-(before.as_secs() as i64) - 1, 1_000_000_000 - nanos),
            }
        }
    };
    let start = match second.get() {
        (cached, start) if cached == unix_second => start,
        _ => {
            let start = convert(DateTime::from(
                time - Duration::from_nanos(u64::from(nanos)),
            ));
            second.set((unix_second, start));
            start
        }
    };
    // Never `None`: a time of day takes any nanosecond below one second.
    start
        .with_nanosecond(nanos - nanos % 1_000)
        .unwrap_or(start)
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
    /// use burr_tracking::format::{Timestamp, Zone};
    /// assert_eq!(Timestamp::now_local().zone(), Zone::Naive);
    /// ```
    pub fn now_local() -> Self {
        Timestamp::local_at(SystemTime::now())
    }

    /// The current time in UTC: what Burr writes for attributes and stream events.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_tracking::format::Timestamp::now_utc().to_string().ends_with('Z'));
    /// ```
    pub fn now_utc() -> Self {
        Timestamp::utc_at(SystemTime::now())
    }

    /// The local wall-clock time at `time`, naive, to the microsecond.
    pub(crate) fn local_at(time: SystemTime) -> Self {
        thread_local! {
            static LOCAL_SECOND: Cell<(i64, NaiveDateTime)> =
                const { Cell::new((i64::MIN, NaiveDateTime::MIN)) };
        }
        Timestamp {
            datetime: datetime_at(time, &LOCAL_SECOND, |utc| {
                let utc = utc.naive_utc();
                utc + TimeDelta::seconds(i64::from(
                    Local.offset_from_utc_datetime(&utc).local_minus_utc(),
                ))
            }),
            zone: Zone::Naive,
        }
    }

    /// The time `time` in UTC, to the microsecond.
    pub(crate) fn utc_at(time: SystemTime) -> Self {
        thread_local! {
            static UTC_SECOND: Cell<(i64, NaiveDateTime)> =
                const { Cell::new((i64::MIN, NaiveDateTime::MIN)) };
        }
        Timestamp {
            datetime: datetime_at(time, &UTC_SECOND, |utc| utc.naive_utc()),
            zone: Zone::Utc,
        }
    }

    /// A naive timestamp (no zone), truncated to the microsecond.
    ///
    /// # Examples
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let t = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap();
    /// let ts = burr_tracking::format::Timestamp::naive(t);
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
    /// let ts = burr_tracking::format::Timestamp::utc(t);
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
    /// let ts = burr_tracking::format::Timestamp::with_offset(
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
    /// use burr_tracking::format::Timestamp;
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
    /// let t: burr_tracking::format::Timestamp = "2024-01-02T03:04:05+02:00".parse().unwrap();
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
    /// use burr_tracking::format::{Timestamp, Zone};
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
    /// let t: burr_tracking::format::Timestamp = "2024-01-02T03:04:05+02:00".parse().unwrap();
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
        Timestamp::parse_bytes(input.as_bytes()).map_err(|invalid| match invalid {
            Invalid::Text(reason) => TimestampError::new(input, reason),
            Invalid::Epoch(err) => err,
        })
    }

    /// Whether the text `bytes` reads as a timestamp (as [`FromStr`] reads it; text that is
    /// not UTF-8 does not), checked without building an error.
    pub(crate) fn reads_as_timestamp(bytes: &[u8]) -> bool {
        Timestamp::parse_bytes(bytes).is_ok()
    }

    fn parse_bytes(bytes: &[u8]) -> Result<Self, Invalid> {
        let err = Invalid::Text;
        if !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_digit() || b"+-.".contains(b))
            && let Some(n) = std::str::from_utf8(bytes)
                .ok()
                .and_then(|text| text.parse::<f64>().ok())
        {
            return Timestamp::from_epoch(n).map_err(Invalid::Epoch);
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

/// The text of a timestamp: `YYYY-MM-DDTHH:MM:SS`, then `.ffffff` unless the fraction is
/// zero, then nothing (naive), `Z` (UTC) or `+HH:MM` / `-HH:MM`. It is printed into a buffer
/// that keeps the date and time of the second it starts with for the next timestamp of the
/// same second: a log stamps many lines a second.
#[derive(Default)]
struct Text {
    /// The date and second of the day `text` starts with, and the length of that part.
    second: Option<(NaiveDate, u32, usize)>,
    text: String,
}

impl Text {
    /// `value` in decimal, zero-padded to `width` digits (more when it needs more).
    fn digits(&mut self, value: u32, width: usize) {
        match value {
            0..100 if width == 2 => self.pair(value),
            // Writing to a `String` cannot fail.
            _ => _ = write!(self.text, "{value:0width$}"),
        }
    }

    /// `value` (below 100) in two digits.
    #[inline]
    fn pair(&mut self, value: u32) {
        let at = 2 * value as usize;
        self.text.push_str(&DIGIT_PAIRS[at..at + 2]);
    }

    /// Prints `timestamp`, reusing the text of its second when the last one printed had it.
    fn print(&mut self, timestamp: &Timestamp) -> &str {
        let d = timestamp.datetime;
        let second = (d.date(), d.time().num_seconds_from_midnight());
        match self.second {
            Some((date, of_day, len)) if (date, of_day) == second => self.text.truncate(len),
            _ => {
                self.text.clear();
                self.date_and_second(d);
                self.second = Some((second.0, second.1, self.text.len()));
            }
        }
        let micros = d.nanosecond() / 1_000;
        if micros != 0 {
            self.text.push('.');
            // Six digits (seven in a leap second, which chrono counts past 999,999).
            match micros / 10_000 {
                high @ ..100 => self.pair(high),
                high => self.digits(high, 3),
            }
            self.pair(micros / 100 % 100);
            self.pair(micros % 100);
        }
        match timestamp.zone {
            Zone::Naive => {}
            Zone::Utc => self.text.push('Z'),
            Zone::Offset(offset) => {
                let secs = offset.local_minus_utc();
                self.text.push(if secs < 0 { '-' } else { '+' });
                let secs = secs.unsigned_abs();
                self.digits(secs / 3600, 2);
                self.text.push(':');
                self.digits((secs / 60) % 60, 2);
            }
        }
        &self.text
    }

    /// `YYYY-MM-DDTHH:MM:SS`: the date and time of `d` to the second.
    fn date_and_second(&mut self, d: NaiveDateTime) {
        let year = d.year();
        if year < 0 {
            // As `{:04}` prints it: the sign counts in the width.
            self.text.push('-');
            self.digits(year.unsigned_abs(), 3);
        } else {
            self.digits(year.unsigned_abs(), 4);
        }
        self.text.push('-');
        self.digits(d.month(), 2);
        self.text.push('-');
        self.digits(d.day(), 2);
        self.text.push('T');
        self.digits(d.hour(), 2);
        self.text.push(':');
        self.digits(d.minute(), 2);
        self.text.push(':');
        self.digits(d.second(), 2);
    }
}

impl Timestamp {
    /// Runs `f` on the text of the timestamp: the one way a timestamp is printed, for
    /// [`fmt::Display`] and for serialization. Each thread prints into one buffer; a timestamp
    /// printed from inside `f` (by a formatter's writer, say) gets a buffer of its own.
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        thread_local! {
            static TEXT: RefCell<Text> = const {
                RefCell::new(Text { second: None, text: String::new() })
            };
        }
        TEXT.with(|text| match text.try_borrow_mut() {
            Ok(mut text) => f(text.print(self)),
            Err(_) => f(Text::default().print(self)),
        })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_text(|text| f.write_str(text))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_text(|text| serializer.serialize_str(text))
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

#[cfg(test)]
mod tests;
