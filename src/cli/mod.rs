//! The headless commands: one file per command group, all sharing [`context::Context`] (target,
//! signed-in client, output format, journal) and [`error::CliError`] (exit codes).

pub(crate) mod args;
mod change;
mod compare;
mod config_show;
mod confirm;
mod context;
mod deployment;
mod endpoint;
pub(crate) mod error;
mod invoke;
mod logs;
mod output;
mod rollout;
mod status;
mod traffic;
mod views;

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use aml_rollout::logstream::sanitize_inline;
pub(crate) use context::{Context, resolve_target, signed_in_client};

use args::{Cli, Command, ConfigCommand, GlobalArgs, ShellArg};
use error::{CliError, CliResult};

/// Runs one headless command. `Emulator` is not one: main handles it.
pub(crate) async fn run(global: &GlobalArgs, command: Command) -> CliResult<()> {
    match command {
        // These need no target and no sign-in.
        Command::Config(ConfigCommand::Show) => config_show::run(global),
        Command::Completions(args) => completions(args.shell),
        Command::Emulator(_) => Err(CliError::Usage(
            "the emulator is not a headless command".to_string(),
        )),
        command => {
            let ctx = context::Context::build(global)?;
            match command {
                Command::Endpoint(c) => endpoint::run(&ctx, c).await,
                Command::Deployment(c) => deployment::run(&ctx, c).await,
                Command::Traffic(a) => traffic::run(&ctx, traffic::Which::Live, a).await,
                Command::Mirror(a) => traffic::run(&ctx, traffic::Which::Mirror, a).await,
                Command::Logs(a) => logs::run(&ctx, a).await,
                Command::Invoke(a) => invoke::run(&ctx, a).await,
                Command::Status(a) => status::run(&ctx, a).await,
                Command::Compare(a) => compare::run(&ctx, a).await,
                Command::Rollout(c) => rollout::run(&ctx, c).await,
                Command::Config(_) | Command::Completions(_) | Command::Emulator(_) => Ok(()),
            }
        }
    }
}

fn completions(shell: ShellArg) -> CliResult<()> {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    let mut command = Cli::command();
    let mut stdout = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "aml-rollout", &mut stdout);
    stdout
        .flush()
        .map_err(|e| CliError::Failed(format!("cannot write the completions: {e}")))
}

/// Prints an error for the operator: every line prefixed, remote text sanitized.
pub(crate) fn report(error: &CliError) {
    let mut stderr = std::io::stderr().lock();
    for line in error.to_string().lines() {
        let _ = writeln!(stderr, "aml-rollout: {}", sanitize_inline(line));
    }
}
