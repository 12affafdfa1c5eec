//! The files of an application besides its log: `graph.json`, `metadata.json` and the lines of
//! `children.jsonl`.

use serde::{Deserialize, Serialize};

use super::{Timestamp, lax};

/// `graph.json`: the application's shape, written once when the application is created.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{to_python_json, ActionModel, ApplicationModel, TransitionModel};
/// let graph = ApplicationModel {
///     entrypoint: "counter".into(),
///     actions: vec![ActionModel {
///         name: "counter".into(),
///         reads: vec!["counter".into()],
///         writes: vec!["counter".into()],
///         code: "fn counter() {}".into(),
///         inputs: vec![],
///         optional_inputs: vec![],
///     }],
///     transitions: vec![TransitionModel {
///         from: "counter".into(),
///         to: "counter".into(),
///         condition: "default".into(),
///     }],
/// };
/// assert_eq!(
///     to_python_json(&graph).unwrap(),
///     r#"{"type": "application", "entrypoint": "counter", "actions": [{"type": "action", "name": "counter", "reads": ["counter"], "writes": ["counter"], "code": "fn counter() {}", "inputs": [], "optional_inputs": []}], "transitions": [{"type": "transition", "from_": "counter", "to": "counter", "condition": "default"}]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "application")]
pub struct ApplicationModel {
    /// The name of the first action.
    pub entrypoint: String,
    /// The actions, in graph order.
    pub actions: Vec<ActionModel>,
    /// The transitions, in declaration order.
    pub transitions: Vec<TransitionModel>,
}

impl ApplicationModel {
    /// The graph this file describes, as burr's [`Graph`](burr_core::Graph), to draw it
    /// ([`Graph::to_svg`](burr_core::Graph::to_svg), `to_mermaid`, `to_dot`). Inputs follow
    /// Burr's lists (see [`ActionModel`]): those in `optional_inputs` are the required ones.
    ///
    /// # Examples
    ///
    /// ```
    /// let model: burr_tracking::format::ApplicationModel = serde_json::from_str(
    ///     r#"{"entrypoint": "a", "actions": [{"name": "a", "reads": [], "writes": ["n"], "code": "", "optional_inputs": ["x"]}],
    ///         "transitions": [{"from_": "a", "to": "a", "condition": "n < 3"}]}"#,
    /// ).unwrap();
    /// let graph = model.to_graph();
    /// assert_eq!(graph.actions[0].inputs[0].name, "x");
    /// assert!(graph.to_mermaid().contains("n0 -.-> n0"));
    /// ```
    pub fn to_graph(&self) -> burr_core::Graph {
        let input = |name: &String, required: bool| burr_core::InputSpec {
            name: name.clone(),
            required,
        };
        burr_core::Graph {
            actions: (self.actions.iter())
                .map(|a| burr_core::ActionInfo {
                    name: a.name.clone(),
                    reads: a.reads.clone(),
                    writes: a.writes.clone(),
                    inputs: (a.optional_inputs.iter().map(|i| input(i, true)))
                        .chain(a.inputs.iter().map(|i| input(i, false)))
                        .collect(),
                    tags: Vec::new(),
                    source: (!a.code.is_empty()).then(|| a.code.clone()),
                    is_async: false,
                    is_streaming: false,
                })
                .collect(),
            transitions: (self.transitions.iter())
                .map(|t| burr_core::TransitionInfo {
                    from: t.from.clone(),
                    to: t.to.clone(),
                    condition: t.condition.clone(),
                })
                .collect(),
            entrypoint: self.entrypoint.clone(),
        }
    }
}

/// One action of [`ApplicationModel`].
///
/// Burr's writer swaps the input lists: it stores *required* inputs in `optional_inputs` and
/// optional ones in `inputs`. Writers that want byte parity with Burr do the same; the UI
/// draws `inputs`.
///
/// # Examples
///
/// ```
/// let a: burr_tracking::format::ActionModel = serde_json::from_str(
///     r#"{"name": "add", "reads": [], "writes": ["n"], "code": ""}"#,
/// ).unwrap();
/// assert!(a.inputs.is_empty() && a.optional_inputs.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "action")]
pub struct ActionModel {
    /// The action's name.
    pub name: String,
    /// Declared reads, in order.
    pub reads: Vec<String>,
    /// Declared writes, in order.
    pub writes: Vec<String>,
    /// The action's source code.
    pub code: String,
    /// See the type's docs (Burr's writer puts optional inputs here).
    #[serde(default)]
    pub inputs: Vec<String>,
    /// See the type's docs (Burr's writer puts required inputs here).
    #[serde(default)]
    pub optional_inputs: Vec<String>,
}

