//! Apache Burr's on-disk format: the typed records of a tracking directory, how they are read,
//! and how they are written.
//!
//! A tracked application lives in `<root>/<project>/<app_id>/` and is made of four files:
//!
//! | file | content | type here |
//! |---|---|---|
//! | `graph.json` | the application's actions and transitions | [`ApplicationModel`] |
//! | `metadata.json` | partition key, fork and spawn parents | [`ApplicationMetadataModel`] |
//! | `log.jsonl` | one event per line, appended as the application runs | [`LogRecord`] |
//! | `children.jsonl` | one line per fork or spawned child (in the parent's directory) | [`ChildApplicationModel`] |
//!
//! Every record serializes with its `type` key first and its other keys in Burr's order; keys
//! that Burr requires but allows to be null (`result`, `exception`, `parent_span_id`,
//! `span_id`, ...) are written as `null`, never left out.
//!
//! Reading follows Burr's tracking server (pydantic in lax mode): unknown keys are ignored,
//! integers may be written as `"3"` or `3.0` (but `1.5` is rejected), timestamps may take any
//! of the forms [`Timestamp`] accepts, and a key that may be null may also be absent. A key
//! that must hold a value (`state`, `action`, `span_dependencies`, `tags`, ...) must be
//! present, or the record is rejected.
//!
//! Two output styles exist, as in Burr:
//! - log lines ([`LogRecord::to_json_line`], [`to_json_line`]): compact JSON, raw UTF-8,
//!   floats as pydantic prints them, NaN and infinities as `null`, ending in `"\n"`;
//! - `graph.json` and `metadata.json` ([`to_python_json`]): Python's `json.dump` layout, with
//!   `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`, and no trailing newline.
//!
//! # Examples
//!
//! ```
//! use burr_tracking::format::{BeginEntryModel, LogRecord, Timestamp};
//!
//! let line = r#"{"type":"begin_entry","start_time":"2024-08-27T11:59:58.569978","action":"result","inputs":{},"sequence_id":1}"#;
//! let record = LogRecord::from_json_line(line.as_bytes())?;
//! let LogRecord::BeginEntry(begin) = &record else { unreachable!() };
//! assert_eq!(begin.action, "result");
//! assert_eq!(record.to_json_line(), format!("{line}\n"));
//!
//! let begin = BeginEntryModel {
//!     start_time: "2024-01-02T03:04:05".parse()?,
//!     action: "count".into(),
//!     inputs: Default::default(),
//!     sequence_id: 0,
//! };
//! assert_eq!(
//!     LogRecord::from(begin).to_json_line(),
//!     "{\"type\":\"begin_entry\",\"start_time\":\"2024-01-02T03:04:05\",\"action\":\"count\",\"inputs\":{},\"sequence_id\":0}\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod app;
mod begin;
mod json;
mod lax;
mod line;
mod log_record;
mod probe;
mod records;
mod scan;
mod timestamp;

use indexmap::IndexMap;
use serde_json::{Map, Value};

pub use app::{
    ActionModel, ApplicationMetadataModel, ApplicationModel, ChildApplicationModel, ChildEventType,
    PointerModel, TransitionModel,
};
pub(crate) use begin::begin_sequence_id;
pub(crate) use json::write_json_line;
pub use json::{to_json_line, to_python_json};
pub(crate) use lax::lax_u64;
pub use log_record::{LogRecord, RecordError};
pub(crate) use probe::LineProbe;
pub(crate) use records::{
    AttributeLine, BeginEntryLine, BeginSpanLine, EndEntryLine, EndSpanLine, RecordKind,
};
pub use records::{
    AttributeModel, BeginEntryModel, BeginSpanModel, BeginStreamModel, EndEntryModel, EndSpanModel,
    EndStreamModel, FirstItemStreamModel, UnknownRecord,
};
pub(crate) use scan::{decimal_u64, object_len};
pub use timestamp::{Timestamp, TimestampError, Zone};

/// The numbers 00 to 99 in two digits each, one after the other.
const DIGIT_PAIRS: &str = {
    const BYTES: [u8; 200] = {
        let mut bytes = [0; 200];
        let mut i = 0;
        while i < 100 {
            bytes[2 * i] = b'0' + (i / 10) as u8;
            bytes[2 * i + 1] = b'0' + (i % 10) as u8;
            i += 1;
        }
        bytes
    };
    match std::str::from_utf8(&BYTES) {
        Ok(pairs) => pairs,
        Err(_) => panic!("digits are ASCII"),
    }
};

/// A JSON object, keys in file order (`inputs`, `state`, `result`).
///
/// # Examples
///
/// ```
/// let state: burr_tracking::format::JsonObject =
///     serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
/// assert_eq!(state.keys().collect::<Vec<_>>(), ["b", "a"]);
/// ```
pub type JsonObject = Map<String, Value>;

/// The `tags` of an attribute: string keys to string values, in file order.
///
/// # Examples
///
/// ```
/// let mut tags = burr_tracking::format::Tags::new();
/// tags.insert("env".into(), "prod".into());
/// assert_eq!(serde_json::to_string(&tags).unwrap(), r#"{"env":"prod"}"#);
/// ```
pub type Tags = IndexMap<String, String>;
