"""The intervention staircase (METHODS.md §2): steps, movements from the § 85 step, transitions.

The staircase is data (`indsatstrappe`), so a municipality can replace it: a person's step in
a year is the highest step among the services received (any reason); movements are counted
relative to the step that holds `sel85`.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from . import codes
from .areas import NATIONAL, complete
from .contract import ContractError, Extract
from .params import STAIRCASE_YEARS, Params
from .profile import ADULTS, POPULATION, age_band
from .rounding import half_away, half_away_all, ratio
from .targetgroup import SUBGROUPS, members

MOVEMENTS = ("ingen", "lavere", "samme", "hoejere")
DIRECTIONS = {"ned": ("ingen", "lavere"), "op": ("hoejere",)}  # down and up the staircase
LEFT = "udgaaet"
ANCHOR_SERVICE = "sel85"


@dataclass(frozen=True)
class Staircase:
    names: tuple[str, ...]          # step number -> name; step 0 has no services
    step_of: dict[str, int]         # service -> step

    @property
    def anchor(self) -> int:
        """The step of § 85 in own home, from which movements are counted."""
        return self.step_of[ANCHOR_SERVICE]


def load_staircase(path: Path | str) -> Staircase:
    """Read and check a staircase file (trin, navn, ydelser); errors name the file and row."""
    path = Path(path)
    table = pd.read_csv(path, dtype={"navn": "string", "ydelser": "string"}, keep_default_na=False)

    def fail(message: str) -> None:
        raise ContractError(f"{path.name}: {message}")

    if list(table.columns[:3]) != ["trin", "navn", "ydelser"]:
        fail("columns must be trin, navn, ydelser")
    if table["trin"].tolist() != list(range(len(table))):
        fail(f"trin must number the steps 0, 1, 2, … in order, got {table['trin'].tolist()}")
    step_of = {}
    for row in table.itertuples():
        services = row.ydelser.split()
        if row.trin == 0 and services:
            fail("step 0 (no intervention) cannot hold services")
        if row.trin > 0 and not services:
            fail(f"row {row.Index + 1}: step {row.trin} has no services")
        for service in services:
            if service not in codes.SERVICES:
                fail(f"row {row.Index + 1}: unknown service '{service}'")
            if service in step_of:
                fail(f"row {row.Index + 1}: service '{service}' is on two steps")
            step_of[service] = row.trin
    if ANCHOR_SERVICE not in step_of:
        fail(f"no step holds '{ANCHOR_SERVICE}', from which movements are counted")
    return Staircase(tuple(table["navn"]), step_of)


def steps(extract: Extract, staircase: Staircase, years: list[int]) -> pd.DataFrame:
    """pnr, aar, trin: each person-year's highest step in `years` (person-years with none are
    absent = step 0)."""
    services = extract.ydelser
    services = services[services["aar"].isin(years)]
    codes_ = services["ydelse"].cat.codes.to_numpy()  # each code's step looked up once, not each row's
    step_of_code = np.array([staircase.step_of.get(c, 0) for c in services["ydelse"].cat.categories], dtype=np.int8)
    step = step_of_code[codes_]
    on_stairs = step > 0
    frame = pd.DataFrame({"pnr": services["pnr"].to_numpy()[on_stairs], "aar": services["aar"].to_numpy()[on_stairs],
                          "trin": step[on_stairs]})
    return frame.groupby(["pnr", "aar"], as_index=False, sort=False)["trin"].max()


def followed(extract: Extract, params: Params) -> pd.DataFrame:
    """Target-group members in the base year with their base step, area, sub-groups and step two
    years on (-1 when absent from bopael then): pnr, kom, kognitiv, sindslidelse, fra, til."""
    key = ("followed", str(params.indsatstrappe), params.trappe_basisaar)
    return extract.memo(key, lambda: _followed(extract, params))


def _followed(extract: Extract, params: Params) -> pd.DataFrame:
    staircase = load_staircase(params.indsatstrappe)
    base, end = params.trappe_basisaar, params.trappe_basisaar + STAIRCASE_YEARS
    by_year = steps(extract, staircase, [base, end])
    group = members(extract)
    group = group.loc[group["aar"] == base, ["pnr", "kom", *SUBGROUPS]]
    start = by_year.loc[by_year["aar"] == base, ["pnr", "trin"]].rename(columns={"trin": "fra"})
    later = by_year.loc[by_year["aar"] == end, ["pnr", "trin"]].rename(columns={"trin": "til"})
    frame = group.merge(start, on="pnr", how="left").merge(later, on="pnr", how="left")
    present = extract.resident(frame.assign(aar=end))
    frame["fra"] = frame["fra"].fillna(0).astype(int)
    frame["til"] = np.where(present, frame["til"].fillna(0), -1).astype(int)
    return frame


def movement(til: int, anchor: int) -> str:
    """The movement category of a person on the anchor step who is on step `til` two years on."""
    if til < 0:
        return LEFT
    if til == 0:
        return "ingen"
    return "lavere" if til < anchor else "samme" if til == anchor else "hoejere"


def step_table(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """trappe_trin: the staircase the book is computed with — step, name, services and whether
    movements are counted from it (the step holding § 85). No persons: nothing to protect."""
    staircase = load_staircase(params.indsatstrappe)
    services = {step: " ".join(s for s, t in staircase.step_of.items() if t == step) for step in range(len(staircase.names))}
    return pd.DataFrame({"trin": range(len(staircase.names)), "navn": staircase.names,
                         "ydelser": [services[step] for step in range(len(staircase.names))],
                         "udgangspunkt": [step == staircase.anchor for step in range(len(staircase.names))]})


def transition_counts(extract: Extract, params: Params) -> pd.DataFrame:
    """trappe_overgange (package): members of the base year per municipality (their residence
    then), sub-group, base step (0 included) and step two years on (udgaaet: no longer resident).
    Summed over the steps, the counts are the base year's maalgruppe."""
    staircase = load_staircase(params.indsatstrappe)
    frame = followed(extract, params)
    frame = frame.assign(til_trin=np.where(frame["til"] < 0, LEFT, frame["til"].astype(str)), antal=1)
    parts = [frame.assign(gruppe="i_alt"), *[frame[frame[g]].assign(gruppe=g) for g in SUBGROUPS]]
    steps_ = range(len(staircase.names))
    levels = {"gruppe": ["i_alt", *SUBGROUPS], "fra_trin": list(steps_),
              "til_trin": [*map(str, steps_), LEFT]}
    table = complete(pd.concat(parts).rename(columns={"fra": "fra_trin"}), levels, ["antal"])
    return table[["kom", "gruppe", "fra_trin", "til_trin", "antal"]]


