//! Finding the NUL characters that PostgreSQL's text and JSONB refuse.

/// Where the first NUL character of a JSON value is (a key or a string), as a path like
/// `state["messages"][2]["text"]`; `None` when there is none.
pub(super) fn nul_in(value: &serde_json::Value, path: &mut String) -> Option<String> {
    use serde_json::Value;
    use std::fmt::Write;
    let len = path.len();
    let found = match value {
        Value::String(s) if s.contains('\0') => Some(format!("state{path}")),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            path.truncate(len);
            let _ = write!(path, "[{i}]");
            nul_in(v, path)
        }),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            path.truncate(len);
            let _ = write!(path, "[{k:?}]");
            if k.contains('\0') {
                Some(format!("state{path} (the key)"))
            } else {
                nul_in(v, path)
            }
        }),
        _ => None,
    };
    path.truncate(len);
    found
}
