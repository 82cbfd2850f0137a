//! Read-only access to the az CLI's own state in `$AZURE_CONFIG_DIR`.
//!
//! Nothing here returns an error: these files belong to another tool, so a
//! problem becomes a warning string (naming the file) and the file contributes
//! nothing. See the error policy in the parent module.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One subscription from `azureProfile.json`, kept for display (name, tenant,
/// account) and for mapping a subscription *name* given on the command line
/// to its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionInfo {
    pub id: String,
    pub name: Option<String>,
    pub tenant_id: Option<String>,
    /// The signed-in account (`user.name`), e.g. an email or service principal id.
    pub user: Option<String>,
    /// `Enabled`, `Disabled`, `Warned`, ...
    pub state: Option<String>,
    /// az's cloud name: `AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`, ...
    pub environment_name: Option<String>,
    pub is_default: bool,
}

/// Everything aml-rollout takes from the az CLI directory.
#[derive(Debug, Default)]
pub(crate) struct AzCliState {
    pub config_path: PathBuf,
    pub profile_path: PathBuf,
    /// `[defaults] group`, non-empty.
    pub group: Option<String>,
    /// `[defaults] workspace`, non-empty.
    pub workspace: Option<String>,
    pub subscriptions: Vec<SubscriptionInfo>,
    pub warnings: Vec<String>,
}

impl AzCliState {
    /// The subscription az itself would use. Several `isDefault` entries should
    /// not happen; az takes the first, and so do we (with a warning at load).
    pub(super) fn default_subscription(&self) -> Option<&SubscriptionInfo> {
        self.subscriptions.iter().find(|s| s.is_default)
    }

    /// Finds a subscription by id, or failing that by display name, both
    /// case-insensitively (az accepts either for `--subscription`).
    pub(super) fn find_subscription(&self, id_or_name: &str) -> Option<&SubscriptionInfo> {
        self.subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(id_or_name))
            .or_else(|| {
                self.subscriptions.iter().find(|s| {
                    s.name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase() == id_or_name.to_lowercase())
                })
            })
    }
}

/// Loads `config` and `azureProfile.json` from `dir`. A missing directory is
/// simply an empty state.
pub(crate) fn load(dir: &Path) -> AzCliState {
    let mut state = AzCliState {
        config_path: dir.join("config"),
        profile_path: dir.join("azureProfile.json"),
        ..AzCliState::default()
    };

    match read_optional(&state.config_path) {
        Ok(None) => {}
        Ok(Some(text)) => match parse_ini(&text) {
            Ok(ini) => {
                state.group = ini.get("defaults", "group");
                state.workspace = ini.get("defaults", "workspace");
            }
            Err(e) => state.warnings.push(format!(
                "ignoring az CLI config {}: line {}: {}",
                state.config_path.display(),
                e.line,
                e.message
            )),
        },
        Err(e) => state.warnings.push(format!(
            "ignoring az CLI config {}: {e}",
            state.config_path.display()
        )),
    }

    match read_optional(&state.profile_path) {
        Ok(None) => {}
        Ok(Some(text)) => match parse_profile(&text) {
            Ok(subs) => {
                if subs.iter().filter(|s| s.is_default).count() > 1 {
                    state.warnings.push(format!(
                        "az CLI profile {} marks several subscriptions as default; using the first",
                        state.profile_path.display()
                    ));
                }
                state.subscriptions = subs;
            }
            Err(e) => state.warnings.push(format!(
                "ignoring az CLI profile {}: {e}",
                state.profile_path.display()
            )),
        },
        Err(e) => state.warnings.push(format!(
            "ignoring az CLI profile {}: {e}",
            state.profile_path.display()
        )),
    }

    state
}

/// Reads a file as text; "not there" (file or any parent directory missing) is
/// `Ok(None)` rather than an error, because most machines have no az CLI.
fn read_optional(path: &Path) -> io::Result<Option<String>> {
    match crate::operator_file::read(path, crate::operator_file::AZ_CLI_FILE) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            Ok(Some(text))
        }
        // NotADirectory covers AZURE_CONFIG_DIR pointing at a file; that is a
        // misconfiguration, but of az, not of us, so treat it as "no az state".
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// az writes both files with Python; the profile with `utf-8-sig` (leading
/// BOM), and a hand-edited config may have one too. serde_json rejects a BOM.
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

