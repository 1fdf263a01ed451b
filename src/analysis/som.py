"""SØM budget-economic potentials (METHODS.md §3): employment/education and leaving a botilbud.

Each scenario compares a success group with a non-success group. A person's reference year
t is drawn reproducibly among the eligible years; success is measured in t+1 and costs are
followed in t+1+k for k = 1…4. Years after the data, or without residence, are missing.
"""
import hashlib

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from .contract import Extract
from .disclosure import Rules
from .params import FOLLOW_UP_YEARS, Params
from .prices import PAYERS, load_prices, service_days
from .profile import BOTILBUD
from .rounding import half_away, half_away_all
from .targetgroup import members

SCENARIOS = ("beskaeftigelse", "botilbud")
FOLLOW_UP = tuple(range(1, FOLLOW_UP_YEARS + 1))  # k: costs in t+1+k
SUCCESS_STATUSES = ("beskaeftiget", "uddannelse", "barsel")
FINANCE_MINISTRY_RATE = 0.035
SENSITIVITY = 0.20
COVARIATES = "C(koen) + C(aldersgruppe) + C(undergruppe) + C(referenceaar)"
CATEGORICAL = ("k", "koen", "aldersgruppe", "undergruppe", "referenceaar")


def reference_year(candidates: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per pnr: the eligible year whose SHA-256 of "{seed}:{pnr}:{year}" is smallest."""
    digest = [hashlib.sha256(f"{seed}:{pnr}:{year}".encode("utf-8")).hexdigest()
              for pnr, year in zip(candidates["pnr"], candidates["aar"])]
    ranked = candidates.assign(_digest=digest).sort_values(["pnr", "_digest"])
    return ranked.drop_duplicates("pnr").drop(columns="_digest").reset_index(drop=True)


def _of(table: pd.DataFrame, persons: pd.Series) -> pd.DataFrame:
    """The rows of `table` about the given persons (keeps national-scale tables out of joins)."""
    return table[table["pnr"].isin(persons.unique())]


def _about_members(extract: Extract, name: str) -> pd.DataFrame:
    """The rows of an extract table (or of the service days) about persons ever in the target
    group, from whom every cohort is drawn: the national tables are scanned once per run."""
    def compute() -> pd.DataFrame:
        table = service_days(extract) if name == "service_days" else getattr(extract, name)
        return _of(table, members(extract)["pnr"])
    return extract.memo(("about_members", name), compute)


def _has(extract: Extract, services) -> pd.DataFrame:
    services_received = _about_members(extract, "ydelser")
    rows = services_received[services_received["ydelse"].isin(services)]
    return rows[["pnr", "aar"]].drop_duplicates()


def _pairs(frame: pd.DataFrame, pairs: pd.DataFrame, shift: int = 0) -> pd.Series:
    """Mask: (pnr, aar + shift) of `frame` is among the (pnr, aar) `pairs`."""
    keys = pd.MultiIndex.from_frame(pairs[["pnr", "aar"]])
    return pd.Series(pd.MultiIndex.from_arrays([frame["pnr"], frame["aar"] + shift]).isin(keys), index=frame.index)


def cohort(extract: Extract, params: Params, scenario: str) -> pd.DataFrame:
    """Eligible persons with reference year, success and covariates:
    pnr, referenceaar, succes (0/1), koen, aldersgruppe, undergruppe."""
    first, last = params.som_referenceaar
    group = members(extract)
    group = group[group["aar"].between(first, last)]
    residents, forbrug = (_of(_about_members(extract, name), group["pnr"]) for name in ("bopael", "forbrug"))
    group = group[_pairs(group, residents, shift=1)]
    if scenario == "beskaeftigelse":
        eligible = _pairs(group, _has(extract, ["sel85"]))
        no_pension = forbrug.loc[forbrug["foertidspension_uger"] == 0, ["pnr", "aar"]]
        group = group[eligible & _pairs(group, no_pension)]
    else:
        group = group[_pairs(group, _has(extract, BOTILBUD))]
    chosen = reference_year(group[["pnr", "aar"]], params.seed).merge(group, on=["pnr", "aar"])
    if scenario == "beskaeftigelse":
        succeeded = forbrug.loc[forbrug["status_uge48"].isin(SUCCESS_STATUSES), ["pnr", "aar"]]
        chosen["succes"] = _pairs(chosen, succeeded, shift=1).astype(int)
    else:
        chosen["succes"] = (~_pairs(chosen, _has(extract, BOTILBUD), shift=1)).astype(int)
    ages = residents[["pnr", "aar", "alder"]]
    sexes = _of(extract.stamdata, chosen["pnr"])[["pnr", "koen"]]
    chosen = chosen.merge(ages, on=["pnr", "aar"]).merge(sexes, on="pnr")  # the flags travel with their rows
    return pd.DataFrame({
        "pnr": chosen["pnr"], "referenceaar": chosen["aar"], "succes": chosen["succes"],
        "koen": chosen["koen"].astype(str),
        "aldersgruppe": pd.cut(chosen["alder"], [17, 29, 49, 66, 200], labels=["18-29", "30-49", "50-66", "67+"]).astype(str),
        "undergruppe": np.select([chosen["kognitiv"] & chosen["sindslidelse"], chosen["kognitiv"]],
                                 ["begge", "kognitiv"], "sindslidelse"),
    })


def person_year_costs(extract: Extract, params: Params, person_years: pd.DataFrame) -> pd.DataFrame:
    """Long costs of the given person-years (pnr, aar and any further columns of `person_years`,
    carried along): one row per item and payer with hovedomraade, betaler, kr."""
    prices = load_prices(params.enhedspriser).set_index("post")
    persons = person_years["pnr"]
    forbrug = _of(_about_members(extract, "forbrug"), persons).merge(person_years, on=["pnr", "aar"])
    carried = list(person_years.columns)
    volumes = forbrug.melt(id_vars=carried, value_vars=[p for p in prices.index if p in forbrug],
                           var_name="post", value_name="maengde")
    days = _of(_about_members(extract, "service_days"), persons).merge(person_years, on=["pnr", "aar"])
    days = days.rename(columns={"ydelse": "post", "dage": "maengde"})
    days["post"] = days["post"].astype("string")
    items = pd.concat([volumes, days[days["post"].isin(prices.index)]], ignore_index=True)
    row = pd.Categorical(items["post"], categories=prices.index).codes  # each item's row in the price file

    def price(column: str) -> np.ndarray:
        return prices[column].to_numpy()[row]
    items["kr"] = items["maengde"].astype(float).to_numpy() * price("kr")
    items["hovedomraade"] = price("hovedomraade")
    frames = [items.assign(betaler=payer, kr=items["kr"] * price(f"andel_{payer}")) for payer in PAYERS]
    return pd.concat(frames, ignore_index=True)[[*carried, "hovedomraade", "betaler", "kr"]]


def follow_up(extract: Extract, params: Params, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cohort and its costs in each follow-up year: pnr, k, hovedomraade, betaler, kr
    (discounted to the success year), for persons resident in t+1+k within the data."""
    people = cohort(extract, params, scenario)
    last_year = int(extract.bopael["aar"].max())
    years = pd.concat([people.assign(k=k, aar=people["referenceaar"] + 1 + k) for k in FOLLOW_UP])
    years = years[(years["aar"] <= last_year) & _pairs(years, _of(_about_members(extract, "bopael"), people["pnr"]))]
    costs = person_year_costs(extract, params, years[["pnr", "aar", "k"]])
    costs["kr"] = costs["kr"] / (1 + params.diskonteringsrente) ** costs["k"]
    return people, years[["pnr", "k"]].merge(costs.drop(columns="aar"), on=["pnr", "k"], how="left")


def _per_person(people: pd.DataFrame, costs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Cost per person present in each follow-up year, summed over `by` (absent items count 0)."""
    present = costs[["pnr", "k"]].drop_duplicates()
    totals = costs.dropna(subset=["kr"]).groupby(["pnr", "k", *by], as_index=False)["kr"].sum()
    if by:
        levels = totals[by].drop_duplicates()
        present = present.merge(levels, how="cross")
    frame = present.merge(totals, on=["pnr", "k", *by], how="left").fillna({"kr": 0.0})
    return frame.merge(people[["pnr", "succes"]], on="pnr")


def _differences(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean non-success minus mean success per k and `by` (unrounded: rounded once, where
    shown), with the group sizes."""
    stats = frame.groupby(["k", *by, "succes"])["kr"].agg(["mean", "size"]).unstack("succes")
    stats = stats.reindex(columns=pd.MultiIndex.from_product([["mean", "size"], [0, 1]]))
    return pd.DataFrame({"kr_pr_borger": stats[("mean", 0)] - stats[("mean", 1)],
                         "n_succes": stats[("size", 1)].fillna(0).astype(int),
                         "n_ikke_succes": stats[("size", 0)].fillna(0).astype(int)}).reset_index()


def _key(params: Params) -> tuple:
    """The parameters SØM results depend on."""
    return str(params.enhedspriser), params.diskonteringsrente, params.seed, tuple(params.som_referenceaar)


def _followed(extract: Extract, params: Params, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return extract.memo(("som", scenario, *_key(params)), lambda: follow_up(extract, params, scenario))


def _by(costs: pd.DataFrame, column: str) -> pd.DataFrame:
    return costs.groupby(["pnr", "k", column], as_index=False, dropna=False)["kr"].sum(min_count=1)


def _split(extract: Extract, params: Params, column: str) -> pd.DataFrame:
    """Raw potentials by scenario, `column` and follow-up year, unrounded (computed once per run)."""
    return extract.memo(("som_split", column, *_key(params)), lambda: _compute_split(extract, params, column))


def _compute_split(extract: Extract, params: Params, column: str) -> pd.DataFrame:
    frames = []
    for scenario in SCENARIOS:
        people, costs = _followed(extract, params, scenario)
        table = _differences(_per_person(people, _by(costs, column), [column]), [column])
        frames.append(table.assign(scenarie=scenario))
    table = pd.concat(frames, ignore_index=True).rename(columns={"k": "opfoelgningsaar"})
    return table[["scenarie", column, "opfoelgningsaar", "kr_pr_borger", "n_succes", "n_ikke_succes"]]


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(kr_pr_borger=half_away_all(table["kr_pr_borger"], 0))


def potentials(extract: Extract, params: Params) -> pd.DataFrame:
    """som_potentiale: the raw potential per person by scenario, main area and follow-up year."""
    return _rounded(_split(extract, params, "hovedomraade"))


def payer_potentials(extract: Extract, params: Params) -> pd.DataFrame:
    """som_potentiale_betaler: the raw potential per person by scenario, payer and follow-up year."""
    return _rounded(_split(extract, params, "betaler"))


def four_year_totals(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Four-year potential per scenario and `by` (e.g. betaler) from a disclosed per-year table:
    the sum over the follow-up years, hidden when any of its years is hidden."""
    totals = table.groupby(["scenarie", by], sort=False)["kr_pr_borger"].agg(
        lambda years: years.sum() if years.notna().all() else pd.NA)
    return totals.rename("kr_pr_borger_4aar").reset_index()


POTENTIAL_RULES = Rules(("n_succes", "n_ikke_succes"), follows=("kr_pr_borger",),
                        private=("n_succes", "n_ikke_succes"))


def _estimable(exog: np.ndarray, contrast: np.ndarray) -> bool:
    """Whether the linear combination `contrast` of the parameters is the same for every
    least-squares solution (it lies in the row space of the design)."""
    return bool(np.allclose(contrast @ np.linalg.pinv(exog) @ exog, contrast, atol=1e-8))


def _regression(frame: pd.DataFrame, adjusted: bool) -> tuple[float, float, float]:
    """Four-year potential (sum over k of non-success minus success) with a 95 % interval from
    OLS with a success effect per follow-up year, errors clustered by person (CR1, normal
    quantiles). NaN where the design does not determine it; no interval without residual
    degrees of freedom."""
    formula = "kr ~ C(k) + C(k):succes" + (f" + {COVARIATES}" if adjusted else "")
    # Categoricals with sorted levels: the same design as patsy builds from plain values, much faster.
    levels = {c: pd.Categorical(frame[c], categories=sorted(frame[c].unique())) for c in CATEGORICAL}
    model = smf.ols(formula, data=frame.assign(**levels))
    contrast = np.array([-1.0 if name.endswith(":succes") else 0.0 for name in model.exog_names])
    if not _estimable(model.exog, contrast):
        return (float("nan"),) * 3
    if model.exog.shape[0] <= model.exog.shape[1]:  # no more observations than parameters
        return float(contrast @ model.fit().params.to_numpy()), float("nan"), float("nan")
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["pnr"])[0]}, use_t=False)
    low, high = np.asarray(fit.t_test(contrast).conf_int(alpha=0.05)).ravel()
    return float(contrast @ fit.params.to_numpy()), float(low), float(high)


def comparable_years(frame: pd.DataFrame) -> pd.DataFrame:
    """The person-years of the follow-up years in which both the success and the non-success
    group are present: only there is a difference defined (the others are left out)."""
    both = frame.groupby("k")["succes"].nunique() == 2
    return frame[frame["k"].isin(both.index[both])]


def totals(extract: Extract, params: Params) -> pd.DataFrame:
    """som_potentiale_samlet: four-year potential per scenario, raw and regression-adjusted,
    over the follow-up years in which both groups are present (antal_opfoelgningsaar), for
    the reference years referenceaar_fra–referenceaar_til; n_mindste_aar is the smallest
    group of any of those years."""
    rows = []
    for scenario in SCENARIOS:
        people, costs = _followed(extract, params, scenario)
        frame = comparable_years(_per_person(people, costs, []).merge(people.drop(columns="succes"), on="pnr"))
        sizes = people["succes"].value_counts()
        years = frame["k"].nunique()
        per_year = frame.groupby(["k", "succes"])["pnr"].nunique()
        smallest_year = int(per_year.min()) if years else 0
        for method, adjusted in (("raa", False), ("justeret", True)):
            estimate, low, high = _regression(frame, adjusted) if years else (np.nan,) * 3
            if not adjusted and years:  # the raw potential is the sum of the yearly differences, exactly
                estimate = float(_differences(frame, [])["kr_pr_borger"].sum())
            rows.append((scenario, method, *(None if np.isnan(v) else half_away(v) for v in (estimate, low, high)),
                         int(sizes.get(1, 0)), int(sizes.get(0, 0)), smallest_year, years, *params.som_referenceaar))
    return pd.DataFrame(rows, columns=["scenarie", "metode", "kr_pr_borger_4aar", "ci_lav", "ci_hoej",
                                       "n_succes", "n_ikke_succes", "n_mindste_aar", "antal_opfoelgningsaar",
                                       "referenceaar_fra", "referenceaar_til"])


# n_mindste_aar, the smallest group in any follow-up year used, hides a total with a hidden
# year of som_potentiale: the total minus the published years would reveal that year.
TOTAL_RULES = Rules(("n_succes", "n_ikke_succes", "n_mindste_aar"), follows=("kr_pr_borger_4aar", "ci_lav", "ci_hoej"),
                    private=("n_mindste_aar",))


def sensitivity(extract: Extract, params: Params) -> pd.DataFrame:
    """som_foelsomhed: the raw four-year potential with each main area's prices 20 % higher or
    lower, and discounted at the Finance Ministry's 3.5 % (potentials are linear in prices)."""
    table = _split(extract, params, "hovedomraade")  # rounded once, at the end: basis = som_potentiale_samlet
    rows = []
    for scenario, part in table.groupby("scenarie", sort=False):
        n = (int(part["n_succes"].min()), int(part["n_ikke_succes"].min()))
        base = part["kr_pr_borger"].sum()
        rows.append((scenario, "basis", base, *n))
        for area, by_area in part.groupby("hovedomraade"):
            change = SENSITIVITY * by_area["kr_pr_borger"].sum()
            rows += [(scenario, f"{area} +20 %", base + change, *n), (scenario, f"{area} -20 %", base - change, *n)]
        factor = ((1 + params.diskonteringsrente) / (1 + FINANCE_MINISTRY_RATE)) ** part["opfoelgningsaar"]
        rows.append((scenario, "diskonteret 3,5 %", (part["kr_pr_borger"] * factor).sum(), *n))
    result = pd.DataFrame(rows, columns=["scenarie", "variant", "kr_pr_borger_4aar", "n_succes", "n_ikke_succes"])
    return result.assign(kr_pr_borger_4aar=result["kr_pr_borger_4aar"].pipe(half_away_all, 0))


SENSITIVITY_RULES = Rules(("n_succes", "n_ikke_succes"), follows=("kr_pr_borger_4aar",),
                          private=("n_succes", "n_ikke_succes"))


def budget_effect(per_year: pd.Series, successes_per_year: int) -> pd.Series:
    """Budget effect in years 1-4 of `successes_per_year` extra successes each year, given the
    potential per person in follow-up years 1-4 (`per_year`, indexed by k)."""
    return pd.Series({year: successes_per_year * sum(per_year.get(year - start + 1, 0.0) for start in range(1, year + 1))
                      for year in FOLLOW_UP})


def scenario_calculator(extract: Extract, params: Params) -> pd.DataFrame:
    """som_scenarie: the budget effect per year and payer of the parameter `ekstra_succeser`."""
    table = _split(extract, params, "betaler")
    rows = []
    for (scenario, payer), part in table.groupby(["scenarie", "betaler"], sort=False):
        effect = budget_effect(part.set_index("opfoelgningsaar")["kr_pr_borger"], params.ekstra_succeser[scenario])
        n = (int(part["n_succes"].min()), int(part["n_ikke_succes"].min()))
        rows += [(scenario, params.ekstra_succeser[scenario], year, payer, None if np.isnan(kr) else half_away(kr), *n)
                 for year, kr in effect.items()]
    return pd.DataFrame(rows, columns=["scenarie", "ekstra_succeser", "aar", "betaler", "kr", "n_succes",
                                       "n_ikke_succes"])


SCENARIO_RULES = Rules(("n_succes", "n_ikke_succes"), follows=("kr",), private=("n_succes", "n_ikke_succes"))
