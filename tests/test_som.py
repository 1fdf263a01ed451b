"""SØM potentials (METHODS.md §3) on a hand-built extract worked out by hand."""
import hashlib

import numpy as np
import pandas as pd
import scipy.stats
import pytest

from analysis import som
from analysis.rounding import half_away
from analysis.contract import load_extract
from analysis.params import Params, ParamsError
from extracts import FORBRUG_ZERO, write_extract

PRICES = """post,enhed,kr,prisaar,andel_kommune,andel_region,andel_stat,hovedomraade,kilde,verificeret
sel85,dag,100,2022,1,0,0,Øvrige sociale indsatser,test,false
sel108,dag,1000,2022,1,0,0,Botilbud,test,false
sel107,dag,1000,2022,1,0,0,Botilbud,test,false
kontanthjaelp_uger,uge,1000,2022,0.8,0,0.2,Indkomstoverførsler,test,false
"""
YEARS = range(2017, 2023)
# Botilbud: P1 leaves § 108 after 2018 (success) and has § 85 in 2020-22 (for a physical
# disability: a cost, but not the target group); P2 stays on § 108, in
# 2020 also recorded under a second reason with fewer days (one service of 365 days).
# P3 is eligible in 2017 and 2018 (§ 107): one reference year is drawn by hash.
# Employment: P4 and P5 have § 85 in 2019 without førtidspension; P4 is employed in week 48 of
# 2020 (success), P5 is on kontanthjælp all of 2021-22. P6 has § 85 but is on førtidspension.
BOPAEL = [(p, y, 101, 40) for p in (1, 2, 3, 4, 5, 6) for y in YEARS]
YDELSER = ([(1, y, 101, "sel108", "kognitiv", 365) for y in (2017, 2018)]
           + [(1, y, 101, "sel85", "fysisk", 365) for y in (2020, 2021, 2022)]
           + [(2, y, 101, "sel108", "kognitiv", 365) for y in (2017,) + tuple(range(2018, 2023))]
           + [(2, 2020, 101, "sel108", "sindslidelse", 200)]
           + [(3, y, 101, "sel107", "kognitiv", 365) for y in (2017, 2018)]
           + [(p, 2019, 101, "sel85", "sindslidelse", 365) for p in (4, 5, 6)])


@pytest.fixture
def case(tmp_path):
    forbrug = pd.DataFrame([{"pnr": p, "aar": y, **FORBRUG_ZERO} for p, y, _, _ in BOPAEL])
    at = lambda p, y: (forbrug["pnr"] == p) & (forbrug["aar"] == y)  # noqa: E731
    forbrug.loc[at(4, 2020), "status_uge48"] = "beskaeftiget"
    forbrug.loc[at(5, 2021) | at(5, 2022), "kontanthjaelp_uger"] = 52.0
    forbrug.loc[at(6, 2019), "foertidspension_uger"] = 52.0
    extract = load_extract(write_extract(tmp_path / "x", BOPAEL, YDELSER, forbrug))
    (tmp_path / "priser.csv").write_text(PRICES)
    return extract, Params(enhedspriser=tmp_path / "priser.csv")


def test_reference_year_is_the_smallest_hash():
    candidates = pd.DataFrame({"pnr": [7, 7, 7, 8], "aar": [2017, 2018, 2019, 2020]})
    digests = {y: hashlib.sha256(f"2024:7:{y}".encode()).hexdigest() for y in (2017, 2018, 2019)}
    chosen = som.reference_year(candidates, 2024).set_index("pnr")["aar"]
    assert chosen[7] == min(digests, key=digests.get) and chosen[8] == 2020


def test_cohorts(case):
    botilbud = som.cohort(*case, "botilbud").set_index("pnr")
    assert sorted(botilbud.index) == [1, 2, 3]
    assert botilbud.loc[1, ["referenceaar", "succes"]].tolist() == [2018, 1]  # 2017: still on § 108 in 2018
    assert botilbud.loc[2, "succes"] == 0
    digests = {y: hashlib.sha256(f"2024:3:{y}".encode()).hexdigest() for y in (2017, 2018)}
    assert botilbud.loc[3, "referenceaar"] == min(digests, key=digests.get)
    employment = som.cohort(*case, "beskaeftigelse").set_index("pnr")
    assert employment["succes"].to_dict() == {4: 1, 5: 0}  # P6 on førtidspension is not eligible


