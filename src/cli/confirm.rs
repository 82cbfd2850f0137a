//! Confirmation before a delete: an operator at a terminal types the name; a script must say
//! --yes, because there is nobody to ask.

use std::io::{BufRead, IsTerminal, Write};

use aml_rollout::logstream::sanitize_inline;

use super::error::{CliError, CliResult};

/// `what` is e.g. "deployment blue of endpoint my-endpoint"; `name` is what must be typed.
pub(super) fn confirm_delete(what: &str, name: &str, yes: bool) -> CliResult<()> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::Usage(format!(
            "refusing to delete {what} without --yes: there is no terminal to confirm on; nothing was sent"
        )));
    }
    {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "Delete {}? This cannot be undone. Type its name ({}) to confirm: ",
            sanitize_inline(what),
            sanitize_inline(name)
        );
        let _ = stderr.flush();
    }
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Usage(format!("cannot read the confirmation: {e}")))?;
    if answer.trim() == name {
        Ok(())
    } else {
        Err(CliError::Usage(
            "not deleted: the name typed did not match".to_string(),
        ))
    }
}
