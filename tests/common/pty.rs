//! The real binary in a pseudo-terminal: keys in, the screen parsed by a terminal emulator.
#![allow(dead_code)]
// Test support: a panic is how a failed setup reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// Generous: a condition that is going to hold holds long before; this only bounds a hang.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

pub(crate) struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    pub(crate) fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Self {
        let system = native_pty_system();
        let pair = system
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_aml-rollout"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn aml-rollout");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        p.lock().unwrap().process(&buf[..n]);
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        Self {
            master: pair.master,
            writer,
            child,
            parser,
            raw,
        }
    }

    pub(crate) fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Bands of columns of one and the same frame, each as its rows joined by newlines: e.g.
    /// the log panes that sit side by side.
    pub(crate) fn columns(&self, bands: &[(u16, u16)]) -> Vec<String> {
        let parser = self.parser.lock().unwrap();
        bands
            .iter()
            .map(|&(start, width)| {
                parser
                    .screen()
                    .rows(start, width)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    }

    pub(crate) fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Waits until the screen satisfies `check`; panics with the screen if it never does.
    pub(crate) fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            if start.elapsed() > PATIENCE {
                panic!("waited for {what}; the screen is:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text))
    }

    pub(crate) fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        // Let the console take one key batch at a time, as a person would type.
        std::thread::sleep(Duration::from_millis(60));
    }

    pub(crate) fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            self.send(k);
        }
    }

    /// Sends `signal` (a name as `kill -s` takes it: TERM, HUP…) to the console's process.
    pub(crate) fn signal(&self, signal: &str) {
        let pid = self.child.process_id().expect("the console's process id");
        let status = std::process::Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {signal} {pid}: {status:?}");
    }

    /// Waits until the console's process is stopped (`T` in /proc/PID/stat) or, with
    /// `stopped` false, running again.
    pub(crate) fn wait_stopped(&self, stopped: bool) {
        let pid = self.child.process_id().expect("the console's process id");
        let start = Instant::now();
        loop {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // The state follows the command name, which is in parentheses.
            let state = stat
                .rsplit_once(") ")
                .and_then(|(_, rest)| rest.chars().next());
            if (state == Some('T')) == stopped {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the console never became {}: {stat}",
                if stopped { "stopped" } else { "running" }
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `stty -a` of the pseudo-terminal, i.e. the modes the console left it in.
    pub(crate) fn stty(&self) -> String {
        let path = self.master.tty_name().expect("the pty's device name");
        let tty = std::fs::File::open(&path).expect("open the pty's device");
        let out = std::process::Command::new("stty")
            .arg("-a")
            .stdin(tty)
            .output()
            .expect("run stty");
        assert!(out.status.success(), "stty -a: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status;
            }
            if start.elapsed() > PATIENCE {
                let _ = self.child.kill();
                panic!(
                    "aml-rollout did not exit; the screen is:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = &self.master;
    }
}

pub(crate) const ENTER: &str = "\r";
pub(crate) const ESC: &str = "\x1b";
pub(crate) const TAB: &str = "\t";
pub(crate) const DOWN: &str = "\x1b[B";
pub(crate) const UP: &str = "\x1b[A";
pub(crate) const CTRL_D: &str = "\x04";
/// Clears a text field.
pub(crate) const CTRL_U: &str = "\x15";
pub(crate) const CTRL_Z: &str = "\x1a";
