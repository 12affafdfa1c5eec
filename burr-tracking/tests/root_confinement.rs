//! Nothing outside the tracking root is read, whatever the links below it say, and only
//! regular files are read: through the reader, the loader and the server alike.
#![cfg(all(unix, feature = "server"))]

mod support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use axum::http::StatusCode;
use burr_tracking::read::{self, ReadError, Refusal};
use burr_tracking::server::Store;
use burr_tracking::{LoadError, load_state};

use support::oneshot::get_text as get;
use support::roots::write_app;

/// A word that only the files outside the root hold.
const SECRET: &str = "outside-secret-7c1f";

fn log_line(seq: u64) -> String {
    format!(
        "{{\"type\":\"begin_entry\",\"start_time\":\"2024-01-01T00:00:00\",\"action\":\"{SECRET}\",\"inputs\":{{}},\"sequence_id\":{seq}}}\n\
         {{\"type\":\"end_entry\",\"end_time\":\"2024-01-01T00:00:01\",\"action\":\"{SECRET}\",\"result\":{{}},\"exception\":null,\"state\":{{\"s\":\"{SECRET}\"}},\"sequence_id\":{seq}}}\n"
    )
}

fn graph() -> String {
    format!(
        r#"{{"type": "application", "entrypoint": "{SECRET}", "actions": [], "transitions": []}}"#
    )
}

/// A root, and beside it (outside) an application full of [`SECRET`].
struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    let files: [(&str, String); 4] = [
        ("log.jsonl", log_line(0)),
        ("graph.json", graph()),
        (
            "metadata.json",
            format!(r#"{{"partition_key": "{SECRET}"}}"#),
        ),
        (
            "children.jsonl",
            format!(
                r#"{{"type":"child_application_data","child":{{"type":"pointer_data","app_id":"{SECRET}","sequence_id":null,"partition_key":null}},"event_time":"2026-01-01T00:00:00","event_type":"fork","sequence_id":1}}"#
            ),
        ),
    ];
    let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (*n, c.as_bytes())).collect();
    write_app(&outside, "project", "app", &borrowed);
    fs::create_dir_all(&root).unwrap();
    Setup {
        _dir: dir,
        root,
        outside,
    }
}

fn is_refused(err: &ReadError, want: Refusal) -> bool {
    matches!(err, ReadError::Refused { reason, .. } if *reason == want)
}

/// Links below the root: a project folder, an app folder, and each file of a real app folder.
fn link_everything(s: &Setup) {
    let app = s.outside.join("project/app");
    symlink(s.outside.join("project"), s.root.join("linked_project")).unwrap();
    fs::create_dir_all(s.root.join("p")).unwrap();
    symlink(&app, s.root.join("p/linked_app")).unwrap();
    fs::create_dir_all(s.root.join("p/files")).unwrap();
    for name in ["log.jsonl", "graph.json", "metadata.json", "children.jsonl"] {
        symlink(app.join(name), s.root.join("p/files").join(name)).unwrap();
    }
    // A link that stays inside the root is refused too.
    write_app(&s.root, "p", "real", &[("log.jsonl", b"")]);
    symlink(s.root.join("p/real"), s.root.join("p/inner_link")).unwrap();
}

#[test]
fn the_reader_never_follows_a_link_below_the_root() {
    let s = setup();
    link_everything(&s);
    let projects: Vec<String> = read::list_projects(&s.root)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(projects, ["p"]);
    let err = read::list_apps(&s.root, "linked_project").unwrap_err();
    assert!(is_refused(&err, Refusal::Symlink), "{err}");
    let apps = read::list_apps(&s.root, "p").unwrap();
    let ids: Vec<&str> = apps.iter().map(|a| a.app_id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"files") && ids.contains(&"real"), "{ids:?}");
    let files = apps.iter().find(|a| a.app_id == "files").unwrap();
    assert_eq!(
        (files.has_log, files.has_graph, files.num_steps),
        (false, false, 0)
    );
    assert!(files.metadata.partition_key.is_none());

    for (project, app) in [
        ("linked_project", "app"),
        ("p", "linked_app"),
        ("p", "inner_link"),
    ] {
        let err = read::read_app(&s.root, project, app).unwrap_err();
        assert!(is_refused(&err, Refusal::Symlink), "{project}/{app}: {err}");
        let err = load_state(&s.root, project, app, None).unwrap_err();
        assert!(
            matches!(
                err,
                LoadError::Read(ReadError::Refused {
                    reason: Refusal::Symlink,
                    ..
                })
            ),
            "{project}/{app}: {err}"
        );
    }
    let err = read::read_app(&s.root, "p", "files").unwrap_err();
    assert!(is_refused(&err, Refusal::Symlink), "{err}");
    let err = load_state(&s.root, "p", "files", None).unwrap_err();
    assert!(!format!("{err:?}").contains(SECRET), "{err:?}");
}

#[tokio::test]
async fn the_server_never_follows_a_link_below_the_root() {
    let s = setup();
    link_everything(&s);
    let store = Store::new(&s.root);
    for uri in [
        "/api/v0/projects",
        "/api/v0/linked_project/__none__/apps",
        "/api/v0/linked_project/app/__none__/apps",
        "/api/v0/p/__none__/apps",
        "/api/v0/p/linked_app/__none__/apps",
        "/api/v0/p/files/__none__/apps",
        "/api/v0/p/inner_link/__none__/apps",
        "/api/v1/p/linked_app/summary",
        "/api/v1/p/files/summary",
        "/api/v1/p/files/steps",
        "/api/v1/p/files/wait?timeout_ms=0",
        "/api/v1/linked_project/app/steps",
    ] {
        let (status, body) = get(&store, uri).await;
        assert!(
            !body.contains(SECRET),
            "{uri} answered {status} with outside data: {body}"
        );
        assert!(
            !body.contains(&*s.root.to_string_lossy()),
            "{uri} shows the root's path: {body}"
        );
    }
    let (status, _) = get(&store, "/api/v1/p/linked_app/summary").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = get(&store, "/api/v1/p/files/summary").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("symbolic link"), "{body}");
    let (_, body) = get(&store, "/api/v0/p/files/__none__/apps").await;
    assert!(body.contains("not served"), "{body}");
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// Runs `f` on a thread and waits a generous while for it: a hang fails the test instead
/// of blocking it.
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what} never finished"))
}

