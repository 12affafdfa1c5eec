//! A log's records grouped into steps, exactly as Burr's server groups them.

use std::collections::{BTreeMap, HashMap};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::format::{
    AttributeModel, BeginEntryModel, BeginSpanModel, BeginStreamModel, EndEntryModel, EndSpanModel,
    EndStreamModel, FirstItemStreamModel, LogRecord, RecordError,
};

/// A span of a step: its `begin_span` and, once it closed, its `end_span`.
///
/// # Examples
///
/// ```
/// use burr_tracking::read::Span;
/// let span: Span = serde_json::from_str(r#"{"begin_entry":{"type":"begin_span","start_time":"2024-01-01","action_sequence_id":0,"span_id":"0:0","span_name":"s","parent_span_id":null,"span_dependencies":[]},"end_entry":null}"#).unwrap();
/// assert!(span.end_entry.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// The span's `begin_span`.
    pub begin_entry: BeginSpanModel,
    /// The span's `end_span`, if it closed.
    pub end_entry: Option<EndSpanModel>,
}

/// A stream event of a step.
///
/// # Examples
///
/// ```
/// use burr_tracking::read::StreamEvent;
/// let e: StreamEvent = serde_json::from_str(r#"{"type":"end_stream","action_sequence_id":6,"span_id":null,"end_time":"2024-01-01T00:00:00Z","items_streamed":3}"#).unwrap();
/// assert!(matches!(e, StreamEvent::End(ref end) if end.items_streamed == 3));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum StreamEvent {
    /// `begin_stream`.
    Begin(BeginStreamModel),
    /// `first_item_stream`.
    FirstItem(FirstItemStreamModel),
    /// `end_stream`.
    End(EndStreamModel),
}

impl<'de> Deserialize<'de> for StreamEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match LogRecord::deserialize(d)? {
            LogRecord::BeginStream(e) => Ok(StreamEvent::Begin(e)),
            LogRecord::FirstItemStream(e) => Ok(StreamEvent::FirstItem(e)),
            LogRecord::EndStream(e) => Ok(StreamEvent::End(e)),
            other => Err(serde::de::Error::custom(format!(
                "expected a stream event, found a `{}` record",
                other.type_name()
            ))),
        }
    }
}

/// One step of an application as Burr's server shows it (its `Step` schema).
///
/// # Examples
///
/// ```
/// use burr_tracking::read::{parse_log, steps_from_records};
/// let log = parse_log(br#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":0}"#);
/// let steps = steps_from_records(log.records);
/// let json = serde_json::to_value(&steps[0]).unwrap();
/// assert_eq!(json["step_end_log"], serde_json::Value::Null); // still running
/// assert_eq!(json["spans"], serde_json::json!([]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The step's `begin_entry` (the last one, if several share the sequence id).
    pub step_start_log: BeginEntryModel,
    /// The step's `end_entry`, or `None` while it runs.
    pub step_end_log: Option<EndEntryModel>,
    /// Spans with a `begin_span`, in order of first appearance of their span id.
    pub spans: Vec<Span>,
    /// Attributes with this step's `action_sequence_id`, in file order.
    pub attributes: Vec<AttributeModel>,
    /// Stream events with this step's `action_sequence_id`, in file order.
    pub streaming_events: Vec<StreamEvent>,
}

#[derive(Default)]
struct PartialStep {
    start: Option<BeginEntryModel>,
    end: Option<EndEntryModel>,
    spans: Vec<Span>,
    streaming_events: Vec<StreamEvent>,
}

/// The step a log line begins, by the one rule every count of steps in this crate follows
/// (the server's step count and index, the newest page read from a log's end, and
/// [`num_steps`](super::num_steps)): a line begins step `n` when it is a `begin_entry` that
/// reads as a record with sequence id `n`.
///
/// The reader drops a line it cannot read (a `begin_entry` whose `start_time` is no time, or
/// that misses a key), and [`steps_from_records`] drops a step without a `begin_entry`, so a
/// count that took such a line would count a step that no answer shows.
///
/// `Ok(None)` for a line that reads but is not a `begin_entry`; the reader's error for a line
/// that does not read.
pub(crate) fn begun_step(line: &[u8]) -> Result<Option<u64>, RecordError> {
    if let Some(seq) = plain_begin(line).or_else(|| crate::format::begin_sequence_id(line)) {
        return Ok(Some(seq));
    }
    match LogRecord::from_lossy_line(line)? {
        LogRecord::BeginEntry(entry) => Ok(Some(entry.sequence_id)),
        _ => Ok(None),
    }
}

