"""roret's own errors: each is shown to the user as a one-line message (a bug shows its traceback)."""


class RoretError(Exception):
    """An error the user can act on; the message says what and where."""


class BuildError(RoretError):
    """A build step failed; the message says which and why. The previous publication is left untouched."""


class OutputError(BuildError):
    """An output path roret may not write (a user's files, an input, the home directory, …)."""
