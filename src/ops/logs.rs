//! Tailing a deployment's log: `getLogs` returns only the last N lines, so a tail is a poll
//! loop. One policy for the console's panes and `logs --follow`: poll at the interval while
//! lines arrive, back off (doubling, up to [`MAX_IDLE_WAIT`]) while the log is quiet, back off
//! further while polls fail (never sooner than a 429's `Retry-After`), and give up on failures
//! that retrying cannot fix. Each poll is a POST, which draws on the subscription's write
//! budget, so a quiet log must not cost a request a second.

use std::time::Duration;

use crate::azure::FailureKind;
use crate::azure::model::ContainerType;

use super::apply::Ops;
use super::error::{OpsError, OpsResult};

/// The longest a failing tail waits before trying again.
const MAX_TAIL_BACKOFF: Duration = Duration::from_secs(30);
/// The longest a quiet log waits between polls: a line that appears is shown within this.
pub(crate) const MAX_IDLE_WAIT: Duration = Duration::from_secs(5);

/// What a tail does after a failed poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailVerdict {
    /// Try again after this long.
    RetryIn(Duration),
    /// The deployment is gone or no longer readable: following further is pointless.
    Stop,
}

/// The poll schedule of one tail.
#[derive(Debug, Clone)]
pub struct LogPoller {
    interval: Duration,
    backoff: Duration,
    /// The wait after a poll that brought nothing new.
    idle: Duration,
}

impl LogPoller {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            backoff: interval,
            idle: interval,
        }
    }

    /// After a successful poll: the interval when it brought new lines, else twice the last
    /// quiet wait, up to [`MAX_IDLE_WAIT`] (or the interval, if that is longer).
    pub fn succeeded(&mut self, new_lines: bool) -> Duration {
        self.backoff = self.interval;
        self.idle = if new_lines {
            self.interval
        } else {
            (self.idle * 2).min(MAX_IDLE_WAIT.max(self.interval))
        };
        if new_lines { self.interval } else { self.idle }
    }

    /// The ceiling of the backoff, for a tail that keeps asking after [`TailVerdict::Stop`].
    pub fn longest_wait(&self) -> Duration {
        MAX_TAIL_BACKOFF
    }

    /// After a failed poll.
    pub fn failed(&mut self, error: &OpsError) -> TailVerdict {
        if matches!(
            error.kind(),
            Some(FailureKind::NotFound | FailureKind::Unauthorized | FailureKind::Forbidden)
        ) {
            return TailVerdict::Stop;
        }
        self.backoff = (self.backoff * 2).clamp(Duration::from_secs(1), MAX_TAIL_BACKOFF);
        // Asking again before the service's wait is over only earns another 429.
        let asked = match error {
            OpsError::Azure(e) => e.throttled().flatten().unwrap_or_default(),
            _ => Duration::ZERO,
        };
        TailVerdict::RetryIn(self.backoff.max(asked))
    }
}

impl Ops {
    /// One `getLogs` window: the last `tail` lines of the container's log.
    pub async fn poll_logs(
        &self,
        endpoint: &str,
        deployment: &str,
        container: ContainerType,
        tail: u32,
    ) -> OpsResult<String> {
        Ok(self
            .client
            .get_logs(&self.ws, endpoint, deployment, container, Some(tail))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::AzureError;

    #[test]
    fn failures_back_off_up_to_a_ceiling_and_success_resets() {
        let mut poller = LogPoller::new(Duration::from_secs(1));
        let transient = OpsError::from(AzureError::Transport {
            url: "u".into(),
            reason: "reset".into(),
            sent: true,
        });
        let waits: Vec<TailVerdict> = (0..7).map(|_| poller.failed(&transient)).collect();
        assert_eq!(waits[0], TailVerdict::RetryIn(Duration::from_secs(2)));
        assert_eq!(waits[1], TailVerdict::RetryIn(Duration::from_secs(4)));
        assert_eq!(waits[6], TailVerdict::RetryIn(MAX_TAIL_BACKOFF));
        assert_eq!(poller.succeeded(true), Duration::from_secs(1));
        assert_eq!(
            poller.failed(&transient),
            TailVerdict::RetryIn(Duration::from_secs(2))
        );
    }

    #[test]
    fn a_quiet_log_is_polled_ever_less_often_and_new_lines_bring_it_back() {
        let mut poller = LogPoller::new(Duration::from_millis(500));
        let quiet: Vec<Duration> = (0..6).map(|_| poller.succeeded(false)).collect();
        let ms = |m| Duration::from_millis(m);
        assert_eq!(
            quiet,
            [ms(1000), ms(2000), ms(4000), ms(5000), ms(5000), ms(5000)]
        );
        assert_eq!(poller.succeeded(true), ms(500));
        assert_eq!(poller.succeeded(false), ms(1000));
    }

    #[test]
    fn a_throttled_poll_waits_at_least_what_the_service_asked() {
        let mut poller = LogPoller::new(Duration::from_secs(1));
        let throttled = OpsError::from(AzureError::Throttled {
            retry_after: Some(Duration::from_secs(12)),
            source: Box::new(AzureError::from_response(
                reqwest::StatusCode::TOO_MANY_REQUESTS,
                "u",
                br#"{"error":{"code":"SubscriptionRequestsThrottled","message":"slow"}}"#,
            )),
        });
        assert_eq!(
            poller.failed(&throttled),
            TailVerdict::RetryIn(Duration::from_secs(12))
        );
    }

    #[test]
    fn a_deployment_that_is_gone_stops_the_tail() {
        let mut poller = LogPoller::new(Duration::from_secs(1));
        let gone = OpsError::from(AzureError::from_response(
            reqwest::StatusCode::NOT_FOUND,
            "u",
            br#"{"error":{"code":"NotFound","message":"gone"}}"#,
        ));
        assert_eq!(poller.failed(&gone), TailVerdict::Stop);
    }
}
