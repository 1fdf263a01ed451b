"""The staircase (METHODS.md §2) on a hand-built extract worked out by hand."""
import math

import pandas as pd
import pytest

from analysis.contract import ContractError, load_extract
from analysis.params import Params, ParamsError
from analysis.project import REFERENCE_DIR
from analysis import staircase
from extracts import unprotected, write_extract

# Base year 2020, followed to 2022.
# P1 (København): § 85 and § 82 in 2020 -> on the § 85 step; only § 82 in 2022 -> lavere.
# P2 (København): § 85 in 2020; nothing in 2022 -> ingen.
# P3 (Aarhus in 2020, København in 2022): § 85 -> § 108 -> hoejere, counted in Aarhus (base year).
# P4 (Aarhus): § 85 in 2020; not resident in 2022 -> udgaaet, out of the shares.
# P5 (Aarhus): § 85 and § 107 in 2020 -> on the § 107 step, not in the base population; nothing in 2022.
# P6 (Høje-Taastrup): § 85 both years -> samme.
BOPAEL = [(1, 2020, 101, 30), (1, 2022, 101, 32), (2, 2020, 101, 40), (2, 2022, 101, 42),
          (3, 2020, 751, 50), (3, 2022, 101, 52), (4, 2020, 751, 60), (5, 2020, 751, 25), (5, 2022, 751, 27),
          (6, 2020, 169, 35), (6, 2022, 169, 37)]
YDELSER = [(1, 2020, 101, "sel85", "kognitiv", 366), (1, 2020, 101, "sel82", "kognitiv", 30),
           (1, 2022, 101, "sel82", "kognitiv", 100), (2, 2020, 101, "sel85", "sindslidelse", 366),
           (3, 2020, 751, "sel85", "kognitiv", 366), (3, 2022, 101, "sel108", "kognitiv", 365),
           (4, 2020, 751, "sel85", "kognitiv", 366), (5, 2020, 751, "sel85", "kognitiv", 100),
           (5, 2020, 751, "sel107", "kognitiv", 266), (6, 2020, 169, "sel85", "sindslidelse", 366),
           (6, 2022, 169, "sel85", "sindslidelse", 365)]


@pytest.fixture
def extract(tmp_path):
    return load_extract(write_extract(tmp_path / "x", BOPAEL, YDELSER))


def shares(table, omraade):
    rows = table[table["omraade"] == omraade].set_index("bevaegelse")
    return rows["antal"].to_dict(), rows["andel"].dropna().to_dict()


def test_movements_by_hand(extract):
    table = unprotected("trappe_bevaegelser", extract, Params())
    assert list(table.columns) == ["omraade", "bevaegelse", "antal", "andel"]
    counts, andel = shares(table, "landsplan")
    assert counts == {"ingen": 1, "lavere": 1, "samme": 1, "hoejere": 1, "udgaaet": 1}
    assert andel == {"ingen": 25.0, "lavere": 25.0, "samme": 25.0, "hoejere": 25.0}
    counts, andel = shares(table, "casekommuner")
    assert counts == {"ingen": 0, "lavere": 0, "samme": 1, "hoejere": 1, "udgaaet": 1}
    assert andel == {"ingen": 0.0, "lavere": 0.0, "samme": 50.0, "hoejere": 50.0}


def test_highest_step_per_person_year(extract):
    steps = staircase.steps(extract, staircase.load_staircase(REFERENCE_DIR / "indsatstrappe.csv"), [2020])
    assert set(steps["aar"]) == {2020}  # only the years asked for
    by_person = steps.set_index("pnr")["trin"].to_dict()
    assert by_person == {1: 2, 2: 2, 3: 2, 4: 2, 5: 3, 6: 2}


