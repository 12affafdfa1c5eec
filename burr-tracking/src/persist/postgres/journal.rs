//! The journal of steps in progress, in `<table>_journal`.

use burr_core::PersistenceError;
use burr_core::persistence::JournalEntry;

use super::PostgresPersister;
use crate::persist::{DEFAULT_PARTITION_KEY, journal};

impl PostgresPersister {
    pub(super) async fn save_journal_entry(
        &self,
        e: &JournalEntry,
    ) -> Result<(), PersistenceError> {
        let (Ok(seq), Ok(idx)) = (i32::try_from(e.sequence_id), i32::try_from(e.index)) else {
            return Err(PersistenceError::Unsupported(format!(
                "journal entry {} of step {}: beyond the INTEGER column's range",
                e.index, e.sequence_id
            )));
        };
        let value = journal::value_text(e)?;
        let pk = e.partition_key.as_deref().unwrap_or(DEFAULT_PARTITION_KEY);
        if [pk, e.app_id.as_str(), &e.position, &e.key, &value]
            .iter()
            .any(|t| t.contains('\0'))
        {
            return Err(PersistenceError::Unsupported(format!(
                "journal entry {} of step {} holds a NUL character (U+0000), which PostgreSQL \
                 text cannot hold",
                e.index, e.sequence_id
            )));
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&self.sql.journal_save)
            .await
            .map_err(|err| self.map_err(err, None))?;
        client
            .execute(
                &stmt,
                &[&pk, &e.app_id, &seq, &idx, &e.position, &e.key, &value],
            )
            .await
            .map_err(|err| self.map_err(err, None))?;
        Ok(())
    }

    pub(super) async fn journal_of(
        &self,
        partition_key: Option<&str>,
        app_id: &str,
        sequence_id: u64,
    ) -> Result<Vec<JournalEntry>, PersistenceError> {
        let pk = partition_key.unwrap_or(DEFAULT_PARTITION_KEY);
        let Ok(seq) = i32::try_from(sequence_id) else {
            return Ok(Vec::new());
        };
        if pk.contains('\0') || app_id.contains('\0') {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&self.sql.journal_load)
            .await
            .map_err(|e| self.map_err(e, None))?;
        let rows = client
            .query(&stmt, &[&pk, &app_id, &seq])
            .await
            .map_err(|e| self.map_err(e, None))?;
        rows.iter()
            .map(|row| {
                let read = |e: tokio_postgres::Error| {
                    PersistenceError::Corrupt(format!("journal of app id {app_id:?}: {e}"))
                };
                let idx: i32 = row.try_get(0).map_err(read)?;
                let value: String = row.try_get(3).map_err(read)?;
                journal::entry(
                    partition_key,
                    app_id,
                    sequence_id,
                    idx.into(),
                    row.try_get(1).map_err(read)?,
                    row.try_get(2).map_err(read)?,
                    &value,
                )
            })
            .collect()
    }
}
