//! The index of one application's log: where each step's lines are in the file, read
//! incrementally as the log grows (in bounded turns when read in the background), and each
//! step's JSON once built.
//!
//! The lines are probed (`lines`) and steps built from them (`build`) here; before the index
//! has read a log to its end, or when the log went far past what it read, the newest page can
//! be read from the log's end instead (`tail`, checked by a scan of the `begin_entry` lines in
//! `scan` from the log's start or from a start known, [`Known`]), giving the answer the index
//! would give.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::confined::RootPath;
use crate::format::RecordError;
use crate::read::{MAX_LINE, ReadError, is_blank};

use super::store::{LogStatus, StoreError};

mod build;
mod lines;
mod scan;
mod tail;

use build::{StepArray, build_steps};
use lines::{LineKeys, probe, probe_lines};
pub(super) use tail::{Known, TailPage, newest_page};

/// Size of the reads made when scanning a log.
const CHUNK: usize = 4 << 20;
/// Most problems remembered per app (the count goes on).
const MAX_PROBLEMS: usize = 20;
/// Estimated bytes of one step's slot in the index, besides its ranges and JSON (the map's
/// node share, the key, the slot).
const SLOT_BYTES: usize = 96;
/// Bytes of one byte range of a step.
const RANGE_BYTES: usize = std::mem::size_of::<(u64, u64)>();
/// Most bytes of the log read at once to build many steps.
const MAX_SPAN: u64 = 32 << 20;
/// Steps read from disk at once when many are built.
const BUILD_BATCH: usize = 4096;
/// Starts checked by answers from the log's end kept per app.
const MAX_AHEAD: usize = 8;

/// Where one step's lines are, and its JSON once built.
#[derive(Debug, Default)]
struct Slot {
    /// `(start, end)` byte ranges of the step's lines, in file order; adjacent lines merge.
    ranges: Vec<(u64, u64)>,
    /// Whether a `begin_entry` was seen (Burr drops steps without one).
    begins: bool,
    /// The step as JSON, until the step gets another line.
    json: Option<Arc<str>>,
}

/// A complete record after the last newline (a writer that does not end its last line).
#[derive(Debug, Clone, Copy)]
struct Pending {
    start: u64,
    end: u64,
    keys: LineKeys,
}

#[derive(Debug)]
pub(super) struct AppIndex {
    log: RootPath,
    identity: Option<(u64, u64)>,
    /// The last bytes before `offset`, to notice a log rewritten in place.
    seen_tail: Vec<u8>,
    /// Bytes read: everything before is indexed, and ends with a newline.
    offset: u64,
    lines: u64,
    steps: BTreeMap<u64, Slot>,
    /// Slots whose step has a `begin_entry`.
    begun: usize,
    pending: Option<Pending>,
    pub(super) problems: Vec<String>,
    pub(super) problem_count: usize,
    cached_bytes: usize,
    /// Bytes of step JSON kept; past this, steps are rebuilt when asked for.
    json_budget: usize,
    /// Byte ranges held by all slots.
    range_count: usize,
    /// Whether the bytes at `offset` continue a line longer than [`MAX_LINE`], passed over.
    in_long_line: bool,
    /// Whether the log was read to its end once (see [`AppIndex::indexed_flag`]).
    indexed: Arc<AtomicBool>,
    /// What the latest answers from the log's end checked past `offset`, by offset (see
    /// [`AppIndex::far_behind`]): a few, since answers of different sizes read back to
    /// different lines.
    ahead: Vec<Known>,
    /// The log's size at the last answer from its end.
    ahead_size: Option<u64>,
}

