//! One pause for every request of a client after Azure answers 429. Resource Manager's limits
//! are per subscription, so once one request is throttled every other one (a refresh, a metrics
//! query, a log poll) would be too, and each retry before the wait is over only earns another
//! 429 and keeps the bucket empty. The pause lasts at least the server's `Retry-After`, and is
//! published so that the console can say why it is quiet.

use std::time::{Duration, Instant};

use tokio::sync::watch;

/// The longest pause one 429 imposes: a bogus `Retry-After` must not freeze the client.
const MAX_THROTTLE_PAUSE: Duration = Duration::from_secs(120);

/// When requests may go again; `None` (or a past instant) when they may go now.
#[derive(Debug)]
pub(crate) struct ThrottleGate {
    until: watch::Sender<Option<Instant>>,
}

impl ThrottleGate {
    pub(crate) fn new() -> Self {
        Self {
            until: watch::Sender::new(None),
        }
    }

    /// Returns once no pause is in force. A 429 seen while waiting extends the wait.
    pub(crate) async fn wait(&self) {
        loop {
            let until = *self.until.borrow();
            match until {
                Some(until) if until > Instant::now() => {
                    tokio::time::sleep_until(until.into()).await;
                }
                _ => return,
            }
        }
    }

    /// A 429: no request goes for `pause` from now. A longer pause already in force stays.
    pub(crate) fn throttled(&self, pause: Duration) {
        let until = Instant::now() + pause.min(MAX_THROTTLE_PAUSE);
        self.until.send_if_modified(|current| {
            if current.is_none_or(|c| c < until) {
                *current = Some(until);
                true
            } else {
                false
            }
        });
    }

    /// Every new pause, as the instant it ends.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Option<Instant>> {
        self.until.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pause_is_published_capped_and_never_shrinks() {
        let gate = ThrottleGate::new();
        // No pause: no wait (a hang here fails the test by its timeout).
        gate.wait().await;
        let mut news = gate.subscribe();
        gate.throttled(Duration::from_secs(12));
        assert!(news.has_changed().unwrap_or(false));
        let first = (*news.borrow_and_update()).expect("published");
        gate.throttled(Duration::from_secs(3));
        assert!(
            !news.has_changed().unwrap_or(true),
            "a shorter pause does not replace a longer one"
        );
        assert_eq!(*gate.until.borrow(), Some(first));
        gate.throttled(Duration::from_secs(3600));
        let capped = (*news.borrow_and_update()).expect("published");
        assert!(capped > first && capped <= Instant::now() + MAX_THROTTLE_PAUSE);
    }

    #[tokio::test]
    async fn a_request_waits_out_the_pause() {
        let gate = ThrottleGate::new();
        gate.throttled(Duration::from_millis(200));
        let until = (*gate.subscribe().borrow()).expect("pause");
        gate.wait().await;
        assert!(Instant::now() >= until, "returned before the pause ended");
    }
}
