"""SØM (METHODS.md §3): cohorts, consequence estimates and the potentials priced from them, on
a hand-built extract worked out by hand and against an independent computation."""
import hashlib

import numpy as np
import patsy
import pandas as pd
import scipy.stats
import pytest

from analysis import consequences, som
from analysis.consequences import design, item_estimates
from analysis.rounding import half_away
from analysis.contract import load_extract
from analysis.params import Params, ParamsError
from analysis.synth import write_synthetic
from extracts import FORBRUG_ZERO, write_extract
import som_reference

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


def priced(function, extract, params):
    """A book's SØM table priced from the extract's unprotected consequence estimates."""
    return function(consequences.estimates(extract, params), params)


def test_reference_year_is_the_smallest_hash():
    candidates = pd.DataFrame({"pnr": [7, 7, 7, 8], "aar": [2017, 2018, 2019, 2020]})
    digests = {y: hashlib.sha256(f"2024:7:{y}".encode()).hexdigest() for y in (2017, 2018, 2019)}
    chosen = consequences.reference_year(candidates, 2024).set_index("pnr")["aar"]
    assert chosen[7] == min(digests, key=digests.get) and chosen[8] == 2020


@pytest.mark.parametrize("text_keys", [False, True])
def test_reference_years_follow_the_definition_person_by_person(text_keys):
    """Random candidates (integer or text person keys): each person's year is the one with the
    smallest hash, worked out per person from the definition; one row per person, in key order."""
    rng = np.random.default_rng(5)
    candidates = pd.DataFrame({"pnr": rng.integers(1, 200, 800), "aar": rng.integers(2010, 2025, 800)}).drop_duplicates()
    if text_keys:
        candidates["pnr"] = candidates["pnr"].map("{:010d}".format).astype("string")
    expected = {}
    for pnr, year in zip(candidates["pnr"], candidates["aar"]):
        digest = hashlib.sha256(f"9:{pnr}:{year}".encode()).hexdigest()
        expected[pnr] = min(expected.get(pnr, (digest, year)), (digest, year))
    chosen = consequences.reference_year(candidates, 9)
    assert chosen["pnr"].tolist() == sorted(expected)
    assert chosen["aar"].tolist() == [expected[pnr][1] for pnr in sorted(expected)]


def test_cohorts(case):
    botilbud = consequences.cohort(*case, "botilbud").set_index("pnr")
    assert sorted(botilbud.index) == [1, 2, 3]
    assert botilbud.loc[1, ["referenceaar", "succes"]].tolist() == [2018, 1]  # 2017: still on § 108 in 2018
    assert botilbud.loc[2, "succes"] == 0
    digests = {y: hashlib.sha256(f"2024:3:{y}".encode()).hexdigest() for y in (2017, 2018)}
    assert botilbud.loc[3, "referenceaar"] == min(digests, key=digests.get)
    employment = consequences.cohort(*case, "beskaeftigelse").set_index("pnr")
    assert employment["succes"].to_dict() == {4: 1, 5: 0}  # P6 on førtidspension is not eligible


def test_success_flags_travel_with_their_person(case):
    """A cohort member dropped on the way (here: no stamdata row, which validation now refuses
    anyway) must not shift the success flags of the members after it."""
    extract, params = case
    full = consequences.cohort(extract, params, "botilbud").set_index("pnr")["succes"].to_dict()
    assert full[1] == 1 and full[2] == 0
    extract.stamdata = extract.stamdata[extract.stamdata["pnr"] != 1].reset_index(drop=True)
    extract.derived.clear()
    without_first = consequences.cohort(extract, params, "botilbud").set_index("pnr")["succes"].to_dict()
    assert without_first == {2: full[2], 3: full[3]}


