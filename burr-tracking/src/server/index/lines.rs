//! Where each log line belongs: its step and whether it begins it, probed without building the
//! record, on several threads for a big read.

use crate::format::{LineProbe, RecordError, RecordKind};
use crate::read::{self, MAX_LINE, is_blank};

/// Where a log line belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LineKeys {
    /// The step the line belongs to.
    pub(super) step: Option<u64>,
    /// Whether the line is a `begin_entry`.
    pub(super) begins: bool,
}

/// Probes one line (a line without a `type` is an error, as for the reader). A `begin_entry`
/// is read whole, and one that does not read as a record (an invalid timestamp, a missing
/// key) is an error too: the reader drops it, so it begins no step ([`read::begun_step`], the
/// rule every count of steps follows).
pub(super) fn probe(line: &[u8]) -> Result<LineKeys, String> {
    let probe = LineProbe::read(line).map_err(|err| err.to_string())?;
    if !probe.has_type() {
        return Err(RecordError::MissingType.to_string());
    }
    let begins = probe.record_kind() == Some(RecordKind::BeginEntry);
    if begins {
        read::begun_step(line).map_err(|err| err.to_string())?;
    }
    Ok(LineKeys {
        step: probe.step(),
        begins,
    })
}

/// Lines probed together below this many bytes (threads cost more than they save).
pub(super) const PARALLEL_PROBE_FROM: usize = 1 << 20;

/// One probed line: its byte range in the probed buffer and its keys (`None` when blank).
pub(super) type ProbedLine = (usize, usize, Option<Result<LineKeys, String>>);

/// Probes the newline-terminated lines of `buf`, in order, on up to `threads` threads (not
/// more than the machine has, and only when it is big).
pub(super) fn probe_lines(buf: &[u8], threads: usize) -> Vec<ProbedLine> {
    let probe_part = |part: &[u8], base: usize| {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(nl) = memchr::memchr(b'\n', &part[at..]) {
            let end = at + nl + 1;
            let line = &part[at..end];
            let keys = if line.len() - 1 > MAX_LINE {
                Some(Err(RecordError::TooLong { limit: MAX_LINE }.to_string()))
            } else {
                (!is_blank(line)).then(|| probe(line))
            };
            out.push((base + at, base + end, keys));
            at = end;
        }
        out
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(threads));
    if threads < 2 || buf.len() < PARALLEL_PROBE_FROM {
        return probe_part(buf, 0);
    }
    // Cut the buffer into about equal parts that each end with a newline.
    let mut parts = Vec::with_capacity(threads);
    let mut start = 0;
    for i in 1..=threads {
        let target = (buf.len() * i / threads).max(start);
        let end = if i == threads {
            buf.len()
        } else {
            memchr::memchr(b'\n', &buf[target..]).map_or(buf.len(), |nl| target + nl + 1)
        };
        if end > start {
            parts.push((start, end));
            start = end;
        }
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts
            .iter()
            .map(|&(start, end)| scope.spawn(move || probe_part(&buf[start..end], start)))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(probed) => probed,
                // A panic while probing is a bug; keep the panic's payload going up.
                Err(payload) => std::panic::resume_unwind(payload),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probing_in_parts_keeps_every_line_in_order() {
        let mut buf = Vec::new();
        let mut expected = Vec::new();
        let mut seq = 0u64;
        while buf.len() < 3 * PARALLEL_PROBE_FROM {
            let start = buf.len();
            let line = match seq % 4 {
                0 => format!(
                    "{{\"type\":\"begin_entry\",\"action\":\"a\",\"inputs\":{{}},\"sequence_id\":{seq}}}\n"
                ),
                1 => format!("{{\"type\":\"end_span\",\"action_sequence_id\":{seq}}}\n"),
                2 => "   \n".to_owned(),
                _ => "not json\n".to_owned(),
            };
            buf.extend_from_slice(line.as_bytes());
            let keys = (!is_blank(line.as_bytes())).then(|| probe(line.as_bytes()));
            expected.push((start, buf.len(), keys));
            seq += 1;
        }
        assert_eq!(probe_lines(&buf, 8), expected);
        assert_eq!(probe_lines(&buf[..expected[5].1], 8), expected[..6]);
        assert!(probe_lines(b"", 8).is_empty());
        assert_eq!(probe_lines(&buf, 1), expected);
    }
}
