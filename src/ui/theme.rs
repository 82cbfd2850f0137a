//! Colours and emphasis, in one place; with NO_COLOR only emphasis (bold, reverse) remains.

use ratatui::style::{Color, Modifier, Style};

use crate::config::TargetColor;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    pub fn badge(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// A badge in its own colour, so that kinds of target never look alike.
    pub fn badge_in(self, background: Color) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(background)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    /// The terminal colour of a config file's target colour.
    pub fn mark_colour(colour: TargetColor) -> Color {
        match colour {
            TargetColor::Red => Color::Red,
            TargetColor::Yellow => Color::Yellow,
            TargetColor::Green => Color::Green,
            TargetColor::Blue => Color::Blue,
            TargetColor::Magenta => Color::Magenta,
            TargetColor::Cyan => Color::Cyan,
            TargetColor::White => Color::White,
            TargetColor::Gray => Color::Gray,
        }
    }

    /// The frame around a production console: red, and bold either way (without colour the
    /// thick border and its caption are the cue).
    pub fn production_frame(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn border(self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => self.fg(Color::DarkGray),
        }
    }

    pub fn selected(self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn live(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn mirror(self) -> Style {
        self.fg(Color::Magenta)
    }

    pub fn changed(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// A provisioning state: green when done, yellow while moving, red when failed.
    pub fn state(self, state: &str) -> Style {
        match state.to_ascii_lowercase().as_str() {
            "succeeded" => self.ok(),
            "failed" | "canceled" => self.error(),
            _ => self.warn(),
        }
    }
}
