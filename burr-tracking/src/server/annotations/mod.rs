//! Annotations of steps, compatible with Apache Burr's local backend: the same records in
//! the same file (`<root>/<project>/annotations.jsonl`), served on the same endpoints, so
//! annotations made in Burr's UI show in this one and the reverse.
//!
//! | method & path | body | answer |
//! |---|---|---|
//! | `GET /api/v0/{project}/annotations?app_id=&partition_key=&step_sequence_id=` | – | `[AnnotationOut]` |
//! | `POST /api/v0/{project}/{app_id}/{partition_key}/{sequence_id}/annotations` | [`AnnotationCreate`] | [`AnnotationOut`] |
//! | `PUT /api/v0/{project}/{annotation_id}/update_annotations` | [`AnnotationUpdate`] | [`AnnotationOut`] |
//!
//! Unlike Burr's server, a new annotation must name a step that exists (404 otherwise), and
//! an update answers the annotation as it is after the update (Burr answers it as it was).
//!
//! # Examples
//!
//! ```
//! use burr_tracking::server::Store;
//! use burr_tracking::server::annotations::{AnnotationCreate, AnnotationFilter};
//! let root = tempfile::tempdir()?;
//! std::fs::create_dir_all(root.path().join("p/app"))?;
//! std::fs::write(root.path().join("p/app/log.jsonl"), concat!(
//!     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"a","inputs":{},"sequence_id":0}"#, "\n"))?;
//! let store = Store::new(root.path());
//! let new: AnnotationCreate = serde_json::from_str(r#"{"span_id":null,"step_name":"a","tags":["good"],"observations":[]}"#)?;
//! let made = store.create_annotation("p", "app", None, 0, new)?;
//! assert_eq!(made.id, 0);
//! assert_eq!(store.annotations("p", &AnnotationFilter::default())?, vec![made]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod file;
mod model;

use std::sync::Mutex;

pub use model::{
    AnnotationCreate, AnnotationFilter, AnnotationOut, AnnotationUpdate, DataPointer, Observation,
    PointerKind,
};

use crate::format::Timestamp;
use crate::server::{Store, StoreError};

/// One writer at a time in this process: each write reads the file, changes it and renames
/// a new one over it.
static WRITING: Mutex<()> = Mutex::new(());

impl Store {
    /// The annotations of `project` that pass `filter`, in the file's order.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidId`] for a project that cannot name a folder;
    /// [`StoreError::TooLarge`] or [`StoreError::Io`] when the file cannot be read.
    ///
    /// # Examples
    ///
    /// See [the module](self).
    pub fn annotations(
        &self,
        project: &str,
        filter: &AnnotationFilter,
    ) -> Result<Vec<AnnotationOut>, StoreError> {
        let mut all = file::read_all(self.root(), project)?;
        all.retain(|a| filter.matches(a));
        Ok(all)
    }

    /// Adds an annotation of step `sequence_id` of `app_id`; its id is the project's largest
    /// plus one (from 0).
    ///
    /// # Errors
    ///
    /// [`StoreError::AppNotFound`] or [`StoreError::StepNotFound`] when the step does not
    /// exist; the errors of [`Store::annotations`] and I/O errors of the write (nothing is
    /// written then).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{Store, StoreError};
    /// use burr_tracking::server::annotations::AnnotationCreate;
    /// let root = tempfile::tempdir()?;
    /// let new: AnnotationCreate = serde_json::from_str(r#"{"step_name":"a","tags":[],"observations":[]}"#)?;
    /// let err = Store::new(root.path()).create_annotation("p", "nope", None, 0, new).unwrap_err();
    /// assert!(matches!(err, StoreError::AppNotFound { .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_annotation(
        &self,
        project: &str,
        app_id: &str,
        partition_key: Option<&str>,
        sequence_id: u64,
        annotation: AnnotationCreate,
    ) -> Result<AnnotationOut, StoreError> {
        if !self.has_step(project, app_id, sequence_id)? {
            return Err(StoreError::StepNotFound {
                project: project.to_owned(),
                app_id: app_id.to_owned(),
                sequence_id,
            });
        }
        let _writing = WRITING.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = file::read_all(self.root(), project)?;
        let now = Timestamp::now_local().to_string();
        let made = AnnotationOut {
            span_id: annotation.span_id,
            step_name: annotation.step_name,
            tags: annotation.tags,
            observations: annotation.observations,
            id: all.iter().map(|a| a.id + 1).max().unwrap_or(0),
            project_id: project.to_owned(),
            app_id: app_id.to_owned(),
            partition_key: partition_key.map(str::to_owned),
            step_sequence_id: sequence_id,
            created: now.clone(),
            updated: now,
        };
        all.push(made.clone());
        file::write_all(self.root(), project, &all)?;
        Ok(made)
    }

    /// Replaces the content of annotation `id` of `project` (its span, step name, tags and
    /// observations) and returns it as it now is.
    ///
    /// # Errors
    ///
    /// [`StoreError::AnnotationNotFound`] when there is no such annotation; the errors of
    /// [`Store::annotations`] and I/O errors of the write (nothing is changed then).
    ///
    /// # Examples
    ///
    /// ```
    /// use burr_tracking::server::{Store, StoreError};
    /// use burr_tracking::server::annotations::AnnotationUpdate;
    /// let root = tempfile::tempdir()?;
    /// std::fs::create_dir(root.path().join("p"))?;
    /// let change: AnnotationUpdate = serde_json::from_str(r#"{"step_name":"a","observations":[]}"#)?;
    /// let err = Store::new(root.path()).update_annotation("p", 7, change).unwrap_err();
    /// assert!(matches!(err, StoreError::AnnotationNotFound { id: 7, .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn update_annotation(
        &self,
        project: &str,
        id: u64,
        change: AnnotationUpdate,
    ) -> Result<AnnotationOut, StoreError> {
        let _writing = WRITING.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = file::read_all(self.root(), project)?;
        let Some(found) = all.iter_mut().find(|a| a.id == id) else {
            return Err(StoreError::AnnotationNotFound {
                project: project.to_owned(),
                id,
            });
        };
        found.span_id = change.span_id;
        found.step_name = change.step_name;
        found.tags = change.tags.unwrap_or_default();
        found.observations = change.observations;
        found.updated = Timestamp::now_local().to_string();
        let updated = found.clone();
        file::write_all(self.root(), project, &all)?;
        Ok(updated)
    }
}
