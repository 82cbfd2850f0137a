//! The real AmlClient against the real emulator over HTTP on 127.0.0.1: every operation,
//! every server-side rule, every long-running-operation path.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aml_rollout::azure::model::{ContainerType, KeyType};
use aml_rollout::azure::{
    AmlClient, AzureError, ClientOptions, FailureKind, LroPolicy, SplitChange, StaticCredential,
};
use aml_rollout::emulator::faults::{FaultProfile, FaultRates};
use aml_rollout::rollout::{TrafficMap, TrafficSplit, parse_traffic};
use common::*;
use serde_json::{Value, json};

fn traffic(s: &str) -> TrafficMap {
    parse_traffic(s).expect("valid traffic")
}

fn api_error(err: &AzureError) -> (u16, String) {
    match err {
        AzureError::Api { status, detail } => (status.as_u16(), detail.code.clone()),
        other => panic!("expected an ARM error, got {other:?}"),
    }
}

#[tokio::test]
async fn workspaces_are_listed_and_read() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let got = client.get_workspace(&ws).await.unwrap();
    assert_eq!(got.name, "demo-ws");
    assert_eq!(got.location, "westus2");
    assert_eq!(
        got.resource_type,
        "Microsoft.MachineLearningServices/workspaces"
    );
    let by_sub = client
        .list_workspaces(&ws.subscription, None)
        .await
        .unwrap();
    assert_eq!(by_sub.len(), 1);
    let by_rg = client
        .list_workspaces(&ws.subscription, Some("ROLLOUT-DEMO"))
        .await
        .unwrap();
    assert_eq!(by_rg.len(), 1, "resource group names are case-insensitive");
    let none = client
        .list_workspaces(&ws.subscription, Some("other-rg"))
        .await
        .unwrap();
    assert!(none.is_empty());
    let missing = aml_rollout::azure::WorkspaceRef::new(&ws.subscription, "rollout-demo", "nope");
    let err = client.get_workspace(&missing).await.unwrap_err();
    assert_eq!(err.kind(), Some(FailureKind::NotFound));
}

#[tokio::test]
async fn the_demo_seed_is_blue_at_100_percent() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let endpoints = client.list_endpoints(&ws).await.unwrap();
    assert_eq!(endpoints.len(), 1);
    let ep = &endpoints[0];
    assert_eq!(ep.name, "my-endpoint");
    assert_eq!(ep.properties.auth_mode, "Key");
    assert_eq!(
        ep.properties.provisioning_state.as_deref(),
        Some("Succeeded")
    );
    assert!(
        ep.properties
            .scoring_uri
            .as_deref()
            .unwrap()
            .starts_with(&emu.base_url),
        "the scoring URI points at the emulator"
    );
    let split = TrafficSplit::from_maps(
        ep.properties.traffic.as_ref(),
        ep.properties.mirror_traffic.as_ref(),
    );
    assert_eq!(split.live, traffic("blue=100"));
    let deployments = client.list_deployments(&ws, "my-endpoint").await.unwrap();
    assert_eq!(deployments.len(), 1, "green is not deployed at start");
    let blue = &deployments[0];
    assert_eq!(blue.name, "blue");
    assert_eq!(blue.instance_count(), Some(1));
    assert_eq!(
        blue.properties.instance_type.as_deref(),
        Some("Standard_DS3_v2")
    );
    assert!(
        blue.properties
            .model
            .as_deref()
            .unwrap()
            .ends_with("/models/sklearn-regression/versions/1")
    );
}

#[tokio::test]
async fn listing_follows_next_link_across_pages() {
    let emu = empty().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    for i in 0..120 {
        let body = json!({"location": "westus2", "properties": {"authMode": "Key"}});
        let op = client
            .begin_put_endpoint(&ws, &format!("ep-{i:03}"), &body)
            .await
            .unwrap();
        assert_eq!(op.initial_status.as_u16(), 201);
    }
    let all = client.list_endpoints(&ws).await.unwrap();
    assert_eq!(all.len(), 120, "three pages of 50 are stitched together");
    let mut names: Vec<_> = all.iter().map(|e| e.name.clone()).collect();
    names.dedup();
    assert_eq!(names.len(), 120, "no endpoint is listed twice");
}

