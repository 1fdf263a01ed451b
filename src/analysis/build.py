"""The pipeline: validate, compute tables, execute notebooks, build the book, publish atomically."""
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .contract import Extract, load_extract
from .errors import BuildError
from .execution import execute_notebooks, notebook_parameters, notebook_sources
from .leakscan import scan
from .manifest import build_epoch, input_fingerprints, write_manifest
from .params import Params
from .publication import build_book
from .registry import compute_tables, write_tables

Progress = Callable[[str], None]
SYNTHETIC_MARKER = "syntetisk.json"


def new_stage(out: Path) -> Path:
    """An empty staging directory beside `out` (same file system, so publishing is a rename)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.with_name(f".{out.name}.staging-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    return stage


def replace_with(stage: Path, out: Path) -> None:
    """Publish `stage` as `out`, replacing any previous publication in one rename."""
    out = Path(out).resolve()
    previous = out.with_name(f".{out.name}.previous-{os.getpid()}")
    if out.exists():
        out.rename(previous)
    stage.rename(out)
    shutil.rmtree(previous, ignore_errors=True)


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A fresh staging directory beside `out` that replaces `out` only if the block succeeds."""
    stage = new_stage(out)
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    replace_with(stage, out)


def is_synthetic(data: Path) -> bool:
    return (Path(data) / SYNTHETIC_MARKER).is_file()


def write_computed(extract: Extract, data: Path, stage: Path, params: Params, progress: Progress) -> None:
    """Tables, disclosure audit and manifest into `stage` (the manifest first, so the book can show it).
    The input files are fingerprinted once per loaded extract (build-all writes 98 manifests)."""
    write_tables(compute_tables(extract, params, progress), stage, params)
    inputs = extract.memo(("input fingerprints", params.enhedspriser, params.indsatstrappe),
                          lambda: input_fingerprints(data, params))
    write_manifest(stage, data, params, is_synthetic(data), inputs)


def leak_scan(stage: Path, person_keys: pd.Series, params: Params, progress: Progress) -> None:
    progress("leak scan")
    findings = scan(stage, person_keys, params.min_celle)
    if findings:
        raise BuildError("leak scan failed, nothing published:\n" + "\n".join(f"- {f}" for f in findings))


def person_keys(extract: Extract) -> pd.Series:
    return extract.stamdata["pnr"].drop_duplicates()


def _load(data: Path, progress: Progress) -> Extract:
    progress(f"loading and validating {data}")
    return load_extract(data)


def compute(data: Path, out: Path, params: Params, progress: Progress = print) -> None:
    """Tables and manifest, no notebooks (`roret compute`)."""
    data = Path(data).resolve()
    extract = _load(data, progress)
    with staged_output(out) as stage:
        write_computed(extract, data, stage, params, progress)
        leak_scan(stage, person_keys(extract), params, progress)
    progress(f"wrote {out}")


def publish(extract: Extract, data: Path, out: Path, params: Params, pdf: bool, progress: Progress) -> None:
    """The whole publication from a loaded extract into `out` (atomically)."""
    synthetic = is_synthetic(data)
    with staged_output(out) as stage, kernel_environment(build_epoch()):
        write_computed(extract, data, stage, params, progress)
        execute_notebooks(stage, notebook_parameters(params, synthetic), notebook_sources(), progress)
        build_book(stage, params.kommune, synthetic, pdf, progress)
        leak_scan(stage, person_keys(extract), params, progress)
    progress(f"published {out}")


def build(data: Path, out: Path, params: Params, pdf: bool = True, progress: Progress = print) -> None:
    """The whole publication (`roret build`): tables, manifest, executed notebooks, HTML, PDF."""
    data = Path(data).resolve()
    publish(_load(data, progress), data, out, params, pdf, progress)


@contextmanager
def kernel_environment(epoch: int) -> Iterator[None]:
    """Environment the kernels inherit: inline figures and reproducible figures and timestamps."""
    saved = dict(os.environ)
    os.environ.pop("MPLBACKEND", None)  # Agg would reach the kernel and drop every figure
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
