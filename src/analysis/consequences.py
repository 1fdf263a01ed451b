"""SØM's consequence estimates (konsekvensestimater, METHODS.md §3), where the microdata are.

Each scenario compares a success group with a non-success group. A person's reference year
t is drawn reproducibly among the eligible years; success is measured in t+1 and volumes are
followed in t+1+k for k = 1…4 (years after the data, or without residence, are missing).

For every cost item (`post`: a forbrug volume or a service's days) and follow-up year the
package holds the mean volume of each group, the raw difference (non-success minus success)
and the item's share of the regression-adjusted four-year difference, with the CR1
cluster-robust covariance of all items (each pair once: the matrix is symmetric). A potential
at any prices p and discount rate r is Σ p · (1+r)^-k · estimate, its variance wᵀ Σ w
(`som`): OLS is linear in the outcome.
"""
import numpy as np
import pandas as pd
import patsy
from scipy.sparse import coo_matrix

from . import rowkeys
from .contract import KEYS, Extract, contract_columns, duckdb_connection
from .params import FOLLOW_UP_YEARS, Params
from .prices import SERVICE_YEAR, UNITS, service_days
from .profile import BOTILBUD
from .targetgroup import members

SCENARIOS = ("beskaeftigelse", "botilbud")
FOLLOW_UP = tuple(range(1, FOLLOW_UP_YEARS + 1))  # k: volumes in t+1+k
POSTS = tuple(UNITS)  # every item a price file can price
SUCCESS_STATUSES = ("beskaeftiget", "uddannelse", "barsel")
COVARIATES = "C(koen) + C(aldersgruppe) + C(undergruppe) + C(referenceaar)"
CATEGORICAL = ("k", "koen", "aldersgruppe", "undergruppe", "referenceaar")
METHODS = {"raa": "C(k) + C(k):succes", "justeret": f"C(k) + C(k):succes + {COVARIATES}"}
GROUPS = {1: "succes", 0: "ikke_succes"}
ITEM_COLUMNS = ["scenarie", "post", "opfoelgningsaar", "n_succes", "n_ikke_succes", "gennemsnit_succes",
                "gennemsnit_ikke_succes", "forskel_raa", "forskel_justeret"]
COVARIANCE_COLUMNS = ["scenarie", "metode", "post_1", "opfoelgningsaar_1", "post_2", "opfoelgningsaar_2", "kovarians"]


