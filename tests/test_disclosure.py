"""Disclosure control (METHODS.md §4): primary and secondary suppression and the audit trail."""
import json

import numpy as np
import pandas as pd

from analysis.contract import load_extract
from analysis.disclosure import Additive, Overlap, Remainder, Rules, additive, suppress
from analysis.params import Params
from analysis.registry import compute_tables, read_table, write_tables
from extracts import write_extract


def hidden(shown: pd.DataFrame, column: str = "antal") -> list[int]:
    return shown.index[shown[column].isna()].tolist()


def test_primary_hides_counts_below_the_threshold_including_zero():
    table = pd.DataFrame({"gruppe": list("abcde"), "antal": [0, 1, 4, 5, 1000]})
    shown, audit = suppress(table, Rules(("antal",)), 5)
    assert hidden(shown) == [0, 1, 2]
    assert shown["antal"].dropna().tolist() == [5, 1000]
    assert [(a["celle"], a["regel"]) for a in audit] == [({"gruppe": g}, "primary") for g in "abc"]
    assert table["antal"].tolist() == [0, 1, 4, 5, 1000]  # the input is left alone


def test_threshold_is_a_parameter():
    shown, _ = suppress(pd.DataFrame({"antal": [3, 7, 12]}), Rules(("antal",)), 10)
    assert hidden(shown) == [0, 1]


def test_additive_with_a_published_total_hides_the_next_smallest_part():
    table = pd.DataFrame({"kategori": ["a", "b", "c", "i_alt"], "antal": [10, 3, 20, 33]})
    rules = Rules(("antal",), constraints=lambda t, _: additive(t, [], "kategori", ("a", "b", "c"), "i_alt"))
    shown, audit = suppress(table, rules, 5)
    assert hidden(shown) == [0, 1]  # b (primary), then a, the smallest visible part
    assert [(a["celle"]["kategori"], a["regel"]) for a in audit] == [("b", "primary"), ("a", "secondary")]


def test_hidden_parts_must_together_count_at_least_the_threshold():
    """1 and 2 hidden beside 30 under a published 33: their sum, 3, would be read off the total."""
    table = pd.DataFrame({"kategori": ["a", "b", "c", "i_alt"], "antal": [1, 2, 30, 33]})
    rules = Rules(("antal",), constraints=lambda t, _: additive(t, [], "kategori", ("a", "b", "c"), "i_alt"))
    shown, audit = suppress(table, rules, 5)
    assert hidden(shown) == [0, 1, 2]
    assert audit[-1]["begrundelse"] == "its hidden parts together count fewer than 5"
    table["antal"] = [2, 3, 30, 35]  # 2 + 3 = 5: protected as it is
    assert hidden(suppress(table, rules, 5)[0]) == [0, 1]


def test_shares_are_hidden_with_their_counts_when_the_total_is_known():
    table = pd.DataFrame({"bevaegelse": ["ingen", "lavere", "samme", "hoejere"], "antal": [50, 2, 30, 8]})
    table["andel"] = 100 * table["antal"] / table["antal"].sum()
    rules = Rules(("antal",), follows=("andel",), constraints=lambda t, _: [Additive((0, 1, 2, 3))])
    shown, _ = suppress(table, rules, 5)
    assert hidden(shown) == hidden(shown, "andel") == [1, 3]  # 2 (primary) and 8 (secondary)


def test_remainder_of_an_area_below_threshold_hides_the_inner_area():
    table = pd.DataFrame({"omraade": ["casekommuner", "751"], "antal": [12, 9]})
    shown, audit = suppress(table, Rules(("antal",), constraints=lambda t, _: [Remainder(0, (1,))]), 5)
    assert hidden(shown) == [1] and audit[0]["regel"] == "secondary"
    table = pd.DataFrame({"omraade": ["casekommuner", "751"], "antal": [100, 9]})
    assert hidden(suppress(table, Rules(("antal",), constraints=lambda t, _: [Remainder(0, (1,))]), 5)[0]) == []


def test_overlapping_subgroups_with_a_small_overlap():
    table = pd.DataFrame({"gruppe": ["i_alt", "kognitiv", "sindslidelse"], "antal": [20, 18, 5]})
    rules = Rules(("antal",), constraints=lambda t, _: [Overlap(0, 1, 2)])
    # both = 18 + 5 - 20 = 3: hide sindslidelse (smaller); then only-sindslidelse = 20 - 18 = 2
    # is still derivable, so kognitiv goes too.
    assert hidden(suppress(table, rules, 5)[0]) == [1, 2]
    table["antal"] = [100, 60, 50]
    assert hidden(suppress(table, rules, 5)[0]) == []


