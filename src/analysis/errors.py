"""The error a failed build step raises; the previous publication is left untouched."""


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""
