//! The worker's contract, against the real emulator over HTTP: for each command, the messages
//! it sends back (in order, each carrying the command's id), what it journals, and that the
//! console's journal records are the headless commands' records.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;
mod headless_common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aml_rollout::app::ids::{OpId, RequestId, TailerId};
use aml_rollout::app::msg::QuotaQuestion;
use aml_rollout::app::{Cmd, Msg};
use aml_rollout::azure::model::ContainerType;
use aml_rollout::journal::{Journal, JournalEntry, OutcomeStatus};
use aml_rollout::ops::OpsError;
use aml_rollout::rollout::{KeySlot, TrafficMap, TrafficSplit, parse_traffic};
use aml_rollout::worker::Worker;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const ENDPOINT: &str = "my-endpoint";

fn demo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}

fn split(live: &str, mirror: &str) -> TrafficSplit {
    TrafficSplit {
        live: parse_or_empty(live),
        mirror: parse_or_empty(mirror),
    }
}

/// An empty map for "", as a split in a test reads more plainly that way.
fn parse_or_empty(text: &str) -> TrafficMap {
    if text.is_empty() {
        TrafficMap::new()
    } else {
        parse_traffic(text).expect("a split")
    }
}

struct Rig {
    worker: Worker,
    rx: UnboundedReceiver<Msg>,
    journal: Journal,
    _dir: tempfile::TempDir,
}

fn rig(emulator: &aml_rollout::emulator::RunningEmulator) -> Rig {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Journal::open(dir.path().join("journal.jsonl"));
    let (tx, rx) = unbounded_channel();
    let client = Arc::new(emulator.client().expect("client"));
    let worker = Worker::new(
        client,
        emulator.workspace.clone(),
        tx,
        Some(journal.clone()),
        format!("emulator {}", emulator.base_url),
        Duration::from_millis(100),
    );
    Rig {
        worker,
        rx,
        journal,
        _dir: dir,
    }
}

impl Rig {
    /// Runs one command to its end and returns every message it sent.
    async fn run(&mut self, cmd: Cmd) -> Vec<Msg> {
        self.worker.run(cmd).await;
        let mut out = Vec::new();
        while let Ok(msg) = self.rx.try_recv() {
            out.push(msg);
        }
        out
    }

    fn journal(&self) -> Vec<JournalEntry> {
        self.journal.read_all().expect("journal readable")
    }
}

