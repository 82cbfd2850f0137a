//! The terminal: raw mode and the alternate screen, restored on every way out (also a panic),
//! and the event loop that feeds `update` and draws.

use std::io::{self, Stdout};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind,
};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc;

use crate::app::{AppState, Msg, step};
use crate::worker::Worker;

/// How often time advances for refreshes, toasts and the operations tray.
const TICK: Duration = Duration::from_millis(250);

/// Restores the terminal when dropped, so an early return or an unwinding panic still leaves
/// the operator a usable shell.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(io::stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Runs the console until the operator quits.
pub async fn run(
    mut state: AppState,
    worker: Worker,
    msg_rx: &mut mpsc::UnboundedReceiver<Msg>,
) -> io::Result<()> {
    // ratatui::init also installs a panic hook that restores the terminal before the panic
    // message is printed.
    let mut terminal: Terminal<CrosstermBackend<Stdout>> = ratatui::init();
    let _guard = TerminalGuard;
    let _ = crossterm::execute!(io::stdout(), EnableBracketedPaste);
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
    let panic_for_test = std::env::var_os("AML_ROLLOUT_PANIC_AFTER_FIRST_FRAME").is_some();
    loop {
        if dirty {
            // One synchronized update per frame: terminals that support it never show (and
            // a reader never catches) a half-drawn screen.
            let _ = crossterm::execute!(io::stdout(), BeginSynchronizedUpdate);
            let drawn = terminal.draw(|frame| crate::ui::render(&state, frame));
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
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Some(Ok(Event::Paste(text))) => Msg::Paste(text),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(msg) = msg_rx.recv() => msg,
            _ = tick.tick() => Msg::Tick(Instant::now()),
        };
        state.clock = chrono::Local::now();
        dirty |= dispatch(&mut state, msg);
        // Drain what else has arrived, then draw once, and only if something changed.
        while let Ok(msg) = msg_rx.try_recv() {
            dirty |= dispatch(&mut state, msg);
        }
    }
    Ok(())
}

/// Runs the workspace picker until the operator chooses (the index into its choices) or quits.
pub async fn pick(
    mut picker: crate::app::picker::Picker,
    no_color: bool,
) -> io::Result<Option<usize>> {
    use crate::app::picker::PickerOutcome;
    let mut terminal: Terminal<CrosstermBackend<Stdout>> = ratatui::init();
    let _guard = TerminalGuard;
    let mut events = EventStream::new();
    loop {
        terminal.draw(|frame| crate::ui::picker::render(&picker, no_color, frame))?;
        match picker.outcome {
            PickerOutcome::Chosen(i) => return Ok(Some(i)),
            PickerOutcome::Cancelled => return Ok(None),
            PickerOutcome::Choosing => {}
        }
        match events.next().await {
            Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => picker.on_key(key),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e),
            None => return Ok(None),
        }
    }
}
