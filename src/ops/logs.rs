//! Tailing a deployment's log: `getLogs` returns only the last N lines, so a tail is a poll
//! loop. One policy for the console's panes and `logs --follow`: poll at the interval while
//! polls succeed, back off (doubling, up to a ceiling) while they fail, and give up on failures
//! that retrying cannot fix.

use std::time::Duration;

use crate::azure::FailureKind;
use crate::azure::model::ContainerType;

use super::apply::Ops;
use super::error::{OpsError, OpsResult};

/// The longest a failing tail waits before trying again.
const MAX_TAIL_BACKOFF: Duration = Duration::from_secs(30);

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
}

impl LogPoller {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            backoff: interval,
        }
    }

    /// After a successful poll: wait the interval.
    pub fn succeeded(&mut self) -> Duration {
        self.backoff = self.interval;
        self.interval
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
        TailVerdict::RetryIn(self.backoff)
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
        assert_eq!(poller.succeeded(), Duration::from_secs(1));
        assert_eq!(
            poller.failed(&transient),
            TailVerdict::RetryIn(Duration::from_secs(2))
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
