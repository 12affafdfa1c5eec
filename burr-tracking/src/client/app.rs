//! What the client writes when an application is built: its directory, `graph.json`,
//! `metadata.json`, an empty log, and a line in its parent's `children.jsonl`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use burr_core::{ActionInfo, ApplicationCreated, Graph, Pointer};
use serde::Serialize;

use crate::format::{
    ActionModel, ApplicationMetadataModel, ApplicationModel, ChildApplicationModel, ChildEventType,
    PointerModel, Timestamp, TransitionModel, to_json_line, to_python_json,
};
use crate::layout::{CHILDREN_FILE, GRAPH_FILE, LOG_FILE, METADATA_FILE};

use super::logs::{drop_torn_tail, open_append};
use super::{LocalTrackingClient, TrackingError};

/// What `graph.json` shows for an action whose source is unknown (Burr's text).
const NO_SOURCE: &str = "No source available";

impl LocalTrackingClient {
    /// Sets up the directory of an application: the files Burr's tools expect before the
    /// first step. Called by the `post_application_create` hook.
    pub(super) fn create_app(&self, event: &ApplicationCreated<'_>) -> Result<(), TrackingError> {
        let app_id = event.app_id;
        let dir = self.app_dir(app_id)?;
        fs::create_dir_all(&dir).map_err(|e| TrackingError::io(&dir, e))?;
        let log_path = dir.join(LOG_FILE);
        let file = open_append(&log_path)?;
        if let Some(cut) = drop_torn_tail(&file).map_err(|e| TrackingError::io(&log_path, e))? {
            tracing::warn!(
                target: "burr_tracking::client",
                app_id,
                "removed {cut} bytes of a torn last line from {} (a previous run was interrupted mid-write)",
                log_path.display()
            );
        }
        self.insert(app_id, log_path, file);
        let graph_path = dir.join(GRAPH_FILE);
        if graph_path.exists() {
            // Resumed under the same id: keep its graph, metadata and parent links.
            return Ok(());
        }
        let metadata = ApplicationMetadataModel {
            partition_key: event.partition_key.map(str::to_string),
            parent_pointer: event.parent_pointer.map(pointer_model),
            spawning_parent_pointer: event.spawning_parent_pointer.map(pointer_model),
        };
        write_json_file(&dir.join(METADATA_FILE), &metadata, app_id)?;
        write_json_file(&graph_path, &graph_model(event.graph), app_id)?;
        let child = PointerModel {
            app_id: app_id.to_string(),
            sequence_id: None,
            partition_key: event.partition_key.map(str::to_string),
        };
        let links = [
            (event.parent_pointer, ChildEventType::Fork),
            (event.spawning_parent_pointer, ChildEventType::SpawnStart),
        ];
        for (parent, event_type) in links {
            if let Some(parent) = parent {
                let record = ChildApplicationModel {
                    child: child.clone(),
                    event_time: Timestamp::local_at(event.time),
                    event_type,
                    sequence_id: parent.sequence_id,
                };
                self.append_child(&parent.app_id, &record, app_id)?;
            }
        }
        Ok(())
    }

    /// Appends one line to the parent's `children.jsonl` under an exclusive lock. A parent
    /// that was never tracked gets an empty log and a minimal graph too, so that Burr's server
    /// can still list the project.
    fn append_child(
        &self,
        parent_id: &str,
        record: &ChildApplicationModel,
        app_id: &str,
    ) -> Result<(), TrackingError> {
        let parent_dir = self.app_dir(parent_id)?;
        if !parent_dir.join(LOG_FILE).exists() {
            fs::create_dir_all(&parent_dir).map_err(|e| TrackingError::io(&parent_dir, e))?;
            open_append(&parent_dir.join(LOG_FILE))?;
            let graph = parent_dir.join(GRAPH_FILE);
            if !graph.exists() {
                let empty = ApplicationModel {
                    entrypoint: String::new(),
                    actions: Vec::new(),
                    transitions: Vec::new(),
                };
                write_json_file(&graph, &empty, parent_id)?;
            }
        }
        let line = to_json_line(record).map_err(|source| TrackingError::Serialize {
            what: "child_application_data",
            app_id: app_id.to_string(),
            source,
        })?;
        let path = parent_dir.join(CHILDREN_FILE);
        let mut file = open_append(&path)?;
        file.lock().map_err(|e| TrackingError::io(&path, e))?;
        let written = file.write_all(line.as_bytes());
        let unlocked = file.unlock();
        written
            .and(unlocked)
            .map_err(|e| TrackingError::io(&path, e))
    }
}

/// Writes `graph.json` or `metadata.json` whole: to a temporary file, then renamed over, so a
/// crash never leaves half a file.
fn write_json_file(path: &Path, value: &impl Serialize, app_id: &str) -> Result<(), TrackingError> {
    let text = to_python_json(value).map_err(|source| TrackingError::Serialize {
        what: "graph/metadata",
        app_id: app_id.to_string(),
        source,
    })?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text).map_err(|e| TrackingError::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| TrackingError::io(path, e))
}

fn pointer_model(p: &Pointer) -> PointerModel {
    PointerModel {
        app_id: p.app_id.clone(),
        sequence_id: p.sequence_id,
        partition_key: p.partition_key.clone(),
    }
}

/// The `graph.json` model of a graph. Burr's writer stores required inputs in
/// `optional_inputs` and optional ones in `inputs`; this does the same, for byte parity.
fn graph_model(graph: &Graph) -> ApplicationModel {
    ApplicationModel {
        entrypoint: graph.entrypoint.clone(),
        actions: graph.actions.iter().map(action_model).collect(),
        transitions: graph
            .transitions
            .iter()
            .map(|t| TransitionModel {
                from: t.from.clone(),
                to: t.to.clone(),
                condition: t.condition.clone(),
            })
            .collect(),
    }
}

fn action_model(a: &ActionInfo) -> ActionModel {
    let names = |required: bool| {
        a.inputs
            .iter()
            .filter(|i| i.required == required)
            .map(|i| i.name.clone())
            .collect()
    };
    ActionModel {
        name: a.name.clone(),
        reads: a.reads.clone(),
        writes: a.writes.clone(),
        code: a.source.clone().unwrap_or_else(|| NO_SOURCE.to_string()),
        inputs: names(false),
        optional_inputs: names(true),
    }
}
