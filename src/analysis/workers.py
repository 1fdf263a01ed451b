"""Worker processes that die with their parent and stop at once when the parent is interrupted.

(A notebook kernel already ends by itself when the process that started it is gone.)
"""
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

from .outputs import pid_alive

PARENT_POLL_SECONDS = 1.0
PR_SET_PDEATHSIG = 1


def _ask_kernel_for_death_signal() -> None:
    """Linux delivers SIGTERM to this process when its parent dies (the watcher thread is the
    portable, slower, fallback)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _watch(parent: int) -> None:
    while os.getppid() == parent and pid_alive(parent):
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when `parent` ends, however it ends."""
    _ask_kernel_for_death_signal()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops us
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with this process; if the block fails or is interrupted,
    the workers are terminated at once instead of finishing their jobs."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        for process in list((pool._processes or {}).values()):  # no public way to stop running jobs
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
