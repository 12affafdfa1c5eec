//! Demo projects for an empty tracking folder, made by running real applications.
//!
//! [`write_demo_projects`] runs a few small burr applications with a [`LocalTrackingClient`]
//! writing into the folder, so the UI has something to show on a fresh machine:
//!
//! - `demo_counter`: counters that count to 3 and to 10;
//! - `demo_chatbot`: a chatbot with canned replies whose steps carry nested spans and
//!   attributes; one conversation fails; one is forked from another at its fourth step; one
//!   app is spawned by a conversation to review it.
//!
//! A project that already exists is never touched: demo projects are only added.
//!
//! # Examples
//!
//! ```
//! let root = tempfile::tempdir().unwrap();
//! burr_tracking::demo::write_demo_projects(root.path()).unwrap();
//! let apps = burr_tracking::read::list_apps(root.path(), "demo_chatbot").unwrap();
//! assert!(apps.iter().any(|app| app.app_id == "chat-1-fork"));
//! ```

use std::path::Path;

use burr_core::{
    ActionError, ApplicationBuilder, Error, InitializeFrom, Inputs, Pointer, State, Tracer,
    actions, default, expr, halt_after, when,
};
use burr_macros::action;
use serde_json::{Value, json};

use crate::LocalTrackingClient;

/// Names of the demo projects, in the order they are written.
///
/// # Examples
///
/// ```
/// use burr_tracking::demo::{DEMO_PROJECTS, write_demo_projects};
/// let root = tempfile::tempdir().unwrap();
/// write_demo_projects(root.path()).unwrap();
/// assert!(DEMO_PROJECTS.iter().all(|project| root.path().join(project).is_dir()));
/// ```
pub const DEMO_PROJECTS: [&str; 2] = ["demo_counter", "demo_chatbot"];

/// Why the demo projects could not be written.
///
/// # Examples
///
/// ```
/// use burr_tracking::demo::DemoError;
/// let err = DemoError::App { app: "count-to-3".into(), message: "no entrypoint".into() };
/// assert_eq!(err.to_string(), "the demo application count-to-3 failed: no entrypoint");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The tracking client could not be set up.
    #[error("cannot track the demo project {project}: {message}")]
    Tracking {
        /// The project.
        project: String,
        /// What went wrong.
        message: String,
    },
    /// A demo application did not build or run as it should.
    #[error("the demo application {app} failed: {message}")]
    App {
        /// The application id.
        app: String,
        /// What went wrong.
        message: String,
    },
}

/// Writes the demo projects that are missing under `root`; returns the names written.
///
/// # Examples
///
/// ```
/// let root = tempfile::tempdir().unwrap();
/// let written = burr_tracking::demo::write_demo_projects(root.path()).unwrap();
/// assert_eq!(written, ["demo_counter", "demo_chatbot"]);
/// // Existing projects are left alone.
/// assert!(burr_tracking::demo::write_demo_projects(root.path()).unwrap().is_empty());
/// ```
pub fn write_demo_projects(root: &Path) -> Result<Vec<String>, DemoError> {
    let mut written = Vec::new();
    for project in DEMO_PROJECTS {
        if root.join(project).exists() {
            continue;
        }
        match project {
            "demo_counter" => counter_project(root)?,
            _ => chatbot_project(root)?,
        }
        written.push(project.to_owned());
    }
    Ok(written)
}

fn tracker(root: &Path, project: &str) -> Result<LocalTrackingClient, DemoError> {
    LocalTrackingClient::new(project)
        .map(|client| client.with_storage_dir(root))
        .map_err(|err| DemoError::Tracking {
            project: project.to_owned(),
            message: err.to_string(),
        })
}

fn app_err(app: &str) -> impl FnOnce(Error) -> DemoError + '_ {
    move |err| DemoError::App {
        app: app.to_owned(),
        message: err.to_string(),
    }
}

// ------------------------------------------------------------------------------------ counter

/// Counts one more.
#[action(reads = [count], writes = [count])]
fn increment(state: State) -> Result<State, Error> {
    let count: i64 = state.get("count")?;
    Ok(state.update("count", count + 1))
}

/// Reports the final count.
#[action(reads = [count], writes = [])]
fn done(state: State) -> (Value, State) {
    let count = state.get_value("count").unwrap_or(Value::Null);
    (json!({ "final_count": count }), state)
}

