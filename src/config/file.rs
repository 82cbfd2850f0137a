//! aml-rollout's own TOML config file and the console settings it carries.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::source::{ConfigError, Source, Sourced};
use crate::rollout::HealthThresholds;

pub const DEFAULT_REFRESH_INTERVAL_SECS: u64 = 5;
pub const DEFAULT_LOG_POLL_INTERVAL_MS: u64 = 1_000;
pub const DEFAULT_LOG_BUFFER_LINES: usize = 50_000;

// Bounds keep a typo from busy-looping against ARM (throttling) or eating RAM.
const MIN_LOG_POLL_INTERVAL_MS: u64 = 250;
const MAX_LOG_BUFFER_LINES: usize = 1_000_000;

/// The file's contents, exactly as written. Unknown keys are rejected so a
/// misspelt `workspace` cannot silently fall through to another source.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub workspace: Option<String>,
    pub arm_endpoint: Option<String>,
    pub api_version: Option<String>,
    pub refresh_interval_secs: Option<u64>,
    pub log_poll_interval_ms: Option<u64>,
    pub log_buffer_lines: Option<usize>,
    pub theme: Option<String>,
    /// `[health]`: when a deployment counts as worse than its baseline.
    pub health: Option<HealthFileConfig>,
    /// `[targets."<workspace>"]`: how the console marks a workspace, by its name.
    #[serde(default)]
    pub targets: BTreeMap<String, TargetMark>,
}

/// A `[targets."<workspace>"]` table: a badge and a colour that say which workspace this is.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetMark {
    pub label: Option<TargetBadgeText>,
    pub color: Option<TargetColor>,
}

/// The colours a target can be marked with. Checked while parsing, so that a misspelt colour
/// is an error naming the file and its line rather than a workspace silently left unmarked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetColor {
    Red,
    Yellow,
    Green,
    Blue,
    Magenta,
    Cyan,
    White,
    Gray,
}

impl TargetColor {
    pub fn name(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Yellow => "yellow",
            Self::Green => "green",
            Self::Blue => "blue",
            Self::Magenta => "magenta",
            Self::Cyan => "cyan",
            Self::White => "white",
            Self::Gray => "gray",
        }
    }
}

/// Longest badge text: the title bar also needs room for the workspace's name.
const MAX_BADGE_CHARS: usize = 16;

/// A target's badge text: short, one line, printable (it is drawn in the title bar).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct TargetBadgeText(String);

impl TargetBadgeText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TargetBadgeText {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err("a target label must not be empty".to_string());
        }
        if text.chars().count() > MAX_BADGE_CHARS {
            return Err(format!(
                "a target label has at most {MAX_BADGE_CHARS} characters"
            ));
        }
        if !crate::logstream::is_terminal_safe(text) {
            return Err("a target label must be printable text on one line".to_string());
        }
        Ok(Self(text.to_string()))
    }
}

/// The `[health]` table; keys left out take the defaults.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthFileConfig {
    pub min_requests: Option<u64>,
    pub error_percent_delta: Option<f64>,
    pub p95_ratio: Option<f64>,
}

/// Console/poller settings. They only come from the config file or defaults
/// today; `Sourced` leaves room for flags later and feeds `config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub refresh_interval: Sourced<Duration>,
    pub log_poll_interval: Sourced<Duration>,
    pub log_buffer_lines: Sourced<usize>,
    /// `None`: the console's default theme. Theme names are validated by the
    /// console, which owns them.
    pub theme: Option<Sourced<String>>,
    /// The verdict thresholds of the health comparison.
    pub health: Sourced<HealthThresholds>,
    /// Marks by workspace name, as written in the config file.
    pub targets: BTreeMap<String, TargetMark>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh_interval: Sourced::new(
                Duration::from_secs(DEFAULT_REFRESH_INTERVAL_SECS),
                Source::Default,
            ),
            log_poll_interval: Sourced::new(
                Duration::from_millis(DEFAULT_LOG_POLL_INTERVAL_MS),
                Source::Default,
            ),
            log_buffer_lines: Sourced::new(DEFAULT_LOG_BUFFER_LINES, Source::Default),
            theme: None,
            health: Sourced::new(HealthThresholds::default(), Source::Default),
            targets: BTreeMap::new(),
        }
    }
}

