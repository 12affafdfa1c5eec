//! The newest page of a log read from its end, for a server that has not indexed the log yet.
//!
//! A page of the newest steps needs the lines of those steps and the step count. The lines are
//! at the end of the log; the count is known from its two ends when the log is laid out as
//! every writer appends it: the first line begins the first step, and each step's lines follow
//! its `begin_entry`, steps one after the other with consecutive sequence ids (a forked app
//! starts at a later one). The count is then the last sequence id minus the first, plus one.
//!
//! [`newest_page`] reads the first line and, backwards, the lines of the newest steps plus
//! one, and answers only when what it read has that layout:
//!
//! - every line read is a record (no malformed or torn line but an unfinished last one, which
//!   the index too leaves for later), none longer than [`MAX_LINE`];
//! - the first non-blank line of the log is a `begin_entry`;
//! - the `begin_entry` lines read (those of the page, of the step after it and of up to
//!   [`EXTRA_STEPS`] more before, as far as the bytes read hold them) have consecutive
//!   sequence ids, and every other line read belongs to the step begun last (no step's lines
//!   interleave with another's, no sequence id comes twice);
//! - the line just before them, and lines sampled evenly through the part not read, belong to
//!   steps between the first and the oldest one read, in ascending order;
//! - in the part not read, the `begin_entry` lines are those of every step between the first
//!   and the oldest one read, once each and in order: a scan at memory speed that does not
//!   parse the lines (see `scan`; a few milliseconds per 100 MB from the OS's page cache)
//!   finds them. This is what makes the step count exact: a step missing, a sequence id
//!   logged twice (a run resumed or restarted under the same app id) or a torn `begin_entry`
//!   all show there.
//!
//! Anything else (and any read error) gives `None`, and the caller indexes the whole log.
//! What the checks do not see is taken on trust: a line of one of the newest steps far back in
//! the log with no `begin_entry` of its own next to it (no writer appends so), a
//! `begin_entry` spelled unlike the first line's, or, past [`MAX_SCAN`] bytes not read, the
//! layout of the part not read beyond the samples. The full index, read in the background,
//! answers every request after it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use crate::confined::RootPath;
use crate::read::{MAX_LINE, is_blank};

use super::build::{StepArray, build_steps};
use super::lines::{LineKeys, probe};
use super::scan::{MAX_SCAN, begins_between, prefix_of};

/// Bytes read at the start of the log to find its first line.
const HEAD_BYTES: usize = 64 << 10;
/// Bytes of the first read from the end (each further read doubles what is held).
const FIRST_BLOCK: usize = 256 << 10;
/// Lines sampled in the part of the log not read.
const SAMPLES: u64 = 32;
/// Bytes read at each sample.
const SAMPLE_BYTES: usize = 16 << 10;
/// Steps before the page's checked as well, when their bytes are held already.
const EXTRA_STEPS: usize = 64;
/// Most lines looked at before the newest steps to find the step before them.
const BEFORE_LINES: usize = 64;

/// What is known of the start of a log, up to a line start: how many steps the lines before
/// `offset` begin and the sequence id of the last of them. The index knows it of what it read;
/// a tail answer knows it of the lines before those it read ([`TailPage::known`]), so that the
/// next answer scans only what was appended since (see [`newest_page`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::server) struct Known {
    /// A line start of the log, past its first line.
    pub(in crate::server) offset: u64,
    /// Steps begun before `offset`.
    pub(in crate::server) begun: usize,
    /// The sequence id of the last step begun before `offset` (the largest).
    pub(in crate::server) last: u64,
}

/// The newest page of steps of a log, read from its end (see the [module](self)).
#[derive(Debug)]
pub(in crate::server) struct TailPage {
    /// The page's sequence ids, newest first.
    seqs: Vec<u64>,
    /// The sequence id after the page (the next older step), if any.
    next: Option<u64>,
    /// Steps with a `begin_entry` in the log.
    total: usize,
    /// Bytes of the log the index would have read.
    log_size: u64,
    /// The JSON of the page's steps (none for a step whose lines make no step).
    json: HashMap<u64, Arc<str>>,
    /// What the lines before those read begin, when the log was not read whole.
    known: Option<Known>,
}

impl TailPage {
    /// The page's sequence ids, newest first.
    pub(in crate::server) fn seqs(&self) -> &[u64] {
        &self.seqs
    }

