"""Executing the jupytext notebooks with papermill, and making executed notebooks reproducible."""
import os
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import papermill
from jupyter_client import BlockingKernelClient, KernelManager
from jupyter_client.session import Session

from .errors import BuildError
from .params import Params
from .project import NOTEBOOK_DIR
from .reference import municipality_name
from .workers import worker_pool

NOTEBOOK_WORKERS = 2  # measured: two kernels on two cores ≈ 1.9 × faster than one
KERNEL = "python3"
KERNEL_START_ATTEMPTS = 3
# Run silently in a shared kernel before each notebook; binds no names in the namespace.
# The directory first: the previous one (a failed book's) may be gone, and %reset needs one.
# %reset collects garbage; freezing what survives it (modules, caches) keeps the next
# collection to what the next notebook leaves behind.
FRESH_NAMESPACE = ("__import__('os').chdir(%r)\n"
                   "get_ipython().run_line_magic('reset', '-f')\n"
                   "__import__('matplotlib.pyplot').pyplot.close('all')\n"
                   "__import__('gc').freeze()\n"
                   "get_ipython().execution_count = 1\n")
# Metadata that changes from run to run (timestamps, durations, paths); stripped after execution.
VOLATILE_NOTEBOOK_KEYS = ("duration", "start_time", "end_time", "input_path", "output_path")
VOLATILE_CELL_KEYS = ("execution", "papermill")


def notebook_sources() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("*.py"))


def notebook_parameters(params: Params, synthetic: bool) -> dict:
    """The values papermill injects into every notebook's `parameters` cell."""
    name = municipality_name(params.kommune) if params.kommune is not None else None
    return {"tabeller": "../tables", "kommune": params.kommune, "kommunenavn": name, "aar": params.aar,
            "trappe_basisaar": params.trappe_basisaar, "min_celle": params.min_celle, "syntetisk": synthetic,
            "sammenligning": list(params.sammenligning)}


def strip_volatile(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove run-specific metadata and number the cells (ids are random otherwise), so two runs
    from the same inputs give identical files."""
    for key in VOLATILE_NOTEBOOK_KEYS:
        notebook.metadata.get("papermill", {}).pop(key, None)
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    return notebook


@dataclass
class Kernel:
    """A running kernel and our own client of it (kept connected: a new client waits for the
    kernel to be ready, which takes a fifth of a second)."""
    manager: KernelManager
    client: BlockingKernelClient


def kernel_transport(directory: Path) -> dict:
    """How a kernel talks to roret: Unix sockets in `directory` where the system has them (TCP
    ports chosen by kernels starting at the same moment can collide), else TCP on localhost."""
    if os.name == "posix" and hasattr(socket, "AF_UNIX"):
        return {"transport": "ipc", "ip": str(directory / "k")}
    return {"transport": "tcp", "ip": "127.0.0.1"}


def _start_kernel(transport: dict) -> Kernel:
    manager = KernelManager(kernel_name=KERNEL, **transport)
    # No history database: resetting the execution count would clash with its line numbers.
    manager.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
    # A session of its own: the kernel routes replies by session id, and papermill's clients
    # share the manager's.
    client = manager.client(session=Session(key=manager.session.key,
                                            signature_scheme=manager.session.signature_scheme))
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
    except BaseException:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        raise
    return Kernel(manager, client)


@contextmanager
def shared_kernel() -> Iterator[Kernel]:
    """A kernel for one or several notebooks in turn (the imports are paid once). Over TCP, a
    kernel that dies at start (another took its port) is started again on new ports."""
    with tempfile.TemporaryDirectory(prefix="roret-kernel-") as sockets:
        transport = kernel_transport(Path(sockets))
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                kernel = _start_kernel(transport)
                break
            except RuntimeError as error:  # "Kernel died before replying to kernel_info"
                if attempt == KERNEL_START_ATTEMPTS:
                    raise BuildError(f"the notebook kernel did not start ({attempt} attempts): {error}") from None
        try:
            yield kernel
        finally:
            kernel.client.stop_channels()
            kernel.manager.shutdown_kernel(now=True)


def _fresh_namespace(kernel: Kernel, directory: Path) -> None:
    """Make a used kernel look new to the next notebook: empty namespace, no figures, its
    working directory, execution count 1 (so the executed notebook equals a fresh kernel's)."""
    reply = kernel.client.execute_interactive(FRESH_NAMESPACE % str(directory), silent=True, store_history=False,
                                              timeout=60, output_hook=lambda _: None)
    if reply["content"]["status"] != "ok":
        raise BuildError(f"could not reset the kernel: {reply['content'].get('evalue')}")


def _execute(source: Path, executed: Path, values: dict, kernel: Kernel) -> None:
    """Execute one jupytext notebook with papermill in the given kernel, made fresh first; the
    executed notebook is written once, at the end, without run-specific metadata."""
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    _fresh_namespace(kernel, executed)
    try:
        notebook = papermill.execute_notebook(notebook, None, parameters=values, cwd=executed, kernel_name=KERNEL,
                                              progress_bar=False, log_output=False, km=kernel.manager)
    except papermill.PapermillExecutionError as error:
        raise BuildError(f"notebook {source.name} failed in cell {error.exec_count}: "
                             f"{error.ename}: {error.evalue}") from None
    nbformat.write(strip_volatile(notebook), executed / f"{source.stem}.ipynb")


def _execute_in_own_kernel(source: Path, executed: Path, values: dict) -> None:
    """Run in a worker process (papermill changes the working directory, which threads would share)."""
    with shared_kernel() as kernel:
        _execute(source, executed, values, kernel)


def execute_notebooks(stage: Path, values: dict, sources: list[Path], progress: Callable[[str], None],
                      workers: int = NOTEBOOK_WORKERS, kernel: Kernel | None = None) -> None:
    """Run the notebooks beside stage/tables, `workers` kernels at a time (1: one kernel in
    this process, shared by the notebooks in turn; or the given, possibly used, `kernel`);
    executed copies go to stage/notebooks."""
    executed = stage / "notebooks"
    executed.mkdir()
    if kernel is not None or workers == 1:
        with nullcontext(kernel) if kernel is not None else shared_kernel() as used:
            for source in sources:
                progress(f"executing notebook {source.name}")
                _execute(source, executed, values, used)
    else:
        with worker_pool(workers) as pool:
            running = []
            for source in sources:
                progress(f"executing notebook {source.name}")
                running.append(pool.submit(_execute_in_own_kernel, source, executed, values))
            for job in running:
                job.result()
