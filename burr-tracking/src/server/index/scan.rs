//! The `begin_entry` lines of a part of a log, found at memory speed without parsing the other
//! lines: the check that lets the newest page be answered from the log's end with the count
//! the index would give.
//!
//! Every writer puts `type` first and `sequence_id` last in a `begin_entry`, in one of two
//! spellings (compact, or with a space after each `:` and `,`). The scan looks for the lines
//! that start as the log's first line does (`{"type":"begin_entry"` or
//! `{"type": "begin_entry"`), and reads each one's sequence id from its end
//! (`"sequence_id":N}`), on two threads; each of those lines is then read as a record, as the
//! index reads it ([`read::begun_step`]). Anything else found there (a line that does not end
//! so, a `begin_entry` the reader drops, such as one with an invalid timestamp or a torn line
//! that was continued) stops it, and so does a gap or a repeat in the sequence ids (a
//! `begin_entry` spelled otherwise, which the scan does not see).

use std::io::{self, Read, Seek, SeekFrom};

use crate::confined::RootPath;
use crate::read::{self, MAX_LINE};

/// Most bytes of a log scanned; past it, a log's end is checked by samples only.
pub(super) const MAX_SCAN: u64 = 1 << 30;
/// Bytes read at once.
const BLOCK: usize = 4 << 20;
/// Bytes below which one thread scans.
const PARALLEL_FROM: u64 = 8 << 20;

/// The two spellings of the start of a `begin_entry` line.
const PREFIXES: [&[u8]; 2] = [b"{\"type\":\"begin_entry\"", b"{\"type\": \"begin_entry\""];

/// The spelling of a `begin_entry` the line `first` starts with, if one of the two.
pub(super) fn prefix_of(first: &[u8]) -> Option<&'static [u8]> {
    PREFIXES.into_iter().find(|p| first.starts_with(p))
}

/// Whether the lines of `from..to` of the log (both line starts, `from > 0`) that start with
/// `prefix` are `begin_entry` lines with the sequence ids `first + 1 .. oldest`, in order, one
/// each; `false` too when the log cannot be read.
pub(super) fn begins_between(
    log: &RootPath,
    from: u64,
    to: u64,
    prefix: &[u8],
    (first, oldest): (u64, u64),
) -> bool {
    let parts = match split(log, from, to) {
        Ok(parts) => parts,
        Err(_) => return false,
    };
    let scanned: Vec<Option<Vec<u64>>> = if parts.len() == 1 {
        vec![scan_part(log, from, to, prefix).ok().flatten()]
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = parts
                .iter()
                .map(|&(a, b)| scope.spawn(move || scan_part(log, a, b, prefix).ok().flatten()))
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().ok().flatten())
                .collect()
        })
    };
    let mut expected = first;
    for part in scanned {
        let Some(seqs) = part else {
            return false;
        };
        for seq in seqs {
            if expected.checked_add(1) != Some(seq) {
                return false;
            }
            expected = seq;
        }
    }
    expected.checked_add(1) == Some(oldest)
}

/// `from..to` cut into parts that start at line starts, one per thread.
fn split(log: &RootPath, from: u64, to: u64) -> io::Result<Vec<(u64, u64)>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    if threads < 2 || to - from < PARALLEL_FROM {
        return Ok(vec![(from, to)]);
    }
    let mid = from + (to - from) / 2;
    let mut file = log.open_file().map_err(io::Error::other)?;
    let mut window = vec![0; 64 << 10];
    file.seek(SeekFrom::Start(mid))?;
    let n = usize::try_from((to - mid).min(window.len() as u64)).map_err(io::Error::other)?;
    file.read_exact(&mut window[..n])?;
    Ok(match memchr::memchr(b'\n', &window[..n]) {
        Some(nl) if mid + (nl as u64) + 1 < to => {
            let cut = mid + nl as u64 + 1;
            vec![(from, cut), (cut, to)]
        }
        _ => vec![(from, to)],
    })
}

/// The sequence ids of the `begin_entry` lines of `from..to` (line starts), in order; `None`
/// when a line that starts with `prefix` is not one as writers write it.
fn scan_part(log: &RootPath, from: u64, to: u64, prefix: &[u8]) -> io::Result<Option<Vec<u64>>> {
    let mut file = log.open_file().map_err(io::Error::other)?;
    // Read from the newline before `from`, so that every line of the part follows a newline.
    let start = from - 1;
    file.seek(SeekFrom::Start(start))?;
    let mut left = to - start;
    // One buffer, filled after the bytes kept from the block before (not cleared between).
    let mut buf: Vec<u8> = vec![0; BLOCK.min(usize::try_from(left).unwrap_or(BLOCK))];
    let mut kept = 0;
    let mut seqs = Vec::new();
    while left > 0 {
        let want = usize::try_from(left.min(BLOCK as u64)).map_err(io::Error::other)?;
        if buf.len() < kept + want {
            buf.resize(kept + want, 0);
        }
        file.read_exact(&mut buf[kept..kept + want])?;
        left -= want as u64;
        let data = &buf[..kept + want];
        // Whole lines only: the bytes from the last newline on wait for the next block.
        let Some(last) = memchr::memrchr(b'\n', data) else {
            return Ok(None);
        };
        // Line by line (every line starts alike, `{"type":"`, so a search for the whole
        // prefix would stop at each line anyway).
        let mut newlines = memchr::memchr_iter(b'\n', &data[..=last]);
        let Some(first) = newlines.next() else {
            return Ok(None);
        };
        let mut line_start = first + 1;
        for nl in newlines {
            let line = &data[line_start..nl];
            line_start = nl + 1;
            if !line.starts_with(prefix) {
                continue;
            }
            // The sequence id must be where writers put it, and the line must begin a step by
            // the rule of every count (a `begin_entry` the reader drops begins none).
            match sequence_id_at_end(line) {
                Some(seq) if matches!(read::begun_step(line), Ok(Some(s)) if s == seq) => {
                    seqs.push(seq);
                }
                _ => return Ok(None),
            }
        }
        let end = kept + want;
        buf.copy_within(last..end, 0);
        kept = end - last;
        if kept > MAX_LINE {
            return Ok(None);
        }
    }
    Ok(Some(seqs))
}

