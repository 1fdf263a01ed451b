"""roret only ever replaces what roret wrote: every data-loss scenario leaves the user's files as they were."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from extracts import small_valid

from analysis.cli import main
from analysis.outputs import MARKER, check_output, clean_leftovers
from analysis.errors import OutputError


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and directory below `root` with its bytes (None for a directory)."""
    return {str(p.relative_to(root)): None if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def refused(argv: list[str], capsys) -> str:
    assert main(argv) == 1
    return capsys.readouterr().err


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A user's folder (the current directory, inside the home directory): a project with an
    extract, a parameters file and a price file, and unrelated files."""
    home = tmp_path / "bruger"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "brev.txt").write_text("kære kommune")
    proj = home / "proj"
    small_valid(proj / "extract")
    (proj / "priser.csv").write_bytes(Path("data/reference/enhedspriser.csv").read_bytes())
    (proj / "params.yml").write_text("enhedspriser: priser.csv\n")
    (proj / "report.pdf").write_bytes(b"%PDF-1.4 user's report")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(home)
    return home


@pytest.mark.parametrize("command", ["compute", "build"])
@pytest.mark.parametrize("out, reason", [
    ("proj/extract", "is the input"),
    ("proj", "contains the input"),
    ("proj/extract/tables", "lies inside the input"),
    ("Documents", "roret did not write it (it contains brev.txt)"),
    (".", "the current directory"),
    ("proj/report.pdf", "is a file, not a directory"),
])
def test_user_files_are_never_replaced(project, capsys, command, out, reason):
    before = snapshot(project)
    message = refused([command, "--data", "proj/extract", "--out", out], capsys)
    assert reason in message and str((project / out).resolve()) in message
    assert snapshot(project) == before


def test_home_and_root_are_refused(project, capsys, monkeypatch):
    monkeypatch.chdir(project / "proj")
    before = snapshot(project)
    assert "your home directory" in refused(["compute", "--data", "extract", "--out", str(project.parent)], capsys)
    assert "file system root" in refused(["compute", "--data", "extract", "--out", "/"], capsys)
    assert snapshot(project) == before


def test_output_holding_the_parameter_or_price_file_is_refused(project, capsys):
    (project / "proj" / "extract").rename(project / "extract")
    before = snapshot(project)
    message = refused(["compute", "--data", "extract", "--out", "proj", "--params", "proj/params.yml"], capsys)
    assert "contains the input" in message and ("params.yml" in message or "priser.csv" in message)
    assert snapshot(project) == before


def test_build_all_and_synth_refuse_foreign_folders(project, capsys):
    before = snapshot(project)
    assert "roret did not write it" in refused(["build-all", "--data", "proj/extract", "--out", "Documents",
                                                "--kommuner", "101"], capsys)
    assert "roret did not write it" in refused(["synth", "--out", "proj", "--scale", "0.001"], capsys)
    assert "is the input" in refused(["build-all", "--data", "proj/extract", "--out", "proj/extract"], capsys)
    assert snapshot(project) == before


def test_synth_refuses_a_real_extract(project, capsys):
    before = snapshot(project)
    assert "roret did not write it (it contains bopael.csv" in refused(
        ["synth", "--out", "proj/extract", "--scale", "0.001"], capsys)
    assert snapshot(project) == before


def test_an_output_of_another_kind_is_refused(project, capsys):
    assert main(["compute", "--data", "proj/extract", "--out", "tabeller"]) == 0
    before = snapshot(project)
    assert "it holds tables (roret compute)" in refused(["build", "--data", "proj/extract", "--out", "tabeller"], capsys)
    assert snapshot(project) == before


def test_own_output_and_empty_folders_are_replaced(project):
    (project / "tom").mkdir()
    assert main(["compute", "--data", "proj/extract", "--out", "tom"]) == 0
    first = snapshot(project / "tom")
    assert MARKER in first and "tables/maalgruppe.csv" in first
    assert main(["compute", "--data", "proj/extract", "--out", "tom"]) == 0
    assert snapshot(project / "tom") == first
    assert sorted(p.name for p in project.iterdir()) == ["Documents", "proj", "tom"]  # nothing left beside it


def test_a_symbolic_link_is_not_followed(tmp_path):
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(OutputError, match="is the input"):
        check_output(tmp_path / "link", "tabeller", inputs=[tmp_path / "target"])


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_a_killed_run_are_removed_and_reported(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = [tmp_path / f".out.roret-staging-{dead_pid()}", tmp_path / f".out.staging-{dead_pid()}"]
    alive = tmp_path / f".out.roret-staging-{os.getppid()}"  # a run still under way is left alone
    for directory in [*stale, alive]:
        directory.mkdir()
    said = []
    clean_leftovers(out, said.append)
    assert not any(p.exists() for p in stale) and alive.is_dir()
    assert sorted(said) == sorted(f"removed {p.name}, left by an interrupted run" for p in stale)


def test_previous_output_moved_aside_by_a_killed_run_is_restored(tmp_path):
    previous = tmp_path / f".out.roret-previous-{dead_pid()}"
    previous.mkdir()
    (previous / "manifest.json").write_text("{}")
    said = []
    clean_leftovers(tmp_path / "out", said.append)
    assert (tmp_path / "out" / "manifest.json").read_text() == "{}" and not previous.exists()
    assert said == [f"restored {tmp_path / 'out'} from {previous.name}, left by an interrupted run"]
