"""The PDF: latexmk started from a previous book's auxiliary files."""
import subprocess

import pytest
from sphinx.cmd.build import build_main

from analysis import publication

pytestmark = pytest.mark.slow


def latex_project(root, words: str):
    """A small Sphinx project with contents, chapters and a cross-reference, built to LaTeX."""
    source = root / "source"
    source.mkdir(parents=True)
    (source / "conf.py").write_text("latex_engine = 'xelatex'\nlanguage = 'da'\n"
                                    "latex_documents = [('index', 'roret.tex', 'Bog', 'Forfatter', 'manual')]\n"
                                    "latex_elements = {'makeindex': '', 'printindex': ''}  # as in the book\n")
    chapters = "\n\n".join(f".. _kapitel-{n}:\n\nKapitel {n}\n=========\n\n{words} Se :ref:`kapitel-1`.\n"
                           for n in (1, 2, 3))
    (source / "index.rst").write_text(f"Bog\n===\n\n.. toctree::\n\n{chapters}")
    assert build_main(["-q", "-b", "latex", str(source), str(root / "latex")]) == 0
    return root / "latex"


def test_a_pdf_from_the_previous_books_auxiliary_files_is_the_same_in_one_run(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    runs = []
    run = subprocess.run

    def counted(*args, **kwargs):
        result = run(*args, **kwargs)
        runs.append(result.stdout.count("Running 'xelatex"))
        return result

    monkeypatch.setattr(publication.subprocess, "run", counted)
    first = latex_project(tmp_path / "a", "Tal for den første kommune.")
    second_alone = latex_project(tmp_path / "b", "Tal for den anden kommune.")
    second_after = latex_project(tmp_path / "c", "Tal for den anden kommune.")
    state = tmp_path / "state"
    state.mkdir()
    publication._pdf(first, state)
    alone = publication._pdf(second_alone).read_bytes()
    after = publication._pdf(second_after, state).read_bytes()
    assert runs[0] > 1 and runs[1] > 1 and runs[2] == 1
    assert after == alone
    assert sorted(p.name for p in state.iterdir()) == sorted(publication.LATEX_STATE)


def small_book(root, page: str):
    source = root / "book"
    source.mkdir(parents=True)
    (source / "_config.yml").write_text('title: Bog\nexecute:\n  execute_notebooks: "off"\n')
    (source / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (source / "index.md").write_text(f"# Forside\n\n{page}\n")
    return source


@pytest.mark.parametrize("page, message", [("Tallet er {glue:md}`mangler`.", "No key 'mangler'"),
                                           ("Se {ref}`findes-ikke`.", "findes-ikke")])
def test_a_warning_fails_the_build_instead_of_publishing_silently(tmp_path, page, message):
    with pytest.raises(publication.BuildError, match=message):
        publication._jupyter_book(small_book(tmp_path, page), tmp_path / "out", "html")
    assert (publication._jupyter_book(small_book(tmp_path / "ok", "Intet at advare om."), tmp_path / "ok-out", "html")
            / "index.html").is_file()
