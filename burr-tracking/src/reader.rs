//! Reading a tracking directory back: projects, applications, their logs grouped into steps.
//!
//! The layout is `<root>/<project>/<app_id>/{graph.json, metadata.json, log.jsonl,
//! children.jsonl}` (see [`crate::format`]). Everything here is tolerant of damaged files: a
//! torn last line, blank lines, CRLF endings, invalid UTF-8 (replaced by U+FFFD), huge lines
//! and records with missing or wrongly typed keys are skipped and counted in
//! [`LogRead::skipped`]; nothing panics and one bad line never hides the rest of the log.
//!
//! Project and application ids are checked before any path is built (see
//! [`layout::app_dir`](crate::layout::app_dir)), so no id can point outside the root.
//!
//! # Examples
//!
//! ```
//! use burr_tracking::reader;
//!
//! let root = tempfile::tempdir()?;
//! let app = root.path().join("p").join("app-1");
//! std::fs::create_dir_all(&app)?;
//! std::fs::write(app.join("log.jsonl"), concat!(
//!     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"count","inputs":{},"sequence_id":0}"#, "\n",
//!     r#"{"type":"end_entry","end_time":"2024-01-01T00:00:01","action":"count","result":{},"exception":null,"state":{"n":1},"sequence_id":0}"#, "\n",
//!     r#"{"type":"begin_entry","start_ti"#,
//! ))?;
//!
//! let apps = reader::list_apps(root.path(), "p")?;
//! assert_eq!(apps[0].app_id, "app-1");
//! assert_eq!(apps[0].num_steps, 1);
//!
//! let log = reader::read_log(&app.join("log.jsonl"))?;
//! assert_eq!(log.skipped, 1); // the torn last line
//! let steps = reader::steps_from_records(log.records);
//! assert_eq!(steps.len(), 1);
//! assert_eq!(steps[0].step_end_log.as_ref().unwrap().state["n"], 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::format::{
    ApplicationMetadataModel, ApplicationModel, AttributeModel, BeginEntryModel, BeginSpanModel,
    BeginStreamModel, ChildApplicationModel, EndEntryModel, EndSpanModel, EndStreamModel,
    FirstItemStreamModel, LineProbe, LogRecord, RecordError,
};
use crate::layout::{
    CHILDREN_FILE, GRAPH_FILE, IdError, IdKind, LOG_FILE, METADATA_FILE, app_dir, project_dir,
    validate_id,
};

/// How many skipped lines [`LogRead::problems`] describes (the rest are only counted).
///
/// # Examples
///
/// ```
/// use burr_tracking::reader::{parse_log, MAX_REPORTED_PROBLEMS};
/// let log = parse_log("oops\n".repeat(500).as_bytes());
/// assert_eq!(log.skipped, 500);
/// assert_eq!(log.problems.len(), MAX_REPORTED_PROBLEMS);
/// ```
pub const MAX_REPORTED_PROBLEMS: usize = 100;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Errors of the reader.
///
/// # Examples
///
/// ```
/// let err = burr_tracking::reader::read_log(std::path::Path::new("/nonexistent/log.jsonl"))
///     .unwrap_err();
/// assert!(err.is_not_found());
/// assert!(err.to_string().contains("/nonexistent/log.jsonl"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A project or application id was rejected.
    #[error(transparent)]
    InvalidId(#[from] IdError),
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// `graph.json` or `metadata.json` is not valid.
    #[error("invalid {}: {source}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: serde_json::Error,
    },
}

