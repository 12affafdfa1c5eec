//! The two records of a tracked and SQLite-persisted application, read back directly (the
//! log line by line, the table with SQL) and compared.

use std::fs;
use std::path::Path;

use burr_tracking::format::LogRecord;
use serde_json::Value;

/// One step as a record shows it: sequence id, whether it failed, the `counter` in its state.
pub(crate) type Row = (u64, bool, i64);

/// The `end_entry` records of the log at `log`, checking that every line parses and that no
/// torn line is left.
pub(crate) fn log_ends(log: &Path) -> Vec<Row> {
    let text = fs::read_to_string(log).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "a torn last line");
    text.lines()
        .filter_map(|line| match LogRecord::from_json_line(line.as_bytes()) {
            Ok(LogRecord::EndEntry(e)) => Some((
                e.sequence_id,
                e.exception.is_some(),
                e.state["counter"].as_i64().unwrap(),
            )),
            Ok(_) => None,
            Err(e) => panic!("a line does not parse ({e}): {line}"),
        })
        .collect()
}

/// The `begin_entry` sequence ids of the log at `log`, skipping unreadable lines.
pub(crate) fn log_begins(log: &Path) -> Vec<u64> {
    fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter_map(|line| match LogRecord::from_json_line(line.as_bytes()) {
            Ok(LogRecord::BeginEntry(b)) => Some(b.sequence_id),
            _ => None,
        })
        .collect()
}

/// The rows of `app` in the SQLite database `db`, in sequence order.
pub(crate) fn saved(db: &Path, app: &str) -> Vec<Row> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT sequence_id, status, state FROM burr_state WHERE app_id = ?1 ORDER BY sequence_id",
        )
        .unwrap();
    stmt.query_map([app], |row| {
        let state: Value = serde_json::from_str(&row.get::<_, String>(2)?).unwrap();
        Ok((
            row.get::<_, i64>(0)? as u64,
            row.get::<_, String>(1)? == "failed",
            state["counter"].as_i64().unwrap(),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Both records hold the same steps `0..len`, none lost: the counter (0 at the start) grows by
/// one at each completed step and stays put at a failed one; one `begin_entry` per step.
/// Returns the steps.
pub(crate) fn assert_consistent(log: &Path, db: &Path, app: &str, len: u64) -> Vec<Row> {
    let (logged, persisted) = (log_ends(log), saved(db, app));
    assert_eq!(logged, persisted, "the log and the persister agree");
    let ids: Vec<u64> = logged.iter().map(|r| r.0).collect();
    assert_eq!(ids, (0..len).collect::<Vec<_>>(), "gapless from 0");
    let mut counter = 0;
    for &(seq, failed, n) in &logged {
        if !failed {
            counter += 1;
        }
        assert_eq!(n, counter, "the state of step {seq}");
    }
    assert_eq!(log_begins(log), ids, "one begin_entry per step");
    logged
}
