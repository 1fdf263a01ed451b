"""Output directories roret may write: only new, empty, or its own previous output of the same kind.

Every output is staged beside its target and published by renaming, so a failed or killed run
leaves the previous output in place. A marker file tells roret's outputs from a user's files;
anything else is refused before a single file is written.
"""
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import OutputError
from .interrupts import check as check_interrupts

MARKER = "roret-output.json"
KINDS = {  # kind: what a reader is told it is
    "udtraek": "a register extract (roret synth or roret convert)",
    "dst-filer": "DST-style synthetic SAS files (roret synth --format dst)",
    "tabeller": "tables (roret compute)",
    "resultatpakke": "a result package (roret package)",
    "publikation": "a publication (roret build)",
    "publikationer": "municipal publications (roret build-all)",
}
MAX_ENTRIES_SHOWN = 5
# Staging and previous-output directories beside OUT; the pid tells a live run from a dead one.
# ".OUT.staging-PID" is the name versions before 0.6 used.
LEFTOVER = r"\.{name}\.(?:roret-)?(?P<role>staging|previous)-(?P<pid>\d+)"


def _marker_kind(directory: Path) -> str | None:
    try:
        return json.loads((directory / MARKER).read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None


def _entries(directory: Path) -> str:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in directory.iterdir())
    more = f" and {len(names) - MAX_ENTRIES_SHOWN} more" if len(names) > MAX_ENTRIES_SHOWN else ""
    return ", ".join(names[:MAX_ENTRIES_SHOWN]) + more


def _overlaps(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def check_output(out: Path, kind: str, inputs: Iterable[Path] = ()) -> Path:
    """The resolved `out`, if roret may (re)place it with an output of `kind`; else OutputError."""
    out = Path(out).resolve()
    for special, what in ((Path(out.anchor), "the file system root"), (Path.home().resolve(), "your home directory"),
                          (Path.cwd().resolve(), "the current directory")):
        if out == special:
            raise OutputError(f"--out {out}: refusing to write over {what}; name a new directory, e.g. {out / 'roret'}")
    for given in inputs:
        source = Path(given).resolve()
        if _overlaps(out, source):
            relation = "is" if out == source else "contains" if source.is_relative_to(out) else "lies inside"
            raise OutputError(f"--out {out} {relation} the input {source}; write the output somewhere else")
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a directory; nothing was written")
    if out.is_dir() and any(out.iterdir()):
        found = _marker_kind(out)
        if found != kind:
            what = f"it holds {KINDS[found]}" if found in KINDS else "roret did not write it"
            raise OutputError(f"--out {out} is not empty and {what} (it contains {_entries(out)}); "
                              f"roret only replaces {KINDS[kind]} it wrote itself: choose a new or empty directory")
    return out


def write_marker(directory: Path, kind: str) -> None:
    (directory / MARKER).write_text(json.dumps({"roret": __version__, "kind": kind}) + "\n", encoding="utf-8")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (the one OS-specific part of this module)."""
    if os.name == "nt":  # signal 0 would terminate the process on Windows
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        ctypes.windll.kernel32.CloseHandle(handle)
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out: Path, progress: Callable[[str], None]) -> None:
    """Deal with what a killed run left beside `out`: a staging directory is removed; a previous
    output that a run had moved aside just before publishing is put back if `out` is missing."""
    pattern = re.compile(LEFTOVER.format(name=re.escape(out.name)))
    for path in sorted(out.parent.iterdir()):
        found = pattern.fullmatch(path.name)
        if not found or not path.is_dir() or (int(found["pid"]) != os.getpid() and pid_alive(int(found["pid"]))):
            continue
        if found["role"] == "previous" and not out.exists():
            path.rename(out)
            progress(f"restored {out} from {path.name}, left by an interrupted run")
        else:
            shutil.rmtree(path, ignore_errors=True)
            progress(f"removed {path.name}, left by an interrupted run")


def stage_path(out: Path) -> Path:
    """Where this process stages `out`: beside it (same file system, so publishing is a rename)."""
    return out.with_name(f".{out.name}.roret-staging-{os.getpid()}")


def new_stage(out: Path, kind: str, progress: Callable[[str], None]) -> Path:
    """An empty staging directory for `out`, marked as an output of `kind` (removed again if
    making it is interrupted)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out, progress)
    stage = stage_path(out)
    try:
        stage.mkdir()
        write_marker(stage, kind)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return stage


def replace_with(stage: Path, out: Path) -> None:
    """Publish `stage` as `out`, replacing roret's previous output there. Killed between the
    two renames, the previous output waits beside `out`, and the next run puts it back."""
    previous = out.with_name(f".{out.name}.roret-previous-{os.getpid()}")
    if out.exists():
        out.rename(previous)
    stage.rename(out)
    shutil.rmtree(previous, ignore_errors=True)


@contextmanager
def staged_output(out: Path, kind: str, inputs: Iterable[Path] = (),
                  progress: Callable[[str], None] = print) -> Iterator[Path]:
    """A staging directory that replaces `out` only if the block succeeds; `out` is checked first."""
    out = check_output(out, kind, inputs)
    try:
        stage = new_stage(out, kind, progress)
        yield stage
        check_interrupts()
    except BaseException:  # by its name: an interrupt may come before `stage` is assigned
        shutil.rmtree(stage_path(out), ignore_errors=True)
        raise
    replace_with(stage, out)
