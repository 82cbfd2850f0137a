//! Choosing a workspace when the target names a subscription but no workspace: a filterable
//! list, pure like the rest of the console.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceChoice {
    pub name: String,
    pub resource_group: String,
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PickerOutcome {
    #[default]
    Choosing,
    Chosen(usize),
    Cancelled,
}

#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub subscription: String,
    pub choices: Vec<WorkspaceChoice>,
    pub filter: String,
    /// Index among the visible (filtered) choices.
    pub selected: usize,
    pub outcome: PickerOutcome,
}

impl Picker {
    pub fn new(subscription: &str, mut choices: Vec<WorkspaceChoice>) -> Self {
        choices.sort_by(|a, b| (&a.resource_group, &a.name).cmp(&(&b.resource_group, &b.name)));
        Self {
            subscription: subscription.to_string(),
            choices,
            ..Self::default()
        }
    }

    /// Indices into `choices` that pass the filter (name or resource group).
    pub fn visible(&self) -> Vec<usize> {
        let f = self.filter.to_lowercase();
        self.choices
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                f.is_empty()
                    || c.name.to_lowercase().contains(&f)
                    || c.resource_group.to_lowercase().contains(&f)
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        let visible = self.visible();
        match key.code {
            KeyCode::Esc => self.outcome = PickerOutcome::Cancelled,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.outcome = PickerOutcome::Cancelled;
            }
            KeyCode::Enter => {
                if let Some(i) = visible.get(self.selected) {
                    self.outcome = PickerOutcome::Chosen(*i);
                }
            }
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => {
                self.selected = (self.selected + 1).min(visible.len().saturating_sub(1))
            }
            KeyCode::Backspace => {
                self.filter.pop();
                self.selected = 0;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.push(c);
                self.selected = 0;
            }
            _ => {}
        }
    }
}

/// The resource group in a workspace's ARM id.
pub fn resource_group_of(id: &str) -> Option<&str> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("resourceGroups") {
            return parts.next();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(name: &str, rg: &str) -> WorkspaceChoice {
        WorkspaceChoice {
            name: name.into(),
            resource_group: rg.into(),
            location: "westus2".into(),
        }
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_filters_and_enter_chooses_the_selected_workspace() {
        let mut p = Picker::new(
            "sub",
            vec![
                choice("prod-ws", "rg-prod"),
                choice("dev-ws", "rg-dev"),
                choice("ml-ws", "rg-prod"),
            ],
        );
        assert_eq!(p.visible().len(), 3);
        for c in "prod".chars() {
            p.on_key(key(KeyCode::Char(c)));
        }
        let visible = p.visible();
        assert_eq!(visible.len(), 2);
        p.on_key(key(KeyCode::Down));
        p.on_key(key(KeyCode::Enter));
        let PickerOutcome::Chosen(i) = p.outcome else {
            panic!("{:?}", p.outcome)
        };
        assert_eq!(
            p.choices[i].name, "prod-ws",
            "sorted by resource group, then name"
        );
        let mut p = Picker::new("sub", vec![choice("a", "b")]);
        p.on_key(key(KeyCode::Esc));
        assert_eq!(p.outcome, PickerOutcome::Cancelled);
    }

    #[test]
    fn resource_groups_come_from_the_id() {
        assert_eq!(
            resource_group_of(
                "/subscriptions/s/resourceGroups/My-RG/providers/Microsoft.MachineLearningServices/workspaces/w"
            ),
            Some("My-RG")
        );
        assert_eq!(resource_group_of("nonsense"), None);
    }
}