def test_botilbud_potential_by_hand(case):
    extract, params = case
    params = Params(enhedspriser=params.enhedspriser, som_referenceaar=[2018, 2018])  # P1, P2 only (P3: 2018 too)
    table = priced(som.potentials, extract, params)
    botilbud = table[table["scenarie"] == "botilbud"].set_index(["opfoelgningsaar", "hovedomraade"])["kr_pr_borger"]
    # Reference year 2018; follow-up years 2020-2022 (k = 1-3); 2023 is after the data: missing, not zero.
    assert sorted(set(botilbud.dropna().index.get_level_values(0))) == [1, 2, 3] and botilbud.loc[4].isna().all()
    # Non-success: P2 (365 days of § 108) and P3 (nothing after § 107 ends... P3 left in 2019: success).
    people = consequences.cohort(extract, params, "botilbud").set_index("pnr")["succes"].to_dict()
    assert people == {1: 1, 2: 0, 3: 1}
    # k = 1: non-success mean Botilbud 365,000; success mean (P1 0, P3 0) = 0 -> 365,000.
    assert botilbud[(1, "Botilbud")] == 365_000
    # Øvrige sociale indsatser: non-success 0; success (P1 36,500 + P3 0) / 2 = 18,250 -> -18,250.
    assert botilbud[(1, "Øvrige sociale indsatser")] == -18_250


def test_service_under_two_reasons_counts_once(case):
    extract, params = case
    people, years = consequences.follow_up(extract, Params(som_referenceaar=[2018, 2018]), "botilbud")
    p2 = years[years["pnr"] == 2].set_index("k")
    assert p2.loc[1, "sel108"] == 365  # 2020: 365 and 200 days under two reasons are one service
    assert p2.loc[1, "sel85"] == 0 and (p2.loc[1, list(consequences.POSTS)] >= 0).all()


def test_employment_potential_and_payers_by_hand(case):
    extract, params = case
    table = priced(som.potentials, extract, params)
    employment = table[table["scenarie"] == "beskaeftigelse"].set_index(["opfoelgningsaar", "hovedomraade"])
    # Reference 2019, success measured 2020, follow-up 2021 and 2022 (k = 1, 2).
    assert employment.loc[(1, "Indkomstoverførsler"), "kr_pr_borger"] == 52_000
    assert employment.loc[(2, "Indkomstoverførsler"), "kr_pr_borger"] == 52_000
    payers = priced(som.payer_potentials, extract, params)
    payers = payers[payers["scenarie"] == "beskaeftigelse"].set_index(["opfoelgningsaar", "betaler"])["kr_pr_borger"]
    assert (payers[(1, "kommune")], payers[(1, "stat")], payers[(1, "region")]) == (41_600, 10_400, 0)


def test_four_year_total_is_the_sum_over_follow_up_years(case):
    extract, params = case
    totals = priced(som.totals, extract, params).set_index(["scenarie", "metode"])
    assert totals.loc[("beskaeftigelse", "raa"), "kr_pr_borger_4aar"] == 104_000
    assert totals.loc[("beskaeftigelse", "raa"), ["n_succes", "n_ikke_succes"]].tolist() == [1, 1]


def test_discounting(case):
    extract, params = case
    discounted = Params(enhedspriser=params.enhedspriser, diskonteringsrente=0.1)
    table = priced(som.potentials, extract, discounted)
    employment = table[table["scenarie"] == "beskaeftigelse"].set_index(["opfoelgningsaar", "hovedomraade"])
    assert employment.loc[(1, "Indkomstoverførsler"), "kr_pr_borger"] == round(52_000 / 1.1)
    assert employment.loc[(2, "Indkomstoverførsler"), "kr_pr_borger"] == round(52_000 / 1.1 ** 2)


def test_doubling_prices_doubles_every_potential(case, tmp_path):
    extract, params = case
    prices = pd.read_csv(params.enhedspriser)
    prices["kr"] *= 2
    prices.to_csv(tmp_path / "dobbelt.csv", index=False)
    single = priced(som.potentials, extract, params)["kr_pr_borger"]
    double = priced(som.potentials, extract, Params(enhedspriser=tmp_path / "dobbelt.csv"))["kr_pr_borger"]
    assert (((double - 2 * single).abs() <= 1) | (double.isna() & single.isna())).all()


def test_one_main_area_takes_everything(case, tmp_path):
    extract, params = case
    prices = pd.read_csv(params.enhedspriser).assign(hovedomraade="Sundhed")
    prices.to_csv(tmp_path / "sundhed.csv", index=False)
    table = priced(som.potentials, extract, Params(enhedspriser=tmp_path / "sundhed.csv"))
    assert set(table["hovedomraade"]) == {"Sundhed"}
    assert table.groupby("scenarie")["kr_pr_borger"].sum().to_dict() == \
        priced(som.potentials, extract, params).groupby("scenarie")["kr_pr_borger"].sum().to_dict()


