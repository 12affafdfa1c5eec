//! The lines of a log (and of `children.jsonl`): read whole and tolerantly, or backwards from
//! the end.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::confined::{self, RootPath};
use crate::format::{ChildApplicationModel, LineProbe, LogRecord, RecordError, RecordKind};

use super::{MAX_CHILDREN_FILE, MAX_LINE, ReadError, begun_step, read_capped};

/// How many skipped lines [`LogRead::problems`] describes (the rest are only counted).
///
/// # Examples
///
/// ```
/// use burr_tracking::read::{parse_log, MAX_REPORTED_PROBLEMS};
/// let log = parse_log("oops\n".repeat(500).as_bytes());
/// assert_eq!(log.skipped, 500);
/// assert_eq!(log.problems.len(), MAX_REPORTED_PROBLEMS);
/// ```
pub const MAX_REPORTED_PROBLEMS: usize = 100;

/// A line that was skipped, and why.
///
/// # Examples
///
/// ```
/// let log = burr_tracking::read::parse_log(b"{\"type\":\"end_span\"}\n");
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
/// let log = burr_tracking::read::parse_log(b"\n{\"type\":\"custom\"}\r\nnot json\n");
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
    // The check alone is much quicker than the lossy conversion's: it answers for most lines.
    if std::str::from_utf8(line).is_ok() {
        return Cow::Borrowed(line);
    }
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
/// let log = burr_tracking::read::parse_log(bytes);
/// assert_eq!(log.records.len(), 1);
/// assert_eq!(log.skipped, 0);
/// ```
pub fn parse_log(bytes: &[u8]) -> LogRead {
    let mut out = LogRead::default();
    for_each_line(bytes, |number, line| {
        if is_blank(line) {
            return;
        }
        match LogRecord::from_lossy_line(line) {
            Ok(record) => out.records.push(record),
            Err(e) => out.skip(number, e),
        }
    });
    out
}

/// Reads and parses a whole `log.jsonl` (see [`parse_log`]), line by line: only a regular
/// file is read, and a line longer than [`MAX_LINE`] is passed over and reported as
/// [`RecordError::TooLong`].
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("log.jsonl");
/// std::fs::write(&path, "")?;
/// assert!(burr_tracking::read::read_log(&path)?.records.is_empty());
/// assert!(burr_tracking::read::read_log(dir.path()).is_err()); // a folder is not a log
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_log(path: &Path) -> Result<LogRead, ReadError> {
    read_log_from(confined::open_regular(path)?, path)
}

/// Size of the reads made by [`read_log_from`].
const READ_CHUNK: usize = 1 << 20;

/// Reads the records of an opened log, line by line, within [`MAX_LINE`] per line.
pub(crate) fn read_log_from(file: impl Read, path: &Path) -> Result<LogRead, ReadError> {
    let mut out = LogRead::default();
    let mut lines = BoundedLines::new(file, MAX_LINE);
    while let Some((number, line)) = lines.next_line().map_err(|e| ReadError::io(path, e))? {
        match line {
            None => out.skip(number, RecordError::TooLong { limit: MAX_LINE }),
            Some(line) if is_blank(line) => {}
            Some(line) => match LogRecord::from_lossy_line(line) {
                Ok(record) => out.records.push(record),
                Err(e) => out.skip(number, e),
            },
        }
    }
    Ok(out)
}

/// A line's 1-based number and its bytes (`None` when it was longer than the budget).
pub(crate) type NumberedLine<'a> = (usize, Option<&'a [u8]>);

/// The lines of a reader, front to back, none kept longer than a budget.
pub(crate) struct BoundedLines<R> {
    reader: R,
    limit: usize,
    /// `buf[start..]` is read and not returned yet.
    buf: Vec<u8>,
    start: usize,
    number: usize,
    eof: bool,
}

impl<R: Read> BoundedLines<R> {
    pub(crate) fn new(reader: R, limit: usize) -> Self {
        BoundedLines {
            reader,
            limit,
            buf: Vec::new(),
            start: 0,
            number: 0,
            eof: false,
        }
    }

