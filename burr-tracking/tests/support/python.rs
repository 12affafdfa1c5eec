//! Python with Apache Burr, the oracle of the compatibility tests.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

use super::skip;

/// Burr's package directory, when `python3` imports `burr` and the modules `imports`; else
/// the test `what` is skipped (see [`skip`]).
pub(crate) fn burr_package(what: &str, imports: &[&str]) -> Option<PathBuf> {
    let modules = ["os", "burr"].iter().chain(imports).copied();
    let code = format!(
        "import {}; print(os.path.dirname(burr.__file__))",
        modules.collect::<Vec<_>>().join(", ")
    );
    let why = match Command::new("python3").args(["-c", &code]).output() {
        Ok(out) if out.status.success() => {
            return Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
        Ok(out) => format!(
            "python3 cannot import Apache Burr ({}); install it with `python3 -m pip install \"apache-burr[tracking-server]\"`",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ),
        Err(e) => format!("python3 cannot be run: {e}"),
    };
    skip(what, why)
}

/// Runs `python3` with `args`, asserting that it succeeds; returns what it printed.
pub(crate) fn run<I>(args: I) -> String
where
    I: IntoIterator,
    I::Item: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = Command::new("python3")
        .args(&args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("python3 prints UTF-8")
}
