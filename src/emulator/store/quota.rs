//! Core quota as Azure applies it to managed online deployments: each VM family has a limit of
//! vCPUs per subscription and region, and a deployment holds its instances' cores plus a 20%
//! reserve (at least one instance) that Azure keeps for upgrades. 10 instances of a 4-core size
//! hold 48 cores; one holds 8. Also the Usages_List and VirtualMachineSizes_List answers.

use serde_json::{Value, json};

use super::records::*;
use crate::emulator::reply::ArmFailure;

/// A VM size the emulator knows: name, family, vCPUs, memory (GB), GPUs.
struct VmSize {
    name: &'static str,
    family: &'static str,
    cores: i64,
    memory_gb: f64,
    gpus: i64,
}

const fn size(
    name: &'static str,
    family: &'static str,
    cores: i64,
    memory_gb: f64,
    gpus: i64,
) -> VmSize {
    VmSize {
        name,
        family,
        cores,
        memory_gb,
        gpus,
    }
}

/// The sizes Azure ML offers for online deployments that the emulator models.
const VM_SIZES: [VmSize; 16] = [
    size("Standard_DS1_v2", "standardDSv2Family", 1, 3.5, 0),
    size("Standard_DS2_v2", "standardDSv2Family", 2, 7.0, 0),
    size("Standard_DS3_v2", "standardDSv2Family", 4, 14.0, 0),
    size("Standard_DS4_v2", "standardDSv2Family", 8, 28.0, 0),
    size("Standard_DS5_v2", "standardDSv2Family", 16, 56.0, 0),
    size("Standard_F2s_v2", "standardFSv2Family", 2, 4.0, 0),
    size("Standard_F4s_v2", "standardFSv2Family", 4, 8.0, 0),
    size("Standard_F8s_v2", "standardFSv2Family", 8, 16.0, 0),
    size("Standard_F16s_v2", "standardFSv2Family", 16, 32.0, 0),
    size("Standard_F32s_v2", "standardFSv2Family", 32, 64.0, 0),
    size("Standard_E2s_v3", "standardESv3Family", 2, 16.0, 0),
    size("Standard_E4s_v3", "standardESv3Family", 4, 32.0, 0),
    size("Standard_E8s_v3", "standardESv3Family", 8, 64.0, 0),
    size("Standard_NC6s_v3", "standardNCSv3Family", 6, 112.0, 1),
    size("Standard_NC12s_v3", "standardNCSv3Family", 12, 224.0, 2),
    size("Standard_NC24s_v3", "standardNCSv3Family", 24, 448.0, 4),
];

fn vm_size(name: &str) -> Option<&'static VmSize> {
    VM_SIZES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Cores a deployment holds: its instances plus the reserve of 20%, rounded up to whole
/// instances.
pub(super) fn held_cores(instances: i64, cores: i64) -> i64 {
    let reserve = (instances + 4) / 5;
    (instances + reserve) * cores
}

/// What a deployment record holds against its family's quota, if it holds anything: managed
/// deployments of a known size that have not failed.
fn holding(d: &DeploymentRec) -> Option<(&'static str, i64)> {
    let r = &d.resource;
    let managed = r
        .pointer("/properties/endpointComputeType")
        .and_then(Value::as_str)
        == Some("Managed");
    if !managed || state_of(r) == "Failed" {
        return None;
    }
    let size = vm_size(
        r.pointer("/properties/instanceType")
            .and_then(Value::as_str)?,
    )?;
    let instances = r
        .pointer("/sku/capacity")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    Some((size.family, held_cores(instances, size.cores)))
}

fn localized(family: &str) -> String {
    let pretty = family
        .strip_prefix("standard")
        .and_then(|f| f.strip_suffix("Family"))
        .unwrap_or(family);
    format!("Standard {pretty} Family Cluster Dedicated vCPUs")
}

impl Store {
    /// Cores of `family` held in `subscription` and `location`, leaving out one deployment
    /// (the one being changed).
    fn family_usage(
        &self,
        subscription: &str,
        location: &str,
        family: &str,
        except: Option<(&WorkspaceKey, &str, &str)>,
    ) -> i64 {
        self.workspaces
            .iter()
            .filter(|(_, w)| {
                w.subscription.eq_ignore_ascii_case(subscription)
                    && w.location.eq_ignore_ascii_case(location)
            })
            .flat_map(|(key, w)| {
                w.endpoints.iter().flat_map(move |(ep_key, ep)| {
                    ep.deployments
                        .iter()
                        .map(move |(d_key, d)| (key, ep_key, d_key, d))
                })
            })
            .filter(|(key, ep_key, d_key, _)| {
                except.is_none_or(|(k, ep, dep)| {
                    !(*key == k
                        && ep_key.as_str() == ep.to_lowercase()
                        && d_key.as_str() == dep.to_lowercase())
                })
            })
            .filter_map(|(_, _, _, d)| holding(d))
            .filter(|(f, _)| *f == family)
            .map(|(_, cores)| cores)
            .sum()
    }

