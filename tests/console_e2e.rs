//! End to end: the real binary in a pseudo-terminal, attached to an emulator that runs in this
//! test process with synthetic load on, performs the seed's whole blue/green rollout with keys
//! only. After every step the emulator's state is read back through the real client, and the
//! screen is checked to show it before the next step begins (the console's draft would otherwise
//! start from a split it has not seen yet). Everything is asynchronous, so every check waits for
//! a condition to hold; the deadlines only bound a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is the failure report

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::time::{Duration, Instant};

use aml_rollout::azure::model::ContainerType;
use aml_rollout::azure::{AmlClient, WorkspaceRef};
use aml_rollout::emulator::{self, EmulatorConfig, RunningEmulator};
use common::pty::*;

const ENDPOINT: &str = "my-endpoint";
/// Wide enough for two log panes to show a whole request line, timestamp included.
const COLS: u16 = 240;
const ROWS: u16 = 50;
/// Unpinned scoring requests per second: enough for green's 10% to show within seconds, few
/// enough that blue's pane keeps the marker in view for several seconds.
const LOAD_RPS: f64 = 5.0;

/// What the emulator says, through the client.
#[derive(Debug, Default)]
struct Observed {
    /// name → (instance count, provisioning state)
    deployments: BTreeMap<String, (Option<i32>, String)>,
    /// Shares above 0 only: Azure may keep a deployment at 0 in the map or drop it.
    live: BTreeMap<String, i64>,
    mirror: BTreeMap<String, i64>,
}

fn shares(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn non_zero(map: Option<BTreeMap<String, i64>>) -> BTreeMap<String, i64> {
    map.unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .collect()
}

struct Rollout {
    rt: tokio::runtime::Runtime,
    emu: Option<RunningEmulator>,
    client: AmlClient,
    ws: WorkspaceRef,
    pty: Pty,
    _home: tempfile::TempDir,
}

impl Rollout {
    fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let emu = rt
            .block_on(emulator::start(EmulatorConfig {
                load_rps: Some(LOAD_RPS),
                ..EmulatorConfig::for_tests()
            }))
            .expect("emulator starts");
        let client = emu.client().unwrap();
        let ws = emu.workspace.clone();
        // The console reads no config, az defaults or journal of the person running the tests.
        let home = tempfile::tempdir().expect("a temporary home");
        let dir = home.path().to_str().expect("utf-8 temp path").to_string();
        let journal = format!("{dir}/journal.jsonl");
        let az = format!("{dir}/az");
        let pty = Pty::spawn(
            &["--emulator", &emu.base_url, "--emulator-token", &emu.token],
            &[
                ("HOME", &dir),
                ("XDG_CONFIG_HOME", &dir),
                ("XDG_DATA_HOME", &dir),
                ("AZURE_CONFIG_DIR", &az),
                ("AML_ROLLOUT_JOURNAL", &journal),
            ],
            COLS,
            ROWS,
        );
        Self {
            rt,
            emu: Some(emu),
            client,
            ws,
            pty,
            _home: home,
        }
    }

    fn observe(&self) -> Result<Observed, String> {
        self.rt.block_on(async {
            let ep = self
                .client
                .get_endpoint(&self.ws, ENDPOINT)
                .await
                .map_err(|e| e.to_string())?;
            let list = self
                .client
                .list_deployments(&self.ws, ENDPOINT)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Observed {
                deployments: list
                    .iter()
                    .map(|d| {
                        (
                            d.name.clone(),
                            (
                                d.instance_count(),
                                d.properties.provisioning_state.clone().unwrap_or_default(),
                            ),
                        )
                    })
                    .collect(),
                live: non_zero(ep.properties.traffic),
                mirror: non_zero(ep.properties.mirror_traffic),
            })
        })
    }

    /// Polls the emulator until `check` holds; operations finish asynchronously.
    fn emulator_shows(&self, what: &str, check: impl Fn(&Observed) -> bool) -> Observed {
        let start = Instant::now();
        loop {
            let last = self.observe();
            match last {
                Ok(o) if check(&o) => return o,
                _ if start.elapsed() > PATIENCE => panic!(
                    "the emulator never showed {what}; it shows {last:?}\nthe screen is:\n{}",
                    self.pty.screen()
                ),
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn log(&self, deployment: &str) -> String {
        self.rt
            .block_on(self.client.get_logs(
                &self.ws,
                ENDPOINT,
                deployment,
                ContainerType::InferenceServer,
                Some(1000),
            ))
            .unwrap_or_else(|e| panic!("{deployment}'s log through the client: {e}"))
    }

    /// The newest request either deployment has logged.
    fn last_request(&self) -> u64 {
        ["blue", "green"]
            .iter()
            .flat_map(|d| {
                self.log(d)
                    .lines()
                    .filter_map(request_id)
                    .collect::<Vec<_>>()
            })
            .max()
            .unwrap_or(0)
    }
}

impl Drop for Rollout {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            self.rt.block_on(emu.stop());
        }
    }
}