impl ReadError {
    /// Whether the error is a missing file or directory.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::reader::num_steps;
    /// assert!(num_steps(std::path::Path::new("/no/such/log.jsonl")).unwrap_err().is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    fn io(path: &Path, source: io::Error) -> Self {
        ReadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------------

/// A line that was skipped, and why.
///
/// # Examples
///
/// ```
/// let log = burr_tracking::reader::parse_log(b"{\"type\":\"end_span\"}\n");
/// let problem = &log.problems[0];
/// assert_eq!(problem.line, 1);
/// assert!(problem.error.to_string().contains("span_id") || problem.error.to_string().contains("end_time"));
/// ```
#[derive(Debug)]
pub struct LineProblem {
    /// The 1-based line number.
    pub line: usize,
    /// Why the line was skipped.
    pub error: RecordError,
}

/// The records of a log, and what could not be read.
///
/// # Examples
///
/// ```
/// let log = burr_tracking::reader::parse_log(b"\n{\"type\":\"custom\"}\r\nnot json\n");
/// assert_eq!(log.records.len(), 1);
/// assert_eq!(log.skipped, 1); // blank lines are not counted
/// ```
#[derive(Debug, Default)]
pub struct LogRead {
    /// The records, in file order.
    pub records: Vec<LogRecord>,
    /// How many non-blank lines were skipped because they could not be read.
    pub skipped: usize,
    /// The first [`MAX_REPORTED_PROBLEMS`] skipped lines, with the reason.
    pub problems: Vec<LineProblem>,
}

impl LogRead {
    fn skip(&mut self, line: usize, error: RecordError) {
        self.skipped += 1;
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(LineProblem { line, error });
        }
    }
}

/// Whether a line holds only whitespace.
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// The line as UTF-8, invalid bytes replaced by U+FFFD (as Burr's server decodes).
pub(crate) fn lossy(line: &[u8]) -> Cow<'_, [u8]> {
    match String::from_utf8_lossy(line) {
        Cow::Borrowed(_) => Cow::Borrowed(line),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

/// Calls `f` with each line (1-based number, bytes without the `\n`).
fn for_each_line(bytes: &[u8], mut f: impl FnMut(usize, &[u8])) {
    let mut start = 0;
    let mut number = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        number += 1;
        if start <= end {
            f(number, &bytes[start..end]);
        }
        start = end + 1;
    }
}

/// Reads the records of a log held in memory (see the module docs for what is tolerated).
///
/// # Examples
///
/// ```
/// let bytes = b"{\"type\":\"end_span\",\"end_time\":\"2024-01-01\",\"action_sequence_id\":0,\"span_id\":\"0:0\",\"note\":\"\xff\"}\n";
/// let log = burr_tracking::reader::parse_log(bytes);
/// assert_eq!(log.records.len(), 1);
/// assert_eq!(log.skipped, 0);
/// ```
pub fn parse_log(bytes: &[u8]) -> LogRead {
    let mut out = LogRead::default();
    for_each_line(bytes, |number, line| {
        if is_blank(line) {
            return;
        }
        match LogRecord::from_json_line(&lossy(line)) {
            Ok(record) => out.records.push(record),
            Err(e) => out.skip(number, e),
        }
    });
    out
}

/// Reads and parses a whole `log.jsonl` (see [`parse_log`]).
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("log.jsonl");
/// std::fs::write(&path, "")?;
/// assert!(burr_tracking::reader::read_log(&path)?.records.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_log(path: &Path) -> Result<LogRead, ReadError> {
    let bytes = fs::read(path).map_err(|e| ReadError::io(path, e))?;
    Ok(parse_log(&bytes))
}

/// Reads a file's lines from the last to the first, in blocks, so that looking at the end of
/// a long log costs the same as looking at the end of a short one.
///
/// # Examples
///
/// ```
/// use burr_tracking::reader::ReverseLines;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("log.jsonl");
/// std::fs::write(&path, "a\nbb\n\nccc")?;
/// let mut lines = ReverseLines::open(&path)?;
/// let mut seen = Vec::new();
/// while let Some(line) = lines.next_line()? {
///     seen.push(String::from_utf8(line).unwrap());
/// }
/// assert_eq!(seen, ["ccc", "", "bb", "a"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ReverseLines {
    file: File,
    path: PathBuf,
    /// File offset of `buf[0]`.
    buf_start: u64,
    /// `buf[..end]` holds the bytes `[buf_start, buf_start + end)`, not yet returned.
    buf: Vec<u8>,
    end: usize,
    /// Whether the final line of the file (after the last `\n`) was dealt with.
    started: bool,
    done: bool,
    block: u64,
}

const BLOCK: u64 = 64 * 1024;

