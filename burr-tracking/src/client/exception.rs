//! The `exception` text of a failed step.

use std::error::Error as _;
use std::fmt::Write as _;

use burr_core::Error;

/// The `exception` text of a failed step, shaped like a Python traceback so that Burr's UI
/// shows it as one: the causes first (deepest first), then the error itself, ending with
/// `"{Kind}: {message}\n"` where `Kind` is the error's variant (`ActionFailed`, `MissingKey`,
/// ...).
pub(super) fn format_exception(error: &Error, action: &str, sequence_id: u64) -> String {
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    let mut out = String::new();
    for cause in causes.iter().rev() {
        out.push_str(cause);
        out.push_str(
            "\n\nThe above exception was the direct cause of the following exception:\n\n",
        );
    }
    let _ = write!(
        out,
        "Traceback (most recent call last):\n  in action `{action}` (sequence id {sequence_id})\n{}: {error}\n",
        error_kind(error)
    );
    out
}

/// The variant name of an engine error, from its `Debug` form (`ActionFailed { .. }` gives
/// `ActionFailed`; a wrapper such as `State(MissingKey { .. })` gives the inner
/// `MissingKey`).
fn error_kind(error: &Error) -> String {
    let debug = format!("{error:?}");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let outer = ident(&debug);
    let rest = &debug[outer.len()..];
    match rest.strip_prefix('(') {
        Some(inner) if inner.starts_with(|c: char| c.is_ascii_uppercase()) => ident(inner),
        _ if outer.is_empty() => "Error".to_string(),
        _ => outer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burr_core::ActionError;

    #[test]
    fn exceptions_read_like_python_tracebacks() {
        let err = ActionError::msg("kaboom").into_burr("boom");
        let text = format_exception(&err, "boom", 7);
        assert!(text.starts_with("kaboom\n"), "{text}");
        assert!(text.contains("in action `boom` (sequence id 7)"), "{text}");
        assert!(
            text.ends_with("ActionFailed: action `boom` failed: kaboom\n"),
            "{text}"
        );
    }

    #[test]
    fn error_kinds_come_from_the_variant() {
        let failed = ActionError::msg("x").into_burr("a");
        assert_eq!(error_kind(&failed), "ActionFailed");
        let other = Error::Other("plain".into());
        assert_eq!(error_kind(&other), "Other");
        let missing = Error::State(burr_core::StateError::MissingKey {
            key: "k".into(),
            known: vec![],
        });
        assert_eq!(error_kind(&missing), "MissingKey");
        assert!(format_exception(&missing, "a", 0).ends_with("MissingKey: key `k` not found in state; keys state knows about are: []; make sure an earlier action wrote it and that the action reading it declares it in `reads`\n"));
    }
}
