//! Whether a planned deployment change fits the subscription's core quota, before it is sent.
//!
//! Azure counts managed online deployments against a per-VM-family core quota of the region,
//! and holds 20% more instances than asked (rounded up to whole instances) for upgrades: 10
//! instances of a 4-core size hold 48 cores. A deployment that exists already holds its cores
//! (they are in the family's usage), so changing it needs only the difference; a failed
//! deployment holds nothing.

/// A VM size as the region lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmSize {
    pub name: String,
    pub family: String,
    pub cores: i64,
}

/// One VM family's core quota in the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyQuota {
    /// The family as VM sizes name it, e.g. `standardDSv2Family`.
    pub family: String,
    /// How people call it, e.g. `Standard DSv2 Family`.
    pub label: String,
    pub used: i64,
    pub limit: i64,
}

/// Instances of a size: what a deployment holds, or would hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footprint {
    pub size: String,
    pub instances: u32,
}

/// A deployment change as quota sees it: what the deployment holds now (`None` for a create or
/// a deployment that holds nothing, such as a failed one) and what it would hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCores {
    pub before: Option<Footprint>,
    pub after: Footprint,
}

impl PlannedCores {
    pub fn create(size: &str, instances: u32) -> Self {
        Self {
            before: None,
            after: Footprint {
                size: size.to_string(),
                instances,
            },
        }
    }

    pub fn scale(size: &str, from: u32, to: u32) -> Self {
        Self {
            before: Some(Footprint {
                size: size.to_string(),
                instances: from,
            }),
            after: Footprint {
                size: size.to_string(),
                instances: to,
            },
        }
    }
}

/// The figures of a check that could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaFigures {
    pub family_label: String,
    /// Cores the deployment would hold, reserve included.
    pub needed: i64,
    /// Cores it holds now in the same family (freed by the change).
    pub held_now: i64,
    /// Cores of the family not in use (never below zero).
    pub free: i64,
    pub fits: bool,
}

impl QuotaFigures {
    /// Cores the change adds to the family's usage; negative when it frees some.
    pub fn additional(&self) -> i64 {
        self.needed - self.held_now
    }
}

/// The answer of a quota check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaCheck {
    Known(QuotaFigures),
    /// The change draws on no core quota (Kubernetes compute); says why.
    NotCounted(String),
    /// The quota could not be read or worked out; says why. It never blocks a change.
    Unknown(String),
}

impl QuotaCheck {
    /// True only when the figures say the change cannot fit.
    pub fn blocks(&self) -> bool {
        matches!(self, Self::Known(f) if !f.fits)
    }

    /// One line for the operator, e.g. "needs 48 cores (incl. 20% reserve), 32 free in
    /// Standard DSv2 Family".
    pub fn line(&self) -> String {
        match self {
            Self::Known(f) if f.held_now == 0 => format!(
                "needs {} cores (incl. 20% reserve), {} free in {}",
                f.needed, f.free, f.family_label
            ),
            Self::Known(f) if f.additional() > 0 => format!(
                "needs {} more cores ({} in all, incl. 20% reserve), {} free in {}",
                f.additional(),
                f.needed,
                f.free,
                f.family_label
            ),
            Self::Known(f) => format!(
                "needs no more cores ({} in all, incl. 20% reserve; {} held now), {} free in {}",
                f.needed, f.held_now, f.free, f.family_label
            ),
            Self::NotCounted(why) => format!("no core quota applies: {why}"),
            Self::Unknown(why) => format!("quota unknown: {why}"),
        }
    }
}

/// Cores `instances` of a `cores`-core size hold: the instances plus a reserve of a fifth,
/// rounded up to whole instances.
fn held_cores(instances: u32, cores: i64) -> i64 {
    let instances = i64::from(instances);
    let reserve = (instances + 4) / 5;
    (instances + reserve) * cores
}

fn size_of<'a>(sizes: &'a [VmSize], name: &str) -> Option<&'a VmSize> {
    sizes.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Whether `plan` fits the quota of its VM family, given the region's sizes and usages.
