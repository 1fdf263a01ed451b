"""Target-group profile tables (figures 2-9, 13-14) on a hand-built extract worked out by hand."""
import pandas as pd
import pytest

from analysis.contract import load_extract
from analysis.params import Params
from analysis import profile
from extracts import FORBRUG_ZERO, unprotected, write_extract

# 1: Copenhagen, kognitiv, § 85 all year and § 108 for 100 days; autism; 10 weeks of work;
#    52 weeks of førtidspension.
# 2: Copenhagen, § 85 under two reasons (200 and 365 days: one service of 365 days);
#    autism and a severe mental illness.
# 3: Aarhus (a case municipality), sindslidelse, § 107 all year; 10 days in psychiatry.
# 4: Aarhus, § 85 because of a physical disability: a recipient, not a member; 20 weeks of work.
# 5: Høje-Taastrup, no services; 30 weeks of work.
BOPAEL = [(1, 2022, 101, 40), (2, 2022, 101, 30), (3, 2022, 751, 50), (4, 2022, 751, 60), (5, 2022, 169, 20)]
YDELSER = [(1, 2022, 101, "sel85", "kognitiv", 365), (1, 2022, 101, "sel108", "kognitiv", 100),
           (2, 2022, 101, "sel85", "sindslidelse", 200), (2, 2022, 101, "sel85", "kognitiv", 365),
           (3, 2022, 751, "sel107", "sindslidelse", 365), (4, 2022, 751, "sel85", "fysisk", 365)]
DIAGNOSER = [(1, "autisme"), (2, "autisme"), (2, "svaer_psykisk")]
PRICES = """post,enhed,kr,prisaar,andel_kommune,andel_region,andel_stat,hovedomraade,kilde,verificeret
sel85,dag,100,2022,1,0,0,Øvrige sociale indsatser,test,false
sel107,dag,500,2022,1,0,0,Botilbud,test,false
sel108,dag,1000,2022,1,0,0,Botilbud,test,false
foertidspension_uger,uge,1000,2022,0.2,0,0.8,Indkomstoverførsler,test,false
"""


@pytest.fixture
def case(tmp_path):
    forbrug = pd.DataFrame([{"pnr": p, "aar": 2022, **FORBRUG_ZERO} for p, *_ in BOPAEL])
    forbrug["beskaeftigelse_uger"] = [10.0, 0, 0, 20, 30]
    forbrug["foertidspension_uger"] = [52.0, 0, 0, 0, 0]
    forbrug["psyk_indlagt_dage"] = [0, 0, 10.0, 0, 0]
    extract = load_extract(write_extract(tmp_path / "x", BOPAEL, YDELSER, forbrug, DIAGNOSER))
    (tmp_path / "priser.csv").write_text(PRICES)
    return extract, Params(enhedspriser=tmp_path / "priser.csv")


def cell(table, column, **filters):
    rows = table
    for key, value in filters.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, filters
    return rows[column].iloc[0]


def test_people_flags(case):
    extract, params = case
    people = profile.people(extract, 2022).set_index("pnr")
    assert people["i_alt"].tolist() == [True, True, True, False, False]
    assert people["kognitiv"].tolist() == [True, True, False, False, False]
    assert people["sindslidelse"].tolist() == [False, True, True, False, False]


def test_diagnosis_shares(case):
    table = unprotected("diagnoser", *case)
    assert cell(table, "andel", omraade="landsplan", gruppe="i_alt", diagnosegruppe="autisme") == 66.7
    assert cell(table, "andel", omraade="landsplan", gruppe="kognitiv", diagnosegruppe="autisme") == 100.0
    assert cell(table, "andel", omraade="landsplan", gruppe="sindslidelse", diagnosegruppe="svaer_psykisk") == 50.0
    assert cell(table, "antal", omraade="casekommuner", gruppe="i_alt", diagnosegruppe="autisme") == 0


def test_service_distribution(case):
    table = unprotected("ydelser_fordeling", *case)
    national = table[table["omraade"] == "landsplan"].set_index("ydelse")
    assert national.loc["sel85", ["antal", "andel_personer"]].tolist() == [2, 66.7]
    # kommune costs: § 85 2 x 365 x 100 = 73,000 (person 2 counted once); § 108 100 x 1,000 = 100,000;
    # § 107 365 x 500 = 182,500; in all 355,500.
    assert national["andel_udgifter"].to_dict() == {"sel108": 28.1, "abl105_sel85": 0.0, "sel107": 51.3,
                                                    "sel85": 20.5, "sel82": 0.0}
    assert cell(table, "andel_udgifter", omraade="casekommuner", ydelse="sel107") == 100.0


def test_botilbud_cost_share(case):
    table = unprotected("udgifter_botilbud", *case)
    assert cell(table, "antal", omraade="landsplan") == 2
    assert cell(table, "andel_personer", omraade="landsplan") == 66.7
    assert cell(table, "andel_udgifter", omraade="landsplan") == 89.7  # (136,500 + 182,500) / 355,500


def test_only_members_count_as_botilbud_residents(tmp_path):
    """botilbudsbeboere are target-group members on a botilbud: an adult on § 108 because of a
    physical disability receives the service but is not one of them."""
    bopael = [(1, 2022, 101, 40), (2, 2022, 101, 50)]
    ydelser = [(1, 2022, 101, "sel108", "kognitiv", 100), (1, 2022, 101, "sel85", "kognitiv", 365),
               (2, 2022, 101, "sel108", "fysisk", 365), (2, 2022, 101, "sel85", "fysisk", 200)]
    extract = load_extract(write_extract(tmp_path / "x", bopael, ydelser))
    counts = profile.activity_counts(extract, Params())
    residents = counts[(counts["kom"] == 101) & (counts["gruppe"] == "botilbudsbeboere")].set_index("maal")
    assert residents.loc["sel108", ["antal", "maengde"]].tolist() == [1, 100.0]
    assert residents.loc["sel85", ["antal", "maengde"]].tolist() == [1, 365.0]
    (tmp_path / "priser.csv").write_text(PRICES)
    table = unprotected("udgifter_botilbud", extract, Params(enhedspriser=tmp_path / "priser.csv"))
    assert cell(table, "andel_udgifter", omraade="landsplan") == 100.0  # the one member lives on a botilbud


