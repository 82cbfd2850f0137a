//! The az ml YAML files operators already have (`endpoint.yml`, `blue-deployment.yml`) turned
//! into ARM request bodies, the way `az ml online-endpoint create -f` / `online-deployment
//! create -f` build them. No I/O: the caller reads the file.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::client::WorkspaceRef;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum YamlError {
    #[error("{file}: not valid YAML for an {kind}: {reason}")]
    Syntax {
        file: String,
        kind: &'static str,
        reason: String,
    },
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
    #[error("{file}: larger than {limit} bytes, the limit for an az ml YAML file")]
    TooLarge { file: String, limit: usize },
    #[error(
        "{file}: nested deeper than {limit} levels, the limit for an az ml YAML file \
         (indentation, `- ` entries and open brackets each count as a level)"
    )]
    TooDeep { file: String, limit: usize },
}

/// The largest YAML text parsed: az ml files are a few hundred bytes.
pub const MAX_YAML_BYTES: usize = 1024 * 1024;

/// The deepest nesting parsed, as [`nesting_bound`] counts it. Far more than any az ml file
/// needs, and shallow enough to keep parsing instant: the parser's time grows with the square
/// of the depth (50,000 levels take seconds), so the depth is checked before parsing.
pub const MAX_YAML_DEPTH: usize = 256;

/// Parses `text` after checking its size and nesting, both cheap, linear scans.
fn parse_capped<T: serde::de::DeserializeOwned>(
    file: &str,
    kind: &'static str,
    text: &str,
) -> Result<T, YamlError> {
    if text.len() > MAX_YAML_BYTES {
        return Err(YamlError::TooLarge {
            file: file.to_string(),
            limit: MAX_YAML_BYTES,
        });
    }
    if nesting_bound(text) > MAX_YAML_DEPTH {
        return Err(YamlError::TooDeep {
            file: file.to_string(),
            limit: MAX_YAML_DEPTH,
        });
    }
    serde_yaml_ng::from_str(text).map_err(|e| syntax_error(file, kind, &e))
}

/// An upper bound on a YAML document's nesting, without parsing it: the deepest line, counted
/// as its indentation, plus the block sequence entries (`- `) that open on it, plus the flow
/// collections (`[`, `{`) open there. Quoted text and comments are skipped; a bracket inside
/// a plain word (`a[b`) does not open a collection. Overcounting only ever refuses a file far
/// more nested than an az ml file is.
fn nesting_bound(text: &str) -> usize {
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut deepest = 0usize;
    for line in text.lines() {
        let mut rest = line;
        let mut depth = 0usize;
        if quote.is_none() {
            let content = line.trim_start_matches(' ');
            depth = line.len() - content.len();
            rest = content;
            while let Some(after) = rest
                .strip_prefix('-')
                .filter(|after| after.is_empty() || after.starts_with(' '))
            {
                depth += 1;
                rest = after.trim_start_matches(' ');
            }
        }
        let mut previous = ' ';
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            if let Some(q) = quote {
                if c == '\\' && q == '"' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
                previous = c;
                continue;
            }
            let at_token_start = matches!(previous, ' ' | '[' | '{' | ',' | ':');
            match c {
                '\'' | '"' if at_token_start => quote = Some(c),
                '#' if previous == ' ' => break,
                '[' | '{' if flow > 0 || at_token_start => {
                    flow += 1;
                    deepest = deepest.max(depth + flow);
                }
                ']' | '}' if flow > 0 => flow -= 1,
                _ => {}
            }
            previous = c;
        }
        deepest = deepest.max(depth + flow);
    }
    deepest
}

/// An endpoint to create: its name and the ARM body of the PUT.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointSpec {
    pub name: String,
    pub body: Value,
}

