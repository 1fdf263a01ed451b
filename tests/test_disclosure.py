"""Primary disclosure control (METHODS.md §4)."""
import pandas as pd

from analysis.disclosure import suppress_small_counts
from analysis.registry import TABLES, read_table, write_tables


def test_counts_below_threshold_are_suppressed():
    table = pd.DataFrame({"gruppe": list("abcde"), "antal": [0, 1, 4, 5, 1000]})
    shown = suppress_small_counts(table, ("antal",), 5)
    assert shown["antal"].isna().tolist() == [True, True, True, False, False]
    assert shown["antal"].dropna().tolist() == [5, 1000]
    assert table["antal"].tolist() == [0, 1, 4, 5, 1000]  # the input is left alone


def test_threshold_is_a_parameter():
    table = pd.DataFrame({"antal": [3, 7, 12]})
    assert suppress_small_counts(table, ("antal",), 10)["antal"].isna().tolist() == [True, True, False]


def test_suppressed_cells_are_empty_in_csv_and_missing_when_read(tmp_path):
    table = pd.DataFrame({"aar": [2022, 2022], "omraade": ["landsplan", "751"], "gruppe": ["i_alt", "i_alt"],
                          "antal": [100, 2]})
    write_tables({"maalgruppe": suppress_small_counts(table, ("antal",), 5)}, tmp_path)
    assert (tmp_path / "maalgruppe.csv").read_text().splitlines()[2] == "2022,751,i_alt,"
    back = read_table(tmp_path, "maalgruppe")
    assert back["antal"].isna().tolist() == [False, True]
    assert back["omraade"].tolist() == ["landsplan", "751"]


def test_every_registered_count_column_is_declared():
    assert TABLES["maalgruppe"].count_columns == ("antal",)
