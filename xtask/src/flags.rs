//! A tiny command-line parser: the commands take a handful of flags, not worth a dependency.

use anyhow::{Result, bail};

/// The arguments after `cargo xtask`, consumed flag by flag.
pub struct Args {
    rest: Vec<String>,
}

impl Args {
    /// Takes the process arguments, skipping the program name.
    pub fn from_env() -> Self {
        Self::new(std::env::args().skip(1).collect())
    }

    /// Wraps an explicit argument list (used by tests).
    pub fn new(rest: Vec<String>) -> Self {
        Self { rest }
    }

    /// Removes and returns the first argument, the command name.
    pub fn command(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            None
        } else {
            Some(self.rest.remove(0))
        }
    }

    /// Removes a boolean flag such as `--dev`; true when it was present.
    pub fn flag(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|arg| arg != name);
        self.rest.len() != before
    }

    /// Removes `--name VALUE` or `--name=VALUE` and returns the value.
    pub fn value(&mut self, name: &str) -> Result<Option<String>> {
        let prefix = format!("{name}=");
        if let Some(index) = self.rest.iter().position(|arg| arg.starts_with(&prefix)) {
            let arg = self.rest.remove(index);
            return Ok(Some(arg[prefix.len()..].to_owned()));
        }
        let Some(index) = self.rest.iter().position(|arg| arg == name) else {
            return Ok(None);
        };
        if index + 1 >= self.rest.len() || self.rest[index + 1].starts_with("--") {
            bail!("flag `{name}` needs a value, e.g. `{name} VALUE`");
        }
        let value = self.rest.remove(index + 1);
        self.rest.remove(index);
        Ok(Some(value))
    }

    /// Removes and returns every remaining argument that is not a flag.
    pub fn positional(&mut self) -> Vec<String> {
        let (flags, positional) = std::mem::take(&mut self.rest)
            .into_iter()
            .partition(|arg| arg.starts_with('-'));
        self.rest = flags;
        positional
    }

    /// Every remaining argument as given, for commands that pass them through to a binary
    /// which checks them itself.
    pub fn into_rest(self) -> Vec<String> {
        self.rest
    }

    /// Fails on anything left over, so a mistyped flag is never silently ignored.
    pub fn finish(self) -> Result<()> {
        if let Some(unknown) = self.rest.first() {
            bail!("unexpected argument `{unknown}`: try `cargo xtask help`");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::new(list.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn reads_values_in_both_spellings() {
        let mut a = args(&["--port", "9000", "--data-dir=/tmp/x"]);
        assert_eq!(a.value("--port").unwrap().as_deref(), Some("9000"));
        assert_eq!(a.value("--data-dir").unwrap().as_deref(), Some("/tmp/x"));
        a.finish().unwrap();
    }

    #[test]
    fn rejects_a_flag_without_its_value() {
        let mut a = args(&["--port", "--dev"]);
        assert!(a.value("--port").is_err());
    }

    #[test]
    fn rejects_unknown_flags_left_over() {
        let mut a = args(&["--dev", "--verbose"]);
        assert!(a.flag("--dev"));
        let err = a.finish().unwrap_err().to_string();
        assert!(err.contains("--verbose"), "{err}");
    }
}