#[tokio::test]
async fn endpoint_lifecycle_create_get_delete() {
    let emu = empty().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let body = json!({
        "location": "westus2",
        "tags": {"team": "ml"},
        "properties": {"authMode": "AMLToken", "description": "canary"}
    });
    let op = client
        .begin_put_endpoint(&ws, "scoring-ep", &body)
        .await
        .unwrap();
    assert_eq!(op.initial_state(), Some("Creating"));
    assert!(
        op.async_operation_url.is_some(),
        "PUT answers with Azure-AsyncOperation"
    );
    let mut states = Vec::new();
    let created = client
        .wait(&op, &mut |p: aml_rollout::azure::LroProgress| {
            states.push(p.state)
        })
        .await
        .unwrap()
        .expect("final resource");
    assert_eq!(created["properties"]["provisioningState"], "Succeeded");
    assert_eq!(states.last().map(String::as_str), Some("Succeeded"));
    let ep = client.get_endpoint(&ws, "Scoring-EP").await.unwrap();
    assert_eq!(ep.name, "scoring-ep", "names are case-insensitive");
    assert_eq!(ep.properties.description.as_deref(), Some("canary"));

    let token = client.get_token(&ws, "scoring-ep").await.unwrap();
    assert!(token.access_token.is_some_and(|t| !t.is_empty()));
    assert!(token.expiry_time_utc > chrono::Utc::now().timestamp());
    let err = client.list_keys(&ws, "scoring-ep").await.unwrap_err();
    assert_eq!(
        err.kind(),
        Some(FailureKind::BadRequest),
        "AMLToken endpoints have no keys"
    );

    let op = client
        .begin_delete_endpoint(&ws, "scoring-ep")
        .await
        .unwrap();
    assert_eq!(op.initial_status.as_u16(), 202);
    assert!(op.location_url.is_some(), "DELETE answers with Location");
    assert_eq!(client.wait(&op, &mut no_progress()).await.unwrap(), None);
    let err = client.get_endpoint(&ws, "scoring-ep").await.unwrap_err();
    assert_eq!(err.kind(), Some(FailureKind::NotFound));
}

#[tokio::test]
async fn deployment_lifecycle_create_scale_patch_logs_skus_delete() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    create_green(&client, &ws).await;
    let green = client
        .get_deployment(&ws, "my-endpoint", "green")
        .await
        .unwrap();
    assert_eq!(
        green.properties.provisioning_state.as_deref(),
        Some("Succeeded")
    );
    assert_eq!(green.properties.endpoint_compute_type, "Managed");

    let op = client
        .begin_scale_deployment(&ws, "my-endpoint", "green", 3)
        .await
        .unwrap();
    assert_eq!(op.initial_state(), Some("Scaling"));
    client.wait(&op, &mut no_progress()).await.unwrap();
    let green = client
        .get_deployment(&ws, "my-endpoint", "green")
        .await
        .unwrap();
    assert_eq!(green.instance_count(), Some(3));

    let op = client
        .begin_patch_deployment(
            &ws,
            "my-endpoint",
            "green",
            &json!({"sku": {"capacity": 2}}),
        )
        .await
        .unwrap();
    assert_eq!(op.initial_status.as_u16(), 202);
    let patched = client.wait(&op, &mut no_progress()).await.unwrap();
    assert!(patched.is_some() || op.async_operation_url.is_some());
    let green = client
        .get_deployment(&ws, "my-endpoint", "green")
        .await
        .unwrap();
    assert_eq!(green.instance_count(), Some(2));

    let init = client
        .get_logs(
            &ws,
            "my-endpoint",
            "green",
            ContainerType::StorageInitializer,
            Some(100),
        )
        .await
        .unwrap();
    assert!(init.contains("Downloading model"), "{init}");
    let server = client
        .get_logs(
            &ws,
            "my-endpoint",
            "green",
            ContainerType::InferenceServer,
            Some(2),
        )
        .await
        .unwrap();
    assert_eq!(server.lines().count(), 2, "tail is honoured: {server}");

    let skus = client.list_skus(&ws, "my-endpoint", "green").await.unwrap();
    assert_eq!(skus[0].capacity.as_ref().and_then(|c| c.maximum), Some(50));

    let op = client
        .begin_delete_deployment(&ws, "my-endpoint", "green")
        .await
        .unwrap();
    client.wait(&op, &mut no_progress()).await.unwrap();
    let err = client
        .get_deployment(&ws, "my-endpoint", "green")
        .await
        .unwrap_err();
    assert_eq!(api_error(&err), (404, "UserError".to_string()));
}

