"""The book: stage the book sources with this run's values, build HTML and PDF with Jupyter Book 1."""
import io
import shutil
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import yaml
from jupyter_book.sphinx import build_sphinx

from . import __version__, citation
from .downloads import write_downloads
from .errors import BuildError
from .manifest import build_time
from .project import BOOK_FILES, ROOT
from .synth import SYNTHETIC_MARK

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")
SUBTITLE = "Målgruppe, indsatstrappe og budgetøkonomiske potentialer genberegnet fra registerdata"
# The synthetic mark at the foot of every PDF page.
SYNTHETIC_LATEX = ("\\usepackage{draftwatermark}\n\\DraftwatermarkOptions{text={%s}, angle=0, fontsize=10pt, "
                   "color=red!60!black, vpos=28.9cm, hpos=0.5\\paperwidth}\n" % SYNTHETIC_MARK)
SYNTHETIC_TITLE_WARNING = ("\\vspace{2em}\n\\fcolorbox{red!60!black}{white}{\\parbox{0.8\\textwidth}{\\centering"
                           "\\large\\color{red!60!black}\\textbf{%s}\\\\[0.5em]\\normalsize Bygget på et syntetisk "
                           "register i Danmarks Statistiks format. Tallene er ikke officiel statistik.}}\n"
                           % SYNTHETIC_MARK)
# What latexmk keeps between runs: the auxiliary files and its own record of them.
LATEX_STATE = ("roret.aux", "roret.toc", "roret.out", "roret.fdb_latexmk")
XELATEX_RUNS = 4  # without latexmk: at most this many runs until .aux, .toc and .out stop changing


def danish_date(when: date) -> str:
    return f"{when.day}. {MONTHS[when.month - 1]} {when.year}"


def title_page(kommune: int | None, synthetic: bool) -> str:
    """The PDF's title page (LaTeX): title, subtitle, version, date and the synthetic warning."""
    when = build_time()
    return ("\\begin{titlepage}\n\\centering\n\\vspace*{5em}\n"
            f"{{\\Huge\\bfseries {citation.title(kommune)}\\par}}\n\\vspace{{1.5em}}\n"
            f"{{\\Large {SUBTITLE}\\par}}\n\\vspace{{3em}}\n"
            f"{{\\large Version {__version__}\\par}}\\vspace{{0.5em}}\n"
            f"{{\\large {danish_date(when)}\\par}}\n"
            + (SYNTHETIC_TITLE_WARNING if synthetic else "")
            + f"\\vfill\n{{\\large {citation.AUTHOR}\\par}}\n\\end{{titlepage}}\n")


def pdf_metadata(kommune: int | None) -> str:
    """The PDF's document information (LaTeX, set once hyperref is loaded): title, author,
    subject, language."""
    return ("\\AtBeginDocument{\\hypersetup{pdftitle={%s}, pdfauthor={%s}, pdfsubject={%s}, pdflang={da}}}\n"
            % (citation.title(kommune), citation.AUTHOR, SUBTITLE))


def page_values(kommune: int | None) -> dict[str, str]:
    """The `{{ name }}` placeholders of book/*.md and their values for this run."""
    year = build_time().year
    return {"version": __version__, "year": str(year), "title": citation.title(kommune),
            "reference": citation.reference(kommune, __version__, year),
            "bibtex": citation.bibtex(kommune, __version__, year)}


def pdf_name(kommune: int | None) -> str:
    return "roret.pdf" if kommune is None else f"roret-{kommune}.pdf"


def _config(kommune: int | None, synthetic: bool, pdf: bool) -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = citation.title(kommune)
    sphinx = config["sphinx"]["config"]
    sphinx["version"] = sphinx["release"] = __version__
    sphinx["roret_pdf"] = pdf_name(kommune) if pdf else ""
    latex = sphinx["latex_elements"]
    latex["maketitle"] = title_page(kommune, synthetic)
    latex["releasename"] = "Version"  # the running header: "<title>, Version X.Y.Z"
    latex["preamble"] = latex.get("preamble", "") + pdf_metadata(kommune)
    if synthetic:
        config["html"]["announcement"] = f"⚠ {SYNTHETIC_MARK}"
        latex["preamble"] = latex.get("preamble", "") + SYNTHETIC_LATEX
    return config