fn identity(meta: &fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

impl AppIndex {
    pub(super) fn new(log: RootPath, json_budget: usize) -> Self {
        AppIndex {
            log,
            identity: None,
            seen_tail: Vec::new(),
            offset: 0,
            lines: 0,
            steps: BTreeMap::new(),
            begun: 0,
            pending: None,
            problems: Vec::new(),
            problem_count: 0,
            cached_bytes: 0,
            json_budget,
            range_count: 0,
            in_long_line: false,
            indexed: Arc::new(AtomicBool::new(false)),
            ahead: Vec::new(),
            ahead_size: None,
        }
    }

    fn reset(&mut self) {
        let indexed = Arc::clone(&self.indexed);
        indexed.store(false, Ordering::Release);
        *self = AppIndex {
            indexed,
            ..AppIndex::new(self.log.clone(), self.json_budget)
        };
    }

    /// Opens the log through the confined walk (see [`crate::confined`]).
    fn open(&self) -> Result<File, StoreError> {
        self.log
            .open_file()
            .map_err(|err| StoreError::from_read(err, self.log.root()))
    }

    fn io_error(&self, err: io::Error) -> StoreError {
        StoreError::from_read(ReadError::io(&self.log.full(), err), self.log.root())
    }

    fn problem(&mut self, message: String) {
        if self.problems.contains(&message) {
            return;
        }
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(message);
        }
    }

    pub(super) fn status(&self) -> LogStatus {
        LogStatus {
            log_size: self.pending.map_or(self.offset, |p| p.end),
            num_steps: self.begun + usize::from(self.pending_begins().is_some()),
            last_sequence_id: self.step_ids().next_back(),
        }
    }

    /// The step begun by the pending line, when no line read before began it.
    fn pending_begins(&self) -> Option<u64> {
        self.pending
            .filter(|p| p.keys.begins)
            .and_then(|p| p.keys.step)
            .filter(|seq| !self.steps.get(seq).is_some_and(|slot| slot.begins))
    }

    /// Sequence ids of the steps that have a `begin_entry`, ascending.
    pub(super) fn step_ids(&self) -> impl DoubleEndedIterator<Item = u64> + '_ {
        self.step_ids_in(0, u64::MAX)
    }

    pub(super) fn step_ids_in(
        &self,
        from: u64,
        to: u64,
    ) -> impl DoubleEndedIterator<Item = u64> + '_ {
        let pending = self
            .pending
            .filter(|p| p.keys.begins)
            .and_then(|p| p.keys.step);
        self.steps
            .range(from..=to)
            .filter(move |(seq, slot)| slot.begins || pending == Some(**seq))
            .map(|(seq, _)| *seq)
            .chain(
                // A step whose only line so far is the pending begin_entry.
                pending.filter(|seq| (from..=to).contains(seq) && !self.steps.contains_key(seq)),
            )
    }

    /// What the index knows of the log's start: the steps begun before `offset` and the last
    /// of them, when what it read ends there (no record pending, no long line passed over).
    fn known(&self) -> Option<Known> {
        let last = self.step_ids().next_back()?;
        let whole = self.pending.is_none() && !self.in_long_line && self.offset > 0;
        (whole && self.begun > 0).then_some(Known {
            offset: self.offset,
            begun: self.begun,
            last,
        })
    }

    /// When the log (the same file, grown only) is more than `behind` bytes past what the
    /// index read, and the index read it to the end once, the starts known to answer its
    /// newest steps from its end without reading all that first ([`newest_page`]): what the
    /// index read, and what the latest such answers checked ([`AppIndex::checked_ahead`]).
    /// `None` when the index should read the log.
    pub(super) fn far_behind(&mut self, behind: u64) -> Option<Vec<Known>> {
        if !self.indexed.load(Ordering::Acquire) {
            return None;
        }
        let known = self.known()?;
        let mut file = self.log.open_file().ok()?;
        let meta = file.metadata().ok()?;
        if identity(&meta) != self.identity
            || meta.len() < self.offset.saturating_add(behind)
            || !self.tail_unchanged(&mut file)
        {
            return None;
        }
        let len = meta.len();
        self.ahead
            .retain(|a| a.offset > known.offset && a.offset <= len);
        Some(
            std::iter::once(known)
                .chain(self.ahead.iter().copied())
                .collect(),
        )
    }

    /// Remembers what an answer from the log's end checked (see [`AppIndex::far_behind`]),
    /// keeping the latest [`MAX_AHEAD`], and the log's size then; returns whether the log
    /// had that size at the answer before too (the writer paused or stopped).
    pub(super) fn checked_ahead(&mut self, known: Option<Known>, log_size: u64) -> bool {
        let settled = self.ahead_size == Some(log_size);
        self.ahead_size = Some(log_size);
        let Some(known) = known.filter(|k| k.offset > self.offset) else {
            return settled;
        };
        if let Err(at) = self.ahead.binary_search_by_key(&known.offset, |a| a.offset) {
            self.ahead.insert(at, known);
            if self.ahead.len() > MAX_AHEAD {
                self.ahead.remove(0);
            }
        }
        settled
    }

    /// Reads what was appended to the log since the last call.
    pub(super) fn refresh(&mut self) -> Result<(), StoreError> {
        self.refresh_some(u64::MAX).map(|_| ())
    }

    /// Whether the log was read to its end at least once (since it was last replaced): the
    /// index then answers anything at the cost of what was appended since. The flag is shared,
    /// so that it can be read while the index is in use.
    pub(super) fn indexed_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.indexed)
    }

    /// Reads what was appended to the log since the last call, stopping at a line boundary
    /// once about `budget` bytes are read; `true` when it read to the end of the log. What is
    /// left is read by the next call. A bounded call (a turn in the background) probes on one
    /// thread, leaving the others to requests.
    pub(super) fn refresh_some(&mut self, budget: u64) -> Result<bool, StoreError> {
        let mut file = match self.log.open_file() {
            Ok(file) => file,
            Err(err) if err.is_not_found() => {
                if self.offset > 0 || self.pending.is_some() || self.in_long_line {
                    self.reset();
                }
                self.indexed.store(true, Ordering::Release);
                return Ok(true);
            }
            Err(err) => return Err(StoreError::from_read(err, self.log.root())),
        };
        let meta = file.metadata().map_err(|err| self.io_error(err))?;
        let len = meta.len();
        let id = identity(&meta);
        if id != self.identity
            || len < self.pending.map_or(self.offset, |p| p.end)
            || !self.tail_unchanged(&mut file)
        {
            self.reset();
            self.identity = id;
        }
        if let Some(seq) = self.pending.take().and_then(|p| p.keys.step) {
            self.forget_json(seq);
        }
        if len == self.offset {
            self.indexed.store(true, Ordering::Release);
            return Ok(true);
        }
        let started_at = self.offset;
        // A turn in the background takes one thread; a request waiting for the index, all.
        let threads = if budget == u64::MAX { 8 } else { 1 };
        file.seek(SeekFrom::Start(self.offset))
            .map_err(|err| self.io_error(err))?;
        let mut reader = (&mut file).take(len - self.offset);
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK.min((len - self.offset) as usize + 1));
        let mut buf_start = self.offset;
        loop {
            let old_len = buf.len();
            buf.resize(old_len + CHUNK, 0);
            let n = match reader.read(&mut buf[old_len..]) {
                Ok(n) => n,
                Err(err) => return Err(self.io_error(err)),
            };
            buf.truncate(old_len + n);
            let mut consumed = 0;
            if self.in_long_line {
                // The rest of a line longer than the budget: pass over it to its newline.
                match memchr::memchr(b'\n', &buf) {
                    Some(nl) => {
                        self.in_long_line = false;
                        consumed = nl + 1;
                    }
                    None => consumed = buf.len(),
                }
            }
            let lines_end =
                memchr::memrchr(b'\n', &buf[consumed..]).map_or(consumed, |nl| consumed + nl + 1);
            for (start, end, keys) in probe_lines(&buf[consumed..lines_end], threads) {
                self.add_line(
                    buf_start + (consumed + start) as u64,
                    buf_start + (consumed + end) as u64,
                    keys,
                );
            }
            consumed = lines_end;
            if buf.len() - consumed > MAX_LINE {
                // A line longer than the budget: it is reported and never held whole.
                self.lines += 1;
                let number = self.lines;
                self.problem(format!(
                    "log.jsonl line {number}: {}",
                    RecordError::TooLong { limit: MAX_LINE }
                ));
                self.in_long_line = true;
                consumed = buf.len();
            }
            buf.drain(..consumed);
            buf_start += consumed as u64;
            self.offset = buf_start;
            if n == 0 {
                break;
            }
            if buf_start - started_at >= budget {
                // Enough for this call: the partial line left in `buf` is read again next time.
                self.seen_tail =
                    read_tail(&mut file, self.offset).map_err(|err| self.io_error(err))?;
                return Ok(false);
            }
        }
        self.seen_tail = read_tail(&mut file, self.offset).map_err(|err| self.io_error(err))?;
        // What is left has no newline yet: a record being written, or a writer that does not
        // end its last line. Use it if it is complete JSON, and read it again next time.
        if let Some(keys) = (!self.in_long_line && !is_blank(&buf))
            .then(|| probe(&buf).ok())
            .flatten()
        {
            self.pending = Some(Pending {
                start: buf_start,
                end: buf_start + buf.len() as u64,
                keys,
            });
            if let Some(seq) = keys.step {
                self.forget_json(seq);
            }
        }
        self.indexed.store(true, Ordering::Release);
        Ok(true)
    }

    /// Whether the bytes read last time are still where they were (a log truncated and written
    /// again in place keeps its inode and may grow past the old size).
    fn tail_unchanged(&self, file: &mut File) -> bool {
        if self.offset == 0 {
            return true;
        }
        read_tail(file, self.offset).is_ok_and(|tail| tail == self.seen_tail)
    }

    /// An estimate of the memory the index holds: its slots, their ranges, the cached JSON
    /// and the problems.
    pub(super) fn estimated_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.steps.len() * SLOT_BYTES
            + self.range_count * RANGE_BYTES
            + self.cached_bytes
            + self.seen_tail.capacity()
            + self
                .problems
                .iter()
                .map(|p| p.capacity() + 24)
                .sum::<usize>()
    }

    /// Drops the JSON of every step (it is built again when asked for).
    pub(super) fn forget_all_json(&mut self) {
        for slot in self.steps.values_mut() {
            slot.json = None;
        }
        self.cached_bytes = 0;
    }

    /// Drops the cached JSON of a step that changed.
    fn forget_json(&mut self, seq: u64) {
        if let Some(json) = self.steps.get_mut(&seq).and_then(|slot| slot.json.take()) {
            self.cached_bytes -= json.len();
        }
    }

    /// Files one line (`start..end`, probed by [`probe_lines`]); `None` is a blank line.
    fn add_line(&mut self, start: u64, end: u64, keys: Option<Result<LineKeys, String>>) {
        self.lines += 1;
        let Some(keys) = keys else {
            return;
        };
        let keys = match keys {
            Ok(keys) => keys,
            Err(err) => {
                let number = self.lines;
                self.problem(format!("log.jsonl line {number}: {err}"));
                return;
            }
        };
        let Some(seq) = keys.step else {
            return;
        };
        let slot = self.steps.entry(seq).or_default();
        if keys.begins && !slot.begins {
            slot.begins = true;
            self.begun += 1;
        }
        match slot.ranges.last_mut() {
            Some(last) if last.1 == start => last.1 = end,
            _ => {
                slot.ranges.push((start, end));
                self.range_count += 1;
            }
        }
        if let Some(json) = slot.json.take() {
            self.cached_bytes -= json.len();
        }
    }

    /// The part of the log that holds the lines of all of `seqs`, to read at once, when those
    /// lines fill most of it, their bytes stay within `max_bytes` and the part within
    /// [`MAX_SPAN`]; `None` when the steps' lines are better read one range at a time.
    fn batch_span(&self, seqs: &[u64], max_bytes: usize) -> Option<(u64, u64)> {
        let (mut lo, mut hi, mut sum) = (u64::MAX, 0, 0u64);
        let pending = self.pending.map(|p| (p.keys.step, (p.start, p.end)));
        for seq in seqs {
            let ranges = self.steps.get(seq).map_or(&[][..], |slot| &slot.ranges[..]);
            let extra = pending
                .filter(|(step, _)| *step == Some(*seq))
                .map(|(_, r)| r);
            for &(start, end) in ranges.iter().chain(extra.as_ref()) {
                lo = lo.min(start);
                hi = hi.max(end);
                sum += end - start;
            }
        }
        let len = hi.checked_sub(lo)?;
        (sum <= max_bytes as u64 && len <= MAX_SPAN && len <= sum.saturating_mul(2) + (1 << 20))
            .then_some((lo, hi))
    }

    /// The JSON array of the longest prefix of `seqs` whose text fits in `max_bytes`, and how
    /// many of `seqs` it covers (a step without a `begin_entry` is covered, not shown). Steps
    /// not built yet are built (and cached within the budget); building stops near the bound,
    /// so a request never holds much more than `max_bytes` of steps.
    pub(super) fn steps_json(
        &mut self,
        seqs: &[u64],
        max_bytes: usize,
    ) -> Result<(String, usize), StoreError> {
        let mut out = StepArray::new(max_bytes);
        let mut file: Option<File> = None;
        for batch in seqs.chunks(BUILD_BATCH) {
            let missing: Vec<u64> = batch
                .iter()
                .copied()
                .filter(|seq| self.steps.get(seq).is_none_or(|slot| slot.json.is_none()))
                .collect();
            // Steps built now but not cached (still being written, or over the cache budget).
            let mut uncached: HashMap<u64, Arc<str>> = HashMap::new();
            // The first missing step not read: past the bound, nothing after it is shown.
            let mut not_read = None;
            if !missing.is_empty() {
                let file = match &mut file {
                    Some(file) => file,
                    None => file.insert(self.open()?),
                };
                let span = self
                    .batch_span(
                        &missing,
                        max_bytes.saturating_mul(2).saturating_sub(out.len()),
                    )
                    .map(|(start, end)| {
                        let mut bytes = Vec::new();
                        read_range(file, start, end, &mut bytes).map(|()| (start, bytes))
                    })
                    .transpose()
                    .map_err(|err| self.io_error(err))?;
                let mut read = |start: u64, end: u64, out: &mut Vec<u8>| match &span {
                    Some((at, bytes)) => {
                        let from = usize::try_from(start - at).map_err(io::Error::other)?;
                        let to = usize::try_from(end - at).map_err(io::Error::other)?;
                        out.extend_from_slice(&bytes[from..to]);
                        if out.last() != Some(&b'\n') {
                            out.push(b'\n');
                        }
                        Ok(())
                    }
                    None => read_range(file, start, end, out),
                };
                let mut inputs = Vec::with_capacity(missing.len());
                let mut read_bytes = 0usize;
                for &seq in &missing {
                    // A step's JSON is about as long as its lines: stop reading well past the
                    // bound (twice it), where the steps read so far surely fill the answer.
                    if out.len() + read_bytes > max_bytes.saturating_mul(2) {
                        not_read = Some(seq);
                        break;
                    }
                    let mut bytes: Vec<u8> = Vec::new();
                    if let Some(slot) = self.steps.get(&seq) {
                        for &(start, end) in &slot.ranges {
                            read(start, end, &mut bytes).map_err(|err| self.io_error(err))?;
                        }
                    }
                    if let Some(p) = self.pending.filter(|p| p.keys.step == Some(seq)) {
                        read(p.start, p.end, &mut bytes).map_err(|err| self.io_error(err))?;
                    }
                    read_bytes += bytes.len();
                    inputs.push((seq, bytes));
                }
                for (seq, json, errors) in build_steps(inputs) {
                    for err in errors {
                        self.problem(format!("step {seq}: {err}"));
                    }
                    let Some(json) = json else {
                        continue;
                    };
                    let pending = self.pending.is_some_and(|p| p.keys.step == Some(seq));
                    match self.steps.get_mut(&seq) {
                        Some(slot)
                            if !pending && self.cached_bytes + json.len() <= self.json_budget =>
                        {
                            self.cached_bytes += json.len();
                            slot.json = Some(json);
                        }
                        _ => {
                            uncached.insert(seq, json);
                        }
                    }
                }
            }
            for seq in batch {
                if not_read == Some(*seq) {
                    return Ok(out.finish());
                }
                let json = self
                    .steps
                    .get(seq)
                    .and_then(|slot| slot.json.as_ref())
                    .or_else(|| uncached.get(seq));
                if !out.push(json.map(|json| &**json)) {
                    return Ok(out.finish());
                }
            }
        }
        Ok(out.finish())
    }
}

/// The (at most 64) bytes before `offset`.
fn read_tail(file: &mut File, offset: u64) -> io::Result<Vec<u8>> {
    let start = offset.saturating_sub(64);
    let mut tail = vec![0; usize::try_from(offset - start).map_err(io::Error::other)?];
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut tail)?;
    Ok(tail)
}

/// Appends bytes `start..end` of the log to `out`, ending with a newline.
fn read_range(file: &mut File, start: u64, end: u64, out: &mut Vec<u8>) -> io::Result<()> {
    let len = usize::try_from(end - start).map_err(io::Error::other)?;
    let at = out.len();
    out.resize(at + len, 0);
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut out[at..])?;
    if out.last() != Some(&b'\n') {
        out.push(b'\n');
    }
    Ok(())
}
