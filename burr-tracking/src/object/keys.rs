//! The names of tracking objects in a bucket: Apache Burr's S3 layout,
//! `{prefix}/data/{project}/{YYYY}/{MM}/{DD}/{HH}/{mm:ss.ffffff+00:00}/{partition_key or
//! __none__}/{app_id}/{file}`, where the time is when the object was written (UTC) and
//! `file` is `graph.json`, `metadata.json`, `{uuid}__log.jsonl` or (ours, ignored by Burr's
//! server as a log of no known records) `{uuid}__children.jsonl`.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use object_store::path::{Path, PathPart};

use crate::client::validate_project;
use crate::layout::{IdKind, validate_id};

/// The partition key of an application that has none.
pub(crate) const NO_PARTITION: &str = "__none__";
/// The folder under the prefix that holds the tracking data.
pub(crate) const DATA: &str = "data";

/// What an object of an application holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `graph.json`.
    Graph,
    /// `metadata.json`.
    Metadata,
    /// `…__log.jsonl`: log lines.
    Log,
    /// `…__children.jsonl`: lines of the application's `children.jsonl`.
    Children,
}

/// One object of an application, named as Burr names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectKey {
    pub(crate) project: String,
    pub(crate) partition_key: Option<String>,
    pub(crate) app_id: String,
    pub(crate) kind: FileKind,
    /// The last part of the key (the file name).
    pub(crate) file: String,
    /// When the object was written, read from its key.
    pub(crate) time: Option<SystemTime>,
}

/// Why a key under `data/` is not a tracking object this crate reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a tracking object: {key} ({why})")]
pub(crate) struct BadKey {
    pub(crate) key: String,
    pub(crate) why: &'static str,
}

/// The prefix of a project's objects: `{prefix}/data/{project}/`.
pub(crate) fn project_prefix(prefix: &Path, project: &str) -> Path {
    prefix.clone().join(DATA).join(project)
}

/// The prefix of every project: `{prefix}/data/`.
pub(crate) fn data_prefix(prefix: &Path) -> Path {
    prefix.clone().join(DATA)
}

/// The key of a new object for `app_id`, written at `time`.
pub(crate) fn object_key(
    prefix: &Path,
    project: &str,
    partition_key: Option<&str>,
    app_id: &str,
    file: &str,
    time: SystemTime,
) -> Path {
    let mut key = project_prefix(prefix, project);
    for part in time_parts(time) {
        key = key.join(part);
    }
    key.join(PathPart::from(
        partition_key
            .filter(|pk| !pk.is_empty())
            .unwrap_or(NO_PARTITION),
    ))
    .join(PathPart::from(app_id))
    .join(PathPart::from(file))
}

/// The five time folders of a key: year, month, day, hour, and `mm:ss.ffffff+00:00` (the
/// fraction left out when it is zero, as Python's `isoformat` does).
fn time_parts(time: SystemTime) -> [String; 5] {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let t = chrono::DateTime::<chrono::Utc>::from(UNIX_EPOCH + since);
    let micros = t.timestamp_subsec_micros();
    let rest = if micros == 0 {
        t.format("%M:%S+00:00").to_string()
    } else {
        format!("{}.{micros:06}+00:00", t.format("%M:%S"))
    };
    [
        t.format("%Y").to_string(),
        t.format("%m").to_string(),
        t.format("%d").to_string(),
        t.format("%H").to_string(),
        rest,
    ]
}

/// The smallest key of `project` written at or after `time`: where a listing starts to see
/// everything written since then.
pub(crate) fn time_offset(prefix: &Path, project: &str, time: SystemTime) -> Path {
    let mut key = project_prefix(prefix, project);
    let [y, m, d, h, rest] = time_parts(time);
    for part in [y, m, d, h] {
        key = key.join(part);
    }
    // `mm:ss` alone sorts before every fraction and offset of that second.
    key.join(rest[..5].to_string())
}

/// Reads a key under `{prefix}/data/`; every id is checked as the local layout checks it, so
/// no key can name a file outside an application's folder.
pub(crate) fn parse_key(prefix: &Path, key: &Path) -> Result<ObjectKey, BadKey> {
    let bad = |why| BadKey {
        key: key.to_string(),
        why,
    };
    let skip = prefix.parts().count();
    let parts: Vec<String> = key
        .parts()
        .skip(skip)
        .map(|p| percent_decode(p.as_ref()))
        .collect::<Option<_>>()
        .ok_or_else(|| bad("a part is not UTF-8"))?;
    let [data, project, y, m, d, h, t, pk, app_id, file] = parts.as_slice() else {
        return Err(bad(
            "not data/{project}/{time}/{partition key}/{app id}/{file}",
        ));
    };
    if data != DATA {
        return Err(bad("not under data/"));
    }
    validate_project(project).map_err(|_| bad("invalid project name"))?;
    validate_id(IdKind::App, app_id).map_err(|_| bad("invalid app id"))?;
    if pk.is_empty() {
        return Err(bad("empty partition key"));
    }
    let kind = if file == "graph.json" {
        FileKind::Graph
    } else if file == "metadata.json" {
        FileKind::Metadata
    } else if file.ends_with("__children.jsonl") {
        FileKind::Children
    } else if file.ends_with(".jsonl") {
        FileKind::Log
    } else {
        return Err(bad("an unknown file"));
    };
    Ok(ObjectKey {
        project: project.clone(),
        partition_key: (pk != NO_PARTITION).then(|| pk.clone()),
        app_id: app_id.clone(),
        kind,
        file: file.clone(),
        time: key_time([y, m, d, h, t]),
    })
}