#[test]
fn fifos_and_other_special_files_are_refused_without_waiting() {
    let s = setup();
    let app = write_app(&s.root, "p", "a", &[("graph.json", graph().as_bytes())]);
    for name in ["metadata.json", "log.jsonl", "children.jsonl"] {
        mkfifo(&app.join(name));
    }
    let root = s.root.clone();
    let logs = finishes("read_app", move || read::read_app(&root, "p", "a"));
    let err = logs.unwrap_err();
    assert!(is_refused(&err, Refusal::NotAFile), "{err}");
    let root = s.root.clone();
    let apps = finishes("list_apps", move || read::list_apps(&root, "p").unwrap());
    assert!(
        apps[0]
            .metadata_error
            .as_deref()
            .unwrap()
            .contains("not a regular file")
    );
    let root = s.root.clone();
    let err = finishes("load_state", move || load_state(&root, "p", "a", None)).unwrap_err();
    assert!(
        matches!(err, LoadError::Read(ReadError::Refused { .. })),
        "{err}"
    );
    let path = app.join("metadata.json");
    let err = finishes("read_metadata", move || read::read_metadata(&path)).unwrap_err();
    assert!(is_refused(&err, Refusal::NotAFile), "{err}");
    let path = app.join("log.jsonl");
    assert!(finishes("num_steps", move || read::num_steps(&path)).is_err());

    let store = Store::new(&s.root);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The whole app and its steps need a FIFO: refused (404, as for a missing file); the
    // summary and the app list report the problem and answer.
    for (uri, expected) in [
        ("/api/v0/p/a/__none__/apps", StatusCode::NOT_FOUND),
        ("/api/v1/p/a/summary", StatusCode::OK),
        ("/api/v1/p/a/steps", StatusCode::NOT_FOUND),
        ("/api/v0/p/__none__/apps", StatusCode::OK),
    ] {
        let store = store.clone();
        let (status, body) = runtime.block_on(async move {
            tokio::time::timeout(Duration::from_secs(60), get(&store, uri))
                .await
                .unwrap_or_else(|_| panic!("{uri} never answered"))
        });
        assert_eq!(status, expected, "{uri}: {body}");
        assert!(!body.contains(&*s.root.to_string_lossy()), "{uri}: {body}");
    }
}

#[test]
fn a_link_to_an_endless_device_is_refused() {
    let s = setup();
    let app = write_app(&s.root, "p", "a", &[("graph.json", graph().as_bytes())]);
    symlink("/dev/zero", app.join("children.jsonl")).unwrap();
    symlink("/dev/zero", app.join("log.jsonl")).unwrap();
    let root = s.root.clone();
    let err = finishes("read_app", move || read::read_app(&root, "p", "a")).unwrap_err();
    assert!(is_refused(&err, Refusal::Symlink), "{err}");
    // Named directly, a device is still not read.
    let err = finishes("read_children", || {
        read::read_children(Path::new("/dev/zero"))
    })
    .unwrap_err();
    assert!(is_refused(&err, Refusal::NotAFile), "{err}");
    let err = finishes("read_log", || read::read_log(Path::new("/dev/zero"))).unwrap_err();
    assert!(is_refused(&err, Refusal::NotAFile), "{err}");
}

#[test]
fn files_past_their_budget_are_not_read_whole() {
    let s = setup();
    let app = write_app(&s.root, "p", "a", &[]);
    // Sparse files: large on paper, cheap on disk.
    let sparse = |name: &str, len: u64| {
        let file = fs::File::create(app.join(name)).unwrap();
        file.set_len(len).unwrap();
    };
    sparse("graph.json", read::MAX_JSON_FILE + 1);
    sparse("children.jsonl", read::MAX_CHILDREN_FILE + 1);
    let mut log = log_line(0).into_bytes();
    log.extend(std::iter::repeat_n(b'x', read::MAX_LINE + 10));
    log.push(b'\n');
    log.extend(log_line(1).into_bytes());
    fs::write(app.join("log.jsonl"), &log).unwrap();

    let err = read::read_graph(&app.join("graph.json")).unwrap_err();
    assert!(
        matches!(err, ReadError::TooLarge { limit, .. } if limit == read::MAX_JSON_FILE),
        "{err}"
    );
    let err = read::read_children(&app.join("children.jsonl")).unwrap_err();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
    let read = read::read_log(&app.join("log.jsonl")).unwrap();
    assert_eq!((read.records.len(), read.skipped), (4, 1));
    assert!(read.problems[0].error.to_string().contains("longer than"));
    assert_eq!(read::num_steps(&app.join("log.jsonl")).unwrap(), 2);
    assert_eq!(
        load_state(&s.root, "p", "a", Some(0)).unwrap().sequence_id,
        0
    );

    let store = Store::new(&s.root);
    let summary = store.summary("p", "a").unwrap();
    assert_eq!(summary.num_steps, 2, "{:?}", summary.errors);
    let joined = summary.errors.join("\n");
    assert!(
        joined.contains("longer than") && joined.contains("larger than"),
        "{joined}"
    );
    assert!(!joined.contains(&*s.root.to_string_lossy()), "{joined}");
}
