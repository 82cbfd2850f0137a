//! The terminal: raw mode and the alternate screen, restored on every way out (a quit, an
//! error, a panic, or a signal), and the event loop that feeds `update` and draws.
//!
//! Signals: SIGINT is what ctrl-c does (in raw mode the terminal sends ctrl-c as a key, so a
//! SIGINT comes from `kill`); a second one while the console asks "quit?" confirms. SIGTERM,
//! SIGHUP and SIGQUIT end the console at once: operations still running on Azure are written
//! to the journal as `interrupted`, the terminal is restored, and what was left behind (running
//! operations, unapplied drafts) is said on stderr. SIGTSTP (and ctrl-z, which raw mode turns
//! into a key) suspends it the way a shell job is suspended: the terminal is given back first,
//! and taken again, redrawn whole, on `fg`.

use std::io::{self, Stdout, Write};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::app::state::Dialog;
use crate::app::{AppState, Cmd, Msg, step, update};
use crate::logstream::sanitize_inline;
use crate::worker::Worker;

/// How often time advances for refreshes, toasts and the operations tray.
const TICK: Duration = Duration::from_millis(250);

/// Restores the terminal when dropped, so an early return or an unwinding panic still leaves
/// the operator a usable shell (and one whose mouse selects text again).
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        // Errors are ignored: after a SIGHUP the terminal may be gone, and there is nobody
        // left to tell.
        let _ = ratatui::try_restore();
    }
}

/// The last line of defence: text reaches the state sanitized, but should any path miss it,
/// no cell of a frame may carry a control or bidi character to the terminal. Such a cell
/// shows U+FFFD instead, visibly wrong rather than silently obeyed.
fn scrub(buffer: &mut ratatui::buffer::Buffer) {
    for cell in buffer.content.iter_mut() {
        if !crate::logstream::is_terminal_safe(cell.symbol()) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

/// A signal that ends the console without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    Terminate,
    HangUp,
    Quit,
}

impl Termination {
    pub fn name(self) -> &'static str {
        match self {
            Self::Terminate => "SIGTERM",
            Self::HangUp => "SIGHUP",
            Self::Quit => "SIGQUIT",
        }
    }

    /// The shell's convention for "ended by signal N": 128 + N.
    pub fn exit_code(self) -> u8 {
        128 + match self {
            Self::HangUp => 1,
            Self::Quit => 3,
            Self::Terminate => 15,
        }
    }
}

/// How the console ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The operator quit (a key, or SIGINT).
    Quit,
    /// A signal ended it.
    Signal(Termination),
}

/// What a signal asks of the console.
enum SignalRequest {
    Interrupt,
    End(Termination),
    /// SIGTSTP: stop as a shell job, with the terminal given back.
    #[cfg_attr(not(unix), allow(dead_code))]
    Suspend,
}

/// The signals the console answers. Registering them replaces the default action (which would
/// end the process with the terminal still raw and in the alternate screen).
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hang_up: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
    suspend: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn register() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hang_up: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
            suspend: signal(SignalKind::from_raw(signal_hook::consts::SIGTSTP))?,
        })
    }

    async fn next(&mut self) -> SignalRequest {
        tokio::select! {
            _ = self.interrupt.recv() => SignalRequest::Interrupt,
            _ = self.terminate.recv() => SignalRequest::End(Termination::Terminate),
            _ = self.hang_up.recv() => SignalRequest::End(Termination::HangUp),
            _ = self.quit.recv() => SignalRequest::End(Termination::Quit),
            _ = self.suspend.recv() => SignalRequest::Suspend,
        }
    }
}

/// Elsewhere only ctrl-c exists as a signal.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn register() -> io::Result<Self> {
        Ok(Self)
    }

    async fn next(&mut self) -> SignalRequest {
        match tokio::signal::ctrl_c().await {
            Ok(()) => SignalRequest::Interrupt,
            Err(_) => std::future::pending().await,
        }
    }
}

/// Gives the terminal back and stops the process, as a shell's ctrl-z would; returns once the
/// process is continued (`fg`), with the terminal taken again and cleared so that the next
/// frame is drawn whole over whatever the shell left on screen.
/// `mouse`: whether the screen taken back captures the mouse (the console does; the workspace
/// picker ignores the mouse, so the terminal keeps its own selection there).
#[cfg(unix)]
fn suspend(terminal: &mut Terminal<CrosstermBackend<Stdout>>, mouse: Mouse) -> io::Result<()> {
    let _ = crossterm::execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    // Through the terminal, so that it knows to hide the cursor again on the next frame.
    terminal.show_cursor()?;
    ratatui::try_restore()?;
    // Stopping with SIGSTOP, not SIGTSTP: the console's own SIGTSTP handler would only
    // bring it back here.
    signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        EnableBracketedPaste,
    )?;
    if mouse == Mouse::Captured {
        crossterm::execute!(io::stdout(), EnableMouseCapture)?;
    }
    // A new terminal has no previous frame, so the next one is drawn whole on the cleared
    // screen. (`Terminal::clear` would ask the terminal for the cursor's position, which the
    // running event stream may swallow.)
    *terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok(())
}

