"""roret convert: registers (genuine SAS7BDAT files, Parquet, CSV) through a source file."""
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.contract import KEYS, TABLES, load_extract
from analysis.convert import check, convert
from analysis.dst_synth import write_dst, write_sas
from analysis.sources import ConvertError
from analysis.synth import write_synthetic

EXAMPLE = Path(__file__).parents[1] / "examples" / "dst" / "kilde.yml"
SAS_MAGIC = bytes.fromhex("c2ea8160b31411cfbd92080009c7318c")  # bytes 12-27 of every SAS7BDAT file
SAS_DAY = pd.Timestamp("1960-01-01")


def _table(directory: Path, table: str) -> pd.DataFrame:
    frame = pd.read_parquet(directory / f"{table}.parquet")
    for column in frame.columns[frame.dtypes.astype(str).isin(["category", "object", "str", "string"])]:
        frame[column] = frame[column].astype(str)
    return frame.sort_values(KEYS[table], ignore_index=True)


def test_the_dst_practice_files_convert_back_to_the_synthetic_register(tmp_path):
    write_synthetic(tmp_path / "synth", scale=0.004, seed=7, progress=lambda _: None)
    write_dst(tmp_path / "dst", scale=0.004, seed=7, progress=lambda _: None)
    assert (tmp_path / "dst" / "bef202212.sas7bdat").read_bytes()[12:28] == SAS_MAGIC
    convert(EXAMPLE, tmp_path / "ext", data=tmp_path / "dst", progress=lambda _: None)
    for table in TABLES:
        expected, got = _table(tmp_path / "synth", table), _table(tmp_path / "ext", table)
        pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_dtype=False)
    assert (tmp_path / "ext" / "syntetisk.json").is_file()  # the books built from it say "syntetisk"
    load_extract(tmp_path / "ext")


def _days(text: str) -> float:
    return float((pd.Timestamp(text) - SAS_DAY).days)


def _registers(directory: Path) -> None:
    """Three persons in 2021, one of them gone and a new one in 2022; SAS, Parquet and CSV."""
    directory.mkdir()
    born = {1: "1980-12-31", 2: "1990-06-15", 3: "2003-01-01", 4: "1960-03-01"}
    for year, persons in ((2021, (1, 2, 3)), (2022, (1, 2, 4))):
        write_sas(pd.DataFrame({"PNR": [float(p) for p in persons], "KOEN": [1.0, 2.0, 1.0],
                                "foed_dag": [_days(born[p]) for p in persons],
                                "KOM": [101.0, 751.0, 101.0]}), directory / f"bef{year}12.sas7bdat")
        services = pd.DataFrame({"PNR": [1.0, 2.0, 2.0], "KOM": 101.0, "PARAGRAF": ["108", "83", "85"],
                                 "MAALGRUPPE": ["1.2.1", "1.2.2", "1.2.2"], "DAGE": [365.0, 30.0, 100.0]})
        write_sas(services, directory / f"handicap{year}.sas7bdat")
        pd.DataFrame({"PNR": persons, "UGER": [52.0, 0.0, 10.5], "STATUS": ["1", "6", "2"],
                      "FLAG": ["ja", "nej", "1"]}) \
            .to_csv(directory / f"forbrug{year}.csv", index=False)
        pd.DataFrame({"PNR": [persons[0]], "PSYK": [3.0]}).to_parquet(directory / f"lpr{year}.parquet")
    write_sas(pd.DataFrame({"PNR": [2.0], "FORANST": [1.0]}), directory / "barn.sas7bdat")
    write_sas(pd.DataFrame({"PNR": [1.0, 3.0], "GRUPPE": [4.0, 5.0]}), directory / "diag.sas7bdat")


FORBRUG_OTHERS = "".join(f"        {c}: {v}\n" for c, v in (
    ("foertidspension_uger", "UGER"), ("kontanthjaelp_uger", "UGER"), ("beskaeftigelsesindsats_timer", "UGER"),
    ("uddannelse_uger", "UGER"), ("fysioterapi", "FLAG"), ("psykofarmaka", "FLAG"), ("kriminalitet", "FLAG")))
