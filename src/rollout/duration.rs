//! Durations as operators write them: `90s`, `5m`, `1h30m`, `2m30s`, or plain seconds (`45`).
//! Used by `--timeout` and by bake times.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a duration: write it like 90s, 5m, 1h30m or 2m30s")]
pub struct DurationError {
    pub text: String,
}

/// Parses `1h30m`-style durations. Zero is allowed; the caller decides whether it makes sense.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let error = || DurationError {
        text: text.to_string(),
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(error());
    }
    if let Ok(seconds) = trimmed.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut units_seen = String::new();
    for c in trimmed.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let scale = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(error()),
        };
        // Each unit once, largest first: `5m3h` or `1m1m` is a typo, not a duration.
        if number.is_empty() || units_seen.contains(c) || !in_order(&units_seen, c) {
            return Err(error());
        }
        units_seen.push(c);
        let value: u64 = number.parse().map_err(|_| error())?;
        total = value
            .checked_mul(scale)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(error)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(error());
    }
    Ok(Duration::from_secs(total))
}

fn in_order(seen: &str, next: char) -> bool {
    let rank = |c: char| match c {
        'h' => 0,
        'm' => 1,
        _ => 2,
    };
    seen.chars().all(|s| rank(s) < rank(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_durations_parse_and_typos_do_not() {
        for (text, seconds) in [
            ("45", 45),
            ("90s", 90),
            ("5m", 300),
            ("1h30m", 5400),
            ("2m30s", 150),
            (" 10m ", 600),
            ("0s", 0),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(seconds)),
                "{text}"
            );
        }
        for bad in [
            "",
            "m",
            "5x",
            "5m3h",
            "1m1m",
            "1.5m",
            "-5s",
            "5 m",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