def test_replaced_staircase_changes_the_categories(extract, tmp_path):
    # § 107 below § 85: P5 is now on the § 85 step (3) in 2020 and goes to nothing (ingen).
    (tmp_path / "trappe.csv").write_text("trin,navn,ydelser\n0,Ingen,\n1,Forebyggende,sel82\n2,Midlertidigt,sel107\n"
                                         "3,Udgående,sel85\n4,Botilbudslignende,abl105_sel85\n5,Længerevarende,sel108\n")
    table = unprotected("trappe_bevaegelser", extract, Params(indsatstrappe=tmp_path / "trappe.csv"))
    counts, _ = shares(table, "landsplan")
    assert counts == {"ingen": 2, "lavere": 1, "samme": 1, "hoejere": 1, "udgaaet": 1}


@pytest.mark.parametrize("text, message", [
    ("trin,navn,ydelser\n0,Ingen,\n2,X,sel85\n", "number the steps"),
    ("trin,navn,ydelser\n0,Ingen,sel82\n1,X,sel85\n", "step 0"),
    ("trin,navn,ydelser\n0,Ingen,\n1,X,sel85 sel999\n", "unknown service 'sel999'"),
    ("trin,navn,ydelser\n0,Ingen,\n1,X,sel85\n2,Y,sel85\n", "on two steps"),
    ("trin,navn,ydelser\n0,Ingen,\n1,X,sel82\n", "no step holds 'sel85'"),
])
def test_bad_staircase_file_is_rejected(tmp_path, text, message):
    (tmp_path / "trappe.csv").write_text(text)
    with pytest.raises(ContractError, match=message):
        staircase.load_staircase(tmp_path / "trappe.csv")


def test_transitions_with_wilson_intervals(extract):
    table = unprotected("trappe_overgange", extract, Params())
    national = table[(table["omraade"] == "landsplan") & (table["gruppe"] == "i_alt") & (table["fra_trin"] == 2)]
    national = national.set_index("til_trin")
    assert national["antal"].to_dict() == {"0": 1, "1": 1, "2": 1, "3": 0, "4": 0, "5": 1, "udgaaet": 1}
    assert national.loc["2", "andel"] == 25.0
    # Wilson 95 % interval for 1 of 4, worked out from the formula.
    z, n, p = 1.959964, 4, 0.25
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert national.loc["2", "ci_lav"] == round(100 * (centre - half), 1)
    assert national.loc["2", "ci_hoej"] == round(100 * (centre + half), 1)
    assert pd.isna(national.loc["udgaaet", "andel"])
    from_107 = table[(table["omraade"] == "landsplan") & (table["gruppe"] == "i_alt") & (table["fra_trin"] == 3)]
    assert from_107.set_index("til_trin").loc["0", "andel"] == 100.0


def test_difference_test_against_the_rest_of_the_country(extract):
    table = unprotected("trappe_test", extract, Params()).set_index("bevaegelse")
    # Case municipalities: P3 (up), P6 (same) -> 0 of 2 down, 1 of 2 up; the rest: P1, P2 -> 2 of 2 down.
    assert table.loc["ned", ["andel", "andel_resten"]].tolist() == [0.0, 100.0]
    assert table.loc["op", ["andel", "andel_resten"]].tolist() == [50.0, 0.0]
    pooled = 2 / 4  # the z-test for 'ned': (0 - 1) / sqrt(p(1-p)(1/2 + 1/2))
    assert table.loc["ned", "z"] == round(-1 / math.sqrt(pooled * (1 - pooled)), 2)


def test_rates_per_10000(extract):
    table = unprotected("trappe_pr_10000", extract, Params(aar=2022)).set_index(["omraade", "ydelse"])
    # 2022 adults: København P1, P2, P3; Aarhus P5; Høje-Taastrup P6 -> 5 in all, 2 in the case municipalities.
    # Every recipient is in the target group and every adult is 18-64.
    assert table.loc[("landsplan", "sel82"), ["antal", "befolkning", "pr_10000"]].tolist() == [1, 5, 2000.0]
    assert table.loc[("casekommuner", "sel85"), "pr_10000"] == 5000.0
    assert table.loc[("casekommuner", "sel85"), "pr_10000_voksne"] == 5000.0


