"""Packed row keys: duplicate checks, coverage and join positions agree with pandas."""
import numpy as np
import pytest
import pandas as pd

from analysis import rowkeys


def test_packed_duplicate_check_agrees_with_pandas():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"pnr": rng.integers(-5, 40, 2000), "aar": rng.integers(2017, 2023, 2000),
                          "ydelse": pd.Categorical(rng.choice(["sel82", "sel85", "sel108"], 2000))})
    keys = ["pnr", "aar", "ydelse"]
    assert rowkeys.packed_keys(frame, keys) is not None  # the fast path is the one tested
    expected = frame.duplicated(keys, keep=False).to_numpy()
    assert expected.any() and not expected.all()
    assert (rowkeys.duplicated(frame, keys) == expected).all()
    as_text = frame.assign(pnr=frame["pnr"].astype(str))
    assert rowkeys.packed_keys(as_text, keys) is None  # string person keys: pandas' own check
    assert (rowkeys.duplicated(as_text, keys) == expected).all()


def test_flag_coverage_check_agrees_with_a_merge():
    rng = np.random.default_rng(11)
    bopael = pd.DataFrame({"pnr": rng.integers(-3, 500, 3000), "aar": rng.integers(2017, 2023, 3000)})
    forbrug = bopael.sample(frac=0.7, random_state=1)  # a third of the person-years lack a row
    keys = ["pnr", "aar"]
    assert rowkeys.packed_alike((bopael, forbrug), keys) is not None  # the fast path is the one tested
    merged = bopael.merge(forbrug.drop_duplicates(), on=keys, how="left", indicator=True)
    expected = (merged["_merge"] == "both").to_numpy()
    assert expected.any() and not expected.all()
    assert (rowkeys.covered(bopael, forbrug, keys) == expected).all()
    as_text = {name: frame.assign(pnr=frame["pnr"].astype(str)) for name, frame in (("b", bopael), ("f", forbrug))}
    assert rowkeys.packed_alike((as_text["b"], as_text["f"]), keys) is None  # string keys: the merge
    assert (rowkeys.covered(as_text["b"], as_text["f"], keys) == expected).all()


def _merged_positions(frame: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> np.ndarray:
    numbered = other[keys].assign(position=np.arange(len(other)))
    return frame[keys].merge(numbered, on=keys, how="left")["position"].fillna(-1).to_numpy(np.int64)


def test_join_positions_agree_with_a_merge_on_every_path():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"pnr": rng.integers(0, 400, 3000), "aar": rng.integers(2017, 2023, 3000)})
    other = frame.drop_duplicates().sample(frac=0.6, random_state=2)  # unique keys, some rows without a match
    spread = lambda f: f.assign(pnr=f["pnr"] * 100_000)  # noqa: E731  (keys too far apart for an array of positions)
    cases = {"dense": (frame, other, ["pnr", "aar"]),
             "screened": (spread(frame), spread(other), ["pnr", "aar"]),
             "text": (frame.astype({"pnr": str}), other.astype({"pnr": str}), ["pnr", "aar"])}
    for name, (mine, theirs, keys) in cases.items():
        expected = _merged_positions(mine, theirs, keys)
        assert (expected >= 0).any() and (expected < 0).any()
        assert (rowkeys.positions(mine, theirs, keys) == expected).all(), name
    assert rowkeys.packed_alike((frame, other), ["pnr", "aar"])[0][1] <= rowkeys.DENSE_POSITION_BITS
    assert rowkeys.packed_alike((cases["screened"][0], cases["screened"][1]), ["pnr", "aar"])[0][1] \
        > rowkeys.DENSE_POSITION_BITS