def reference_year(candidates: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per pnr, in pnr order: the eligible year whose SHA-256 of "{seed}:{pnr}:{year}"
    (hexadecimal) is smallest, hashed by DuckDB on every core."""
    rows = candidates[["pnr", "aar"]].reset_index(drop=True).assign(row=np.arange(len(candidates)))
    with duckdb_connection() as connection:
        connection.register("candidates", rows)
        first = connection.execute("SELECT arg_min(row, sha256(concat(?, pnr, ':', aar))) AS row FROM candidates "
                                   "GROUP BY pnr ORDER BY pnr", [f"{seed}:"]).fetchnumpy()["row"]
    return candidates.iloc[first.astype(np.int64)].reset_index(drop=True)


def _of(table: pd.DataFrame, persons: pd.Series) -> pd.DataFrame:
    """The rows of `table` about the given persons (keeps national-scale tables out of joins)."""
    return table[rowkeys.covered(table, pd.DataFrame({"pnr": persons.unique()}), ["pnr"])]


def _scope(extract: Extract, params: Params) -> tuple[pd.Series, list[int]]:
    """What any cohort can draw on: the target group's persons of the reference years (pnr, with
    repeats) and the years from the first reference year to the last follow-up year (t … t+1+k)."""
    first, last = params.som_referenceaar
    group = members(extract)
    return group.loc[group["aar"].between(first, last), "pnr"], list(range(first, last + 2 + FOLLOW_UP_YEARS))


def _about_cohorts(extract: Extract, params: Params, name: str) -> pd.DataFrame:
    """The rows of an extract table (or of the service days) within the cohorts' scope. The
    national tables are scanned once per run."""
    def compute() -> pd.DataFrame:
        persons, years = _scope(extract, params)
        at = _resident_rows(extract, params) if name in ("bopael", "forbrug") else None
        if at is not None and name == "bopael":
            return extract.bopael.iloc[at]
        if at is not None and extract.activities.aligned:  # forbrug's rows are bopael's, at the same positions
            values = [c for c in contract_columns()["forbrug"] if c not in KEYS["forbrug"]]
            return pd.concat([extract.bopael.iloc[at][KEYS["forbrug"]].reset_index(drop=True),
                              extract.activities.read_at(at, values)], axis=1)
        if name == "forbrug":
            return extract.activities.read(years=years, persons=persons)
        rows = _of(service_days(extract) if name == "service_days" else getattr(extract, name), persons)
        return rows[rows["aar"].isin(years)] if "aar" in rows else rows
    return extract.memo(("about_cohorts", name, *params.som_referenceaar), compute)


def _resident_rows(extract: Extract, params: Params) -> np.ndarray | None:
    """The positions of bopael's rows within the cohorts' scope, found from its packed keys (its
    tens of millions of rows are not compared); None where the keys are not packed."""
    keys = extract.resident_keys()
    if keys is None:
        return None

    def compute() -> np.ndarray:
        persons, years = _scope(extract, params)
        at = np.flatnonzero(keys.having("pnr", persons.unique()))
        return at[np.isin(extract.bopael["aar"].to_numpy()[at], years)]
    return extract.memo(("resident_rows_about_cohorts", *params.som_referenceaar), compute)


def _has(extract: Extract, params: Params, services) -> pd.DataFrame:
    services_received = _about_cohorts(extract, params, "ydelser")
    rows = services_received[services_received["ydelse"].isin(services)]
    return rows[["pnr", "aar"]].drop_duplicates()


def _pairs(frame: pd.DataFrame, pairs: pd.DataFrame, shift: int = 0) -> pd.Series:
    """Mask: (pnr, aar + shift) of `frame` is among the (pnr, aar) `pairs`."""
    shifted = pd.DataFrame({"pnr": frame["pnr"], "aar": frame["aar"] + shift})
    return pd.Series(rowkeys.covered(shifted, pairs, ["pnr", "aar"]), index=frame.index)


def cohort(extract: Extract, params: Params, scenario: str) -> pd.DataFrame:
    """Eligible persons with reference year, success and covariates:
    pnr, referenceaar, succes (0/1), koen, aldersgruppe, undergruppe."""
    first, last = params.som_referenceaar
    group = members(extract)
    group = group[group["aar"].between(first, last)]
    residents, forbrug = (_about_cohorts(extract, params, name) for name in ("bopael", "forbrug"))  # the group's rows
    group = group[_pairs(group, residents, shift=1)]
    if scenario == "beskaeftigelse":
        eligible = _pairs(group, _has(extract, params, ["sel85"]))
        no_pension = forbrug.loc[forbrug["foertidspension_uger"] == 0, ["pnr", "aar"]]
        group = group[eligible & _pairs(group, no_pension)]
    else:
        group = group[_pairs(group, _has(extract, params, BOTILBUD))]
    chosen = reference_year(group[["pnr", "aar"]], params.seed).merge(group, on=["pnr", "aar"])
    if scenario == "beskaeftigelse":
        succeeded = forbrug.loc[forbrug["status_uge48"].isin(SUCCESS_STATUSES), ["pnr", "aar"]]
        chosen["succes"] = _pairs(chosen, succeeded, shift=1).astype(int)
    else:
        chosen["succes"] = (~_pairs(chosen, _has(extract, params, BOTILBUD), shift=1)).astype(int)
    ages = residents[["pnr", "aar", "alder"]]
    sexes = _of(_about_cohorts(extract, params, "stamdata"), chosen["pnr"])[["pnr", "koen"]]
    chosen = chosen.merge(ages, on=["pnr", "aar"]).merge(sexes, on="pnr")  # the flags travel with their rows
    return pd.DataFrame({
        "pnr": chosen["pnr"], "referenceaar": chosen["aar"], "succes": chosen["succes"],
        "koen": chosen["koen"].astype(str),
        "aldersgruppe": pd.cut(chosen["alder"], [17, 29, 49, 66, 200],
                               labels=["18-29", "30-49", "50-66", "67+"]).astype(str),
        "undergruppe": np.select([chosen["kognitiv"] & chosen["sindslidelse"], chosen["kognitiv"]],
                                 ["begge", "kognitiv"], "sindslidelse"),
    })


def follow_up(extract: Extract, params: Params, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cohort, and one row per person and follow-up year in which the person is resident
    within the data: pnr, k, succes, the covariates and the volume of every post (0 if none)."""
    people = cohort(extract, params, scenario)
    last_year = int(extract.bopael["aar"].max())
    years = pd.concat([people.assign(k=k, aar=people["referenceaar"] + 1 + k) for k in FOLLOW_UP], ignore_index=True)
    years = years[(years["aar"] <= last_year) & _pairs(years, _of(_about_cohorts(extract, params, "bopael"), people["pnr"]))]
    volumes = [c for c in POSTS if c in contract_columns()["forbrug"]]
    forbrug = _of(_about_cohorts(extract, params, "forbrug"), people["pnr"])[["pnr", "aar", *volumes]]
    days = _of(_about_cohorts(extract, params, "service_days"), people["pnr"])
    days = days.assign(ydelse=days["ydelse"].astype("string")).set_index(SERVICE_YEAR)["dage"].unstack().reset_index()
    years = years.merge(forbrug, on=["pnr", "aar"], how="left").merge(days, on=["pnr", "aar"], how="left")
    years = years.reindex(columns=[*years.columns.difference(POSTS, sort=False), *POSTS])
    years[list(POSTS)] = years[list(POSTS)].astype("float64").fillna(0.0)
    return people, years.drop(columns="aar").sort_values(["k", "pnr"], ignore_index=True)