    /// The quota refusal for running `capacity` instances of `instance_type` in this
    /// deployment, if they do not fit; reported when the operation ends, as Azure does.
    /// Kubernetes deployments and sizes the emulator does not know draw on no quota.
    pub(super) fn quota_failure(
        &self,
        key: &WorkspaceKey,
        endpoint: &str,
        deployment: &str,
        instance_type: &str,
        capacity: i64,
    ) -> Option<ArmFailure> {
        let ws = self.workspaces.get(key)?;
        let size = vm_size(instance_type)?;
        let used = self.family_usage(
            &ws.subscription,
            &ws.location,
            size.family,
            Some((key, endpoint, deployment)),
        );
        let needed = held_cores(capacity, size.cores);
        let limit = self.settings.family_core_limit;
        let missing = used + needed - limit;
        (missing > 0).then(|| {
            ArmFailure::bad_request(
                "OutOfQuota",
                format!(
                    "Not enough quota available for {instance_type} ({}) in {}. {capacity} instance(s) of {} cores need {needed} cores, including the 20% Azure reserves for upgrades. Current usage/limit: {used}/{limit}. Additional needed: {missing}. Scale down another deployment or request more quota.",
                    size.family, ws.location, size.cores
                ),
            )
        })
    }

    /// Usages_List: cores held per VM family in the subscription's region.
    pub(crate) fn usages(&self, subscription: &str, location: &str) -> Value {
        let mut families: Vec<&str> = VM_SIZES.iter().map(|s| s.family).collect();
        families.dedup();
        let value: Vec<Value> = families
            .into_iter()
            .map(|family| {
                json!({
                    "id": format!("/subscriptions/{subscription}/providers/{PROVIDER}/locations/{location}/usages/{family}"),
                    "amlWorkspaceLocation": location,
                    "type": format!("{PROVIDER}/vmFamily/usages"),
                    "unit": "Count",
                    "currentValue": self.family_usage(subscription, location, family, None),
                    "limit": self.settings.family_core_limit,
                    "name": {"value": family, "localizedValue": localized(family)},
                })
            })
            .collect();
        json!({ "value": value })
    }

    /// VirtualMachineSizes_List: the sizes online deployments may use.
    pub(crate) fn vm_sizes(&self) -> Value {
        let value: Vec<Value> = VM_SIZES
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "family": s.family,
                    "vCPUs": s.cores,
                    "gpus": s.gpus,
                    "osVhdSizeMB": 1_047_552,
                    "maxResourceVolumeMB": s.cores * 8_192,
                    "memoryGB": s.memory_gb,
                    "lowPriorityCapable": true,
                    "premiumIO": true,
                    "supportedComputeTypes": ["ComputeInstance", "AmlCompute"],
                })
            })
            .collect();
        json!({ "value": value })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn azure_reserves_a_fifth_rounded_up_to_whole_instances() {
        assert_eq!(held_cores(10, 4), 48);
        assert_eq!(held_cores(1, 4), 8);
        assert_eq!(held_cores(5, 2), 12);
        assert_eq!(held_cores(6, 2), 16);
    }

    fn put(store: &mut Store, key: &WorkspaceKey, name: &str, size: &str, instances: i64) {
        let body = json!({
            "sku": {"capacity": instances},
            "properties": {"endpointComputeType": "Managed", "instanceType": size},
        });
        store
            .put_deployment(
                key,
                "ep-one",
                name,
                &serde_json::to_vec(&body).expect("json"),
                "v1",
            )
            .expect("accepted");
        store.settle(Instant::now());
    }

    #[test]
    fn a_deployment_beyond_its_familys_cores_fails_saying_how_many_more() {
        let (mut store, key) = test_store();
        store.settings.family_core_limit = 60;
        store
            .put_endpoint(
                &key,
                "ep-one",
                br#"{"properties":{"authMode":"Key"}}"#,
                "v1",
            )
            .expect("endpoint");
        store.settle(Instant::now());
        put(&mut store, &key, "blue", "Standard_DS3_v2", 5); // 6 x 4 = 24 cores
        let usages = store.usages("sub", "westus2");
        let dsv2 = usages["value"]
            .as_array()
            .and_then(|v| {
                v.iter()
                    .find(|u| u["name"]["value"] == "standardDSv2Family")
            })
            .cloned()
            .expect("family listed");
        assert_eq!(dsv2["currentValue"], 24);
        assert_eq!(dsv2["limit"], 60);
        // 10 x 4 with the reserve is 48; with blue's 24 that is 12 more than 60.
        let failure = store
            .quota_failure(&key, "ep-one", "green", "Standard_DS2_v2", 10)
            .map(|_| ())
            .is_none();
        assert!(failure, "10 x 2 cores = 24 fit");
        let refused = store
            .quota_failure(&key, "ep-one", "green", "Standard_DS3_v2", 10)
            .expect("over quota");
        assert_eq!(refused.code, "OutOfQuota");
        assert!(
            refused.message.contains("Additional needed: 12"),
            "{}",
            refused.message
        );
        assert!(refused.message.contains("48 cores"), "{}", refused.message);
        // Scaling blue itself does not count blue twice; other families do not count at all.
        assert!(
            store
                .quota_failure(&key, "ep-one", "blue", "Standard_DS3_v2", 10)
                .is_none()
        );
        assert!(
            store
                .quota_failure(&key, "ep-one", "green", "Standard_F4s_v2", 10)
                .is_none()
        );
        assert!(
            store
                .quota_failure(&key, "ep-one", "green", "Custom_Size", 1000)
                .is_none()
        );
        let sizes = store.vm_sizes();
        assert!(
            sizes["value"]
                .as_array()
                .is_some_and(|v| v.len() == VM_SIZES.len())
        );
    }
}
