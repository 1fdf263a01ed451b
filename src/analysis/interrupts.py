"""Ctrl-C and SIGTERM stop a run; and a stop is never lost, even where its exception is.

Python raises KeyboardInterrupt wherever the main thread happens to be, and some places swallow
it (a finalizer, a C extension that clears errors). The handlers here also remember the signal,
so `check` can raise it again before anything is published.
"""
import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so that every staging directory is removed on the way out."""


STOPS = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Terminated}
_received: list[type[BaseException]] = []


def _stop(signum, frame):
    _received.append(STOPS[signum])
    raise STOPS[signum]()


@contextmanager
def handled() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise KeyboardInterrupt and Terminated."""
    _received.clear()
    previous = {signum: signal.signal(signum, _stop) for signum in STOPS}
    try:
        yield
    finally:
        _received.clear()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def check() -> None:
    """Raise the stop a signal asked for, if its exception was swallowed on the way."""
    if _received:
        raise _received[0]()