/// The cells of a deployment's row in the deployments table (the row starts right after the
/// endpoints list's border): name, state, instance type, count, live bar, live share, mirror
/// bar, mirror share, requests, errors, p95. A share reads `90%`, or `100→90%` in a draft.
fn row<'a>(screen: &'a str, deployment: &str) -> Option<Vec<&'a str>> {
    let start = format!("││{deployment} ");
    screen.lines().find_map(|line| {
        let at = line.find(&start)?;
        let cells: Vec<&str> = line[at + "││".len()..]
            .split_whitespace()
            .filter(|c| *c != "│")
            .collect();
        (cells.len() >= 8).then_some(cells)
    })
}

/// `(state, instances, live, mirror)` of a row, for readable predicates. Found around the two
/// sliders (`[███░░]`), so optional columns that appear on wide screens do not matter.
fn shown(screen: &str, deployment: &str) -> Option<(String, String, String, String)> {
    let c = row(screen, deployment)?;
    let sliders: Vec<usize> = c
        .iter()
        .enumerate()
        .filter(|(_, t)| t.starts_with('['))
        .map(|(i, _)| i)
        .collect();
    let (live, mirror) = (*sliders.first()?, *sliders.get(1)?);
    Some((
        c[1].to_string(),
        c.get(live.checked_sub(1)?)?.to_string(),
        c.get(live + 1)?.to_string(),
        c.get(mirror + 1)?.to_string(),
    ))
}

fn shows(screen: &str, deployment: &str, live: &str, mirror: &str) -> bool {
    shown(screen, deployment)
        .is_some_and(|(state, _, l, m)| state == "Succeeded" && l == live && m == mirror)
        && !screen.contains(" DRAFT ")
}

/// The log panes sit side by side below the tables, one per half of the screen.
fn panes(pty: &Pty) -> Vec<String> {
    let half = COLS / 2;
    pty.columns(&[(0, half), (half, half)])
}

/// Lines of the pane titled with `deployment`, or nothing if no pane is.
fn pane_lines(halves: &[String], deployment: &str) -> Vec<String> {
    let title = format!("{deployment} · inference-server");
    halves
        .iter()
        .find_map(|half| {
            let lines: Vec<&str> = half.lines().collect();
            let top = lines.iter().position(|l| l.contains(&title))?;
            Some(
                lines[top + 1..]
                    .iter()
                    .take_while(|l| !l.starts_with('└'))
                    .map(|l| {
                        l.trim_matches(|c: char| c == '│' || c.is_whitespace())
                            .to_string()
                    })
                    .collect(),
            )
        })
        .unwrap_or_default()
}

/// The emulator numbers requests in the order they arrive: the last part of the request id.
fn request_id(line: &str) -> Option<u64> {
    let id = line
        .split("x-request-id=")
        .nth(1)?
        .split_whitespace()
        .next()?;
    u64::from_str_radix(id.rsplit('-').next()?, 16).ok()
}

/// Live (not mirrored) requests that the pane shows below `marker`, i.e. that reached the pane
/// after the change was applied.
fn requests_after_marker(lines: &[String], marker: &str) -> Vec<u64> {
    lines
        .iter()
        .skip_while(|l| !l.contains(marker))
        .skip(1)
        .filter(|l| l.contains("POST /score 200") && l.contains(" mirrored=no "))
        .filter_map(|l| request_id(l))
        .collect()
}

fn check<T: Debug + PartialEq>(what: &str, value: T, expected: T) {
    assert_eq!(value, expected, "{what}");
}