    /// The sequence id of the next older step, if any.
    pub(in crate::server) fn next(&self) -> Option<u64> {
        self.next
    }

    /// Steps with a `begin_entry` in the log.
    pub(in crate::server) fn total(&self) -> usize {
        self.total
    }

    /// Bytes of the log read (as the index counts them).
    pub(in crate::server) fn log_size(&self) -> u64 {
        self.log_size
    }

    /// The sequence id of the newest step, if any.
    pub(in crate::server) fn newest(&self) -> Option<u64> {
        self.seqs.first().copied().or(self.next)
    }

    /// What the lines before those read begin (checked by this answer), when the log was not
    /// read whole: the next answer may start its scan there.
    pub(in crate::server) fn known(&self) -> Option<Known> {
        self.known
    }

    /// Keeps the page's steps from `from` on (what the index answers for the newest steps
    /// down to `from`): the page's sequence ids below it go, and `next` too when below it.
    pub(in crate::server) fn keep_from(&mut self, from: u64) {
        self.seqs.retain(|&seq| seq >= from);
        self.next = self.next.filter(|&next| next >= from);
    }

    /// The JSON array of the page's steps within `max_bytes`, and how many it covers (as
    /// [`AppIndex::steps_json`](super::AppIndex::steps_json) does).
    pub(in crate::server) fn steps_json(&self, max_bytes: usize) -> (String, usize) {
        let mut out = StepArray::new(max_bytes);
        for seq in &self.seqs {
            if !out.push(self.json.get(seq).map(|json| &**json)) {
                break;
            }
        }
        out.finish()
    }
}

/// Why a tail answer was not given.
enum Stop {
    /// The log is not laid out as the tail answer needs, or it is past the budget.
    Unsafe,
    /// The log could not be read.
    Io,
}

impl From<io::Error> for Stop {
    fn from(_: io::Error) -> Self {
        Stop::Io
    }
}

type Scan<T> = Result<T, Stop>;

/// The `limit` newest steps of `log`, the step count and the log's size, from its end, when
/// the lines read show the layout of the [module](self)'s checks; `None` when they do not,
/// when the log cannot be read, or when more than `budget` bytes would be held.
///
/// With `known` (what the index read, or what an earlier answer checked), the part not read is
/// checked from the latest of them that lies before the lines read, not from the log's first
/// line: the scan then costs what was appended since, and the count starts from theirs. The
/// lines of at least `depth` steps are read (and checked), whatever the `limit`, so that
/// answers of any size read back about as far: the start each one checked lies before the
/// lines the next one reads once the log grew.
pub(in crate::server) fn newest_page(
    log: &RootPath,
    (limit, depth): (usize, usize),
    budget: usize,
    known: &[Known],
) -> Option<TailPage> {
    let mut file = log.open_file().ok()?;
    read_page(log, &mut file, (limit, depth), budget, known).ok()
}

