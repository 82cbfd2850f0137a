//! Each deployment's container logs: bounded rings of lines, written by what the emulator does
//! (creation, scaling, requests served), read by `getLogs`.

use std::collections::VecDeque;

use chrono::{SecondsFormat, Utc};

use crate::azure::model::ContainerType;

/// Lines kept per container; older lines fall off, as on a real node.
pub const LOG_RING_LINES: usize = 20_000;

#[derive(Debug)]
pub struct ContainerLogs {
    /// Lines kept per container.
    capacity: usize,
    inference_server: VecDeque<String>,
    storage_initializer: VecDeque<String>,
}

impl Default for ContainerLogs {
    fn default() -> Self {
        Self::with_capacity(LOG_RING_LINES)
    }
}

impl ContainerLogs {
    /// Rings that keep at most `capacity` lines per container (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inference_server: VecDeque::new(),
            storage_initializer: VecDeque::new(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn ring(&mut self, container: ContainerType) -> &mut VecDeque<String> {
        match container {
            ContainerType::InferenceServer => &mut self.inference_server,
            ContainerType::StorageInitializer => &mut self.storage_initializer,
        }
    }

    /// Appends one line, stamped with the current UTC time like the scoring server's own log.
    pub fn push(&mut self, container: ContainerType, message: &str) {
        let line = format!(
            "{} {message}",
            Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
        );
        let capacity = self.capacity;
        let ring = self.ring(container);
        while ring.len() >= capacity {
            ring.pop_front();
        }
        ring.push_back(line);
    }

    /// The last `tail` lines (all when `None`), newline-separated, as `getLogs` returns them.
    pub fn tail(&self, container: ContainerType, tail: Option<usize>) -> String {
        let ring = match container {
            ContainerType::InferenceServer => &self.inference_server,
            ContainerType::StorageInitializer => &self.storage_initializer,
        };
        let n = tail.unwrap_or(ring.len()).min(ring.len());
        let mut out = String::new();
        for line in ring.iter().skip(ring.len() - n) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    pub fn len(&self, container: ContainerType) -> usize {
        match container {
            ContainerType::InferenceServer => self.inference_server.len(),
            ContainerType::StorageInitializer => self.storage_initializer.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.inference_server.is_empty() && self.storage_initializer.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_are_bounded_and_tail_returns_the_newest() {
        let mut logs = ContainerLogs::default();
        for i in 0..LOG_RING_LINES + 10 {
            logs.push(ContainerType::InferenceServer, &format!("line {i}"));
        }
        assert_eq!(logs.len(ContainerType::InferenceServer), LOG_RING_LINES);
        let tail = logs.tail(ContainerType::InferenceServer, Some(2));
        let lines: Vec<_> = tail.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with(&format!("line {}", LOG_RING_LINES + 9)));
        assert_eq!(logs.tail(ContainerType::StorageInitializer, Some(5)), "");
    }
}
