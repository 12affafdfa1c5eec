//! What the SQL persisters share: Apache Burr's table and its statements, spelled in each
//! database's dialect, and the check on table names.

use burr_core::PersistenceError;

use super::DEFAULT_PARTITION_KEY;

/// How one database spells the statements of Burr's table.
pub(super) struct Dialect {
    /// The column type of `state`.
    pub(super) state_type: &'static str,
    /// The values of an insert: partition key, app id, sequence id, position, state, status.
    /// The first three also look for the step already saved.
    pub(super) values: [&'static str; 6],
    /// The value of `created_at` in an insert.
    pub(super) now: &'static str,
    /// The parameters of a lookup: partition key, app id, sequence id.
    pub(super) params: [&'static str; 3],
    /// How the columns `position, state, sequence_id, app_id, created_at, status` are selected.
    pub(super) columns: &'static str,
    /// Orders the rows of one step, newest first.
    pub(super) newest_row: &'static str,
    /// Orders the app ids whose latest saves share a `created_at`, newest first.
    pub(super) newest_app: &'static str,
    /// The parameters of a prune besides the partition key and app id: the sequence id just
    /// saved, and the first one kept by count.
    pub(super) prune_params: [&'static str; 2],
    /// The `created_at` before which a prune deletes, from a parameter in seconds (`NULL`:
    /// no age limit).
    pub(super) cutoff: &'static str,
    /// The values of a journal entry: partition key, app id, sequence id, index, position,
    /// key, value.
    pub(super) journal_values: [&'static str; 7],
}

/// The SQL text of every statement, built once per table name.
#[derive(Debug)]
pub(super) struct Statements {
    pub(super) table: String,
    pub(super) create: String,
    pub(super) insert: String,
    pub(super) load_latest: String,
    pub(super) load_exact: String,
    pub(super) list: String,
    /// Deletes the steps of one app that its [`Retention`](super::Retention) lets go.
    pub(super) prune: String,
    /// Saves one journal entry (see [`burr_core::persistence::JournalEntry`]), replacing
    /// the one at the same place.
    pub(super) journal_save: String,
    /// The journal of one step, in index order: `idx, position, entry_key, entry_value`.
    pub(super) journal_load: String,
}

impl Statements {
    /// The statements of Burr's table `table`: the columns of Burr's persisters, primary key
    /// `(partition_key, app_id, sequence_id, position)`, an index on `created_at`.
    pub(super) fn new(table: &str, dialect: &Dialect) -> Self {
        let Dialect {
            state_type,
            values: [pk, app, seq, position, state, status],
            now,
            params: [by_pk, by_app, by_seq],
            columns,
            newest_row,
            newest_app,
            prune_params: [saved, first_kept],
            cutoff,
            journal_values: [j_pk, j_app, j_seq, j_idx, j_position, j_key, j_value],
        } = dialect;
        Statements {
            journal_save: format!(
                "INSERT INTO {table}_journal \
                 (partition_key, app_id, sequence_id, idx, position, entry_key, entry_value) \
                 VALUES ({j_pk}, {j_app}, {j_seq}, {j_idx}, {j_position}, {j_key}, {j_value}) \
                 ON CONFLICT (partition_key, app_id, sequence_id, idx) DO UPDATE SET \
                 position = excluded.position, entry_key = excluded.entry_key, \
                 entry_value = excluded.entry_value"
            ),
            journal_load: format!(
                "SELECT idx, position, entry_key, entry_value FROM {table}_journal \
                 WHERE partition_key = {by_pk} AND app_id = {by_app} AND sequence_id = {by_seq} \
                 ORDER BY idx"
            ),
            table: table.to_string(),
            create: format!(
                "CREATE TABLE IF NOT EXISTS {table} (\n\
                 partition_key TEXT DEFAULT '{DEFAULT_PARTITION_KEY}',\n\
                 app_id TEXT NOT NULL,\n\
                 sequence_id INTEGER NOT NULL,\n\
                 position TEXT NOT NULL,\n\
                 status TEXT NOT NULL,\n\
                 state {state_type} NOT NULL,\n\
                 created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n\
                 PRIMARY KEY (partition_key, app_id, sequence_id, position)\n\
                 );\n\
                 CREATE INDEX IF NOT EXISTS {table}_created_at_index ON {table} (created_at);\n\
                 CREATE TABLE IF NOT EXISTS {table}_journal (\n\
                 partition_key TEXT NOT NULL,\n\
                 app_id TEXT NOT NULL,\n\
                 sequence_id INTEGER NOT NULL,\n\
                 idx INTEGER NOT NULL,\n\
                 position TEXT NOT NULL,\n\
                 entry_key TEXT NOT NULL,\n\
                 entry_value TEXT NOT NULL,\n\
                 PRIMARY KEY (partition_key, app_id, sequence_id, idx)\n\
                 );"
            ),
            // One statement, so that the duplicate check (the same step under any action name)
            // and the insert are one atomic step; the primary key catches the rest.
            insert: format!(
                "INSERT INTO {table} \
                 (partition_key, app_id, sequence_id, position, state, status, created_at) \
                 SELECT {pk}, {app}, {seq}, {position}, {state}, {status}, {now} \
                 WHERE NOT EXISTS (SELECT 1 FROM {table} \
                 WHERE partition_key = {pk} AND app_id = {app} AND sequence_id = {seq})"
            ),
            load_latest: format!(
                "SELECT {columns} FROM {table} WHERE partition_key = {by_pk} AND app_id = {by_app} \
                 ORDER BY sequence_id DESC, {newest_row} LIMIT 1"
            ),
            load_exact: format!(
                "SELECT {columns} FROM {table} \
                 WHERE partition_key = {by_pk} AND app_id = {by_app} AND sequence_id = {by_seq} \
                 ORDER BY {newest_row} LIMIT 1"
            ),
            list: format!(
                "SELECT app_id FROM {table} WHERE partition_key = {by_pk} GROUP BY app_id \
                 ORDER BY MAX(created_at) DESC, {newest_app}"
            ),
            // A range of the primary key, (partition_key, app_id, sequence_id < saved): the
            // rows of this app only, never the step just saved.
            prune: format!(
                "DELETE FROM {table} WHERE partition_key = {by_pk} AND app_id = {by_app} \
                 AND sequence_id < {saved} \
                 AND (sequence_id < {first_kept} OR created_at < {cutoff})"
            ),
        }
    }
}

/// A table name that cannot be used as a plain SQL identifier.
///
/// Table names are written into SQL unquoted (as Apache Burr does), so they must be plain
/// identifiers: an ASCII letter or `_`, then ASCII letters, digits or `_`.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// use burr_tracking::persist::sqlite::SqlitePersister;
/// let err = SqlitePersister::in_memory().unwrap().with_table_name("x; DROP TABLE y").unwrap_err();
/// assert!(err.to_string().contains("x; DROP TABLE y"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid table name {name:?}: {reason}")]
pub struct InvalidTableName {
    name: String,
    reason: String,
}

impl InvalidTableName {
    /// The rejected name.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use burr_tracking::persist::sqlite::SqlitePersister;
    /// let err = SqlitePersister::in_memory().unwrap().with_table_name("1st").unwrap_err();
    /// assert_eq!(err.name(), "1st");
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl From<InvalidTableName> for PersistenceError {
    fn from(e: InvalidTableName) -> Self {
        PersistenceError::backend(e)
    }
}

/// Checks that `name` is a plain SQL identifier of at most `max_len` bytes; with `lowercase`,
/// upper-case letters are refused too (PostgreSQL folds unquoted names to lower case).
pub(super) fn check_table_name(
    name: &str,
    max_len: usize,
    lowercase: bool,
) -> Result<(), InvalidTableName> {
    let fail = |reason: String| InvalidTableName {
        name: name.to_string(),
        reason,
    };
    let mut chars = name.chars();
    match chars.next() {
        None => return Err(fail("it is empty".into())),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            return Err(fail("it must start with an ASCII letter or `_`".into()));
        }
        _ => {}
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(fail(
            "only ASCII letters, digits and `_` are allowed".into(),
        ));
    }
    if lowercase && name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(fail(
            "use lower case: the server folds unquoted names to lower case".into(),
        ));
    }
    if name.len() > max_len {
        return Err(fail(format!("it is longer than {max_len} bytes")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_must_be_plain_identifiers() {
        assert!(check_table_name("burr_state", 63, true).is_ok());
        assert!(check_table_name("_x9", 63, true).is_ok());
        assert!(check_table_name("Burr", 63, false).is_ok());
        for bad in ["", "9a", "a-b", "a b", "a;drop", "é"] {
            let err = check_table_name(bad, 63, false).unwrap_err();
            assert_eq!(err.name(), bad);
        }
        assert!(check_table_name("Burr", 63, true).is_err());
        assert!(check_table_name("abcd", 3, false).is_err());
    }
}
