//! The health model on synthetic series.

use super::*;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid time")
        .with_timezone(&Utc)
}

/// `ok`, `4xx`, `5xx` requests and a p95 in each minute from `first` (HH:MM) on.
fn fill(
    series: &mut HealthSeries,
    deployment: &str,
    first: &str,
    minutes: &[(u64, u64, u64, f64)],
) {
    let start = at(&format!("2026-05-01T{first}:00Z"));
    for (i, (ok, client, server, p95)) in minutes.iter().enumerate() {
        let t = start + chrono::Duration::minutes(i as i64);
        series.add_requests(deployment, t, StatusClass::from_dimension("2xx"), *ok);
        series.add_requests(deployment, t, StatusClass::from_dimension("4xx"), *client);
        series.add_requests(deployment, t, StatusClass::from_dimension("5xx"), *server);
        series.set_latency(deployment, t, Percentile::P95, *p95);
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn windows_end_at_the_last_complete_minute_and_split_errors_by_class() {
    let mut s = HealthSeries::default();
    // 12:00..12:05 complete, 12:06 in progress.
    fill(
        &mut s,
        "Blue",
        "12:00",
        &[
            (100, 0, 0, 10.0),
            (100, 0, 0, 10.0),
            (90, 5, 5, 20.0),
            (100, 0, 0, 10.0),
            (100, 0, 0, 10.0),
            (60, 0, 40, 40.0),
            (7, 0, 0, 99.0),
        ],
    );
    let now = at("2026-05-01T12:06:20Z");
    let t = HealthThresholds::default();
    let one = assess(&s, &names(&["blue"]), None, Window::LastMinute, &t, now);
    let anchor = one.anchor.expect("data");
    assert_eq!(anchor.as_of, at("2026-05-01T12:06:00Z"));
    assert_eq!(anchor.age_secs(now), 20);
    assert_eq!(anchor.describe(now), "as of 12:06:00 UTC, 20 s ago");
    let blue = one.deployments[0].stats;
    assert_eq!(
        (blue.requests, blue.samples, blue.window_secs),
        (100, 1, 60)
    );
    assert_eq!(blue.server_error_percent(), Some(40.0));
    assert_eq!(blue.client_error_percent(), Some(0.0));
    assert_eq!(blue.rate_per_minute(), Some(100.0));

    let five = assess(
        &s,
        &names(&["blue"]),
        None,
        Window::LastFiveMinutes,
        &t,
        now,
    );
    let blue = five.deployments[0].stats;
    assert_eq!(
        (blue.requests, blue.samples, blue.window_secs),
        (500, 5, 300)
    );
    assert_eq!((blue.client_errors, blue.server_errors), (5, 45));
    assert_eq!(blue.error_percent(), Some(10.0));
    // Request-weighted: (100*20 + 300*10 + 100*40) / 500.
    assert_eq!(blue.p95_ms, Some(18.0));
}

#[test]
fn lagging_data_is_shown_with_its_age_never_as_zero_traffic() {
    let mut s = HealthSeries::default();
    fill(
        &mut s,
        "blue",
        "12:00",
        &[(50, 0, 0, 10.0), (60, 0, 0, 10.0)],
    );
    // Azure Monitor is three minutes behind: nothing after 12:01 has arrived yet.
    let now = at("2026-05-01T12:05:10Z");
    let r = assess(
        &s,
        &names(&["blue"]),
        Some("blue"),
        Window::LastMinute,
        &HealthThresholds::default(),
        now,
    );
    let anchor = r.anchor.expect("data");
    assert_eq!(anchor.as_of, at("2026-05-01T12:02:00Z"));
    assert_eq!(anchor.age_secs(now), 190);
    assert_eq!(r.deployments[0].stats.requests, 60);
    assert_eq!(r.deployments[0].verdict, Verdict::Baseline);
}

#[test]
fn the_minute_in_progress_counts_only_when_the_one_before_is_empty() {
    let mut s = HealthSeries::default();
    fill(&mut s, "green", "12:00", &[(30, 0, 0, 10.0)]);
    let now = at("2026-05-01T12:00:30Z");
    let r = assess(
        &s,
        &names(&["green"]),
        None,
        Window::LastMinute,
        &HealthThresholds::default(),
        now,
    );
    let green = r.deployments[0].stats;
    assert_eq!(green.window_secs, 30);
    assert_eq!(green.rate_per_minute(), Some(60.0), "30 in 30 s");
    assert_eq!(r.anchor.map(|a| a.age_secs(now)), Some(0));
    // Five minutes of a series 30 s old cover those 30 s: the rate is not spread thin.
    let five = assess(
        &s,
        &names(&["green"]),
        None,
        Window::LastFiveMinutes,
        &HealthThresholds::default(),
        now,
    );
    assert_eq!(five.deployments[0].stats.window_secs, 30);
    assert_eq!(five.deployments[0].stats.rate_per_minute(), Some(60.0));
}

#[test]
fn since_a_change_starts_at_the_next_whole_minute() {
    let mut s = HealthSeries::default();
    fill(
        &mut s,
        "green",
        "12:00",
        &[(100, 0, 0, 10.0), (70, 0, 30, 10.0), (70, 0, 30, 10.0)],
    );
    let now = at("2026-05-01T12:03:05Z");
    let t = HealthThresholds::default();
    let since = Window::Since(at("2026-05-01T12:00:40Z"));
    assert_eq!(since.describe(), "since 12:00:40 UTC");
    let r = assess(&s, &names(&["green"]), None, since, &t, now);
    let green = r.deployments[0].stats;
    assert_eq!((green.requests, green.samples), (200, 2));
    assert_eq!(green.error_percent(), Some(30.0));
    // A change newer than the data: nothing to show yet, and no invented zeros.
    let later = Window::Since(at("2026-05-01T12:03:01Z"));
    let r = assess(&s, &names(&["green"]), None, later, &t, now);
    assert_eq!(r.deployments[0].stats, WindowStats::default());
    assert_eq!(r.deployments[0].stats.error_percent(), None);
    assert_eq!(r.deployments[0].stats.rate_per_minute(), None);
    assert_eq!(r.deployments[0].verdict, Verdict::NotEnoughData);
}

#[test]
fn green_is_judged_against_the_baseline_over_the_same_window() {
    let mut s = HealthSeries::default();
    fill(
        &mut s,
        "blue",
        "12:00",
        &[(100, 0, 0, 20.0), (100, 0, 0, 20.0)],
    );
    fill(
        &mut s,
        "green",
        "12:00",
        &[(70, 0, 30, 20.0), (70, 0, 30, 20.0)],
    );
    fill(
        &mut s,
        "slow",
        "12:00",
        &[(100, 0, 0, 50.0), (100, 0, 0, 50.0)],
    );
    fill(
        &mut s,
        "fine",
        "12:00",
        &[(99, 1, 0, 22.0), (100, 0, 0, 22.0)],
    );
    fill(&mut s, "new", "12:01", &[(5, 0, 0, 20.0)]);
    let now = at("2026-05-01T12:02:30Z");
    let live: TrafficMap = [("blue".to_string(), 60), ("green".to_string(), 40)].into();
    let baseline = default_baseline(&live);
    assert_eq!(baseline.as_deref(), Some("blue"));
    let r = assess(
        &s,
        &names(&["blue", "green", "slow", "fine", "new"]),
        baseline.as_deref(),
        Window::LastFiveMinutes,
        &HealthThresholds::default(),
        now,
    );
    let by = |n: &str| {
        r.deployments
            .iter()
            .find(|d| d.name == n)
            .expect("listed")
            .clone()
    };
    assert_eq!(by("blue").verdict, Verdict::Baseline);
    let green = by("green");
    assert_eq!(green.verdict, Verdict::Worse);
    let cmp = green.comparison.expect("compared");
    assert_eq!(cmp.baseline, "blue");
    assert_eq!(cmp.error_delta_points, Some(30.0));
    assert_eq!(cmp.p95_ratio, Some(1.0));
    assert!(
        green.reasons[0].contains("errors 30.0% against 0.0% on blue: +30.0 points (over"),
        "{:?}",
        green.reasons
    );
    let slow = by("slow");
    assert_eq!(slow.verdict, Verdict::Worse);
    assert!(
        slow.reasons[1].contains("2.50x (over"),
        "{:?}",
        slow.reasons
    );
    assert_eq!(by("fine").verdict, Verdict::Ok);
    let new = by("new");
    assert_eq!(new.verdict, Verdict::NotEnoughData);
    assert_eq!(
        new.reasons,
        ["it has 5 requests in the window; a verdict needs at least 20"]
    );
}

#[test]
fn a_baseline_without_enough_data_gives_no_verdict() {
    let mut s = HealthSeries::default();
    fill(&mut s, "blue", "12:00", &[(3, 0, 0, 20.0)]);
    fill(&mut s, "green", "12:00", &[(100, 0, 0, 20.0)]);
    let now = at("2026-05-01T12:01:30Z");
    let t = HealthThresholds::default();
    let both = names(&["blue", "green"]);
    let r = assess(&s, &both, Some("BLUE"), Window::LastMinute, &t, now);
    assert_eq!(r.deployments[0].verdict, Verdict::NotEnoughData);
    assert_eq!(r.deployments[1].verdict, Verdict::NotEnoughData);
    assert!(r.deployments[1].reasons[0].starts_with("baseline blue has 3 requests"));
    let none = assess(&s, &both, None, Window::LastMinute, &t, now);
    assert_eq!(
        none.deployments[1].reasons,
        ["no deployment takes live traffic to compare with"]
    );
    assert_eq!(
        assess(
            &HealthSeries::default(),
            &both,
            None,
            Window::LastMinute,
            &t,
            now
        )
        .anchor,
        None
    );
}

#[test]
fn the_default_baseline_takes_the_most_live_traffic() {
    let split = |pairs: &[(&str, u32)]| -> TrafficMap {
        pairs.iter().map(|(n, p)| ((*n).to_string(), *p)).collect()
    };
    assert_eq!(
        default_baseline(&split(&[("blue", 10), ("green", 90)])).as_deref(),
        Some("green")
    );
    assert_eq!(
        default_baseline(&split(&[("blue", 50), ("green", 50)])).as_deref(),
        Some("blue")
    );
    assert_eq!(default_baseline(&split(&[("blue", 0)])), None);
}