/// A deployment to create. `endpoint_name` is the YAML's `endpoint_name`, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentSpec {
    pub name: String,
    pub endpoint_name: Option<String>,
    pub body: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointYaml {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    name: String,
    #[serde(default)]
    auth_mode: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    compute: Option<String>,
    #[serde(default)]
    public_network_access: Option<String>,
    #[serde(default)]
    traffic: Option<BTreeMap<String, i64>>,
    #[serde(default)]
    mirror_traffic: Option<BTreeMap<String, i64>>,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AssetRef {
    Reference(String),
    Inline(InlineAsset),
}

#[derive(Debug, Deserialize)]
struct InlineAsset {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<serde_yaml_ng::Value>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    conda_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeConfigurationYaml {
    code: String,
    scoring_script: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestSettingsYaml {
    #[serde(default)]
    request_timeout_ms: Option<u64>,
    #[serde(default)]
    max_concurrent_requests_per_instance: Option<u32>,
    #[serde(default)]
    max_queue_wait_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeYaml {
    #[serde(default)]
    initial_delay: Option<u64>,
    #[serde(default)]
    period: Option<u64>,
    #[serde(default)]
    timeout: Option<u64>,
    #[serde(default)]
    success_threshold: Option<u32>,
    #[serde(default)]
    failure_threshold: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeploymentYaml {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    name: String,
    #[serde(default)]
    endpoint_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    model: Option<AssetRef>,
    #[serde(default)]
    model_mount_path: Option<String>,
    #[serde(default)]
    code_configuration: Option<CodeConfigurationYaml>,
    #[serde(default)]
    environment: Option<AssetRef>,
    #[serde(default)]
    environment_variables: Option<BTreeMap<String, String>>,
    #[serde(default)]
    instance_type: Option<String>,
    #[serde(default)]
    instance_count: Option<i64>,
    #[serde(default)]
    app_insights_enabled: Option<bool>,
    #[serde(default)]
    egress_public_network_access: Option<String>,
    #[serde(default)]
    request_settings: Option<RequestSettingsYaml>,
    #[serde(default)]
    liveness_probe: Option<ProbeYaml>,
    #[serde(default)]
    readiness_probe: Option<ProbeYaml>,
    #[serde(default)]
    type_: Option<String>,
    #[serde(default, rename = "type")]
    deployment_type: Option<String>,
}

fn syntax_error(file: &str, kind: &'static str, e: &serde_yaml_ng::Error) -> YamlError {
    YamlError::Syntax {
        file: file.to_string(),
        kind,
        reason: e.to_string(),
    }
}

fn invalid(file: &str, reason: impl Into<String>) -> YamlError {
    YamlError::Invalid {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// `key` / `aml_token` / `aad_token` (the YAML spelling) to the REST enum.
fn auth_mode(file: &str, yaml: Option<&str>) -> Result<&'static str, YamlError> {
    match yaml.map(|s| s.to_ascii_lowercase().replace(['_', '-'], "")) {
        None => Ok("Key"),
        Some(m) if m == "key" => Ok("Key"),
        Some(m) if m == "amltoken" => Ok("AMLToken"),
        Some(m) if m == "aadtoken" => Ok("AADToken"),
        Some(_) => Err(invalid(
            file,
            format!(
                "auth_mode {:?} is not one of key, aml_token, aad_token",
                yaml.unwrap_or_default()
            ),
        )),
    }
}

fn enabled_disabled(file: &str, field: &str, v: &str) -> Result<&'static str, YamlError> {
    match v.to_ascii_lowercase().as_str() {
        "enabled" => Ok("Enabled"),
        "disabled" => Ok("Disabled"),
        _ => Err(invalid(
            file,
            format!("{field} {v:?} must be enabled or disabled"),
        )),
    }
}

/// Parses an endpoint YAML into the body of `PUT onlineEndpoints/{name}`.
pub fn endpoint_from_yaml(
    file: &str,
    text: &str,
    location: &str,
) -> Result<EndpointSpec, YamlError> {
    let y: EndpointYaml = parse_capped(file, "endpoint", text)?;
    crate::rollout::validate_name(crate::rollout::NameKind::Endpoint, &y.name)
        .map_err(|e| invalid(file, e.to_string()))?;
    let mut properties = Map::new();
    properties.insert(
        "authMode".into(),
        json!(auth_mode(file, y.auth_mode.as_deref())?),
    );
    if let Some(d) = y.description {
        properties.insert("description".into(), json!(d));
    }
    if let Some(c) = y.compute {
        properties.insert("compute".into(), json!(c));
    }
    if let Some(p) = y.public_network_access {
        properties.insert(
            "publicNetworkAccess".into(),
            json!(enabled_disabled(file, "public_network_access", &p)?),
        );
    }
    if let Some(t) = y.traffic {
        properties.insert("traffic".into(), json!(lowercase_keys(t)));
    }
    if let Some(t) = y.mirror_traffic {
        properties.insert("mirrorTraffic".into(), json!(lowercase_keys(t)));
    }
    let kind = y.kind.unwrap_or_else(|| {
        if properties.contains_key("compute") {
            "Kubernetes".into()
        } else {
            "Managed".into()
        }
    });
    Ok(EndpointSpec {
        // The service is case-insensitive for names; the CLI lower-cases on create.
        name: y.name.to_lowercase(),
        body: json!({
            "location": location,
            "kind": kind,
            "tags": y.tags.unwrap_or_default(),
            "identity": {"type": "SystemAssigned"},
            "properties": Value::Object(properties),
        }),
    })
}

fn lowercase_keys(map: BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    map.into_iter()
        .map(|(k, v)| (k.to_lowercase(), v))
        .collect()
}

/// `azureml:name:version` → the asset's ARM id in the workspace; `azureml://…` and ARM ids
/// pass through. A local path cannot: the files would have to be uploaded first.
fn asset_id(
    file: &str,
    field: &str,
    collection: &str,
    reference: &str,
    ws: &WorkspaceRef,
) -> Result<String, YamlError> {
    let r = reference.trim();
    if r.starts_with('/') || r.starts_with("azureml://") {
        return Ok(r.to_string());
    }
    if let Some(rest) = r.strip_prefix("azureml:") {
        let (name, version) = match rest.split_once(':') {
            Some((n, v)) if !n.is_empty() && !v.is_empty() => (n, Some(v)),
            _ if rest.contains('@') => {
                return Ok(r.to_string());
            }
            _ if !rest.is_empty() => (rest, None),
            _ => return Err(invalid(file, format!("{field}: {r:?} names no asset"))),
        };
        let base = format!("{}/{collection}/{name}", ws.arm_id());
        return Ok(match version {
            Some(v) => format!("{base}/versions/{v}"),
            None => base,
        });
    }
    Err(invalid(
        file,
        format!(
            "{field}: local path {r:?} is not supported; register it first (az ml {} create) and reference it as azureml:NAME:VERSION",
            collection.trim_end_matches('s')
        ),
    ))
}

fn inline_asset_id(
    file: &str,
    field: &str,
    collection: &str,
    asset: &InlineAsset,
    ws: &WorkspaceRef,
) -> Result<String, YamlError> {
    if let Some(name) = &asset.name {
        let version = match &asset.version {
            Some(serde_yaml_ng::Value::String(s)) => s.clone(),
            Some(serde_yaml_ng::Value::Number(n)) => n.to_string(),
            _ => "1".to_string(),
        };
        if asset.path.is_none() && asset.conda_file.is_none() {
            return asset_id(
                file,
                field,
                collection,
                &format!("azureml:{name}:{version}"),
                ws,
            );
        }
    }
    let what = asset
        .path
        .as_deref()
        .or(asset.conda_file.as_deref())
        .or(asset.image.as_deref())
        .unwrap_or("?");
    Err(invalid(
        file,
        format!(
            "{field}: inline definition ({what}) is not supported; register it first (az ml {} create) and reference it as azureml:NAME:VERSION",
            collection.trim_end_matches('s')
        ),
    ))
}

fn seconds(s: u64) -> String {
    format!("PT{s}S")
}

fn millis(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("PT{}S", ms / 1000)
    } else {
        format!("PT{}.{:03}S", ms / 1000, ms % 1000)
    }
}

fn probe_json(p: &ProbeYaml) -> Value {
    let mut m = Map::new();
    if let Some(v) = p.initial_delay {
        m.insert("initialDelay".into(), json!(seconds(v)));
    }
    if let Some(v) = p.period {
        m.insert("period".into(), json!(seconds(v)));
    }
    if let Some(v) = p.timeout {
        m.insert("timeout".into(), json!(seconds(v)));
    }
    if let Some(v) = p.success_threshold {
        m.insert("successThreshold".into(), json!(v));
    }
    if let Some(v) = p.failure_threshold {
        m.insert("failureThreshold".into(), json!(v));
    }
    Value::Object(m)
}

/// Parses a managed deployment YAML into the body of `PUT …/deployments/{name}`.
pub fn deployment_from_yaml(
    file: &str,
    text: &str,
    location: &str,
    ws: &WorkspaceRef,
) -> Result<DeploymentSpec, YamlError> {
    let y: DeploymentYaml = parse_capped(file, "deployment", text)?;
    crate::rollout::validate_name(crate::rollout::NameKind::Deployment, &y.name)
        .map_err(|e| invalid(file, e.to_string()))?;
    let compute_type = match y
        .deployment_type
        .or(y.type_)
        .map(|t| t.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("managed") => "Managed",
        Some("kubernetes") => "Kubernetes",
        Some(other) => {
            return Err(invalid(
                file,
                format!("type {other:?} must be managed or kubernetes"),
            ));
        }
    };
    let instance_count = match y.instance_count {
        None => 1,
        Some(n @ 1..=50) => n,
        Some(n) => {
            return Err(invalid(
                file,
                format!("instance_count {n} must be between 1 and 50"),
            ));
        }
    };
    let mut p = Map::new();
    p.insert("endpointComputeType".into(), json!(compute_type));
    if let Some(d) = y.description {
        p.insert("description".into(), json!(d));
    }
    match &y.model {
        Some(AssetRef::Reference(r)) => {
            p.insert(
                "model".into(),
                json!(asset_id(file, "model", "models", r, ws)?),
            );
        }
        Some(AssetRef::Inline(a)) => {
            p.insert(
                "model".into(),
                json!(inline_asset_id(file, "model", "models", a, ws)?),
            );
        }
        None => {}
    }
    if let Some(m) = y.model_mount_path {
        p.insert("modelMountPath".into(), json!(m));
    }
    if let Some(c) = &y.code_configuration {
        p.insert(
            "codeConfiguration".into(),
            json!({
                "codeId": asset_id(file, "code_configuration.code", "codes", &c.code, ws)?,
                "scoringScript": c.scoring_script,
            }),
        );
    }
    match &y.environment {
        Some(AssetRef::Reference(r)) => {
            p.insert(
                "environmentId".into(),
                json!(asset_id(file, "environment", "environments", r, ws)?),
            );
        }
        Some(AssetRef::Inline(a)) => {
            p.insert(
                "environmentId".into(),
                json!(inline_asset_id(file, "environment", "environments", a, ws)?),
            );
        }
        None => {}
    }
    if let Some(v) = y.environment_variables {
        p.insert("environmentVariables".into(), json!(v));
    }
    p.insert(
        "instanceType".into(),
        json!(y.instance_type.unwrap_or_else(|| "Standard_F4s_v2".into())),
    );
    if let Some(b) = y.app_insights_enabled {
        p.insert("appInsightsEnabled".into(), json!(b));
    }
    if let Some(e) = y.egress_public_network_access {
        p.insert(
            "egressPublicNetworkAccess".into(),
            json!(enabled_disabled(file, "egress_public_network_access", &e)?),
        );
    }
    if let Some(r) = &y.request_settings {
        let mut m = Map::new();
        if let Some(v) = r.request_timeout_ms {
            m.insert("requestTimeout".into(), json!(millis(v)));
        }
        if let Some(v) = r.max_concurrent_requests_per_instance {
            m.insert("maxConcurrentRequestsPerInstance".into(), json!(v));
        }
        if let Some(v) = r.max_queue_wait_ms {
            m.insert("maxQueueWait".into(), json!(millis(v)));
        }
        p.insert("requestSettings".into(), Value::Object(m));
    }
    if let Some(probe) = &y.liveness_probe {
        p.insert("livenessProbe".into(), probe_json(probe));
    }
    if let Some(probe) = &y.readiness_probe {
        p.insert("readinessProbe".into(), probe_json(probe));
    }
    if compute_type == "Managed" {
        p.insert("scaleSettings".into(), json!({"scaleType": "Default"}));
    }
    Ok(DeploymentSpec {
        name: y.name.to_lowercase(),
        endpoint_name: y.endpoint_name.map(|e| e.to_lowercase()),
        body: json!({
            "location": location,
            "kind": compute_type,
            "tags": y.tags.unwrap_or_default(),
            // "Default": the name the SDK sends, because the service requires one.
            "sku": {"name": "Default", "capacity": instance_count},
            "properties": Value::Object(p),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_bound_counts_indentation_entries_and_brackets() {
        assert_eq!(nesting_bound("a: 1\n"), 0);
        assert_eq!(nesting_bound("a:\n  b:\n    c: 1\n"), 4);
        assert_eq!(nesting_bound("- - - x\n"), 3);
        assert_eq!(nesting_bound("a: [[1], {b: [2]}]\n"), 3);
        // A flow collection may span lines.
        assert_eq!(nesting_bound("a: [\n  [1,\n   2]]\n"), 4);
        // Brackets in words, quotes and comments open nothing.
        assert_eq!(
            nesting_bound("a: x[0]y\nb: '[[[' # [[[\nc: \"\\\"[[\"\n"),
            0
        );
    }

    #[test]
    fn the_demo_files_are_far_below_the_depth_limit() {
        for text in [
            include_str!("../../assets/demo/endpoint.yml"),
            include_str!("../../assets/demo/blue-deployment.yml"),
            include_str!("../../assets/demo/green-deployment.yml"),
        ] {
            assert!(nesting_bound(text) < 16, "{text}");
        }
    }

    #[test]
    fn deep_yaml_is_refused_before_parsing_and_names_the_limit() {
        let levels = 200_000;
        let flow = format!(
            "name: x\ntags: {}{}\n",
            "[".repeat(levels),
            "]".repeat(levels)
        );
        let dashes = format!("name: x\ntags:\n{}x\n", "- ".repeat(levels));
        for text in [flow, dashes] {
            let e = endpoint_from_yaml("deep.yml", &text, "westus2").unwrap_err();
            assert_eq!(
                e,
                YamlError::TooDeep {
                    file: "deep.yml".to_string(),
                    limit: MAX_YAML_DEPTH
                }
            );
            assert!(e.to_string().contains("nested deeper than 256 levels"));
        }
        // At the limit, the parser decides (here: not an endpoint).
        let at_limit = format!(
            "{}1{}",
            "[".repeat(MAX_YAML_DEPTH),
            "]".repeat(MAX_YAML_DEPTH)
        );
        assert!(matches!(
            endpoint_from_yaml("ok.yml", &at_limit, "westus2"),
            Err(YamlError::Syntax { .. })
        ));
    }

    #[test]
    fn huge_yaml_is_refused_and_names_the_limit() {
        let text = format!("name: x\ndescription: {}\n", "y".repeat(MAX_YAML_BYTES));
        let e = deployment_from_yaml("huge.yml", &text, "westus2", &ws()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "huge.yml: larger than {MAX_YAML_BYTES} bytes, the limit for an az ml YAML file"
            )
        );
    }

    fn ws() -> WorkspaceRef {
        WorkspaceRef::new("sub", "rg", "ws")
    }

    #[test]
    fn endpoint_yaml_maps_to_arm_body() {
        let spec = endpoint_from_yaml(
            "endpoint.yml",
            "$schema: x\nname: My-Endpoint\nauth_mode: aml_token\ndescription: d\ntags: {team: ml}\n",
            "westus2",
        )
        .unwrap();
        assert_eq!(spec.name, "my-endpoint");
        assert_eq!(spec.body["properties"]["authMode"], "AMLToken");
        assert_eq!(spec.body["properties"]["description"], "d");
        assert_eq!(spec.body["tags"]["team"], "ml");
        assert_eq!(spec.body["location"], "westus2");
        assert_eq!(spec.body["kind"], "Managed");
    }

    #[test]
    fn deployment_yaml_maps_to_arm_body() {
        let text = "name: green\nendpoint_name: my-endpoint\nmodel: azureml:reg:2\ncode_configuration:\n  code: azureml:score:1\n  scoring_script: score.py\nenvironment: azureml:sk:3\ninstance_type: Standard_DS3_v2\ninstance_count: 2\nrequest_settings:\n  request_timeout_ms: 1500\n";
        let spec = deployment_from_yaml("g.yml", text, "westus2", &ws()).unwrap();
        assert_eq!(spec.name, "green");
        assert_eq!(spec.endpoint_name.as_deref(), Some("my-endpoint"));
        let p = &spec.body["properties"];
        assert_eq!(
            p["model"],
            format!("{}/models/reg/versions/2", ws().arm_id())
        );
        assert_eq!(
            p["codeConfiguration"]["codeId"],
            format!("{}/codes/score/versions/1", ws().arm_id())
        );
        assert_eq!(p["codeConfiguration"]["scoringScript"], "score.py");
        assert_eq!(p["instanceType"], "Standard_DS3_v2");
        assert_eq!(p["requestSettings"]["requestTimeout"], "PT1.500S");
        assert_eq!(spec.body["sku"]["capacity"], 2);
    }

    #[test]
    fn malformed_yaml_gets_a_clear_message() {
        let cases: [(&str, &str); 7] = [
            ("name: [unclosed", "not valid YAML"),
            ("- a\n- b\n", "not valid YAML"),
            ("nme: blue\n", "unknown field `nme`"),
            ("name: 1blue\n", "must start with"),
            ("name: blue\ninstance_count: 0\n", "between 1 and 50"),
            ("name: blue\nmodel:\n  path: ./model\n", "register it first"),
            ("name: blue\ninstance_count: many\n", "not valid YAML"),
        ];
        for (text, expected) in cases {
            let err = deployment_from_yaml("d.yml", text, "l", &ws()).unwrap_err();
            assert!(
                err.to_string().contains(expected),
                "{text:?}: {err} lacks {expected:?}"
            );
            assert!(err.to_string().starts_with("d.yml"), "{err}");
        }
        let err =
            endpoint_from_yaml("e.yml", "name: ep-one\nauth_mode: password\n", "l").unwrap_err();
        assert!(err.to_string().contains("auth_mode"), "{err}");
    }
}