SOURCE_FILE = f"""version: 1
aar: 2021-2022
data: registre
tabeller:
  bopael:
    - filer: bef{{aar}}12.sas7bdat
      kolonner: {{pnr: PNR, aar: "{{aar}}", kom: KOM, alder: alder(FOED_DAG)}}
  stamdata:
    - filer: bef{{aar}}12.sas7bdat
      kolonner: {{pnr: PNR, koen: KOEN, foed_aar: aar(FOED_DAG)}}
      koder: {{koen: {{1: M, 2: K}}}}
    - filer: barn.sas7bdat
      kolonner: {{pnr: PNR, foranstaltning_barndom: FORANST}}
      mangler: {{foranstaltning_barndom: false}}
  ydelser:
    - filer: handicap{{aar}}.sas7bdat
      kolonner: {{pnr: PNR, aar: "{{aar}}", kom: KOM, ydelse: PARAGRAF, maalgruppe: MAALGRUPPE, dage: DAGE}}
      koder:
        ydelse: {{"108": sel108, "85": sel85, "83": ~}}
        maalgruppe: {{"1.2.1": kognitiv, "1.2.2": sindslidelse}}
  diagnoser:
    - filer: diag.sas7bdat
      kolonner: {{pnr: PNR, diagnosegruppe: GRUPPE}}
      koder: {{diagnosegruppe: {{4: adhd, 5: svaer_psykisk}}}}
  forbrug:
    - filer: forbrug{{aar}}.csv
      kolonner:
        pnr: PNR
        aar: "{{aar}}"
        beskaeftigelse_uger: UGER
        status_uge48: STATUS
        psyk_ambulante_kontakter: UGER
        som_indlagt_dage: UGER
        som_ambulante_kontakter: UGER
{FORBRUG_OTHERS}      koder: {{status_uge48: {{1: beskaeftiget, 2: uddannelse, 6: foertidspension}}}}
    - filer: lpr{{aar}}.parquet
      kolonner: {{pnr: PNR, aar: "{{aar}}", psyk_indlagt_dage: PSYK}}
      mangler: {{psyk_indlagt_dage: 0}}
"""


@pytest.fixture
def project(tmp_path):
    _registers(tmp_path / "registre")
    (tmp_path / "kilde.yml").write_text(SOURCE_FILE, encoding="utf-8")
    return tmp_path


def _edited(project: Path, old: str, new: str) -> Path:
    path = project / "kilde.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def test_a_hand_built_project_converts_as_worked_out_by_hand(project):
    rows = convert(project / "kilde.yml", project / "ext", progress=lambda _: None)
    assert rows == {"bopael": 6, "stamdata": 4, "ydelser": 4, "diagnoser": 2, "forbrug": 6}
    ext = project / "ext"
    bopael = _table(ext, "bopael")
    # age at year end: born 31 Dec 1980 is 41 on 31 Dec 2021; born 1 Jan 2003 is 18
    assert bopael[["pnr", "aar", "alder"]].values.tolist() == [
        [1, 2021, 41], [1, 2022, 42], [2, 2021, 31], [2, 2022, 32], [3, 2021, 18], [4, 2022, 62]]
    stamdata = _table(ext, "stamdata")  # person 4 from 2022, the only year it is in
    assert stamdata.values.tolist() == [[1, "M", 1980, False], [2, "K", 1990, True], [3, "M", 2003, False],
                                        [4, "M", 1960, False]]
    ydelser = _table(ext, "ydelser")  # § 83 is mapped to ~: its rows are not used
    assert ydelser[["pnr", "aar", "ydelse", "maalgruppe", "dage"]].values.tolist() == [
        [1, 2021, "sel108", "kognitiv", 365], [1, 2022, "sel108", "kognitiv", 365],
        [2, 2021, "sel85", "sindslidelse", 100], [2, 2022, "sel85", "sindslidelse", 100]]
    assert _table(ext, "diagnoser").values.tolist() == [[1, "adhd"], [3, "svaer_psykisk"]]
    forbrug = _table(ext, "forbrug")  # the CSV's keys are integers, like the SAS files'
    assert forbrug["pnr"].tolist() == [1, 1, 2, 2, 3, 4]
    assert forbrug["psyk_indlagt_dage"].tolist() == [3.0, 3.0, 0.0, 0.0, 0.0, 0.0]  # LPR: only the first person
    assert forbrug["status_uge48"].tolist() == ["beskaeftiget", "beskaeftiget", "foertidspension",
                                                "foertidspension", "uddannelse", "uddannelse"]
    assert forbrug["fysioterapi"].tolist() == [True, True, False, False, True, True]
    assert not (ext / "syntetisk.json").exists()


