//! `<root>/<project>/annotations.jsonl`: read through the confined reader, written whole
//! (a new file renamed over the old one), so a reader never sees half a write and no link
//! in the project folder is ever followed.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::AnnotationOut;
use crate::confined::RootPath;
use crate::layout::{IdKind, validate_id};
use crate::read::{ReadError, read_capped};
use crate::server::StoreError;

/// The annotations of a project, in its folder (Apache Burr's name).
pub(crate) const ANNOTATIONS_FILE: &str = "annotations.jsonl";
/// The largest annotations file read.
pub(crate) const MAX_FILE: u64 = 64 << 20;

/// Every annotation of `project`; lines that are not annotations are passed over (and
/// kept out of the next write).
pub(super) fn read_all(root: &Path, project: &str) -> Result<Vec<AnnotationOut>, StoreError> {
    validate_id(IdKind::Project, project)
        .map_err(|e| StoreError::from_read(ReadError::from(e), root))?;
    let at = RootPath::new(root).join(project).join(ANNOTATIONS_FILE);
    let file = match at.open_file() {
        Ok(file) => file,
        Err(err) if err.is_not_found() => return Ok(Vec::new()),
        Err(err) => return Err(StoreError::from_read(err, root)),
    };
    let bytes =
        read_capped(file, MAX_FILE, &at.full()).map_err(|e| StoreError::from_read(e, root))?;
    Ok(bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect())
}

/// Replaces the annotations of `project` with `all`.
pub(super) fn write_all(
    root: &Path,
    project: &str,
    all: &[AnnotationOut],
) -> Result<(), StoreError> {
    validate_id(IdKind::Project, project)
        .map_err(|e| StoreError::from_read(ReadError::from(e), root))?;
    let dir = RootPath::new(root).join(project);
    // A real folder below the root, reached without following a link.
    dir.open_dir().map_err(|err| {
        if err.is_not_found() {
            StoreError::ProjectNotFound {
                project: project.to_owned(),
            }
        } else {
            StoreError::from_read(err, root)
        }
    })?;
    let mut text = Vec::new();
    for annotation in all {
        serde_json::to_writer(&mut text, annotation).map_err(|e| StoreError::Malformed {
            path: PathBuf::from(project).join(ANNOTATIONS_FILE),
            message: e.to_string(),
        })?;
        text.push(b'\n');
    }
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let folder = dir.full();
    let tmp = folder.join(format!(
        ".{ANNOTATIONS_FILE}.{}.{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let io = |source| StoreError::Io {
        path: PathBuf::from(project).join(ANNOTATIONS_FILE),
        source,
    };
    // `create_new` refuses any existing entry, a link included.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(io)?;
    let written = file.write_all(&text).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    // Renaming replaces the entry itself: a link there is replaced, never followed.
    std::fs::rename(&tmp, folder.join(ANNOTATIONS_FILE)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}
