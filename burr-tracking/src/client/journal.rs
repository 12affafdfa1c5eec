//! The client as a [`StepJournal`]: what its log shows of an application's last steps, and
//! the lines that repair it when the state persister is ahead (see
//! [`burr_core::persistence`]'s reconciliation, run by the builder on resume).
//!
//! A repaired step is written as Burr writes any step, so Burr's own server reads it: a
//! `begin_entry` (unless the log already has the step's beginning) and an `end_entry`, both
//! in one write after any torn last line is cut. Its inputs and result are not known (the
//! persister keeps only the state), so they are written as `{}` and `null`; its end time is
//! the time the persister saved it, when that can be read.

use std::time::SystemTime;

use burr_core::persistence::{BegunStep, JournalTail, StepJournal, UNRECORDED_FAILURE};
use burr_core::{PersistedState, PersistenceError, StateLoader, Status};
use chrono::{DateTime, NaiveDateTime};
use serde_json::Map;

use crate::confined::RootPath;
use crate::format::{BeginEntryLine, BeginEntryModel, EndEntryLine, EndEntryModel};
use crate::format::{LineProbe, RecordKind, Timestamp};
use crate::layout::LOG_FILE;
use crate::read::{ReverseLines, loaded_from, log_created_at, lossy};

use super::logs::{AppLog, open_append};
use super::{LocalTrackingClient, TrackingError};

impl StepJournal for LocalTrackingClient {
    /// Reads the log backwards to its last readable `end_entry`, noting the `begin_entry`
    /// lines after it. Torn and unreadable lines are passed over.
    fn tail(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
    ) -> Result<JournalTail, PersistenceError> {
        self.app_dir(app_id).map_err(PersistenceError::backend)?;
        // Lines still held by this client belong in what is read.
        self.flush_app(app_id);
        let at = RootPath::new(self.storage_dir())
            .join(self.project())
            .join(app_id)
            .join(LOG_FILE);
        let file = match at.open_file() {
            Ok(file) => file,
            Err(e) if e.is_not_found() => return Ok(JournalTail::default()),
            Err(e) => return Err(PersistenceError::backend(e)),
        };
        let created_at = log_created_at(&file);
        let path = self.app_dir(app_id).map_err(PersistenceError::backend)?;
        let mut lines = ReverseLines::from_file(file, &path.join(LOG_FILE))
            .map_err(PersistenceError::backend)?;
        let mut tail = JournalTail::default();
        while let Some(line) = lines.next_line().map_err(PersistenceError::backend)? {
            let Ok(probe) = LineProbe::read(line) else {
                continue;
            };
            match probe.record_kind() {
                Some(RecordKind::BeginEntry) => {
                    if let Ok(begin) = serde_json::from_slice::<BeginEntryModel>(&lossy(line)) {
                        tail.begun.push(BegunStep {
                            sequence_id: begin.sequence_id,
                            action: begin.action,
                        });
                    }
                }
                Some(RecordKind::EndEntry) => {
                    if let Ok(end) = serde_json::from_slice::<EndEntryModel>(&lossy(line)) {
                        let ended =
                            loaded_from(end, created_at).into_persisted(partition_key, app_id);
                        tail.begun.retain(|b| b.sequence_id > ended.sequence_id);
                        tail.last_ended = Some(ended);
                        break;
                    }
                }
                _ => {}
            }
        }
        // Read backwards: put them in the order they began.
        tail.begun.reverse();
        Ok(tail)
    }

    fn step(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<Option<PersistedState>, PersistenceError> {
        self.load(partition_key, app_id, Some(sequence_id))
    }

    fn record(
        &self,
        step: &PersistedState,
        begun: bool,
        exception: Option<&str>,
    ) -> Result<(), PersistenceError> {
        self.record_step(step, begun, exception)
            .map_err(PersistenceError::backend)
    }
}

impl LocalTrackingClient {
    /// Appends the lines of a step the log lacks (see [`StepJournal::record`]), in one write.
    fn record_step(
        &self,
        step: &PersistedState,
        begun: bool,
        exception: Option<&str>,
    ) -> Result<(), TrackingError> {
        let app_id = step.app_id.as_str();
        let dir = self.app_dir(app_id)?;
        std::fs::create_dir_all(&dir).map_err(|e| TrackingError::io(&dir, e))?;
        let path = dir.join(LOG_FILE);
        if !path.is_file() {
            open_append(&path)?;
        }
        let mut outcome = Err(TrackingError::io(
            &path,
            std::io::Error::other("the log could not be opened"),
        ));
        self.with_log(app_id, |log| {
            outcome = write_step(log, step, begun, exception)
        });
        outcome
    }
}

/// Writes the lines of `step` to `log`: a `begin_entry` unless `begun`, then its `end_entry`,
/// in one write, after cutting a torn last line.
fn write_step(
    log: &mut AppLog,
    step: &PersistedState,
    begun: bool,
    exception: Option<&str>,
) -> Result<(), TrackingError> {
    let app_id = step.app_id.as_str();
    if let Some(cut) = log.cut_torn_tail()? {
        tracing::warn!(
            target: "burr_tracking::client",
            app_id,
            "removed {cut} bytes of a torn last line (a previous run was interrupted mid-write)"
        );
    }
    let ended = Timestamp::local_at(saved_at(&step.created_at).unwrap_or_else(SystemTime::now));
    if !begun {
        let line = BeginEntryLine {
            start_time: ended,
            action: &step.position,
            inputs: &Map::new(),
            sequence_id: step.sequence_id,
        };
        // Held, so that it goes out in the same write as the end.
        log.append(&line, "begin_entry", app_id, true)?;
    }
    let failed = step.status == Status::Failed;
    let line = EndEntryLine {
        end_time: ended,
        action: &step.position,
        result: None,
        exception: failed.then(|| exception.unwrap_or(UNRECORDED_FAILURE)),
        state: &step.state,
        sequence_id: step.sequence_id,
    };
    let ended = log.append(&line, "end_entry", app_id, false);
    if ended.is_err() {
        // The held beginning goes out alone rather than waiting for a step that never ends.
        log.flush_reported();
    }
    ended.map(|_| ())
}

/// When the persister saved a step: its `created_at` text, RFC 3339 or SQL's
/// `YYYY-MM-DD HH:MM:SS[.f]` (UTC).
fn saved_at(created_at: &str) -> Option<SystemTime> {
    if let Ok(t) = DateTime::parse_from_rfc3339(created_at) {
        return Some(t.into());
    }
    NaiveDateTime::parse_from_str(created_at, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_times_of_every_backend_parse() {
        for text in [
            "2026-01-01 00:00:00",
            "2026-01-01 00:00:00.123",
            "2026-01-01T00:00:00.123456Z",
            "2026-01-01T01:00:00+01:00",
        ] {
            let t = saved_at(text).unwrap_or_else(|| panic!("{text}"));
            let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
            assert_eq!(secs, 1_767_225_600, "{text}");
        }
        assert!(saved_at("yesterday").is_none());
    }
}