impl Settings {
    /// The mark of a workspace; names compare without case, as Azure's do.
    pub fn target_mark(&self, workspace: &str) -> Option<&TargetMark> {
        self.targets
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(workspace))
            .map(|(_, mark)| mark)
    }

    /// Applies the file's settings over the defaults, validating ranges.
    pub(crate) fn from_file(file: &FileConfig, path: &Path) -> Result<Self, ConfigError> {
        let src = || Source::ConfigFile(path.to_path_buf());
        let invalid =
            |field: &'static str, value: String, reason: &str| ConfigError::InvalidValue {
                field,
                value,
                origin: src(),
                reason: reason.to_string(),
            };
        let mut settings = Settings::default();
        if let Some(secs) = file.refresh_interval_secs {
            if secs == 0 {
                return Err(invalid(
                    "refresh_interval_secs",
                    secs.to_string(),
                    "must be at least 1",
                ));
            }
            settings.refresh_interval = Sourced::new(Duration::from_secs(secs), src());
        }
        if let Some(ms) = file.log_poll_interval_ms {
            if ms < MIN_LOG_POLL_INTERVAL_MS {
                return Err(invalid(
                    "log_poll_interval_ms",
                    ms.to_string(),
                    &format!("must be at least {MIN_LOG_POLL_INTERVAL_MS}"),
                ));
            }
            settings.log_poll_interval = Sourced::new(Duration::from_millis(ms), src());
        }
        if let Some(lines) = file.log_buffer_lines {
            if lines == 0 || lines > MAX_LOG_BUFFER_LINES {
                return Err(invalid(
                    "log_buffer_lines",
                    lines.to_string(),
                    &format!("must be between 1 and {MAX_LOG_BUFFER_LINES}"),
                ));
            }
            settings.log_buffer_lines = Sourced::new(lines, src());
        }
        if let Some(theme) = file.theme.as_deref().map(str::trim)
            && !theme.is_empty()
        {
            settings.theme = Some(Sourced::new(theme.to_string(), src()));
        }
        if let Some(health) = &file.health {
            settings.health = Sourced::new(health_thresholds(health, &invalid)?, src());
        }
        settings.targets = file.targets.clone();
        Ok(settings)
    }
}

/// The `[health]` table over the defaults. Non-finite numbers are refused: the thresholds
/// compare as a whole (`Eq`) and a NaN limit would make every verdict "ok".
fn health_thresholds(
    table: &HealthFileConfig,
    invalid: &dyn Fn(&'static str, String, &str) -> ConfigError,
) -> Result<HealthThresholds, ConfigError> {
    let mut thresholds = HealthThresholds::default();
    if let Some(n) = table.min_requests {
        if n == 0 {
            return Err(invalid(
                "health.min_requests",
                n.to_string(),
                "must be at least 1",
            ));
        }
        thresholds.min_requests = n;
    }
    if let Some(points) = table.error_percent_delta {
        if !(points.is_finite() && (0.0..=100.0).contains(&points)) {
            return Err(invalid(
                "health.error_percent_delta",
                points.to_string(),
                "must be between 0 and 100 (percentage points)",
            ));
        }
        thresholds.error_percent_delta = points;
    }
    if let Some(ratio) = table.p95_ratio {
        // Below 1, a deployment as fast as its baseline would count as worse.
        if !(ratio.is_finite() && ratio >= 1.0) {
            return Err(invalid(
                "health.p95_ratio",
                ratio.to_string(),
                "must be a number of at least 1 (e.g. 1.5: worse when p95 is over 1.5x the baseline's)",
            ));
        }
        thresholds.p95_ratio = ratio;
    }
    Ok(thresholds)
}

/// `<user config dir>/aml-rollout/config.toml`, e.g.
/// `~/.config/aml-rollout/config.toml` on Linux; `None` if the platform has no
/// config directory (e.g. no `$HOME`).
pub fn default_config_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("aml-rollout").join("config.toml"))
}

/// Loads and parses a config file that must exist.
pub fn load_config_file(path: &Path) -> Result<FileConfig, ConfigError> {
    load_optional(path)?.ok_or_else(|| ConfigError::ConfigFileNotFound {
        path: path.to_path_buf(),
    })
}

