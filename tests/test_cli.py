"""The command line: roret's own errors are one line; a bug keeps its traceback."""
import pytest

from analysis import cli
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