impl ReverseLines {
    /// Opens a file for reading backwards.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(burr_tracking::reader::ReverseLines::open(std::path::Path::new("/no/file")).is_err());
    /// ```
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        let file = File::open(path).map_err(|e| ReadError::io(path, e))?;
        let len = file.metadata().map_err(|e| ReadError::io(path, e))?.len();
        Ok(ReverseLines {
            file,
            path: path.to_path_buf(),
            buf_start: len,
            buf: Vec::new(),
            end: 0,
            started: false,
            done: false,
            block: BLOCK,
        })
    }

    #[cfg(test)]
    fn with_block(mut self, block: u64) -> Self {
        self.block = block.max(1);
        self
    }

    /// Reads the block before `buf_start` (at least as large as what is buffered, so a huge
    /// line costs linear time) and puts it in front of the unreturned bytes.
    fn fill(&mut self) -> Result<(), ReadError> {
        let want = self.block.max(self.end as u64).min(self.buf_start);
        let start = self.buf_start - want;
        let mut block = vec![0; want as usize];
        self.file
            .seek(SeekFrom::Start(start))
            .and_then(|_| self.file.read_exact(&mut block))
            .map_err(|e| ReadError::io(&self.path, e))?;
        block.extend_from_slice(&self.buf[..self.end]);
        self.end = block.len();
        self.buf = block;
        self.buf_start = start;
        Ok(())
    }

    /// The previous line (without its `\n`), or `None` at the start of the file. A file
    /// ending in `\n` has no empty last line.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::reader::ReverseLines;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("f");
    /// std::fs::write(&path, "x\n")?;
    /// let mut lines = ReverseLines::open(&path)?;
    /// assert_eq!(lines.next_line()?.as_deref(), Some(&b"x"[..]));
    /// assert_eq!(lines.next_line()?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_line(&mut self) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self.next_line_ref()?.map(<[u8]>::to_vec))
    }

    /// Like [`ReverseLines::next_line`], without copying the line: it is borrowed from the
    /// reader's buffer until the next call.
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::reader::ReverseLines;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("f");
    /// std::fs::write(&path, "a\r\nb")?;
    /// let mut lines = ReverseLines::open(&path)?;
    /// assert_eq!(lines.next_line_ref()?, Some(&b"b"[..]));
    /// assert_eq!(lines.next_line_ref()?, Some(&b"a\r"[..]));
    /// assert_eq!(lines.next_line_ref()?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_line_ref(&mut self) -> Result<Option<&[u8]>, ReadError> {
        if self.done {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            if self.buf_start == 0 {
                self.done = true;
                return Ok(None);
            }
            self.fill()?;
            // Drop the final `\n` so that it does not produce an empty last line.
            if self.buf[..self.end].last() == Some(&b'\n') {
                self.end -= 1;
            }
        }
        // The last `searched` bytes of `buf[..end]` are known to hold no `\n`.
        let mut searched = 0;
        loop {
            if let Some(i) = memchr::memrchr(b'\n', &self.buf[..self.end - searched]) {
                let line_end = self.end;
                self.end = i;
                return Ok(Some(&self.buf[i + 1..line_end]));
            }
            if self.buf_start == 0 {
                self.done = true;
                let line_end = self.end;
                self.end = 0;
                return Ok(Some(&self.buf[..line_end]));
            }
            searched = self.end;
            self.fill()?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Number of steps
// ---------------------------------------------------------------------------------------------

/// The top-level `sequence_id` of a line, when it has an integer one.
fn line_sequence_id(line: &[u8]) -> Option<u64> {
    LineProbe::read(line).ok()?.sequence_id()
}

/// The number of steps of a log as Burr's server counts it: the last line (from the end)
/// that has a top-level `sequence_id` gives `sequence_id + 1`; spans, attributes and stream
/// events have none and are passed over; a log without any gives 0.
///
/// The file is read backwards in blocks, so the cost does not depend on the log's length.
/// Lines that cannot be read (a torn last line) or whose `sequence_id` is not an integer
/// are passed over too, where Burr's server fails.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("log.jsonl");
/// std::fs::write(&path, concat!(
///     r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":4}"#, "\n",
///     r#"{"type":"end_span","end_time":"2024-01-01","action_sequence_id":4,"span_id":"4:0"}"#, "\n",
///     r#"{"type":"end_entry","end_ti"#,
/// ))?;
/// assert_eq!(burr_tracking::reader::num_steps(&path)?, 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn num_steps(path: &Path) -> Result<u64, ReadError> {
    let mut lines = ReverseLines::open(path)?;
    while let Some(line) = lines.next_line_ref()? {
        if is_blank(line) {
            continue;
        }
        if let Some(n) = line_sequence_id(line) {
            return Ok(n.saturating_add(1));
        }
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

/// A span of a step: its `begin_span` and, once it closed, its `end_span`.
///
/// # Examples
///
/// ```
/// use burr_tracking::reader::Span;
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
/// use burr_tracking::reader::StreamEvent;
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
/// use burr_tracking::reader::{parse_log, steps_from_records};
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
/// use burr_tracking::reader::{parse_log, steps_from_records};
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

// ---------------------------------------------------------------------------------------------
// graph.json, metadata.json, children.jsonl
// ---------------------------------------------------------------------------------------------

fn read_json_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ReadError> {
    let bytes = fs::read(path).map_err(|e| ReadError::io(path, e))?;
    serde_json::from_slice(&lossy(&bytes)).map_err(|source| ReadError::Invalid {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads `graph.json`. A missing file is an error ([`ReadError::is_not_found`]); missing
/// `type`, `inputs` or `optional_inputs` keys and extra keys are accepted.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("graph.json");
/// std::fs::write(&path, r#"{"entrypoint": "a", "actions": [], "transitions": [], "x": 1}"#)?;
/// assert_eq!(burr_tracking::reader::read_graph(&path)?.entrypoint, "a");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_graph(path: &Path) -> Result<ApplicationModel, ReadError> {
    read_json_file(path)
}

/// Reads `metadata.json`; a missing file gives the default (no partition key, no parents),
/// as in Burr's server. A wrongly typed key (`"partition_key": 5`) is an error.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("metadata.json");
/// assert_eq!(burr_tracking::reader::read_metadata(&path)?, Default::default());
/// std::fs::write(&path, r#"{"partition_key": 5}"#)?;
/// assert!(burr_tracking::reader::read_metadata(&path).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_metadata(path: &Path) -> Result<ApplicationMetadataModel, ReadError> {
    match read_json_file(path) {
        Err(e) if e.is_not_found() => Ok(ApplicationMetadataModel::default()),
        other => other,
    }
}

/// The lines of a `children.jsonl`, and what could not be read.
///
/// # Examples
///
/// ```
/// let c = burr_tracking::reader::parse_children(b"{\"type\":\"child_application_data\"}\n");
/// assert!(c.children.is_empty());
/// assert_eq!(c.skipped, 1);
/// ```
#[derive(Debug, Default)]
pub struct ChildrenRead {
    /// The children, in file order.
    pub children: Vec<ChildApplicationModel>,
    /// How many non-blank lines were skipped.
    pub skipped: usize,
    /// The first [`MAX_REPORTED_PROBLEMS`] skipped lines, with the reason.
    pub problems: Vec<LineProblem>,
}

/// Parses the content of a `children.jsonl` (tolerant, as [`parse_log`]).
///
/// # Examples
///
/// ```
/// let line = br#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"c","sequence_id":null,"partition_key":null},"event_time":"2026-11-22T00:29:44.403943","event_type":"spawn_start","sequence_id":1}"#;
/// let c = burr_tracking::reader::parse_children(line);
/// assert_eq!(c.children[0].child.app_id, "c");
/// ```
pub fn parse_children(bytes: &[u8]) -> ChildrenRead {
    let mut out = ChildrenRead::default();
    for_each_line(bytes, |number, line| {
        if is_blank(line) {
            return;
        }
        match serde_json::from_slice(&lossy(line)) {
            Ok(child) => out.children.push(child),
            Err(source) => {
                out.skipped += 1;
                if out.problems.len() < MAX_REPORTED_PROBLEMS {
                    let error = if source.is_data() {
                        RecordError::Invalid {
                            kind: "child_application_data".into(),
                            source,
                        }
                    } else {
                        RecordError::NotJson(source)
                    };
                    out.problems.push(LineProblem {
                        line: number,
                        error,
                    });
                }
            }
        }
    });
    out
}

/// Reads `children.jsonl`; a missing file means no children.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let c = burr_tracking::reader::read_children(&dir.path().join("children.jsonl"))?;
/// assert!(c.children.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_children(path: &Path) -> Result<ChildrenRead, ReadError> {
    match fs::read(path) {
        Ok(bytes) => Ok(parse_children(&bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ChildrenRead::default()),
        Err(e) => Err(ReadError::io(path, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// Projects and applications
// ---------------------------------------------------------------------------------------------

/// The inode change time (what Burr's server calls "created"), else the modification time.
pub(crate) fn changed_time(meta: &fs::Metadata) -> SystemTime {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (secs, nanos) = (meta.ctime(), meta.ctime_nsec());
        let at = if secs >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::new(secs as u64, nanos as u32))
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(std::time::Duration::from_secs(secs.unsigned_abs()))
        };
        if let Some(at) = at {
            return at;
        }
    }
    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)
}

/// A project: a directory under the root.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/app"))?;
/// let projects = burr_tracking::reader::list_projects(root.path())?;
/// assert_eq!(projects[0].name, "p");
/// assert_eq!(projects[0].num_entries, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectEntry {
    /// The project's name (its directory name).
    pub name: String,
    /// The project's directory.
    pub path: PathBuf,
    /// When the directory's inode last changed (Burr's "created").
    pub created: SystemTime,
    /// When the directory was last modified (Burr's "last_written").
    pub last_written: SystemTime,
    /// How many entries the directory holds, files included (Burr's `num_apps`).
    pub num_entries: usize,
}

/// The projects under `root`, most recently written first. A missing root has no projects;
/// entries that are not directories (or are symlinks), and names that are not valid project
/// ids or not UTF-8, are left out.
///
/// # Examples
///
/// ```
/// let missing = std::path::Path::new("/no/such/root");
/// assert!(burr_tracking::reader::list_projects(missing)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_projects(root: &Path) -> Result<Vec<ProjectEntry>, ReadError> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ReadError::io(root, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ReadError::io(root, e))?;
        let Some(name) = directory_name(&entry) else {
            continue;
        };
        if validate_id(IdKind::Project, &name).is_err() {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        let num_entries = fs::read_dir(&path).map(Iterator::count).unwrap_or(0);
        out.push(ProjectEntry {
            name,
            created: changed_time(&meta),
            last_written: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            num_entries,
            path,
        });
    }
    out.sort_by(|a, b| {
        b.last_written
            .cmp(&a.last_written)
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

fn directory_name(entry: &fs::DirEntry) -> Option<String> {
    let file_type = entry.file_type().ok()?;
    if !file_type.is_dir() {
        return None;
    }
    entry.file_name().into_string().ok()
}

/// An application of a project, as the application list shows it.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/a"))?;
/// let app = &burr_tracking::reader::list_apps(root.path(), "p")?[0];
/// assert!(!app.has_log && !app.has_graph);
/// assert_eq!(app.num_steps, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AppEntry {
    /// The application id (its directory name).
    pub app_id: String,
    /// The application's directory.
    pub path: PathBuf,
    /// `metadata.json` (the default when missing or invalid; see `metadata_error`).
    pub metadata: ApplicationMetadataModel,
    /// Why `metadata.json` could not be read, if it could not.
    pub metadata_error: Option<String>,
    /// When the directory's inode last changed (Burr's "first_written").
    pub first_written: SystemTime,
    /// When the directory was last modified (Burr's "last_written"; appending to the log
    /// does not change it).
    pub last_written: SystemTime,
    /// When `log.jsonl` was last modified (`last_written` when there is no log).
    pub log_modified: SystemTime,
    /// [`num_steps`] of the log (0 without a log).
    pub num_steps: u64,
    /// Whether `log.jsonl` exists.
    pub has_log: bool,
    /// Whether `graph.json` exists (Burr's server cannot show the app without it).
    pub has_graph: bool,
}

impl AppEntry {
    /// The application's partition key, from its metadata.
    ///
    /// # Examples
    ///
    /// ```
    /// let root = tempfile::tempdir()?;
    /// std::fs::create_dir_all(root.path().join("p/a"))?;
    /// std::fs::write(root.path().join("p/a/metadata.json"), r#"{"partition_key": "u1"}"#)?;
    /// let apps = burr_tracking::reader::list_apps(root.path(), "p")?;
    /// assert_eq!(apps[0].partition_key(), Some("u1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn partition_key(&self) -> Option<&str> {
        self.metadata.partition_key.as_deref()
    }
}

/// The applications of a project, most recently written first (directory mtime, as Burr's
/// server sorts; ties by id). Hidden entries, files and symlinks are left out. A missing
/// project has no applications. One damaged application never fails the list: a missing or
/// unreadable log counts 0 steps, bad metadata reads as the default with `metadata_error` set.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// assert!(burr_tracking::reader::list_apps(root.path(), "nope")?.is_empty());
/// assert!(burr_tracking::reader::list_apps(root.path(), "../x").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list_apps(root: &Path, project: &str) -> Result<Vec<AppEntry>, ReadError> {
    let dir = project_dir(root, project)?;
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ReadError::io(&dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| ReadError::io(&dir, e))?;
        let Some(app_id) = directory_name(&entry) else {
            continue;
        };
        if validate_id(IdKind::App, &app_id).is_err() {
            continue;
        }
        if let Some(app) = app_entry(entry.path(), app_id) {
            out.push(app);
        }
    }
    out.sort_by(|a, b| {
        b.last_written
            .cmp(&a.last_written)
            .then_with(|| a.app_id.cmp(&b.app_id))
    });
    Ok(out)
}

