//! The chatbot example's actions against test cases exported from one of its tracked runs,
//! with `burr test-case chatbot APP_ID SEQ -o tests/fixtures/chatbot_test_cases.json` (a user
//! turn, the mode decision, the async model call with its input, the reply, a refusal).

#[allow(dead_code)]
#[path = "../examples/chatbot.rs"]
mod chatbot;

use burr::testing::{TestCase, TestCaseError, load_test_cases, run_test_case, run_test_case_async};
use chatbot::{decide_mode, generate, refuse, respond, user_input};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/chatbot_test_cases.json"
);

fn run(case: &TestCase) -> Result<(), TestCaseError> {
    match case.action.as_str() {
        "user_input" => run_test_case(user_input {}, case),
        "decide_mode" => run_test_case(decide_mode {}, case),
        "respond" => run_test_case(respond {}, case),
        "refuse" => run_test_case(refuse {}, case),
        "generate" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run_test_case_async(generate {}, case)),
        other => panic!("no action {other} in the chatbot"),
    }
}

#[test]
fn the_chatbots_actions_match_the_steps_recorded_from_its_run() {
    let cases = load_test_cases(FIXTURE).unwrap();
    let actions: Vec<&str> = cases.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(
        actions,
        ["user_input", "decide_mode", "generate", "respond", "refuse"]
    );
    for case in &cases {
        run(case).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_step_that_no_longer_does_what_was_recorded_is_reported_key_by_key() {
    let mut case = load_test_cases(FIXTURE)
        .unwrap()
        .into_iter()
        .find(|c| c.action == "decide_mode")
        .unwrap();
    case.expected_state
        .insert("mode".into(), "generate_poem".into());
    let err = run(&case).unwrap_err();
    let TestCaseError::Mismatch { differences, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(differences.len(), 1, "{err}");
    assert_eq!(differences[0].path, "state.mode");
    assert!(
        err.to_string()
            .contains("state.mode: expected \"generate_poem\", got \"answer_question\""),
        "{err}"
    );
    // A step whose inputs are missing fails to run, and says so.
    let mut case = load_test_cases(FIXTURE).unwrap().remove(0);
    case.inputs.clear();
    assert!(matches!(run(&case), Err(TestCaseError::Run { .. })));
}
