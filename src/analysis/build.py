"""The pipeline: validate, compute tables, execute notebooks, build the book, publish atomically."""
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .contract import ContractError, Extract, load_extract
from .errors import BuildError
from .leakscan import scan
from .manifest import build_epoch, input_fingerprints, sha256, write_manifest
from .outputs import check_output, staged_output
from .params import Params, ParamsError
from .prices import load_prices
from .project import REFERENCE_DIR
from .package import book_params, read_package, write_package
from .registry import Package, Tables, book_tables, compute_package, compute_tables, write_tables
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


class Source:
    """Where a book's tables come from: an extract (inside DST) or a result package (anywhere)."""
    directory: Path
    synthetic: bool
    kind: str  # as the manifest names it

    def tables(self, params: Params, progress: Progress) -> Tables:
        raise NotImplementedError

    def fingerprints(self, params: Params) -> dict[str, str]:
        """SHA-256 of every input, by the name the manifest gives it."""
        raise NotImplementedError

    def person_keys(self) -> pd.Series:
        """The person keys the leak scan looks for (none outside DST)."""
        return pd.Series([], dtype="int64")


@dataclass
class FromExtract(Source):
    directory: Path
    extract: Extract
    kind = "udtraek"

    @property
    def synthetic(self) -> bool:
        return is_synthetic(self.directory)

    def tables(self, params: Params, progress: Progress) -> Tables:
        return compute_tables(self.extract, params, progress)

    def fingerprints(self, params: Params) -> dict[str, str]:  # once per extract: build-all writes 98 manifests
        return self.extract.memo(("input fingerprints", params.enhedspriser, params.indsatstrappe),
                                 lambda: input_fingerprints(self.directory, params))

    def person_keys(self) -> pd.Series:
        return self.extract.stamdata["pnr"].drop_duplicates()


@dataclass
class FromPackage(Source):
    directory: Path
    package: Package
    manifest: dict
    kind = "resultatpakke"

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest["synthetic"])

    def tables(self, params: Params, progress: Progress) -> Tables:
        return book_tables(self.package, params, progress)

    def fingerprints(self, params: Params) -> dict[str, str]:
        files = {f"pakke/{name}": digest for name, digest in self.manifest["files"].items()}
        return files | {"pakke/manifest.json": sha256(self.directory / "manifest.json"),
                        "enhedspriser": sha256(params.enhedspriser), "indsatstrappe": sha256(params.indsatstrappe)}


def write_computed(source: Source, stage: Path, params: Params, progress: Progress) -> None:
    """Tables, disclosure audit and manifest into `stage` (the manifest first, so the book can show it)."""
    write_tables(source.tables(params, progress), stage, params)
    write_manifest(stage, source.directory, params, source.synthetic, source.fingerprints(params), source.kind)


def leak_scan(stage: Path, person_keys: pd.Series, params: Params, progress: Progress) -> None:
    progress("leak scan")
    findings = scan(stage, person_keys, params.min_celle)
    if findings:
        raise BuildError("leak scan failed, nothing published:\n" + "\n".join(f"- {f}" for f in findings))


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


def open_source(data: Path | None, pakke: Path | None, out: Path, kind: str, params_file: Path | None,
                progress: Progress, **overrides) -> tuple[Source, Params]:
    """The extract or the result package a run into `out` reads, and the run's parameters (from a
    package: the package's, changed where it allows); `out` is checked before the extract is loaded."""
    if (data is None) == (pakke is None):
        raise ParamsError("give either --data (an extract) or --pakke (a result package)")
    if pakke is not None:
        progress(f"reading the result package {pakke}")
        package, manifest = read_package(pakke)
        source, params = FromPackage(Path(pakke).resolve(), package, manifest), book_params(package, params_file,
                                                                                            **overrides)
        check_output(out, kind, run_inputs(source.directory, params, params_file))
        return source, params
    params = Params.load(params_file, **overrides)
    return extract_source(data, out, kind, params, params_file, progress), params


def extract_source(data: Path, out: Path, kind: str, params: Params, params_file: Path | None,
                   progress: Progress) -> FromExtract:
    """The validated extract, after `out` is checked for an output of `kind` (before the long load)."""
    data = Path(data).resolve()
    check_output(out, kind, run_inputs(data, params, params_file))
    return FromExtract(data, load_for(data, params, progress))


def compute(data: Path, out: Path, params: Params, progress: Progress = print, params_file: Path | None = None) -> None:
    """Tables and manifest, no notebooks (`roret compute`)."""
    source = extract_source(data, out, "tabeller", params, params_file, progress)
    with staged_output(out, "tabeller", run_inputs(source.directory, params, params_file), progress) as stage:
        write_computed(source, stage, params, progress)
        leak_scan(stage, source.person_keys(), params, progress)
    progress(f"wrote {out}")


def make_package(data: Path, out: Path, params: Params, progress: Progress = print,
                 params_file: Path | None = None) -> None:
    """The result package of an extract (`roret package`), atomically, after a leak scan."""
    source = extract_source(data, out, "resultatpakke", params, params_file, progress)
    package = compute_package(source.extract, params, progress)
    with staged_output(out, "resultatpakke", run_inputs(source.directory, params, params_file), progress) as stage:
        write_package(package, stage, source.fingerprints(params), source.synthetic)
        leak_scan(stage, source.person_keys(), params, progress)
    progress(f"wrote the result package {out}")


def build(source: Source, out: Path, params: Params, pdf: bool = True, progress: Progress = print,
          params_file: Path | None = None) -> None:
    """The whole publication (`roret build`): tables, manifest, executed notebooks, HTML, PDF."""
    from .execution import execute_notebooks, notebook_parameters, notebook_sources  # the book's tools: only here
    from .publication import build_book, tex_tools

    if pdf:
        tex_tools()  # no TeX: said before anything runs
    inputs = run_inputs(source.directory, params, params_file)
    with staged_output(out, "publikation", inputs, progress) as stage, kernel_environment(build_epoch()):
        write_computed(source, stage, params, progress)
        execute_notebooks(stage, notebook_parameters(params, source.synthetic), notebook_sources(), progress)
        build_book(stage, params.kommune, source.synthetic, pdf, progress)
        leak_scan(stage, source.person_keys(), params, progress)
    progress(f"published {out}")


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
