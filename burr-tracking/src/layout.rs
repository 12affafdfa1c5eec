//! Where tracking data lives: the root, and the directories and files under it.
//!
//! A tracked application lives in `<root>/<project>/<app_id>/`, made of the files named by
//! [`GRAPH_FILE`], [`METADATA_FILE`], [`LOG_FILE`] and [`CHILDREN_FILE`] (see
//! [`crate::format`] for what they hold).
//!
//! The root is found once, by [`resolve_root`], for every part of this crate that is not told
//! otherwise: the tracking client, the loader and the `burr` command. It is `$BURR_PATH` when
//! that is set and not empty (`$burr_path` too, as Burr's server reads it), else `~/.burr`. A
//! leading `~/` in the variable, or in a directory passed to the client, is expanded to the
//! home directory.
//!
//! Project and application ids are checked before any path is built from them ([`app_dir`]),
//! so no id can point outside the root.
//!
//! # Examples
//!
//! ```
//! use std::path::Path;
//! use burr_tracking::layout::{self, LOG_FILE};
//!
//! let log = layout::app_dir(Path::new("/data/burr"), "demo", "app-1")?.join(LOG_FILE);
//! assert_eq!(log, Path::new("/data/burr/demo/app-1/log.jsonl"));
//! assert!(layout::app_dir(Path::new("/data/burr"), "demo", "../../etc").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Name of the event log in an application's directory.
///
/// # Examples
///
/// ```
/// let log = std::path::Path::new("tracking-root/p/app").join(burr_tracking::layout::LOG_FILE);
/// assert!(log.ends_with("app/log.jsonl"));
/// ```
pub const LOG_FILE: &str = "log.jsonl";

/// Name of the graph file in an application's directory.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::layout::GRAPH_FILE, "graph.json");
/// ```
pub const GRAPH_FILE: &str = "graph.json";

/// Name of the metadata file in an application's directory.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::layout::METADATA_FILE, "metadata.json");
/// ```
pub const METADATA_FILE: &str = "metadata.json";

/// Name of the children file in a parent application's directory.
///
/// # Examples
///
/// ```
/// assert_eq!(burr_tracking::layout::CHILDREN_FILE, "children.jsonl");
/// ```
pub const CHILDREN_FILE: &str = "children.jsonl";

/// The environment variables naming the root, in the order they are read.
const ROOT_VARIABLES: [&str; 2] = ["BURR_PATH", "burr_path"];

// ------------------------------------------------------------------------------------- root

/// Which setting gave the tracking root.
///
/// # Examples
///
/// ```
/// use burr_tracking::layout::{resolve_root, RootSource};
/// let root = resolve_root()?;
/// match root.source {
///     RootSource::Env => println!("BURR_PATH names {}", root.path.display()),
///     RootSource::Home => assert!(root.path.ends_with(".burr")),
/// }
/// # Ok::<(), burr_tracking::layout::NoHomeDir>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RootSource {
    /// The `BURR_PATH` (or `burr_path`) environment variable.
    Env,
    /// The default, `~/.burr`.
    Home,
}

/// A tracking root, and which setting gave it.
///
/// # Examples
///
/// ```
/// use burr_tracking::layout::{resolve_root, RootSource};
/// let root = resolve_root()?;
/// if root.source == RootSource::Home {
///     assert!(root.path.ends_with(".burr"));
/// }
/// # Ok::<(), burr_tracking::layout::NoHomeDir>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// The directory holding the projects.
    pub path: PathBuf,
    /// Where it was found.
    pub source: RootSource,
}

/// There is no `BURR_PATH` and no home directory to put `.burr` in.
///
/// # Examples
///
/// ```
/// let err = burr_tracking::layout::NoHomeDir;
/// assert!(err.to_string().contains("BURR_PATH"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot find the home directory: set BURR_PATH")]
pub struct NoHomeDir;

/// The tracking root: `$BURR_PATH` (or `$burr_path`) when set and not empty, with a leading
/// `~/` expanded, else `~/.burr`. The tracking client, the loader and the `burr` command all
/// call this, so they agree on where the data is.
///
/// # Errors
///
/// [`NoHomeDir`] when the variable is unset and the home directory is unknown.
///
/// # Examples
///
/// ```
/// let root = burr_tracking::layout::resolve_root()?;
/// assert!(!root.path.as_os_str().is_empty());
/// # Ok::<(), burr_tracking::layout::NoHomeDir>(())
/// ```
pub fn resolve_root() -> Result<Root, NoHomeDir> {
    resolve_root_with(|var| std::env::var_os(var), std::env::home_dir().as_deref())
}

