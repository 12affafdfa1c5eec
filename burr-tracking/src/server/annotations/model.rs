//! The annotation records, as Apache Burr's local backend reads and writes them (one JSON
//! line each in `<root>/<project>/annotations.jsonl`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What an observation points at: a state field or an attribute (of the step, or of one of
/// its spans).
///
/// # Examples
///
/// ```
/// use burr_tracking::server::annotations::PointerKind;
/// assert_eq!(serde_json::to_string(&PointerKind::StateField).unwrap(), "\"state_field\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointerKind {
    /// A key of the step's state.
    StateField,
    /// An attribute logged during the step.
    Attribute,
}

/// One thing an observation points at.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::annotations::{DataPointer, PointerKind};
/// let p: DataPointer = serde_json::from_str(r#"{"type":"attribute","field_name":"prompt","span_id":"3:0"}"#).unwrap();
/// assert_eq!((p.kind, p.span_id.as_deref()), (PointerKind::Attribute, Some("3:0")));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataPointer {
    /// A state field or an attribute.
    #[serde(rename = "type")]
    pub kind: PointerKind,
    /// The key of the state field or attribute.
    pub field_name: String,
    /// The span the attribute belongs to; `None` for the step itself.
    #[serde(default)]
    pub span_id: Option<String>,
}

/// One observation of an annotation: free fields (Burr's UI writes `note` and
/// `ground_truth`), a thumbs up or down, and what it is about.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::annotations::Observation;
/// let o: Observation = serde_json::from_str(r#"{"data_fields":{"note":"ok"},"thumbs_up_thumbs_down":true,"data_pointers":[]}"#).unwrap();
/// assert_eq!(o.thumbs_up_thumbs_down, Some(true));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Free fields.
    pub data_fields: Map<String, Value>,
    /// Thumbs up (`true`), down (`false`), or neither.
    #[serde(default)]
    pub thumbs_up_thumbs_down: Option<bool>,
    /// What the observation is about.
    #[serde(default)]
    pub data_pointers: Vec<DataPointer>,
}

/// The body of `POST .../{sequence_id}/annotations`: a new annotation of one step.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::annotations::AnnotationCreate;
/// let a: AnnotationCreate = serde_json::from_str(r#"{"span_id":null,"step_name":"answer","tags":["good"],"observations":[]}"#).unwrap();
/// assert_eq!(a.tags, ["good"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnotationCreate {
    /// The span annotated, or `None` for the step.
    #[serde(default)]
    pub span_id: Option<String>,
    /// The step's action.
    pub step_name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Observations.
    pub observations: Vec<Observation>,
}

/// The body of `PUT .../{annotation_id}/update_annotations`: the new content of an
/// annotation (its step and ids stay).
///
/// # Examples
///
/// ```
/// use burr_tracking::server::annotations::AnnotationUpdate;
/// let u: AnnotationUpdate = serde_json::from_str(r#"{"step_name":"answer","observations":[]}"#).unwrap();
/// assert!(u.tags.is_none() && u.span_id.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnotationUpdate {
    /// The span annotated, or `None` for the step.
    #[serde(default)]
    pub span_id: Option<String>,
    /// The step's action.
    pub step_name: String,
    /// Tags (none when left out).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Observations.
    pub observations: Vec<Observation>,
}

/// An annotation as stored and served: the content, where it points, and when it was made
/// and last changed (naive local time, as Burr writes it). Fields are in Burr's order.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::annotations::AnnotationOut;
/// let line = r#"{"span_id":null,"step_name":"counter","tags":["good"],"observations":[],"id":0,"project_id":"p","app_id":"a","partition_key":null,"step_sequence_id":3,"created":"2026-11-22T00:30:34.797738","updated":"2026-11-22T00:30:34.797743"}"#;
/// let a: AnnotationOut = serde_json::from_str(line).unwrap();
/// assert_eq!(serde_json::to_string(&a).unwrap(), line);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnotationOut {
    /// The span annotated, or `None` for the step.
    #[serde(default)]
    pub span_id: Option<String>,
    /// The step's action.
    pub step_name: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Observations.
    pub observations: Vec<Observation>,
    /// The annotation's id in its project (the largest so far plus one, from 0).
    pub id: u64,
    /// The project.
    pub project_id: String,
    /// The application.
    pub app_id: String,
    /// The application's partition key.
    #[serde(default)]
    pub partition_key: Option<String>,
    /// The step annotated.
    pub step_sequence_id: u64,
    /// When it was made.
    pub created: String,
    /// When it last changed.
    pub updated: String,
}

/// Which annotations `GET /api/v0/{project}/annotations` returns: those matching every
/// filter given.
///
/// # Examples
///
/// ```
/// use burr_tracking::server::annotations::AnnotationFilter;
/// let all = AnnotationFilter::default();
/// assert!(all.app_id.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AnnotationFilter {
    /// Only this application's.
    pub app_id: Option<String>,
    /// Only this partition key's (Burr's sentinel `__none__` filters nothing).
    pub partition_key: Option<String>,
    /// Only this step's.
    pub step_sequence_id: Option<u64>,
}

impl AnnotationFilter {
    /// Whether `annotation` passes the filter.
    pub(crate) fn matches(&self, annotation: &AnnotationOut) -> bool {
        let pk = self.partition_key.as_deref().filter(|pk| *pk != "__none__");
        pk.is_none_or(|pk| annotation.partition_key.as_deref() == Some(pk))
            && self.app_id.as_ref().is_none_or(|a| *a == annotation.app_id)
            && self
                .step_sequence_id
                .is_none_or(|s| s == annotation.step_sequence_id)
    }
}
