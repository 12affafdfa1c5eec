//! [`Insights`]: what all the steps of an app add up to — LLM calls, tokens, cost, and the
//! time spent per span name — read page by page through [`Store::steps_json`].
//!
//! What counts is told on [`Insights`].

use indexmap::IndexMap;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::format::{Timestamp, Zone};

use super::{MAX_PAGE, Order, StepQuery, Store, StoreError};

/// Most span names [`Insights::spans`] keeps (1,000): spans of further names are counted in
/// [`Insights::spans_left_out`] only, so that a log of ever new names cannot grow the answer
/// without bound.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{Insights, MAX_SPAN_NAMES};
/// assert!(Insights::default().spans.len() <= MAX_SPAN_NAMES);
/// ```
pub const MAX_SPAN_NAMES: usize = 1_000;

/// The time of the spans of one name.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::SpanTime;
/// let t = SpanTime::default();
/// assert_eq!((t.count, t.open, t.total_ms, t.max_ms), (0, 0, 0.0, 0.0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SpanTime {
    /// Spans of this name, open ones included.
    pub count: u64,
    /// Their time, in milliseconds (closed spans only).
    pub total_ms: f64,
    /// The longest one, in milliseconds (0 when none is closed).
    pub max_ms: f64,
    /// Those without an `end_entry`.
    pub open: u64,
}

/// What an app's steps add up to.
///
/// The sums are those of the UI's Insights tab (`ui/js/insights.js`), over every step rather
/// than the steps a page has loaded:
///
/// - A step's attributes whose key starts with `gen_ai.` are grouped by the span they were
///   logged in (the step itself for those logged outside a span). Within a group the last
///   value of a key counts.
/// - A group is one LLM call when it has `gen_ai.operation.name` (any value), or a numeric
///   input or output token count. Input tokens are `gen_ai.usage.input_tokens`, else
///   `gen_ai.usage.prompt_tokens` (the name Apache Burr's Insights reads); output tokens are
///   `gen_ai.usage.output_tokens`, else `gen_ai.usage.completion_tokens`. A value that is not
///   a JSON number counts as absent.
/// - The cost is the sum of the numeric `gen_ai.usage.cost` of the calls; `None` when no call
///   has one.
/// - Per span name: how many spans, their total and longest time in milliseconds (a span
///   that ends before it starts counts 0 in the total), and how many are still open (no
///   `end_entry`; they count in `count` but add no time). Times are read as the UI reads them:
///   naive times as UTC, so that the difference of two naive times is right.
///
/// Serialized as `{"steps": N, "llm_calls": N, "input_tokens": number,
/// "output_tokens": number, "cost": number|null, "spans": [{"name", "count", "total_ms",
/// "max_ms", "open"}, ...], "spans_left_out": N}`, the spans longest in total first (first
/// seen first among equals); whole numbers are written as integers.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::{Insights, Store};
/// let root = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
/// std::fs::write(root.path().join("p/app/log.jsonl"), concat!(
///     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"ask","inputs":{},"sequence_id":0}"#, "\n",
///     r#"{"type":"begin_span","start_time":"2024-01-01T00:00:00.100","action_sequence_id":0,"span_id":"0:0","span_name":"llm","parent_span_id":null,"span_dependencies":[]}"#, "\n",
///     r#"{"type":"attribute","key":"gen_ai.usage.input_tokens","action_sequence_id":0,"span_id":"0:0","value":30,"tags":{}}"#, "\n",
///     r#"{"type":"attribute","key":"gen_ai.usage.cost","action_sequence_id":0,"span_id":"0:0","value":0.25,"tags":{}}"#, "\n",
///     r#"{"type":"end_span","end_time":"2024-01-01T00:00:00.350","action_sequence_id":0,"span_id":"0:0"}"#, "\n",
/// )).unwrap();
/// let sums = Insights::of_app(&Store::new(root.path()), "p", "app").unwrap();
/// assert_eq!((sums.steps, sums.llm_calls, sums.input_tokens), (1, 1, 30.0));
/// assert_eq!(sums.cost, Some(0.25));
/// assert_eq!(sums.spans["llm"].total_ms, 250.0);
/// let json = serde_json::to_value(&sums).unwrap();
/// assert_eq!(json["spans"][0]["name"], "llm");
/// assert_eq!(json["output_tokens"], 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Insights {
    /// Steps added up.
    pub steps: u64,
    /// LLM calls among them.
    pub llm_calls: u64,
    /// Input (prompt) tokens of the calls.
    pub input_tokens: f64,
    /// Output (completion) tokens of the calls.
    pub output_tokens: f64,
    /// The calls' cost, when at least one has one.
    pub cost: Option<f64>,
    /// Per span name, in the order the names were first seen (at most [`MAX_SPAN_NAMES`]).
    pub spans: IndexMap<String, SpanTime>,
    /// Spans whose name did not fit in `spans`.
    pub spans_left_out: u64,
}

