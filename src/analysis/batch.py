"""`roret build-all`: one publication per municipality, the extract loaded and validated once."""
import html
import os
import shutil
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, wait
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from multiprocessing.util import Finalize
from pathlib import Path

from . import __version__, citation
from .build import Progress, Source, kernel_environment, leak_scan, run_inputs, write_computed
from .execution import Kernel, execute_notebooks, notebook_parameters, notebook_sources, shared_kernel
from .manifest import build_epoch
from .outputs import MARKER, check_output, new_stage, replace_with, stage_path, write_marker
from .params import Params, ParamsError
from .publication import build_book, tex_tools
from .reference import municipality_codes, municipality_name
from .synth import SYNTHETIC_MARK
from .workers import worker_pool


# Books built at a time: one more than the cores, as a book waits on its kernel and on xelatex
# part of the time (measured on 2 cores: 10 s a book with 3 at a time, 11 s with 2).
DEFAULT_JOBS = (os.cpu_count() or 1) + 1


@dataclass
class Summary:
    built: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        done = [f"built {len(self.built)} publication(s), {len(self.failed)} failed, in {self.seconds:.0f} s"]
        return done + [f"  {kom} {municipality_name(kom)}: {reason}" for kom, reason in sorted(self.failed.items())]


_worker_kernel: Kernel | None = None
_worker_latex: Path | None = None


def _kept(context):
    """Enter `context` for the rest of this worker process's life."""
    kept = ExitStack()
    value = kept.enter_context(context)
    Finalize(None, kept.close, exitpriority=10)  # at exit; the registry keeps `kept` alive
    return value


def _kernel() -> Kernel:
    """This worker process's kernel: started for its first book and made fresh for each next
    one (imports and start-up are paid once per worker); shut down when the worker exits."""
    global _worker_kernel
    if _worker_kernel is None or not _worker_kernel.manager.is_alive():
        _worker_kernel = _kept(shared_kernel())
    return _worker_kernel


def _latex_state() -> Path:
    """This worker process's directory for the LaTeX auxiliary files of its previous book."""
    global _worker_latex
    if _worker_latex is None:
        _worker_latex = Path(_kept(tempfile.TemporaryDirectory(prefix="roret-latex-")))
    return _worker_latex


def _render(stage: Path, values: dict, sources: list[Path], kommune: int, synthetic: bool, pdf: bool) -> None:
    """Notebooks and book for one municipality (in a worker process)."""
    execute_notebooks(stage, values, sources, progress=lambda _: None, kernel=_kernel())
    build_book(stage, kommune, synthetic, pdf, progress=lambda _: None, latex_state=_latex_state())


def _first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def municipalities_to_build(kommuner: list[int] | None) -> list[int]:
    """The municipality codes to build (all 98 by default), each known and given once."""
    codes = list(kommuner or sorted(municipality_codes()))
    unknown = sorted(set(codes) - set(municipality_codes()))
    if unknown:
        raise ParamsError(f"--kommuner: unknown municipality code(s) {unknown}")
    repeated = sorted({kom for kom in codes if codes.count(kom) > 1})
    if repeated:
        raise ParamsError(f"--kommuner: municipality code(s) {repeated} given more than once")
    return codes


def build_all(source: Source, out: Path, params: Params, jobs: int = DEFAULT_JOBS, pdf: bool = True,
              kommuner: list[int] | None = None, progress: Progress = print,
              params_file: Path | None = None) -> Summary:
    """Publications OUT/<kom>/ for every municipality (or `kommuner`), and OUT/index.html.

    The parent process computes each municipality's tables from one result package (made
    once from an extract, or read); `jobs` worker processes execute the notebooks and build
    the books. A municipality that fails is reported and leaves its previous publication in
    place; the others go on.
    """
    started = time.perf_counter()
    codes = municipalities_to_build(kommuner)
    if pdf:
        tex_tools()  # no TeX: said before anything runs
    out = check_output(out, "publikationer", run_inputs(source.directory, params, params_file))
    for kom in codes:
        check_output(out / str(kom), "publikation")
    synthetic = source.synthetic
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARKER).is_file():
        write_marker(out, "publikationer")
    keys = source.person_keys()
    sources = notebook_sources()
    summary = Summary()
    running = {}  # job: (kom, stage)
    try:
        with kernel_environment(build_epoch()), worker_pool(jobs) as pool:

            def collect(block: bool) -> None:
                done, _ = wait(running, timeout=None if block else 0, return_when=FIRST_COMPLETED)
                for job in done:
                    kom, stage = running.pop(job)
                    try:
                        job.result()
                        leak_scan(stage, keys, params, progress=lambda _: None)
                        replace_with(stage, out / str(kom))
                        summary.built.append(kom)
                    except Exception as error:  # one municipality's failure must not stop the others
                        shutil.rmtree(stage, ignore_errors=True)
                        summary.failed[kom] = _first_line(error)
                    finished = len(summary.built) + len(summary.failed)
                    left = (time.perf_counter() - started) / finished * (len(codes) - finished)
                    progress(f"[{finished}/{len(codes)}, ~{left / 60:.0f} min left] {kom} {municipality_name(kom)}: "
                             + ("built" if kom in summary.built else f"FAILED ({summary.failed[kom]})"))

            for kom in codes:
                while len(running) >= 2 * jobs:  # tables stay at most two municipalities ahead of the books
                    collect(block=True)
                stage = new_stage(out / str(kom), "publikation", progress)
                try:
                    municipal = replace(params, kommune=kom)
                    write_computed(source, stage, municipal, progress=lambda _: None)
                except Exception as error:
                    shutil.rmtree(stage, ignore_errors=True)
                    summary.failed[kom] = _first_line(error)
                    progress(f"{kom}: FAILED ({summary.failed[kom]})")
                    continue
                values = notebook_parameters(municipal, synthetic)
                running[pool.submit(_render, stage, values, sources, kom, synthetic, pdf)] = (kom, stage)
                collect(block=False)
            while running:
                collect(block=True)
    except BaseException:  # interrupted: the workers are gone; so are the books under way
        for kom in codes:
            shutil.rmtree(stage_path(out / str(kom)), ignore_errors=True)
        raise
    write_index(out, synthetic)
    summary.seconds = time.perf_counter() - started
    return summary


def write_index(out: Path, synthetic: bool) -> Path:
    """OUT/index.html: a page (Danish) linking every municipal publication in OUT."""
    built = [int(p.name) for p in out.iterdir() if p.name.isdigit() and (p / "manifest.json").is_file()]
    rows = []
    for kom in sorted(built, key=municipality_name):
        link = f'<a href="{kom}/html/index.html">{html.escape(municipality_name(kom))} Kommune</a>'
        document = f' · <a href="{kom}/pdf/roret-{kom}.pdf">PDF</a>' if (out / str(kom) / "pdf").is_dir() else ""
        rows.append(f"<li>{link}{document}</li>")
    warning = f'<p class="syntetisk">⚠ {SYNTHETIC_MARK}</p>' if synthetic else ""
    page = f"""<!DOCTYPE html>
<html lang="da">
<head><meta charset="utf-8"><title>{html.escape(citation.TITLE)} — alle kommuner</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto}} .syntetisk{{color:#8b1a1a;font-weight:bold}}
ul{{columns:3}}</style></head>
<body>
<h1>{html.escape(citation.TITLE)}</h1>
<p>Én publikation pr. kommune, version {__version__}. {len(built)} kommuner.</p>
{warning}
<ul>
{chr(10).join(rows)}
</ul>
</body>
</html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