#[test]
fn the_seed_rollout_is_performed_with_keys_only() {
    let mut r = Rollout::start();
    let base_url = r.emu.as_ref().expect("running").base_url.clone();

    // The console is attached to this emulator and shows blue at 100%, following its log.
    r.pty.wait_for_text(&base_url);
    r.pty
        .wait_for("blue at 100%", |s| shows(s, "blue", "100%", "0%"));
    r.pty.wait_for_text("blue · inference-server · following");
    let o = r.observe().expect("the emulator answers");
    check("live at the start", o.live, shares(&[("blue", 100)]));
    check(
        "deployments at the start",
        o.deployments.keys().cloned().collect::<Vec<_>>(),
        vec!["blue".to_string()],
    );

    // 1. Scale blue to 2.
    r.pty.send("s");
    r.pty
        .wait_for_text("Scale my-endpoint/blue to how many instances");
    r.pty.keys(&[CTRL_U, "2", ENTER]);
    // The quota figures come first (blue's 8 cores are in use already, 2 instances hold 12); enter again sends.
    r.pty.wait_for_text("needs 4 more cores (12 in all");
    r.pty.wait_for_text("92 free in Standard DSv2 Family");
    r.pty.send(ENTER);
    r.emulator_shows("blue at 2 instances", |o| {
        o.deployments.get("blue") == Some(&(Some(2), "Succeeded".to_string()))
    });
    r.pty.wait_for("blue at 2 instances on screen", |s| {
        shown(s, "blue").is_some_and(|(state, n, _, _)| state == "Succeeded" && n == "2")
    });

    // 2. Create green from the demo's YAML, offered by the dialog.
    r.pty.send("c");
    r.pty.wait_for("the create dialog with green's YAML", |s| {
        s.contains("Create a deployment of my-endpoint") && s.contains("green-deployment.yml")
    });
    r.pty.send(ENTER);
    r.pty
        .wait_for_text("needs 8 cores (incl. 20% reserve), 88 free");
    r.pty.send(ENTER);
    let o = r.emulator_shows("green created", |o| {
        o.deployments.get("green") == Some(&(Some(1), "Succeeded".to_string()))
    });
    check("green is created at 0%", o.live, shares(&[("blue", 100)]));
    r.pty
        .wait_for("green at 0% on screen", |s| shows(s, "green", "0%", "0%"));
    r.pty.wait_for_text("green · inference-server");

    // 3. Invoke green alone: the request is pinned to it, and green answers.
    r.pty.keys(&[DOWN, "i"]);
    r.pty
        .wait_for_text("pinned to green (azureml-model-deployment: green)");
    r.pty.send(ENTER);
    r.pty.wait_for("HTTP 200 answered by green", |s| {
        s.contains("HTTP 200") && s.contains("answered by green")
    });
    // Green takes no traffic and no mirror yet: a live request in its log is ours.
    let start = Instant::now();
    while !r
        .log("green")
        .lines()
        .any(|l| l.contains("POST /score 200") && l.contains(" mirrored=no "))
    {
        assert!(
            start.elapsed() < PATIENCE,
            "the invoke never reached green's log:\n{}",
            r.log("green")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    r.pty.send(ESC);
    r.pty
        .wait_for("the invoke dialog closed", |s| !s.contains(" Invoke "));

    // 4. Mirror 10% to green.
    r.pty.send("m");
    r.pty.wait_for_text("sliders: MIRROR");
    r.pty.send("L");
    r.pty.wait_for("a draft mirroring 10% to green", |s| {
        shown(s, "green").is_some_and(|(_, _, _, m)| m == "0→10%")
    });
    r.pty.send(ENTER);
    r.pty.wait_for("the confirmation", |s| {
        s.contains("Apply this traffic change to my-endpoint?") && s.contains("mirror  0% →")
    });
    r.pty.send(ENTER);
    let o = r.emulator_shows("10% mirrored to green", |o| {
        o.mirror == shares(&[("green", 10)])
    });
    check("live while mirroring", o.live, shares(&[("blue", 100)]));
    r.pty.wait_for("green mirrored on screen", |s| {
        shows(s, "green", "0%", "10%")
    });
    r.pty.wait_for("mirrored copies in green's pane", |_| {
        pane_lines(&panes(&r.pty), "green")
            .iter()
            .any(|l| l.contains(" mirrored=yes "))
    });
    r.pty.send("m");
    r.pty.wait_for_text("sliders: LIVE");

    // 5. 90/10: live traffic onto green clears its mirror in the same change.
    r.pty.send("L");
    r.pty.wait_for("a 90/10 draft", |s| {
        shown(s, "blue").is_some_and(|(_, _, l, _)| l == "100→90%")
            && shown(s, "green").is_some_and(|(_, _, l, m)| l == "0→10%" && m == "10→0%")
    });
    r.pty.send(ENTER);
    r.pty
        .wait_for("the confirmation saying the mirror is cleared", |s| {
            s.contains("Apply this traffic change to my-endpoint?")
                && s.contains("mirror to green cleared: it now takes live traffic")
        });
    r.pty.send(ENTER);
    // Issue 5: both panes get the marker, then requests that arrived after the change below it.
    // Blue's pane scrolls fast, so watching starts at once and each pane's evidence is kept from
    // whichever frame showed it; the emulator says meanwhile when the change landed and which
    // request was the last one before.
    let marker = "-- traffic blue=90 green=10 applied at ";
    let mut after_marker: [BTreeSet<u64>; 2] = Default::default();
    let mut landed_after: Option<u64> = None;
    let start = Instant::now();
    loop {
        let halves = panes(&r.pty);
        for (seen, deployment) in after_marker.iter_mut().zip(["blue", "green"]) {
            seen.extend(requests_after_marker(
                &pane_lines(&halves, deployment),
                marker,
            ));
        }
        if landed_after.is_none()
            && let Ok(o) = r.observe()
            && o.live == shares(&[("blue", 90), ("green", 10)])
        {
            check("no mirror at 90/10", o.mirror, BTreeMap::new());
            landed_after = Some(r.last_request());
        }
        if let Some(last) = landed_after
            && after_marker.iter().all(|s| s.iter().any(|id| *id > last))
        {
            break;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "expected 90/10 in the emulator (after request {landed_after:?}) and, below the \
             marker, newer requests in both panes (blue: {:?}, green: {:?}); the screen is:\n{}",
            after_marker[0],
            after_marker[1],
            r.pty.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    r.pty.wait_for("90/10 on screen", |s| {
        shows(s, "blue", "90%", "0%") && shows(s, "green", "10%", "0%")
    });

    // Blue still takes live traffic: deleting it is refused, with the reason.
    r.pty.keys(&[UP, CTRL_D]);
    r.pty
        .wait_for_text("blue takes 90% of live traffic: move its traffic to 0%");
    assert!(
        !r.pty.screen().contains("Type blue to confirm"),
        "no delete dialog"
    );

    // 6. 0/100.
    r.pty.send(DOWN);
    r.pty.keys(&["L"; 9]);
    r.pty.wait_for("a 0/100 draft", |s| {
        shown(s, "blue").is_some_and(|(_, _, l, _)| l == "90→0%")
            && shown(s, "green").is_some_and(|(_, _, l, _)| l == "10→100%")
    });
    r.pty.send(ENTER);
    r.pty.wait_for("the confirmation", |s| {
        s.contains("Apply this traffic change to my-endpoint?") && s.contains("green=100")
    });
    r.pty.send(ENTER);
    let o = r.emulator_shows("0/100", |o| o.live == shares(&[("green", 100)]));
    check("no mirror at 0/100", o.mirror, BTreeMap::new());
    r.pty.wait_for("0/100 on screen", |s| {
        shows(s, "blue", "0%", "0%") && shows(s, "green", "100%", "0%")
    });

    // 7. Delete blue by typing its name (the dialog opens on Cancel; typing goes to the name).
    r.pty.keys(&[UP, CTRL_D]);
    r.pty.wait_for("the delete dialog", |s| {
        s.contains("This deletes deployment blue of endpoint my-endpoint")
            && s.contains("Type blue to confirm")
            && s.contains("[ Cancel ]")
    });
    r.pty.keys(&["b", "l", "u", "e"]);
    r.pty.wait_for_text("> blue▏");
    r.pty.send(ENTER);
    let o = r.emulator_shows("blue deleted", |o| !o.deployments.contains_key("blue"));
    check(
        "what is left",
        o.deployments,
        BTreeMap::from([("green".to_string(), (Some(1), "Succeeded".to_string()))]),
    );
    check("green takes everything", o.live, shares(&[("green", 100)]));
    r.pty.wait_for("only green on screen", |s| {
        row(s, "blue").is_none()
            && shows(s, "green", "100%", "0%")
            && !s.contains("blue · inference-server")
    });

    // Nothing pending: q quits at once, and the terminal is left as it was found.
    r.pty.send("q");
    let status = r.pty.wait_exit();
    assert!(status.success(), "{status:?}");
}
