"""The data contract: hand-built bad extracts are rejected with a message naming the problem."""
import numpy as np
import pandas as pd
import pytest

from analysis import contract
from analysis.cli import main
from analysis.contract import ContractError, load_extract
from extracts import FORBRUG_ZERO, small_valid, write_extract


def rejected(directory) -> str:
    with pytest.raises(ContractError) as error:
        load_extract(directory)
    return str(error.value)


def test_valid_csv_extract_loads(tmp_path):
    extract = load_extract(small_valid(tmp_path))
    assert len(extract.bopael) == 13
    assert extract.bopael["pnr"].dtype == "int64"
    assert set(extract.files) == {"bopael", "stamdata", "ydelser", "diagnoser", "forbrug"}


def test_parquet_and_csv_load_the_same(tmp_path):
    csv_dir = small_valid(tmp_path / "csv")
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    for path in csv_dir.glob("*.csv"):
        pd.read_csv(path).to_parquet(parquet_dir / f"{path.stem}.parquet")
    from_csv, from_parquet = load_extract(csv_dir), load_extract(parquet_dir)
    pd.testing.assert_frame_equal(from_csv.bopael, from_parquet.bopael)
    assert from_parquet.files["bopael"].suffix == ".parquet"


def test_missing_table(tmp_path):
    (small_valid(tmp_path) / "diagnoser.csv").unlink()
    assert "table 'diagnoser' is missing" in rejected(tmp_path)


def test_missing_column(tmp_path):
    small_valid(tmp_path)
    frame = pd.read_csv(tmp_path / "bopael.csv").drop(columns="alder")
    frame.to_csv(tmp_path / "bopael.csv", index=False)
    message = rejected(tmp_path)
    assert "bopael.csv" in message and "alder" in message and "missing" in message


def test_wrong_type(tmp_path):
    write_extract(tmp_path, bopael=[(1, 2022, 101, 30), (2, 2022, 101, "tredive")])
    message = rejected(tmp_path)
    assert "bopael.csv, column 'alder': not of type int" in message
    assert "row 2: pnr=2" in message


def test_fractional_integer_is_a_wrong_type_not_truncated(tmp_path):
    write_extract(tmp_path, bopael=[(1, 2022, 101, 30.5)])
    assert "column 'alder': not of type int" in rejected(tmp_path)


def test_unknown_code(tmp_path):
    write_extract(tmp_path, bopael=[(1, 2022, 999, 30)],
                  ydelser=[(1, 2022, 101, "sel999", "kognitiv", 10)])
    message = rejected(tmp_path)
    assert "bopael.csv, column 'kom': isin" in message and "kom=999" in message
    assert "ydelser.csv, column 'ydelse': isin" in message and "sel999" in message


def test_duplicate_key(tmp_path):
    write_extract(tmp_path, bopael=[(1, 2022, 101, 30), (1, 2022, 147, 30)])
    message = rejected(tmp_path)
    assert "bopael.csv, column 'pnr+aar': duplicate key (pnr, aar) — 2 row(s)" in message


def test_out_of_range(tmp_path):
    write_extract(tmp_path, bopael=[(1, 2022, 101, 130)], ydelser=[(1, 2022, 101, "sel85", "kognitiv", 0)])
    message = rejected(tmp_path)
    assert "column 'alder': in_range(0, 120)" in message
    assert "column 'dage': in_range(1, 366)" in message


def test_weeks_above_53_are_out_of_range(tmp_path):
    forbrug = pd.DataFrame([{"pnr": 1, "aar": 2022, **FORBRUG_ZERO, "beskaeftigelse_uger": 60.0}])
    write_extract(tmp_path, bopael=[(1, 2022, 101, 30)], forbrug=forbrug)
    assert "forbrug.csv, column 'beskaeftigelse_uger': in_range(0, 53)" in rejected(tmp_path)


def test_person_year_without_forbrug_row(tmp_path):
    forbrug = pd.DataFrame([{"pnr": 1, "aar": 2022, **FORBRUG_ZERO}])
    write_extract(tmp_path, bopael=[(1, 2022, 101, 30), (2, 2022, 101, 40)], forbrug=forbrug)
    message = rejected(tmp_path)
    assert "person-year in bopael without a forbrug row — 1 row(s)" in message and "pnr=2" in message