/// The time the five time folders of a key name.
fn key_time([y, m, d, h, t]: [&String; 5]) -> Option<SystemTime> {
    let minutes_seconds = t.split('+').next()?;
    let text = format!("{y}-{m}-{d}T{h}:{minutes_seconds}");
    let naive = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let micros = u64::try_from(naive.and_utc().timestamp_micros()).ok()?;
    Some(UNIX_EPOCH + Duration::from_micros(micros))
}

/// A key part as written (object_store percent-encodes characters such as `%` and `/`).
fn percent_decode(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Times for object names that always increase within a process, so the objects of one
/// writer sort in the order they were written even within one microsecond.
#[derive(Debug, Default)]
pub(crate) struct KeyClock {
    last: Mutex<Duration>,
}

impl KeyClock {
    /// Now, or a microsecond after the last time given if that is not earlier.
    pub(crate) fn next(&self) -> SystemTime {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let now = Duration::from_micros(now.as_micros() as u64);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let next = if now > *last {
            now
        } else {
            *last + Duration::from_micros(1)
        };
        *last = next;
        UNIX_EPOCH + next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_micros(micros)
    }

    #[test]
    fn keys_are_burrs_and_read_back() {
        let prefix = Path::from("runs/eu");
        // 2026-12-03T11:39:53.394608Z
        let t = at(1_796_297_993_394_608);
        let key = object_key(&prefix, "demo", None, "app-1", "graph.json", t);
        assert_eq!(
            key.as_ref(),
            "runs/eu/data/demo/2026/12/03/11/39:53.394608+00:00/__none__/app-1/graph.json"
        );
        let whole = object_key(
            &prefix,
            "demo",
            Some("u/1 %"),
            "a",
            "x__log.jsonl",
            at(1_796_297_993_000_000),
        );
        assert!(whole.as_ref().contains("/39:53+00:00/"), "{whole}");
        let parsed = parse_key(&prefix, &whole).unwrap();
        assert_eq!(parsed.partition_key.as_deref(), Some("u/1 %"));
        assert_eq!((parsed.app_id.as_str(), parsed.kind), ("a", FileKind::Log));
        let parsed = parse_key(&prefix, &key).unwrap();
        assert_eq!(parsed.time, Some(t));
        assert_eq!(parsed.partition_key, None);
        assert_eq!(parsed.kind, FileKind::Graph);
        // Without a prefix, exactly Burr's keys.
        let burr = Path::from(
            "data/s3-demo/2026/12/03/11/39:54.419145+00:00/user-1/child-app-1/08a8__log.jsonl",
        );
        let parsed = parse_key(&Path::default(), &burr).unwrap();
        assert_eq!(parsed.project, "s3-demo");
        assert_eq!(parsed.partition_key.as_deref(), Some("user-1"));
        assert_eq!(parsed.app_id, "child-app-1");
    }

    #[test]
    fn keys_sort_in_time_order_and_the_offset_comes_first() {
        let p = Path::default();
        let times = [
            1_796_297_993_000_000,
            1_796_297_993_000_001,
            1_796_297_993_394_608,
            1_796_297_994_000_000,
        ];
        let keys: Vec<String> = times
            .iter()
            .map(|t| object_key(&p, "d", None, "a", "graph.json", at(*t)).to_string())
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let offset = time_offset(&p, "d", at(1_796_297_993_000_000)).to_string();
        assert!(
            keys.iter().all(|k| k.as_str() > offset.as_str()),
            "{offset}"
        );
    }

    #[test]
    fn hostile_keys_are_refused() {
        let p = Path::default();
        for key in [
            "data/d/2026/12/03/11/39:53+00:00/__none__/../graph.json",
            "data/d/2026/12/03/11/39:53+00:00/__none__/.hidden/graph.json",
            "data/../2026/12/03/11/39:53+00:00/__none__/a/graph.json",
            "data/d/2026/12/03/11/39:53+00:00/__none__/a/b/graph.json",
            "data/d/2026/12/03/11/__none__/a/graph.json",
            "data/d/2026/12/03/11/39:53+00:00/__none__/a/evil.sh",
            "data/d é/2026/12/03/11/39:53+00:00/__none__/a/graph.json",
            "other/d/2026/12/03/11/39:53+00:00/__none__/a/graph.json",
        ] {
            assert!(parse_key(&p, &Path::from(key)).is_err(), "{key}");
        }
        let encoded = Path::from_iter([
            "data",
            "d",
            "2026",
            "12",
            "03",
            "11",
            "39:53+00:00",
            "__none__",
            "..",
            "graph.json",
        ]);
        assert!(parse_key(&p, &encoded).is_err(), "{encoded}");
    }

    #[test]
    fn the_clock_never_repeats() {
        let clock = KeyClock::default();
        let mut last = clock.next();
        for _ in 0..1000 {
            let t = clock.next();
            assert!(t > last);
            last = t;
        }
    }
}
