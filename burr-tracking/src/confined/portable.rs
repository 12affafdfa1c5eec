//! The walk where `openat` is not at hand (Windows, and other targets without Unix's file
//! descriptors): each component is checked with `symlink_metadata` before it is opened, and
//! what was opened is checked again on its handle. The rules are the same as on Unix; what
//! is missing is the guarantee against a folder swapped for a link between the check of a
//! component and the open of the next one.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
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

/// The options of every open: read only, and on Windows a folder can be opened too and,
/// unless `follow`, a link is opened itself rather than followed, so that the handle shows
/// what it is.
fn open_options(follow: bool) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        /// Lets `CreateFileW` open a folder.
        const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
        /// Opens a link (a reparse point) itself instead of what it points to.
        const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
        let own_link = if follow {
            0
        } else {
            FILE_FLAG_OPEN_REPARSE_POINT
        };
        options.custom_flags(FILE_FLAG_BACKUP_SEMANTICS | own_link);
    }
    #[cfg(not(windows))]
    let _ = follow;
    options
}

/// Why `kind` is refused where a file (`want_file`) or a folder is expected, if it is.
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
    if names.is_empty() && want_file {
        return Err(WalkError::Refused(Refusal::NotAFile));
    }
    let mut path = root.to_path_buf();
    for (i, name) in names.iter().enumerate() {
        path.push(name);
        let file = want_file && i + 1 == names.len();
        if let Some(reason) = refusal(kind_of(fs::symlink_metadata(&path)?.file_type()), file) {
            return Err(WalkError::Refused(reason));
        }
    }
    // The root is what the user named: a link there is followed.
    let opened = open_options(names.is_empty()).open(&path)?;
    let kind = kind_of(opened.metadata()?.file_type());
    match refusal(kind, want_file) {
        Some(reason) => Err(WalkError::Refused(reason)),
        None => Ok(opened),
    }
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

/// The entries of a folder (read again by path: the handle cannot be listed portably).
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

/// The portable walk is compiled on Unix for these tests too, so that its rules are checked
/// wherever the tests run.
#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<File, WalkError>) -> Option<Refusal> {
        match result {
            Err(WalkError::Refused(reason)) => Some(reason),
            _ => None,
        }
    }

    fn at<'a>(names: &[&'a str]) -> Vec<&'a OsStr> {
        names.iter().map(|name| OsStr::new(*name)).collect()
    }

    #[test]
    fn folders_and_files_open_and_the_rules_hold() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("p/app")).unwrap();
        fs::write(root.path().join("p/app/log.jsonl"), "x\n").unwrap();

        let dir = open(root.path(), &at(&["p", "app"]), false).unwrap();
        assert!(dir.metadata().unwrap().is_dir());
        let names: Vec<_> = entries(dir, &root.path().join("p/app"))
            .unwrap()
            .into_iter()
            .map(|entry| (entry.name, entry.kind))
            .collect();
        assert_eq!(names, [("log.jsonl".into(), EntryKind::File)]);
        assert!(open(root.path(), &[], false).is_ok());
        assert!(open(root.path(), &at(&["p", "app", "log.jsonl"]), true).is_ok());

        let file_as_dir = open(root.path(), &at(&["p", "app", "log.jsonl"]), false);
        assert_eq!(refused(file_as_dir), Some(Refusal::NotAFolder));
        let dir_as_file = open(root.path(), &at(&["p", "app"]), true);
        assert_eq!(refused(dir_as_file), Some(Refusal::NotAFile));
        assert_eq!(
            refused(open(root.path(), &[], true)),
            Some(Refusal::NotAFile)
        );
        assert!(open_regular(&root.path().join("p/app/log.jsonl")).is_ok());
        assert_eq!(
            refused(open_regular(&root.path().join("p"))),
            Some(Refusal::NotAFile)
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_below_the_root_are_refused() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("p/app")).unwrap();
        fs::write(root.path().join("p/app/log.jsonl"), "x\n").unwrap();
        std::os::unix::fs::symlink(root.path().join("p"), root.path().join("q")).unwrap();
        std::os::unix::fs::symlink("log.jsonl", root.path().join("p/app/link.jsonl")).unwrap();
        let linked_dir = open(root.path(), &[OsStr::new("q")], false);
        assert_eq!(refused(linked_dir), Some(Refusal::Symlink));
        let names = ["p", "app", "link.jsonl"].map(OsStr::new);
        assert_eq!(
            refused(open(root.path(), &names, true)),
            Some(Refusal::Symlink)
        );
    }
}