/// Elsewhere there is no job control: nothing to do.
#[cfg(not(unix))]
fn suspend(_terminal: &mut Terminal<CrosstermBackend<Stdout>>, _mouse: Mouse) -> io::Result<()> {
    Ok(())
}

/// Whether a screen takes mouse events from the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mouse {
    Captured,
    NotCaptured,
}

/// ctrl-z, which a shell would turn into SIGTSTP; raw mode delivers it as a key instead.
fn is_suspend_key(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// SIGINT takes the ctrl-c path; a second one while the console asks whether to quit says yes.
fn on_interrupt(state: &mut AppState) -> Vec<Cmd> {
    if matches!(state.ui.dialog, Some(Dialog::ConfirmQuit { .. })) {
        state.ui.quit = true;
        return Vec::new();
    }
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    update(state, Msg::Key(ctrl_c))
}

/// What the operator should know after a signal ended the console, printed once the terminal
/// is restored.
fn left_behind(state: &AppState, signal: Termination) -> Vec<String> {
    let mut lines = vec![format!("aml-rollout: ended by {}", signal.name())];
    for op in state.ui.operations.iter().filter(|o| o.outcome.is_none()) {
        lines.push(format!(
            "  still running on Azure (journaled as interrupted): {} {} ({})",
            op.kind.label(),
            sanitize_inline(&op.target),
            sanitize_inline(&op.state)
        ));
    }
    let mut drafts: Vec<_> = state
        .ui
        .drafts
        .iter()
        .filter(|(_, d)| !d.applying)
        .collect();
    drafts.sort_by(|a, b| a.0.cmp(b.0));
    for (endpoint, draft) in drafts {
        lines.push(format!(
            "  unapplied draft discarded: {} {}",
            sanitize_inline(endpoint),
            sanitize_inline(&crate::rollout::format_traffic(&draft.proposed.live))
        ));
    }
    lines
}

/// Runs the console until the operator quits or a signal ends it.
pub async fn run(
    mut state: AppState,
    worker: Worker,
    msg_rx: &mut mpsc::UnboundedReceiver<Msg>,
) -> io::Result<Ending> {
    // Registered before the terminal changes, so no signal finds it raw and unhandled.
    let mut signals = Signals::register()?;
    // ratatui::init also installs a panic hook that restores the terminal before the panic
    // message is printed.
    let mut terminal: Terminal<CrosstermBackend<Stdout>> = ratatui::init();
    let guard = TerminalGuard;
    // The guard turns both off again, on every way out.
    let _ = crossterm::execute!(io::stdout(), EnableBracketedPaste, EnableMouseCapture);
    let size = terminal.size()?;
    state.size = (size.width, size.height);

    // Hands the message's work to the worker; true if it changed what the screen shows.
    let dispatch = |state: &mut AppState, msg: Msg| {
        let step = step(state, msg);
        for cmd in step.cmds {
            worker.spawn(cmd);
        }
        step.changed
    };
    dispatch(&mut state, Msg::Tick(Instant::now()));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    // A documented debug aid (README): proves on a given terminal that a crash restores it.
    let panic_for_test = std::env::var_os("AML_ROLLOUT_PANIC_AFTER_FIRST_FRAME").is_some();
    loop {
        if dirty {
            // One synchronized update per frame: terminals that support it never show (and
            // a reader never catches) a half-drawn screen.
            let _ = crossterm::execute!(io::stdout(), BeginSynchronizedUpdate);
            let drawn = terminal.draw(|frame| {
                state.screen = crate::ui::render_mapped(&state, frame);
                scrub(frame.buffer_mut());
            });
            let _ = crossterm::execute!(io::stdout(), EndSynchronizedUpdate);
            drawn?;
            dirty = false;
            if panic_for_test {
                panic!("panic requested by AML_ROLLOUT_PANIC_AFTER_FIRST_FRAME");
            }
        }
        if state.ui.quit {
            break;
        }
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if is_suspend_key(&key) => {
                    suspend(&mut terminal, Mouse::Captured)?;
                    // The window may have changed size while the console was stopped.
                    let size = terminal.size()?;
                    Msg::Resize(size.width, size.height)
                }
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                // Moves and drags would wake the loop for nothing: only clicks and the wheel.
                Some(Ok(Event::Mouse(mouse))) if !matches!(
                    mouse.kind,
                    MouseEventKind::Moved | MouseEventKind::Drag(_) | MouseEventKind::Up(_)
                ) => Msg::Mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(msg) = msg_rx.recv() => msg,
            _ = tick.tick() => Msg::Tick(Instant::now()),
            request = signals.next() => match request {
                SignalRequest::Interrupt => {
                    for cmd in on_interrupt(&mut state) {
                        worker.spawn(cmd);
                    }
                    dirty = true;
                    continue;
                }
                SignalRequest::Suspend => {
                    suspend(&mut terminal, Mouse::Captured)?;
                    let size = terminal.size()?;
                    Msg::Resize(size.width, size.height)
                }
                SignalRequest::End(termination) => {
                    worker.journal_interrupted(termination.name()).await;
                    drop(guard);
                    let mut stderr = io::stderr().lock();
                    for line in left_behind(&state, termination) {
                        let _ = writeln!(stderr, "{line}");
                    }
                    return Ok(Ending::Signal(termination));
                }
            },
        };
        state.clock = chrono::Local::now();
        dirty |= dispatch(&mut state, msg);
        // Drain what else has arrived, then draw once, and only if something changed.
        while let Ok(msg) = msg_rx.try_recv() {
            dirty |= dispatch(&mut state, msg);
        }
    }
    Ok(Ending::Quit)
}

