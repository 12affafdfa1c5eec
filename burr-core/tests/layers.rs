//! The top-level modules of burr-core form layers, and each one uses only modules of the
//! layers below its own, so that no two modules depend on each other.
//!
//! The layers are the groups of `mod` lines in `src/lib.rs` (groups are separated by blank
//! lines), bottom first. A module uses another when its code, outside comment lines, names
//! `crate::other` (in a `use` or inline, `crate::{other::..}` included) or a name the crate
//! root re-exports from `other` (`crate::State` is `state`'s). A macro's `$crate::` paths are
//! not uses of the module that defines it: they resolve where the macro is expanded.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layer of every top-level module declared with a `mod` line in `lib.rs` (`0` for the
/// first group).
fn layers(lib: &str) -> HashMap<String, usize> {
    let mut layer_of = HashMap::new();
    let mut layer = 0;
    let mut in_group = false;
    for line in lib.lines().map(str::trim) {
        if line.is_empty() {
            if in_group {
                layer += 1;
                in_group = false;
            }
            continue;
        }
        let decl = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        if let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';')) {
            layer_of.insert(name.to_string(), layer);
            in_group = true;
        }
    }
    layer_of
}

/// The module each name re-exported by a `pub use module::..;` of `lib.rs` comes from.
fn root_reexports(lib: &str) -> HashMap<String, String> {
    let code = code_only(lib);
    let mut from = HashMap::new();
    for item in code.split(';') {
        let Some((_, path)) = item.rsplit_once("pub use ") else {
            continue;
        };
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        for name in rest.split([',', '{', '}']).filter_map(|entry| {
            let entry = entry.trim();
            let name = entry.rsplit(" as ").next()?.rsplit("::").next()?.trim();
            (!name.is_empty()).then_some(name)
        }) {
            from.insert(name.to_string(), module.trim().to_string());
        }
    }
    from
}

/// The text of a source file without its comment lines (docs included).
fn code_only(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first identifier of `s`.
fn ident(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first segments of the paths named after each `crate::` of `code` (not `$crate::`):
/// `crate::a::b` gives `a`, `crate::{a::b, c}` gives `a` and `c`.
fn crate_paths(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with('$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            out.push(ident(rest));
            continue;
        };
        // The top-level entries of the group, up to its closing brace.
        let mut depth = 0;
        let mut start = 0;
        for (j, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    out.push(ident(&group[start..j]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(ident(&group[start..j]));
                    start = j + 1;
                }
                _ => {}
            }
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_use_only_lower_layers() {
    let src = src_dir();
    let lib = fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let layer_of = layers(&lib);
    let reexported = root_reexports(&lib);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();

    let mut problems = BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("a file under src");
        if relative == Path::new("lib.rs") {
            continue;
        }
        let first = relative.components().next().expect("a path");
        let first = first.as_os_str().to_string_lossy();
        let module = first.strip_suffix(".rs").unwrap_or(&first);
        let shown = relative.display();
        let Some(&own) = layer_of.get(module) else {
            problems.insert(format!(
                "{shown}: module `{module}` has no `mod` line in lib.rs"
            ));
            continue;
        };
        let code = code_only(&fs::read_to_string(&file).expect("a readable file"));
        for name in crate_paths(&code) {
            let used = if layer_of.contains_key(name) {
                name
            } else if let Some(from) = reexported.get(name) {
                from.as_str()
            } else {
                // A macro or a module of lib.rs's own (`__private`): no layer.
                continue;
            };
            if used != module && layer_of[used] >= own {
                problems.insert(format!(
                    "{shown}: `{module}` (layer {}) uses `{used}` (layer {}) through `crate::{name}`",
                    own + 1,
                    layer_of[used] + 1
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "modules that use modules of their own layer or above (see the layers in src/lib.rs):\n{}",
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_check_reads_paths_layers_and_reexports() {
    let code =
        "use crate::a::X;\nuse crate::{b::Y, c, d::{e, f}};\nlet _ = crate::g::h();\n$crate::i!()";
    assert_eq!(crate_paths(code), ["a", "b", "c", "d", "g"]);
    assert_eq!(code_only("/// crate::x\ncode\n  // crate::y"), "code");
    let lib = "mod a;\npub mod b;\n\n// two\npub(crate) mod c;\n";
    let layer_of = layers(lib);
    assert_eq!((layer_of["a"], layer_of["b"], layer_of["c"]), (0, 0, 1));
    let from = root_reexports("pub use a::{X, Y as Z};\n#[cfg(test)]\npub use b::c::W;");
    assert_eq!((&*from["X"], &*from["Z"], &*from["W"]), ("a", "a", "b"));
}