def stage_sources(stage: Path, kommune: int | None, synthetic: bool, pdf: bool) -> Path:
    """The book root for Jupyter Book: the repo's book files with this run's values filled in,
    and the executed notebooks from stage/notebooks."""
    source = stage / ".book"
    source.mkdir()
    for name in BOOK_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name)
        else:
            shutil.copy2(path, source / name)
    values = page_values(kommune)
    for page in (source / "book").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{ " + key + " }}", value)
        page.write_text(text, encoding="utf-8")
    (source / "_config.yml").write_text(yaml.safe_dump(_config(kommune, synthetic, pdf), allow_unicode=True,
                                                       sort_keys=False), encoding="utf-8")
    shutil.copytree(stage / "notebooks", source / "notebooks")
    return source


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _jupyter_book(source: Path, output: Path, builder: str) -> Path:
    """Build the book at `source` with Jupyter Book's Sphinx entry point ("html" or "latex") in
    this process (no interpreter start and imports per build); its messages are shown only if it
    fails, and any warning (a missing glue key, a broken reference) fails it. The two builders
    share the parsed documents in output/_build/.doctrees."""
    built = output / "_build" / builder
    messages = io.StringIO()
    with redirect_stdout(messages), redirect_stderr(messages):
        result = build_sphinx(source, built, noconfig=True, path_config=str(source / "_config.yml"),
                              confoverrides={"external_toc_path": (source / "_toc.yml").as_posix(),
                                             "latex_individualpages": False},
                              builder=builder, quiet=True, warningiserror=True, keep_going=True)
    if result != 0:
        raise BuildError(f"jupyter-book {builder} build failed:\n{_tail(messages.getvalue())}")
    return built


def tex_tools() -> tuple[str, str | None]:
    """xelatex and latexmk (None if absent) from whichever TeX distribution is on PATH (TeX
    Live, or MiKTeX, whose latexmk needs Perl); and pdftotext, which the leak scan needs."""
    xelatex = shutil.which("xelatex")
    if xelatex is None:
        raise BuildError("the PDF needs xelatex, and no TeX distribution is on PATH: install TeX Live or MiKTeX "
                         "(or build the HTML alone with --no-pdf)")
    if shutil.which("pdftotext") is None:  # the leak scan reads the PDF with it
        raise BuildError("the PDF's leak scan needs pdftotext (poppler: Debian poppler-utils, conda-forge poppler), "
                         "which is not on PATH (or build the HTML alone with --no-pdf)")
    return xelatex, shutil.which("latexmk")


def _typeset(latex: Path) -> subprocess.CompletedProcess:
    """latexmk with the configuration Sphinx writes (latexmkrc), or without latexmk, xelatex until
    the auxiliary files stop changing."""
    xelatex, latexmk = tex_tools()
    if latexmk is not None:
        return subprocess.run([latexmk, "-pdf", "-dvi-", "-ps-", "roret.tex"], cwd=latex, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
    state = None
    for _ in range(XELATEX_RUNS):
        result = subprocess.run([xelatex, "-interaction=nonstopmode", "-halt-on-error", "roret.tex"], cwd=latex,
                                capture_output=True, text=True, stdin=subprocess.DEVNULL)
        settled = [(latex / n).read_bytes() if (latex / n).is_file() else b"" for n in LATEX_STATE[:3]]
        if result.returncode != 0 or settled == state:
            break
        state = settled
    return result


def _pdf(latex: Path, previous: Path | None = None) -> Path:
    """Typeset the LaTeX build (see _typeset).

    latexmk reruns xelatex until the auxiliary files (page numbers, contents, bookmarks) stop
    changing: three runs from none. Given a `previous` book's, it starts from them (and leaves
    this book's there for the next): one run when the pages fall as they did in that book, and
    the same PDF either way.
    """
    if previous is not None:
        for name in LATEX_STATE:
            if (previous / name).is_file():
                shutil.copy2(previous / name, latex / name)
    result = _typeset(latex)
    if result.returncode != 0:
        raise BuildError(f"xelatex failed:\n{_tail(result.stdout + result.stderr)}")
    if previous is not None:
        for name in LATEX_STATE:
            if (latex / name).is_file():
                shutil.copy2(latex / name, previous / name)
    return latex / "roret.pdf"


def build_book(stage: Path, kommune: int | None, synthetic: bool, pdf: bool, progress,
               latex_state: Path | None = None) -> None:
    """stage/html and stage/pdf/roret[-KOM].pdf from the executed notebooks in stage/notebooks
    (`latex_state`: a directory keeping the previous book's LaTeX auxiliary files, see _pdf)."""
    source = stage_sources(stage, kommune, synthetic, pdf)
    output = stage / ".jupyter-book"
    progress("building HTML")
    shutil.move(_jupyter_book(source, output, "html"), stage / "html")
    if pdf:
        progress("building PDF (xelatex)")
        (stage / "pdf").mkdir()
        shutil.move(_pdf(_jupyter_book(source, output, "latex"), latex_state), stage / "pdf" / pdf_name(kommune))
    shutil.rmtree(output)
    shutil.rmtree(source)
    write_downloads(stage, kommune, synthetic)
