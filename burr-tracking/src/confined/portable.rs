//! The walk where `openat` is not at hand: each component is checked with
//! `symlink_metadata` before it is opened (the same rules, without the protection against a
//! component swapped while the walk runs).

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io;
use std::path::Path;

use super::{Entry, EntryKind, WalkError};
use crate::read::Refusal;

fn kind_of(file_type: fs::FileType) -> EntryKind {
    if file_type.is_symlink() {
        EntryKind::Symlink
    } else if file_type.is_dir() {
        EntryKind::Dir
    } else if file_type.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

/// Opens `root/names...`: a regular file when `want_file`, else a folder.
pub(super) fn open(root: &Path, names: &[&OsStr], want_file: bool) -> Result<File, WalkError> {
    let mut path = root.to_path_buf();
    for (i, name) in names.iter().enumerate() {
        path.push(name);
        let file = want_file && i + 1 == names.len();
        match (kind_of(fs::symlink_metadata(&path)?.file_type()), file) {
            (EntryKind::Symlink, _) => return Err(WalkError::Refused(Refusal::Symlink)),
            (EntryKind::Dir, false) | (EntryKind::File, true) => {}
            (_, false) => return Err(WalkError::Refused(Refusal::NotAFolder)),
            (_, true) => return Err(WalkError::Refused(Refusal::NotAFile)),
        }
    }
    if names.is_empty() && want_file {
        return Err(WalkError::Refused(Refusal::NotAFile));
    }
    Ok(File::open(&path)?)
}

/// Opens a path named by a caller: links followed, only a regular file.
pub(super) fn open_regular(path: &Path) -> Result<File, WalkError> {
    if !fs::metadata(path)?.is_file() {
        return Err(WalkError::Refused(Refusal::NotAFile));
    }
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(WalkError::Refused(Refusal::NotAFile));
    }
    Ok(file)
}

/// The entries of a folder (read again by path).
pub(super) fn entries(_dir: File, path: &Path) -> io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        out.push(Entry {
            name: entry.file_name(),
            kind: entry.file_type().map_or(EntryKind::Other, kind_of),
        });
    }
    Ok(out)
}