fn read_page(
    log: &RootPath,
    file: &mut File,
    (limit, depth): (usize, usize),
    budget: usize,
    known: &[Known],
) -> Scan<TailPage> {
    let reach = limit.max(depth);
    let len = file.metadata()?.len();
    let (head_start, head_end, first, prefix) = first_line(file, len)?;
    let mut back = Backward {
        file,
        buf: Vec::new(),
        start: len,
        budget,
    };

    // The bytes after the last newline: a record being written, used when complete (as the
    // index does), else left out of the log's size.
    let mut lines: Vec<(u64, u64, LineKeys)> = Vec::new();
    let mut cursor = back.line_start(len, len)?;
    let mut log_size = len;
    if cursor < len {
        let rest = back.slice(cursor, len);
        if rest.len() > MAX_LINE {
            return Err(Stop::Unsafe);
        }
        match (!is_blank(rest)).then(|| probe(rest).ok()).flatten() {
            Some(keys) if keys.step.is_some() => lines.push((cursor, len, keys)),
            Some(_) => {}
            None => log_size = cursor,
        }
    }

    // Lines backwards until `reach + 1` steps began (the one more past the page is its
    // `next`), then up to `EXTRA_STEPS` more among the bytes already held, checked the same way.
    let mut begins = 0;
    while begins <= reach + EXTRA_STEPS && cursor > head_start {
        let start = if begins <= reach {
            back.line_start(cursor, cursor - 1)?
        } else {
            match back.held_line_start(cursor - 1) {
                Some(start) => start,
                None => break,
            }
        };
        let end = cursor;
        cursor = start;
        let Some(keys) = back.keys(start, end)? else {
            continue;
        };
        if keys.step.is_some() {
            lines.push((start, end, keys));
            begins += usize::from(keys.begins);
        }
    }
    lines.reverse();
    // The extra steps may stop inside a step: its lines are left with the part not read.
    let begun_at = lines
        .iter()
        .position(|(_, _, keys)| keys.begins)
        .ok_or(Stop::Unsafe)?;
    if begun_at > 0 && cursor > head_start {
        cursor = lines[begun_at].0;
        lines.drain(..begun_at);
    }

    // In file order: consecutive steps, each line after its step's begin_entry.
    let mut ids: Vec<u64> = Vec::new();
    let mut current: Option<u64> = None;
    for &(_, _, keys) in &lines {
        let seq = keys.step.ok_or(Stop::Unsafe)?;
        if keys.begins {
            if current.is_some_and(|c| c.checked_add(1) != Some(seq)) {
                return Err(Stop::Unsafe);
            }
            current = Some(seq);
            ids.push(seq);
        } else if current != Some(seq) {
            return Err(Stop::Unsafe);
        }
    }
    let oldest = *ids.first().ok_or(Stop::Unsafe)?;
    // The latest start known that lies before the lines read (else the log's first line).
    let from = known
        .iter()
        .filter(|k| k.offset >= head_end && k.offset <= cursor && k.begun > 0)
        .max_by_key(|k| k.offset)
        .copied()
        .unwrap_or(Known {
            offset: head_end,
            begun: 1,
            last: first,
        });
    let total = if cursor <= head_start {
        // The whole log was read.
        if oldest != first {
            return Err(Stop::Unsafe);
        }
        ids.len()
    } else {
        if oldest <= from.last {
            return Err(Stop::Unsafe);
        }
        check_unread(&mut back, from.offset, cursor, from.last, oldest)?;
        // Every step in between began, once and in order.
        if cursor - from.offset <= MAX_SCAN {
            let prefix = prefix.ok_or(Stop::Unsafe)?;
            if !begins_between(log, from.offset, cursor, prefix, (from.last, oldest)) {
                return Err(Stop::Unsafe);
            }
        }
        let between = usize::try_from(oldest - from.last - 1).map_err(|_| Stop::Unsafe)?;
        from.begun + between + ids.len()
    };
    let known = (cursor > head_start).then(|| Known {
        offset: cursor,
        begun: total - ids.len(),
        last: oldest - 1,
    });

    let seqs: Vec<u64> = ids.iter().rev().take(limit).copied().collect();
    let next = ids.iter().rev().nth(limit).copied();
    // Each step's lines, in file order, each ending with a newline (as the index reads them).
    let mut inputs: HashMap<u64, Vec<u8>> = seqs.iter().map(|&seq| (seq, Vec::new())).collect();
    for &(start, end, keys) in &lines {
        if let Some(bytes) = keys.step.and_then(|seq| inputs.get_mut(&seq)) {
            bytes.extend_from_slice(back.slice(start, end));
            if bytes.last() != Some(&b'\n') {
                bytes.push(b'\n');
            }
        }
    }
    let json = build_steps(inputs.into_iter().collect())
        .into_iter()
        .filter_map(|(seq, json, _)| Some((seq, json?)))
        .collect();
    Ok(TailPage {
        seqs,
        next,
        total,
        log_size,
        json,
        known,
    })
}

/// The first non-blank line of the log, `(start, end, sequence id, spelling of its start)`,
/// when it is a complete `begin_entry` within the first [`HEAD_BYTES`].
fn first_line(file: &mut File, len: u64) -> Scan<(u64, u64, u64, Option<&'static [u8]>)> {
    let want = usize::try_from(len.min(HEAD_BYTES as u64)).map_err(|_| Stop::Unsafe)?;
    let mut head = vec![0; want];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut head)?;
    let mut at = 0;
    while let Some(nl) = memchr::memchr(b'\n', &head[at..]) {
        let line = &head[at..at + nl + 1];
        if !is_blank(line) {
            let keys = probe(line).map_err(|_| Stop::Unsafe)?;
            return match keys.step {
                Some(seq) if keys.begins => Ok((
                    at as u64,
                    (at + nl + 1) as u64,
                    seq,
                    prefix_of(line.trim_ascii_start()),
                )),
                _ => Err(Stop::Unsafe),
            };
        }
        at += nl + 1;
    }
    Err(Stop::Unsafe)
}

