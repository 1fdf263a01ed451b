"""Parameters: defaults, file + flags, and errors that name the key."""
from pathlib import Path

import pytest

from analysis.params import Params, ParamsError
from analysis.project import REFERENCE_DIR


def test_defaults_follow_the_design():
    params = Params()
    assert params.kommune is None
    assert params.sammenligning == [169, 265, 657, 751]
    assert (params.aar, params.trappe_basisaar, params.som_referenceaar) == (2022, 2020, [2017, 2020])
    assert (params.diskonteringsrente, params.seed, params.min_celle) == (0.0, 2024, 5)
    assert params.enhedspriser == REFERENCE_DIR / "enhedspriser.csv"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_values_and_flag_override(tmp_path):
    path = write(tmp_path, "kommune: 751\naar: 2021\nmin_celle: 10\n")
    assert Params.load(path).kommune == 751
    overridden = Params.load(path, kommune=101)
    assert (overridden.kommune, overridden.aar, overridden.min_celle) == (101, 2021, 10)


def test_relative_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "priser.csv").write_text("x\n")
    params = Params.load(write(tmp_path, "enhedspriser: priser.csv\n"))
    assert params.enhedspriser == tmp_path / "priser.csv"


@pytest.mark.parametrize("text, key", [
    ("kommun: 751\n", "kommun"),
    ("kommune: 999\n", "kommune"),
    ("kommune: '751'\n", "kommune"),
    ("sammenligning: [169, 998]\n", "sammenligning"),
    ("sammenligning: []\n", "sammenligning"),
    ("aar: tyve\n", "aar"),
    ("seed: true\n", "seed"),
    ("som_referenceaar: [2020, 2017]\n", "som_referenceaar"),
    ("diskonteringsrente: 1.5\n", "diskonteringsrente"),
    ("min_celle: 2\n", "min_celle"),
    ("enhedspriser: findes_ikke.csv\n", "enhedspriser"),
])
def test_bad_values_name_the_key(tmp_path, text, key):
    with pytest.raises(ParamsError, match=f"'?{key}'?"):
        Params.load(write(tmp_path, text))


def test_file_must_be_a_mapping(tmp_path):
    with pytest.raises(ParamsError, match="mapping"):
        Params.load(write(tmp_path, "- 751\n"))


def test_manifest_form_is_plain(tmp_path):
    values = Params(kommune=751).to_dict()
    assert values["kommune"] == 751 and isinstance(values["enhedspriser"], str)
