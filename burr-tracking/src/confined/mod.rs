//! Opening the folders and files of a tracking root without ever leaving it.
//!
//! Every read that names a project, an application or one of their files (the reader, the
//! loader and the server) goes through [`RootPath`]. What it guarantees:
//!
//! - **No symbolic link below the root is followed**, wherever it points (inside the root
//!   too): a linked project folder, application folder or file is refused with
//!   [`Refusal::Symlink`]. The root itself may be a link, since the user named it. On Unix
//!   the walk opens each component relative to the folder opened before it, with
//!   `O_NOFOLLOW` (`openat`), so a folder swapped for a link while the walk runs is refused
//!   too. Elsewhere (Windows) each component is checked with `symlink_metadata` before it
//!   is opened, and what was opened is checked again on its handle (a folder is opened with
//!   `FILE_FLAG_BACKUP_SEMANTICS`, a link as itself with `FILE_FLAG_OPEN_REPARSE_POINT`):
//!   the same rules, without the guarantee against a folder swapped while the walk runs.
//! - **Only regular files are read.** A file is looked at before it is opened and again on
//!   the open handle; FIFOs, sockets and devices are refused with [`Refusal::NotAFile`]
//!   without being opened, and the open itself is non-blocking, so a file swapped for a FIFO
//!   cannot make a reader wait.
//! - Size budgets are the reader's ([`crate::read::MAX_JSON_FILE`] and its neighbours).
//!
//! Why a link is refused rather than followed when it stays inside the root: the rule is
//! then a property of each component alone, checked on the handle that is read, with no
//! resolution of paths that could race with a change on disk.

// Compiled on Unix for its tests too.
#[cfg(any(not(unix), test))]
mod portable;
#[cfg(unix)]
mod unix;

use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};

#[cfg(not(unix))]
use portable as walk;
#[cfg(unix)]
use unix as walk;

use crate::read::{ReadError, Refusal};

/// What a folder entry is, as seen without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A folder.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link (never followed).
    Symlink,
    /// Anything else: FIFO, socket, device.
    Other,
}

/// One entry of a folder under the root.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The entry's name.
    pub(crate) name: OsString,
    /// What it is.
    pub(crate) kind: EntryKind,
}

/// A place under a tracking root: the root and the plain names leading from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RootPath {
    root: PathBuf,
    rel: PathBuf,
}

impl RootPath {
    /// The root itself.
    pub(crate) fn new(root: impl Into<PathBuf>) -> Self {
        RootPath {
            root: root.into(),
            rel: PathBuf::new(),
        }
    }

    /// The entry `name` of this folder. A name that is not one plain component (`..`, a
    /// separator) is kept as is and refused when opened.
    pub(crate) fn join(&self, name: &str) -> Self {
        RootPath {
            root: self.root.clone(),
            rel: self.rel.join(name),
        }
    }

    /// The root.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The path below the root (empty for the root), which says nothing about the machine.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn relative(&self) -> &Path {
        &self.rel
    }

    /// The whole path, for messages to the caller who named the root.
    pub(crate) fn full(&self) -> PathBuf {
        self.root.join(&self.rel)
    }

    /// The names below the root; `Err` when one is not a plain component.
    fn names(&self) -> Result<Vec<&std::ffi::OsStr>, ReadError> {
        self.rel
            .components()
            .map(|component| match component {
                Component::Normal(name) => Ok(name),
                _ => Err(ReadError::io(
                    &self.full(),
                    io::Error::new(io::ErrorKind::InvalidInput, "not a plain name"),
                )),
            })
            .collect()
    }

    /// Opens this regular file for reading (see the module docs for what is refused).
    pub(crate) fn open_file(&self) -> Result<File, ReadError> {
        let names = self.names()?;
        walk::open(&self.root, &names, true).map_err(|err| err.at(&self.full()))
    }

    /// Opens this folder (the root itself when there are no names).
    pub(crate) fn open_dir(&self) -> Result<File, ReadError> {
        let names = self.names()?;
        walk::open(&self.root, &names, false).map_err(|err| err.at(&self.full()))
    }

    /// The folder's metadata (its times), from the opened folder.
    pub(crate) fn dir_metadata(&self) -> Result<fs::Metadata, ReadError> {
        let dir = self.open_dir()?;
        dir.metadata()
            .map_err(|err| ReadError::io(&self.full(), err))
    }

    /// The entries of this folder, `.` and `..` left out, in no particular order.
    pub(crate) fn entries(&self) -> Result<Vec<Entry>, ReadError> {
        let dir = self.open_dir()?;
        walk::entries(dir, &self.full()).map_err(|err| ReadError::io(&self.full(), err))
    }
}

/// Why a walk stopped: an I/O error, or a refusal.
#[derive(Debug)]
pub(crate) enum WalkError {
    /// What the operating system said.
    Io(io::Error),
    /// A component breaks a rule.
    Refused(Refusal),
}

impl WalkError {
    fn at(self, path: &Path) -> ReadError {
        match self {
            WalkError::Io(err) => ReadError::io(path, err),
            WalkError::Refused(reason) => ReadError::Refused {
                path: path.to_path_buf(),
                reason,
            },
        }
    }
}

impl From<io::Error> for WalkError {
    fn from(err: io::Error) -> Self {
        WalkError::Io(err)
    }
}

/// Opens a file named by a caller (not under a root): links are followed, as the caller
/// named the path, but only a regular file is opened, and without blocking.
pub(crate) fn open_regular(path: &Path) -> Result<File, ReadError> {
    walk::open_regular(path).map_err(|err| err.at(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_plain_are_refused() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("p")).unwrap();
        for bad in ["..", ".", "/etc", "a/../.."] {
            let at = RootPath::new(root.path()).join(bad);
            assert!(at.open_dir().is_err(), "{bad}");
        }
        let good = RootPath::new(root.path()).join("p");
        assert!(good.open_dir().is_ok());
        assert_eq!(good.relative(), Path::new("p"));
    }
}
