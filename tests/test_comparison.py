"""The comparison appendix: published figures against regenerated values."""
import pandas as pd

from analysis.comparison import SOURCES, compare
from analysis.params import Params
from analysis.reference import published_figures


def test_deviation_and_tolerance_by_hand():
    maalgruppe = pd.DataFrame({"aar": [2022] * 3, "omraade": ["landsplan"] * 3,
                               "gruppe": ["i_alt", "kognitiv", "sindslidelse"], "antal": [75_600, 40_000, pd.NA]})
    table = compare({"maalgruppe": maalgruppe}, Params()).set_index("id")
    assert table.loc["mg_i_alt", ["beregnet", "afvigelse_pct", "tolerance_pct", "inden_for_tolerance"]].tolist() == [
        75_600, 5.0, 5.0, "ja"]  # 75,600 / 72,000 - 1 = 5 %, exactly the tolerance
    assert table.loc["mg_kognitiv", "inden_for_tolerance"] == "nej"  # 40,000 / 44,000 - 1 = -9.1 %
    assert table.loc["mg_kognitiv", "afvigelse_pct"] == -9.1
    assert table.loc["mg_sindslidelse", "inden_for_tolerance"] == "ikke beregnet"  # suppressed
    assert table.loc["fig11_ned_case", "inden_for_tolerance"] == "ikke beregnet"  # no staircase table yet


def test_every_published_row_is_listed_once():
    table = compare({}, Params())
    assert table["id"].tolist() == published_figures()["id"].tolist()


def test_every_source_names_a_published_figure():
    assert set(SOURCES) <= set(published_figures()["id"])


def test_movements_down_are_compared_from_the_counts():
    moved = pd.DataFrame({"omraade": "landsplan", "bevaegelse": ["ingen", "lavere", "samme", "hoejere", "udgaaet"],
                          "antal": pd.array([10, 49, 80, 61, 7], dtype="Int64"), "andel": [5.0, 24.5, 40.0, 30.5, None]})
    table = compare({"trappe_bevaegelser": moved}, Params()).set_index("id")
    assert table.loc["fig12_ned_land", "beregnet"] == 29.5 and table.loc["fig12_op_land", "beregnet"] == 30.5