def movement_counts(extract: Extract, params: Params) -> pd.DataFrame:
    """trappe_bevaegelser (package): members on the § 85 step in the base year per municipality
    and movement two years on; each movement is a sum of transitions from that step."""
    anchor = load_staircase(params.indsatstrappe).anchor
    frame = followed(extract, params)
    frame = frame[frame["fra"] == anchor]
    frame = frame.assign(bevaegelse=[movement(t, anchor) for t in frame["til"]], antal=1)
    table = complete(frame, {"bevaegelse": [*MOVEMENTS, LEFT]}, ["antal"])
    return table[["kom", "bevaegelse", "antal"]]


def movement_of_step(params: Params) -> dict[str, str]:
    """til_trin -> the movement of a person on the § 85 step who is on that step two years on."""
    staircase = load_staircase(params.indsatstrappe)
    return {**{str(t): movement(t, staircase.anchor) for t in range(len(staircase.names))},
            LEFT: movement(-1, staircase.anchor)}


# ---- the book's tables, from the protected package rows of the book's areas -------------

def _sum_or_missing(values: pd.Series) -> object:
    return pd.NA if values.isna().any() else int(values.sum())


def _followed_from_anchor(tables: dict[str, pd.DataFrame], params: Params) -> pd.Series:
    """Per omraade, the members on the § 85 step in the base year still resident two years on
    (missing where a movement is hidden)."""
    rows = tables["trappe_bevaegelser"]
    return rows[rows["bevaegelse"] != LEFT].groupby("omraade", sort=False)["antal"].agg(_sum_or_missing)