/// The sequence id of a `begin_entry` in the one shape writers give it,
/// `{"type":"begin_entry","start_time":"T","action":"A","inputs":{...},"sequence_id":N}` (then
/// JSON whitespace only), whose `T` reads as a [`Timestamp`](crate::format::Timestamp) and
/// whose inputs pass the strict scan ([`object_len`](crate::format::object_len)): such a line
/// reads as a record, so [`begun_step`] gives `N` without parsing it (a tight loop writes
/// millions of them). `None` for any other line, which the parse decides on.
fn plain_begin(line: &[u8]) -> Option<u64> {
    /// The bytes of a JSON string without escapes up to its closing quote, and the rest.
    fn plain_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
        let end = bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        (bytes[end] == b'"').then(|| (&bytes[..end], &bytes[end + 1..]))
    }
    let line = line.trim_ascii_end();
    let rest = line.strip_prefix(br#"{"type":"begin_entry","start_time":""#)?;
    let (time, rest) = plain_string(rest)?;
    let rest = rest.strip_prefix(br#","action":""#)?;
    let (_action, rest) = plain_string(rest)?;
    let rest = rest.strip_prefix(br#","inputs":"#)?;
    let inputs = crate::format::object_len(rest)?;
    let digits = rest[inputs..]
        .strip_prefix(br#","sequence_id":"#)?
        .strip_suffix(b"}")?;
    if digits.len() > 1 && digits[0] == b'0' {
        return None;
    }
    let seq = crate::format::decimal_u64(digits)?;
    crate::format::Timestamp::reads_as_timestamp(time).then_some(seq)
}

/// Groups log records into steps exactly as Burr's server does (`Step.from_logs`):
///
/// - `begin_entry` / `end_entry` are grouped by `sequence_id`; the last of each wins;
/// - a `begin_span` (re)starts its span, dropping an `end_span` seen before it; an `end_span`
///   closes its span; spans keep the order in which their id first appeared; a span is
///   attached to the step of its begin's `action_sequence_id`, and spans that never began
///   are dropped;
/// - attributes and stream events attach to the step of their `action_sequence_id`, in file
///   order (an attribute whose span is unknown still attaches to its step);
/// - unknown records are ignored;
/// - steps without a `begin_entry` are dropped, and steps come out sorted by sequence id.
///
/// # Examples
///
/// ```
/// use burr_tracking::read::{parse_log, steps_from_records};
/// let log = parse_log(concat!(
///     r#"{"type":"end_entry","end_time":"2024-01-01","action":"x","result":null,"exception":null,"state":{},"sequence_id":0}"#, "\n",
///     r#"{"type":"begin_entry","start_time":"2024-01-01","action":"b","inputs":{},"sequence_id":2}"#, "\n",
///     r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":1}"#, "\n",
///     r#"{"type":"end_span","end_time":"2024-01-01","action_sequence_id":1,"span_id":"1:0"}"#, "\n",
/// ).as_bytes());
/// let steps = steps_from_records(log.records);
/// // Step 0 has no begin_entry; the orphan end_span is dropped.
/// assert_eq!(steps.iter().map(|s| s.step_start_log.sequence_id).collect::<Vec<_>>(), [1, 2]);
/// assert!(steps[0].spans.is_empty());
/// ```
pub fn steps_from_records(records: impl IntoIterator<Item = LogRecord>) -> Vec<Step> {
    let mut steps: BTreeMap<u64, PartialStep> = BTreeMap::new();
    let mut spans: IndexMap<String, (Option<BeginSpanModel>, Option<EndSpanModel>)> =
        IndexMap::new();
    let mut attributes: HashMap<u64, Vec<AttributeModel>> = HashMap::new();
    for record in records {
        match record {
            LogRecord::BeginEntry(b) => {
                let seq = b.sequence_id;
                steps.entry(seq).or_default().start = Some(b);
            }
            LogRecord::EndEntry(e) => {
                let seq = e.sequence_id;
                steps.entry(seq).or_default().end = Some(e);
            }
            LogRecord::BeginSpan(b) => {
                spans.insert(b.span_id.clone(), (Some(b), None));
            }
            LogRecord::EndSpan(e) => {
                let id = e.span_id.clone();
                spans.entry(id).or_default().1 = Some(e);
            }
            LogRecord::Attribute(a) => attributes.entry(a.action_sequence_id).or_default().push(a),
            LogRecord::BeginStream(e) => steps
                .entry(e.action_sequence_id)
                .or_default()
                .streaming_events
                .push(StreamEvent::Begin(e)),
            LogRecord::FirstItemStream(e) => steps
                .entry(e.action_sequence_id)
                .or_default()
                .streaming_events
                .push(StreamEvent::FirstItem(e)),
            LogRecord::EndStream(e) => steps
                .entry(e.action_sequence_id)
                .or_default()
                .streaming_events
                .push(StreamEvent::End(e)),
            LogRecord::Unknown(_) => {}
        }
    }
    for (begin, end) in spans.into_values() {
        let Some(begin) = begin else { continue };
        if let Some(step) = steps.get_mut(&begin.action_sequence_id) {
            step.spans.push(Span {
                begin_entry: begin,
                end_entry: end,
            });
        }
    }
    steps
        .into_iter()
        .filter_map(|(seq, step)| {
            Some(Step {
                step_start_log: step.start?,
                step_end_log: step.end,
                spans: step.spans,
                attributes: attributes.remove(&seq).unwrap_or_default(),
                streaming_events: step.streaming_events,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_plain_begin_entry_is_read_as_the_parse_reads_it() {
        let full = |line: &str| match LogRecord::from_lossy_line(line.as_bytes()) {
            Ok(LogRecord::BeginEntry(entry)) => Some(entry.sequence_id),
            _ => None,
        };
        let mut lines = Vec::new();
        for time in [
            "2026-12-03T15:24:28.381818",
            "2026-12-03T15:24:60",
            "2026-12-03",
            "x",
            "",
            "2026-12-03T15:24:28Z",
            "2026-12-03T15:24:28+01:00",
        ] {
            for action in ["increment", "", "a b é", "q\\\"x", "tab\there"] {
                for seq in [
                    "0",
                    "7",
                    "007",
                    "18446744073709551615",
                    "18446744073709551616",
                    "-1",
                    "1.0",
                    "",
                ] {
                    lines.push(format!(
                        r#"{{"type":"begin_entry","start_time":"{time}","action":"{action}","inputs":{{}},"sequence_id":{seq}}}"#
                    ));
                }
            }
        }
        let base = lines[1].clone();
        lines.extend([
            format!("{base}\n"),
            format!("{base} \r\n"),
            format!(" {base}"),
            format!("{base}x"),
            base.replace("{}", r#"{"a":1}"#),
            base.replace("{}", r#"{"a":[1,{"b":"c\u00e9\n"}],"x":null,"y":-0.5}"#),
            base.replace("{}", r#"{"a":1e400}"#),
            base.replace("{}", r#"{"a":"\ud800"}"#),
            base.replace("{}", r#"{"a":}"#),
            base.replace("{}", r#"{"a":1,}"#),
            base.replace("{}", r#"{"a":1"#),
            base.replace("{}", r#"[1]"#),
            base.replace("{}", r#"{"a":1} "#),
            base.replace(r#""type":"begin_entry""#, r#""type": "begin_entry""#),
            base.replace(r#"}}"#, "}"),
            base.replacen('}', "} ", 1),
        ]);
        let mut fast = 0;
        for line in &lines {
            let plain = plain_begin(line.as_bytes());
            if plain.is_some() {
                fast += 1;
                assert_eq!(plain, full(line), "{line}");
            }
            assert_eq!(
                begun_step(line.as_bytes()).ok().flatten(),
                full(line),
                "{line}"
            );
        }
        assert!(fast > 20, "{fast} lines read without the parse");
    }

    use super::*;
    use crate::read::parse_log;

    #[test]
    fn spans_follow_from_logs() {
        let log = parse_log(
            concat!(
                r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":0}"#, "\n",
                r#"{"type":"end_span","end_time":"2024-01-01","action_sequence_id":0,"span_id":"0:1"}"#, "\n",
                r#"{"type":"begin_span","start_time":"2024-01-01","action_sequence_id":0,"span_id":"0:0","span_name":"a","parent_span_id":null,"span_dependencies":[]}"#, "\n",
                r#"{"type":"begin_span","start_time":"2024-01-01","action_sequence_id":0,"span_id":"0:1","span_name":"b","parent_span_id":null,"span_dependencies":[]}"#, "\n",
                r#"{"type":"end_span","end_time":"2024-01-01","action_sequence_id":0,"span_id":"0:0"}"#, "\n",
                r#"{"type":"begin_span","start_time":"2024-01-01","action_sequence_id":7,"span_id":"7:0","span_name":"c","parent_span_id":null,"span_dependencies":[]}"#, "\n",
                r#"{"type":"attribute","key":"k","action_sequence_id":0,"span_id":"0:9","value":1,"tags":{}}"#, "\n",
            )
            .as_bytes(),
        );
        assert_eq!(log.skipped, 0, "{:?}", log.problems);
        let steps = steps_from_records(log.records);
        assert_eq!(steps.len(), 1);
        let ids: Vec<_> = steps[0]
            .spans
            .iter()
            .map(|s| s.begin_entry.span_id.as_str())
            .collect();
        // "0:1" appeared first (its end_span), then "0:0"; the begin erased 0:1's end.
        assert_eq!(ids, ["0:1", "0:0"]);
        assert!(steps[0].spans[0].end_entry.is_none());
        assert!(steps[0].spans[1].end_entry.is_some());
        assert_eq!(steps[0].attributes.len(), 1);
    }
}
