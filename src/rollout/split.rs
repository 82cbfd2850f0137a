//! An endpoint's whole split: live traffic and mirror traffic, as one value to compare,
//! remember (known-good, undo) and send.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::traffic::TrafficMap;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrafficSplit {
    pub live: TrafficMap,
    pub mirror: TrafficMap,
}

impl TrafficSplit {
    /// Reads `properties.traffic` / `properties.mirrorTraffic` of an endpoint as the service
    /// sent it. Names are lower-cased; values that are not non-negative integers count as 0
    /// (the service never sends them; a display must not fail on them either).
    pub fn from_endpoint_json(endpoint: &Value) -> Self {
        let read = |key: &str| -> TrafficMap {
            endpoint
                .pointer(&format!("/properties/{key}"))
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(name, pct)| {
                            let pct = pct.as_u64().map_or(0, |p| p.min(100) as u32);
                            (name.to_lowercase(), pct)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            live: read("traffic"),
            mirror: read("mirrorTraffic"),
        }
    }

    /// From the typed maps of a parsed endpoint (negative or oversized values clamp).
    pub fn from_maps(
        live: Option<&std::collections::BTreeMap<String, i64>>,
        mirror: Option<&std::collections::BTreeMap<String, i64>>,
    ) -> Self {
        let convert = |m: Option<&std::collections::BTreeMap<String, i64>>| -> TrafficMap {
            m.map(|m| {
                m.iter()
                    .map(|(k, v)| (k.to_lowercase(), (*v).clamp(0, 100) as u32))
                    .collect()
            })
            .unwrap_or_default()
        };
        Self {
            live: convert(live),
            mirror: convert(mirror),
        }
    }

    /// Without 0% entries: `{blue: 100, green: 0}` and `{blue: 100}` are the same split.
    pub fn normalized(&self) -> Self {
        let strip = |m: &TrafficMap| -> TrafficMap {
            m.iter()
                .filter(|(_, p)| **p > 0)
                .map(|(k, p)| (k.clone(), *p))
                .collect()
        };
        Self {
            live: strip(&self.live),
            mirror: strip(&self.mirror),
        }
    }

    pub fn live_of(&self, deployment: &str) -> u32 {
        self.live
            .get(&deployment.to_lowercase())
            .copied()
            .unwrap_or(0)
    }

    pub fn mirror_of(&self, deployment: &str) -> u32 {
        self.mirror
            .get(&deployment.to_lowercase())
            .copied()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_split_of_an_endpoint_case_insensitively() {
        let ep = json!({"properties": {"traffic": {"Blue": 90, "green": 10}, "mirrorTraffic": {"green": 0}}});
        let split = TrafficSplit::from_endpoint_json(&ep);
        assert_eq!(split.live_of("BLUE"), 90);
        assert_eq!(split.live_of("green"), 10);
        assert_eq!(split.mirror.get("green"), Some(&0));
        assert!(split.normalized().mirror.is_empty());
        assert_eq!(
            TrafficSplit::from_endpoint_json(&json!({"properties": {}})),
            TrafficSplit::default()
        );
    }
}