impl Insights {
    /// The sums over every step of `app_id` in `project` that the log holds when the call
    /// starts, read [`MAX_PAGE`] steps at a time.
    ///
    /// # Errors
    ///
    /// Those of [`Store::steps_json`]: [`StoreError::AppNotFound`] for an unknown app, ...
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{Insights, Store, StoreError};
    /// let root = tempfile::tempdir().unwrap();
    /// let store = Store::new(root.path());
    /// std::fs::create_dir(root.path().join("p")).unwrap();
    /// let err = Insights::of_app(&store, "p", "missing").unwrap_err();
    /// assert!(matches!(err, StoreError::AppNotFound { .. }));
    /// ```
    pub fn of_app(store: &Store, project: &str, app_id: &str) -> Result<Insights, StoreError> {
        let mut sums = Insights::default();
        let Some(last) = store.log_status(project, app_id)?.last_sequence_id else {
            return Ok(sums);
        };
        let mut from = Some(0);
        while let Some(at) = from {
            from = sums.add_steps(store, project, app_id, at, last)?;
        }
        Ok(sums)
    }

    /// Adds the steps of `app_id` in `project` whose sequence ids are in `from..=to`, up to
    /// [`MAX_PAGE`] of them (fewer when they are more JSON than [`Store::max_response`]).
    /// Returns the sequence id to go on from, or `None` when the range is done: calling it
    /// until then adds every step of the range once, each call bounded in time and memory.
    ///
    /// # Errors
    ///
    /// Those of [`Store::steps_json`].
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{Insights, Store};
    /// let root = tempfile::tempdir().unwrap();
    /// std::fs::create_dir_all(root.path().join("p/app")).unwrap();
    /// std::fs::write(root.path().join("p/app/log.jsonl"), concat!(
    ///     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"a","inputs":{},"sequence_id":0}"#, "\n",
    ///     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:01","action":"a","inputs":{},"sequence_id":1}"#, "\n",
    /// )).unwrap();
    /// let mut sums = Insights::default();
    /// let next = sums.add_steps(&Store::new(root.path()), "p", "app", 1, 1).unwrap();
    /// assert_eq!((sums.steps, next), (1, None));
    /// ```
    pub fn add_steps(
        &mut self,
        store: &Store,
        project: &str,
        app_id: &str,
        from: u64,
        to: u64,
    ) -> Result<Option<u64>, StoreError> {
        let query = StepQuery {
            from: Some(from),
            to: Some(to),
            limit: MAX_PAGE,
            order: Order::Ascending,
        };
        let page = store.steps_json(project, app_id, &query)?;
        let page: Page = serde_json::from_str(&page).map_err(|err| StoreError::Malformed {
            path: [project, app_id, crate::layout::LOG_FILE].iter().collect(),
            message: format!("cannot read back a page of its steps: {err}"),
        })?;
        for step in &page.steps {
            self.add(step);
        }
        // `next` only ever moves forward; the guard keeps a loop over it finite regardless.
        Ok(page.next.filter(|&next| next > from && next <= to))
    }

    fn add(&mut self, step: &Step) {
        self.steps += 1;
        // Per span id ("" for the step itself), in the order first seen.
        let mut calls: IndexMap<&str, Call> = IndexMap::new();
        for attribute in &step.attributes {
            if !attribute.key.starts_with("gen_ai.") {
                continue;
            }
            let call = calls
                .entry(attribute.span_id.as_deref().unwrap_or(""))
                .or_default();
            let value = Some(attribute.value);
            match attribute.key.as_str() {
                "gen_ai.operation.name" => call.operation = true,
                "gen_ai.usage.input_tokens" => call.input = value,
                "gen_ai.usage.prompt_tokens" => call.prompt = value,
                "gen_ai.usage.output_tokens" => call.output = value,
                "gen_ai.usage.completion_tokens" => call.completion = value,
                "gen_ai.usage.cost" => call.cost = value,
                _ => {}
            }
        }
        for call in calls.values() {
            let input = number(call.input).or(number(call.prompt));
            let output = number(call.output).or(number(call.completion));
            if !call.operation && input.is_none() && output.is_none() {
                continue;
            }
            self.llm_calls += 1;
            self.input_tokens += input.unwrap_or(0.0);
            self.output_tokens += output.unwrap_or(0.0);
            if let Some(cost) = number(call.cost) {
                *self.cost.get_or_insert(0.0) += cost;
            }
        }
        for span in &step.spans {
            let name = &span.begin_entry.span_name;
            let at = match self.spans.get_index_of(name) {
                Some(at) => at,
                None if self.spans.len() < MAX_SPAN_NAMES => {
                    self.spans.insert_full(name.clone(), SpanTime::default()).0
                }
                None => {
                    self.spans_left_out += 1;
                    continue;
                }
            };
            let row = &mut self.spans[at];
            row.count += 1;
            match &span.end_entry {
                Some(end) => {
                    let ms = (micros(&end.end_time) - micros(&span.begin_entry.start_time)) as f64
                        / 1000.0;
                    row.total_ms += ms.max(0.0);
                    row.max_ms = row.max_ms.max(ms);
                }
                None => row.open += 1,
            }
        }
    }
}

