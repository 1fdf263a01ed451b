"""The command line: roret's own errors are one line; a bug keeps its traceback."""
import pytest

from analysis import cli, synth
from analysis.errors import RoretError


def test_own_errors_are_one_line_and_bugs_are_not_hidden(monkeypatch, capsys):
    def refuse(args):
        raise RoretError("bopael.csv: no rows")
    monkeypatch.setattr(cli, "_validate", refuse)
    assert cli.main(["validate", "--data", "x"]) == 1
    assert capsys.readouterr().err == "roret validate: error: bopael.csv: no rows\n"

    def bug(args):
        raise ValueError("cannot convert float NaN to integer")
    monkeypatch.setattr(cli, "_validate", bug)
    with pytest.raises(ValueError, match="NaN"):
        cli.main(["validate", "--data", "x"])


def test_synth_takes_its_years_as_a_span(monkeypatch):
    seen = {}
    monkeypatch.setattr(synth, "write_synthetic", lambda out, **options: seen.update(options))
    assert cli.main(["synth", "--out", "x", "--aar", "2010-2024"]) == 0
    assert seen["years"] == tuple(range(2010, 2025))
    assert cli.main(["synth", "--out", "x"]) == 0
    assert seen["years"] == tuple(range(2017, 2023))  # the default


def test_a_malformed_span_of_years_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["synth", "--out", "x", "--aar", "2024-2010"])
    assert stopped.value.code == 2
    assert "the last year 2010 is before the first 2024" in capsys.readouterr().err
