"""The data contract: hand-built bad extracts are rejected with a message naming the problem."""
import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet
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


# --- Every rule of DATA_CONTRACT.md, and every malformed file a user makes by accident ---

def validate_fails(directory, capsys) -> str:
    """`roret validate` refuses the extract with a message, never a traceback; the message."""
    assert main(["validate", "--data", str(directory)]) == 1
    message = capsys.readouterr().err
    assert message.startswith("roret validate: error:") and "Traceback" not in message
    return message


@pytest.mark.parametrize("table, rule", [
    ("bopael", "bopael.csv: no rows"),
    ("forbrug", "person-year in bopael without a forbrug row — 13 row(s)"),
    ("stamdata", "bopael.csv, column 'pnr': person without a row in stamdata — 13 row(s)"),
])
def test_table_with_a_header_and_no_rows(tmp_path, capsys, table, rule):
    small_valid(tmp_path)
    header = pd.read_csv(tmp_path / f"{table}.csv").iloc[:0]
    header.to_csv(tmp_path / f"{table}.csv", index=False)
    assert rule in validate_fails(tmp_path, capsys)
    assert main(["compute", "--data", str(tmp_path), "--out", str(tmp_path.parent / "out")]) == 1
    assert rule in capsys.readouterr().err and not (tmp_path.parent / "out").exists()


def test_empty_service_table_is_said(tmp_path, capsys):
    small_valid(tmp_path)
    pd.read_csv(tmp_path / "ydelser.csv").iloc[:0].to_csv(tmp_path / "ydelser.csv", index=False)
    assert main(["validate", "--data", str(tmp_path)]) == 0
    assert "note: ydelser.csv has no rows: the target group is empty in every year" in capsys.readouterr().out


def test_zero_byte_file(tmp_path, capsys):
    small_valid(tmp_path)
    (tmp_path / "stamdata.csv").write_bytes(b"")
    assert "stamdata.csv: the file is empty" in validate_fails(tmp_path, capsys)