def test_pnr_type_must_agree_across_tables(tmp_path):
    small_valid(tmp_path)  # integer keys in CSV
    (tmp_path / "diagnoser.csv").unlink()
    pd.DataFrame({"pnr": ["1"], "diagnosegruppe": ["adhd"]}).to_parquet(tmp_path / "diagnoser.parquet")
    assert "same type in every table: bopael.csv=int" in rejected(tmp_path)
    assert "diagnoser.parquet=string" in rejected(tmp_path)


def test_at_most_five_rows_are_shown(tmp_path):
    write_extract(tmp_path, bopael=[(i, 2022, 999, 30) for i in range(1, 9)])
    message = rejected(tmp_path)
    assert "8 row(s)" in message and "row 5:" in message and "row 6:" not in message


def test_validate_command(tmp_path, capsys):
    assert main(["validate", "--data", str(small_valid(tmp_path / "good"))]) == 0
    assert capsys.readouterr().out.startswith("valid:")
    write_extract(tmp_path / "bad", bopael=[(1, 2022, 999, 30)])
    assert main(["validate", "--data", str(tmp_path / "bad")]) == 1
    assert "column 'kom'" in capsys.readouterr().err


def test_bad_extract_writes_nothing_and_keeps_previous_output(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compute", "--data", str(small_valid(tmp_path / "good")), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in (out / "tables").iterdir()}
    write_extract(tmp_path / "bad", bopael=[(1, 2022, 101, 300)])
    assert main(["compute", "--data", str(tmp_path / "bad"), "--out", str(out)]) == 1
    assert "alder" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (out / "tables").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "good", "out"]  # no staging left behind


def test_packed_duplicate_check_agrees_with_pandas():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"pnr": rng.integers(-5, 40, 2000), "aar": rng.integers(2017, 2023, 2000),
                          "ydelse": pd.Categorical(rng.choice(["sel82", "sel85", "sel108"], 2000))})
    keys = ["pnr", "aar", "ydelse"]
    assert contract._packed_keys(frame, keys) is not None  # the fast path is the one tested
    expected = frame.duplicated(keys, keep=False).to_numpy()
    assert expected.any() and not expected.all()
    assert (contract._duplicated(frame, keys) == expected).all()
    as_text = frame.assign(pnr=frame["pnr"].astype(str))
    assert contract._packed_keys(as_text, keys) is None  # string person keys: pandas' own check
    assert (contract._duplicated(as_text, keys) == expected).all()


def test_flag_coverage_check_agrees_with_a_merge():
    rng = np.random.default_rng(11)
    bopael = pd.DataFrame({"pnr": rng.integers(-3, 500, 3000), "aar": rng.integers(2017, 2023, 3000)})
    forbrug = bopael.sample(frac=0.7, random_state=1)  # a third of the person-years lack a row
    keys = ["pnr", "aar"]
    assert contract._packed_alike((bopael, forbrug), keys) is not None  # the fast path is the one tested
    merged = bopael.merge(forbrug.drop_duplicates(), on=keys, how="left", indicator=True)
    expected = (merged["_merge"] == "both").to_numpy()
    assert expected.any() and not expected.all()
    assert (contract._covered(bopael, forbrug, keys) == expected).all()
    as_text = {name: frame.assign(pnr=frame["pnr"].astype(str)) for name, frame in (("b", bopael), ("f", forbrug))}
    assert contract._packed_alike((as_text["b"], as_text["f"]), keys) is None  # string keys: the merge
    assert (contract._covered(as_text["b"], as_text["f"], keys) == expected).all()


def test_stored_integer_widths_give_the_contract_types(tmp_path):
    small_valid(tmp_path / "x")
    bopael = pd.read_csv(tmp_path / "x" / "bopael.csv")
    bopael.astype({"aar": "int16", "kom": "int16", "alder": "int8"}).to_parquet(tmp_path / "x" / "bopael.parquet")
    (tmp_path / "x" / "bopael.csv").unlink()
    loaded = contract.load_extract(tmp_path / "x")
    assert {c: str(t) for c, t in loaded.bopael.dtypes.items()} == {"pnr": "int64", "aar": "int16", "kom": "int16",
                                                                    "alder": "int16"}
    assert str(loaded.ydelser["dage"].dtype) == "int64"  # summed: never narrowed
    assert loaded.bopael["alder"].tolist() == bopael["alder"].tolist()