/// The messages of an operation: progress for `op` only, then exactly one finish for `op`.
fn finished(messages: &[Msg], op: OpId) -> &Result<String, OpsError> {
    let (last, progress) = messages.split_last().expect("at least one message");
    for m in progress {
        assert!(
            matches!(m, Msg::OperationProgress { op: o, .. } if *o == op),
            "only progress of {op} before the end, got {m:?}"
        );
    }
    match last {
        Msg::OperationFinished { op: o, outcome } if *o == op => outcome,
        other => panic!("expected the end of {op}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers_with_its_own_id_and_journals_its_change() {
    let emulator = common::demo().await;
    let mut rig = rig(&emulator);

    let messages = rig
        .run(Cmd::Refresh {
            request: RequestId(1),
        })
        .await;
    // The first refresh also names the subscription, for the title.
    match &messages[..] {
        [
            Msg::SubscriptionNamed(name),
            Msg::Loaded {
                request,
                result: Ok(loaded),
            },
        ] => {
            assert_eq!(name, "Rollout Demo (emulated)");
            assert_eq!(*request, RequestId(1));
            assert!(loaded.endpoints.iter().any(|e| e.name == ENDPOINT));
        }
        other => panic!("{other:?}"),
    }
    let again = rig
        .run(Cmd::Refresh {
            request: RequestId(100),
        })
        .await;
    assert!(
        matches!(&again[..], [Msg::Loaded { .. }]),
        "named once per target: {again:?}"
    );

    // One endpoint, its deployments, then their health from the same reads.
    let messages = rig
        .run(Cmd::RefreshEndpoint {
            request: RequestId(2),
            endpoint: ENDPOINT.into(),
        })
        .await;
    assert!(
        matches!(&messages[..], [
            Msg::EndpointLoaded { request: RequestId(2), result: Ok(Some((ep, ds))), .. },
            Msg::MetricsLoaded { request: RequestId(2), result: Ok(h), .. },
        ] if ep.name == ENDPOINT && ds.iter().any(|d| d.name == "blue") && h.deployments.iter().any(|d| d.name == "blue")),
        "{messages:?}"
    );
    let messages = rig
        .run(Cmd::RefreshEndpoint {
            request: RequestId(2),
            endpoint: "no-such-endpoint".into(),
        })
        .await;
    assert!(
        matches!(
            &messages[..],
            [Msg::EndpointLoaded {
                result: Ok(None),
                ..
            }]
        ),
        "an endpoint that is gone is said to be gone: {messages:?}"
    );
    let messages = rig
        .run(Cmd::RefreshEndpoints {
            request: RequestId(2),
        })
        .await;
    assert!(
        matches!(&messages[..], [Msg::EndpointsLoaded { request: RequestId(2), result: Ok(list) }] if list.iter().any(|e| e.name == ENDPOINT)),
        "{messages:?}"
    );

    let messages = rig
        .run(Cmd::Scale {
            op: OpId(3),
            endpoint: ENDPOINT.into(),
            deployment: "blue".into(),
            instances: 2,
        })
        .await;
    assert!(finished(&messages, OpId(3)).is_ok(), "{messages:?}");

    // Out of the service's limits: refused before anything is sent, and journaled as refused
    // by neither side (nothing was attempted).
    let messages = rig
        .run(Cmd::Scale {
            op: OpId(4),
            endpoint: ENDPOINT.into(),
            deployment: "blue".into(),
            instances: 51,
        })
        .await;
    assert!(
        matches!(finished(&messages, OpId(4)), Err(OpsError::Invalid(m)) if m.contains("from 1 to 50")),
        "{messages:?}"
    );

    let messages = rig
        .run(Cmd::CreateDeployment {
            op: OpId(5),
            endpoint: ENDPOINT.into(),
            file: demo_file("green-deployment.yml"),
            force_update: false,
        })
        .await;
    assert!(finished(&messages, OpId(5)).is_ok(), "{messages:?}");
    // Again: refused, nothing sent, the reason says what to do instead.
    let messages = rig
        .run(Cmd::CreateDeployment {
            op: OpId(6),
            endpoint: ENDPOINT.into(),
            file: demo_file("green-deployment.yml"),
            force_update: false,
        })
        .await;
    assert!(
        matches!(finished(&messages, OpId(6)), Err(e @ OpsError::Invalid(m)) if m.contains("already exists") && e.nothing_sent()),
        "{messages:?}"
    );

    // A draft that began from a split the endpoint no longer has: not sent, the worker says
    // what the endpoint has now, and nothing else.
    let messages = rig
        .run(Cmd::ApplySplit {
            op: OpId(7),
            endpoint: ENDPOINT.into(),
            base: split("blue=50 green=50", ""),
            target: split("blue=90 green=10", ""),
        })
        .await;
    match &messages[..] {
        [
            Msg::SplitStale {
                op,
                endpoint,
                theirs,
            },
        ] => {
            assert_eq!(*op, OpId(7));
            assert_eq!(endpoint, ENDPOINT);
            assert_eq!(theirs.normalized(), split("blue=100", ""));
        }
        other => panic!("{other:?}"),
    }

    let messages = rig
        .run(Cmd::ApplySplit {
            op: OpId(8),
            endpoint: ENDPOINT.into(),
            base: split("blue=100", ""),
            target: split("blue=90 green=10", ""),
        })
        .await;
    assert!(finished(&messages, OpId(8)).is_ok(), "{messages:?}");

    let messages = rig
        .run(Cmd::Invoke {
            request: RequestId(9),
            endpoint: ENDPOINT.into(),
            deployment: Some("green".into()),
            file: demo_file("sample-request.json"),
        })
        .await;
    match &messages[..] {
        [
            Msg::InvokeFinished {
                request,
                outcome: Ok(answer),
            },
        ] => {
            assert_eq!(*request, RequestId(9));
            assert_eq!(answer.status, 200);
            assert_eq!(answer.deployment.as_deref(), Some("green"));
        }
        other => panic!("{other:?}"),
    }
    // Pinned to a deployment that does not exist: refused before anything is sent.
    let messages = rig
        .run(Cmd::Invoke {
            request: RequestId(10),
            endpoint: ENDPOINT.into(),
            deployment: Some("purple".into()),
            file: demo_file("sample-request.json"),
        })
        .await;
    assert!(
        matches!(&messages[..], [Msg::InvokeFinished { request: RequestId(10), outcome: Err(OpsError::Invalid(m)) }] if m.contains("purple not found")),
        "{messages:?}"
    );

    // The same request to every deployment: the demo's models answer differently; nothing
    // is journaled.
    let journaled = rig.journal().len();
    let messages = rig
        .run(Cmd::Compare {
            request: RequestId(20),
            endpoint: ENDPOINT.into(),
            file: demo_file("sample-request.json"),
        })
        .await;
    match &messages[..] {
        [
            Msg::CompareFinished {
                request: RequestId(20),
                outcome: Ok(report),
            },
        ] => {
            assert_eq!(report.deployments, ["blue", "green"]);
            assert!(!report.all_agree(), "{report:?}");
            assert!(
                report.cases[0].answers[1].difference_count > 0,
                "{report:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rig.journal().len(),
        journaled,
        "a comparison journals nothing"
    );

    let messages = rig
        .run(Cmd::LoadKeys {
            request: RequestId(11),
            endpoint: ENDPOINT.into(),
        })
        .await;
    let before = match &messages[..] {
        [
            Msg::KeysLoaded {
                request: RequestId(11),
                result: Ok(keys),
                ..
            },
        ] => keys.primary.clone(),
        other => panic!("{other:?}"),
    };
    let messages = rig
        .run(Cmd::RegenerateKey {
            op: OpId(12),
            request: RequestId(13),
            endpoint: ENDPOINT.into(),
            key: KeySlot::Primary,
        })
        .await;
    let (keys, operation) = messages.split_last().expect("messages");
    assert!(finished(operation, OpId(12)).is_ok(), "{messages:?}");
    match keys {
        Msg::KeysLoaded {
            request: RequestId(13),
            result: Ok(keys),
            ..
        } => {
            assert!(keys.primary.is_some());
            assert_ne!(keys.primary, before, "the primary key changed");
        }
        other => panic!("{other:?}"),
    }

    // The service refuses to delete a deployment that takes traffic; its reason comes back.
    let messages = rig
        .run(Cmd::Delete {
            op: OpId(14),
            endpoint: ENDPOINT.into(),
            deployment: Some("blue".into()),
        })
        .await;
    assert!(
        matches!(finished(&messages, OpId(14)), Err(e @ OpsError::Azure(_)) if !e.nothing_sent()),
        "{messages:?}"
    );

    let messages = rig
        .run(Cmd::LoadJournal {
            request: RequestId(15),
        })
        .await;
    assert!(
        matches!(&messages[..], [Msg::JournalLoaded { request: RequestId(15), result: Ok(page) }]
            if page.records.iter().any(|r| r.action == "traffic" && r.change.contains(" → "))),
        "{messages:?}"
    );

    // Every change that was sent is journaled with its outcome; refusals before sending too,
    // except a stale draft's (its dialog is the record).
    let journal = rig.journal();
    let actions: Vec<(&str, OutcomeStatus)> = journal
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.status))
        .collect();
    assert_eq!(
        actions,
        [
            ("deployment scale", OutcomeStatus::Ok),
            ("deployment create", OutcomeStatus::Ok),
            ("traffic", OutcomeStatus::Ok),
            ("endpoint regenerate-keys", OutcomeStatus::Ok),
            ("deployment delete", OutcomeStatus::Failed),
        ]
    );
    let serialized = std::fs::read_to_string(rig.journal.path()).expect("journal file");
    assert!(
        !serialized.contains(before.as_deref().unwrap_or("no key")),
        "no key in the journal"
    );

    emulator.stop().await;
}

/// The quota check of the scale and create dialogs: figures from the region's usages and
/// sizes, with nothing sent and nothing journaled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_checks_answer_with_the_figures_and_send_nothing() {
    let emulator = common::demo().await;
    let mut rig = rig(&emulator);
    let quota_line = |messages: &[Msg], request: RequestId| match messages {
        [
            Msg::QuotaChecked {
                request: r,
                result: Ok(check),
            },
        ] if *r == request => (check.line(), check.blocks()),
        other => panic!("expected the check's answer: {other:?}"),
    };
    let messages = rig
        .run(Cmd::CheckQuota {
            request: RequestId(1),
            question: QuotaQuestion::Scale {
                endpoint: ENDPOINT.into(),
                deployment: "blue".into(),
                instances: 30,
            },
        })
        .await;
    assert_eq!(
        quota_line(&messages, RequestId(1)),
        (
            "needs 136 more cores (144 in all, incl. 20% reserve), 92 free in Standard DSv2 Family"
                .to_string(),
            true
        )
    );
    let messages = rig
        .run(Cmd::CheckQuota {
            request: RequestId(2),
            question: QuotaQuestion::CreateDeployment {
                endpoint: ENDPOINT.into(),
                file: demo_file("green-deployment.yml"),
            },
        })
        .await;
    assert_eq!(
        quota_line(&messages, RequestId(2)),
        (
            "needs 8 cores (incl. 20% reserve), 92 free in Standard DSv2 Family".to_string(),
            false
        )
    );
    // A file that cannot be read is the change's own refusal, not an unknown quota.
    let messages = rig
        .run(Cmd::CheckQuota {
            request: RequestId(3),
            question: QuotaQuestion::CreateDeployment {
                endpoint: ENDPOINT.into(),
                file: demo_file("no-such.yml"),
            },
        })
        .await;
    assert!(
        matches!(
            &messages[..],
            [Msg::QuotaChecked {
                request: RequestId(3),
                result: Err(OpsError::File(_))
            }]
        ),
        "{messages:?}"
    );
    let client = emulator.client().expect("client");
    let blue = client
        .get_deployment(&emulator.workspace, ENDPOINT, "blue")
        .await
        .expect("blue");
    assert_eq!(blue.instance_count(), Some(1), "nothing was sent");
    assert!(
        client
            .get_deployment(&emulator.workspace, ENDPOINT, "green")
            .await
            .is_err(),
        "green was not created"
    );
    assert!(rig.journal().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tails_send_windows_until_stopped_and_failures_arrive_typed() {
    let emulator = common::demo().await;
    let mut rig = rig(&emulator);
    rig.worker.spawn(Cmd::StartTail {
        tailer: TailerId(1),
        endpoint: ENDPOINT.into(),
        deployment: "blue".into(),
        container: ContainerType::InferenceServer,
        tail: 50,
    });
    let first = tokio::time::timeout(Duration::from_secs(20), rig.rx.recv())
        .await
        .expect("a window in time")
        .expect("channel open");
    assert!(
        matches!(
            first,
            Msg::LogWindow {
                tailer: TailerId(1),
                ..
            }
        ),
        "{first:?}"
    );
    rig.worker.spawn(Cmd::StopTail {
        tailer: TailerId(1),
    });

    // With the service gone, reads fail, and say so: never zeros.
    emulator.stop().await;
    while rig.rx.try_recv().is_ok() {}
    let messages = rig
        .run(Cmd::RefreshEndpoint {
            request: RequestId(2),
            endpoint: ENDPOINT.into(),
        })
        .await;
    assert!(
        matches!(
            &messages[..],
            [Msg::EndpointLoaded {
                request: RequestId(2),
                result: Err(OpsError::Azure(_)),
                ..
            }]
        ),
        "{messages:?}"
    );
    let messages = rig
        .run(Cmd::Refresh {
            request: RequestId(3),
        })
        .await;
    assert!(
        matches!(
            &messages[..],
            [Msg::Loaded {
                request: RequestId(3),
                result: Err(_)
            }]
        ),
        "{messages:?}"
    );
}

/// The console (through the worker) and `aml-rollout traffic` make the same change: their
/// journal records are identical but for the time and the target's label.
#[test]
fn the_console_and_the_commands_journal_identical_records() {
    let cli = headless_common::Harness::start();
    let run = cli.run(&[
        "deployment",
        "create",
        "-f",
        &headless_common::repo_file("assets/demo/green-deployment.yml"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = cli.run(&["traffic", "-e", ENDPOINT, "blue=90 green=10"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_cli = Journal::open(cli.sandbox.journal_path())
        .read_all()
        .expect("cli journal");

    let from_console = cli.block_on(async {
        let emulator = common::demo().await;
        let mut rig = rig(&emulator);
        let created = rig
            .run(Cmd::CreateDeployment {
                op: OpId(1),
                endpoint: ENDPOINT.into(),
                file: PathBuf::from(headless_common::repo_file(
                    "assets/demo/green-deployment.yml",
                )),
                force_update: false,
            })
            .await;
        assert!(finished(&created, OpId(1)).is_ok(), "{created:?}");
        let applied = rig
            .run(Cmd::ApplySplit {
                op: OpId(2),
                endpoint: ENDPOINT.into(),
                base: split("blue=100", ""),
                target: split("blue=90 green=10", ""),
            })
            .await;
        assert!(finished(&applied, OpId(2)).is_ok(), "{applied:?}");
        emulator.stop().await;
        rig.journal()
    });

    let comparable = |e: &JournalEntry| {
        (
            e.endpoint.clone(),
            e.deployment.clone(),
            e.action.clone(),
            e.before.clone(),
            e.after.clone(),
            e.outcome.status,
            e.az_command.clone(),
        )
    };
    assert_eq!(from_cli.len(), 2);
    assert_eq!(
        from_cli.iter().map(comparable).collect::<Vec<_>>(),
        from_console.iter().map(comparable).collect::<Vec<_>>()
    );
    assert_eq!(
        from_cli[1].az_command.as_deref(),
        Some("az ml online-endpoint update --name my-endpoint --traffic \"blue=90 green=10\"")
    );
}
