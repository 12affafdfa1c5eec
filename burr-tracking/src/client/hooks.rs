//! The client as a lifecycle hook: one log line per event, written from what the event holds.
//! A step's lines are held until its `end_entry`, which writes them all in one write.

use burr_core::{
    ApplicationCreated, AttributesEvent, LifecycleHook, PostRunStep, PreRunStep, SpanEvent,
    StreamEnd, StreamItem, StreamStart,
};
use serde::Serialize;
use serde::ser::SerializeMap as _;
use serde_json::{Map, Value};

use crate::format::{
    AttributeLine, BeginEntryLine, BeginSpanLine, BeginStreamModel, EndEntryLine, EndSpanLine,
    EndStreamModel, FirstItemStreamModel, Timestamp,
};

use super::LocalTrackingClient;
use super::exception::format_exception;
use super::logs::report;

/// Inputs minus an injected tracer, as Burr logs them.
struct InputsWithoutTracer<'a>(&'a Map<String, Value>);

impl Serialize for InputsWithoutTracer<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().filter(|(k, _)| k.as_str() != "__tracer"))
    }
}

/// The tags of an attribute: Burr always writes none.
struct NoTags;

impl Serialize for NoTags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_map(Some(0))?.end()
    }
}

impl LifecycleHook for LocalTrackingClient {
    fn post_application_create(&self, event: &ApplicationCreated<'_>) {
        if let Err(e) = self.create_app(event) {
            report(event.app_id, &e);
        }
    }

    fn pre_run_step(&self, event: &PreRunStep<'_>) {
        let line = BeginEntryLine {
            start_time: Timestamp::local_at(event.time),
            action: &event.action.name,
            inputs: &InputsWithoutTracer(event.inputs.as_map()),
            sequence_id: event.sequence_id,
        };
        // Held: it goes out with the rest of the step, or with the flusher if the step lasts.
        self.append(event.app_id, "begin_entry", &line, true);
    }

    fn post_run_step(&self, event: &PostRunStep<'_>) {
        let exception = event
            .error
            .map(|e| format_exception(e, &event.action.name, event.sequence_id));
        let line = EndEntryLine {
            end_time: Timestamp::local_at(event.time),
            action: &event.action.name,
            result: if event.error.is_some() {
                None
            } else {
                event.result
            },
            exception: exception.as_deref(),
            state: event.state,
            sequence_id: event.sequence_id,
        };
        self.append(event.app_id, "end_entry", &line, false);
    }

    fn pre_start_span(&self, event: &SpanEvent<'_>) {
        let span = event.span;
        let line = BeginSpanLine {
            start_time: Timestamp::local_at(event.time),
            action_sequence_id: span.action_sequence_id,
            span_id: &span.uid,
            span_name: &span.name,
            parent_span_id: span.parent_uid.as_deref(),
            span_dependencies: &span.dependencies,
        };
        self.append(event.app_id, "begin_span", &line, true);
    }

    fn post_end_span(&self, event: &SpanEvent<'_>) {
        let line = EndSpanLine {
            end_time: Timestamp::local_at(event.time),
            action_sequence_id: event.span.action_sequence_id,
            span_id: &event.span.uid,
        };
        self.append(event.app_id, "end_span", &line, true);
    }

    fn do_log_attributes(&self, event: &AttributesEvent<'_>) {
        let time_logged = Some(Timestamp::utc_at(event.time));
        let span_id = event.span.map(|s| s.uid.as_str());
        self.append_each(
            event.app_id,
            "attribute",
            event.attributes.iter().map(|(key, value)| AttributeLine {
                key,
                action_sequence_id: event.action_sequence_id,
                span_id,
                value,
                tags: &NoTags,
                time_logged,
            }),
            true,
        );
    }

    fn pre_start_stream(&self, event: &StreamStart<'_>) {
        self.with_log(event.app_id, |log| log.first_item_logged = None);
        let line = BeginStreamModel {
            action_sequence_id: event.sequence_id,
            span_id: None,
            stream_init_time: Timestamp::utc_at(event.time),
        };
        self.append(event.app_id, "begin_stream", &line, true);
    }