#[tokio::test]
async fn keys_are_listed_and_regenerated() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let before = client.list_keys(&ws, "my-endpoint").await.unwrap();
    assert!(before.primary_key.as_ref().is_some_and(|k| k.len() >= 32));
    assert!(
        !format!("{before:?}").contains(before.primary_key.as_deref().unwrap()),
        "Debug masks keys"
    );
    let op = client
        .begin_regenerate_key(&ws, "my-endpoint", KeyType::Primary)
        .await
        .unwrap();
    client.wait(&op, &mut no_progress()).await.unwrap();
    let after = client.list_keys(&ws, "my-endpoint").await.unwrap();
    assert_ne!(after.primary_key, before.primary_key);
    assert_eq!(after.secondary_key, before.secondary_key);
    let ep = client.get_endpoint(&ws, "my-endpoint").await.unwrap();
    let credential = client.scoring_credential(&ws, &ep).await.unwrap();
    assert_eq!(Some(credential), after.primary_key);
}

#[tokio::test]
async fn traffic_change_puts_back_fields_the_client_never_heard_of() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    create_green(&client, &ws).await;
    // Give the endpoint fields no version of this client models.
    let mut raw = client.get_endpoint_raw(&ws, "my-endpoint").await.unwrap();
    raw["properties"]["futureRoutingPolicy"] = json!({"sticky": true, "weights": [1, 2]});
    raw["futureTopLevel"] = json!("keep me");
    let op = client
        .begin_put_endpoint(&ws, "my-endpoint", &raw)
        .await
        .unwrap();
    client.wait(&op, &mut no_progress()).await.unwrap();

    let update = client
        .begin_update_split(
            &ws,
            "my-endpoint",
            &SplitChange {
                live: Some(traffic("blue=90 GREEN=10")),
                ..SplitChange::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(update.before.live, traffic("blue=100"));
    assert_eq!(update.after.live, traffic("blue=90 green=10"));
    client
        .wait(&update.operation, &mut no_progress())
        .await
        .unwrap();

    let after = client.get_endpoint_raw(&ws, "my-endpoint").await.unwrap();
    assert_eq!(
        after["properties"]["futureRoutingPolicy"],
        json!({"sticky": true, "weights": [1, 2]})
    );
    assert_eq!(after["futureTopLevel"], "keep me");
    assert_eq!(
        after["properties"]["traffic"],
        json!({"blue": 90, "green": 10})
    );
    // Everything else is as it was, but for the fields the service owns.
    let strip = |v: &Value| {
        let mut v = v.clone();
        v["properties"].as_object_mut().unwrap().remove("traffic");
        v["properties"]
            .as_object_mut()
            .unwrap()
            .remove("provisioningState");
        v.as_object_mut().unwrap().remove("systemData");
        v
    };
    let before = client.get_endpoint_raw(&ws, "my-endpoint").await.unwrap();
    assert_eq!(strip(&before), strip(&after));
    let _ = raw;
}

#[tokio::test]
async fn scaling_puts_back_fields_the_client_never_heard_of() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let mut raw = client
        .get_deployment_raw(&ws, "my-endpoint", "blue")
        .await
        .unwrap();
    raw["properties"]["futureGpuSharing"] = json!({"slices": 7});
    raw["sku"]["futureSkuField"] = json!(true);
    let op = client
        .begin_put_deployment(&ws, "my-endpoint", "blue", &raw)
        .await
        .unwrap();
    client.wait(&op, &mut no_progress()).await.unwrap();

    let op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 2)
        .await
        .unwrap();
    client.wait(&op, &mut no_progress()).await.unwrap();
    let after = client
        .get_deployment_raw(&ws, "my-endpoint", "blue")
        .await
        .unwrap();
    assert_eq!(
        after["properties"]["futureGpuSharing"],
        json!({"slices": 7})
    );
    assert_eq!(after["sku"]["futureSkuField"], json!(true));
    assert_eq!(after["sku"]["capacity"], 2);
}