pub fn check_quota(sizes: &[VmSize], usages: &[FamilyQuota], plan: &PlannedCores) -> QuotaCheck {
    let Some(size) = size_of(sizes, &plan.after.size) else {
        return QuotaCheck::Unknown(format!(
            "{} is not among the region's VM sizes",
            plan.after.size
        ));
    };
    let Some(usage) = usages
        .iter()
        .find(|u| u.family.eq_ignore_ascii_case(&size.family))
    else {
        return QuotaCheck::Unknown(format!("no usage is listed for {}", size.family));
    };
    // What the deployment holds now is already in `used`, and only counts if it is the same
    // family: a size change to another family draws on that family's quota alone.
    let held_now = plan
        .before
        .as_ref()
        .and_then(|b| size_of(sizes, &b.size).map(|s| (b, s)))
        .filter(|(_, s)| s.family.eq_ignore_ascii_case(&size.family))
        .map_or(0, |(b, s)| held_cores(b.instances, s.cores));
    let needed = held_cores(plan.after.instances, size.cores);
    let free = usage.limit - usage.used;
    QuotaCheck::Known(QuotaFigures {
        family_label: usage.label.clone(),
        needed,
        held_now,
        free: free.max(0),
        fits: needed - held_now <= free,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes() -> Vec<VmSize> {
        [
            ("Standard_DS2_v2", "standardDSv2Family", 2),
            ("Standard_DS3_v2", "standardDSv2Family", 4),
            ("Standard_F4s_v2", "standardFSv2Family", 4),
        ]
        .into_iter()
        .map(|(name, family, cores)| VmSize {
            name: name.into(),
            family: family.into(),
            cores,
        })
        .collect()
    }

    fn usages(dsv2_used: i64) -> Vec<FamilyQuota> {
        vec![
            FamilyQuota {
                family: "standardDSv2Family".into(),
                label: "Standard DSv2 Family".into(),
                used: dsv2_used,
                limit: 80,
            },
            FamilyQuota {
                family: "standardFSv2Family".into(),
                label: "Standard FSv2 Family".into(),
                used: 0,
                limit: 80,
            },
        ]
    }

    #[test]
    fn the_reserve_is_a_fifth_rounded_up_to_whole_instances() {
        assert_eq!(held_cores(10, 4), 48);
        assert_eq!(held_cores(1, 4), 8);
        assert_eq!(held_cores(5, 2), 12);
        assert_eq!(held_cores(6, 2), 16);
    }

    #[test]
    fn a_create_needs_all_its_cores_and_says_so() {
        let check = check_quota(
            &sizes(),
            &usages(48),
            &PlannedCores::create("standard_ds3_v2", 10),
        );
        assert_eq!(
            check.line(),
            "needs 48 cores (incl. 20% reserve), 32 free in Standard DSv2 Family"
        );
        assert!(check.blocks());
        let fits = check_quota(
            &sizes(),
            &usages(48),
            &PlannedCores::create("Standard_DS2_v2", 10),
        );
        assert_eq!(
            fits.line(),
            "needs 24 cores (incl. 20% reserve), 32 free in Standard DSv2 Family"
        );
        assert!(!fits.blocks());
    }

    #[test]
    fn scaling_needs_only_the_difference_because_the_current_cores_are_in_use() {
        // Blue holds 24 (5 x 4 + reserve) of the 72 in use; 10 instances hold 48: 24 more.
        let up = check_quota(
            &sizes(),
            &usages(72),
            &PlannedCores::scale("Standard_DS3_v2", 5, 10),
        );
        assert_eq!(
            up.line(),
            "needs 24 more cores (48 in all, incl. 20% reserve), 8 free in Standard DSv2 Family"
        );
        assert!(up.blocks());
        let exactly = check_quota(
            &sizes(),
            &usages(56),
            &PlannedCores::scale("Standard_DS3_v2", 5, 10),
        );
        assert!(!exactly.blocks(), "24 more of 24 free fit");
        let down = check_quota(
            &sizes(),
            &usages(100),
            &PlannedCores::scale("Standard_DS3_v2", 10, 2),
        );
        assert!(!down.blocks(), "scaling down always fits, even over quota");
        assert_eq!(
            down.line(),
            "needs no more cores (12 in all, incl. 20% reserve; 48 held now), 0 free in Standard DSv2 Family"
        );
    }

    #[test]
    fn a_size_change_to_another_family_draws_on_that_family_alone() {
        let plan = PlannedCores {
            before: Some(Footprint {
                size: "Standard_DS3_v2".into(),
                instances: 10,
            }),
            after: Footprint {
                size: "Standard_F4s_v2".into(),
                instances: 10,
            },
        };
        let check = check_quota(&sizes(), &usages(48), &plan);
        assert_eq!(
            check.line(),
            "needs 48 cores (incl. 20% reserve), 80 free in Standard FSv2 Family"
        );
        // Within the family, the old size's cores are freed.
        let within = PlannedCores {
            before: Some(Footprint {
                size: "Standard_DS2_v2".into(),
                instances: 10,
            }),
            after: Footprint {
                size: "Standard_DS3_v2".into(),
                instances: 10,
            },
        };
        let check = check_quota(&sizes(), &usages(72), &within);
        assert!(check.line().starts_with("needs 24 more cores (48 in all"));
        assert!(check.blocks(), "24 more, 8 free");
    }

    #[test]
    fn an_unknown_size_or_family_leaves_the_quota_unknown_and_never_blocks() {
        let custom = check_quota(&sizes(), &usages(0), &PlannedCores::create("Custom_X", 99));
        assert_eq!(
            custom.line(),
            "quota unknown: Custom_X is not among the region's VM sizes"
        );
        assert!(!custom.blocks());
        let unlisted = check_quota(
            &sizes(),
            &usages(0)[..0],
            &PlannedCores::create("Standard_DS3_v2", 1),
        );
        assert_eq!(
            unlisted.line(),
            "quota unknown: no usage is listed for standardDSv2Family"
        );
        assert!(!unlisted.blocks());
        assert!(!QuotaCheck::NotCounted("Kubernetes compute".into()).blocks());
    }
}