/// [`resolve_root`], with the environment and the home directory given.
fn resolve_root_with(
    var: impl Fn(&str) -> Option<OsString>,
    home: Option<&Path>,
) -> Result<Root, NoHomeDir> {
    let named = ROOT_VARIABLES
        .into_iter()
        .find_map(|name| var(name).filter(|value| !value.is_empty()));
    match (named, home) {
        (Some(value), _) => Ok(Root {
            path: expand_home_with(PathBuf::from(value), home),
            source: RootSource::Env,
        }),
        (None, Some(home)) => Ok(Root {
            path: home.join(".burr"),
            source: RootSource::Home,
        }),
        (None, None) => Err(NoHomeDir),
    }
}

/// The tracking root of [`resolve_root`]; `.burr` in the current directory when there is no
/// home directory either.
///
/// # Examples
///
/// ```
/// let root = burr_tracking::default_root();
/// if std::env::var_os("BURR_PATH").is_none() && std::env::var_os("burr_path").is_none() {
///     assert!(root.ends_with(".burr"));
/// }
/// ```
pub fn default_root() -> PathBuf {
    resolve_root().map_or_else(|NoHomeDir| PathBuf::from(".burr"), |root| root.path)
}

/// Whether a tracking root names an object store rather than a folder: it starts with a URL
/// scheme (`s3://`, `gs://`, `az://`, `file://`, `memory://`...). Such roots need the feature
/// `object-store` (see `burr_tracking::object`).
///
/// # Examples
///
/// ```
/// use burr_tracking::layout::is_url;
/// assert!(is_url("s3://bucket/prefix"));
/// assert!(!is_url("/home/me/.burr"));
/// assert!(!is_url("C:\\burr"));
/// ```
pub fn is_url(root: &str) -> bool {
    root.split_once("://").is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.as_bytes()[0].is_ascii_alphabetic()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    })
}

/// `path` with a leading `~` component replaced by the home directory (`~/x` is `$HOME/x`);
/// other paths, and every path when the home directory is unknown, are returned as they are.
///
/// # Examples
///
/// ```
/// use std::path::Path;
/// use burr_tracking::layout::expand_home;
/// assert_eq!(expand_home("/data/burr"), Path::new("/data/burr"));
/// assert_eq!(expand_home("~user/x"), Path::new("~user/x"));
/// if let Some(home) = std::env::home_dir() {
///     assert_eq!(expand_home("~/burr"), home.join("burr"));
/// }
/// ```
pub fn expand_home(path: impl Into<PathBuf>) -> PathBuf {
    expand_home_with(path.into(), std::env::home_dir().as_deref())
}

fn expand_home_with(path: PathBuf, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) if rest.as_os_str().is_empty() => home.to_path_buf(),
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path,
    }
}

// -------------------------------------------------------------------------------------- ids

/// What kind of id was rejected.
///
/// # Examples
///
/// ```
/// use burr_tracking::layout::{project_dir, IdKind};
/// let err = project_dir(std::path::Path::new("/r"), "..").unwrap_err();
/// assert_eq!(err.kind, IdKind::Project);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A project name (a directory under the root).
    Project,
    /// An application id (a directory under a project).
    App,
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdKind::Project => "project",
            IdKind::App => "app id",
        })
    }
}

