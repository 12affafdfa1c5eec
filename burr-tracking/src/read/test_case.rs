//! A tracked step as a test case ([`burr_core::testing::TestCase`]): the state before it, its
//! inputs, the state after it and its result, as `burr test-case` exports them.

use std::path::Path;

use burr_core::testing::{TestCase, user_keys};
use serde_json::{Map, Value};

use super::{LoadError, read_app};

/// What a recorded state says when the log cannot tell (as Apache Burr's `burr-test-case`).
const FILL_IN: &str = "fill this in";

/// The test case of step `sequence_id` of `<root>/<project>/<app_id>`.
///
/// - A completed step: the state before is the previous step's end state (for the first step
///   of a fork, the parent's state at the step it was forked from), the expected state and
///   result are the step's own.
/// - A failed step: the state recorded is the one before it; the expected state is left for
///   the user to fill in (`{"TODO:": "fill this in"}`), as Burr does.
///
/// Keys starting with `__` are left out of both states.
///
/// # Errors
///
/// [`LoadError::InvalidId`], [`LoadError::AppNotFound`], [`LoadError::StepNotFound`] (also
/// for a step that has not finished), [`LoadError::Read`].
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir()?;
/// let app = root.path().join("p/a");
/// std::fs::create_dir_all(&app)?;
/// std::fs::write(app.join("log.jsonl"), concat!(
///     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:00","action":"count","inputs":{},"sequence_id":0}"#, "\n",
///     r#"{"type":"end_entry","end_time":"2024-01-01T00:00:01","action":"count","result":{},"exception":null,"state":{"n":1,"__SEQUENCE_ID":0},"sequence_id":0}"#, "\n",
///     r#"{"type":"begin_entry","start_time":"2024-01-01T00:00:02","action":"count","inputs":{"by":2},"sequence_id":1}"#, "\n",
///     r#"{"type":"end_entry","end_time":"2024-01-01T00:00:03","action":"count","result":{"n":3},"exception":null,"state":{"n":3,"__SEQUENCE_ID":1},"sequence_id":1}"#, "\n"))?;
/// let case = burr_tracking::read::test_case(root.path(), "p", "a", 1)?;
/// assert_eq!((case.action.as_str(), case.name.as_str()), ("count", "count_a_1"));
/// assert_eq!(case.input_state["n"], 1);
/// assert_eq!(case.expected_state["n"], 3);
/// assert_eq!(case.inputs["by"], 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn test_case(
    root: &Path,
    project: &str,
    app_id: &str,
    sequence_id: u64,
) -> Result<TestCase, LoadError> {
    let app = read_app(root, project, app_id).map_err(|e| {
        if let super::ReadError::InvalidId(id) = e {
            LoadError::InvalidId(id)
        } else if e.is_not_found() {
            LoadError::AppNotFound {
                project: project.to_string(),
                app_id: app_id.to_string(),
                path: Path::new(project).join(app_id),
            }
        } else {
            LoadError::Read(e)
        }
    })?;
    let not_found = || LoadError::StepNotFound {
        project: project.to_string(),
        app_id: app_id.to_string(),
        sequence_id,
    };
    let index = app
        .steps
        .iter()
        .position(|s| s.step_start_log.sequence_id == sequence_id)
        .ok_or_else(not_found)?;
    let step = &app.steps[index];
    let end = step.step_end_log.as_ref().ok_or_else(not_found)?;
    let name = format!(
        "{}_{}_{sequence_id}",
        step.step_start_log.action,
        app_id.chars().take(8).collect::<String>()
    );
    let fill_in = || Map::from_iter([("TODO:".to_string(), Value::from(FILL_IN))]);
    let (input_state, expected_state, expected_result) = if end.exception.is_some() {
        (user_keys(&end.state), fill_in(), None)
    } else {
        let before = match index.checked_sub(1).map(|i| &app.steps[i]) {
            Some(previous) => previous.step_end_log.as_ref().map(|e| user_keys(&e.state)),
            // The first step of a fork starts from its parent's state.
            None => app
                .metadata
                .ok()
                .and_then(|m| m.parent_pointer)
                .and_then(|p| {
                    super::load_state(root, project, &p.app_id, p.sequence_id)
                        .ok()
                        .map(|loaded| user_keys(&loaded.state.to_map()))
                }),
        };
        let before = before.unwrap_or_else(|| {
            if sequence_id == 0 {
                Map::new()
            } else {
                fill_in()
            }
        });
        (before, user_keys(&end.state), end.result.clone())
    };
    Ok(TestCase {
        action: step.step_start_log.action.clone(),
        name,
        input_state,
        expected_state,
        inputs: step.step_start_log.inputs.clone(),
        expected_result,
    })
}
