//! Test cases recorded from tracked runs: a step's state before it, its inputs, the state it
//! left and its result, as a JSON fixture (Apache Burr's `burr-test-case` format, plus
//! `inputs` and `expected_result`), and the helper that runs an action against one and says
//! what differs.
//!
//! A fixture file is a JSON list of [`TestCase`]s; `burr test-case PROJECT APP_ID SEQ -o
//! FILE` appends the step of a tracked application to one.
//!
//! # Examples
//!
//! ```
//! use burr_core::testing::{TestCase, run_test_case};
//! use burr_core::{ActionError, FnAction};
//! let count = FnAction::new(["n"], ["n"], |s, _, _| {
//!     let n: i64 = s.get("n")?;
//!     Ok::<_, ActionError>(s.update("n", n + 1))
//! });
//! let case: TestCase = serde_json::from_str(r#"{"action": "count", "name": "count_1",
//!     "input_state": {"n": 1}, "expected_state": {"n": 2}}"#)?;
//! run_test_case(count.clone(), &case)?;
//! let wrong: TestCase = serde_json::from_str(r#"{"action": "count", "name": "count_2",
//!     "input_state": {"n": 1}, "expected_state": {"n": 3}}"#)?;
//! let err = run_test_case(count, &wrong).unwrap_err();
//! assert!(err.to_string().contains("n: expected 3, got 2"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::action::{Inputs, IntoAction};
use crate::application::{ApplicationBuilder, halt_after};
use crate::error::Error;
use crate::state::State;

/// One recorded step: run `action` on `input_state` with `inputs`, expect `expected_state`
/// (and `expected_result` when recorded). Keys starting with `__` are left out of both states.
///
/// # Examples
///
/// ```
/// let case: burr_core::testing::TestCase = serde_json::from_str(
///     r#"{"action": "a", "name": "a_1", "input_state": {}, "expected_state": {"x": 1}}"#,
/// ).unwrap();
/// assert!(case.inputs.is_empty() && case.expected_result.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    /// The action run.
    pub action: String,
    /// The case's name (`{action}_{first 8 characters of the app id}_{sequence id}`).
    pub name: String,
    /// The state before the step.
    pub input_state: Map<String, Value>,
    /// The state after the step.
    pub expected_state: Map<String, Value>,
    /// The step's inputs.
    #[serde(default)]
    pub inputs: Map<String, Value>,
    /// What the step returned, when it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_result: Option<Map<String, Value>>,
}

/// Where a run differs from a test case: the path of a value (`state.n`, `result.answer`),
/// what was expected and what the action gave (`None`: missing).
///
/// # Examples
///
/// ```
/// use burr_core::testing::Difference;
/// let d = Difference { path: "state.n".into(), expected: Some(3.into()), actual: None };
/// assert_eq!(d.to_string(), "state.n: expected 3, missing");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The path of the value.
    pub path: String,
    /// What the case expects (`None`: the key should not be there).
    pub expected: Option<Value>,
    /// What the run gave (`None`: the key is missing).
    pub actual: Option<Value>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.expected, &self.actual) {
            (Some(e), Some(a)) => write!(f, "{}: expected {e}, got {a}", self.path),
            (Some(e), None) => write!(f, "{}: expected {e}, missing", self.path),
            (None, Some(a)) => write!(f, "{}: not expected, got {a}", self.path),
            (None, None) => write!(f, "{}", self.path),
        }
    }
}

/// Why a test case could not be read, or did not pass.
///
/// # Examples
///
/// ```
/// let err = burr_core::testing::load_test_cases("/nonexistent/cases.json").unwrap_err();
/// assert!(matches!(err, burr_core::testing::TestCaseError::Io { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestCaseError {
    /// The fixture file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The fixture file is not a JSON list of test cases.
    #[error("{} is not a list of test cases: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: serde_json::Error,
    },
    /// The application around the action could not be built, or the step failed.
    #[error("test case {name}: {source}")]
    Run {
        /// The case.
        name: String,
        /// The error.
        #[source]
        source: Box<Error>,
    },
    /// The step ran but left another state or result than recorded.
    #[error("test case {name}: {}", .differences.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Mismatch {
        /// The case.
        name: String,
        /// What differs.
        differences: Vec<Difference>,
    },
}

