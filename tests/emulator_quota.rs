//! Core quota like Azure's: per VM family, instances × cores plus a 20% reserve, refused with
//! `OutOfQuota` naming how many more cores are needed; Usages_List and VirtualMachineSizes_List.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use aml_rollout::azure::AzureError;
use serde_json::Value;

async fn get(emu: &aml_rollout::emulator::RunningEmulator, what: &str) -> Value {
    let ws = common::ws(emu);
    let url = format!(
        "{}/subscriptions/{}/providers/Microsoft.MachineLearningServices/locations/westus2/{what}?api-version=2025-12-01",
        emu.base_url, ws.subscription
    );
    reqwest::Client::new()
        .get(url)
        .bearer_auth(&emu.token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

fn dsv2_usage(usages: &Value) -> (i64, i64) {
    let entry = usages["value"]
        .as_array()
        .and_then(|v| {
            v.iter()
                .find(|u| u["name"]["value"] == "standardDSv2Family")
        })
        .expect("the DSv2 family is listed");
    for field in ["id", "type", "unit", "amlWorkspaceLocation"] {
        assert!(entry[field].is_string(), "{field}: {entry}");
    }
    assert!(entry["name"]["localizedValue"].is_string());
    (
        entry["currentValue"].as_i64().expect("current"),
        entry["limit"].as_i64().expect("limit"),
    )
}

#[tokio::test]
async fn deployments_draw_cores_with_a_reserve_until_the_family_is_full() {
    let emu = common::demo().await;
    let client = emu.client().expect("client");
    let ws = common::ws(&emu);
    // The seed's blue: one four-core Standard_DS3_v2 holds 8 cores with the reserve.
    assert_eq!(dsv2_usage(&get(&emu, "usages").await), (8, 100));
    let sizes = get(&emu, "vmSizes").await;
    let ds3 = sizes["value"]
        .as_array()
        .and_then(|v| v.iter().find(|s| s["name"] == "Standard_DS3_v2"))
        .expect("listed");
    assert_eq!(ds3["vCPUs"], 4);
    assert_eq!(ds3["family"], "standardDSv2Family");
    assert!(ds3["memoryGB"].is_number());

    // 10 instances of 4 cores need 48.
    let op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 10)
        .await
        .expect("accepted");
    client
        .wait(&op, &mut common::no_progress())
        .await
        .expect("fits");
    assert_eq!(dsv2_usage(&get(&emu, "usages").await), (48, 100));

    // 12 more instances need 60 cores; 48 + 60 is 8 more than 100.
    common::create_green(&client, &ws).await;
    let op = client
        .begin_scale_deployment(&ws, "my-endpoint", "green", 12)
        .await
        .expect("accepted");
    let err = client
        .wait(&op, &mut common::no_progress())
        .await
        .expect_err("over quota");
    match err {
        AzureError::OperationFailed { detail, .. } => {
            assert_eq!(detail.code, "OutOfQuota");
            assert!(
                detail.message.contains("Additional needed: 8"),
                "{}",
                detail.message
            );
        }
        other => panic!("expected OutOfQuota, got {other:?}"),
    }
}

#[tokio::test]
async fn the_client_reads_usages_and_vm_sizes_typed() {
    let emu = common::demo().await;
    let client = emu.client().expect("client");
    let ws = common::ws(&emu);
    let location = client.get_workspace(&ws).await.expect("workspace").location;
    let usages = client.list_usages(&ws, &location).await.expect("usages");
    let dsv2 = usages
        .iter()
        .find(|u| u.name.as_ref().and_then(|n| n.value.as_deref()) == Some("standardDSv2Family"))
        .expect("the DSv2 family");
    assert_eq!((dsv2.current_value, dsv2.limit), (Some(8), Some(100)));
    assert!(
        dsv2.usage_type
            .as_deref()
            .is_some_and(|t| t.ends_with("vmFamily/usages"))
    );
    let sizes = client.list_vm_sizes(&ws, &location).await.expect("sizes");
    let ds3 = sizes
        .iter()
        .find(|s| s.name.as_deref() == Some("Standard_DS3_v2"))
        .expect("listed");
    assert_eq!(ds3.v_cpus, Some(4));
    assert_eq!(ds3.family.as_deref(), Some("standardDSv2Family"));
    // A location that is not a single path segment is refused before any request.
    let refused = client.list_usages(&ws, "west/../us").await;
    assert!(
        matches!(
            refused,
            Err(AzureError::InvalidName {
                what: "location",
                ..
            })
        ),
        "{refused:?}"
    );
}