#[tokio::test]
async fn mirror_change_touches_only_mirror_traffic_and_can_turn_it_off() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    create_green(&client, &ws).await;
    let set = |mirror: &str| SplitChange {
        mirror: Some(traffic(mirror)),
        ..SplitChange::default()
    };
    let update = client
        .begin_update_split(&ws, "my-endpoint", &set("green=10"))
        .await
        .unwrap();
    client
        .wait(&update.operation, &mut no_progress())
        .await
        .unwrap();
    let ep = client.get_endpoint(&ws, "my-endpoint").await.unwrap();
    assert_eq!(
        ep.properties.mirror_traffic,
        Some(BTreeMap::from([("green".to_string(), 10)]))
    );
    assert_eq!(
        ep.properties.traffic,
        Some(BTreeMap::from([("blue".to_string(), 100)]))
    );

    let update = client
        .begin_update_split(&ws, "my-endpoint", &set("green=0"))
        .await
        .unwrap();
    client
        .wait(&update.operation, &mut no_progress())
        .await
        .unwrap();
    let raw = client.get_endpoint_raw(&ws, "my-endpoint").await.unwrap();
    assert_eq!(
        raw["properties"]["mirrorTraffic"],
        json!({}),
        "0% entries are dropped, as az does"
    );
}

#[tokio::test]
async fn a_stale_draft_is_not_sent() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    create_green(&client, &ws).await;
    let draft_base = TrafficSplit {
        live: traffic("blue=100"),
        mirror: TrafficMap::new(),
    };
    // Someone else moves traffic after our draft began.
    let theirs = client
        .begin_update_split(
            &ws,
            "my-endpoint",
            &SplitChange {
                live: Some(traffic("blue=50 green=50")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    client
        .wait(&theirs.operation, &mut no_progress())
        .await
        .unwrap();
    let err = client
        .begin_update_split(
            &ws,
            "my-endpoint",
            &SplitChange {
                live: Some(traffic("blue=90 green=10")),
                mirror: None,
                expect: Some(draft_base),
            },
        )
        .await
        .unwrap_err();
    match err {
        AzureError::StaleSplit { theirs } => assert_eq!(theirs.live, traffic("blue=50 green=50")),
        other => panic!("expected StaleSplit, got {other:?}"),
    }
    let ep = client.get_endpoint(&ws, "my-endpoint").await.unwrap();
    assert_eq!(
        TrafficSplit::from_maps(ep.properties.traffic.as_ref(), None).live,
        traffic("blue=50 green=50"),
        "nothing was sent"
    );
}

/// Sends a raw traffic/mirror proposal through the client's PUT and returns the refusal.
async fn refused(
    client: &AmlClient,
    ws: &aml_rollout::azure::WorkspaceRef,
    live: Value,
    mirror: Value,
) -> (u16, String, String) {
    let mut raw = client.get_endpoint_raw(ws, "my-endpoint").await.unwrap();
    raw["properties"]["traffic"] = live;
    raw["properties"]["mirrorTraffic"] = mirror;
    let err = client
        .begin_put_endpoint(ws, "my-endpoint", &raw)
        .await
        .unwrap_err();
    let (status, code) = api_error(&err);
    (status, code, err.to_string())
}

#[tokio::test]
async fn the_service_enforces_every_traffic_rule() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    create_green(&client, &ws).await;
    let cases = [
        (
            json!({"blue": 90, "green": 20}),
            json!({}),
            400,
            "BadArgument",
            "110",
        ),
        (
            json!({"blue": 90, "green": 5}),
            json!({}),
            400,
            "BadArgument",
            "95",
        ),
        (
            json!({"blue": 100, "green": -0}),
            json!({"green": 60}),
            400,
            "BadArgument",
            "50",
        ),
        (
            json!({"blue": 100, "purple": 0}),
            json!({}),
            404,
            "UserError",
            "purple",
        ),
        (
            json!({"blue": 150, "green": -50}),
            json!({}),
            400,
            "BadArgument",
            "150",
        ),
        (
            json!({"blue": 90, "green": 10}),
            json!({"green": 10}),
            400,
            "BadArgument",
            "green",
        ),
        (
            json!({"blue": 100}),
            json!({"green": 10, "blue": 5}),
            400,
            "BadArgument",
            "one deployment",
        ),
        (
            json!({"blue": "100"}),
            json!({}),
            400,
            "BadArgument",
            "integer",
        ),
        (
            json!({"blue": 99.5, "green": 0.5}),
            json!({}),
            400,
            "BadArgument",
            "integer",
        ),
    ];
    for (live, mirror, status, code, needle) in cases {
        let (got_status, got_code, message) =
            refused(&client, &ws, live.clone(), mirror.clone()).await;
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code),
            "{live} / {mirror}: {message}"
        );
        assert!(
            message.contains(needle),
            "{live} / {mirror}: {message:?} lacks {needle:?}"
        );
    }
    // Valid extremes are accepted: all traffic disabled, and the full mirror limit.
    for (live, mirror) in [
        (json!({}), json!({})),
        (json!({"blue": 100}), json!({"green": 50})),
    ] {
        let mut raw = client.get_endpoint_raw(&ws, "my-endpoint").await.unwrap();
        raw["properties"]["traffic"] = live;
        raw["properties"]["mirrorTraffic"] = mirror;
        let op = client
            .begin_put_endpoint(&ws, "my-endpoint", &raw)
            .await
            .unwrap();
        client.wait(&op, &mut no_progress()).await.unwrap();
    }
}