// ---------------------------------------------------------------------------
// INI, as Python's configparser (default settings, which is what az uses) reads it.

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct IniError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Default)]
pub(crate) struct Ini {
    /// section name (case-sensitive, as in configparser) → key (lower-cased) → value
    sections: HashMap<String, HashMap<String, String>>,
}

impl Ini {
    /// Value of `key` in `section`, falling back to configparser's special
    /// `[DEFAULT]` section (whose keys appear in every section). Empty values
    /// count as unset: `az configure --defaults group=''` is how users clear one.
    pub(super) fn get(&self, section: &str, key: &str) -> Option<String> {
        [section, "DEFAULT"]
            .iter()
            .filter_map(|s| self.sections.get(*s))
            .find_map(|keys| keys.get(key))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// Parses configparser's dialect with its default options:
/// `key = value` or `key: value` (first `=`/`:` splits), keys lower-cased,
/// whitespace trimmed, whole-line `#`/`;` comments, *no* inline comments
/// (`group = rg # x` really is the value `rg # x` to az), indented lines
/// continuing the previous value, and — like `strict=True` — duplicate sections
/// or keys are errors. Interpolation (`%(x)s`) is not performed; Azure names
/// cannot contain `%`.
pub(crate) fn parse_ini(text: &str) -> Result<Ini, IniError> {
    let mut ini = Ini::default();
    let mut section: Option<String> = None;
    // The key last assigned in the current section and the indentation of its
    // line; a more-indented line continues that key's value.
    let mut current: Option<(String, usize)> = None;

    for (idx, raw) in strip_bom(text).lines().enumerate() {
        let line_no = idx + 1;
        let stripped = raw.trim();
        if stripped.starts_with('#') || stripped.starts_with(';') {
            // configparser ends a multi-line value at a comment line.
            current = None;
            continue;
        }
        if stripped.is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();

        if let (Some(sect), Some((key, key_indent))) = (&section, &current)
            && indent > *key_indent
        {
            if let Some(value) = ini
                .sections
                .get_mut(sect)
                .and_then(|keys| keys.get_mut(key))
            {
                value.push('\n');
                value.push_str(stripped);
            }
            continue;
        }

        // configparser's header regex is `\[(.+)\]` matched at the start, so
        // the name runs to the *last* `]` and anything after it is ignored.
        if let Some(rest) = stripped.strip_prefix('[')
            && let Some(end) = rest.rfind(']')
            && end > 0
        {
            let name = rest[..end].to_string();
            if ini.sections.contains_key(&name) {
                return Err(IniError {
                    line: line_no,
                    message: format!("section [{name}] appears twice"),
                });
            }
            ini.sections.insert(name.clone(), HashMap::new());
            section = Some(name);
            current = None;
            continue;
        }

        let Some(sect) = &section else {
            return Err(IniError {
                line: line_no,
                message: "text before the first [section] header".to_string(),
            });
        };
        let Some(pos) = stripped.find(['=', ':']) else {
            return Err(IniError {
                line: line_no,
                message: format!("expected `key = value`, found {stripped:?}"),
            });
        };
        let key = stripped[..pos].trim().to_lowercase();
        if key.is_empty() {
            return Err(IniError {
                line: line_no,
                message: format!("missing key name in {stripped:?}"),
            });
        }
        let value = stripped[pos + 1..].trim().to_string();
        let keys = ini.sections.entry(sect.clone()).or_default();
        if keys.contains_key(&key) {
            return Err(IniError {
                line: line_no,
                message: format!("key {key:?} appears twice in section [{sect}]"),
            });
        }
        keys.insert(key.clone(), value);
        current = Some((key, indent));
    }
    Ok(ini)
}

// ---------------------------------------------------------------------------
// azureProfile.json

#[derive(Deserialize)]
struct RawProfile {
    // `null` and absent both mean "logged out".
    #[serde(default)]
    subscriptions: Option<Vec<RawSubscription>>,
}

// Not deny_unknown_fields: az adds fields over time (homeTenantId,
// managedByTenants, ...) and we only need a few.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSubscription {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    is_default: bool,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    user: Option<RawUser>,
    #[serde(default)]
    environment_name: Option<String>,
}

#[derive(Deserialize)]
struct RawUser {
    #[serde(default)]
    name: Option<String>,
}

pub(crate) fn parse_profile(text: &str) -> Result<Vec<SubscriptionInfo>, serde_json::Error> {
    let raw: RawProfile = serde_json::from_str(strip_bom(text))?;
    Ok(raw
        .subscriptions
        .unwrap_or_default()
        .into_iter()
        .map(|s| SubscriptionInfo {
            id: s.id,
            name: s.name,
            tenant_id: s.tenant_id,
            user: s.user.and_then(|u| u.name),
            state: s.state,
            environment_name: s.environment_name,
            is_default: s.is_default,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &str, section: &str, key: &str) -> Option<String> {
        parse_ini(text).ok().and_then(|ini| ini.get(section, key))
    }

    #[test]
    fn ini_accepts_configparser_syntax() {
        let text = "\u{feff}# written by az\n[core]\noutput = json\n\n[defaults]\n  GROUP : rg-a  \n; comment\nWorkspace=ws-a\n";
        assert_eq!(get(text, "defaults", "group").as_deref(), Some("rg-a"));
        assert_eq!(get(text, "defaults", "workspace").as_deref(), Some("ws-a"));
        assert_eq!(get(text, "core", "output").as_deref(), Some("json"));
    }

    #[test]
    fn ini_first_delimiter_splits_and_no_inline_comments() {
        let text = "[defaults]\ngroup = a=b:c # not a comment\n";
        assert_eq!(
            get(text, "defaults", "group").as_deref(),
            Some("a=b:c # not a comment")
        );
    }

    #[test]
    fn ini_section_names_are_case_sensitive_and_default_section_applies() {
        assert_eq!(get("[Defaults]\ngroup = x\n", "defaults", "group"), None);
        assert_eq!(
            get("[DEFAULT]\ngroup = x\n[defaults]\n", "defaults", "group").as_deref(),
            Some("x")
        );
    }

    #[test]
    fn ini_empty_value_is_unset() {
        assert_eq!(get("[defaults]\ngroup =\n", "defaults", "group"), None);
    }

    #[test]
    fn ini_continuation_lines() {
        let text = "[defaults]\ngroup = a\n    b\nworkspace = w\n";
        assert_eq!(get(text, "defaults", "group").as_deref(), Some("a\nb"));
        assert_eq!(get(text, "defaults", "workspace").as_deref(), Some("w"));
    }

    #[test]
    fn ini_errors_carry_line_numbers() {
        let err = |t: &str| parse_ini(t).err().map(|e| e.line);
        assert_eq!(err("group = x\n"), Some(1));
        assert_eq!(err("[defaults]\n\njust words\n"), Some(3));
        assert_eq!(err("[defaults]\ngroup = a\ngroup = b\n"), Some(3));
        assert_eq!(err("[a]\n[a]\n"), Some(2));
        assert_eq!(err("[a]\n= v\n"), Some(2));
    }

    #[test]
    fn profile_tolerates_bom_null_and_extra_fields() {
        let subs = parse_profile(
            "\u{feff}{\"installationId\":\"x\",\"subscriptions\":[{\"id\":\"s1\",\"isDefault\":true,\"homeTenantId\":\"h\",\"user\":{\"name\":\"me@x\",\"type\":\"user\"}}]}",
        );
        let subs = subs.ok().unwrap_or_default();
        assert_eq!(subs.len(), 1);
        assert_eq!(subs[0].user.as_deref(), Some("me@x"));
        assert!(subs[0].is_default);
        assert_eq!(
            parse_profile("{\"subscriptions\":null}").ok(),
            Some(Vec::new())
        );
    }
}
