"""The pipeline: validate, compute tables, execute notebooks, build the book, publish atomically."""
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from contextlib import contextmanager
from pathlib import Path

import jupytext
import pandas as pd
import papermill
import yaml

from .contract import load_extract
from .leakscan import scan
from .manifest import build_epoch, build_time, write_manifest
from .params import Params
from .project import BOOK_FILES, NOTEBOOK_DIR, ROOT
from .reference import municipality_name
from .registry import compute_tables, write_tables
from .synth import SYNTHETIC_MARK
from . import __version__

Progress = Callable[[str], None]
SYNTHETIC_MARKER = "syntetisk.json"
NOTEBOOK_WORKERS = 2  # measured: two kernels on two cores ≈ 1.9 × faster than one
SYNTHETIC_ANNOUNCEMENT = f"⚠ {SYNTHETIC_MARK}"
# The same mark at the top of every PDF page.
SYNTHETIC_LATEX = ("\\usepackage{draftwatermark}\n\\DraftwatermarkOptions{text={%s}, angle=0, fontsize=10pt, "
                   "color=red!60!black, vpos=1.2cm, hpos=0.5\\paperwidth}\n" % SYNTHETIC_MARK)


class BuildError(RuntimeError):
    """A build step failed; the previous output is left untouched."""


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A fresh staging directory beside `out` that replaces `out` only if the block succeeds."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = out.with_name(f".{out.name}.previous-{os.getpid()}")
    if out.exists():
        out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous, ignore_errors=True)


def is_synthetic(data: Path) -> bool:
    return (Path(data) / SYNTHETIC_MARKER).is_file()


def _compute(data: Path, stage: Path, params: Params, progress: Progress) -> tuple[list[Path], pd.Series]:
    """Validate, compute and write the tables; return the input files and the person keys."""
    progress(f"loading and validating {data}")
    extract = load_extract(data)
    write_tables(compute_tables(extract, params, progress), stage, params)
    return list(extract.files.values()), extract.stamdata["pnr"].drop_duplicates()


def _leak_scan(stage: Path, person_keys: pd.Series, params: Params, progress: Progress) -> None:
    progress("leak scan")
    findings = scan(stage, person_keys, params.min_celle)
    if findings:
        raise BuildError("leak scan failed, nothing published:\n" + "\n".join(f"- {f}" for f in findings))


def compute(data: Path, out: Path, params: Params, progress: Progress = print) -> None:
    """Tables and manifest, no notebooks (`roret compute`)."""
    data = Path(data).resolve()
    with staged_output(out) as stage:
        inputs, person_keys = _compute(data, stage, params, progress)
        _leak_scan(stage, person_keys, params, progress)
        write_manifest(stage, data, inputs, params, is_synthetic(data))
    progress(f"wrote {out}")


def build(data: Path, out: Path, params: Params, pdf: bool = True, progress: Progress = print) -> None:
    """The whole publication (`roret build`): tables, executed notebooks, HTML, PDF, manifest."""
    data = Path(data).resolve()
    synthetic = is_synthetic(data)
    with staged_output(out) as stage, _kernel_environment():
        inputs, person_keys = _compute(data, stage, params, progress)
        execute_notebooks(stage, params, synthetic, progress)
        build_book(stage, params, synthetic, pdf, progress)
        _leak_scan(stage, person_keys, params, progress)
        write_manifest(stage, data, inputs, params, synthetic)
    progress(f"published {out}")


@contextmanager
def _kernel_environment() -> Iterator[None]:
    """Environment the kernels inherit: inline figures and reproducible PDF figures."""
    saved = dict(os.environ)
    os.environ.pop("MPLBACKEND", None)  # Agg would reach the kernel and drop every figure
    os.environ["SOURCE_DATE_EPOCH"] = str(build_epoch())
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def notebook_sources() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("*.py"))


def notebook_parameters(params: Params, synthetic: bool) -> dict:
    name = municipality_name(params.kommune) if params.kommune is not None else None
    return {"tabeller": "../tables", "kommune": params.kommune, "kommunenavn": name, "aar": params.aar,
            "trappe_basisaar": params.trappe_basisaar, "min_celle": params.min_celle, "syntetisk": synthetic}


def _execute(source: Path, sources: Path, executed: Path, values: dict) -> None:
    """Execute one jupytext notebook with papermill (in a worker process: papermill changes
    the working directory, which threads would share)."""
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    unexecuted = sources / f"{source.stem}.ipynb"
    jupytext.write(notebook, unexecuted)
    try:
        papermill.execute_notebook(unexecuted, executed / unexecuted.name, parameters=values, cwd=executed,
                                   kernel_name="python3", progress_bar=False, log_output=False)
    except papermill.PapermillExecutionError as error:
        raise BuildError(f"notebook {source.name} failed in cell {error.exec_count}: "
                         f"{error.ename}: {error.evalue}") from None


def execute_notebooks(stage: Path, params: Params, synthetic: bool, progress: Progress) -> None:
    """Run every jupytext notebook, two at a time; executed copies go to stage/notebooks."""
    sources, executed = stage / ".sources", stage / "notebooks"
    sources.mkdir()
    executed.mkdir()
    values = notebook_parameters(params, synthetic)
    with ProcessPoolExecutor(max_workers=NOTEBOOK_WORKERS, mp_context=get_context("spawn")) as pool:
        running = []
        for source in notebook_sources():
            progress(f"executing notebook {source.name}")
            running.append(pool.submit(_execute, source, sources, executed, values))
        for job in running:
            job.result()
    shutil.rmtree(sources)


def book_title(params: Params) -> str:
    base = "Borgeren ved roret — registeranalyse"
    return base if params.kommune is None else f"{base} for {municipality_name(params.kommune)} Kommune"


def _stage_book_sources(stage: Path, params: Params, synthetic: bool) -> Path:
    """The book root for Jupyter Book: the repo's book files with this run's values filled in."""
    source = stage / ".book"
    source.mkdir()
    values = {"version": __version__, "year": str(build_time().year), "title": book_title(params)}
    for name in BOOK_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name)
        else:
            shutil.copy2(path, source / name)
    for page in (source / "book").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{ " + key + " }}", value)
        page.write_text(text, encoding="utf-8")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = book_title(params)
    if synthetic:
        config["html"]["announcement"] = SYNTHETIC_ANNOUNCEMENT
        config["sphinx"]["config"]["latex_elements"]["preamble"] = SYNTHETIC_LATEX
    (source / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    shutil.copytree(stage / "notebooks", source / "notebooks")
    return source


def _jupyter_book(source: Path, output: Path, builder: str) -> None:
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source),
               "--path-output", str(output), "--builder", builder]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise BuildError(f"jupyter-book {builder} build failed:\n{tail}")


def build_book(stage: Path, params: Params, synthetic: bool, pdf: bool, progress: Progress) -> None:
    source = _stage_book_sources(stage, params, synthetic)
    output = stage / ".jupyter-book"
    progress("building HTML")
    _jupyter_book(source, output, "html")
    shutil.move(output / "_build" / "html", stage / "html")
    if pdf:
        progress("building PDF (xelatex)")
        _jupyter_book(source, output, "pdflatex")
        (stage / "pdf").mkdir()
        name = "roret.pdf" if params.kommune is None else f"roret-{params.kommune}.pdf"
        shutil.move(output / "_build" / "latex" / "roret.pdf", stage / "pdf" / name)
    shutil.rmtree(output)
    shutil.rmtree(source)
