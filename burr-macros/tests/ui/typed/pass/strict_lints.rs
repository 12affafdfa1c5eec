//! Generated code raises no warning under strict lints, for public typed states and actions.
#![deny(missing_docs, unused, rust_2018_idioms, unsafe_code, nonstandard_style)]

use burr::prelude::*;
use serde::{Deserialize, Serialize};

/// The state.
#[derive(Serialize, Deserialize, TypedState)]
#[serde(rename_all = "camelCase")]
pub struct Chat {
    /// The messages.
    #[burr(append)]
    pub chat_history: Vec<String>,
    /// The prompt.
    pub user_prompt: String,
}

/// Echoes the prompt.
#[action(state = Chat, reads = [user_prompt], writes = [chat_history])]
pub fn echo(chat: Reads) -> Writes {
    Writes {
        chat_history: vec![chat.user_prompt],
    }
}

/// Reads nothing, asynchronously.
#[action(state = Chat, reads = [user_prompt], writes = [])]
pub async fn idle() -> Writes {
    Writes {}
}

fn main() {
    let mut app = ApplicationBuilder::new()
        .with_actions(actions![echo, idle])
        .with_typed_state(&Chat {
            chat_history: vec![],
            user_prompt: "hi".into(),
        })
        .with_entrypoint("echo")
        .build()
        .unwrap();
    app.step().unwrap();
    assert_eq!(
        app.state().get::<Vec<String>>("chatHistory").unwrap(),
        ["hi"]
    );
}