def test_activity_profile(case):
    table = unprotected("forbrug_gennemsnit", *case)
    assert cell(table, "vaerdi", omraade="landsplan", gruppe="befolkningen", maal="beskaeftigelse_uger") == 12.0
    assert cell(table, "vaerdi", omraade="landsplan", gruppe="i_alt", maal="beskaeftigelse_uger") == 3.3
    assert cell(table, "vaerdi", omraade="landsplan", gruppe="kognitiv", maal="beskaeftigelse_uger") == 5.0
    assert cell(table, "vaerdi", omraade="landsplan", gruppe="sindslidelse", maal="psyk_kontakt") == 50.0
    assert cell(table, "vaerdi", omraade="landsplan", gruppe="befolkningen", maal="sel85") == 60.0
    assert cell(table, "enhed", omraade="landsplan", gruppe="i_alt", maal="sel85") == "pct"
    assert cell(table, "enhed", omraade="landsplan", gruppe="i_alt", maal="psyk_indlagt_dage") == "dage"
    assert cell(table, "vaerdi", omraade="casekommuner", gruppe="befolkningen", maal="beskaeftigelse_uger") == 16.7  # (0 + 20 + 30) / 3


def test_costs_by_main_area(case):
    table = unprotected("udgifter_hovedomraade", *case)
    assert cell(table, "kr_pr_person", omraade="landsplan", gruppe="i_alt", hovedomraade="Botilbud") == 94167
    assert cell(table, "kr_pr_person", omraade="landsplan", gruppe="befolkningen",
                hovedomraade="Indkomstoverførsler") == 10400
    # the municipalities pay all of § 107 and § 108 and a fifth of førtidspension: 52,000 x 0.2 / 3
    assert cell(table, "kr_pr_person_kommune", omraade="landsplan", gruppe="i_alt", hovedomraade="Botilbud") == 94167
    assert cell(table, "kr_pr_person_kommune", omraade="landsplan", gruppe="i_alt",
                hovedomraade="Indkomstoverførsler") == 3467
    assert cell(table, "kr_pr_person_kommune", omraade="landsplan", gruppe="befolkningen",
                hovedomraade="Indkomstoverførsler") == 2080


def test_recipient_shares(case):
    table = unprotected("maalgruppe_andel", *case)
    assert cell(table, "andel", omraade="landsplan", ydelse="sel85") == 66.7
    assert cell(table, "andel", omraade="landsplan", ydelse="alle_fem") == 75.0
    assert cell(table, "andel", omraade="landsplan", ydelse="botilbud") == 100.0


def test_doubling_prices_keeps_shares_and_doubles_costs(case, tmp_path):
    extract, params = case
    prices = pd.read_csv(params.enhedspriser)
    prices["kr"] *= 2
    prices.to_csv(tmp_path / "dobbelt.csv", index=False)
    doubled = Params(enhedspriser=tmp_path / "dobbelt.csv")
    pd.testing.assert_frame_equal(unprotected("ydelser_fordeling", extract, params),
                                  unprotected("ydelser_fordeling", extract, doubled))
    single, double = unprotected("udgifter_hovedomraade", extract, params), unprotected("udgifter_hovedomraade", extract, doubled)
    for column in ("kr_pr_person", "kr_pr_person_kommune"):
        assert (double[column] - 2 * single[column]).abs().max() <= 1  # rounding to whole kroner


def test_shares_are_percentages(case):
    for table, column in ((unprotected("diagnoser", *case), "andel"),
                          (unprotected("maalgruppe_andel", *case), "andel"),
                          (unprotected("ydelser_fordeling", *case), "andel_personer")):
        assert table[column].dropna().between(0, 100).all()
    costs = unprotected("ydelser_fordeling", *case).groupby("omraade")["andel_udgifter"].sum()
    assert costs.round(0).isin([0, 100]).all()


def test_area_means_from_municipal_sums_equal_direct_means(tmp_path):
    """The optimised path (sums per municipality, added up per area) gives the straightforward means."""
    from analysis.synth import write_synthetic
    write_synthetic(tmp_path / "s", scale=0.003, seed=5, progress=lambda _: None)
    extract = load_extract(tmp_path / "s")
    params = Params(kommune=751)
    table = unprotected("forbrug_gennemsnit", extract, params)
    frame = profile.people(extract, 2022).merge(extract.forbrug[extract.forbrug["aar"] == 2022], on="pnr")
    for omraade, codes in (("landsplan", None), ("casekommuner", params.sammenligning), ("751", [751])):
        area = frame if codes is None else frame[frame["kom"].isin(codes)]
        for gruppe, rows in (("i_alt", area[area["i_alt"]]), ("befolkningen", area)):
            for maal in ("beskaeftigelse_uger", "psyk_indlagt_dage"):
                expected = round(rows[maal].mean(), 1) if len(rows) else None
                got = cell(table, "vaerdi", omraade=omraade, gruppe=gruppe, maal=maal)
                assert (pd.isna(got) and expected is None) or got == pytest.approx(expected, abs=1e-9), \
                    (omraade, gruppe, maal)