def test_truncated_parquet_file(tmp_path, capsys):
    small_valid(tmp_path)
    pd.read_csv(tmp_path / "forbrug.csv").to_parquet(tmp_path / "forbrug.parquet")
    (tmp_path / "forbrug.csv").unlink()
    whole = (tmp_path / "forbrug.parquet").read_bytes()
    (tmp_path / "forbrug.parquet").write_bytes(whole[: len(whole) // 2])
    assert "forbrug.parquet: not a readable Parquet file (truncated or corrupt?)" in validate_fails(tmp_path, capsys)
    (tmp_path / "forbrug.parquet").write_bytes(b"not parquet at all")
    assert "forbrug.parquet: not a readable Parquet file" in validate_fails(tmp_path, capsys)


def test_unreadable_file(tmp_path, capsys, monkeypatch):
    small_valid(tmp_path)

    def denied(*_):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(contract, "_read_csv", denied)
    assert "bopael.csv: cannot be read: Permission denied" in validate_fails(tmp_path, capsys)


def test_the_same_table_in_two_formats(tmp_path, capsys):
    small_valid(tmp_path)
    pd.read_csv(tmp_path / "bopael.csv").to_parquet(tmp_path / "bopael.parquet")
    assert "table 'bopael' is there twice, as bopael.parquet and bopael.csv" in validate_fails(tmp_path, capsys)


def test_column_names_must_be_unique(tmp_path, capsys):
    small_valid(tmp_path)
    text = (tmp_path / "bopael.csv").read_text().splitlines()
    (tmp_path / "bopael.csv").write_text("\n".join([text[0] + ",alder"] + [row + ",1" for row in text[1:]]) + "\n")
    assert "bopael.csv: column name(s) alder appear more than once" in validate_fails(tmp_path, capsys)
    (tmp_path / "bopael.csv").write_text("\n".join(text) + "\n")
    frame = pd.read_csv(tmp_path / "stamdata.csv")
    table = pyarrow.Table.from_arrays([pyarrow.array(frame[c]) for c in frame] + [pyarrow.array(frame["koen"])],
                                      names=[*frame.columns, "koen"])
    pyarrow.parquet.write_table(table, tmp_path / "stamdata.parquet")
    (tmp_path / "stamdata.csv").unlink()
    assert "stamdata.parquet: column name(s) koen appear more than once" in validate_fails(tmp_path, capsys)


def test_upper_case_column_names_get_a_hint(tmp_path, capsys):
    small_valid(tmp_path)
    frame = pd.read_csv(tmp_path / "bopael.csv").rename(columns={"pnr": "PNR"})
    frame.to_csv(tmp_path / "bopael.csv", index=False)
    assert "missing: pnr (column names are lower-case ASCII without spaces: 'PNR' must be written 'pnr')" \
        in validate_fails(tmp_path, capsys)


@pytest.mark.parametrize("table, column, value, rule", [
    ("stamdata", "koen", "X", "isin"),
    ("ydelser", "maalgruppe", "psykisk", "isin"),
    ("diagnoser", "diagnosegruppe", "skizofreni", "isin"),
    ("forbrug", "status_uge48", "arbejde", "isin"),
    ("bopael", "aar", 20220, "in_range(1900, 2100)"),
    ("stamdata", "foed_aar", 1800, "in_range(1900, 2100)"),
    ("forbrug", "psyk_indlagt_dage", -1.0, "greater_than_or_equal_to(0)"),
    ("forbrug", "uddannelse_uger", 54.0, "in_range(0, 53)"),
    ("forbrug", "som_indlagt_dage", "inf", "not a finite number"),
    ("forbrug", "beskaeftigelse_uger", "mange", "not a finite number"),
    ("forbrug", "kriminalitet", "måske", "not of type bool"),
    ("stamdata", "foed_aar", "", "missing value"),
    ("ydelser", "dage", 1.5, "not of type int"),
])
def test_every_column_rule_is_enforced(tmp_path, capsys, table, column, value, rule):
    small_valid(tmp_path)
    frame = pd.read_csv(tmp_path / f"{table}.csv", dtype=str, keep_default_na=False)
    if frame.empty:  # diagnoser: one row for a resident
        frame = pd.DataFrame({"pnr": ["1"], "diagnosegruppe": ["adhd"]})
    frame.loc[0, column] = str(value)
    frame.to_csv(tmp_path / f"{table}.csv", index=False)
    message = validate_fails(tmp_path, capsys)
    assert f"{table}.csv, column '{column}': {rule}" in message and "row 1: pnr=" in message


def test_persons_must_have_stamdata_in_every_table(tmp_path, capsys):
    write_extract(tmp_path, bopael=[(1, 2022, 101, 30)], diagnoser=[(9, "adhd")],
                  ydelser=[(8, 2022, 101, "sel85", "kognitiv", 10)])
    message = validate_fails(tmp_path, capsys)
    assert "diagnoser.csv, column 'pnr': person without a row in stamdata — 1 row(s)" in message
    assert "ydelser.csv, column 'pnr': person without a row in stamdata" in message and "pnr=8" in message


def test_services_outside_residence_are_said(tmp_path, capsys):
    small_valid(tmp_path)
    services = pd.read_csv(tmp_path / "ydelser.csv")
    services.loc[1] = [3, 2021, 169, "sel85", "kognitiv", 10]  # person 3 lives in the extract only in 2022
    services.to_csv(tmp_path / "ydelser.csv", index=False)
    assert main(["validate", "--data", str(tmp_path)]) == 0
    assert "1 service row(s) for person-years without a bopael row are not counted" in capsys.readouterr().out


def test_booleans_as_ja_nej(tmp_path):
    small_valid(tmp_path)
    frame = pd.read_csv(tmp_path / "stamdata.csv")
    frame["foranstaltning_barndom"] = ["ja", "nej", "Nej"]
    frame.to_csv(tmp_path / "stamdata.csv", index=False)
    assert load_extract(tmp_path).stamdata["foranstaltning_barndom"].tolist() == [True, False, False]


def test_danish_excel_csv_is_read_as_such(tmp_path):
    plain = small_valid(tmp_path / "plain")
    danish = tmp_path / "excel"
    danish.mkdir()
    for path in plain.glob("*.csv"):
        frame = pd.read_csv(path).assign(kommentar="Årsag: ændret bopæl")  # extra column with æøå
        frame.to_csv(danish / path.name, sep=";", decimal=",", index=False, encoding="cp1252")
    forbrug = pd.read_csv(danish / "forbrug.csv", sep=";", decimal=",", encoding="cp1252")
    forbrug.loc[0, "beskaeftigelse_uger"] = 12.5
    forbrug.to_csv(danish / "forbrug.csv", sep=";", decimal=",", index=False, encoding="cp1252")
    assert "12,5" in (danish / "forbrug.csv").read_text(encoding="cp1252")
    extract = load_extract(danish)
    assert extract.forbrug.loc[0, "beskaeftigelse_uger"] == 12.5
    pd.testing.assert_frame_equal(extract.bopael, load_extract(plain).bopael)
    assert "bopael.csv is semicolon-separated with decimal comma (as Danish Excel saves CSV); it was read as such" \
        in extract.notes
    assert "bopael.csv is not UTF-8; it was read as Windows-1252 (cp1252)" in extract.notes


def test_person_keys_are_read_as_written(tmp_path):
    """Leading zeros survive CSV, so the same extract as CSV and as Parquet gives the same keys."""
    csv_dir = write_extract(tmp_path / "csv", bopael=[("0101011234", 2022, 101, 30), ("1501921234", 2022, 101, 30)])
    for path in csv_dir.glob("*.csv"):  # write_extract's own CSV round trip: keep the keys as text
        frame = pd.read_csv(path, dtype={"pnr": str})
        assert frame.empty or frame["pnr"].iloc[0] == "0101011234"
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    for path in csv_dir.glob("*.csv"):
        pd.read_csv(path, dtype={"pnr": str}).to_parquet(parquet_dir / f"{path.stem}.parquet")
    from_csv, from_parquet = load_extract(csv_dir), load_extract(parquet_dir)
    assert from_csv.stamdata["pnr"].tolist() == ["0101011234", "1501921234"]
    pd.testing.assert_frame_equal(from_csv.bopael, from_parquet.bopael)


@pytest.mark.parametrize("table, key", [("stamdata", "pnr"), ("ydelser", "pnr+aar+ydelse+maalgruppe"),
                                        ("diagnoser", "pnr+diagnosegruppe"), ("forbrug", "pnr+aar")])
def test_duplicate_keys_in_every_table(tmp_path, capsys, table, key):
    write_extract(tmp_path, bopael=[(1, 2022, 101, 30)], ydelser=[(1, 2022, 101, "sel85", "kognitiv", 10)],
                  diagnoser=[(1, "adhd")])
    frame = pd.read_csv(tmp_path / f"{table}.csv")
    pd.concat([frame, frame]).to_csv(tmp_path / f"{table}.csv", index=False)
    assert f"{table}.csv, column '{key}': duplicate key" in validate_fails(tmp_path, capsys)