def test_swapping_success_labels_flips_signs():
    frame = regression_case().query("k == 1").assign(kr=[100.0, 40.0, 10.0, 10.0, 5.0, 5.0, 5.0, 5.0])
    straight = item_estimates(*design(frame, "raa"), frame[["kr"]].to_numpy(), frame["pnr"].to_numpy())[0]
    swapped = frame.assign(succes=1 - frame["succes"])
    flipped = item_estimates(*design(swapped, "raa"), swapped[["kr"]].to_numpy(), swapped["pnr"].to_numpy())[0]
    assert straight[0] == pytest.approx(5.0 - 40.0) and flipped[0] == pytest.approx(-straight[0])


def test_budget_effect_accumulates_cohorts():
    effect = som.budget_effect(pd.Series({1: 100.0, 2: 50.0, 3: 20.0, 4: 10.0}), 2)
    assert effect.tolist() == [200.0, 300.0, 340.0, 360.0]


def test_sensitivity_by_hand(case):
    extract, params = case
    table = priced(som.sensitivity, extract, params).set_index(["scenarie", "variant"])["kr_pr_borger_4aar"]
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


def regression(frame: pd.DataFrame, method: str) -> tuple[float, float, float]:
    """The four-year difference of the outcome `kr` and its 95 % interval, as the package forms it."""
    estimate, covariance = item_estimates(*design(frame, method), frame[["kr"]].to_numpy(), frame["pnr"].to_numpy())
    half = scipy.stats.norm.ppf(0.975) * np.sqrt(covariance[0, 0])
    return estimate[0], estimate[0] - half, estimate[0] + half


def test_follow_up_years_without_both_groups_are_left_out():
    frame = regression_case()
    kept = consequences.comparable_years(frame)
    assert sorted(kept["k"].unique()) == [1, 2] and len(kept) == len(frame) - 4


def test_raw_estimate_and_interval_against_an_independent_computation():
    frame = consequences.comparable_years(regression_case())
    means = frame.groupby(["k", "succes"])["kr"].mean()
    by_hand = sum(means[(k, 0)] - means[(k, 1)] for k in (1, 2))
    k1, k2 = (frame["k"] == 1).astype(float), (frame["k"] == 2).astype(float)
    design = np.column_stack([k1, k2, k1 * frame["succes"], k2 * frame["succes"]])
    expected = cluster_robust(design, frame["kr"].to_numpy(), frame["pnr"].to_numpy(), np.array([0, 0, -1, -1.0]))
    estimate, low, high = regression(frame, "raa")
    assert estimate == pytest.approx(by_hand) and expected[0] == pytest.approx(by_hand)
    assert (low, high) == pytest.approx(expected[1:]) and low < estimate < high


def test_adjusted_estimate_and_interval_against_an_independent_computation():
    frame = consequences.comparable_years(regression_case())
    k1, k2 = (frame["k"] == 1).astype(float), (frame["k"] == 2).astype(float)
    male = (frame["koen"] == "M").astype(float)  # the other covariates have one level: no columns
    design = np.column_stack([k1, k2, male, k1 * frame["succes"], k2 * frame["succes"]])
    expected = cluster_robust(design, frame["kr"].to_numpy(), frame["pnr"].to_numpy(), np.array([0, 0, 0, -1, -1.0]))
    assert regression(frame, "justeret") == pytest.approx(expected)


def test_an_effect_the_design_cannot_separate_gives_no_estimate():
    frame = consequences.comparable_years(regression_case())
    confounded = frame.assign(koen=np.where(frame["succes"] == 1, "M", "K"))  # sex = success
    assert all(np.isnan(regression(confounded, "justeret")))
    assert not np.isnan(regression(confounded, "raa")[0])


def test_no_interval_without_more_observations_than_parameters():
    frame = regression_case().query("k == 1 and pnr in (1, 5)").assign(kr=[100.0, 300.0])
    estimate, low, high = regression(frame, "raa")
    assert estimate == pytest.approx(200.0) and np.isnan(low) and np.isnan(high)