    fn post_stream_item(&self, event: &StreamItem<'_>) {
        let hold = self.can_hold();
        let mut started = false;
        self.with_log(event.app_id, |log| {
            if log.first_item_logged == Some(event.sequence_id) {
                return;
            }
            log.first_item_logged = Some(event.sequence_id);
            let line = FirstItemStreamModel {
                action_sequence_id: event.sequence_id,
                span_id: None,
                first_item_time: Timestamp::utc_at(event.time),
            };
            match log.append(&line, "first_item_stream", event.app_id, hold) {
                Ok(s) => started = s,
                Err(e) => report(event.app_id, &e),
            }
        });
        if started {
            self.held();
        }
    }

    fn post_end_stream(&self, event: &StreamEnd<'_>) {
        let line = EndStreamModel {
            action_sequence_id: event.sequence_id,
            span_id: None,
            end_time: Timestamp::utc_at(event.time),
            items_streamed: event.items_streamed as u64,
        };
        self.append(event.app_id, "end_stream", &line, false);
    }

    /// The log, reconciled with the state persister when an application resumes.
    fn step_journal(&self) -> Option<&dyn burr_core::StepJournal> {
        // A spool holds only what this client wrote, not the application's whole log.
        if self.ships() {
            return None;
        }
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::format::{LogRecord, write_json_line};
    use burr_core::{SpanInfo, State};
    use serde_json::json;

    /// Writes a line the way the client does.
    fn line(record: &impl Serialize) -> String {
        let mut buf = Vec::new();
        write_json_line(&mut buf, record).unwrap();
        String::from_utf8(buf).unwrap()
    }

    /// The client's line, written from what the hooks hold (a `State`, inputs without the
    /// tracer), must be exactly what the typed record writes once read back.
    fn assert_same_as_model(text: &str) {
        let parsed = LogRecord::from_json_line(text.trim_end().as_bytes()).unwrap();
        assert!(!matches!(parsed, LogRecord::Unknown(_)), "{text}");
        assert_eq!(parsed.to_json_line(), text);
    }

    #[test]
    fn every_line_kind_matches_the_model_byte_for_byte() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_micros(1_700_000_000_123_456);
        let state = State::new()
            .update("counter", 1)
            .update("ratio", 0.5)
            .update("big", 1e16)
            .update("text", "é\"\n")
            .with_sequence_id(3)
            .with_prior_step("count");
        let inputs = json!({"amount": 10, "__tracer": "x", "nested": {"a": [1, 2.25]}});
        let result = json!({"answer": 42});
        let deps = vec!["outer".to_string()];
        let value = json!({"n": [1, null, "x"], "f": 1e-7});
        let lines = [
            line(&BeginEntryLine {
                start_time: Timestamp::local_at(t),
                action: "count",
                inputs: &InputsWithoutTracer(inputs.as_object().unwrap()),
                sequence_id: 3,
            }),
            line(&EndEntryLine {
                end_time: Timestamp::local_at(t),
                action: "count",
                result: result.as_object(),
                exception: None,
                state: &state,
                sequence_id: 3,
            }),
            line(&EndEntryLine {
                end_time: Timestamp::local_at(t),
                action: "count",
                result: None,
                exception: Some("Traceback\nActionFailed: x\n"),
                state: &state,
                sequence_id: 3,
            }),
            line(&BeginSpanLine {
                start_time: Timestamp::local_at(t),
                action_sequence_id: 3,
                span_id: "3:0.1",
                span_name: "inner",
                parent_span_id: Some("3:0"),
                span_dependencies: &deps,
            }),
            line(&BeginSpanLine {
                start_time: Timestamp::local_at(t),
                action_sequence_id: 3,
                span_id: "3:0",
                span_name: "outer",
                parent_span_id: None,
                span_dependencies: &[],
            }),
            line(&EndSpanLine {
                end_time: Timestamp::local_at(t),
                action_sequence_id: 3,
                span_id: "3:0",
            }),
            line(&AttributeLine {
                key: "k",
                action_sequence_id: 3,
                span_id: None,
                value: &value,
                tags: &NoTags,
                time_logged: Some(Timestamp::utc_at(t)),
            }),
            line(&BeginStreamModel {
                action_sequence_id: 3,
                span_id: None,
                stream_init_time: Timestamp::utc_at(t),
            }),
            line(&FirstItemStreamModel {
                action_sequence_id: 3,
                span_id: None,
                first_item_time: Timestamp::utc_at(t),
            }),
            line(&EndStreamModel {
                action_sequence_id: 3,
                span_id: None,
                end_time: Timestamp::utc_at(t),
                items_streamed: 5,
            }),
        ];
        // Strings that need escaping.
        let odd = "q\"b\\n\n\t\u{1}\u{1f}\u{7f}é😀</script>";
        let odd_deps = vec![odd.to_string(), String::new()];
        let before_1970 = SystemTime::UNIX_EPOCH - std::time::Duration::from_micros(1_500_000);
        let odd_inputs = json!({ odd: odd, "n": 1.25 });
        let odd_state = State::new().update(odd, odd).with_sequence_id(9);
        let odd_value = json!({ odd: [odd, 1.5, -0.0, 1e300, u64::MAX, i64::MIN] });
        let mut odd_lines = vec![
            line(&BeginSpanLine {
                start_time: Timestamp::local_at(before_1970),
                action_sequence_id: u64::MAX,
                span_id: odd,
                span_name: odd,
                parent_span_id: Some(odd),
                span_dependencies: &odd_deps,
            }),
            line(&EndSpanLine {
                end_time: Timestamp::utc_at(before_1970),
                action_sequence_id: 0,
                span_id: odd,
            }),
            line(&BeginEntryLine {
                start_time: Timestamp::local_at(t),
                action: odd,
                inputs: &InputsWithoutTracer(odd_inputs.as_object().unwrap()),
                sequence_id: 9,
            }),
        ];
        for (result, exception) in [(odd_inputs.as_object(), None), (None, Some(odd))] {
            odd_lines.push(line(&EndEntryLine {
                end_time: Timestamp::local_at(t),
                action: odd,
                result,
                exception,
                state: &odd_state,
                sequence_id: 9,
            }));
        }
        for (span_id, time_logged) in [(None, Some(Timestamp::utc_at(t))), (Some(odd), None)] {
            odd_lines.push(line(&AttributeLine {
                key: odd,
                action_sequence_id: 7,
                span_id,
                value: &odd_value,
                tags: &NoTags,
                time_logged,
            }));
        }
        for l in lines.iter().chain(&odd_lines) {
            assert_same_as_model(l);
        }
        assert!(!lines[0].contains("__tracer"));
        assert!(lines[1].contains(r#""state":{"counter":1,"ratio":0.5,"big":1e+16,"text":"é\"\n","__SEQUENCE_ID":3,"__PRIOR_STEP":"count"}"#), "{}", lines[1]);
        assert!(lines[6].ends_with("\"time_logged\":\"2023-11-14T22:13:20.123456Z\"}\n"));
    }

    #[test]
    fn span_attribute_and_stream_events_need_a_created_app() {
        let root = tempfile::tempdir().unwrap();
        let client = LocalTrackingClient::new("p")
            .unwrap()
            .with_storage_dir(root.path());
        let span = SpanInfo {
            uid: "0:0".into(),
            name: "s".into(),
            parent_uid: None,
            dependencies: vec![],
            action_sequence_id: 0,
        };
        // Nothing is created for an application the client never saw.
        let line = BeginSpanLine {
            start_time: Timestamp::local_at(SystemTime::now()),
            action_sequence_id: 0,
            span_id: &span.uid,
            span_name: &span.name,
            parent_span_id: None,
            span_dependencies: &[],
        };
        client.append("ghost", "begin_span", &line, false);
        assert!(!root.path().join("p").exists());
    }
}