fn app_entry(path: PathBuf, app_id: String) -> Option<AppEntry> {
    let meta = fs::metadata(&path).ok()?;
    let last_written = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let (metadata, metadata_error) = match read_metadata(&path.join(METADATA_FILE)) {
        Ok(m) => (m, None),
        Err(e) => (ApplicationMetadataModel::default(), Some(e.to_string())),
    };
    let log = path.join(LOG_FILE);
    let log_meta = fs::metadata(&log).ok();
    Some(AppEntry {
        app_id,
        metadata,
        metadata_error,
        first_written: changed_time(&meta),
        last_written,
        log_modified: log_meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .unwrap_or(last_written),
        num_steps: if log_meta.is_some() {
            num_steps(&log).unwrap_or(0)
        } else {
            0
        },
        has_log: log_meta.is_some(),
        has_graph: path.join(GRAPH_FILE).is_file(),
        path,
    })
}

/// Everything Burr's server shows for one application.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// std::fs::create_dir_all(root.path().join("p/a"))?;
/// std::fs::write(root.path().join("p/a/log.jsonl"), "")?;
/// let app = burr_tracking::reader::read_app(root.path(), "p", "a")?;
/// assert!(app.graph.is_err() && app.steps.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AppLogs {
    /// `graph.json` (Burr's server answers 404 when it is missing).
    pub graph: Result<ApplicationModel, ReadError>,
    /// `metadata.json` (default when missing).
    pub metadata: Result<ApplicationMetadataModel, ReadError>,
    /// The steps of `log.jsonl` (none when it is missing).
    pub steps: Vec<Step>,
    /// Whether `log.jsonl` exists.
    pub has_log: bool,
    /// How many log lines were skipped, and why.
    pub log_problems: LogRead,
    /// `children.jsonl` (empty when missing).
    pub children: ChildrenRead,
}