/// Runs the workspace picker until the operator chooses (the index into its choices) or quits.
pub async fn pick(
    mut picker: crate::app::picker::Picker,
    no_color: bool,
) -> io::Result<Option<usize>> {
    use crate::app::picker::PickerOutcome;
    let mut signals = Signals::register()?;
    let mut terminal: Terminal<CrosstermBackend<Stdout>> = ratatui::init();
    let _guard = TerminalGuard;
    let mut events = EventStream::new();
    loop {
        terminal.draw(|frame| {
            crate::ui::picker::render(&picker, no_color, frame);
            scrub(frame.buffer_mut());
        })?;
        match picker.outcome {
            PickerOutcome::Chosen(i) => return Ok(Some(i)),
            PickerOutcome::Cancelled => return Ok(None),
            PickerOutcome::Choosing => {}
        }
        let event = tokio::select! {
            event = events.next() => event,
            request = signals.next() => match request {
                SignalRequest::Suspend => {
                    suspend(&mut terminal, Mouse::NotCaptured)?;
                    continue;
                }
                // Nothing has been sent yet: any other signal simply cancels the choice.
                _ => return Ok(None),
            },
        };
        match event {
            Some(Ok(Event::Key(key))) if is_suspend_key(&key) => {
                suspend(&mut terminal, Mouse::NotCaptured)?
            }
            Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => picker.on_key(key),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e),
            None => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    use super::*;
    use crate::app::state::{AppOptions, Draft, OperationKind, OperationView, TargetLabel};
    use crate::rollout::{TrafficSplit, parse_traffic};

    fn state() -> AppState {
        AppState::new(
            AppOptions {
                target: TargetLabel::Demo,
                read_only: false,
                refresh_interval: Duration::from_secs(5),
                default_request_file: PathBuf::from("request.json"),
                default_deployment_file: PathBuf::from("green.yml"),
                default_endpoint_file: PathBuf::from("endpoint.yml"),
                no_color: true,
                log_buffer_lines: 100,
                health: Default::default(),
                target_mark: None,
            },
            Instant::now(),
        )
    }

    fn operation(id: u64, kind: OperationKind, target: &str) -> OperationView {
        OperationView {
            id: crate::app::ids::OpId(id),
            kind,
            target: target.to_string(),
            started: Instant::now(),
            state: "InProgress".to_string(),
            outcome: None,
            finished_at: None,
            split_change: None,
        }
    }

    fn split(live: &str) -> TrafficSplit {
        TrafficSplit {
            live: parse_traffic(live).unwrap(),
            mirror: Default::default(),
        }
    }

    #[test]
    fn what_was_left_behind_is_told_after_a_signal() {
        let mut state = state();
        state.ui.operations = vec![operation(1, OperationKind::Scale, "my-endpoint/blue")];
        state.ui.drafts.insert(
            "my-endpoint".to_string(),
            Draft {
                base: split("blue=100"),
                proposed: split("blue=90 green=10"),
                notes: Vec::new(),
                applying: false,
                warning: None,
            },
        );
        assert_eq!(
            left_behind(&state, Termination::Terminate),
            vec![
                "aml-rollout: ended by SIGTERM".to_string(),
                "  still running on Azure (journaled as interrupted): scale my-endpoint/blue (InProgress)"
                    .to_string(),
                "  unapplied draft discarded: my-endpoint blue=90 green=10".to_string(),
            ]
        );
    }

    #[test]
    fn a_second_interrupt_confirms_the_quit_the_first_asked_about() {
        let mut state = state();
        state.ui.operations = vec![operation(1, OperationKind::Scale, "my-endpoint/blue")];
        on_interrupt(&mut state);
        assert!(!state.ui.quit, "a running operation makes ctrl-c ask first");
        assert!(matches!(state.ui.dialog, Some(Dialog::ConfirmQuit { .. })));
        on_interrupt(&mut state);
        assert!(state.ui.quit);
    }

    #[test]
    fn no_drawn_cell_carries_a_control_or_bidi_character() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 6, 1));
        for (x, symbol) in ["a", "\u{1b}", "\u{9b}", "\u{202e}", "\u{2066}", "é"]
            .iter()
            .enumerate()
        {
            buffer[(x as u16, 0)].set_symbol(symbol);
        }
        scrub(&mut buffer);
        let shown: Vec<&str> = buffer.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(
            shown,
            ["a", "\u{fffd}", "\u{fffd}", "\u{fffd}", "\u{fffd}", "é"]
        );
    }
}
