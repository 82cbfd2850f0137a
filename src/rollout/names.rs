//! Azure ML naming rules for online endpoints and deployments.
//!
//! A valid name is 3–32 characters, starts with a letter, contains only ASCII letters, digits
//! and hyphens, and does not end with a hyphen — the regex
//! `^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$` plus the length bound, checked by hand so the crate
//! needs no regex engine.

use std::fmt;

use thiserror::Error;

const MIN_NAME_CHARS: usize = 3;
const MAX_NAME_CHARS: usize = 32;

/// Which kind of Azure ML resource a name belongs to (the rules are the same; messages differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    Endpoint,
    Deployment,
}

impl fmt::Display for NameKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            NameKind::Endpoint => "endpoint",
            NameKind::Deployment => "deployment",
        })
    }
}

/// The first naming rule a name breaks; rendered as part of [`InvalidName`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameProblem {
    #[error("it has {length} characters but needs at least 3")]
    TooShort { length: usize },
    #[error("it has {length} characters but may have at most 32")]
    TooLong { length: usize },
    #[error("it must start with a letter, not {first:?}")]
    MustStartWithLetter { first: char },
    #[error("{character:?} is not allowed; use only letters, digits and hyphens")]
    InvalidCharacter { character: char },
    #[error("it must not end with a hyphen")]
    EndsWithHyphen,
}

/// Check an endpoint or deployment name against Azure's naming rules.
/// Reports the first problem found: length, then first character, then the others, then the end.
pub fn validate_name(kind: NameKind, name: &str) -> Result<(), InvalidName> {
    match name_problem(name) {
        None => Ok(()),
        Some(problem) => Err(InvalidName {
            kind,
            name: name.to_string(),
            problem,
        }),
    }
}

/// A name that breaks Azure's naming rules, and which rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{kind} name `{name}` is invalid: {problem}; names are 3-32 characters, start with a \
     letter, contain only letters, digits and hyphens, and do not end with a hyphen"
)]
pub struct InvalidName {
    pub kind: NameKind,
    pub name: String,
    pub problem: NameProblem,
}

fn name_problem(name: &str) -> Option<NameProblem> {
    // Count characters, not bytes, so a non-ASCII name gets an honest length in the message.
    let length = name.chars().count();
    if length < MIN_NAME_CHARS {
        return Some(NameProblem::TooShort { length });
    }
    if length > MAX_NAME_CHARS {
        return Some(NameProblem::TooLong { length });
    }
    let mut characters = name.chars();
    if let Some(first) = characters.next()
        && !first.is_ascii_alphabetic()
    {
        return Some(NameProblem::MustStartWithLetter { first });
    }
    if let Some(character) = characters.find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Some(NameProblem::InvalidCharacter { character });
    }
    if name.ends_with('-') {
        return Some(NameProblem::EndsWithHyphen);
    }
    None
}

/// Longest subscription, resource group or workspace name ARM accepts (a resource group's).
const MAX_ARM_SEGMENT_CHARS: usize = 90;

/// Why a subscription, resource group or workspace name cannot go into an ARM path, if it
/// cannot: ARM's common rules (1-90 letters, digits, `-`, `_`, `.`, `(`, `)`, not ending in a
/// period), which also refuse `.`, `..` and anything that would change the path.
pub fn arm_segment_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("it is empty")
    } else if value.chars().count() > MAX_ARM_SEGMENT_CHARS {
        Some("it is longer than 90 characters")
    } else if !value
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
    {
        Some("use only letters, digits, '-', '_', '.', '(' and ')'")
    } else if value.ends_with('.') {
        Some("it must not end with a period")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollout::RuleViolation;

    fn problem_of(name: &str) -> Option<NameProblem> {
        match validate_name(NameKind::Deployment, name) {
            Ok(()) => None,
            Err(InvalidName { problem, .. }) => Some(problem),
        }
    }

    #[test]
    fn accepts_valid_names() {
        for name in [
            "abc",
            "blue",
            "Blue-2",
            "my-endpoint-01",
            "a-b",
            "A1b",
            "abcdefghijklmnopqrstuvwxyz012345", // exactly 32
        ] {
            assert_eq!(validate_name(NameKind::Endpoint, name), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn rejects_each_broken_rule() {
        let table: &[(&str, NameProblem)] = &[
            ("", NameProblem::TooShort { length: 0 }),
            ("ab", NameProblem::TooShort { length: 2 }),
            (
                "abcdefghijklmnopqrstuvwxyz0123456",
                NameProblem::TooLong { length: 33 },
            ),
            ("1blue", NameProblem::MustStartWithLetter { first: '1' }),
            ("-blue", NameProblem::MustStartWithLetter { first: '-' }),
            (
                "blue_green",
                NameProblem::InvalidCharacter { character: '_' },
            ),
            ("blue.v2", NameProblem::InvalidCharacter { character: '.' }),
            (
                "blue green",
                NameProblem::InvalidCharacter { character: ' ' },
            ),
            ("blué", NameProblem::InvalidCharacter { character: 'é' }),
            ("blue-", NameProblem::EndsWithHyphen),
        ];
        for (name, expected) in table {
            assert_eq!(problem_of(name).as_ref(), Some(expected), "{name:?}");
        }
    }

    #[test]
    fn message_names_kind_name_problem_and_fix() {
        let Err(violation) = validate_name(NameKind::Endpoint, "my_endpoint") else {
            panic!("my_endpoint must be rejected");
        };
        let message = violation.to_string();
        assert!(message.contains("endpoint name `my_endpoint`"), "{message}");
        assert!(message.contains("'_' is not allowed"), "{message}");
        assert!(message.contains("3-32 characters"), "{message}");
        assert_eq!(RuleViolation::from(violation).arm_code(), "BadArgument");

        let Err(violation) = validate_name(NameKind::Deployment, "ab") else {
            panic!("ab must be rejected");
        };
        let message = violation.to_string();
        assert!(message.contains("deployment name `ab`"), "{message}");
        assert!(
            message.contains("has 2 characters but needs at least 3"),
            "{message}"
        );
    }

    #[test]
    fn arm_segments_refuse_what_would_change_the_path() {
        for good in [
            "s",
            "00000000-0000-0000-0000-000000000000",
            "rg.prod",
            "my_ws(1)",
        ] {
            assert_eq!(arm_segment_problem(good), None, "{good:?}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a?b",
            "a#b",
            "rg.",
            "a\u{1b}b",
            &"r".repeat(91),
        ] {
            assert!(arm_segment_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 3 characters, 6 bytes: the length rule passes and the character rule reports 'é'.
        assert_eq!(
            problem_of("béé"),
            Some(NameProblem::InvalidCharacter { character: 'é' })
        );
    }
}