#[tokio::test]
async fn mirror_is_refused_on_kubernetes_endpoints_and_names_are_checked() {
    let emu = empty().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let k8s = json!({"location": "westus2", "properties": {"authMode": "Key", "compute": "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/computes/aks"}});
    let op = client
        .begin_put_endpoint(&ws, "k8s-ep", &k8s)
        .await
        .unwrap();
    client.wait(&op, &mut no_progress()).await.unwrap();
    let ep = client.get_endpoint(&ws, "k8s-ep").await;
    assert!(ep.is_err() || ep.as_ref().unwrap().is_kubernetes());

    let mut k8s_mirror = k8s.clone();
    k8s_mirror["properties"]["mirrorTraffic"] = json!({"a": 10});
    let err = client
        .begin_put_endpoint(&ws, "k8s-ep2", &k8s_mirror)
        .await
        .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("kubernetes"),
        "{err}"
    );

    let body = json!({"location": "westus2", "properties": {"authMode": "Key"}});
    for bad in [
        "ab",
        "1abc",
        "ends-",
        "has_underscore",
        "a-very-long-endpoint-name-that-is-over-32",
    ] {
        // The client refuses before building a URL…
        let err = client
            .begin_put_endpoint(&ws, bad, &body)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AzureError::InvalidName { .. }) && err.nothing_sent(),
            "{bad} should be refused locally, got {err:?}"
        );
        // …and the emulator refuses too, like the service, when asked directly.
        let status = reqwest::Client::new()
            .put(format!(
                "{}{}/onlineEndpoints/{bad}?api-version={}",
                emu.base_url,
                ws.arm_id(),
                client.api_version()
            ))
            .bearer_auth(&emu.token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(
            status.as_u16(),
            400,
            "{bad} should be refused by the emulator"
        );
    }
    let err = client
        .begin_put_endpoint(
            &ws,
            "no-auth",
            &json!({"location": "westus2", "properties": {}}),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("authMode"), "{err}");
}