def test_success_flags_travel_with_their_person(case):
    """A cohort member dropped on the way (here: no stamdata row, which validation now refuses
    anyway) must not shift the success flags of the members after it."""
    extract, params = case
    full = som.cohort(extract, params, "botilbud").set_index("pnr")["succes"].to_dict()
    assert full[1] == 1 and full[2] == 0
    extract.stamdata = extract.stamdata[extract.stamdata["pnr"] != 1].reset_index(drop=True)
    extract.derived.clear()
    without_first = som.cohort(extract, params, "botilbud").set_index("pnr")["succes"].to_dict()
    assert without_first == {2: full[2], 3: full[3]}


def test_botilbud_potential_by_hand(case):
    extract, params = case
    params = Params(enhedspriser=params.enhedspriser, som_referenceaar=[2018, 2018])  # P1, P2 only (P3: 2018 too)
    table = som.potentials(extract, params)
    botilbud = table[table["scenarie"] == "botilbud"].set_index(["opfoelgningsaar", "hovedomraade"])["kr_pr_borger"]
    # Reference year 2018; follow-up years 2020-2022 (k = 1-3); 2023 is after the data: missing, not zero.
    assert sorted(set(botilbud.index.get_level_values(0))) == [1, 2, 3]
    # Non-success: P2 (365 days of § 108) and P3 (nothing after § 107 ends... P3 left in 2019: success).
    people = som.cohort(extract, params, "botilbud").set_index("pnr")["succes"].to_dict()
    assert people == {1: 1, 2: 0, 3: 1}
    # k = 1: non-success mean Botilbud 365,000; success mean (P1 0, P3 0) = 0 -> 365,000.
    assert botilbud[(1, "Botilbud")] == 365_000
    # Øvrige sociale indsatser: non-success 0; success (P1 36,500 + P3 0) / 2 = 18,250 -> -18,250.
    assert botilbud[(1, "Øvrige sociale indsatser")] == -18_250


def test_service_under_two_reasons_counts_once(case):
    extract, params = case
    costs = som.person_year_costs(extract, params, pd.DataFrame({"pnr": [2, 2], "aar": [2020, 2021]}))
    assert costs[(costs["aar"] == 2020) & (costs["betaler"] == "kommune")]["kr"].sum() == 365_000


def test_employment_potential_and_payers_by_hand(case):
    extract, params = case
    table = som.potentials(extract, params)
    employment = table[table["scenarie"] == "beskaeftigelse"].set_index(["opfoelgningsaar", "hovedomraade"])
    # Reference 2019, success measured 2020, follow-up 2021 and 2022 (k = 1, 2).
    assert employment.loc[(1, "Indkomstoverførsler"), "kr_pr_borger"] == 52_000
    assert employment.loc[(2, "Indkomstoverførsler"), "kr_pr_borger"] == 52_000
    payers = som.payer_potentials(extract, params)
    payers = payers[payers["scenarie"] == "beskaeftigelse"].set_index(["opfoelgningsaar", "betaler"])["kr_pr_borger"]
    assert (payers[(1, "kommune")], payers[(1, "stat")], payers[(1, "region")]) == (41_600, 10_400, 0)


def test_four_year_total_is_the_sum_over_follow_up_years(case):
    extract, params = case
    totals = som.totals(extract, params).set_index(["scenarie", "metode"])
    assert totals.loc[("beskaeftigelse", "raa"), "kr_pr_borger_4aar"] == 104_000
    assert totals.loc[("beskaeftigelse", "raa"), ["n_succes", "n_ikke_succes"]].tolist() == [1, 1]


def test_discounting(case):
    extract, params = case
    discounted = Params(enhedspriser=params.enhedspriser, diskonteringsrente=0.1)
    table = som.potentials(extract, discounted)
    employment = table[table["scenarie"] == "beskaeftigelse"].set_index(["opfoelgningsaar", "hovedomraade"])
    assert employment.loc[(1, "Indkomstoverførsler"), "kr_pr_borger"] == round(52_000 / 1.1)
    assert employment.loc[(2, "Indkomstoverførsler"), "kr_pr_borger"] == round(52_000 / 1.1 ** 2)


def test_doubling_prices_doubles_every_potential(case, tmp_path):
    extract, params = case
    prices = pd.read_csv(params.enhedspriser)
    prices["kr"] *= 2
    prices.to_csv(tmp_path / "dobbelt.csv", index=False)
    single = som.potentials(extract, params)["kr_pr_borger"]
    double = som.potentials(extract, Params(enhedspriser=tmp_path / "dobbelt.csv"))["kr_pr_borger"]
    assert (((double - 2 * single).abs() <= 1) | (double.isna() & single.isna())).all()


