//! The quota check of a prepared deployment change, made before it is sent: the region's VM
//! sizes and core usages are read, and the pure calculation (`rollout::check_quota`) says
//! whether the change fits. A quota that cannot be read is reported as unknown and never
//! blocks; the service remains the judge (`OutOfQuota`).

use serde_json::Value;

use crate::azure::model::{OnlineDeployment, Usage, VirtualMachineSize};
use crate::azure::{AzureError, FailureKind};
use crate::logstream::sanitize_inline;
use crate::rollout::{FamilyQuota, Footprint, PlannedCores, QuotaCheck, VmSize, check_quota};

use super::apply::{Ops, Prepared, Request};

/// What a change makes of the deployment's instances.
enum Target<'a> {
    /// A new instance count, same size.
    Instances(u32),
    /// The whole resource to PUT (create, update, update in place).
    Body(&'a Value),
}

/// What Azure ML calls a family's cores in Usages_List, after the family's own name.
const FAMILY_USAGE_SUFFIX: &str = " Cluster Dedicated vCPUs";

impl Ops {
    /// The quota check of a change that sets a deployment's size or instance count; `None` for
    /// any other change. Reads the deployment, the workspace's location (once) and the
    /// region's sizes and usages; nothing is sent.
    pub async fn quota_check(&self, prepared: &Prepared) -> Option<QuotaCheck> {
        let (endpoint, deployment, target) = match &prepared.request {
            Request::Scale {
                endpoint,
                deployment,
                instances,
            } => (endpoint, deployment, Target::Instances(*instances)),
            Request::PutDeployment {
                endpoint,
                name,
                body,
            } => (endpoint, name, Target::Body(body)),
            _ => return None,
        };
        let check = self
            .check_deployment(endpoint, deployment, target)
            .await
            .unwrap_or_else(QuotaCheck::Unknown);
        Some(match check {
            QuotaCheck::Unknown(why) => QuotaCheck::Unknown(sanitize_inline(&why)),
            QuotaCheck::NotCounted(why) => QuotaCheck::NotCounted(sanitize_inline(&why)),
            known => known,
        })
    }

    async fn check_deployment(
        &self,
        endpoint: &str,
        deployment: &str,
        target: Target<'_>,
    ) -> Result<QuotaCheck, String> {
        let current = match self
            .client
            .get_deployment(&self.ws, endpoint, deployment)
            .await
        {
            Ok(d) => Some(d),
            Err(e) if e.kind() == Some(FailureKind::NotFound) => None,
            Err(e) => return Err(reason(&e)),
        };
        let after = match target {
            Target::Instances(instances) => {
                let Some(current) = &current else {
                    return Err(format!("deployment {deployment} was not found"));
                };
                if is_kubernetes(&current.properties.endpoint_compute_type) {
                    return Ok(kubernetes());
                }
                let Some(size) = current.properties.instance_type.clone() else {
                    return Err(format!("deployment {deployment} names no instance type"));
                };
                Footprint { size, instances }
            }
            Target::Body(body) => {
                let compute = body
                    .pointer("/properties/endpointComputeType")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if is_kubernetes(compute) {
                    return Ok(kubernetes());
                }
                let Some(size) = body
                    .pointer("/properties/instanceType")
                    .and_then(Value::as_str)
                else {
                    return Err("the deployment names no instance type".to_string());
                };
                let instances = body
                    .pointer("/sku/capacity")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(1);
                Footprint {
                    size: size.to_string(),
                    instances,
                }
            }
        };
        let plan = PlannedCores {
            before: current.as_ref().and_then(holding),
            after,
        };
        let location = self.location().await.map_err(|e| reason(&e))?;
        let (sizes, usages) = tokio::join!(
            self.client.list_vm_sizes(&self.ws, &location),
            self.client.list_usages(&self.ws, &location)
        );
        let sizes = sizes.map_err(|e| format!("VM sizes not read: {}", reason(&e)))?;
        let usages = usages.map_err(|e| format!("usages not read: {}", reason(&e)))?;
        Ok(check_quota(&vm_sizes(sizes), &family_quotas(usages), &plan))
    }