/// Reads the test cases of a fixture file (a JSON list).
///
/// # Errors
///
/// [`TestCaseError::Io`] or [`TestCaseError::Json`].
///
/// # Examples
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("cases.json");
/// std::fs::write(&path, r#"[{"action": "a", "name": "a_1", "input_state": {}, "expected_state": {}}]"#)?;
/// assert_eq!(burr_core::testing::load_test_cases(&path)?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_test_cases(path: impl AsRef<Path>) -> Result<Vec<TestCase>, TestCaseError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| TestCaseError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| TestCaseError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Runs `action` once, as the only action of an application whose state is the case's input
/// state, with the case's inputs (the same engine as any step: reads and writes are checked),
/// then compares the state it leaves (and its result, when the case has one) with the case's.
///
/// # Errors
///
/// [`TestCaseError::Run`] when the application cannot be built or the step fails;
/// [`TestCaseError::Mismatch`] listing every difference.
///
/// # Examples
///
/// See [the module](self).
pub fn run_test_case(action: impl IntoAction, case: &TestCase) -> Result<(), TestCaseError> {
    let ran = build(action, case).and_then(|mut app| {
        let out = app.run(
            halt_after([case.action.as_str()]),
            Inputs::from(case.inputs.clone()),
        )?;
        Ok((out.state, out.result))
    });
    check(case, ran)
}

/// [`run_test_case`] for an async action (or any action, run with `run_async`).
///
/// # Errors
///
/// As [`run_test_case`].
///
/// # Examples
///
/// ```
/// use burr_core::testing::{TestCase, run_test_case_async};
/// use burr_core::{ActionError, FnAction};
/// let case: TestCase = serde_json::from_str(r#"{"action": "a", "name": "a_1",
///     "input_state": {}, "expected_state": {"x": 1}}"#)?;
/// let a = FnAction::new(Vec::<&str>::new(), ["x"], |s, _, _| Ok::<_, ActionError>(s.update("x", 1)));
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// run_test_case_async(a, &case).await?;
/// # Ok::<(), burr_core::testing::TestCaseError>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn run_test_case_async(
    action: impl IntoAction,
    case: &TestCase,
) -> Result<(), TestCaseError> {
    let ran = match build(action, case) {
        Ok(mut app) => app
            .run_async(
                halt_after([case.action.as_str()]),
                Inputs::from(case.inputs.clone()),
            )
            .await
            .map(|out| (out.state, out.result)),
        Err(e) => Err(e),
    };
    check(case, ran)
}

/// The application a case runs: its action alone, from its input state.
fn build(action: impl IntoAction, case: &TestCase) -> Result<crate::Application, Error> {
    ApplicationBuilder::new()
        .with_action(case.action.as_str(), action)
        .with_state(State::from_map(user_keys(&case.input_state)))
        .with_entrypoint(case.action.as_str())
        .build()
}

/// Whether what a run gave matches the case.
fn check(
    case: &TestCase,
    ran: Result<(State, Option<Map<String, Value>>), Error>,
) -> Result<(), TestCaseError> {
    let (state, result) = ran.map_err(|source| TestCaseError::Run {
        name: case.name.clone(),
        source: Box::new(source),
    })?;
    let mut differences = Vec::new();
    compare(
        "state",
        &Value::Object(user_keys(&case.expected_state)),
        &Value::Object(user_keys(&state.to_map())),
        &mut differences,
    );
    if let Some(expected) = &case.expected_result {
        compare(
            "result",
            &Value::Object(expected.clone()),
            &Value::Object(result.unwrap_or_default()),
            &mut differences,
        );
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(TestCaseError::Mismatch {
            name: case.name.clone(),
            differences,
        })
    }
}

/// The keys of `map` that do not start with `__` (Burr's own: sequence id, prior step), as
/// test cases hold states.
///
/// # Examples
///
/// ```
/// let state = burr_core::State::new().update("n", 1).with_sequence_id(3);
/// let map = burr_core::testing::user_keys(&state.to_map());
/// assert_eq!(map.keys().collect::<Vec<_>>(), ["n"]);
/// ```
pub fn user_keys(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !k.starts_with("__"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Adds to `out` where `actual` differs from `expected`, object key by object key.
fn compare(path: &str, expected: &Value, actual: &Value, out: &mut Vec<Difference>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => compare(&p, ev, av, out),
                    None => out.push(Difference {
                        path: p,
                        expected: Some(ev.clone()),
                        actual: None,
                    }),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    out.push(Difference {
                        path: format!("{path}.{k}"),
                        expected: None,
                        actual: Some(av.clone()),
                    });
                }
            }
        }
        // Numbers compare by value: a recorded 2.0 is the 2 the action writes.
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => {}
        _ if expected == actual => {}
        _ => out.push(Difference {
            path: path.to_string(),
            expected: Some(expected.clone()),
            actual: Some(actual.clone()),
        }),
    }
}
