"""What DST's Windows research machines lack, forced here: Unix sockets, latexmk, any TeX at all."""
import subprocess
import threading

import pytest

from analysis import build, execution, publication
from analysis.errors import BuildError
from test_publication import latex_project

TCP = {"transport": "tcp", "ip": "127.0.0.1"}


def _answer(kernel: execution.Kernel) -> str:
    outputs = []
    kernel.client.execute_interactive("print(6 * 7)", output_hook=lambda m: outputs.append(m["content"]), timeout=60)
    return "".join(o.get("text", "") for o in outputs).strip()


def test_kernels_talk_tcp_where_there_are_no_unix_sockets(monkeypatch):
    monkeypatch.setattr(execution, "kernel_transport", lambda directory: TCP)
    answers, errors = [], []

    def run():
        try:
            with execution.shared_kernel() as kernel:
                assert kernel.manager.transport == "tcp"
                answers.append(_answer(kernel))
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]  # kernels starting at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and answers == ["42"] * 3


def test_a_kernel_that_dies_at_start_is_started_again_then_given_up(monkeypatch):
    monkeypatch.setattr(execution, "kernel_transport", lambda directory: TCP)
    start, attempts = execution._start_kernel, []

    def dies_first(transport):
        attempts.append(transport)
        if len(attempts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return start(transport)

    monkeypatch.setattr(execution, "_start_kernel", dies_first)
    with execution.shared_kernel() as kernel:
        assert _answer(kernel) == "42"
    assert len(attempts) == 2

    def always_dies(transport):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(execution, "_start_kernel", always_dies)
    with pytest.raises(BuildError, match="did not start \\(3 attempts\\)"):
        with execution.shared_kernel():
            pass


def _without(monkeypatch, *tools):
    which = publication.shutil.which
    monkeypatch.setattr(publication.shutil, "which", lambda name: None if name in tools else which(name))


@pytest.mark.slow
def test_without_latexmk_xelatex_alone_typesets_the_same_book(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    with_latexmk = publication._pdf(latex_project(tmp_path / "a", "Tal for kommunen."))
    _without(monkeypatch, "latexmk")
    alone = publication._pdf(latex_project(tmp_path / "b", "Tal for kommunen."))
    text = subprocess.run(["pdftotext", str(alone), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kapitel 3" in text and "??" not in text  # contents and cross-references resolved
    assert text == subprocess.run(["pdftotext", str(with_latexmk), "-"], capture_output=True, text=True,
                                  check=True).stdout


def test_no_tex_on_path_is_one_clear_message_before_anything_runs(tmp_path, monkeypatch):
    _without(monkeypatch, "latexmk", "xelatex")
    with pytest.raises(BuildError, match="no TeX distribution is on PATH: install TeX Live or MiKTeX"):
        build.build(source=None, out=tmp_path / "bog", params=None, pdf=True)
    assert not any(tmp_path.iterdir())
    monkeypatch.undo()
    _without(monkeypatch, "pdftotext")
    with pytest.raises(BuildError, match="leak scan needs pdftotext"):
        build.build(source=None, out=tmp_path / "bog", params=None, pdf=True)