def test_rates_per_10000_count_members_per_residents_of_the_age_band(tmp_path):
    """Figure 10: A (30, § 82 for a cognitive disability) is in the target group; B (40, § 82 for
    a physical one) is not; C (70, § 108) is a member outside the 18-64 band; D is 17; E (50)
    has no service. Residents 18-64: A, B, E; adults: A, B, C, E."""
    bopael = [(p, 2022, 101, age) for p, age in ((1, 30), (2, 40), (3, 70), (4, 17), (5, 50))]
    ydelser = [(1, 2022, 101, "sel82", "kognitiv", 100), (2, 2022, 101, "sel82", "fysisk", 100),
               (3, 2022, 101, "sel108", "sindslidelse", 365)]
    extract = load_extract(write_extract(tmp_path / "x", bopael, ydelser))
    table = unprotected("trappe_pr_10000", extract, Params(aar=2022)).set_index(["omraade", "ydelse"])
    columns = ["alder_fra", "alder_til", "antal", "befolkning", "pr_10000", "antal_voksne", "befolkning_voksne",
               "pr_10000_voksne"]
    assert table.loc[("landsplan", "sel82"), columns].tolist() == [18, 64, 1, 3, 3333.3, 2, 4, 5000.0]
    assert table.loc[("landsplan", "sel108"), columns].tolist() == [18, 64, 1, 3, 3333.3, 1, 4, 2500.0]
    wider = unprotected("trappe_pr_10000", extract, Params(aar=2022, pr_10000_alder=[18, 120]))
    assert wider.set_index(["omraade", "ydelse"]).loc[("landsplan", "sel108"), "pr_10000"] == 2500.0


@pytest.mark.parametrize("band", [[64, 18], [18], [-1, 64], [18, 121], "18-64"])
def test_age_band_is_validated(band):
    with pytest.raises(ParamsError, match="pr_10000_alder"):
        Params(pr_10000_alder=band)


def test_step_table_comes_from_the_staircase_file(extract):
    own = unprotected("trappe_trin", extract, Params(indsatstrappe=REFERENCE_DIR.parents[1] / "examples" / "aarhus"
                                               / "indsatstrappe.csv"))
    assert own["navn"].tolist() == ["Ingen indsats", "Forebyggende indsatser", "Støtte i eget hjem",
                                    "Midlertidigt og botilbudslignende tilbud", "Længerevarende botilbud"]
    assert own["ydelser"].tolist() == ["", "sel82", "sel85", "sel107 abl105_sel85", "sel108"]
    assert own["udgangspunkt"].tolist() == [False, False, True, False, False]
    default = unprotected("trappe_trin", extract, Params())
    assert len(default) == 6 and default.loc[default["udgangspunkt"], "trin"].tolist() == [2]


def test_direction_share_from_the_counts():
    table = pd.DataFrame({"omraade": "landsplan", "bevaegelse": ["ingen", "lavere", "samme", "hoejere", "udgaaet"],
                          "antal": pd.array([10, 49, 80, 61, 7], dtype="Int64"),
                          "andel": [5.0, 24.5, 40.0, 30.5, None]})
    assert staircase.direction_share(table, "landsplan", "ned") == 29.5  # (10 + 49) / 200, not 5.0 + 24.5 rounded
    assert staircase.direction_share(table, "landsplan", "op") == 30.5
    table.loc[1, "antal"] = pd.NA  # a hidden count: the share is hidden too
    assert staircase.direction_share(table, "landsplan", "ned") is None


def test_difference_tests_and_movements_share_one_definition_of_down(extract):
    params = Params(trappe_basisaar=2020)
    moved = unprotected("trappe_bevaegelser", extract, params)
    tests = unprotected("trappe_test", extract, params).set_index(["omraade", "bevaegelse"])
    for omraade in ("casekommuner",):
        for direction in ("ned", "op"):
            assert tests.loc[(omraade, direction), "andel"] == staircase.direction_share(moved, omraade, direction)