/// A project or application id that cannot name a directory under the root.
///
/// # Examples
///
/// ```
/// use burr_tracking::layout::app_dir;
/// let err = app_dir(std::path::Path::new("/r"), "p", "../etc").unwrap_err();
/// assert_eq!(err.to_string(), "invalid app id \"../etc\": contains `/`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {id:?}: {reason}")]
pub struct IdError {
    /// Project or application.
    pub kind: IdKind,
    /// The rejected id.
    pub id: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

/// Longest id, in bytes: the longest file name most file systems take.
const MAX_ID_BYTES: usize = 255;

/// Checks that `id` can safely name one directory: not empty, not `.`, no `/`, `\`, `..` or
/// NUL, at most 255 bytes; an application id may not start with `.` either. Returns the id
/// unchanged.
///
/// Hidden folders follow Apache Burr's server: it lists a project folder whose name starts
/// with `.` like any other, and leaves out application folders whose name does.
pub(crate) fn validate_id(kind: IdKind, id: &str) -> Result<&str, IdError> {
    let reason = if id.is_empty() {
        "is empty"
    } else if id.contains('/') {
        "contains `/`"
    } else if id.contains('\\') {
        "contains `\\`"
    } else if id.contains("..") {
        "contains `..`"
    } else if id.contains('\0') {
        "contains a NUL character"
    } else if id == "." {
        "is `.`"
    } else if kind == IdKind::App && id.starts_with('.') {
        "starts with `.`"
    } else if id.len() > MAX_ID_BYTES {
        "is longer than 255 bytes"
    } else {
        return Ok(id);
    };
    Err(IdError {
        kind,
        id: id.to_string(),
        reason,
    })
}

/// The directory of a project: `<root>/<project>`, after checking the id.
///
/// # Examples
///
/// ```
/// use std::path::Path;
/// use burr_tracking::layout::project_dir;
/// assert_eq!(project_dir(Path::new("/r"), "p").unwrap(), Path::new("/r/p"));
/// assert!(project_dir(Path::new("/r"), "..").is_err());
/// ```
pub fn project_dir(root: &Path, project: &str) -> Result<PathBuf, IdError> {
    Ok(root.join(validate_id(IdKind::Project, project)?))
}

/// The directory of an application: `<root>/<project>/<app_id>`, after checking both ids:
/// neither may be empty or `.`, hold `/`, `\`, `..` or NUL, or be longer than 255 bytes, and
/// the application id may not start with `.` (a hidden project folder is a project, as in
/// Apache Burr's server; a hidden application folder is not an application).
///
/// # Examples
///
/// ```
/// use std::path::Path;
/// use burr_tracking::layout::app_dir;
/// assert_eq!(app_dir(Path::new("/r"), "p", "a").unwrap(), Path::new("/r/p/a"));
/// assert_eq!(app_dir(Path::new("/r"), ".p", "a").unwrap(), Path::new("/r/.p/a"));
/// for bad in ["", ".", ".hidden", "a/b", "a\\b", "a..b", "a\0b"] {
///     assert!(app_dir(Path::new("/r"), "p", bad).is_err(), "{bad:?}");
/// }
/// ```
pub fn app_dir(root: &Path, project: &str, app_id: &str) -> Result<PathBuf, IdError> {
    Ok(project_dir(root, project)?.join(validate_id(IdKind::App, app_id)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| OsString::from(value))
        }
    }

    #[test]
    fn the_root_is_burr_path_with_the_home_expanded() {
        let home = Some(Path::new("/home/u"));
        let root = |vars: &[(&str, &str)]| resolve_root_with(env(vars), home).unwrap();
        assert_eq!(
            root(&[("BURR_PATH", "~/x")]),
            Root {
                path: PathBuf::from("/home/u/x"),
                source: RootSource::Env
            }
        );
        assert_eq!(root(&[("BURR_PATH", "~")]).path, Path::new("/home/u"));
        assert_eq!(root(&[("BURR_PATH", "/data")]).path, Path::new("/data"));
        assert_eq!(root(&[("BURR_PATH", "~u/x")]).path, Path::new("~u/x"));
        assert_eq!(root(&[("burr_path", "rel")]).path, Path::new("rel"));
        assert_eq!(
            root(&[("BURR_PATH", "/a"), ("burr_path", "/b")]).path,
            Path::new("/a")
        );
        // An empty variable counts as unset.
        let default = root(&[("BURR_PATH", "")]);
        assert_eq!(default.path, Path::new("/home/u/.burr"));
        assert_eq!(default.source, RootSource::Home);
    }

    #[test]
    fn without_a_home_only_burr_path_names_the_root() {
        assert_eq!(resolve_root_with(env(&[]), None), Err(NoHomeDir));
        let root = resolve_root_with(env(&[("BURR_PATH", "~/x")]), None).unwrap();
        assert_eq!(root.path, Path::new("~/x"));
    }
}