    /// Reads more bytes after what is buffered; `false` at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let at = self.buf.len();
        self.buf.resize(at + READ_CHUNK, 0);
        let n = loop {
            match self.reader.read(&mut self.buf[at..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(at);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(at + n);
        Ok(n > 0)
    }

    /// The next line (1-based number, bytes without the `\n`), `None` for the bytes when the
    /// line is longer than the budget (it is passed over), `None` at the end of the input.
    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<NumberedLine<'_>>> {
        let mut searched = 0;
        let mut too_long = false;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start + searched..]) {
                let end = self.start + searched + i;
                let line_start = self.start;
                self.start = end + 1;
                self.number += 1;
                if too_long || end - line_start > self.limit {
                    return Ok(Some((self.number, None)));
                }
                return Ok(Some((self.number, Some(&self.buf[line_start..end]))));
            }
            if self.buf.len() - self.start > self.limit {
                // Past the budget: drop what is held, and look for the end of the line.
                too_long = true;
                self.buf.clear();
                self.start = 0;
            }
            searched = self.buf.len() - self.start;
            if self.eof || !self.fill()? {
                self.eof = true;
                if self.start == self.buf.len() && !too_long {
                    return Ok(None);
                }
                let line_start = self.start;
                self.start = self.buf.len();
                self.number += 1;
                if too_long {
                    return Ok(Some((self.number, None)));
                }
                return Ok(Some((self.number, Some(&self.buf[line_start..]))));
            }
        }
    }
}

/// Reads a file's lines from the last to the first, in blocks, so that looking at the end of
/// a long log costs the same as looking at the end of a short one.
#[derive(Debug)]
pub(crate) struct ReverseLines {
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
    /// Whether the bytes being searched belong to a line longer than [`MAX_LINE`], which is
    /// passed over without being kept.
    discarding: bool,
    block: u64,
}

const BLOCK: u64 = 64 * 1024;

impl ReverseLines {
    /// Opens a file named by a caller for reading backwards (a regular file only).
    #[cfg(test)]
    pub(crate) fn open(path: &Path) -> Result<Self, ReadError> {
        Self::from_file(confined::open_regular(path)?, path)
    }

    /// Reads an opened file backwards (`path` names it in errors).
    pub(crate) fn from_file(file: File, path: &Path) -> Result<Self, ReadError> {
        let len = file.metadata().map_err(|e| ReadError::io(path, e))?.len();
        Ok(ReverseLines {
            file,
            path: path.to_path_buf(),
            buf_start: len,
            buf: Vec::new(),
            end: 0,
            started: false,
            done: false,
            discarding: false,
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

    /// The previous line (without its `\n`), or `None` at the start of the file; the line is
    /// borrowed from the reader's buffer until the next call. A file ending in `\n` has no
    /// empty last line.
    pub(crate) fn next_line(&mut self) -> Result<Option<&[u8]>, ReadError> {
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
                if std::mem::take(&mut self.discarding) {
                    searched = 0;
                    continue;
                }
                return Ok(Some(&self.buf[i + 1..line_end]));
            }
            if self.buf_start == 0 {
                self.done = true;
                let line_end = self.end;
                self.end = 0;
                if self.discarding {
                    return Ok(None);
                }
                return Ok(Some(&self.buf[..line_end]));
            }
            if self.end > MAX_LINE {
                // A line longer than the budget: forget it, and look for its start.
                self.discarding = true;
                self.end = 0;
            }
            searched = self.end;
            self.fill()?;
        }
    }
}

/// The `sequence_id` a line gives Burr's step count, read backwards from the end of a log:
///
/// - a `begin_entry` gives its step's sequence id when it begins a step by the rule of
///   [`begun_step`] (it reads as a record); one the reader drops gives none;
/// - an `end_entry` gives none: its step is counted by its `begin_entry` (without one, the
///   step is not shown);
/// - any other line with a `type` gives its top-level integer `sequence_id`, as in Burr (a
///   record of an unknown kind with one is counted; known kinds have none);
/// - a line that is not a JSON object with a `type` gives none (the reader drops it).
///
/// On a log as writers write it (each step's lines after its `begin_entry`) this is Burr's
/// count; where lines are dropped, the count stays that of the steps shown.
fn counted_sequence_id(line: &[u8]) -> Option<u64> {
    let probe = LineProbe::read(line).ok()?;
    match probe.record_kind() {
        Some(RecordKind::BeginEntry) => begun_step(line).ok().flatten(),
        Some(RecordKind::EndEntry) => None,
        _ if probe.has_type() => probe.sequence_id(),
        _ => None,
    }
}

/// The number of steps of a log as Burr's server counts it: the last line (from the end)
/// that has a top-level `sequence_id` gives `sequence_id + 1`; spans, attributes and stream
/// events have none and are passed over; a log without any gives 0.
///
/// Unlike Burr's server, the count follows what the reader shows: a `begin_entry` the reader drops (an invalid timestamp, a torn
/// line) and the `end_entry` after it are passed over, so the count is the last step shown
/// plus one. Lines whose `sequence_id` is not an integer are passed over too, where Burr's
/// server fails.
///
/// The file is read backwards in blocks, so the cost does not depend on the log's length.
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("log.jsonl");
/// std::fs::write(&path, concat!(
///     r#"{"type":"begin_entry","start_time":"2024-01-01","action":"a","inputs":{},"sequence_id":4}"#, "\n",
///     r#"{"type":"end_span","end_time":"2024-01-01","action_sequence_id":4,"span_id":"4:0"}"#, "\n",
///     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:61","action":"a","inputs":{},"sequence_id":5}"#, "\n",
///     r#"{"type":"end_entry","end_ti"#,
/// ))?;
/// // Step 5 began with an invalid time: the reader drops it, and so does the count.
/// assert_eq!(burr_tracking::read::num_steps(&path)?, 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn num_steps(path: &Path) -> Result<u64, ReadError> {
    num_steps_in(confined::open_regular(path)?, path)
}