#[tokio::test]
async fn a_deployment_with_live_traffic_cannot_be_deleted_and_endpoint_delete_cascades() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let err = client
        .begin_delete_deployment(&ws, "my-endpoint", "blue")
        .await
        .unwrap_err();
    assert_eq!(api_error(&err).0, 400);
    assert!(err.to_string().contains("100% of live traffic"), "{err}");
    assert!(
        client
            .get_deployment(&ws, "my-endpoint", "blue")
            .await
            .is_ok()
    );

    let op = client
        .begin_delete_endpoint(&ws, "my-endpoint")
        .await
        .unwrap();
    client.wait(&op, &mut no_progress()).await.unwrap();
    let err = client
        .list_deployments(&ws, "my-endpoint")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(FailureKind::NotFound));
    // Deleting what is gone is not an error (204).
    let op = client
        .begin_delete_endpoint(&ws, "my-endpoint")
        .await
        .unwrap();
    assert_eq!(op.initial_status.as_u16(), 204);
}

#[tokio::test]
async fn a_second_operation_while_one_runs_gets_409_and_state_shows_progress() {
    let emu = with_operation_time(Duration::from_millis(1500)).await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 2)
        .await
        .unwrap();
    let blue = client
        .get_deployment(&ws, "my-endpoint", "blue")
        .await
        .unwrap();
    assert_eq!(
        blue.properties.provisioning_state.as_deref(),
        Some("Scaling")
    );
    let err = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 3)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(FailureKind::Conflict));
    let err = client
        .begin_update_split(
            &ws,
            "my-endpoint",
            &SplitChange {
                live: Some(traffic("blue=100")),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        Some(FailureKind::Conflict),
        "the endpoint is busy while its deployment scales"
    );
    let mut seen = Vec::new();
    client
        .wait(&op, &mut |p: aml_rollout::azure::LroProgress| {
            seen.push(p.state)
        })
        .await
        .unwrap();
    assert!(seen.iter().any(|s| s == "InProgress"), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("Succeeded"));
    let blue = client
        .get_deployment(&ws, "my-endpoint", "blue")
        .await
        .unwrap();
    assert_eq!(
        blue.properties.provisioning_state.as_deref(),
        Some("Succeeded")
    );
}

#[tokio::test]
async fn every_polling_path_reaches_the_end() {
    let emu = with_operation_time(Duration::from_millis(200)).await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    // Location only.
    let mut op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 2)
        .await
        .unwrap();
    op.async_operation_url = None;
    let mut states = Vec::new();
    client
        .wait(&op, &mut |p: aml_rollout::azure::LroProgress| {
            states.push(p.state)
        })
        .await
        .unwrap();
    assert_eq!(states.last().map(String::as_str), Some("Succeeded"));
    // Neither header: the resource's provisioningState.
    let mut op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 3)
        .await
        .unwrap();
    op.async_operation_url = None;
    op.location_url = None;
    let mut states = Vec::new();
    let result = client
        .wait(&op, &mut |p: aml_rollout::azure::LroProgress| {
            states.push(p.state)
        })
        .await
        .unwrap();
    assert!(states.iter().any(|s| s == "Scaling"), "{states:?}");
    assert_eq!(result.unwrap()["sku"]["capacity"], 3);
    // A delete followed through the resource ends when it is gone.
    create_green(&client, &ws).await;
    let mut op = client
        .begin_delete_deployment(&ws, "my-endpoint", "green")
        .await
        .unwrap();
    op.async_operation_url = None;
    op.location_url = None;
    op.initial_body = Some(json!({"properties": {"provisioningState": "Deleting"}}));
    assert_eq!(client.wait(&op, &mut no_progress()).await.unwrap(), None);
}

