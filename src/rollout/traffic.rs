//! Parsing and rendering of az-style traffic maps such as `"blue=90 green=10"`.
//!
//! Accepted syntax (a superset of what `az ml online-endpoint update --traffic` takes, so that
//! whatever an operator copies from a runbook also works here):
//! - pairs `name=percent` separated by any mix of spaces, tabs, newlines and commas;
//! - names are lower-cased (Azure names are case-insensitive, and az lower-cases them too);
//! - empty or blank input is an error, not the empty map: az accepts `--traffic ""` and drains
//!   the endpoint, so a script's `"$SPLIT"` with `SPLIT` unset would take production to 0%.
//!   Turning traffic off is written out as intent: each deployment at 0 (`"blue=0 green=0"`);
//! - percent is a whole number 0..=100; the range is checked here, the sum is not (a map that
//!   does not total 100 is a rule violation judged by `validate_split`, not a syntax error).
//!
//! Deliberately rejected: spaces around `=` (`"blue = 90"`). az would reject it too (it splits on
//! whitespace first), and guessing which loose tokens belong together could silently misroute
//! traffic. The error names the token and tells the operator to remove the spaces.

use std::collections::BTreeMap;

use thiserror::Error;

/// Deployment name (lower-cased) -> percent. BTreeMap so output order is stable.
pub type TrafficMap = BTreeMap<String, u32>;

/// Highest percentage a single traffic entry may carry.
const MAX_PERCENT: u32 = 100;

/// Why an az-style traffic string could not be read. Every message names the offending token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error(
        "the split is empty; write each deployment with its percentage, like `blue=90 green=10` \
         (to turn traffic off on purpose, set each deployment to 0: `blue=0 green=0`)"
    )]
    Blank,
    #[error("`{token}` is not a name=percent pair; write it like `blue=90` (no spaces around '=')")]
    MissingEquals { token: String },
    #[error("`{token}` has no deployment name before '='; write it like `blue=90`")]
    EmptyName { token: String },
    #[error("`{token}` has no percentage after '='; write it like `blue=90`")]
    MissingPercent { token: String },
    #[error(
        "`{token}`: `{value}` is not a whole-number percentage; use an integer from 0 to 100 \
         (no decimals, signs or '%')"
    )]
    NotAnInteger { token: String, value: String },
    #[error("`{token}`: {value}% is more than 100%; use an integer from 0 to 100")]
    PercentTooHigh { token: String, value: String },
    #[error(
        "`{token}`: deployment `{name}` is listed more than once (names are case-insensitive); \
         give each deployment a single entry"
    )]
    DuplicateName { token: String, name: String },
}

/// Parse an az-style map (`"blue=90 green=10"`, `"blue=90,green=10"`); see the module docs for
/// the exact syntax. Blank input is [`ParseError::Blank`]: see the module docs for why.
pub fn parse_traffic(input: &str) -> Result<TrafficMap, ParseError> {
    let mut map = TrafficMap::new();
    let mut tokens = input
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|token| !token.is_empty())
        .peekable();
    if tokens.peek().is_none() {
        return Err(ParseError::Blank);
    }
    for token in tokens {
        let (name, value) = parse_pair(token)?;
        if map.insert(name.clone(), value).is_some() {
            return Err(ParseError::DuplicateName {
                token: token.to_string(),
                name,
            });
        }
    }
    Ok(map)
}

/// One `name=percent` token -> (lower-cased name, percent).
fn parse_pair(token: &str) -> Result<(String, u32), ParseError> {
    let owned_token = || token.to_string();
    let Some((name, value)) = token.split_once('=') else {
        return Err(ParseError::MissingEquals {
            token: owned_token(),
        });
    };
    if name.is_empty() {
        return Err(ParseError::EmptyName {
            token: owned_token(),
        });
    }
    if value.is_empty() {
        return Err(ParseError::MissingPercent {
            token: owned_token(),
        });
    }
    // `u32::from_str` would accept "+5"; az and Azure only take plain digits.
    if !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ParseError::NotAnInteger {
            token: owned_token(),
            value: value.to_string(),
        });
    }
    let too_high = || ParseError::PercentTooHigh {
        token: owned_token(),
        value: value.to_string(),
    };
    // All digits, so the only possible parse failure is overflow, which is "too high" as well.
    let percent: u32 = value.parse().map_err(|_| too_high())?;
    if percent > MAX_PERCENT {
        return Err(too_high());
    }
    Ok((name.to_lowercase(), percent))
}

