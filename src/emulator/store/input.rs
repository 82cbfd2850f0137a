//! Request bodies as ARM judges them: a JSON object with a `properties` object, traffic maps of
//! integer percentages, and rule refusals turned into ARM's error envelope.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::emulator::reply::ArmFailure;
use crate::rollout::{RuleViolation, TrafficKind};

/// A JSON object body, or the 400 ARM answers for anything else.
pub(super) fn object_body(body: &[u8]) -> Result<Map<String, Value>, ArmFailure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ArmFailure::bad_request(
            "InvalidRequestContent",
            "The request content was empty; a JSON object was expected.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ArmFailure::bad_request(
            "InvalidRequestContent",
            "The request content must be a JSON object.",
        )),
        Err(e) => Err(ArmFailure::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: {e}."),
        )),
    }
}

/// A resource body: a JSON object whose `tags`, if any, map names to strings (ARM's rule), and
/// whose `properties.properties` bag, if any, maps names to strings.
pub(super) fn resource_body(body: &[u8]) -> Result<Map<String, Value>, ArmFailure> {
    let resource = object_body(body)?;
    string_map("tags", resource.get("tags"))?;
    let bag = resource
        .get("properties")
        .and_then(Value::as_object)
        .and_then(|p| p.get("properties"));
    string_map("properties.properties", bag)?;
    Ok(resource)
}

fn string_map(field: &str, value: Option<&Value>) -> Result<(), ArmFailure> {
    let valid = match value {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.values().all(|v| v.is_string() || v.is_null()),
        Some(_) => false,
    };
    if valid {
        Ok(())
    } else {
        Err(ArmFailure::bad_request(
            "InvalidRequestContent",
            format!("{field} must be an object of names to strings."),
        )
        .target(field))
    }
}

/// The `properties` object every resource body must have.
pub(super) fn properties_of(
    resource: &mut Map<String, Value>,
) -> Result<&mut Map<String, Value>, ArmFailure> {
    resource
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| {
            ArmFailure::bad_request(
                "BadArgument",
                "The request must have a 'properties' object.",
            )
            .target("properties")
        })
}

/// Traffic values as the service judges them: integers only, names as given.
pub(super) fn traffic_field(
    properties: &Map<String, Value>,
    key: &str,
) -> Result<BTreeMap<String, i64>, ArmFailure> {
    match properties.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(name, v)| match v.as_i64() {
                Some(n) => Ok((name.clone(), n)),
                None => Err(ArmFailure::bad_request(
                    "BadArgument",
                    format!(
                        "{key} value for deployment '{name}' must be an integer percentage, got {v}"
                    ),
                )
                .target(format!("properties.{key}"))),
            })
            .collect(),
        Some(other) => Err(ArmFailure::bad_request(
            "BadArgument",
            format!("{key} must be an object of deployment name to percentage, got {other}"),
        )
        .target(format!("properties.{key}"))),
    }
}

pub(super) fn rule_failure(violations: Vec<RuleViolation>) -> Option<ArmFailure> {
    let first = violations.first()?;
    let code = first.arm_code();
    let target = field_of(first);
    let message = violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    let status = if code == "UserError" {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    Some(ArmFailure::new(status, code, message).target(target))
}

/// The request field a refusal is about, so a caller can point at it.
fn field_of(violation: &RuleViolation) -> &'static str {
    let kind = match violation {
        RuleViolation::DuplicateDeployment { kind, .. }
        | RuleViolation::UnknownDeployment { kind, .. }
        | RuleViolation::TrafficOutOfRange { kind, .. } => *kind,
        RuleViolation::TrafficSum { .. } => TrafficKind::Live,
        RuleViolation::MirrorOnKubernetes
        | RuleViolation::MirrorTooHigh { .. }
        | RuleViolation::MirrorMultipleTargets { .. }
        | RuleViolation::MirrorOnLiveDeployment { .. } => TrafficKind::Mirror,
        RuleViolation::InvalidName { .. } => return "name",
    };
    match kind {
        TrafficKind::Live => "properties.traffic",
        TrafficKind::Mirror => "properties.mirrorTraffic",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_must_be_a_json_object() {
        for body in [&b"  "[..], b"[1]", b"{\"properties\":", b"\"x\""] {
            let failure = object_body(body).expect_err("refused");
            assert_eq!(failure.status, StatusCode::BAD_REQUEST);
            assert_eq!(failure.code, "InvalidRequestContent");
        }
        assert!(object_body(br#"{"properties":{}}"#).is_ok());
    }

    #[test]
    fn a_missing_properties_object_is_named() {
        let mut body = object_body(br#"{"properties":"x"}"#).expect("object");
        let failure = properties_of(&mut body).expect_err("refused");
        assert_eq!(failure.target.as_deref(), Some("properties"));
    }

    #[test]
    fn traffic_values_must_be_integers_and_the_field_is_named() {
        let body = json!({"traffic": {"blue": 90, "green": "10"}});
        let properties = body.as_object().expect("object");
        let failure = traffic_field(properties, "traffic").expect_err("refused");
        assert_eq!(failure.target.as_deref(), Some("properties.traffic"));
        assert!(failure.message.contains("green"), "{}", failure.message);
        let body = json!({"mirrorTraffic": [10]});
        let failure =
            traffic_field(body.as_object().expect("object"), "mirrorTraffic").expect_err("refused");
        assert_eq!(failure.target.as_deref(), Some("properties.mirrorTraffic"));
        let ok = json!({"traffic": {"blue": 100}});
        let split = traffic_field(ok.as_object().expect("object"), "traffic").expect("valid");
        assert_eq!(split.get("blue"), Some(&100));
    }

    #[test]
    fn rule_refusals_name_the_field_and_pick_the_status() {
        let failure = rule_failure(vec![RuleViolation::TrafficSum { total: 110 }]).expect("one");
        assert_eq!(failure.status, StatusCode::BAD_REQUEST);
        assert_eq!(failure.target.as_deref(), Some("properties.traffic"));
        let failure = rule_failure(vec![RuleViolation::MirrorTooHigh { total: 60 }]).expect("one");
        assert_eq!(failure.target.as_deref(), Some("properties.mirrorTraffic"));
        let failure = rule_failure(vec![RuleViolation::UnknownDeployment {
            kind: TrafficKind::Mirror,
            deployment: "purple".into(),
            existing: vec![],
        }])
        .expect("one");
        assert_eq!(failure.status, StatusCode::NOT_FOUND);
        assert_eq!(failure.code, "UserError");
        assert!(rule_failure(Vec::new()).is_none());
    }
}