def test_one_main_area_takes_everything(case, tmp_path):
    extract, params = case
    prices = pd.read_csv(params.enhedspriser).assign(hovedomraade="Sundhed")
    prices.to_csv(tmp_path / "sundhed.csv", index=False)
    table = som.potentials(extract, Params(enhedspriser=tmp_path / "sundhed.csv"))
    assert set(table["hovedomraade"]) == {"Sundhed"}
    assert table.groupby("scenarie")["kr_pr_borger"].sum().to_dict() == \
        som.potentials(extract, params).groupby("scenarie")["kr_pr_borger"].sum().to_dict()


def test_swapping_success_labels_flips_signs():
    frame = pd.DataFrame({"pnr": [1, 2, 3], "k": [1, 1, 1], "kr": [100.0, 40.0, 10.0], "succes": [0, 1, 1]})
    straight = som._differences(frame, [])["kr_pr_borger"].iloc[0]
    swapped = som._differences(frame.assign(succes=1 - frame["succes"]), [])["kr_pr_borger"].iloc[0]
    assert straight == 75.0 and swapped == -75.0


def test_budget_effect_accumulates_cohorts():
    effect = som.budget_effect(pd.Series({1: 100.0, 2: 50.0, 3: 20.0, 4: 10.0}), 2)
    assert effect.tolist() == [200.0, 300.0, 340.0, 360.0]


def test_sensitivity_by_hand(case):
    extract, params = case
    table = som.sensitivity(extract, params).set_index(["scenarie", "variant"])["kr_pr_borger_4aar"]
    assert table[("beskaeftigelse", "basis")] == 104_000
    assert table[("beskaeftigelse", "Indkomstoverførsler +20 %")] == 124_800
    assert table[("beskaeftigelse", "diskonteret 3,5 %")] == round(52_000 / 1.035 + 52_000 / 1.035 ** 2)


def test_extra_successes_parameter_is_validated():
    with pytest.raises(ParamsError, match="ekstra_succeser"):
        Params(ekstra_succeser={"beskaeftigelse": -1, "botilbud": 5})


def regression_case(seed: int = 3) -> pd.DataFrame:
    """Eight persons followed for up to three years; in year 3 only the non-success group is
    still there (so year 3 has no difference and is left out)."""
    rng = np.random.default_rng(seed)
    rows = []
    for pnr in range(1, 9):
        succes, koen = int(pnr <= 4), "M" if pnr % 2 else "K"
        for k in (1, 2, 3):
            if k == 3 and succes:
                continue
            rows.append({"pnr": pnr, "k": k, "succes": succes, "koen": koen, "aldersgruppe": "30-49",
                         "undergruppe": "kognitiv", "referenceaar": 2018,
                         "kr": float(rng.integers(0, 100_000)) + 50_000 * (1 - succes)})
    return pd.DataFrame(rows)


def cluster_robust(design: np.ndarray, y: np.ndarray, groups: np.ndarray, contrast: np.ndarray):
    """OLS by least squares and the CR1 cluster-robust 95 % interval of a contrast, by hand."""
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    residuals = y - design @ beta
    bread = np.linalg.inv(design.T @ design)
    meat = sum(np.outer(s, s) for s in (design[groups == g].T @ residuals[groups == g] for g in np.unique(groups)))
    n, k, g = len(y), design.shape[1], len(np.unique(groups))
    variance = contrast @ bread @ meat @ bread @ contrast * g / (g - 1) * (n - 1) / (n - k)
    estimate, half = contrast @ beta, scipy.stats.norm.ppf(0.975) * np.sqrt(variance)
    return estimate, estimate - half, estimate + half


def test_follow_up_years_without_both_groups_are_left_out():
    frame = regression_case()
    kept = som.comparable_years(frame)
    assert sorted(kept["k"].unique()) == [1, 2] and len(kept) == len(frame) - 4


def test_raw_estimate_and_interval_against_an_independent_computation():
    frame = som.comparable_years(regression_case())
    means = frame.groupby(["k", "succes"])["kr"].mean()
    by_hand = sum(means[(k, 0)] - means[(k, 1)] for k in (1, 2))
    k1, k2 = (frame["k"] == 1).astype(float), (frame["k"] == 2).astype(float)
    design = np.column_stack([k1, k2, k1 * frame["succes"], k2 * frame["succes"]])
    expected = cluster_robust(design, frame["kr"].to_numpy(), frame["pnr"].to_numpy(), np.array([0, 0, -1, -1.0]))
    estimate, low, high = som._regression(frame, adjusted=False)
    assert estimate == pytest.approx(by_hand) and expected[0] == pytest.approx(by_hand)
    assert (low, high) == pytest.approx(expected[1:]) and low < estimate < high