def test_totals_lie_within_their_intervals_and_count_the_years_used(case):
    totals = priced(som.totals, *case)
    assert totals["antal_opfoelgningsaar"].between(1, 4).all()
    with_interval = totals.dropna(subset=["ci_lav", "ci_hoej"])
    assert ((with_interval["ci_lav"] <= with_interval["kr_pr_borger_4aar"])
            & (with_interval["kr_pr_borger_4aar"] <= with_interval["ci_hoej"])).all()
    botilbud = totals.set_index(["scenarie", "metode"]).loc[("botilbud", "raa")]
    potentials = priced(som.potentials, *case)
    assert botilbud["kr_pr_borger_4aar"] == potentials[potentials["scenarie"] == "botilbud"]["kr_pr_borger"].sum()


def test_four_year_totals_hide_a_total_with_a_hidden_year():
    table = pd.DataFrame({"scenarie": "botilbud", "betaler": ["kommune"] * 4 + ["stat"] * 4,
                          "opfoelgningsaar": [1, 2, 3, 4] * 2,
                          "kr_pr_borger": [100.0, 200.0, 300.0, 400.0, 10.0, None, 30.0, 40.0]})
    totals = som.four_year_totals(table, "betaler").set_index("betaler")["kr_pr_borger_4aar"]
    assert totals["kommune"] == 1000.0 and pd.isna(totals["stat"])  # else the hidden year is the total minus the rest


def test_one_rounding_for_the_same_number_in_every_table(case):
    """The sensitivity table's basis is the four-year total of som_potentiale_samlet, rounded once."""
    totals = priced(som.totals, *case).set_index(["scenarie", "metode"])["kr_pr_borger_4aar"]
    basis = priced(som.sensitivity, *case).set_index(["scenarie", "variant"])["kr_pr_borger_4aar"]
    for scenario in som.SCENARIOS:
        assert basis[(scenario, "basis")] == totals[(scenario, "raa")]
    unrounded = som._split(consequences.estimates(*case), case[1], "hovedomraade")
    assert (priced(som.potentials, *case)["kr_pr_borger"].dropna() == unrounded["kr_pr_borger"].dropna().map(
        lambda v: float(half_away(v)))).all()


def test_a_weighted_sum_of_item_estimates_is_the_regression_of_the_weighted_outcome():
    """OLS is linear in the outcome: Σ w·θ and wᵀΣw equal statsmodels' clustered fit of Σ w·item."""
    import statsmodels.formula.api as smf
    frame = consequences.comparable_years(regression_case())
    rng = np.random.default_rng(11)
    items = rng.integers(0, 50, size=(len(frame), 3)).astype(float)
    weight = np.array([120.0, 0.0, 2_500.0])
    for method, formula in (("raa", "kr ~ C(k) + C(k):succes"), ("justeret", "kr ~ C(k) + C(k):succes + C(koen)")):
        estimate, covariance = item_estimates(*design(frame, method), items, frame["pnr"].to_numpy())
        fit = smf.ols(formula, data=frame.assign(kr=items @ weight)).fit(
            cov_type="cluster", cov_kwds={"groups": frame["pnr"].to_numpy()}, use_t=False)
        contrast = np.array([-1.0 if name.endswith(":succes") else 0.0 for name in fit.model.exog_names])
        assert weight @ estimate == pytest.approx(contrast @ fit.params.to_numpy())
        assert weight @ covariance @ weight == pytest.approx(float(contrast @ fit.cov_params().to_numpy() @ contrast))


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """A small synthetic register: cohorts of a few hundred persons."""
    root = tmp_path_factory.mktemp("register")
    write_synthetic(root, scale=0.01, seed=7, progress=lambda _: None)
    return load_extract(root)


def price_file(tmp_path, name: str, change) -> Params:
    prices = change(pd.read_csv(Params().enhedspriser))
    prices.to_csv(tmp_path / f"{name}.csv", index=False)
    return Params(enhedspriser=tmp_path / f"{name}.csv")


