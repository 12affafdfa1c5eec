//! A typed action with inputs, an injected context, a result and a `Result` return.
use burr::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, TypedState)]
struct Chat {
    #[burr(append)]
    history: Vec<String>,
    #[serde(rename = "user prompt")]
    prompt: String,
    #[serde(default)]
    #[burr(add)]
    turns: u32,
    r#type: Option<String>,
}

#[derive(Serialize)]
struct Reply {
    tokens: usize,
}

#[action(state = Chat, reads = [prompt, r#type], writes = [history, turns], tags = [llm])]
fn respond(chat: Reads, ctx: &ActionContext, temperature: Option<f64>) -> Result<(Reply, Writes), ActionError> {
    let _ = (ctx.action_name(), temperature, chat.r#type);
    Ok((
        Reply { tokens: chat.prompt.len() },
        Writes { history: vec![chat.prompt], turns: 1 },
    ))
}

#[action(state = Chat, reads = [], writes = [])]
async fn idle() -> Writes {
    Writes {}
}

#[action(state = Chat, reads = [turns], writes = [turns])]
fn reset(chat: Reads) -> Writes {
    let base = Writes { turns: 0 };
    Writes { turns: chat.turns.min(0), ..base }
}

fn main() {
    let _ = actions![respond, idle, reset];
}
