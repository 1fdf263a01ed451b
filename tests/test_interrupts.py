"""A run killed at any moment leaves the previous output intact, its leftovers are cleaned up by
the next run, and no worker or kernel outlives it."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.interrupts import Terminated, handled
from analysis.outputs import staged_output
from analysis.synth import write_synthetic
from test_outputs import snapshot

LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("kill") / "data"
    write_synthetic(directory, scale=0.01, seed=2024, progress=lambda _: None)
    return directory


def roret(*argv: str) -> subprocess.Popen:
    """`roret ARGV` in a process group of its own, as a shell runs a command."""
    return subprocess.Popen([sys.executable, "-m", "analysis.cli", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def staging(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.roret-*"))


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()
            and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"}


@pytest.fixture
def previous(data, tmp_path) -> Path:
    out = tmp_path / "out"
    assert subprocess.run([sys.executable, "-m", "analysis.cli", "compute", "--data", str(data), "--out", str(out)],
                          capture_output=True).returncode == 0
    return out


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_compute_keeps_previous_output_and_leaves_nothing(data, previous, sig, code):
    before = snapshot(previous)
    run = roret("compute", "--data", str(data), "--out", str(previous))
    wait_for(lambda: staging(previous))
    run.send_signal(sig)
    _, err = run.communicate(timeout=60)
    assert run.returncode == code and "interrupted" in err and "Traceback" not in err
    assert snapshot(previous) == before and not staging(previous)


def test_killed_compute_keeps_previous_output_and_next_run_cleans_up(data, previous):
    before = snapshot(previous)
    run = roret("compute", "--data", str(data), "--out", str(previous))
    wait_for(lambda: staging(previous))
    run.kill()
    run.wait(timeout=60)
    left = staging(previous)
    assert snapshot(previous) == before and [p.name for p in left] == [f".out.roret-staging-{run.pid}"]
    again = subprocess.run([sys.executable, "-m", "analysis.cli", "compute", "--data", str(data), "--out",
                            str(previous)], capture_output=True, text=True)
    assert again.returncode == 0
    assert f"removed .out.roret-staging-{run.pid}, left by an interrupted run" in again.stderr
    assert not staging(previous) and snapshot(previous) == before


def start_build_and_wait_for_notebooks(data: Path, out: Path) -> tuple[subprocess.Popen, set[int]]:
    """A build of `out`, once its notebook workers and kernels run; and those processes."""
    run = roret("build", "--data", str(data), "--out", str(out), "--no-pdf")
    wait_for(lambda: any((stage / "notebooks").is_dir() for stage in staging(out)))
    wait_for(lambda: len(descendants(run.pid)) >= 4)  # two notebook workers and their kernels
    time.sleep(1)
    return run, descendants(run.pid)


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="reads the process tree from /proc")
def test_killed_build_takes_its_workers_and_kernels_with_it(data, previous, tmp_path):
    out = tmp_path / "book"
    run, children = start_build_and_wait_for_notebooks(data, out)
    run.kill()
    run.wait(timeout=60)
    deadline = time.monotonic() + 20
    while alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(children), "workers or kernels outlived their parent"
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="reads the process tree from /proc")
def test_ctrl_c_stops_a_build_promptly(data, tmp_path):
    out = tmp_path / "book"
    run, children = start_build_and_wait_for_notebooks(data, out)
    asked = time.monotonic()
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches every process of the command
    _, err = run.communicate(timeout=60)
    assert time.monotonic() - asked < 10, "Ctrl-C waited for the running notebooks"
    assert run.returncode == 130 and "interrupted" in err
    time.sleep(3)
    assert not alive(children) and not staging(out) and not out.exists()


@pytest.mark.parametrize("sig, stop", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)])
def test_a_stop_whose_exception_was_swallowed_still_prevents_publishing(tmp_path, sig, stop):
    out = tmp_path / "out"
    with staged_output(out, "tabeller", progress=lambda _: None) as stage:
        (stage / "tabel.csv").write_text("gammel\n")
    before = snapshot(out)
    with handled(), pytest.raises(stop):
        with staged_output(out, "tabeller", progress=lambda _: None) as stage:
            (stage / "tabel.csv").write_text("ny\n")
            try:  # as a finalizer or a C extension that clears errors would
                os.kill(os.getpid(), sig)
                time.sleep(1)
            except BaseException:
                pass
    assert snapshot(out) == before and not staging(out)
