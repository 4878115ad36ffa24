//! Running subprocesses: echo the command, stream its output, fail naming the step.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result, bail};

/// The command line as a person would type it, for logs and errors.
pub fn display(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        line.push(' ');
        if arg.contains(' ') || arg.is_empty() {
            line.push_str(&format!("'{arg}'"));
        } else {
            line.push_str(&arg);
        }
    }
    line
}

/// Runs `command` with the terminal's stdio and fails, naming `step`, unless it succeeds.
pub fn run(step: &str, command: &mut Command) -> Result<()> {
    let status = status(step, command)?;
    if !status.success() {
        bail!(
            "step `{step}` failed: `{}` exited with {status}",
            display(command)
        );
    }
    Ok(())
}

/// Runs `command` with the terminal's stdio and returns its exit status, whatever it is.
pub fn status(step: &str, command: &mut Command) -> Result<ExitStatus> {
    let line = display(command);
    eprintln!("[{step}] $ {line}");
    command
        .status()
        .with_context(|| format!("step `{step}`: cannot start `{line}`: is it installed?"))
}

/// Runs `command`, copying its stdout to ours line by line as it comes (stderr goes straight
/// to the terminal), and returns the exit status with the stdout text for parsing.
pub fn tee_stdout(step: &str, command: &mut Command) -> Result<(ExitStatus, String)> {
    let line = display(command);
    eprintln!("[{step}] $ {line}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("step `{step}`: cannot start `{line}`: is it installed?"))?;
    let mut captured = String::new();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout();
        for text in BufReader::new(stdout).lines() {
            let text = text.with_context(|| format!("step `{step}`: reading output"))?;
            writeln!(out, "{text}")?;
            out.flush()?;
            captured.push_str(&text);
            captured.push('\n');
        }
    }
    let status = child
        .wait()
        .with_context(|| format!("step `{step}`: waiting for `{line}`"))?;
    Ok((status, captured))
}

/// Runs `command` quietly and returns its stdout; for quick queries such as `rustc --print`.
pub fn read(step: &str, command: &mut Command) -> Result<String> {
    let line = display(command);
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("step `{step}`: cannot start `{line}`: is it installed?"))?;
    if !output.status.success() {
        bail!(
            "step `{step}` failed: `{line}` exited with {}",
            output.status
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("`{line}` printed non-UTF-8 text"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn displays_a_command_line_with_quoted_spaces() {
        let mut command = Command::new("cargo");
        command.args(["test", "--", "a b"]);
        assert_eq!(display(&command), "cargo test -- 'a b'");
    }

    #[test]
    fn a_failing_command_fails_naming_its_step() {
        let err = run("demo-step", Command::new("false").arg("x")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("demo-step") && message.contains("false x"),
            "{message}"
        );
    }

    #[test]
    fn tee_returns_the_stdout_it_streamed() {
        let (status, out) = tee_stdout("echo", Command::new("echo").arg("hello")).unwrap();
        assert!(status.success());
        assert_eq!(out, "hello\n");
    }
}