/// One transition of [`ApplicationModel`]; the key is `from_` on disk.
///
/// # Examples
///
/// ```
/// let t: burr_tracking::format::TransitionModel = serde_json::from_str(
///     r#"{"type": "transition", "from_": "a", "to": "b", "condition": "x < 5"}"#,
/// ).unwrap();
/// assert_eq!(t.from, "a");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "transition")]
pub struct TransitionModel {
    /// The source action.
    #[serde(rename = "from_")]
    pub from: String,
    /// The target action.
    pub to: String,
    /// The condition's name (`"default"`, `"counter < 5"`, `"a=1"`, ...).
    pub condition: String,
}

/// A reference to another application (and optionally one of its steps).
///
/// # Examples
///
/// ```
/// use burr_tracking::format::PointerModel;
/// let p = PointerModel { app_id: "app-main".into(), sequence_id: Some(2), partition_key: None };
/// assert_eq!(
///     serde_json::to_string(&p).unwrap(),
///     r#"{"type":"pointer_data","app_id":"app-main","sequence_id":2,"partition_key":null}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename = "pointer_data")]
pub struct PointerModel {
    /// The application's id.
    pub app_id: String,
    /// The step, if the pointer names one.
    #[serde(default, deserialize_with = "lax::opt_u64")]
    pub sequence_id: Option<u64>,
    /// The application's partition key.
    #[serde(default)]
    pub partition_key: Option<String>,
}

/// `metadata.json`: partition key and parents. A missing file reads as the default (all
/// null), as in Burr's server.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{to_python_json, ApplicationMetadataModel};
/// let m = ApplicationMetadataModel { partition_key: Some("user_1".into()), ..Default::default() };
/// assert_eq!(
///     to_python_json(&m).unwrap(),
///     r#"{"type": "application_metadata", "partition_key": "user_1", "parent_pointer": null, "spawning_parent_pointer": null}"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "application_metadata")]
pub struct ApplicationMetadataModel {
    /// The partition key, if any.
    #[serde(default)]
    pub partition_key: Option<String>,
    /// The application this one was forked from, at which step.
    #[serde(default)]
    pub parent_pointer: Option<PointerModel>,
    /// The application (and step) that spawned this one.
    #[serde(default)]
    pub spawning_parent_pointer: Option<PointerModel>,
}

/// How a child application relates to its parent.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::ChildEventType;
/// assert_eq!(serde_json::to_string(&ChildEventType::SpawnStart).unwrap(), "\"spawn_start\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildEventType {
    /// The child was forked from the parent.
    Fork,
    /// The parent spawned the child.
    SpawnStart,
}

/// One line of `children.jsonl`, in the parent's directory.
///
/// # Examples
///
/// ```
/// use burr_tracking::format::{ChildApplicationModel, ChildEventType};
/// let line = r#"{"type":"child_application_data","child":{"type":"pointer_data","app_id":"app-fork","sequence_id":null,"partition_key":"user_1"},"event_time":"2026-11-22T00:29:44.311262","event_type":"fork","sequence_id":2}"#;
/// let c: ChildApplicationModel = serde_json::from_str(line).unwrap();
/// assert_eq!(c.event_type, ChildEventType::Fork);
/// assert_eq!(burr_tracking::format::to_json_line(&c).unwrap(), format!("{line}\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "child_application_data")]
pub struct ChildApplicationModel {
    /// The child (its `sequence_id` is null).
    pub child: PointerModel,
    /// When the child was created (naive local time).
    pub event_time: Timestamp,
    /// Fork or spawn.
    pub event_type: ChildEventType,
    /// The parent's sequence id at the time of the fork or spawn.
    #[serde(default, deserialize_with = "lax::opt_u64")]
    pub sequence_id: Option<u64>,
}