def _fails(project: Path, *messages: str) -> None:
    with pytest.raises(ConvertError) as raised:
        convert(project / "kilde.yml", project / "ext", progress=lambda _: None)
    for message in messages:
        assert message in str(raised.value)
    assert not (project / "ext").exists()
    assert not [p for p in project.iterdir() if "staging" in p.name]


def test_a_variable_the_file_lacks_names_file_and_variable(project):
    _edited(project, "alder: alder(FOED_DAG)", "alder: ALDER")
    _fails(project, "bef202112.sas7bdat", "ALDER not found", "the file has PNR, KOEN, foed_dag, KOM")


def test_a_column_without_a_source_is_named(project):
    _edited(project, ", dage: DAGE", "")
    _fails(project, "kilde.yml, tabeller.ydelser", "no source gives the column(s) dage")


def test_an_unmapped_code_is_named_with_its_count(project):
    _edited(project, ', "83": ~', "")
    _fails(project, "handicap2021.sas7bdat", "PARAGRAF -> ydelse", "'83' (1 rows)")


def test_a_code_column_without_koder_must_hold_the_contracts_codes(project):
    _edited(project, '\n        maalgruppe: {"1.2.1": kognitiv, "1.2.2": sindslidelse}', "")
    _fails(project, "handicap2021.sas7bdat", "MAALGRUPPE -> maalgruppe", "'1.2.2' (2 rows)", "'1.2.1' (1 rows)")


def test_a_missing_year_is_named(project):
    (project / "registre" / "handicap2022.sas7bdat").unlink()
    _fails(project, "ydelser, source 1 (handicap{aar}.sas7bdat): no file for 2022")


def test_a_file_that_is_not_sas_is_named(project):
    (project / "registre" / "barn.sas7bdat").write_text("PNR,FORANST\n2,1\n")
    _fails(project, "barn.sas7bdat: not a readable SAS file")


def test_a_value_of_the_wrong_type_is_shown_with_its_row(project):
    path = project / "registre" / "forbrug2022.csv"
    path.write_text(path.read_text().replace("10.5", "ti"))
    _fails(project, "forbrug2022.csv", "UGER -> beskaeftigelse_uger: not of type float", "row 3:", "PNR='4'", "UGER='ti'")


def test_check_lists_every_problem_and_writes_nothing(project, capsys):
    _edited(project, ', "83": ~', "")
    (project / "registre" / "handicap2022.sas7bdat").unlink()
    before = sorted(p.name for p in project.rglob("*"))
    report = check(project / "kilde.yml")
    assert len(report.problems) == 2
    assert any("no file for 2022" in p for p in report.problems)
    assert any("handicap2021.sas7bdat" in p and "'83' (1 rows)" in p for p in report.problems)
    assert cli.main(["convert", "--kilde", str(project / "kilde.yml"), "--check", "--out", str(project / "x")]) == 1
    out = capsys.readouterr().out
    assert "2021: handicap2021.sas7bdat, 3 rows" in out and "2 problem(s)" in out
    assert sorted(p.name for p in project.rglob("*")) == before


def test_data_overrides_the_source_files_directory(project):
    (project / "registre").rename(project / "andet")
    with pytest.raises(ConvertError, match="register directory does not exist"):
        check(project / "kilde.yml")
    assert check(project / "kilde.yml", data=project / "andet").problems == []


def test_several_files_for_a_year_are_read_as_one(project):
    registers = project / "registre"
    both = pd.read_parquet(registers / "lpr2021.parquet")
    pd.DataFrame({"PNR": [3], "PSYK": [7.0]}).to_parquet(registers / "lpr2021-del2.parquet")
    both.to_parquet(registers / "lpr2021-del1.parquet")
    (registers / "lpr2021.parquet").unlink()
    _edited(project, "filer: lpr{aar}.parquet", "filer: lpr{aar}*.parquet")
    convert(project / "kilde.yml", project / "ext", progress=lambda _: None)
    forbrug = _table(project / "ext", "forbrug")
    assert forbrug[["pnr", "aar", "psyk_indlagt_dage"]].values.tolist() == [
        [1, 2021, 3.0], [1, 2022, 3.0], [2, 2021, 0.0], [2, 2022, 0.0], [3, 2021, 7.0], [4, 2022, 0.0]]
