//! The house rules that keep the code extensible in one place, checked on the source itself:
//! no import circles between modules (a module and its child importing each other counts), and
//! no source file over 800 lines.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

/// Every `.rs` file under `src/`, keyed by its module path (`app::update`, `ops`, `main`).
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(src).expect("under src");
                let mut parts: Vec<String> = relative
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                    parts.pop();
                }
                out.insert(parts, path);
            }
        }
    }
    out
}

/// The code of a file without comments, string contents and its `#[cfg(test)] mod tests`
/// (tests may reach anywhere).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_string = false;
        let mut previous = ' ';
        for c in line.chars() {
            if c == '"' && previous != '\\' {
                in_string = !in_string;
            } else if !in_string {
                out.push(c);
            }
            previous = c;
        }
        out.push('\n');
    }
    out
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = path.find('{') else {
        return vec![path];
    };
    let prefix = &path[..open];
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .collect()
}

/// The module a path names, resolved from module `from`: the longest prefix that is a module.
fn resolve(
    from: &[String],
    path: &str,
    known: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<Vec<String>> {
    let mut segments = path.split("::").map(str::to_string);
    let mut base: Vec<String> = match segments.next()?.as_str() {
        "crate" => Vec::new(),
        "super" => from[..from.len().saturating_sub(1)].to_vec(),
        "self" => from.to_vec(),
        _ => return None,
    };
    for s in segments {
        if s == "super" {
            base.pop();
            continue;
        }
        let mut next = base.clone();
        next.push(s.trim_start_matches("r#").to_string());
        if known.contains_key(&next) {
            base = next;
        } else {
            break;
        }
    }
    Some(base)
}

fn edges(
    known: &BTreeMap<Vec<String>, PathBuf>,
    module: &[String],
    path: &Path,
) -> BTreeSet<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("read module");
    let code = code_of(&text);
    let mut out = BTreeSet::new();
    let path_re =
        regex::Regex::new(r"\b(?:crate|super|self)(?:::(?:\{[^;]*\}|[A-Za-z_][A-Za-z0-9_]*))+")
            .expect("regex");
    // `use child::Item` in a module names its own child: relative to the module itself.
    let relative_use = regex::Regex::new(
        r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([A-Za-z_][A-Za-z0-9_]*(?:::[^;]*)?);",
    )
    .expect("regex");
    for found in relative_use.captures_iter(&code) {
        let path = &found[1];
        let first = path.split("::").next().unwrap_or_default();
        if matches!(first, "crate" | "super" | "self") {
            continue;
        }
        for p in expand(&format!("self::{path}")) {
            if let Some(target) = resolve(module, &p, known)
                && target != module
                && !target.is_empty()
            {
                out.insert(target);
            }
        }
    }
    for found in path_re.find_iter(&code) {
        for p in expand(found.as_str()) {
            if let Some(target) = resolve(module, &p, known)
                && target != module
                && !target.is_empty()
            {
                out.insert(target);
            }
        }
    }
    out
}

#[test]
fn no_import_circles_between_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    // The binary's modules (`main`, `cli`) sit beside the library: `crate::` in them means the
    // binary crate, whose root is main.rs.
    let graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = known
        .iter()
        .map(|(module, path)| (module.clone(), edges(&known, module, path)))
        .collect();

    // Depth-first search for a back edge; report the circle it closes.
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
        circles: &mut Vec<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(i) = stack.iter().position(|n| n == node) {
            let circle: Vec<String> = stack[i..]
                .iter()
                .chain(std::iter::once(node))
                .map(|m| m.join("::"))
                .collect();
            circles.push(circle.join(" -> "));
            return;
        }
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, stack, done, circles);
        }
        stack.pop();
        done.insert(node.clone());
    }
    let mut circles = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(node, &graph, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(
        circles.is_empty(),
        "import circles in src/:\n{}",
        circles.join("\n")
    );
}

#[test]
fn no_source_file_is_over_800_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let too_long: Vec<String> = modules(&src)
        .values()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path).ok()?.lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", path.display()))
        })
        .collect();
    assert!(
        too_long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        too_long.join("\n")
    );
}

#[test]
fn the_circle_finder_sees_braced_and_relative_imports() {
    assert_eq!(
        expand("crate::a::{b, c::{d, e}}"),
        ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]
    );
    let known: BTreeMap<Vec<String>, PathBuf> = [
        vec!["a".to_string()],
        vec!["a".to_string(), "b".to_string()],
        vec!["c".to_string()],
    ]
    .into_iter()
    .map(|m| (m, PathBuf::new()))
    .collect();
    let b = vec!["a".to_string(), "b".to_string()];
    assert_eq!(
        resolve(&b, "super::Thing", &known),
        Some(vec!["a".to_string()])
    );
    assert_eq!(
        resolve(&b, "crate::c::Item", &known),
        Some(vec!["c".to_string()])
    );
    assert_eq!(
        resolve(&b, "super::super::c", &known),
        Some(vec!["c".to_string()])
    );
}
