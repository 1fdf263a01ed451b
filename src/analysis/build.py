"""The pipeline: validate, compute tables, execute notebooks, build the book, publish atomically."""
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .contract import ContractError, Extract, load_extract
from .errors import BuildError
from .execution import execute_notebooks, notebook_parameters, notebook_sources
from .leakscan import scan
from .manifest import build_epoch, input_fingerprints, write_manifest
from .outputs import check_output, staged_output
from .params import Params, ParamsError
from .prices import load_prices
from .project import REFERENCE_DIR
from .publication import build_book
from .registry import compute_tables, write_tables
from .staircase import load_staircase

Progress = Callable[[str], None]
SYNTHETIC_MARKER = "syntetisk.json"


def run_inputs(data: Path, params: Params, params_file: Path | None = None) -> list[Path]:
    """Every input of a run (the extract, the parameter, price and staircase files, the reference
    data): an output may not be, contain or lie inside any of them."""
    files = [data, params.enhedspriser, params.indsatstrappe, REFERENCE_DIR]
    return files + ([params_file] if params_file is not None else [])


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


def check_parameter_files(params: Params) -> None:
    """The price and staircase files checked before any heavy work, errors naming the parameter."""
    for key, load in (("enhedspriser", load_prices), ("indsatstrappe", load_staircase)):
        try:
            load(getattr(params, key))
        except ContractError as error:
            raise ParamsError(f"parameter '{key}': {error}") from None


def load_for(data: Path, params: Params, progress: Progress) -> Extract:
    """The validated extract, checked to hold the years the parameters need."""
    check_parameter_files(params)
    progress(f"loading and validating {data}")
    extract = load_extract(data)
    for note in extract.notes:
        progress(f"note: {note}")
    params.check_years(extract.years())
    return extract


def compute(data: Path, out: Path, params: Params, progress: Progress = print, params_file: Path | None = None) -> None:
    """Tables and manifest, no notebooks (`roret compute`)."""
    data = Path(data).resolve()
    inputs = run_inputs(data, params, params_file)
    check_output(out, "tabeller", inputs)
    extract = load_for(data, params, progress)
    with staged_output(out, "tabeller", inputs, progress) as stage:
        write_computed(extract, data, stage, params, progress)
        leak_scan(stage, person_keys(extract), params, progress)
    progress(f"wrote {out}")


def publish(extract: Extract, data: Path, out: Path, params: Params, pdf: bool, progress: Progress,
            inputs: list[Path]) -> None:
    """The whole publication from a loaded extract into `out` (atomically)."""
    synthetic = is_synthetic(data)
    with staged_output(out, "publikation", inputs, progress) as stage, kernel_environment(build_epoch()):
        write_computed(extract, data, stage, params, progress)
        execute_notebooks(stage, notebook_parameters(params, synthetic), notebook_sources(), progress)
        build_book(stage, params.kommune, synthetic, pdf, progress)
        leak_scan(stage, person_keys(extract), params, progress)
    progress(f"published {out}")


def build(data: Path, out: Path, params: Params, pdf: bool = True, progress: Progress = print,
          params_file: Path | None = None) -> None:
    """The whole publication (`roret build`): tables, manifest, executed notebooks, HTML, PDF."""
    data = Path(data).resolve()
    inputs = run_inputs(data, params, params_file)
    check_output(out, "publikation", inputs)
    publish(load_for(data, params, progress), data, out, params, pdf, progress, inputs)


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
