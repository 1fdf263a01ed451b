"""The target group (METHODS.md §1) on hand-built extracts with answers worked out by hand."""
import pandas as pd

from analysis.contract import Extract, load_extract
from analysis.params import Params
from analysis.targetgroup import members
from extracts import unprotected, write_extract

# Person 1: adult, § 85 for sindslidelse and § 108 for kognitiv -> in both sub-groups, once in total.
# Person 2: 17 years old with § 107 -> a child, excluded.
# Person 3: § 85 only because of a physical disability -> excluded.
# Person 4: lives in Aarhus (751) but the service is given by København (101) -> counted in 751.
# Person 5: service in 2022 but not resident in 2022 (only in bopael 2021) -> excluded in 2022.
# Person 6: § 103/104 only (not one of the five services) -> excluded.
# Person 7: kognitiv § 82 in 2021 only -> in the target group 2021, not 2022.
BOPAEL = [(1, 2022, 101, 40), (2, 2022, 101, 17), (3, 2022, 147, 50), (4, 2022, 751, 30),
          (5, 2021, 101, 60), (6, 2022, 101, 25), (7, 2021, 169, 22), (7, 2022, 169, 23)]
YDELSER = [(1, 2022, 101, "sel85", "sindslidelse", 365), (1, 2022, 101, "sel108", "kognitiv", 200),
           (2, 2022, 101, "sel107", "kognitiv", 365), (3, 2022, 147, "sel85", "fysisk", 365),
           (4, 2022, 101, "sel85", "kognitiv", 100), (5, 2022, 101, "sel85", "kognitiv", 50),
           (6, 2022, 101, "sel103_104", "kognitiv", 365), (7, 2021, 169, "sel82", "kognitiv", 30)]


def extract(tmp_path):
    return load_extract(write_extract(tmp_path, BOPAEL, YDELSER))


def count(table, aar, omraade, gruppe):
    row = table[(table["aar"] == aar) & (table["omraade"] == omraade) & (table["gruppe"] == gruppe)]
    assert len(row) == 1
    return int(row["antal"].iloc[0])


def test_members_by_hand(tmp_path):
    people = members(extract(tmp_path)).sort_values(["aar", "pnr"])
    assert people[["pnr", "aar", "kom"]].values.tolist() == [[7, 2021, 169], [1, 2022, 101], [4, 2022, 751]]
    assert people[["kognitiv", "sindslidelse"]].values.tolist() == [[True, False], [True, True], [True, False]]


def test_sizes_by_hand(tmp_path):
    table = unprotected("maalgruppe", extract(tmp_path), Params(kommune=751))
    assert count(table, 2022, "landsplan", "i_alt") == 2
    assert count(table, 2022, "landsplan", "kognitiv") == 2
    assert count(table, 2022, "landsplan", "sindslidelse") == 1
    assert count(table, 2022, "casekommuner", "i_alt") == 1  # person 4 in Aarhus
    assert count(table, 2021, "casekommuner", "kognitiv") == 1  # person 7 in Høje-Taastrup
    assert count(table, 2022, "751", "i_alt") == 1
    assert count(table, 2021, "751", "i_alt") == 0


def test_table_has_every_year_area_and_group(tmp_path):
    table = unprotected("maalgruppe", extract(tmp_path), Params(kommune=751))
    assert list(table.columns) == ["aar", "omraade", "gruppe", "antal"]
    assert len(table) == 2 * 3 * 3
    assert set(table["omraade"]) == {"landsplan", "casekommuner", "751"}
    national = Params()
    assert set(unprotected("maalgruppe", extract(tmp_path), national)["omraade"]) == {"landsplan", "casekommuner"}


def test_total_is_at_most_the_sum_of_subgroups_and_at_least_each(tmp_path):
    table = unprotected("maalgruppe", extract(tmp_path), Params()).pivot_table(
        index=["aar", "omraade"], columns="gruppe", values="antal")
    assert (table["i_alt"] <= table["kognitiv"] + table["sindslidelse"]).all()
    assert (table["i_alt"] >= table[["kognitiv", "sindslidelse"]].max(axis=1)).all()


def test_area_counts_add_up_over_a_partition_of_municipalities(tmp_path):
    data = extract(tmp_path)
    whole = unprotected("maalgruppe", data, Params())
    codes = sorted(set(data.bopael["kom"]))
    parts = pd.concat([unprotected("maalgruppe", data, Params(sammenligning=[code])) for code in codes])
    parts = parts[parts["omraade"] == "casekommuner"].groupby(["aar", "gruppe"])["antal"].sum()
    national = whole[whole["omraade"] == "landsplan"].set_index(["aar", "gruppe"])["antal"]
    pd.testing.assert_series_equal(parts.sort_index(), national.sort_index(), check_names=False)


def test_members_are_the_same_with_person_keys_as_text(tmp_path):
    """Integer keys are looked up in bopael's packed keys, text keys by a merge: the same members
    and the same person-years found resident."""
    numbered = extract(tmp_path)
    as_text = {t: getattr(numbered, t).assign(pnr=lambda f: "p" + f["pnr"].astype(str))
               for t in ("bopael", "stamdata", "ydelser", "diagnoser")}
    texted = Extract(**as_text, activities=numbered.activities)
    assert numbered.resident_keys() is not None and texted.resident_keys() is None
    expected = members(numbered).assign(pnr=lambda f: "p" + f["pnr"].astype(str))
    pd.testing.assert_frame_equal(members(texted).astype({"pnr": object}), expected.astype({"pnr": object}))
    asked = pd.DataFrame({"pnr": [1, 5, 5, 9], "aar": [2022, 2021, 2022, 2022]})  # resident, resident, not, unknown
    assert numbered.resident(asked).tolist() == [True, True, False, False]
    assert texted.resident(asked.assign(pnr="p" + asked["pnr"].astype(str))).tolist() == [True, True, False, False]