    /// The workspace's region, read once.
    async fn location(&self) -> Result<String, AzureError> {
        if let Some(known) = self.location.get() {
            return Ok(known.clone());
        }
        let location = self.client.get_workspace(&self.ws).await?.location;
        // Another task may have set it meanwhile; the workspace's region is the same.
        let _ = self.location.set(location.clone());
        Ok(location)
    }
}

fn reason(e: &AzureError) -> String {
    e.to_string()
}

fn is_kubernetes(compute_type: &str) -> bool {
    compute_type.eq_ignore_ascii_case("Kubernetes")
}

fn kubernetes() -> QuotaCheck {
    QuotaCheck::NotCounted("Kubernetes compute draws on the cluster, not on core quota".into())
}

/// What an existing deployment holds against quota: nothing once its create failed.
fn holding(d: &OnlineDeployment) -> Option<Footprint> {
    let failed = d
        .properties
        .provisioning_state
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("Failed"));
    if failed || is_kubernetes(&d.properties.endpoint_compute_type) {
        return None;
    }
    Some(Footprint {
        size: d.properties.instance_type.clone()?,
        instances: d
            .instance_count()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1),
    })
}

fn vm_sizes(listed: Vec<VirtualMachineSize>) -> Vec<VmSize> {
    listed
        .into_iter()
        .filter_map(|s| {
            Some(VmSize {
                name: s.name?,
                family: s.family?,
                cores: s.v_cpus?,
            })
        })
        .collect()
}

/// The per-family core usages; other quotas Usages_List reports (totals, per-workspace and
/// per-cluster figures) are left out.
fn family_quotas(listed: Vec<Usage>) -> Vec<FamilyQuota> {
    listed
        .into_iter()
        .filter(|u| {
            u.usage_type
                .as_deref()
                .is_none_or(|t| t.to_ascii_lowercase().ends_with("/vmfamily/usages"))
        })
        .filter_map(|u| {
            let name = u.name?;
            let family = name.value?;
            let label = name
                .localized_value
                .map(|l| {
                    l.strip_suffix(FAMILY_USAGE_SUFFIX)
                        .map(str::to_string)
                        .unwrap_or(l)
                })
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| family.clone());
            Some(FamilyQuota {
                label: sanitize_inline(&label),
                family,
                used: u.current_value?,
                limit: u.limit?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::model::UsageName;

    fn usage(kind: Option<&str>, value: &str, localized: &str) -> Usage {
        Usage {
            usage_type: kind.map(str::to_string),
            unit: Some("Count".into()),
            current_value: Some(8),
            limit: Some(100),
            name: Some(UsageName {
                value: Some(value.into()),
                localized_value: Some(localized.into()),
            }),
        }
    }

    #[test]
    fn only_family_usages_count_and_their_names_read_like_the_portals() {
        let quotas = family_quotas(vec![
            usage(
                Some("Microsoft.MachineLearningServices/vmFamily/usages"),
                "standardDSv2Family",
                "Standard DSv2 Family Cluster Dedicated vCPUs",
            ),
            usage(
                Some("Microsoft.MachineLearningServices/totalCores/usages"),
                "Total Cluster Dedicated Regional vCPUs",
                "Total Cluster Dedicated Regional vCPUs",
            ),
            usage(
                None,
                "standardFSv2Family",
                "Standard \u{1b}[31mFSv2\nFamily",
            ),
        ]);
        let labels: Vec<&str> = quotas.iter().map(|q| q.label.as_str()).collect();
        assert_eq!(labels.len(), 2, "{labels:?}");
        assert_eq!(labels[0], "Standard DSv2 Family");
        assert!(
            !labels[1].contains('\u{1b}') && !labels[1].contains('\n'),
            "{:?}",
            labels[1]
        );
    }
}
