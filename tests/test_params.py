"""Parameters: defaults, file + flags, and errors that name the key."""
from pathlib import Path

import pandas as pd
import pytest
from extracts import small_valid

from analysis.cli import main
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


def test_municipality_codes_with_a_leading_zero_are_decimal(tmp_path):
    """YAML 1.1 reads 0751 as the octal number 489 and 0825 as a string; both are meant as codes."""
    params = Params.load(write(tmp_path, "kommune: 0751\nsammenligning: [0169, 0825, 101]\n"))
    assert params.kommune == 751 and params.sammenligning == [169, 825, 101]


@pytest.mark.parametrize("text, message", [
    ("aar: 2023\n", "parameter 'aar': 2023 needs the year(s) 2023 in the extract, which holds 2017–2022"),
    ("trappe_basisaar: 2021\n", "parameter 'trappe_basisaar': 2021 needs the year(s) 2021, 2022, 2023"),
    ("som_referenceaar: [2021, 2022]\n", "parameter 'som_referenceaar': [2021, 2022] needs the year(s) "
                                         "2021, 2022, 2023, 2026 in the extract, which holds 2017–2022 "
                                         "(missing: 2023, 2026)"),
    ("som_referenceaar: [2016, 2017]\n", "(missing: 2016)"),
])
def test_years_the_parameters_need_must_be_in_the_extract(tmp_path, capsys, text, message):
    data = small_valid(tmp_path / "data")
    path = write(tmp_path, text)
    assert main(["validate", "--data", str(data), "--params", str(path)]) == 1
    assert message in capsys.readouterr().err
    assert main(["compute", "--data", str(data), "--out", str(tmp_path / "out"), "--params", str(path)]) == 1
    assert message in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_the_default_parameters_fit_the_default_years():
    Params().check_years(list(range(2017, 2023)))


@pytest.mark.parametrize("price", ["1e308", "inf", "-5", "mange"])
def test_an_impossible_price_is_refused_before_any_work(tmp_path, capsys, price):
    prices = pd.read_csv(REFERENCE_DIR / "enhedspriser.csv", dtype=str)
    prices.loc[0, "kr"] = price
    prices.to_csv(tmp_path / "priser.csv", index=False)
    path = write(tmp_path, "enhedspriser: priser.csv\n")
    data = small_valid(tmp_path / "data")
    assert main(["compute", "--data", str(data), "--out", str(tmp_path / "out"), "--params", str(path)]) == 1
    message = capsys.readouterr().err
    assert "parameter 'enhedspriser': priser.csv, column 'kr'" in message and "row(s) [1]" in message
    assert "loading" not in message and not (tmp_path / "out").exists()


def test_a_municipality_listed_twice_is_refused(tmp_path, capsys):
    data = small_valid(tmp_path / "data")
    assert main(["build-all", "--data", str(data), "--out", str(tmp_path / "out"), "--kommuner", "751,751"]) == 1
    assert "--kommuner: municipality code(s) [751] given more than once" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
