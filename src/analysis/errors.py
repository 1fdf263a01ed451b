"""Errors of a build step; the previous publication is left untouched."""


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


class OutputError(BuildError):
    """An output path roret may not write (a user's files, an input, the home directory, …)."""
