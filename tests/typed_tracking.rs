//! The tracking files of a typed application hold the same records as those of an untyped
//! application with the same values: tools that read Apache Burr's format (its server, the
//! UI, `load_state`) see no difference.
#![cfg(feature = "tracking")]

mod support;

use std::path::Path;

use burr::prelude::*;
use burr::tracking::LocalTrackingClient;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    #[burr(append)]
    history: Vec<String>,
    prompt: String,
    #[burr(add)]
    turns: u32,
}

mod typed {
    use super::*;

    #[action(state = Chat, reads = [prompt], writes = [history, turns])]
    pub(crate) fn respond(chat: Reads) -> (ResultMap, Writes) {
        let mut result = ResultMap::new();
        result.insert("reply".into(), format!("echo {}", chat.prompt).into());
        (
            result,
            Writes {
                history: vec![chat.prompt],
                turns: 1,
            },
        )
    }
}

mod untyped {
    use super::*;

    #[action(reads = [prompt, history, turns], writes = [history, turns])]
    pub(crate) fn respond(state: State) -> Result<(ResultMap, State), Error> {
        let prompt: String = state.get("prompt")?;
        let turns: u32 = state.get("turns")?;
        let mut result = ResultMap::new();
        result.insert("reply".into(), format!("echo {prompt}").into());
        Ok((
            result,
            state.append("history", prompt).update("turns", turns + 1),
        ))
    }
}

/// The log's records, without the fields that differ from run to run (times).
fn records(root: &Path, app_id: &str) -> Vec<Value> {
    let log = std::fs::read_to_string(root.join("compare").join(app_id).join("log.jsonl")).unwrap();
    log.lines()
        .map(|line| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("start_time");
                o.remove("end_time");
            }
            v
        })
        .collect()
}

/// Runs the typed and the untyped twin three steps each, under `root` (project `compare`,
/// app ids `typed` and `untyped`).
fn run_twins(root: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let client = LocalTrackingClient::new("compare")?.with_storage_dir(root);
    let start = Chat {
        history: vec![],
        prompt: "hi".into(),
        turns: 0,
    };
    let mut typed = ApplicationBuilder::new()
        .with_action("respond", typed::respond {})
        .with_transitions([("respond", "respond", default())])
        .with_typed_state(&start)
        .with_entrypoint("respond")
        .with_app_id("typed")
        .with_tracker(client.clone())
        .build()?;
    let mut untyped = ApplicationBuilder::new()
        .with_action("respond", untyped::respond {})
        .with_transitions([("respond", "respond", default())])
        .with_state(state! { history: [], prompt: "hi", turns: 0 })
        .with_entrypoint("respond")
        .with_app_id("untyped")
        .with_tracker(client.clone())
        .build()?;
    for _ in 0..3 {
        typed.step()?;
        untyped.step()?;
    }
    assert_eq!(typed.state(), untyped.state());
    Ok(())
}

#[test]
fn a_typed_app_logs_the_records_of_the_same_untyped_app() -> Result<(), Box<dyn std::error::Error>>
{
    let root = tempfile::tempdir()?;
    run_twins(root.path())?;
    let (a, b) = (
        records(root.path(), "typed"),
        records(root.path(), "untyped"),
    );
    assert_eq!(a.len(), 6);
    assert_eq!(a, b);
    Ok(())
}

/// `v` without what differs between the twins whatever their records: times and ids.
fn strip(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.retain(|k, _| !(k.ends_with("_time") || k == "app_id" || k == "created"));
            o.values_mut().for_each(strip);
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

#[test]
fn apache_burrs_server_reads_a_typed_app_as_the_untyped_one()
-> Result<(), Box<dyn std::error::Error>> {
    let what = "Apache Burr's server on a typed app";
    if support::python::burr_package(what, &["burr.tracking.server.run", "uvicorn"]).is_none() {
        return Ok(());
    }
    let root = tempfile::tempdir()?;
    run_twins(root.path())?;
    let log = root.path().join("server.log");
    let server = support::burr_server::BurrServer::start(root.path(), log);
    let apps = server.get("/api/v0/compare/__none__/apps");
    assert_eq!(apps["total"], 2, "{apps}");
    let mut steps = Vec::new();
    for id in ["typed", "untyped"] {
        let mut app = server.get(&format!("/api/v0/compare/{id}/__none__/apps"));
        let mut s = app["steps"].take();
        strip(&mut s);
        assert_eq!(s.as_array().map(Vec::len), Some(3), "{app}");
        steps.push(s);
    }
    assert_eq!(steps[0], steps[1]);
    Ok(())
}