def test_adjusted_estimate_and_interval_against_an_independent_computation():
    frame = som.comparable_years(regression_case())
    k1, k2 = (frame["k"] == 1).astype(float), (frame["k"] == 2).astype(float)
    male = (frame["koen"] == "M").astype(float)  # the other covariates have one level: no columns
    design = np.column_stack([k1, k2, male, k1 * frame["succes"], k2 * frame["succes"]])
    expected = cluster_robust(design, frame["kr"].to_numpy(), frame["pnr"].to_numpy(), np.array([0, 0, 0, -1, -1.0]))
    assert som._regression(frame, adjusted=True) == pytest.approx(expected)


def test_an_effect_the_design_cannot_separate_gives_no_estimate():
    frame = som.comparable_years(regression_case())
    confounded = frame.assign(koen=np.where(frame["succes"] == 1, "M", "K"))  # sex = success
    assert all(np.isnan(som._regression(confounded, adjusted=True)))
    assert not np.isnan(som._regression(confounded, adjusted=False)[0])


def test_no_interval_without_more_observations_than_parameters():
    frame = regression_case().query("k == 1 and pnr in (1, 5)").assign(kr=[100.0, 300.0])
    estimate, low, high = som._regression(frame, adjusted=False)
    assert estimate == pytest.approx(200.0) and np.isnan(low) and np.isnan(high)


def test_totals_lie_within_their_intervals_and_count_the_years_used(case):
    totals = som.totals(*case)
    assert totals["antal_opfoelgningsaar"].between(1, 4).all()
    with_interval = totals.dropna(subset=["ci_lav", "ci_hoej"])
    assert ((with_interval["ci_lav"] <= with_interval["kr_pr_borger_4aar"])
            & (with_interval["kr_pr_borger_4aar"] <= with_interval["ci_hoej"])).all()
    botilbud = totals.set_index(["scenarie", "metode"]).loc[("botilbud", "raa")]
    potentials = som.potentials(*case)
    assert botilbud["kr_pr_borger_4aar"] == potentials[potentials["scenarie"] == "botilbud"]["kr_pr_borger"].sum()


def test_four_year_totals_hide_a_total_with_a_hidden_year():
    table = pd.DataFrame({"scenarie": "botilbud", "betaler": ["kommune"] * 4 + ["stat"] * 4,
                          "opfoelgningsaar": [1, 2, 3, 4] * 2,
                          "kr_pr_borger": [100.0, 200.0, 300.0, 400.0, 10.0, None, 30.0, 40.0]})
    totals = som.four_year_totals(table, "betaler").set_index("betaler")["kr_pr_borger_4aar"]
    assert totals["kommune"] == 1000.0 and pd.isna(totals["stat"])  # else the hidden year is the total minus the rest


def test_one_rounding_for_the_same_number_in_every_table(case):
    """The sensitivity table's basis is the four-year total of som_potentiale_samlet, rounded once."""
    totals = som.totals(*case).set_index(["scenarie", "metode"])["kr_pr_borger_4aar"]
    basis = som.sensitivity(*case).set_index(["scenarie", "variant"])["kr_pr_borger_4aar"]
    for scenario in som.SCENARIOS:
        assert basis[(scenario, "basis")] == totals[(scenario, "raa")]
    unrounded = som._split(*case, "hovedomraade")
    assert (som.potentials(*case)["kr_pr_borger"].dropna() == unrounded["kr_pr_borger"].dropna().map(
        lambda v: float(half_away(v)))).all()



def test_a_total_with_a_year_below_the_threshold_is_hidden(case):
    """The four-year total minus the published years would reveal a hidden year (the 0.5.0
    leak: -45,468 kr read off against the true -45,470), so such a total is hidden too."""
    from analysis.disclosure import suppress
    extract, params = case
    assert som.totals(extract, params)["n_mindste_aar"].tolist() == [1, 1, 1, 1]  # one person per group here
    shown, _ = suppress(som.totals(extract, params), som.TOTAL_RULES, 3)
    assert shown["kr_pr_borger_4aar"].isna().all() and "n_mindste_aar" not in shown
    wide = som.totals(extract, params).assign(n_succes=50, n_ikke_succes=50, n_mindste_aar=[3, 3, 9, 9])
    shown, _ = suppress(wide, som.TOTAL_RULES, 5)
    expected = (wide["n_mindste_aar"] < 5) | wide["kr_pr_borger_4aar"].isna()  # hidden, or not estimable
    assert shown["kr_pr_borger_4aar"].isna().tolist() == expected.tolist() and not expected.all()