/// Loads a config file; `Ok(None)` if it does not exist.
pub(crate) fn load_optional(path: &Path) -> Result<Option<FileConfig>, ConfigError> {
    let text = match crate::operator_file::read_text(path, crate::operator_file::CONFIG_FILE) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::InvalidData => {
            return Err(ConfigError::ConfigFileParse {
                path: path.to_path_buf(),
                message: "not valid UTF-8".to_string(),
            });
        }
        Err(e) => {
            return Err(ConfigError::ConfigFileRead {
                path: path.to_path_buf(),
                source: e,
            });
        }
    };
    // Editors on Windows like to add a BOM; TOML forbids it but it is harmless.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    toml::from_str(text)
        .map(Some)
        .map_err(|e| ConfigError::ConfigFileParse {
            path: path.to_path_buf(),
            // toml's message names the key, shows the line and caret; trim the
            // trailing newline so it embeds cleanly.
            message: e.to_string().trim_end().to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<Settings, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        Settings::from_file(&file, Path::new("config.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn health_thresholds_come_from_the_health_table() {
        let health = settings("[health]\nmin_requests = 100\np95_ratio = 2.0\n")
            .expect("valid")
            .health;
        assert_eq!(
            health.source,
            Source::ConfigFile(PathBuf::from("config.toml"))
        );
        assert_eq!(health.value.min_requests, 100);
        assert_eq!(health.value.p95_ratio, 2.0);
        assert_eq!(
            health.value.error_percent_delta,
            HealthThresholds::default().error_percent_delta,
            "a key left out keeps its default"
        );
        assert_eq!(settings("").expect("valid").health.source, Source::Default);
        for (text, key) in [
            ("[health]\np95_ratio = 0.5\n", "health.p95_ratio"),
            (
                "[health]\nerror_percent_delta = nan\n",
                "health.error_percent_delta",
            ),
            ("[health]\nmin_requests = 0\n", "health.min_requests"),
            ("[health]\nmin_request = 5\n", "min_request"),
        ] {
            let e = settings(text).expect_err("refused");
            assert!(e.contains(key), "{text}: {e}");
        }
    }

    fn load(text: &str) -> Result<FileConfig, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        load_config_file(&path).map_err(|e| e.to_string())
    }

    #[test]
    fn targets_carry_a_label_and_a_colour_by_workspace_name() {
        let file = load(
            "[targets.\"prod-ws\"]\nlabel = \"PROD\"\ncolor = \"red\"\n\n[targets.staging]\ncolor = \"yellow\"\n",
        )
        .expect("valid");
        let settings = Settings::from_file(&file, Path::new("config.toml")).expect("valid");
        let prod = settings
            .target_mark("Prod-WS")
            .expect("names compare without case");
        assert_eq!(
            prod.label.as_ref().map(TargetBadgeText::as_str),
            Some("PROD")
        );
        assert_eq!(prod.color, Some(TargetColor::Red));
        let staging = settings.target_mark("staging").expect("marked");
        assert_eq!(
            (staging.label.as_ref(), staging.color),
            (None, Some(TargetColor::Yellow))
        );
        assert!(settings.target_mark("dev-ws").is_none());
    }

    #[test]
    fn an_unknown_colour_or_a_bad_label_is_an_error_naming_file_and_line() {
        let e = load("refresh_interval_secs = 5\n[targets.\"prod-ws\"]\nlabel = \"PROD\"\ncolor = \"purple\"\n")
            .expect_err("refused");
        assert!(e.contains("config.toml"), "{e}");
        assert!(e.contains("line 4"), "{e}");
        assert!(e.contains("purple") && e.contains("red"), "{e}");
        for (text, says) in [
            ("[targets.w]\nlabel = \"\"\n", "must not be empty"),
            (
                "[targets.w]\nlabel = \"A VERY LONG LABEL TEXT\"\n",
                "at most 16",
            ),
            ("[targets.w]\nlabel = \"P\\u001b[2J\"\n", "printable"),
            ("[targets.w]\nlabel = \"P\"\ncolour = \"red\"\n", "colour"),
        ] {
            let e = load(text).expect_err("refused");
            // The offending key is on line 2 or 3 of these files.
            assert!(
                e.contains(says) && (e.contains("line 2") || e.contains("line 3")),
                "{text}: {e}"
            );
        }
    }
}