/// Checks the part of the log not read, `from..to` (both at line starts): the line before `to`
/// that has a step and lines sampled evenly through the part must belong to steps in
/// `first..oldest`, in ascending order.
fn check_unread(back: &mut Backward<'_>, from: u64, to: u64, first: u64, oldest: u64) -> Scan<()> {
    let in_range = |seq: u64| (first..oldest).contains(&seq);
    let mut last = first;
    if to > from {
        let span = to - from;
        let mut window = vec![0; SAMPLE_BYTES];
        for i in 1..=SAMPLES {
            let at = from + span * i / (SAMPLES + 1);
            let n = usize::try_from((to - at).min(SAMPLE_BYTES as u64)).map_err(|_| Stop::Io)?;
            back.file.seek(SeekFrom::Start(at))?;
            back.file.read_exact(&mut window[..n])?;
            let bytes = &window[..n];
            // The first line that starts inside the window and ends in it.
            let Some(nl) = memchr::memchr(b'\n', bytes) else {
                continue;
            };
            let Some(end) = memchr::memchr(b'\n', &bytes[nl + 1..]) else {
                continue;
            };
            let line = &bytes[nl + 1..nl + 2 + end];
            if is_blank(line) {
                continue;
            }
            let keys = probe(line).map_err(|_| Stop::Unsafe)?;
            if let Some(seq) = keys.step {
                if !in_range(seq) || seq < last {
                    return Err(Stop::Unsafe);
                }
                last = seq;
            }
        }
    }
    // The step just before the newest ones.
    let mut cursor = to;
    for _ in 0..BEFORE_LINES {
        if cursor <= from {
            break;
        }
        let start = back.line_start(cursor, cursor - 1)?;
        let end = cursor;
        cursor = start;
        if let Some(seq) = back.keys(start, end)?.and_then(|keys| keys.step) {
            if !in_range(seq) || seq < last {
                return Err(Stop::Unsafe);
            }
            return Ok(());
        }
    }
    Ok(())
}

/// The end of a log, read backwards into one buffer.
struct Backward<'f> {
    file: &'f mut File,
    /// The bytes `start..` of the log, up to the length it had when opened.
    buf: Vec<u8>,
    start: u64,
    /// Most bytes held.
    budget: usize,
}