/// [`num_steps`] of an opened log.
pub(crate) fn num_steps_in(file: File, path: &Path) -> Result<u64, ReadError> {
    let mut lines = ReverseLines::from_file(file, path)?;
    while let Some(line) = lines.next_line()? {
        if is_blank(line) {
            continue;
        }
        if let Some(n) = counted_sequence_id(line) {
            return Ok(n.saturating_add(1));
        }
    }
    Ok(0)
}

/// The lines of a `children.jsonl`, and what could not be read.
///
/// # Examples
///
/// ```
/// let c = burr_tracking::read::parse_children(b"{\"type\":\"child_application_data\"}\n");
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
/// let c = burr_tracking::read::parse_children(line);
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

/// Reads `children.jsonl`; a missing file means no children. Only a regular file is read,
/// within [`MAX_CHILDREN_FILE`].
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let c = burr_tracking::read::read_children(&dir.path().join("children.jsonl"))?;
/// assert!(c.children.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_children(path: &Path) -> Result<ChildrenRead, ReadError> {
    match confined::open_regular(path) {
        Ok(file) => Ok(parse_children(&read_capped(file, MAX_CHILDREN_FILE, path)?)),
        Err(e) if e.is_not_found() => Ok(ChildrenRead::default()),
        Err(e) => Err(e),
    }
}

/// [`read_children`] of a `children.jsonl` under the root.
pub(crate) fn read_children_at(at: &RootPath) -> Result<ChildrenRead, ReadError> {
    match at.open_file() {
        Ok(file) => Ok(parse_children(&read_capped(
            file,
            MAX_CHILDREN_FILE,
            &at.full(),
        )?)),
        Err(e) if e.is_not_found() => Ok(ChildrenRead::default()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::read::steps_from_records;
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
        while let Some(l) = lines.next_line().unwrap().map(<[u8]>::to_vec) {
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
            "a\nbb\n\nccc".into(),
            "a\r\nb".into(),
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
    fn a_missing_file_cannot_be_read_backwards() {
        let err = ReverseLines::open(Path::new("/no/such/file")).unwrap_err();
        assert!(err.is_not_found());
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
        check("{\"type\":\"x\",\"sequence_id\":\"3\"}\r\n\n\n", 4);
        check(
            "{\"type\":\"x\",\"sequence_id\":2}\n{\"type\":\"x\",\"sequence_id\":null}\n",
            3,
        );
        check(
            "{\"type\":\"x\",\"sequence_id\":2}\n[1]\n{\"a\":\"\u{1}\"}\n{\"sequence_id\":",
            3,
        );
        // What the reader drops is not counted: a line without `type`, a `begin_entry` whose
        // time is invalid, and the `end_entry` of a step without a `begin_entry`.
        let begin = |seq: u64, time: &str| {
            format!(
                "{{\"type\":\"begin_entry\",\"start_time\":\"{time}\",\"action\":\"a\",\"inputs\":{{}},\"sequence_id\":{seq}}}\n"
            )
        };
        let end = |seq: u64| {
            format!(
                "{{\"type\":\"end_entry\",\"end_time\":\"2024-01-01\",\"action\":\"a\",\"result\":null,\"exception\":null,\"state\":{{}},\"sequence_id\":{seq}}}\n"
            )
        };
        check(
            &format!(
                "{}{}{{\"sequence_id\":7}}\n",
                begin(0, "2024-01-01"),
                end(0)
            ),
            1,
        );
        for bad in ["2024-01-01T00:00:60", "2024-13-01", "later", ""] {
            let log = format!(
                "{}{}{}{}",
                begin(0, "2024-01-01"),
                end(0),
                begin(1, bad),
                end(1)
            );
            check(&log, 1);
            check(&format!("{log}{}", begin(2, "2024-01-02T10:11:12")), 3);
        }
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
            let _ = counted_sequence_id(&content);
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
            while let Some(line) = lines.next_line().unwrap() {
                if let Some(n) = counted_sequence_id(line) {
                    found = n + 1;
                    break;
                }
            }
            proptest::prop_assert_eq!(found, expected);
        }
    }
}
