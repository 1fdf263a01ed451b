"""A Parquet extract is screened quickly and forbrug, the largest table, read in parts from its
file: the same extract as CSV (read whole, the detailed path) gives the same tables and the same
errors."""
import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import profile, screening
from analysis.contract import ContractError, load_extract
from analysis.params import Params
from analysis.registry import compute_tables, write_tables
from analysis.synth import write_synthetic
from extracts import FORBRUG_ZERO, small_valid, write_extract


def as_parquet(csv_dir, out, **types):
    """The CSV extract as Parquet files with the contract's types (person keys as integers)."""
    out.mkdir()
    for path in csv_dir.glob("*.csv"):
        frame = pd.read_csv(path)
        (frame.astype(types) if path.stem == "forbrug" else frame).to_parquet(out / f"{path.stem}.parquet")
    return out


def same_rows(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal values and column types (codes compared as their text)."""
    def plain(frame):
        return frame.reset_index(drop=True).astype({c: str for c in frame.select_dtypes("category")})
    pd.testing.assert_frame_equal(plain(a), plain(b))


def message(directory) -> str:
    with pytest.raises(ContractError) as error:
        load_extract(directory)
    return str(error.value)


def test_a_parquet_forbrug_stays_in_its_file_and_reads_in_parts(tmp_path):
    csv_dir = small_valid(tmp_path / "csv")
    parquet_dir = as_parquet(csv_dir, tmp_path / "parquet")
    whole, parted = load_extract(csv_dir), load_extract(parquet_dir)
    assert whole.activities.path is None and parted.activities.path == parquet_dir / "forbrug.parquet"
    assert parted.activities.frame is None  # nothing of forbrug but its keys was kept in memory
    same_rows(whole.forbrug, parted.forbrug)
    only_2022 = parted.activities.read(years=[2022])
    assert sorted(only_2022["pnr"]) == [1, 2, 3] and set(only_2022["aar"]) == {2022}
    person_2 = parted.activities.read(persons=pd.Series([2, 2]))
    assert person_2["aar"].tolist() == list(range(2017, 2023)) and set(person_2["pnr"]) == {2}
    both = parted.activities.read(years=[2017, 2022], persons=pd.Series([1, 3]))
    assert list(zip(both["pnr"], both["aar"])) == [(1, 2017), (1, 2022), (3, 2022)]
    for years, persons in [([2022], None), (None, pd.Series([2])), ([2017, 2022], pd.Series([1, 3]))]:
        same_rows(whole.activities.read(years, persons), parted.activities.read(years, persons))


def test_whole_weeks_stored_as_integers_read_as_the_contract_numbers(tmp_path):
    csv_dir = small_valid(tmp_path / "csv")
    parquet_dir = as_parquet(csv_dir, tmp_path / "parquet", beskaeftigelse_uger="int32", psyk_indlagt_dage="int64")
    parted = load_extract(parquet_dir)
    assert parted.activities.path is not None
    same_rows(load_extract(csv_dir).forbrug, parted.forbrug)


BAD_FORBRUG = {  # a problem in forbrug's rows -> the words the whole-table path uses for it
    "negative weeks": lambda f: f.assign(beskaeftigelse_uger=[-1.0] + [0.0] * (len(f) - 1)),
    "unknown status": lambda f: f.assign(status_uge48=["pensioneret"] + ["andet"] * (len(f) - 1)),
    "hours not a number": lambda f: f.assign(beskaeftigelsesindsats_timer=[0.0] * (len(f) - 1) + [float("nan")]),
    "infinite days": lambda f: f.assign(som_indlagt_dage=[0.0] * (len(f) - 1) + [float("inf")]),
    "duplicate key": lambda f: pd.concat([f, f.iloc[:1]]),
    "person-year without forbrug": lambda f: f.iloc[1:],
    "unknown person": lambda f: pd.concat([f, f.iloc[:1].assign(pnr=99)]),
}


@pytest.mark.parametrize("problem", BAD_FORBRUG)
def test_problems_in_a_parquet_forbrug_are_reported_as_from_csv(tmp_path, problem):
    residents = [(1, year, 101, 30) for year in range(2017, 2023)] + [(2, 2022, 751, 40)]
    forbrug = pd.DataFrame([(p, y) for p, y, _, _ in residents], columns=["pnr", "aar"]).assign(**FORBRUG_ZERO)
    csv_dir = write_extract(tmp_path / "csv", residents, forbrug=BAD_FORBRUG[problem](forbrug))
    parquet_dir = as_parquet(csv_dir, tmp_path / "parquet")
    from_csv = message(csv_dir)
    assert "forbrug" in from_csv
    assert message(parquet_dir) == from_csv.replace(str(csv_dir), str(parquet_dir)).replace(".csv", ".parquet")


def test_a_problem_elsewhere_is_reported_with_forbrug_checked_too(tmp_path):
    """A bad bopael row stops the batch checks; the report still names forbrug's own problem."""
    residents = [(1, 2022, 101, 30), (2, 2022, 751, "tredive")]
    forbrug = pd.DataFrame({"pnr": [1, 2], "aar": [2022, 2022]}).assign(**FORBRUG_ZERO).assign(
        uddannelse_uger=[-2.0, 0.0])
    csv_dir = write_extract(tmp_path / "csv", residents, forbrug=forbrug)
    found = message(as_parquet(csv_dir, tmp_path / "parquet"))
    assert "bopael.parquet, column 'alder': not of type int" in found
    assert "forbrug.parquet, column 'uddannelse_uger'" in found


def test_parquet_files_of_many_row_groups_give_the_same_extract(tmp_path):
    csv_dir = small_valid(tmp_path / "csv")
    parquet_dir = tmp_path / "parquet"
    parquet_dir.mkdir()
    for path in csv_dir.glob("*.csv"):
        pd.read_csv(path).to_parquet(parquet_dir / f"{path.stem}.parquet", row_group_size=2)
    parted, whole = load_extract(parquet_dir), load_extract(csv_dir)
    assert parted.activities.path is not None
    for table in ("bopael", "stamdata", "ydelser", "forbrug"):
        same_rows(getattr(whole, table), getattr(parted, table))


BAD_IN_MEMORY = {  # a problem in a table held in memory -> the words the whole-table path uses for it
    "unknown municipality": ("bopael", lambda f: f.assign(kom=[999] + f["kom"].tolist()[1:])),
    "age above 120": ("bopael", lambda f: f.assign(alder=[121] + f["alder"].tolist()[1:])),
    "an age that 16 bits would wrap to 30": ("bopael", lambda f: f.assign(alder=f["alder"].tolist()[:-1] + [65_566])),
    "a municipality that 16 bits would wrap to 101": ("bopael", lambda f: f.assign(kom=f["kom"].tolist()[:-1] + [65_637])),
    "duplicate person-year": ("bopael", lambda f: pd.concat([f, f.iloc[:1]])),
    "unknown sex": ("stamdata", lambda f: f.assign(koen=["X"] + f["koen"].tolist()[1:])),
    "birth year out of range": ("stamdata", lambda f: f.assign(foed_aar=[1800] + f["foed_aar"].tolist()[1:])),
    "zero days": ("ydelser", lambda f: f.assign(dage=[0])),
    "unknown reason": ("ydelser", lambda f: f.assign(maalgruppe=["psykisk"])),
    "person without stamdata": ("ydelser", lambda f: f.assign(pnr=[9])),
    "diagnosis of a person without stamdata": ("diagnoser", lambda f: pd.DataFrame({"pnr": [9], "diagnosegruppe": ["adhd"]})),
    "a diagnosis twice": ("diagnoser", lambda f: pd.DataFrame({"pnr": [1, 1], "diagnosegruppe": ["adhd", "adhd"]})),
}


@pytest.mark.parametrize("batch_rows", [screening.READ_ROWS, 2])
@pytest.mark.parametrize("problem", BAD_IN_MEMORY)
def test_problems_in_parquet_tables_held_in_memory_are_reported_as_from_csv(tmp_path, monkeypatch, problem,
                                                                             batch_rows):
    """Also where bopael is read a few rows at a time (a problem in a later batch; a value checked
    before it is narrowed to 16 bits); the files in row groups of three rows (bopael's halves read
    side by side, a problem in either)."""
    monkeypatch.setattr(screening, "READ_ROWS", batch_rows)
    table, spoil = BAD_IN_MEMORY[problem]
    csv_dir, parquet_dir = small_valid(tmp_path / "csv"), tmp_path / "parquet"
    parquet_dir.mkdir()
    for path in csv_dir.glob("*.csv"):
        frame = pd.read_csv(path)
        frame = spoil(frame) if path.stem == table else frame
        frame.to_parquet(parquet_dir / f"{path.stem}.parquet", row_group_size=3)
        frame.to_csv(path, index=False)
    from_csv = message(csv_dir)
    assert f"{table}.csv" in from_csv
    assert message(parquet_dir) == from_csv.replace(str(csv_dir), str(parquet_dir)).replace(".csv", ".parquet")


@pytest.mark.parametrize("case", ["forbrug in another order, with a person-year more",
                                  "ten-digit person numbers (keys too wide for flags)"])
def test_the_screened_extract_is_the_extract_read_whole(tmp_path, case):
    """The screening's key checks on their other paths: forbrug's keys not in bopael's order, and
    person numbers too far apart to pack densely."""
    csv_dir = small_valid(tmp_path / "csv")
    if case.startswith("forbrug"):
        forbrug = pd.read_csv(csv_dir / "forbrug.csv")
        extra = forbrug.iloc[-1:].assign(aar=2016)  # person 3 in forbrug, not in bopael, in 2016: allowed
        pd.concat([forbrug, extra]).iloc[::-1].to_csv(csv_dir / "forbrug.csv", index=False)
    else:
        for path in csv_dir.glob("*.csv"):
            frame = pd.read_csv(path)
            frame.assign(pnr=frame["pnr"].map({1: 101_011_234, 2: 3_112_999_999, 3: 1_501_921_234})).to_csv(
                path, index=False)
    parquet_dir = as_parquet(csv_dir, tmp_path / "parquet")
    whole, screened = load_extract(csv_dir), load_extract(parquet_dir)
    assert screened.activities.path is not None  # screened, not read whole
    for table in ("bopael", "stamdata", "ydelser", "forbrug"):
        same_rows(getattr(whole, table), getattr(screened, table))


def test_a_missing_value_in_a_parquet_integer_column_is_reported(tmp_path):
    parquet_dir = as_parquet(small_valid(tmp_path / "csv"), tmp_path / "parquet")
    bopael = pd.read_parquet(parquet_dir / "bopael.parquet")
    bopael["kom"] = pd.array([None, *bopael["kom"].iloc[1:]], dtype="Int64")  # still an integer column
    bopael.to_parquet(parquet_dir / "bopael.parquet")
    assert "bopael.parquet, column 'kom': missing value — 1 row(s), e.g.\n    row 1: pnr=1" in message(parquet_dir)


@pytest.fixture(scope="module")
def synthetic_twins(tmp_path_factory):
    """A small synthetic extract (Parquet), and the same with forbrug as CSV (read whole)."""
    root = tmp_path_factory.mktemp("twins")
    write_synthetic(root / "parquet", scale=0.004, seed=11, progress=lambda _: None)
    shutil.copytree(root / "parquet", root / "csv")
    pd.read_parquet(root / "csv" / "forbrug.parquet").to_csv(root / "csv" / "forbrug.csv", index=False)
    (root / "csv" / "forbrug.parquet").unlink()
    return root


@pytest.mark.parametrize("kommune", [None, 751])
def test_every_table_is_the_same_with_forbrug_read_in_parts(synthetic_twins, tmp_path, kommune):
    params = Params(kommune=kommune)
    texts = []
    for name in ("parquet", "csv"):
        extract = load_extract(synthetic_twins / name)
        assert (extract.activities.path is not None) == (name == "parquet")
        assert extract.activities.aligned == (name == "parquet")  # SØM's rows read at bopael's positions
        write_tables(compute_tables(extract, params, progress=lambda _: None), tmp_path / name, params)
        texts.append({p.name: p.read_bytes() for p in sorted((tmp_path / name / "tables").glob("*.csv"))})
    assert texts[0] == texts[1] and len(texts[0]) > 10


def test_a_year_read_from_its_row_groups_and_counted_in_blocks_changes_no_table(synthetic_twins, tmp_path,
                                                                                 monkeypatch):
    """A year's forbrug rows are read from the row groups that hold them (a year starts and ends
    inside one) and counted a block at a time: small row groups and blocks give the tables of
    forbrug read whole from CSV."""
    small = tmp_path / "small_groups"
    shutil.copytree(synthetic_twins / "parquet", small)
    forbrug = pd.read_parquet(small / "forbrug.parquet")
    forbrug.to_parquet(small / "forbrug.parquet", row_group_size=997)
    extract = load_extract(small)
    assert extract.activities.aligned and extract.in_year_order()
    rows = extract.rows_of_year(2020)
    assert rows.start % 997 and rows.stop % 997  # the year's first and last rows lie inside row groups
    read = extract.activities.read_rows(rows, ["pnr", "aar"], 1000)
    same_rows(read.to_pandas(), forbrug.iloc[rows][["pnr", "aar"]])
    sizes = [batch.num_rows for batch in read.to_batches()]
    assert len(sizes) > 1 and max(sizes) <= 1000
    at = np.flatnonzero(np.random.default_rng(5).random(len(forbrug)) < 0.05)  # scattered over the row groups
    same_rows(extract.activities.read_at(at, ["status_uge48", "beskaeftigelse_uger"]),
              forbrug.iloc[at][["status_uge48", "beskaeftigelse_uger"]])
    monkeypatch.setattr(profile, "BLOCK_ROWS", 1000)
    texts = []
    for directory in (synthetic_twins / "csv", small):
        write_tables(compute_tables(load_extract(directory), Params(), progress=lambda _: None),
                     tmp_path / directory.name, Params())
        texts.append({p.name: p.read_bytes() for p in sorted((tmp_path / directory.name / "tables").glob("*.csv"))})
    assert texts[0] == texts[1] and len(texts[0]) > 10


def test_an_unused_code_in_a_parquet_dictionary_is_no_problem(tmp_path):
    """A category column may list codes no row has; only the rows' codes are checked."""
    csv_dir = small_valid(tmp_path / "csv")
    parquet_dir = as_parquet(csv_dir, tmp_path / "parquet")
    forbrug = pd.read_parquet(parquet_dir / "forbrug.parquet")
    forbrug["status_uge48"] = pd.Categorical(forbrug["status_uge48"], categories=["andet", "pensioneret"])
    forbrug.to_parquet(parquet_dir / "forbrug.parquet")
    same_rows(load_extract(csv_dir).forbrug, load_extract(parquet_dir).forbrug)


def test_the_order_of_bopael_rows_changes_no_table(synthetic_twins, tmp_path):
    """Years of bopael are found by binary search when it is in year order (as written, year by
    year) and by selection otherwise; forbrug's keys, then in another order, are checked on the
    other path. Every table is the same."""
    shuffled = tmp_path / "shuffled"
    shutil.copytree(synthetic_twins / "parquet", shuffled)
    bopael = pd.read_parquet(shuffled / "bopael.parquet")
    bopael.sample(frac=1, random_state=3).to_parquet(shuffled / "bopael.parquet")
    texts = []
    for directory in (synthetic_twins / "parquet", shuffled):
        extract = load_extract(directory)
        assert extract.activities.path is not None  # screened
        assert extract.in_year_order() == (directory != shuffled)
        rows_2020 = extract.bopael[extract.bopael["aar"] == 2020]
        same_rows(extract.residents_in(2020), rows_2020)
        assert extract.years() == sorted(extract.bopael["aar"].unique())
        write_tables(compute_tables(extract, Params(), progress=lambda _: None), tmp_path / directory.name, Params())
        texts.append({p.name: p.read_bytes() for p in sorted((tmp_path / directory.name / "tables").glob("*.csv"))})
    assert texts[0] == texts[1] and len(texts[0]) > 10


def test_a_batch_of_forbrug_keys_goes_to_its_rows():
    """A scan's batch of consecutive rows is placed by slice, any other by its row numbers:
    either way each key lands on its row."""
    for numbers in (np.arange(5, 9), np.array([7, 5, 8, 6])):
        placed = np.zeros(10, dtype=int)
        placed[screening._places(numbers)] = numbers * 10
        assert placed.tolist() == [0, 0, 0, 0, 0, 50, 60, 70, 80, 0]
    assert isinstance(screening._places(np.arange(5, 9)), slice)


@pytest.mark.parametrize("read_rows, sizes", [(7, [6, 4]), (2, [2, 1, 2, 1, 2, 2])])
def test_bopael_is_checked_in_parts_made_of_its_row_groups_batches(tmp_path, monkeypatch, read_rows, sizes):
    """Row groups of 3, 3, 3 and 1 rows: whole batches of a row group are gathered up to READ_ROWS
    rows (a row group larger than that comes in batches); every row once, in file order."""
    monkeypatch.setattr(screening, "READ_ROWS", read_rows)
    frame = pd.DataFrame({"pnr": range(10), "aar": range(2010, 2020)})
    frame.to_parquet(tmp_path / "bopael.parquet", row_group_size=3)
    file = pq.ParquetFile(tmp_path / "bopael.parquet")
    parts = list(screening._parts(file, range(file.num_row_groups), ["pnr", "aar"]))
    assert [part.num_rows for part in parts] == sizes
    same_rows(pa.concat_tables(parts).to_pandas(), frame)


def test_forbrug_in_bopaels_order_is_recognised_row_group_by_row_group(tmp_path):
    """forbrug's keys, in row groups of two, against bopael's: equal, or not in one of several ways."""
    residents = pd.DataFrame({"pnr": [1, 2, 3, 1, 2, 3], "aar": [2021, 2021, 2021, 2022, 2022, 2022]})
    path = tmp_path / "forbrug.parquet"

    def aligned(forbrug: pd.DataFrame) -> bool:
        forbrug.to_parquet(path, row_group_size=2, index=False)
        return screening._keys_are_bopaels(path, residents)
    assert aligned(residents)
    assert not aligned(residents.assign(aar=[2021] * 5 + [2023]))  # the last row's year
    assert not aligned(residents.iloc[[0, 1, 2, 3, 5, 4]])  # two rows of the last row group swapped
    assert not aligned(residents.iloc[:5])  # a row fewer
    assert not aligned(residents.assign(pnr=residents["pnr"].astype(str)))  # person numbers as text
    assert not screening._keys_are_bopaels(path, None)  # bopael not proven


def test_forbrug_written_as_bopael_is_recognised_from_its_stored_bytes(tmp_path):
    """Key columns stored alike (same rows per row group, type, codec and bytes) prove the same keys
    in the same order without decoding; any difference leaves it to the comparison of values."""
    keys = pd.DataFrame({"pnr": [1, 2, 3, 1, 2, 3], "aar": [2021, 2021, 2021, 2022, 2022, 2022]})
    keys.assign(kom=101, alder=40).to_parquet(tmp_path / "bopael.parquet", row_group_size=2, compression="zstd")

    def alike(forbrug: pd.DataFrame, **writing) -> bool:
        forbrug.assign(beskaeftigelse_uger=0.0).to_parquet(tmp_path / "forbrug.parquet", index=False, **writing)
        return screening._key_chunks_alike(tmp_path / "forbrug.parquet", tmp_path / "bopael.parquet")
    assert alike(keys, row_group_size=2, compression="zstd")
    assert not alike(keys.assign(aar=[2021] * 5 + [2023]), row_group_size=2, compression="zstd")
    assert not alike(keys.iloc[[0, 1, 2, 3, 5, 4]], row_group_size=2, compression="zstd")
    assert not alike(keys.assign(aar=keys["aar"].astype("int32")), row_group_size=2, compression="zstd")
    for other in ({"row_group_size": 3, "compression": "zstd"}, {"row_group_size": 2, "compression": "snappy"}):
        assert not alike(keys, **other)  # stored otherwise: the values are compared instead
        assert screening._keys_are_bopaels(tmp_path / "forbrug.parquet", keys)


@pytest.mark.parametrize("row", [0, 1, 6])
def test_bopael_read_in_two_halves_is_refused_for_a_problem_in_either(tmp_path, row):
    """Seven rows in four row groups of up to two (halves: groups 1-2 and 3-4): a valid file is
    read as it is; an age of 121 in the first half (row 1 or 2) or the second (row 7) refuses it."""
    frame = pd.DataFrame({"pnr": range(1, 8), "aar": 2022, "kom": 101, "alder": range(30, 37)})
    path = tmp_path / "bopael.parquet"
    frame.to_parquet(path, row_group_size=2)
    read = screening._read_integers("bopael", path, pq.read_schema(path))
    assert read.astype("int64").equals(frame.astype("int64"))
    frame.loc[row, "alder"] = 121
    frame.to_parquet(path, row_group_size=2)
    assert screening._read_integers("bopael", path, pq.read_schema(path)) is None