def test_keys_far_from_zero_pack_to_distinct_numbers_from_zero():
    """Person keys near 3e9 (ten-digit numbers) and years pack into 31 bits as their distance
    from the lowest key, the year (the narrower column) leading: the wrap-around of the 32-bit
    arithmetic cancels out."""
    frame = pd.DataFrame({"pnr": np.array([3_100_000_000, 3_100_000_007, 3_100_000_000, 3_000_000_000]),
                          "aar": np.array([2017, 2022, 2022, 2017], dtype=np.int16)})
    packed, bits = rowkeys.packed_keys(frame, ["pnr", "aar"])
    assert bits == 27 + 3 and packed.dtype == np.int32
    assert packed.tolist() == [(0 << 27) + 100_000_000, (5 << 27) + 100_000_007, (5 << 27) + 100_000_000, 0]


def test_distinct_keys_are_counted_as_pandas_counts_them():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"pnr": rng.integers(100_000, 100_400, 3000), "aar": rng.integers(2017, 2023, 3000)})
    for keys in (["pnr"], ["pnr", "aar"]):
        expected = len(frame[keys].drop_duplicates())
        assert rowkeys.distinct(frame, keys) == expected
        assert rowkeys.distinct(frame.astype({"pnr": str}), keys) == expected  # text keys: pandas' own count


@pytest.mark.parametrize("spread", [400, 400_000_000])
def test_repeats_and_distinct_keys_as_pandas_finds_them_in_flags_or_sorted(spread):
    """Keys packed densely (a flag array) or sparsely (a few rows over a wide span: sorted
    instead of a flag array of a billion flags) give pandas' answers."""
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"pnr": rng.integers(100_000, 100_000 + spread, 3000), "aar": rng.integers(2017, 2023, 3000)})
    frame = pd.concat([frame, frame.iloc[:40]], ignore_index=True)  # repeats, whatever the spread
    assert rowkeys._dense(rowkeys.packed_keys(frame, ["pnr", "aar"])[1], len(frame)) == (spread == 400)
    for keys in (["pnr"], ["pnr", "aar"]):
        assert rowkeys.distinct(frame, keys) == len(frame[keys].drop_duplicates())
        assert rowkeys.duplicated(frame, keys).tolist() == frame.duplicated(keys, keep=False).tolist()


def test_an_index_of_packed_keys_finds_rows_as_a_merge_does():
    """bopael's keys packed once (in no particular order) answer which rows of another table occur
    in it and which of its rows occur in another, also for keys outside its bounds."""
    rng = np.random.default_rng(13)
    table = pd.DataFrame({"pnr": rng.integers(1_000, 1_300, 3000), "aar": rng.integers(2017, 2023, 3000)})
    table = table.drop_duplicates().sample(frac=1, random_state=4).reset_index(drop=True)  # unique, unordered
    other = pd.concat([table.sample(400, random_state=5),
                       pd.DataFrame({"pnr": [999, 1_000, 1_400, 1_100], "aar": [2020, 2016, 2020, 2023]})])
    other = other.drop_duplicates().reset_index(drop=True)  # unique keys, some outside the table's bounds
    index = rowkeys.PackedKeys.of(table, ["pnr", "aar"])
    merged = other.merge(table.drop_duplicates(), on=["pnr", "aar"], how="left", indicator=True)
    assert (index.holds(other) == (merged["_merge"] == "both").to_numpy()).all()
    expected = _merged_positions(table, other, ["pnr", "aar"])
    rows, matched = index.matches(other)
    assert rows.tolist() == np.flatnonzero(expected >= 0).tolist()  # the table's rows, ascending
    assert matched.tolist() == expected[expected >= 0].tolist()
    for column, values in (("pnr", np.array([999, 1_000, 1_150, 1_299, 5_000])), ("aar", np.array([2016, 2019]))):
        assert (index.having(column, values) == table[column].isin(values).to_numpy()).all(), column
        assert index.values(column).tolist() == sorted(table[column].unique())
    assert rowkeys.PackedKeys.of(table.astype({"pnr": str}), ["pnr", "aar"]) is None  # text keys: no index
