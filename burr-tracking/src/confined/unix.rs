//! The walk on Unix: each component opened relative to the folder before it, with
//! `O_NOFOLLOW`, and every file looked at before and after it is opened.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use super::{Entry, EntryKind, WalkError};
use crate::read::Refusal;

/// Flags of every open: no link followed, no terminal taken, closed on exec.
fn base_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY
}

fn kind_of(file_type: FileType) -> EntryKind {
    match file_type {
        FileType::Directory => EntryKind::Dir,
        FileType::RegularFile => EntryKind::File,
        FileType::Symlink => EntryKind::Symlink,
        _ => EntryKind::Other,
    }
}

/// What `name` in `dir` is, without following a link.
fn look(dir: &OwnedFd, name: &OsStr) -> Result<(EntryKind, u64, u64), WalkError> {
    let stat = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map_err(io::Error::from)?;
    Ok((
        kind_of(FileType::from_raw_mode(stat.st_mode)),
        stat.st_dev as u64,
        stat.st_ino as u64,
    ))
}

fn refusal(kind: EntryKind, want_file: bool) -> Option<Refusal> {
    match (kind, want_file) {
        (EntryKind::Symlink, _) => Some(Refusal::Symlink),
        (EntryKind::Dir, false) | (EntryKind::File, true) => None,
        (_, false) => Some(Refusal::NotAFolder),
        (_, true) => Some(Refusal::NotAFile),
    }
}

/// Opens `root/names...`: a regular file when `want_file`, else a folder.
pub(super) fn open(root: &Path, names: &[&OsStr], want_file: bool) -> Result<File, WalkError> {
    let flags = base_flags() | OFlags::DIRECTORY;
    // The root is what the user named: a link there is followed.
    let mut dir = rustix::fs::open(
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io::Error::from)?;
    for (i, name) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        let file = last && want_file;
        let (kind, dev, ino) = look(&dir, name)?;
        if let Some(reason) = refusal(kind, file) {
            return Err(WalkError::Refused(reason));
        }
        let opened = if file {
            rustix::fs::openat(&dir, *name, base_flags() | OFlags::NONBLOCK, Mode::empty())
        } else {
            rustix::fs::openat(&dir, *name, flags, Mode::empty())
        };
        let fd = match opened {
            Ok(fd) => fd,
            // Swapped for a link (or a non-folder) between the look and the open.
            Err(Errno::LOOP | Errno::MLINK) => return Err(WalkError::Refused(Refusal::Symlink)),
            Err(Errno::NOTDIR) => return Err(WalkError::Refused(Refusal::NotAFolder)),
            Err(err) => return Err(io::Error::from(err).into()),
        };
        // What was opened must be what was looked at.
        let stat = rustix::fs::fstat(&fd).map_err(io::Error::from)?;
        if stat.st_dev as u64 != dev || stat.st_ino as u64 != ino {
            return Err(WalkError::Refused(if file {
                Refusal::NotAFile
            } else {
                Refusal::NotAFolder
            }));
        }
        dir = fd;
    }
    if names.is_empty() && want_file {
        return Err(WalkError::Refused(Refusal::NotAFile));
    }
    Ok(File::from(dir))
}

/// Opens a path named by a caller: links followed, only a regular file, without blocking.
pub(super) fn open_regular(path: &Path) -> Result<File, WalkError> {
    let before = std::fs::metadata(path)?;
    if !before.is_file() {
        return Err(WalkError::Refused(Refusal::NotAFile));
    }
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK,
        Mode::empty(),
    )
    .map_err(io::Error::from)?;
    let file = File::from(fd);
    let after = file.metadata()?;
    if !after.is_file() || after.ino() != before.ino() || after.dev() != before.dev() {
        return Err(WalkError::Refused(Refusal::NotAFile));
    }
    Ok(file)
}

/// The entries of an opened folder.
pub(super) fn entries(dir: File, _path: &Path) -> io::Result<Vec<Entry>> {
    let fd = OwnedFd::from(dir);
    let mut out = Vec::new();
    for entry in rustix::fs::Dir::read_from(&fd)? {
        let entry = entry?;
        let name = OsStr::from_bytes(entry.file_name().to_bytes());
        if name == "." || name == ".." {
            continue;
        }
        let kind = match entry.file_type() {
            FileType::Unknown => match look(&fd, name) {
                Ok((kind, _, _)) => kind,
                Err(_) => EntryKind::Other,
            },
            known => kind_of(known),
        };
        out.push(Entry {
            name: name.to_owned(),
            kind,
        });
    }
    Ok(out)
}