impl Backward<'_> {
    /// Bytes `from..to` of the log (held already).
    fn slice(&self, from: u64, to: u64) -> &[u8] {
        let at = |pos: u64| usize::try_from(pos - self.start).unwrap_or(usize::MAX);
        &self.buf[at(from)..at(to)]
    }

    /// The keys of the line `from..to` (ending with its newline); `None` for a blank line.
    fn keys(&self, from: u64, to: u64) -> Scan<Option<LineKeys>> {
        let line = self.slice(from, to);
        if line.len() > MAX_LINE + 1 {
            return Err(Stop::Unsafe);
        }
        if is_blank(line) {
            return Ok(None);
        }
        probe(line).map(Some).map_err(|_| Stop::Unsafe)
    }

    /// Where the line that ends before `search_end` starts: just after the last newline before
    /// `search_end`, or 0.
    fn line_start(&mut self, end: u64, search_end: u64) -> Scan<u64> {
        loop {
            if search_end >= self.start {
                let upto = usize::try_from(search_end - self.start).map_err(|_| Stop::Unsafe)?;
                if let Some(nl) = memchr::memrchr(b'\n', &self.buf[..upto]) {
                    return Ok(self.start + nl as u64 + 1);
                }
            }
            if self.start == 0 {
                return Ok(0);
            }
            if end - self.start > MAX_LINE as u64 + 1 {
                return Err(Stop::Unsafe);
            }
            self.extend()?;
        }
    }

    /// Where the line that ends before `search_end` starts, when the bytes held tell.
    fn held_line_start(&self, search_end: u64) -> Option<u64> {
        let upto = usize::try_from(search_end.checked_sub(self.start)?).ok()?;
        match memchr::memrchr(b'\n', &self.buf[..upto]) {
            Some(nl) => Some(self.start + nl as u64 + 1),
            None => (self.start == 0).then_some(0),
        }
    }

    /// Reads as many bytes again as are held (at least [`FIRST_BLOCK`]) before them.
    fn extend(&mut self) -> Scan<()> {
        let want = (self.buf.len().max(FIRST_BLOCK) as u64).min(self.start);
        let want = usize::try_from(want).map_err(|_| Stop::Unsafe)?;
        if self.buf.len() + want > self.budget {
            return Err(Stop::Unsafe);
        }
        let start = self.start - want as u64;
        let mut block = vec![0; want + self.buf.len()];
        self.file.seek(SeekFrom::Start(start))?;
        self.file.read_exact(&mut block[..want])?;
        block[want..].copy_from_slice(&self.buf);
        self.buf = block;
        self.start = start;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(seq: u64) -> String {
        format!(
            concat!(
                r#"{{"type":"begin_entry","start_time":"2026-01-02","action":"a","inputs":{{}},"sequence_id":{seq}}}"#,
                "\n",
                r#"{{"type":"attribute","key":"k","action_sequence_id":{seq},"span_id":null,"value":1,"tags":{{}},"time_logged":"2026-01-02T00:00:00Z"}}"#,
                "\n",
                r#"{{"type":"end_entry","end_time":"2026-01-02","action":"a","result":{{}},"exception":null,"state":{{"n":{seq}}},"sequence_id":{seq}}}"#,
                "\n",
            ),
            seq = seq
        )
    }

    fn steps(seqs: impl IntoIterator<Item = u64>) -> String {
        seqs.into_iter().map(step).collect()
    }

    /// `(page, next, total, log_size)` answered from the end of `log`, if it is.
    fn tail(log: &str, limit: usize) -> Option<(Vec<u64>, Option<u64>, usize, u64)> {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("log.jsonl"), log).unwrap();
        let page = newest_page(
            &RootPath::new(root.path()).join("log.jsonl"),
            (limit, 0),
            1 << 20,
            &[],
        )?;
        assert_eq!(page.steps_json(usize::MAX).1, page.seqs().len());
        Some((
            page.seqs().to_vec(),
            page.next(),
            page.total(),
            page.log_size(),
        ))
    }

    #[test]
    fn a_log_as_writers_append_it_is_answered_from_its_end() {
        let log = steps(0..1_000);
        let len = log.len() as u64;
        assert_eq!(
            tail(&log, 3),
            Some((vec![999, 998, 997], Some(996), 1_000, len))
        );
        assert_eq!(tail(&log, 0), Some((vec![], Some(999), 1_000, len)));
        // A fork starts later; a short log is read whole.
        assert_eq!(tail(&steps(40..1_000), 1).map(|t| t.2), Some(960));
        assert_eq!(
            tail(&steps(5..7), 10),
            Some((vec![6, 5], None, 2, steps(5..7).len() as u64))
        );
        // An unfinished last line: used when complete, else left out of the size.
        let begun = steps(0..1_000)
            + r#"{"type":"begin_entry","start_time":"2026-01-02","action":"a","inputs":{},"sequence_id":1000}"#;
        assert_eq!(
            tail(&begun, 1),
            Some((vec![1_000], Some(999), 1_001, begun.len() as u64))
        );
        let torn = steps(0..1_000) + r#"{"type":"begin_en"#;
        assert_eq!(tail(&torn, 1).map(|t| (t.2, t.3)), Some((1_000, len)));
    }

    #[test]
    fn a_known_start_is_scanned_from_and_each_answer_tells_where_the_next_may_start() {
        let root = tempfile::tempdir().unwrap();
        let at = RootPath::new(root.path()).join("log.jsonl");
        let page = |log: &str, limit: usize, depth: usize, known: &[Known]| {
            std::fs::write(root.path().join("log.jsonl"), log).unwrap();
            newest_page(&at, (limit, depth), 1 << 20, known)
        };
        // What an index that read steps 0..300 knows.
        let read = steps(0..300);
        let index = Known {
            offset: read.len() as u64,
            begun: 300,
            last: 299,
        };
        let log = steps(0..2_000);
        let first = page(&log, 10, 100, &[index]).unwrap();
        assert_eq!(
            (first.total(), first.newest(), first.seqs().len()),
            (2_000, Some(1_999), 10)
        );
        assert_eq!(first.next(), Some(1_989));
        // It read at least 100 steps back and checked what lies before them.
        let ahead = first.known().unwrap();
        assert!(
            ahead.last < 1_899 && ahead.begun == ahead.last as usize + 1,
            "{ahead:?}"
        );
        assert_eq!(ahead.offset, steps(0..ahead.last + 1).len() as u64);
        // The log grows: the next answer starts from there (or from the index's start).
        let grown = steps(0..2_500);
        for known in [vec![index, ahead], vec![index], vec![]] {
            let next = page(&grown, 0, 100, &known).unwrap();
            assert_eq!(
                (next.total(), next.newest(), next.seqs().len()),
                (2_500, Some(2_499), 0)
            );
        }
        // A start past the lines read is not used; one that claims another count is believed
        // only as far as the scan agrees with it.
        let late = Known {
            offset: steps(0..2_450).len() as u64,
            begun: 2_450,
            last: 2_449,
        };
        assert_eq!(
            page(&grown, 0, 100, &[index, late]).map(|p| p.total()),
            Some(2_500)
        );
        let wrong = Known { last: 250, ..ahead };
        assert!(page(&grown, 0, 100, &[wrong]).is_none());
        // A step missing or logged again after the known start shows in the scan.
        let gap = steps(0..1_000) + &steps(1_001..2_500);
        assert!(page(&gap, 0, 100, &[index]).is_none());
        let again = steps(0..1_000) + &steps(200..2_500);
        assert!(page(&again, 0, 100, &[index]).is_none());
    }

    #[test]
    fn the_steps_checked_past_the_page_may_end_inside_a_step() {
        // Steps of about 4,000 bytes, most of them in the begin_entry: the first read ends inside
        // one of the steps before the page, after its begin_entry.
        let big = |seq: u64| {
            step(seq).replace(
                "\"inputs\":{}",
                &format!("\"inputs\":{{\"s\":\"{}\"}}", "x".repeat(3_500)),
            )
        };
        let log: String = (0..500).map(big).collect();
        assert_eq!(tail(&log, 20).map(|t| (t.1, t.2)), Some((Some(479), 500)));
    }

    #[test]
    fn other_layouts_are_left_to_the_index() {
        let log = steps(0..1_000);
        // Lines of two steps interleaved near the end.
        let mut lines: Vec<&str> = log.lines().collect();
        lines.swap(2_990, 2_993);
        assert_eq!(tail(&(lines.join("\n") + "\n"), 5), None);
        // A sequence id twice near the end, and a run restarted from 0.
        assert_eq!(tail(&(steps(0..1_000) + &steps(998..1_000)), 5), None);
        assert_eq!(tail(&(steps(0..1_000) + &steps(0..900)), 5), None);
        // A malformed line near the end, a log that does not begin with a step.
        assert_eq!(tail(&(steps(0..1_000) + "oops\n" + &step(1_000)), 5), None);
        assert_eq!(
            tail(
                &(step(0).lines().nth(1).unwrap().to_owned() + "\n" + &steps(1..1_000)),
                5
            ),
            None
        );
        // The step before the newest ones out of order.
        assert_eq!(
            tail(&(steps(0..990) + &steps(500..501) + &steps(990..1_000)), 5),
            None
        );
        // Far from the end: a step missing, one of the newest steps logged again, a run
        // resumed from an older step.
        assert_eq!(tail(&(steps(0..300) + &steps(301..1_000)), 5), None);
        assert_eq!(
            tail(&(steps(0..300) + &steps(998..999) + &steps(300..1_000)), 5),
            None
        );
        assert_eq!(tail(&(steps(0..300) + &steps(200..1_000)), 5), None);
        // Past the budget.
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("log.jsonl"), &log).unwrap();
        let at = RootPath::new(root.path()).join("log.jsonl");
        assert!(newest_page(&at, (900, 0), 1 << 16, &[]).is_none());
        assert!(
            newest_page(
                &RootPath::new(root.path()).join("missing"),
                (1, 0),
                1 << 20,
                &[]
            )
            .is_none()
        );
        assert_eq!(tail("", 5), None);
    }
}
