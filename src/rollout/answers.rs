//! Whether two deployments answered the same request alike: a JSON-aware comparison (numbers
//! equal within a tolerance, key order ignored, arrays by position) that lists the paths that
//! differ, and the latency figures of a series of answers.

use serde::Serialize;
use serde_json::Value;

/// One place where two answers differ. A side is `None` where the value is missing (a key
/// only one side has, an array one side has fewer items of).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonDifference {
    /// `$` is the whole answer; `$.result[2]`, `$["odd key"]` below it.
    pub path: String,
    pub reference: Option<Value>,
    pub other: Option<Value>,
}

fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn child_path(parent: &str, key: &str) -> String {
    if is_plain_key(key) {
        format!("{parent}.{key}")
    } else {
        // serde_json escapes quotes and control characters.
        format!("{parent}[{}]", Value::String(key.to_string()))
    }
}

fn numbers_agree(a: &serde_json::Number, b: &serde_json::Number, tolerance: f64) -> bool {
    // Integers beyond 2^53 lose precision as f64: compare those exactly first.
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        if x == y {
            return true;
        }
    } else if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64())
        && x == y
    {
        return true;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= tolerance,
        _ => false,
    }
}

/// Every path where `other` differs from `reference`, in document order of the reference
/// (keys only `other` has come after the reference's own).
pub fn diff_json(reference: &Value, other: &Value, tolerance: f64) -> Vec<JsonDifference> {
    let mut out = Vec::new();
    walk("$", reference, other, tolerance, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, tolerance: f64, out: &mut Vec<JsonDifference>) {
    let differ = |out: &mut Vec<JsonDifference>| {
        out.push(JsonDifference {
            path: path.to_string(),
            reference: Some(a.clone()),
            other: Some(b.clone()),
        });
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if !numbers_agree(x, y, tolerance) {
                differ(out);
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let here = child_path(path, key);
                match y.get(key) {
                    Some(theirs) => walk(&here, value, theirs, tolerance, out),
                    None => out.push(JsonDifference {
                        path: here,
                        reference: Some(value.clone()),
                        other: None,
                    }),
                }
            }
            for (key, value) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                out.push(JsonDifference {
                    path: child_path(path, key),
                    reference: None,
                    other: Some(value.clone()),
                });
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let here = format!("{path}[{i}]");
                match (x.get(i), y.get(i)) {
                    (Some(mine), Some(theirs)) => walk(&here, mine, theirs, tolerance, out),
                    (mine, theirs) => out.push(JsonDifference {
                        path: here,
                        reference: mine.cloned(),
                        other: theirs.cloned(),
                    }),
                }
            }
        }
        _ => {
            if a != b {
                differ(out);
            }
        }
    }
}

/// Mean and 95th percentile (nearest rank) of latencies in milliseconds; `None` when empty.
pub fn latency_summary(latencies_ms: &[f64]) -> Option<(f64, f64)> {
    if latencies_ms.is_empty() {
        return None;
    }
    let mut sorted = latencies_ms.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
    // Nearest rank: the smallest value with at least 95% of the values at or below it.
    let rank = ((sorted.len() as f64) * 0.95).ceil() as usize;
    let p95 = sorted[rank.clamp(1, sorted.len()) - 1];
    Some((mean, p95))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(a: Value, b: Value, tolerance: f64) -> Vec<String> {
        diff_json(&a, &b, tolerance)
            .into_iter()
            .map(|d| d.path)
            .collect()
    }

    #[test]
    fn numbers_agree_within_the_tolerance_and_key_order_does_not_matter() {
        let a = json!({"b": 1.0, "a": [0.5, 2]});
        let b = json!({"a": [0.500_000_1, 2.0], "b": 1});
        assert!(diff_json(&a, &b, 1e-6).is_empty());
        assert_eq!(paths(a, b, 0.0), ["$.a[0]"]);
        let big = json!(9_007_199_254_740_993u64);
        assert!(diff_json(&big, &big, 0.0).is_empty());
    }

    #[test]
    fn differing_paths_are_listed_with_both_sides() {
        let a = json!({"result": [1, 2, 3], "label": "cat", "odd key": true});
        let b = json!({"result": [1, 5], "label": "dog", "extra": null});
        let d = diff_json(&a, &b, 1e-9);
        let listed: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            listed,
            [
                "$.result[1]",
                "$.result[2]",
                "$.label",
                "$[\"odd key\"]",
                "$.extra"
            ]
        );
        assert_eq!(d[0].reference, Some(json!(2)));
        assert_eq!(d[0].other, Some(json!(5)));
        assert_eq!(
            (d[1].reference.clone(), d[1].other.clone()),
            (Some(json!(3)), None)
        );
        assert_eq!(
            (d[4].reference.clone(), d[4].other.clone()),
            (None, Some(json!(null)))
        );
        // Different types differ at that path, once.
        assert_eq!(
            paths(json!({"x": [1]}), json!({"x": {"0": 1}}), 0.0),
            ["$.x"]
        );
        assert_eq!(paths(json!("1"), json!(1), 1.0), ["$"]);
    }

    #[test]
    fn latency_summary_uses_the_nearest_rank() {
        let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(latency_summary(&twenty), Some((10.5, 19.0)));
        assert_eq!(latency_summary(&[7.0]), Some((7.0, 7.0)));
        assert_eq!(latency_summary(&[]), None);
    }
}
