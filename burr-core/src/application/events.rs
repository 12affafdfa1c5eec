//! The lifecycle events of an application's calls and steps, fired to its hooks: sync hooks
//! first, then, in async mode, the async ones (awaited in order).

use std::time::SystemTime;

use super::engine::{Mode, Prepared};
use super::{Application, StepResult};
use crate::error::Error;
use crate::hooks::{ExecuteCall, ExecuteMethod, PostRunStep, PreRunStep};

/// Fires `$method` with the event `$event` (built only when a hook will get it) to the sync
/// hooks of `$app`, then in async mode to its async hooks. Use inside an `async fn`.
macro_rules! fire {
    ($app:expr, $mode:expr, $method:ident, $event:expr) => {{
        let hooks = &$app.shared.hooks;
        let run_async = $mode.is_async() && !hooks.asynchronous.is_empty();
        if !hooks.sync.is_empty() || run_async {
            let event = $event;
            for h in &hooks.sync {
                h.$method(&event);
            }
            if run_async {
                for h in &hooks.asynchronous {
                    h.$method(&event).await;
                }
            }
        }
    }};
}
pub(crate) use fire;

impl Application {
    /// The start (`pre`) or the end of an outermost public call.
    pub(crate) async fn fire_execute(
        &self,
        method: ExecuteMethod,
        pre: bool,
        error: Option<&Error>,
        mode: Mode,
    ) {
        let event = || ExecuteCall {
            app_id: &self.shared.app_id,
            partition_key: self.shared.partition_key.as_deref(),
            state: &self.state,
            method,
            error,
            time: SystemTime::now(),
        };
        if pre {
            fire!(self, mode, pre_run_execute_call, event());
        } else {
            fire!(self, mode, post_run_execute_call, event());
        }
    }

    /// A step is about to call its action.
    pub(crate) async fn fire_pre_step(&self, p: &Prepared, mode: Mode) {
        fire!(
            self,
            mode,
            pre_run_step,
            PreRunStep {
                app_id: &self.shared.app_id,
                partition_key: self.shared.partition_key.as_deref(),
                sequence_id: p.seq,
                state: &self.state,
                action: &self.graph.nodes[p.node].info,
                inputs: &p.inputs,
                time: SystemTime::now(),
            }
        );
    }

    /// A step ended, with its result or its error.
    pub(crate) async fn fire_post_step(
        &self,
        p: &Prepared,
        result: &Result<StepResult, Error>,
        mode: Mode,
    ) {
        let (result, error) = match result {
            Ok(r) => (Some(&r.result), None),
            Err(e) => (None, Some(e)),
        };
        fire!(
            self,
            mode,
            post_run_step,
            PostRunStep {
                app_id: &self.shared.app_id,
                partition_key: self.shared.partition_key.as_deref(),
                sequence_id: p.seq,
                state: &self.state,
                action: &self.graph.nodes[p.node].info,
                result,
                error,
                time: SystemTime::now(),
            }
        );
    }
}