/// Render a map back in az syntax, sorted by name: `"blue=90 green=10"`. Zero entries are kept
/// (they are meaningful to a reader: "green is deployed but idle"); an empty map renders as "".
pub fn format_traffic(map: &TrafficMap) -> String {
    map.iter()
        .map(|(name, percent)| format!("{name}={percent}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, u32)]) -> TrafficMap {
        pairs
            .iter()
            .map(|(name, percent)| (name.to_string(), *percent))
            .collect()
    }

    #[test]
    fn parses_space_separated_pairs() {
        assert_eq!(
            parse_traffic("blue=90 green=10"),
            Ok(map(&[("blue", 90), ("green", 10)]))
        );
    }

    #[test]
    fn parses_commas_tabs_and_extra_whitespace() {
        let expected = map(&[("blue", 90), ("green", 10)]);
        for input in [
            "blue=90,green=10",
            "blue=90, green=10",
            "  blue=90\t\tgreen=10  ",
            "blue=90 ,, green=10,",
            "\nblue=90\ngreen=10\n",
        ] {
            assert_eq!(
                parse_traffic(input),
                Ok(expected.clone()),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn lower_cases_names() {
        assert_eq!(
            parse_traffic("Blue=60 GREEN=40"),
            Ok(map(&[("blue", 60), ("green", 40)]))
        );
    }

    #[test]
    fn blank_input_is_an_error_and_all_off_is_written_out() {
        for input in ["", "   ", "\t", "\n", ",", " , "] {
            assert_eq!(
                parse_traffic(input),
                Err(ParseError::Blank),
                "input {input:?}"
            );
        }
        assert_eq!(
            parse_traffic("blue=0 green=0"),
            Ok(map(&[("blue", 0), ("green", 0)]))
        );
    }

    #[test]
    fn accepts_boundary_values_and_leading_zeros() {
        assert_eq!(
            parse_traffic("a=0 b=100 c=007"),
            Ok(map(&[("a", 0), ("b", 100), ("c", 7)]))
        );
    }

    #[test]
    fn does_not_judge_the_sum() {
        // Summing to 100 is a rule checked by validate_split, not a syntax matter.
        assert_eq!(
            parse_traffic("blue=90 green=90"),
            Ok(map(&[("blue", 90), ("green", 90)]))
        );
    }

    #[test]
    fn malformed_inputs_name_the_offending_token() {
        // (input, expected error, substring the operator must see)
        let table: &[(&str, ParseError, &str)] = &[
            (
                "blue",
                ParseError::MissingEquals {
                    token: "blue".into(),
                },
                "`blue` is not a name=percent pair",
            ),
            (
                "blue = 90",
                ParseError::MissingEquals {
                    token: "blue".into(),
                },
                "no spaces around '='",
            ),
            (
                "blue:90",
                ParseError::MissingEquals {
                    token: "blue:90".into(),
                },
                "write it like `blue=90`",
            ),
            (
                "=90",
                ParseError::EmptyName {
                    token: "=90".into(),
                },
                "`=90` has no deployment name",
            ),
            (
                "blue=90 =10",
                ParseError::EmptyName {
                    token: "=10".into(),
                },
                "`=10` has no deployment name",
            ),
            (
                "blue=",
                ParseError::MissingPercent {
                    token: "blue=".into(),
                },
                "`blue=` has no percentage",
            ),
            (
                "blue=ten",
                ParseError::NotAnInteger {
                    token: "blue=ten".into(),
                    value: "ten".into(),
                },
                "`ten` is not a whole-number percentage",
            ),
            (
                "blue=10.5",
                ParseError::NotAnInteger {
                    token: "blue=10.5".into(),
                    value: "10.5".into(),
                },
                "`blue=10.5`: `10.5` is not a whole-number",
            ),
            (
                "blue=-5",
                ParseError::NotAnInteger {
                    token: "blue=-5".into(),
                    value: "-5".into(),
                },
                "no decimals, signs or '%'",
            ),
            (
                "blue=+5",
                ParseError::NotAnInteger {
                    token: "blue=+5".into(),
                    value: "+5".into(),
                },
                "`+5` is not a whole-number",
            ),
            (
                "blue=90%",
                ParseError::NotAnInteger {
                    token: "blue=90%".into(),
                    value: "90%".into(),
                },
                "`90%` is not a whole-number",
            ),
            (
                "blue=1=2",
                ParseError::NotAnInteger {
                    token: "blue=1=2".into(),
                    value: "1=2".into(),
                },
                "`1=2` is not",
            ),
            (
                "blue=101",
                ParseError::PercentTooHigh {
                    token: "blue=101".into(),
                    value: "101".into(),
                },
                "`blue=101`: 101% is more than 100%",
            ),
            (
                "blue=99999999999999999999",
                ParseError::PercentTooHigh {
                    token: "blue=99999999999999999999".into(),
                    value: "99999999999999999999".into(),
                },
                "is more than 100%",
            ),
            (
                "Blue=50 blue=50",
                ParseError::DuplicateName {
                    token: "blue=50".into(),
                    name: "blue".into(),
                },
                "deployment `blue` is listed more than once",
            ),
            (
                "blue=50,green=25,BLUE=25",
                ParseError::DuplicateName {
                    token: "BLUE=25".into(),
                    name: "blue".into(),
                },
                "`BLUE=25`: deployment `blue`",
            ),
        ];
        for (input, expected, message_part) in table {
            let error = match parse_traffic(input) {
                Err(error) => error,
                Ok(parsed) => panic!("{input:?} should fail, parsed as {parsed:?}"),
            };
            assert_eq!(&error, expected, "input {input:?}");
            let message = error.to_string();
            assert!(
                message.contains(message_part),
                "input {input:?}: message {message:?} lacks {message_part:?}"
            );
        }
    }

    #[test]
    fn formats_sorted_and_keeps_zeros() {
        assert_eq!(
            format_traffic(&map(&[("green", 10), ("blue", 90), ("red", 0)])),
            "blue=90 green=10 red=0"
        );
        assert_eq!(format_traffic(&TrafficMap::new()), "");
    }

    #[test]
    fn format_then_parse_round_trips() {
        let original = map(&[("blue", 0), ("green", 70), ("red", 30)]);
        assert_eq!(parse_traffic(&format_traffic(&original)), Ok(original));
    }
}