/// The values of one LLM call's attributes that count (`None`: not logged).
#[derive(Default)]
struct Call {
    operation: bool,
    input: Option<Value>,
    prompt: Option<Value>,
    output: Option<Value>,
    completion: Option<Value>,
    cost: Option<Value>,
}

fn number(value: Option<Value>) -> Option<f64> {
    match value {
        Some(Value::Number(n)) => Some(n),
        _ => None,
    }
}

/// Microseconds since the epoch, a naive time read as UTC (as the UI reads it).
fn micros(time: &Timestamp) -> i64 {
    let wall = time.datetime().and_utc().timestamp_micros();
    match time.zone() {
        Zone::Offset(offset) => wall - i64::from(offset.local_minus_utc()) * 1_000_000,
        Zone::Naive | Zone::Utc => wall,
    }
}

// --------------------------------------------------------------- what is read of a page

/// The part of a page of [`Store::steps_json`] that counts.
#[derive(Deserialize)]
struct Page {
    steps: Vec<Step>,
    next: Option<u64>,
}

#[derive(Deserialize)]
struct Step {
    #[serde(default)]
    spans: Vec<Span>,
    #[serde(default)]
    attributes: Vec<Attribute>,
}

#[derive(Deserialize)]
struct Span {
    begin_entry: BeginSpan,
    end_entry: Option<EndSpan>,
}

#[derive(Deserialize)]
struct BeginSpan {
    span_name: String,
    start_time: Timestamp,
}

#[derive(Deserialize)]
struct EndSpan {
    end_time: Timestamp,
}

#[derive(Deserialize)]
struct Attribute {
    key: String,
    span_id: Option<String>,
    #[serde(default)]
    value: Value,
}

/// An attribute's value as far as the sums go: a number, or anything else (not kept, so
/// that a large value costs no memory).
#[derive(Clone, Copy, Default)]
enum Value {
    Number(f64),
    #[default]
    Other,
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(if v.is_finite() {
                    Value::Number(v)
                } else {
                    Value::Other
                })
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Other)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Value::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Value::Other)
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

// ------------------------------------------------------------------------------ the answer

/// A sum as JSON: a whole number as an integer (`12`, not `12.0`), else as it is.
struct Num(f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Below 2^53 every whole f64 is an exact i64.
        if self.0.fract() == 0.0 && self.0.abs() < 9_007_199_254_740_992.0 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

struct SpanRows<'a>(&'a IndexMap<String, SpanTime>);

impl Serialize for SpanRows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut rows: Vec<(&String, &SpanTime)> = self.0.iter().collect();
        // Stable: names of equal time stay in the order first seen.
        rows.sort_by(|a, b| b.1.total_ms.total_cmp(&a.1.total_ms));
        let mut seq = serializer.serialize_seq(Some(rows.len()))?;
        for (name, time) in rows {
            seq.serialize_element(&SpanRow { name, time })?;
        }
        seq.end()
    }
}

struct SpanRow<'a> {
    name: &'a str,
    time: &'a SpanTime,
}

impl Serialize for SpanRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("name", self.name)?;
        map.serialize_entry("count", &self.time.count)?;
        map.serialize_entry("total_ms", &Num(self.time.total_ms))?;
        map.serialize_entry("max_ms", &Num(self.time.max_ms))?;
        map.serialize_entry("open", &self.time.open)?;
        map.end()
    }
}

impl Serialize for Insights {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("steps", &self.steps)?;
        map.serialize_entry("llm_calls", &self.llm_calls)?;
        map.serialize_entry("input_tokens", &Num(self.input_tokens))?;
        map.serialize_entry("output_tokens", &Num(self.output_tokens))?;
        map.serialize_entry("cost", &self.cost.map(Num))?;
        map.serialize_entry("spans", &SpanRows(&self.spans))?;
        map.serialize_entry("spans_left_out", &self.spans_left_out)?;
        map.end()
    }
}