#[tokio::test]
async fn a_failed_operation_surfaces_the_service_error() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    // The demo's quota is 100 cores per VM family: 40 four-core instances and Azure's 20%
    // reserve need 192.
    let op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 40)
        .await
        .unwrap();
    let err = client.wait(&op, &mut no_progress()).await.unwrap_err();
    match &err {
        AzureError::OperationFailed { state, detail } => {
            assert_eq!(state, "Failed");
            assert_eq!(detail.code, "OutOfQuota");
            assert!(
                detail.message.contains("Standard_DS3_v2"),
                "{}",
                detail.message
            );
        }
        other => panic!("expected OperationFailed, got {other:?}"),
    }
    let blue = client
        .get_deployment(&ws, "my-endpoint", "blue")
        .await
        .unwrap();
    assert_eq!(
        blue.properties.provisioning_state.as_deref(),
        Some("Failed")
    );
    // The same failure through the Location monitor.
    let mut op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 45)
        .await
        .unwrap();
    op.async_operation_url = None;
    let err = client.wait(&op, &mut no_progress()).await.unwrap_err();
    assert!(matches!(err, AzureError::OperationFailed { .. }), "{err:?}");
    assert_eq!(err.code(), Some("OutOfQuota"), "{err:?}");
}

#[tokio::test]
async fn an_operation_that_outlives_the_timeout_says_so() {
    let emu = with_operation_time(Duration::from_secs(30)).await;
    let client = emu
        .client_with(ClientOptions {
            base_url: emu.base_url.clone(),
            lro: LroPolicy {
                timeout: Duration::from_millis(300),
                default_interval: Duration::from_millis(50),
                ..LroPolicy::default()
            },
            ..ClientOptions::default()
        })
        .unwrap();
    let ws = ws(&emu);
    let op = client
        .begin_scale_deployment(&ws, "my-endpoint", "blue", 2)
        .await
        .unwrap();
    let err = client.wait(&op, &mut no_progress()).await.unwrap_err();
    assert!(
        matches!(err, AzureError::OperationTimeout { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("may yet finish"), "{err}");
}

#[tokio::test]
async fn requests_without_the_token_get_401() {
    let emu = demo().await;
    let ws = ws(&emu);
    let wrong = AmlClient::new(
        StaticCredential::new("not-the-token"),
        ClientOptions {
            base_url: emu.base_url.clone(),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let err = wrong.list_endpoints(&ws).await.unwrap_err();
    assert_eq!(
        api_error(&err),
        (401, "InvalidAuthenticationToken".to_string())
    );
    assert!(err.to_string().contains("az login"), "{err}");
    let url = format!(
        "{}{}/onlineEndpoints?api-version=2025-12-01",
        emu.base_url,
        ws.arm_id()
    );
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
}

#[tokio::test]
async fn the_emulator_answers_arm_style_errors_for_bad_requests() {
    let emu = demo().await;
    let ws = ws(&emu);
    let http = reqwest::Client::new();
    let url = |path: &str, query: &str| format!("{}{}{path}{query}", emu.base_url, ws.arm_id());
    let send = |method: reqwest::Method, u: String, body: &'static str| {
        http.request(method, u)
            .bearer_auth(&emu.token)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases: [(reqwest::Method, String, &str, u16, &str); 7] = [
        (
            reqwest::Method::GET,
            url("/onlineEndpoints", ""),
            "",
            400,
            "MissingApiVersionParameter",
        ),
        (
            reqwest::Method::PUT,
            url("/onlineEndpoints/new-ep", "?api-version=2024-10-01"),
            "{not json",
            400,
            "InvalidRequestContent",
        ),
        (
            reqwest::Method::PUT,
            url("/onlineEndpoints/new-ep", "?api-version=2024-10-01"),
            "",
            400,
            "InvalidRequestContent",
        ),
        (
            reqwest::Method::PUT,
            url("/onlineEndpoints/new-ep", "?api-version=2024-10-01"),
            "[1,2]",
            400,
            "InvalidRequestContent",
        ),
        (
            reqwest::Method::PATCH,
            url("/onlineEndpoints/my-endpoint", "?api-version=2024-10-01"),
            r#"{"properties":{}}"#,
            400,
            "BadArgument",
        ),
        (
            reqwest::Method::GET,
            url(
                "/onlineEndpoints/my-endpoint/bogus",
                "?api-version=2024-10-01",
            ),
            "",
            404,
            "InvalidResourceType",
        ),
        (
            reqwest::Method::POST,
            url(
                "/onlineEndpoints/my-endpoint/deployments/blue/getLogs",
                "?api-version=2026-07-01",
            ),
            r#"{"containerType":"Sidecar"}"#,
            400,
            "BadArgument",
        ),
    ];
    for (method, u, body, status, code) in cases {
        let response = send(method.clone(), u.clone(), body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {u}");
        let envelope: Value = response.json().await.unwrap();
        assert_eq!(envelope["error"]["code"], code, "{method} {u}: {envelope}");
        assert!(
            envelope["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
}

#[tokio::test]
async fn transient_failures_are_retried_until_they_pass() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    emu.emulator.faults.set(FaultProfile {
        management: FaultRates {
            throttle: 0.3,
            server_error: 0.2,
            reset: 0.1,
            retry_after_secs: 0,
            ..FaultRates::default()
        },
        ..FaultProfile::default()
    });
    // With 60% of requests failing at random, each of these still succeeds within the
    // retry budget far more often than not; run enough of them to exercise every path.
    let mut succeeded = 0;
    for _ in 0..20 {
        if client.list_endpoints(&ws).await.is_ok() {
            succeeded += 1;
        }
    }
    assert!(
        succeeded >= 14,
        "only {succeeded}/20 succeeded despite retries"
    );
    emu.emulator.faults.set(FaultProfile::default());
    let no_retry = emu
        .client_with(ClientOptions {
            base_url: emu.base_url.clone(),
            retry: aml_rollout::azure::retry::RetryPolicy::none(),
            ..ClientOptions::default()
        })
        .unwrap();
    emu.emulator.faults.set(FaultProfile {
        management: FaultRates {
            throttle: 1.0,
            retry_after_secs: 7,
            ..FaultRates::default()
        },
        ..FaultProfile::default()
    });
    let err = no_retry.list_endpoints(&ws).await.unwrap_err();
    assert_eq!(err.kind(), Some(FailureKind::Throttled));
    emu.emulator.faults.set(FaultProfile {
        management: FaultRates {
            reset: 1.0,
            ..FaultRates::default()
        },
        ..FaultProfile::default()
    });
    let err = no_retry.list_endpoints(&ws).await.unwrap_err();
    assert!(matches!(err, AzureError::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("connection dropped"), "{err}");
}

#[tokio::test]
async fn a_dead_endpoint_is_a_clear_transport_error() {
    let emu = demo().await;
    let base = emu.base_url.clone();
    emu.stop().await;
    let client = AmlClient::new(
        StaticCredential::new("t"),
        ClientOptions {
            base_url: base.clone(),
            retry: aml_rollout::azure::retry::RetryPolicy {
                max_retries: 1,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(10),
            },
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let ws = aml_rollout::azure::WorkspaceRef::new("s", "r", "w");
    let err = client.list_endpoints(&ws).await.unwrap_err();
    assert!(matches!(err, AzureError::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains(&base), "{err}");
}

#[tokio::test]
async fn the_subscription_is_named_by_arm_subscriptions_api() {
    let emu = demo().await;
    let client = emu.client().unwrap();
    let ws = ws(&emu);
    let sub = client.get_subscription(&ws.subscription).await.unwrap();
    assert_eq!(
        sub.subscription_id.as_deref(),
        Some(ws.subscription.as_str())
    );
    assert_eq!(sub.display_name.as_deref(), Some("Rollout Demo (emulated)"));
    assert_eq!(sub.state.as_deref(), Some("Enabled"));
    let unknown = client
        .get_subscription("11111111-2222-3333-4444-555555555555")
        .await
        .unwrap_err();
    assert_eq!(
        api_error(&unknown),
        (404, "SubscriptionNotFound".to_string())
    );
    let err = client.get_subscription("../x").await.unwrap_err();
    assert!(matches!(err, AzureError::InvalidName { .. }), "{err:?}");
}