/// The `N` of a line that ends with `"sequence_id":N}` (or `"sequence_id": N}`), the key
/// after a `,` or `{` (optionally a space).
fn sequence_id_at_end(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let body = line.strip_suffix(b"}")?;
    let digits = body.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let (rest, number) = body.split_at(body.len() - digits);
    let rest = rest.strip_suffix(b" ").unwrap_or(rest);
    let rest = rest.strip_suffix(b"\"sequence_id\":")?;
    let rest = rest.strip_suffix(b" ").unwrap_or(rest);
    if !matches!(rest.last(), Some(b',' | b'{')) {
        return None;
    }
    crate::format::decimal_u64(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_id_is_read_from_the_end_of_a_begin_entry() {
        let read = |line: &str| sequence_id_at_end(line.as_bytes());
        assert_eq!(
            read(r#"{"type":"begin_entry","action":"a","inputs":{},"sequence_id":42}"#),
            Some(42)
        );
        assert_eq!(
            read(r#"{"type": "begin_entry", "inputs": {}, "sequence_id": 7}"#),
            Some(7)
        );
        assert_eq!(
            read("{\"type\":\"begin_entry\",\"sequence_id\":3}\r"),
            Some(3)
        );
        for line in [
            r#"{"type":"begin_entry","sequence_id":3,"inputs":{"sequence_id":4}}"#,
            r#"{"type":"begin_entry","x":"\"sequence_id":4}"#,
            r#"{"type":"begin_entry","my_sequence_id":4}"#,
            r#"{"type":"begin_entry","sequence_id":"4"}"#,
            r#"{"type":"begin_entry","start_ti"#,
            r#"{"type":"begin_entry","sequence_id":99999999999999999999}"#,
        ] {
            assert_eq!(read(line), None, "{line}");
        }
    }

    #[test]
    fn begins_are_scanned_in_order_across_blocks_and_threads() {
        let root = tempfile::tempdir().unwrap();
        let begin = |seq: u64| {
            format!(
                "{{\"type\":\"begin_entry\",\"start_time\":\"2026-01-02\",\"action\":\"a\",\"inputs\":{{}},\"sequence_id\":{seq}}}"
            )
        };
        let mut log = begin(0) + "\n";
        let from = log.len() as u64;
        let mut seq = 1;
        while log.len() < 3 * BLOCK {
            log.push_str(&format!(
                "{}\n{{\"type\":\"end_entry\",\"state\":{{\"text\":\"{}\"}},\"sequence_id\":{seq}}}\n",
                begin(seq),
                "x".repeat(seq as usize % 300)
            ));
            seq += 1;
        }
        let to = log.len() as u64;
        log.push_str(&(begin(seq) + "\n"));
        std::fs::write(root.path().join("log.jsonl"), &log).unwrap();
        let at = RootPath::new(root.path()).join("log.jsonl");
        let prefix = prefix_of(log.as_bytes()).unwrap();
        assert!(begins_between(&at, from, to, prefix, (0, seq)));
        assert!(!begins_between(&at, from, to, prefix, (0, seq + 1)));
        assert!(!begins_between(&at, from, to, prefix, (1, seq)));
        // A step left out, or a torn begin_entry continued by another.
        let gap = log.replacen("\"sequence_id\":5}\n", "\"sequence_id\":6}\n", 1);
        std::fs::write(root.path().join("log.jsonl"), &gap).unwrap();
        assert!(!begins_between(&at, from, to, prefix, (0, seq)));
        let torn = log.replacen(
            &begin(5),
            &format!("{{\"type\":\"begin_entry\",\"inp{}", begin(5)),
            1,
        );
        std::fs::write(root.path().join("log.jsonl"), &torn).unwrap();
        let longer = to + (torn.len() - log.len()) as u64;
        assert!(!begins_between(&at, from, longer, prefix, (0, seq)));
        // A begin_entry the reader drops (its time is invalid) begins no step.
        let invalid = log.replacen(
            &begin(5),
            &begin(5).replace("2026-01-02", "2026-01-02T03:04:60"),
            1,
        );
        std::fs::write(root.path().join("log.jsonl"), &invalid).unwrap();
        let longer = to + (invalid.len() - log.len()) as u64;
        assert!(!begins_between(&at, from, longer, prefix, (0, seq)));
    }
}
