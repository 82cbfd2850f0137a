//! What the flight recorder adds to a plan's step beyond the split: who ran it and the health
//! of green and its baseline as the step was taken.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::ops::apply::Ops;

/// How far back a step's health snapshot looks.
const SNAPSHOT_MINUTES: i64 = 5;

/// One deployment's figures in a step's health snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DeploymentSnapshot {
    pub deployment: String,
    pub requests: u64,
    pub error_percent: Option<f64>,
    pub p95_ms: Option<f64>,
}

/// Green and its baseline over the minutes before a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HealthSnapshot {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub green: DeploymentSnapshot,
    pub baseline: DeploymentSnapshot,
}

impl Ops {
    /// Green and the baseline over the last minutes; the reason when metrics cannot be read
    /// (recorded as such, never as zeros).
    pub(super) async fn health_snapshot(
        &self,
        endpoint: &str,
        green: &str,
        baseline: &str,
    ) -> Value {
        if green.is_empty() {
            // An abort from the tag alone: the plan file, and so green's name, is not at hand.
            return serde_json::json!({ "unavailable": "the plan's deployment is not known here" });
        }
        let to = Utc::now();
        let from = to - chrono::Duration::minutes(SNAPSHOT_MINUTES);
        let health = match self.endpoint_health(endpoint, to).await {
            Ok(health) => health,
            Err(e) => return serde_json::json!({ "unavailable": e.to_string() }),
        };
        let of = |name: &str| {
            let stats = health.series.stats_between(name, from, to);
            DeploymentSnapshot {
                deployment: name.to_string(),
                requests: stats.requests,
                error_percent: stats.error_percent(),
                p95_ms: stats.p95_ms,
            }
        };
        let snapshot = HealthSnapshot {
            from,
            to,
            green: of(green),
            baseline: of(baseline),
        };
        serde_json::to_value(snapshot).unwrap_or(Value::Null)
    }

    /// The signed-in principal's name, read from the ARM token's claims (not verified: it
    /// only labels the record). `None` when the token is not a JWT (the emulator's).
    pub(crate) async fn principal(&self) -> Option<String> {
        // The token the requests use, from their cache: asking the credential itself would
        // sign in again (`az` run once more) for every record written.
        let token = self.client.transport.bearer().await.ok()?;
        principal_of(&token)
    }
}

/// `upn`, else `unique_name`, else `preferred_username`, else `appid` (a service principal)
/// of a JWT's payload.
fn principal_of(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&base64url(payload)?).ok()?;
    let named = |claim: &str| claims[claim].as_str().filter(|v| !v.is_empty());
    ["upn", "unique_name", "preferred_username"]
        .into_iter()
        .find_map(named)
        .map(str::to_string)
        .or_else(|| named("appid").map(|id| format!("app {id}")))
}

/// Base64url without padding, as JWTs use it.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(claims: Value) -> String {
        format!(
            "{}.{}.signature",
            encode(br#"{"alg":"RS256"}"#),
            encode(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn a_person_is_named_by_upn_and_a_service_principal_by_its_app_id() {
        let person = jwt(serde_json::json!({"upn": "ana@contoso.com", "appid": "04b0"}));
        assert_eq!(principal_of(&person).as_deref(), Some("ana@contoso.com"));
        let guest = jwt(serde_json::json!({"unique_name": "live.com#bo@x.org"}));
        assert_eq!(principal_of(&guest).as_deref(), Some("live.com#bo@x.org"));
        let app = jwt(serde_json::json!({"appid": "1c2d-ffe0", "oid": "9"}));
        assert_eq!(principal_of(&app).as_deref(), Some("app 1c2d-ffe0"));
    }

    #[test]
    fn a_token_that_is_not_a_jwt_names_no_one() {
        assert_eq!(principal_of("emulator-token"), None);
        assert_eq!(principal_of("a.!!!.c"), None);
        assert_eq!(principal_of(&jwt(serde_json::json!({"oid": "9"}))), None);
    }

    #[test]
    fn base64url_decodes_every_tail_length() {
        for text in ["", "a", "ab", "abc", "abcd", "ünïcödé?"] {
            assert_eq!(
                base64url(&encode(text.as_bytes())).as_deref(),
                Some(text.as_bytes())
            );
        }
    }
}