fn counter_project(root: &Path) -> Result<(), DemoError> {
    for target in [3, 10] {
        let app_id = format!("count-to-{target}");
        let condition = expr(&format!("count < {target}")).map_err(app_err(&app_id))?;
        let mut app = ApplicationBuilder::new()
            .with_actions(actions![increment, done])
            .with_transition("increment", "increment", condition)
            .with_transition("increment", "done", default())
            .with_state(State::new().update("count", 0))
            .with_entrypoint("increment")
            .with_app_id(app_id.clone())
            .with_tracker(tracker(root, "demo_counter")?)
            .build()
            .map_err(app_err(&app_id))?;
        app.run(halt_after(["done"]), Inputs::new())
            .map_err(app_err(&app_id))?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ chatbot

/// Takes the user's message.
#[action(reads = [chat_history], writes = [chat_history, prompt])]
fn prompt(state: State, user_input: String) -> State {
    state
        .append(
            "chat_history",
            json!({"role": "user", "content": user_input}),
        )
        .update("prompt", user_input)
}

/// Asks a (canned) moderation model whether the prompt is safe.
#[action(reads = [prompt], writes = [safe])]
fn check_safety(state: State, tracer: &Tracer) -> Result<(Value, State), Error> {
    let prompt: String = state.get("prompt")?;
    let span = tracer.span("moderation_model");
    span.log_attribute("model", "canned-moderation-1");
    let safe = !prompt.contains("unsafe");
    span.log_attribute("flagged", !safe);
    drop(span);
    Ok((json!({ "safe": safe }), state.update("safe", safe)))
}

/// Classifies the prompt: an image to draw or a question to answer.
#[action(reads = [prompt], writes = [mode])]
fn decide_mode(state: State, tracer: &Tracer) -> Result<(Value, State), ActionError> {
    let prompt: String = state.get("prompt")?;
    let span = tracer.span("classify");
    span.log_attribute("prompt_tokens", prompt.split_whitespace().count());
    if prompt.contains("kaboom") {
        return Err(ActionError::msg(
            "the classifier returned no mode (canned failure for the demo)",
        ));
    }
    let lower = prompt.to_lowercase();
    let mode = if lower.starts_with("draw") || lower.contains("picture") {
        "generate_image"
    } else {
        "answer_question"
    };
    span.log_attribute("mode", mode);
    drop(span);
    Ok((json!({ "mode": mode }), state.update("mode", mode)))
}

fn canned_answer(prompt: &str) -> &'static str {
    let lower = prompt.to_lowercase();
    if lower.contains("capital") {
        "The capital of France is Paris."
    } else if lower.contains("rust") {
        "Rust is a language that empowers everyone to build reliable and efficient software."
    } else if lower.contains("joke") {
        "Why did the state machine cross the road? Its transition said so."
    } else {
        "That is a good question; here is a canned answer for the demo."
    }
}

/// Answers with a (canned) chat model, in nested spans.
#[action(reads = [prompt, chat_history], writes = [response])]
fn answer_question(state: State, tracer: &Tracer) -> Result<(Value, State), Error> {
    let prompt: String = state.get("prompt")?;
    let history: Vec<Value> = state.get("chat_history")?;
    let answer = canned_answer(&prompt);
    {
        let build = tracer.span("build_prompt");
        build.log_attribute("messages", history.len());
    }
    {
        let call = tracer.span("call_model");
        call.log_attributes([
            ("model", json!("canned-chat-1")),
            ("prompt_tokens", json!(12 + history.len() * 9)),
        ]);
        {
            let http = tracer.span("http_request");
            http.log_attribute("url", "local://canned-replies");
            std::thread::sleep(std::time::Duration::from_millis(3));
        }
        call.log_attribute("completion_tokens", answer.split_whitespace().count());
    }
    let response = json!({"role": "assistant", "type": "text", "content": answer});
    Ok((
        json!({ "response": response }),
        state.update("response", response),
    ))
}

/// Draws with a (canned) image model.
#[action(reads = [prompt], writes = [response])]
fn generate_image(state: State, tracer: &Tracer) -> Result<(Value, State), Error> {
    let prompt: String = state.get("prompt")?;
    tracer.log_attribute("model", "canned-image-1");
    let url = {
        let call = tracer.span("call_image_model");
        call.log_attribute("size", "512x512");
        std::thread::sleep(std::time::Duration::from_millis(5));
        format!(
            "local://images/{}.png",
            prompt
                .to_lowercase()
                .replace(|c: char| !c.is_alphanumeric(), "-")
        )
    };
    let response = json!({"role": "assistant", "type": "image", "content": url});
    Ok((
        json!({ "response": response }),
        state.update("response", response),
    ))
}

/// Declines an unsafe prompt.
#[action(reads = [], writes = [response])]
fn refuse(state: State) -> State {
    state.update(
        "response",
        json!({"role": "assistant", "type": "text", "content": "I can't help with that."}),
    )
}

/// Adds the response to the conversation.
#[action(reads = [response, chat_history], writes = [chat_history])]
fn response(state: State) -> State {
    let response = state.get_value("response").unwrap_or(Value::Null);
    state.append("chat_history", response)
}

fn chatbot(root: &Path, app_id: &str) -> Result<ApplicationBuilder, DemoError> {
    let safe = when([("safe", true)]).map_err(app_err(app_id))?;
    let image = when([("mode", "generate_image")]).map_err(app_err(app_id))?;
    Ok(ApplicationBuilder::new()
        .with_actions(actions![
            prompt,
            check_safety,
            decide_mode,
            answer_question,
            generate_image,
            refuse,
            response
        ])
        .with_transition("prompt", "check_safety", default())
        .with_transition("check_safety", "decide_mode", safe)
        .with_transition("check_safety", "refuse", default())
        .with_transition("decide_mode", "generate_image", image)
        .with_transition("decide_mode", "answer_question", default())
        .with_transition("generate_image", "response", default())
        .with_transition("answer_question", "response", default())
        .with_transition("refuse", "response", default())
        .with_transition("response", "prompt", default())
        .with_app_id(app_id)
        .with_partition_key("demo-user")
        .with_tracker(tracker(root, "demo_chatbot")?))
}

fn converse(
    app: &mut burr_core::Application,
    app_id: &str,
    questions: &[&str],
) -> Result<(), DemoError> {
    for question in questions {
        app.run(
            halt_after(["response"]),
            Inputs::new().with("user_input", *question),
        )
        .map_err(app_err(app_id))?;
    }
    Ok(())
}

fn chatbot_project(root: &Path) -> Result<(), DemoError> {
    let empty = || State::new().update("chat_history", Value::Array(Vec::new()));
    let app_id = "chat-1-draw-and-ask";
    let mut first = chatbot(root, app_id)?
        .with_state(empty())
        .with_entrypoint("prompt")
        .build()
        .map_err(app_err(app_id))?;
    converse(
        &mut first,
        app_id,
        &["Draw a giraffe", "What is the capital of France?"],
    )?;

    let app_id = "chat-2-rust-and-jokes";
    let mut second = chatbot(root, app_id)?
        .with_state(empty())
        .with_entrypoint("prompt")
        .build()
        .map_err(app_err(app_id))?;
    converse(
        &mut second,
        app_id,
        &[
            "Tell me about Rust",
            "Tell me a joke",
            "Say something unsafe",
        ],
    )?;

    // A conversation whose classifier fails: the error is tracked on its step.
    let app_id = "chat-3-failure";
    let mut failing = chatbot(root, app_id)?
        .with_state(empty())
        .with_entrypoint("prompt")
        .build()
        .map_err(app_err(app_id))?;
    converse(&mut failing, app_id, &["Hello there"])?;
    let failed = failing.run(
        halt_after(["response"]),
        Inputs::new().with("user_input", "kaboom: make the classifier fail"),
    );
    if failed.is_ok() {
        return Err(DemoError::App {
            app: app_id.to_owned(),
            message: "the step meant to fail succeeded".to_owned(),
        });
    }

    // A fork of the first conversation after its first answer (step 4), asking something else.
    let app_id = "chat-1-fork";
    let loader = tracker(root, "demo_chatbot")?
        .loader()
        .map_err(|err| DemoError::Tracking {
            project: "demo_chatbot".to_owned(),
            message: err.to_string(),
        })?;
    let mut fork = chatbot(root, app_id)?
        .initialize_from(InitializeFrom::new(loader, empty(), "prompt").fork_from(
            "chat-1-draw-and-ask",
            Some(4),
            Some("demo-user"),
        ))
        .build()
        .map_err(app_err(app_id))?;
    converse(&mut fork, app_id, &["Draw a picture of a lighthouse"])?;

    // An application spawned by the second conversation at its first answer, to review it.
    let app_id = "chat-2-review";
    let mut review = ApplicationBuilder::new()
        .with_actions(actions![increment, done])
        .with_transition(
            "increment",
            "increment",
            expr("count < 2").map_err(app_err(app_id))?,
        )
        .with_transition("increment", "done", default())
        .with_state(State::new().update("count", 0))
        .with_entrypoint("increment")
        .with_app_id(app_id)
        .with_spawning_parent(Pointer {
            app_id: "chat-2-rust-and-jokes".to_owned(),
            sequence_id: Some(4),
            partition_key: Some("demo-user".to_owned()),
        })
        .with_tracker(tracker(root, "demo_chatbot")?)
        .build()
        .map_err(app_err(app_id))?;
    review
        .run(halt_after(["done"]), Inputs::new())
        .map_err(app_err(app_id))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The UI offers the demo projects while one is missing: it knows their names.
    #[test]
    fn the_ui_knows_the_demo_projects() {
        let page = include_str!("../ui/js/views/projects.js");
        let line = page
            .lines()
            .find(|l| l.starts_with("const DEMO_PROJECTS"))
            .expect("projects.js lists the demo projects");
        let quoted: Vec<String> = super::DEMO_PROJECTS
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect();
        assert_eq!(
            line,
            format!("const DEMO_PROJECTS = [{}];", quoted.join(", "))
        );
    }
}
