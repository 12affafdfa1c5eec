//! The lifecycle events of an application's calls and steps, fired to its hooks: sync hooks
//! first, then, in async mode, the async ones (awaited in order).

use std::time::SystemTime;

use super::Application;
use super::engine::{Committed, Mode, Prepared};
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
                // Boxed, so that the futures of sync calls stay small.
                ::std::boxed::Box::pin(async {
                    for h in &hooks.asynchronous {
                        h.$method(&event).await;
                    }
                })
                .await;
            }
        }
    }};
}
pub(crate) use fire;

impl Application {
    /// The start (`pre`) or the end of an outermost public call: opens or closes its
    /// `tracing` span, and fires the hooks.
    pub(crate) async fn fire_execute(
        &mut self,
        method: ExecuteMethod,
        pre: bool,
        error: Option<&Error>,
        mode: Mode,
    ) {
        let ended = if pre {
            self.run_span = crate::context::run_span(
                &self.shared.app_id,
                self.shared.partition_key.as_deref(),
                method.as_str(),
            );
            None
        } else {
            Some(std::mem::replace(&mut self.run_span, tracing::Span::none()))
        };
        let event = || ExecuteCall {
            app_id: &self.shared.app_id,
            partition_key: self.shared.partition_key.as_deref(),
            state: &self.state,
            method,
            error,
            time: SystemTime::now(),
        };
        match ended {
            None => fire!(self, mode, pre_run_execute_call, event()),
            Some(span) => {
                fire!(self, mode, post_run_execute_call, event());
                crate::context::record_outcome(&span, error.map(|e| e as &dyn std::fmt::Display));
            }
        }
    }

    /// The event of a step about to call its action.
    pub(crate) fn pre_step_event<'a>(&'a self, p: &'a Prepared) -> PreRunStep<'a> {
        PreRunStep {
            app_id: &self.shared.app_id,
            partition_key: self.shared.partition_key.as_deref(),
            sequence_id: p.seq,
            state: &self.state,
            action: &self.graph.nodes[p.node].info,
            inputs: p.inputs(),
            time: SystemTime::now(),
        }
    }

    /// The event of a step that ended, with its result or its error.
    pub(crate) fn post_step_event<'a>(
        &'a self,
        p: &Prepared,
        result: &'a Result<Committed, Box<Error>>,
    ) -> PostRunStep<'a> {
        let (result, error) = match result {
            Ok(Committed {
                routed: Some(e), ..
            }) => (None, Some(&**e)),
            Ok(c) => (Some(c.result()), None),
            Err(e) => (None, Some(&**e)),
        };
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
    }
}
