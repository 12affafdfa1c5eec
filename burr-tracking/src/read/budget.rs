//! How much the reader reads at once: a budget per file for the JSON files read whole, and a
//! budget per line for the logs read line by line.

use std::io::Read;
use std::path::Path;

use super::ReadError;

/// Most bytes read from a `graph.json` or a `metadata.json` (16 MiB); a bigger file is
/// refused with [`ReadError::TooLarge`].
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::read::MAX_JSON_FILE, 16 << 20);
/// ```
pub const MAX_JSON_FILE: u64 = 16 << 20;

/// Most bytes read from a `children.jsonl` (64 MiB); a bigger file is refused with
/// [`ReadError::TooLarge`].
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::read::MAX_CHILDREN_FILE, 64 << 20);
/// ```
pub const MAX_CHILDREN_FILE: u64 = 64 << 20;

/// Longest line of a `log.jsonl` that is read (64 MiB). Logs are read line by line, never
/// whole; a longer line is passed over (and reported as
/// [`RecordError::TooLong`](crate::format::RecordError::TooLong) where lines are reported),
/// so one endless line costs at most this much memory.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::read::MAX_LINE, 64 << 20);
/// ```
pub const MAX_LINE: usize = 64 << 20;

/// Reads all of `file`, failing with [`ReadError::TooLarge`] past `limit` bytes.
pub(crate) fn read_capped(file: impl Read, limit: u64, path: &Path) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}
