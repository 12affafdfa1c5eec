//! `burr test-case PROJECT APP_ID SEQUENCE_ID [-o FILE]`: a tracked step as a test case (the
//! state before it, its inputs, the state after it and its result), printed or appended to a
//! JSON fixture, with the Rust test that runs it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use burr_core::testing::TestCase;
use burr_tracking::LoadError;

/// Exports a step of a tracked application as a test case.
#[derive(Debug, clap::Args)]
pub(crate) struct TestCaseArgs {
    /// The project the application is tracked in.
    project: String,
    /// The application's id.
    app_id: String,
    /// The step's sequence id.
    sequence_id: u64,
    /// Append the case to this JSON fixture (a list of cases; created if missing) instead of
    /// printing it.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Runs `burr test-case` over the tracking folder `root`.
pub(crate) fn run(root: &Path, args: &TestCaseArgs) -> ExitCode {
    let case =
        match burr_tracking::read::test_case(root, &args.project, &args.app_id, args.sequence_id) {
            Ok(case) => case,
            Err(
                err @ (LoadError::AppNotFound { .. }
                | LoadError::StepNotFound { .. }
                | LoadError::InvalidId(_)),
            ) => {
                eprintln!("burr test-case: {err}");
                return ExitCode::from(2);
            }
            Err(err) => {
                eprintln!("burr test-case: {err}");
                return ExitCode::FAILURE;
            }
        };
    if case.expected_state.contains_key("TODO:") || case.input_state.contains_key("TODO:") {
        eprintln!(
            "burr test-case: the log does not hold every state of this step; fill in the \"TODO:\" entries"
        );
    }
    let Some(path) = &args.output else {
        match serde_json::to_string_pretty(&case) {
            Ok(text) => println!("{text}"),
            Err(err) => {
                eprintln!("burr test-case: {err}");
                return ExitCode::FAILURE;
            }
        }
        println!("\n{}", rust_test(&case, Path::new("test_cases.json")));
        return ExitCode::SUCCESS;
    };
    match append(path, case.clone()) {
        Ok(count) => {
            eprintln!(
                "burr test-case: {} now holds {count} case(s)",
                path.display()
            );
            println!("{}", rust_test(&case, path));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("burr test-case: {}: {err}", path.display());
            ExitCode::FAILURE
        }
    }
}

/// Appends `case` to the fixture at `path` (replacing a case of the same name); returns how
/// many cases it holds.
fn append(path: &Path, case: TestCase) -> Result<usize, String> {
    let mut cases: Vec<TestCase> = match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| format!("not a list of test cases ({e}); not changed"))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.to_string()),
    };
    cases.retain(|c| c.name != case.name);
    cases.push(case);
    let text = serde_json::to_string_pretty(&cases).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| e.to_string())?;
    Ok(cases.len())
}

/// The Rust test that runs the fixture's cases of this action.
fn rust_test(case: &TestCase, fixture: &Path) -> String {
    let action = &case.action;
    format!(
        "// Add to a test file (the action `{action}` in scope):\n\
         #[test]\n\
         fn {action}_matches_its_recorded_steps() {{\n    \
             let cases = burr::testing::load_test_cases(\"{}\").unwrap();\n    \
             for case in cases.iter().filter(|c| c.action == \"{action}\") {{\n        \
                 burr::testing::run_test_case({action} {{}}, case).unwrap();\n    \
             }}\n\
         }}",
        fixture.display()
    )
}
