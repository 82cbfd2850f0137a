//! Microsoft's published examples (tests/fixtures/azureml-examples, see SOURCE.md there) and
//! their shapes: every (path, JSON type) of a document, so the emulator's answers can be
//! compared with the examples' field names, nesting and types.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azureml-examples")
}

pub(crate) fn example(rel: &str) -> Value {
    let text =
        std::fs::read_to_string(fixtures().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Maps whose keys are data (deployment names, tag names…), not field names.
pub(crate) const FREE_FORM: [&str; 7] = [
    "tags",
    "properties.traffic",
    "properties.mirrorTraffic",
    "properties.properties",
    "properties.environmentVariables",
    "identity.userAssignedIdentities",
    "additionalInfo",
];

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every (path, JSON type) in a document; free-form map keys become `*`, array items `[]`.
pub(crate) fn shape(v: &Value) -> BTreeSet<(String, &'static str)> {
    fn walk(v: &Value, path: &str, out: &mut BTreeSet<(String, &'static str)>) {
        if !path.is_empty() {
            out.insert((path.to_string(), json_type(v)));
        }
        match v {
            Value::Object(m) => {
                let free = FREE_FORM
                    .iter()
                    .any(|f| path == *f || path.ends_with(&format!(".{f}")));
                for (k, child) in m {
                    let key = if free { "*" } else { k.as_str() };
                    let p = if path.is_empty() {
                        key.to_string()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(child, &p, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{path}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

pub(crate) fn response_bodies(doc: &Value) -> Vec<Value> {
    doc["responses"]
        .as_object()
        .map(|r| {
            r.values()
                .filter_map(|resp| resp.get("body").cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// The union of the shapes of the given examples' response bodies (list items included).
pub(crate) fn example_shape(
    files: &[&str],
    item_of_list: bool,
) -> BTreeSet<(String, &'static str)> {
    let mut out = BTreeSet::new();
    for file in files {
        for body in response_bodies(&example(file)) {
            let docs = if item_of_list {
                body["value"].as_array().cloned().unwrap_or_default()
            } else {
                vec![body]
            };
            for d in docs {
                out.extend(shape(&d));
            }
        }
    }
    out
}

/// Fields of the 2026-07-01 spec that none of the examples happens to show (the examples'
/// `tags` are empty; ARM tags are a string-to-string map).
pub(crate) const SPEC_ONLY: [(&str, &str); 5] = [
    ("tags.*", "string"),
    ("properties.mirrorTraffic", "object"),
    ("properties.mirrorTraffic.*", "integer"),
    ("properties.publicNetworkAccess", "string"),
    ("properties.egressPublicNetworkAccess", "string"),
];

/// Every field the emulator sends exists in the examples with the same JSON type.
pub(crate) fn assert_emulator_matches(
    what: &str,
    emulated: &Value,
    examples: &BTreeSet<(String, &'static str)>,
) {
    let unknown: Vec<_> = shape(emulated)
        .into_iter()
        .filter(|(p, t)| {
            let known = examples.contains(&(p.clone(), *t)) || {
                // Spec-only fields count in list items too.
                let item = p.strip_prefix("value[].").unwrap_or(p);
                SPEC_ONLY.contains(&(item, *t))
            };
            // A null is a legal value of any optional field the example shows.
            let null_of_known_field = *t == "null" && examples.iter().any(|(ep, _)| ep == p);
            !(known || null_of_known_field)
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: fields or types the examples do not have: {unknown:?}"
    );
    for required in ["id", "name", "type", "location", "systemData", "properties"] {
        if examples.iter().any(|(p, _)| p == required) {
            assert!(
                emulated.get(required).is_some(),
                "{what}: missing {required}"
            );
        }
    }
}