def test_tiny_municipality_with_a_subgroup_of_three(tmp_path):
    """Aarhus (751, in the comparison group): 7 kognitiv, 3 sindslidelse, no overlap.

    The 3 are hidden (primary). Kognitiv must go too (secondary): i_alt 10 - kognitiv 7 = 3.
    """
    people = [(i, "kognitiv", 751) for i in range(1, 8)] + [(i, "sindslidelse", 751) for i in range(8, 11)]
    people += [(i, "kognitiv", 169) for i in range(11, 31)] + [(i, "sindslidelse", 169) for i in range(31, 37)]
    people += [(i, "kognitiv", 101) for i in range(37, 87)] + [(i, "sindslidelse", 101) for i in range(87, 97)]
    extract = load_extract(write_extract(tmp_path / "x", [(p, 2022, k, 40) for p, _, k in people],
                                         [(p, 2022, k, "sel85", g, 365) for p, g, k in people]))
    params = Params(kommune=751, min_celle=5)
    tables = compute_tables(extract, params, progress=lambda _: None)
    shown = tables.frames["maalgruppe"].set_index(["omraade", "gruppe"])["antal"]
    assert shown["751"].isna().to_dict() == {"i_alt": False, "kognitiv": True, "sindslidelse": True}
    assert shown["751", "i_alt"] == 10
    assert shown["casekommuner"].tolist() == [36, 27, 9] and shown["landsplan"].tolist() == [96, 77, 19]
    write_tables(tables, tmp_path / "out", params)
    record = json.loads((tmp_path / "out" / "disclosure.json").read_text())
    assert record["graense"] == 5
    assert [(c["celle"]["omraade"], c["celle"]["gruppe"], c["regel"]) for c in record["tabeller"]["maalgruppe"]] == [
        ("751", "sindslidelse", "primary"), ("751", "kognitiv", "secondary")]
    assert (tmp_path / "out" / "tables" / "maalgruppe.csv").read_text().count(",751,kognitiv,\n") == 1
    back = read_table(tmp_path / "out" / "tables", "maalgruppe")
    assert back["antal"].isna().sum() == 2


def test_property_no_hidden_cell_nor_their_sum_is_recoverable_from_a_total():
    rng = np.random.default_rng(1)
    for _ in range(500):
        parts = rng.integers(0, 25, rng.integers(2, 7)).tolist()
        table = pd.DataFrame({"kategori": [f"k{i}" for i in range(len(parts))] + ["i_alt"],
                              "antal": parts + [sum(parts)]})
        rules = Rules(("antal",), constraints=lambda t, _: additive(t, [], "kategori", tuple(t["kategori"][:-1]),
                                                                 "i_alt"))
        shown, audit = suppress(table, rules, 5)
        is_hidden = shown["antal"].isna()
        assert len(audit) == is_hidden.sum()
        assert (table["antal"][~is_hidden] >= 5).all()
        if is_hidden.iloc[-1]:
            continue  # the total itself is hidden
        remainder = table["antal"].iloc[-1] - table["antal"][:-1][~is_hidden[:-1]].sum()
        assert remainder == 0 or remainder >= 5, (parts, shown["antal"].tolist())  # hidden parts, summed
        for value in table["antal"][:-1][is_hidden[:-1]]:
            assert value != remainder or (value == 0 and remainder == 0 and is_hidden[:-1].sum() == len(parts)), \
                (parts, shown["antal"].tolist())


def _three_groups(counts: dict[str, int], **keys) -> pd.DataFrame:
    return pd.DataFrame([{**keys, "gruppe": g, "antal": a} for g, a in counts.items()])


def test_every_table_with_the_three_groups_protects_their_overlap():
    """i_alt 20, kognitiv 18, sindslidelse 5: 3 persons are in both sub-groups, and that derived
    count may not be read off any table that shows the three groups (diagnoser, forbrug,
    trappe_overgange), as it could not from maalgruppe."""
    from analysis import profile, staircase
    counts = {"i_alt": 20, "kognitiv": 18, "sindslidelse": 5}
    diagnoses = _three_groups(counts, aar=2022, omraade="landsplan", diagnosegruppe="autisme").assign(n=100, andel=1.0)
    activities = _three_groups(counts, aar=2022, omraade="landsplan", maal="sel85").assign(n=100, uden=80, vaerdi=1.0)
    transitions = _three_groups(counts, omraade="landsplan", fra_trin=2, til_trin="3").assign(
        andel=1.0, ci_lav=0.5, ci_hoej=1.5)
    for table, rules, shown_column in ((diagnoses, profile.DIAGNOSIS_RULES, "andel"),
                                       (activities, profile.ACTIVITY_RULES, "vaerdi"),
                                       (transitions, staircase.TRANSITION_RULES, "antal")):
        shown, _ = suppress(table, rules, 5, Params())
        assert hidden(shown, shown_column) == [1, 2], rules  # as in test_overlapping_subgroups_with_a_small_overlap


def test_population_counts_are_protected_like_any_count():
    from analysis import staircase
    table = pd.DataFrame({"aar": 2022, "omraade": ["landsplan", "751"], "trin": 2, "ydelse": "sel85",
                          "alder_fra": 18, "alder_til": 64, "antal": [500, 0], "befolkning": [9000, 2],
                          "pr_10000": [555.6, 0.0], "antal_voksne": [800, 0], "befolkning_voksne": [12000, 2],
                          "pr_10000_voksne": [666.7, 0.0]})
    shown, _ = suppress(table, staircase.RATE_RULES, 5, Params(kommune=751))
    assert shown.loc[1, ["befolkning", "befolkning_voksne", "pr_10000"]].isna().all()
    assert shown.loc[0, "befolkning"] == 9000