@pytest.mark.parametrize("variant", ["standard", "dobbelt", "et_omraade", "diskonteret"])
def test_potentials_at_own_prices_equal_the_microdata_computation(register, tmp_path, variant):
    """The book's potentials from the consequence estimates, against costs priced person by
    person from the extract and fitted by statsmodels: within 1 kr for every potential and
    every interval bound, at the default prices, doubled prices, one main area, and 3.5 %."""
    params = {"standard": lambda: Params(),
              "dobbelt": lambda: price_file(tmp_path, "dobbelt", lambda p: p.assign(kr=2 * p["kr"])),
              "et_omraade": lambda: price_file(tmp_path, "sundhed", lambda p: p.assign(hovedomraade="Sundhed")),
              "diskonteret": lambda: Params(diskonteringsrente=0.035)}[variant]()
    estimates = consequences.estimates(register, params)
    reference = som_reference.priced_costs(register, params, params.diskonteringsrente)
    for table_id, function, by in (("som_potentiale", som.potentials, "hovedomraade"),
                                   ("som_potentiale_betaler", som.payer_potentials, "betaler")):
        table = function(estimates, params).set_index(["scenarie", by, "opfoelgningsaar"])["kr_pr_borger"]
        expected = pd.concat({s: som_reference.differences(*reference[s], by).swaplevel() for s in reference})
        assert len(expected) >= 2 * 4 and table.notna().all(), table_id  # every scenario, area and year
        assert (table.reindex(expected.index).astype(float) - expected).abs().max() <= 1, table_id
    totals = som.totals(estimates, params).set_index(["scenarie", "metode"])
    for scenario in reference:
        for method in ("raa", "justeret"):
            expected = som_reference.regression(*reference[scenario], adjusted=method == "justeret")
            shown = totals.loc[(scenario, method), ["kr_pr_borger_4aar", "ci_lav", "ci_hoej"]].astype(float)
            assert np.abs(shown.to_numpy() - np.array(expected)).max() <= 1, (scenario, method)
    sensitivity = som.sensitivity(estimates, params).set_index(["scenarie", "variant"])["kr_pr_borger_4aar"]
    for scenario in reference:
        raw = som_reference.differences(*reference[scenario], None).sum()
        assert abs(sensitivity[(scenario, "basis")] - raw) <= 1


def test_design_built_from_distinct_rows_equals_patsy_on_every_row():
    rng = np.random.default_rng(9)
    n = 500
    frame = pd.DataFrame({"pnr": rng.integers(1, 120, n), "k": rng.integers(1, 5, n), "succes": rng.integers(0, 2, n),
                          "koen": rng.choice(["K", "M"], n), "aldersgruppe": rng.choice(["18-29", "30-49", "67+"], n),
                          "undergruppe": rng.choice(["begge", "kognitiv", "sindslidelse"], n),
                          "referenceaar": rng.integers(2017, 2021, n)})
    for method, formula in consequences.METHODS.items():
        levels = {c: pd.Categorical(frame[c], categories=sorted(frame[c].unique())) for c in consequences.CATEGORICAL}
        expected = patsy.dmatrix(formula, frame.assign(**levels), return_type="matrix")
        matrix, contrast = design(frame, method)
        assert np.array_equal(matrix, np.asarray(expected))
        assert list(contrast) == [-1.0 if c.endswith(":succes") else 0.0 for c in expected.design_info.column_names]


def test_reading_only_the_cohorts_persons_and_years_changes_no_estimate(register, monkeypatch):
    """SØM reads the rows of the reference years' members from the first reference year to the
    last follow-up year; reading the whole tables instead gives the same cohorts and estimates."""
    params = Params(som_referenceaar=[2017, 2017])  # its last follow-up year, 2022, is the register's last
    assert register.activities.aligned  # forbrug's rows read at bopael's positions
    narrow = consequences.estimates(register, params)
    cohorts = {s: consequences.cohort(register, params, s) for s in consequences.SCENARIOS}
    whole = {"forbrug": register.forbrug, "service_days": consequences.service_days(register)}
    monkeypatch.setattr(consequences, "_about_cohorts",
                        lambda extract, params, name: whole.get(name, getattr(extract, name, None)))
    for scenario, people in cohorts.items():
        pd.testing.assert_frame_equal(people, consequences.cohort(register, params, scenario))
    for name, table in consequences.estimates(register, params).items():
        pd.testing.assert_frame_equal(narrow[name], table, obj=name)