def movements(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """trappe_bevaegelser: from the § 85 step in the base year to two years on (figures 11–12)."""
    table = tables["trappe_bevaegelser"].reset_index(drop=True)
    share = ratio(table["antal"], table["omraade"].map(_followed_from_anchor(tables, params)))
    return table.assign(andel=share.mask(table["bevaegelse"] == LEFT))


def direction_share(table: pd.DataFrame, omraade: str, direction: str) -> float | None:
    """The percentage of an area's followed persons who moved `direction` ("ned" or "op"), from
    the counts of a disclosed trappe_bevaegelser (None when a count it needs is hidden)."""
    rows = table[(table["omraade"] == omraade) & table["bevaegelse"].isin(MOVEMENTS)].set_index("bevaegelse")["antal"]
    if rows.isna().any() or not rows.sum():
        return None
    return half_away(100 * float(rows[list(DIRECTIONS[direction])].sum()) / float(rows.sum()), 1)


def transitions(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """trappe_overgange: from every base step to every step two years on, with 95 % Wilson intervals."""
    table = tables["trappe_overgange"]
    table = table[table["fra_trin"] > 0].reset_index(drop=True)
    staying = table[table["til_trin"] != LEFT]
    n = staying.groupby(["omraade", "gruppe", "fra_trin"], sort=False)["antal"].agg(_sum_or_missing)
    n = pd.Series(pd.MultiIndex.from_frame(table[["omraade", "gruppe", "fra_trin"]]).map(n), dtype="Float64")
    n = n.mask(table["til_trin"] == LEFT)
    computable = (n > 0).fillna(False) & table["antal"].notna()
    low, high = proportion_confint(table.loc[computable, "antal"].astype(int), n[computable].astype(int),
                                   alpha=0.05, method="wilson")
    table["andel"] = ratio(table["antal"], n)
    for column, bound in (("ci_lav", low), ("ci_hoej", high)):
        table[column] = pd.Series(np.nan, index=table.index)
        table.loc[computable, column] = 100 * np.asarray(bound, dtype=float)
        table[column] = half_away_all(table[column], 1).astype("Float64")
    return table[["omraade", "gruppe", "fra_trin", "til_trin", "antal", "andel", "ci_lav", "ci_hoej"]]


def difference_tests(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """trappe_test: each area's share moving down and up (DIRECTIONS) against the rest
    of the country, with a two-sided two-proportion z-test."""
    rows = tables["trappe_bevaegelser"]
    followed_n = _followed_from_anchor(tables, params)
    result = []
    for name, moved in DIRECTIONS.items():
        counts = rows[rows["bevaegelse"].isin(moved)].groupby("omraade", sort=False)["antal"].agg(_sum_or_missing)
        national = (counts[NATIONAL], followed_n[NATIONAL] - counts[NATIONAL])
        for omraade in dict.fromkeys(rows["omraade"]):
            if omraade == NATIONAL:
                continue
            result.append((omraade, name, *_z_test((counts[omraade], followed_n[omraade] - counts[omraade]), national)))
    columns = ["omraade", "bevaegelse", "andel", "andel_resten", "z", "p_vaerdi"]
    table = pd.DataFrame(result, columns=columns)
    order = {name: i for i, name in enumerate(DIRECTIONS)}
    table = table.sort_values("bevaegelse", key=lambda c: c.map(order), kind="stable").sort_values(
        "omraade", key=lambda c: c.map({o: i for i, o in enumerate(dict.fromkeys(rows["omraade"]))}), kind="stable")
    return table.reset_index(drop=True).astype({c: "Float64" for c in columns[2:]})


def _z_test(inside: tuple, national: tuple) -> tuple:
    """(andel, andel_resten, z, p) of an area's (moved, not moved) against the rest of the country."""
    if any(pd.isna(v) for v in (*inside, *national)):
        return (None,) * 4
    rest = (national[0] - inside[0], national[1] - inside[1])
    sizes = [sum(inside), sum(rest)]
    counts = [inside[0], rest[0]]
    z, p = proportions_ztest(counts, sizes) if min(sizes) and 0 < sum(counts) < sum(sizes) else (None, None)
    return (half_away(100 * counts[0] / sizes[0], 1) if sizes[0] else None,
            half_away(100 * counts[1] / sizes[1], 1) if sizes[1] else None,
            None if z is None else half_away(float(z), 2), None if p is None else half_away(float(p), 4))


def rates_per_10000(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """trappe_pr_10000 (figure 10): target-group members receiving each staircase service per
    10,000 residents aged pr_10000_alder, the reading under which the report's figures 4, 9
    and 10 agree; beside it (..._voksne), all adult recipients per 10,000 adults."""
    staircase = load_staircase(params.indsatstrappe)
    youngest, oldest = params.pr_10000_alder
    ordered = sorted(staircase.step_of.items(), key=lambda item: item[1])
    forbrug, population = tables["forbrug"], tables["befolkning"].set_index(["omraade", "gruppe"])["antal"]
    rows = []
    for omraade in dict.fromkeys(forbrug["omraade"]):
        area = forbrug[forbrug["omraade"] == omraade].set_index(["gruppe", "maal"])["antal"]
        band, adults = population[(omraade, age_band(params))], population[(omraade, ADULTS)]
        for service, step in ordered:
            rows.append((params.aar, omraade, step, service, youngest, oldest, area[("i_alt", service)], band,
                         area[(POPULATION, service)], adults))
    table = pd.DataFrame(rows, columns=["aar", "omraade", "trin", "ydelse", "alder_fra", "alder_til", "antal",
                                        "befolkning", "antal_voksne", "befolkning_voksne"])
    for column in ("antal", "befolkning", "antal_voksne", "befolkning_voksne"):
        table[column] = table[column].astype("Int64")
    table.insert(8, "pr_10000", ratio(table["antal"], table["befolkning"], scale=10_000))
    table["pr_10000_voksne"] = ratio(table["antal_voksne"], table["befolkning_voksne"], scale=10_000)
    return table