/// Reads one application: graph, metadata, steps and children. Errors only when the ids are
/// invalid or the application's directory does not exist; damaged files are reported in the
/// result.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// let err = burr_tracking::reader::read_app(root.path(), "p", "missing").unwrap_err();
/// assert!(err.is_not_found());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_app(root: &Path, project: &str, app_id: &str) -> Result<AppLogs, ReadError> {
    let dir = app_dir(root, project, app_id)?;
    if !dir.is_dir() {
        return Err(ReadError::io(
            &dir,
            io::Error::new(io::ErrorKind::NotFound, "no such application"),
        ));
    }
    let (steps, has_log, log_problems) = match read_log(&dir.join(LOG_FILE)) {
        Ok(mut log) => {
            let records = std::mem::take(&mut log.records);
            (steps_from_records(records), true, log)
        }
        Err(e) if e.is_not_found() => (Vec::new(), false, LogRead::default()),
        Err(e) => return Err(e),
    };
    Ok(AppLogs {
        graph: read_graph(&dir.join(GRAPH_FILE)),
        metadata: read_metadata(&dir.join(METADATA_FILE)),
        steps,
        has_log,
        log_problems,
        children: read_children(&dir.join(CHILDREN_FILE))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Just;

    fn reverse_all(content: &[u8]) -> Vec<Vec<u8>> {
        reverse_all_with_block(content, BLOCK)
    }

    fn reverse_all_with_block(content: &[u8], block: u64) -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, content).unwrap();
        let mut lines = ReverseLines::open(&path).unwrap().with_block(block);
        let mut out = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            out.push(l);
        }
        out
    }

    #[test]
    fn reverse_lines_match_forward_lines() {
        let long = "x".repeat(200_000);
        let cases: Vec<String> = vec![
            String::new(),
            "\n".into(),
            "\n\n".into(),
            "a".into(),
            "a\n".into(),
            "a\nb".into(),
            format!("{long}\nb\n{long}"),
            format!("{long}\n"),
            (0..20_000).map(|i| format!("line {i}\n")).collect(),
        ];
        for case in cases {
            let mut forward: Vec<Vec<u8>> =
                case.split('\n').map(|l| l.as_bytes().to_vec()).collect();
            if case.ends_with('\n') || case.is_empty() {
                forward.pop();
            }
            forward.reverse();
            assert_eq!(
                reverse_all(case.as_bytes()),
                forward,
                "{:?}",
                &case[..case.len().min(20)]
            );
        }
    }

    #[test]
    fn num_steps_follows_burr() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        let check = |content: &str, expected: u64| {
            fs::write(&path, content).unwrap();
            assert_eq!(num_steps(&path).unwrap(), expected, "{content}");
        };
        check("", 0);
        check("{\"type\":\"x\"}\n", 0);
        check("{\"type\":\"x\",\"sequence_id\":99}\n", 100);
        check("{\"sequence_id\":\"3\"}\r\n\n\n", 4);
        check("{\"sequence_id\":2}\n{\"sequence_id\":null}\n", 3);
        check(
            "{\"sequence_id\":2}\n[1]\n{\"a\":\"\u{1}\"}\n{\"sequence_id\":",
            3,
        );
    }

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

    fn forward_reversed(content: &[u8]) -> Vec<Vec<u8>> {
        let mut forward: Vec<Vec<u8>> =
            content.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
        if content.ends_with(b"\n") || content.is_empty() {
            forward.pop();
        }
        forward.reverse();
        forward
    }

    proptest::proptest! {
        #[test]
        fn reverse_lines_agree_at_any_block_size(
            content in proptest::collection::vec(proptest::prop_oneof![Just(b'\n'), Just(b'a'), Just(b'{'), Just(0xffu8)], 0..400),
            block in 1u64..40,
        ) {
            proptest::prop_assert_eq!(reverse_all_with_block(&content, block), forward_reversed(&content));
        }

        #[test]
        fn arbitrary_bytes_never_panic(content in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let log = parse_log(&content);
            let non_blank = content.split(|b| *b == b'\n').filter(|l| !is_blank(l)).count();
            proptest::prop_assert_eq!(log.records.len() + log.skipped, non_blank);
            let _ = steps_from_records(log.records);
            let _ = parse_children(&content);
            let _ = line_sequence_id(&content);
        }

        #[test]
        fn num_steps_equals_the_last_sequence_id_plus_one(
            ids in proptest::collection::vec(proptest::option::of(0u64..1_000_000), 0..30),
            block in 1u64..64,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("log.jsonl");
            let mut content = String::new();
            for id in &ids {
                match id {
                    Some(id) => content.push_str(&format!("{{\"type\":\"x\",\"sequence_id\":{id}}}\n")),
                    None => content.push_str("{\"type\":\"attribute\",\"action_sequence_id\":1}\n"),
                }
            }
            fs::write(&path, &content).unwrap();
            let expected = ids.iter().rev().find_map(|id| *id).map_or(0, |id| id + 1);
            proptest::prop_assert_eq!(num_steps(&path).unwrap(), expected);
            // The same walk with a tiny block size.
            let mut lines = ReverseLines::open(&path).unwrap().with_block(block);
            let mut found = 0;
            while let Some(line) = lines.next_line_ref().unwrap() {
                if let Some(n) = line_sequence_id(line) {
                    found = n + 1;
                    break;
                }
            }
            proptest::prop_assert_eq!(found, expected);
        }
    }
}