def comparable_years(frame: pd.DataFrame) -> pd.DataFrame:
    """The person-years of the follow-up years in which both the success and the non-success
    group are present: only there is a difference defined (the others are left out)."""
    both = frame.groupby("k")["succes"].nunique() == 2
    return frame[frame["k"].isin(both.index[both])]


def design(frame: pd.DataFrame, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The OLS design of a method (a success effect per follow-up year, plus covariates if
    adjusted) and the contrast that sums the success effects with a minus: the four-year
    difference non-success minus success."""
    # patsy builds the rows of the distinct combinations of values (a few hundred), spread to every row.
    levels = {c: pd.Categorical(frame[c], categories=sorted(frame[c].unique())) for c in CATEGORICAL}
    combination = frame["succes"].to_numpy(np.int64)  # 0/1, then each level's code in mixed radix
    for column in CATEGORICAL:
        combination = combination * len(levels[column].categories) + levels[column].codes
    _, first, row_of = np.unique(combination, return_index=True, return_inverse=True)
    distinct = frame.iloc[first].assign(**{c: levels[c][first] for c in CATEGORICAL})
    matrix = patsy.dmatrix(METHODS[method], distinct, return_type="matrix")
    contrast = np.array([-1.0 if name.endswith(":succes") else 0.0 for name in matrix.design_info.column_names])
    return np.asarray(matrix)[row_of.ravel()], contrast


def item_estimates(exog: np.ndarray, contrast: np.ndarray, items: np.ndarray, persons: np.ndarray):
    """Each item's estimate cᵀβ̂ (OLS of the item's outcome column) and their CR1 cluster-robust
    covariance (clusters: persons; G/(G−1)·(N−1)/(N−K), as statsmodels). Estimates are NaN
    where the design does not determine the contrast; the covariance is NaN without more
    observations than parameters."""
    inverse = np.linalg.pinv(exog)
    if not np.allclose(contrast @ inverse @ exog, contrast, atol=1e-8):
        return np.full(items.shape[1], np.nan), np.full((items.shape[1],) * 2, np.nan)
    weights = contrast @ inverse  # the estimate of any outcome y is weights · y
    estimates = weights @ items
    n, k = exog.shape
    if n <= k:
        return estimates, np.full((items.shape[1],) * 2, np.nan)
    residuals = items - exog @ (inverse @ items)
    clusters, groups = pd.factorize(persons)
    summing = coo_matrix((np.ones(n), (clusters, np.arange(n))), shape=(len(groups), n)).tocsr()
    scores = summing @ (weights[:, None] * residuals)
    g = len(groups)
    return estimates, scores.T @ scores * (g / (g - 1) * (n - 1) / (n - k))


def group_means(years: pd.DataFrame) -> pd.DataFrame:
    """Per post and follow-up year (post-major): each group's size and mean volume, and the raw
    difference non-success minus success."""
    stats = years.groupby(["k", "succes"])[list(POSTS)].agg("mean").stack().unstack("succes")
    counts = years.groupby(["k", "succes"]).size().unstack("succes")
    k = stats.index.get_level_values(0)
    table = pd.DataFrame({
        "post": stats.index.get_level_values(1), "opfoelgningsaar": k,
        **{f"n_{name}": counts[group].reindex(k).to_numpy() for group, name in GROUPS.items()},
        **{f"gennemsnit_{name}": stats[group].to_numpy() for group, name in GROUPS.items()},
        "forskel_raa": (stats[0] - stats[1]).to_numpy()})
    return table.sort_values(["post", "opfoelgningsaar"], key=lambda c: c.map(POSTS.index) if c.name == "post" else c,
                             ignore_index=True)


def estimates(extract: Extract, params: Params) -> dict[str, pd.DataFrame]:
    """The consequence estimates, unprotected: som_kohorte (the groups' sizes), som_konsekvens
    (per scenario, post and follow-up year) and som_kovarians (per scenario and method)."""
    cohorts, items, covariances = [], [], []
    for scenario in SCENARIOS:
        people, years = follow_up(extract, params, scenario)
        sizes = people["succes"].value_counts()
        cohorts.append({"scenarie": scenario, "n_succes": int(sizes.get(1, 0)), "n_ikke_succes": int(sizes.get(0, 0))})
        years = comparable_years(years)
        if years.empty:
            continue
        table = group_means(years).assign(scenarie=scenario)
        followed = sorted(years["k"].unique())
        outcome = np.column_stack([years[post].to_numpy() * (years["k"].to_numpy() == k)  # the table's order
                                   for post in POSTS for k in followed])
        keys = table[["post", "opfoelgningsaar"]]
        upper = np.triu_indices(len(keys))  # the matrix is symmetric: each pair once
        pairs = pd.concat([keys.iloc[upper[0]].add_suffix("_1").reset_index(drop=True),
                           keys.iloc[upper[1]].add_suffix("_2").reset_index(drop=True)], axis=1)
        for method in METHODS:
            estimate, covariance = item_estimates(*design(years, method), outcome, years["pnr"].to_numpy())
            if method == "justeret":
                table["forskel_justeret"] = estimate
            covariances.append(pairs.assign(scenarie=scenario, metode=method, kovarians=covariance[upper]))
        items.append(table[ITEM_COLUMNS])
    return {"som_kohorte": pd.DataFrame(cohorts),
            "som_konsekvens": pd.concat([pd.DataFrame(columns=ITEM_COLUMNS), *items], ignore_index=True),
            "som_kovarians": pd.concat([pd.DataFrame(columns=COVARIANCE_COLUMNS), *covariances], ignore_index=True)}
