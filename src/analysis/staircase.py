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
from .areas import NATIONAL, areas, in_area, nesting
from .contract import ContractError, Extract
from .disclosure import Rules, additive, overlaps, remainders
from .params import STAIRCASE_YEARS, Params
from .profile import people
from .rounding import half_away, half_away_all
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


def steps(extract: Extract, staircase: Staircase) -> pd.DataFrame:
    """pnr, aar, trin: each person-year's highest step (person-years with none are absent = step 0)."""
    services = extract.ydelser
    on_stairs = services[services["ydelse"].isin(list(staircase.step_of))]
    step = on_stairs["ydelse"].astype("string").map(staircase.step_of).astype("int8")
    frame = pd.DataFrame({"pnr": on_stairs["pnr"].to_numpy(), "aar": on_stairs["aar"].to_numpy(), "trin": step.to_numpy()})
    return frame.groupby(["pnr", "aar"], as_index=False, sort=False)["trin"].max()


def followed(extract: Extract, params: Params) -> pd.DataFrame:
    """Target-group members in the base year with their base step, area, sub-groups and step two
    years on (-1 when absent from bopael then): pnr, kom, kognitiv, sindslidelse, fra, til."""
    key = ("followed", str(params.indsatstrappe), params.trappe_basisaar)
    return extract.memo(key, lambda: _followed(extract, params))


def _followed(extract: Extract, params: Params) -> pd.DataFrame:
    staircase = load_staircase(params.indsatstrappe)
    base, end = params.trappe_basisaar, params.trappe_basisaar + STAIRCASE_YEARS
    by_year = steps(extract, staircase)
    group = members(extract)
    group = group.loc[group["aar"] == base, ["pnr", "kom", *SUBGROUPS]]
    start = by_year.loc[by_year["aar"] == base, ["pnr", "trin"]].rename(columns={"trin": "fra"})
    later = by_year.loc[by_year["aar"] == end, ["pnr", "trin"]].rename(columns={"trin": "til"})
    frame = group.merge(start, on="pnr", how="left").merge(later, on="pnr", how="left")
    present = frame["pnr"].isin(extract.bopael.loc[extract.bopael["aar"] == end, "pnr"])
    frame["fra"] = frame["fra"].fillna(0).astype(int)
    frame["til"] = np.where(present, frame["til"].fillna(0), -1).astype(int)
    return frame


def _group_masks(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {"i_alt": pd.Series(True, index=frame.index), **{g: frame[g] for g in SUBGROUPS}}


def movement(til: int, anchor: int) -> str:
    """The movement category of a person on the anchor step who is on step `til` two years on."""
    if til < 0:
        return LEFT
    if til == 0:
        return "ingen"
    return "lavere" if til < anchor else "samme" if til == anchor else "hoejere"


def step_table(extract: Extract, params: Params) -> pd.DataFrame:
    """trappe_trin: the staircase the book is computed with — step, name, services and whether
    movements are counted from it (the step holding § 85). No persons: nothing to protect."""
    staircase = load_staircase(params.indsatstrappe)
    services = {step: " ".join(s for s, t in staircase.step_of.items() if t == step) for step in range(len(staircase.names))}
    return pd.DataFrame({"trin": range(len(staircase.names)), "navn": staircase.names,
                         "ydelser": [services[step] for step in range(len(staircase.names))],
                         "udgangspunkt": [step == staircase.anchor for step in range(len(staircase.names))]})


STEP_RULES = Rules(())


def movements(extract: Extract, params: Params) -> pd.DataFrame:
    """trappe_bevaegelser: from the § 85 step in the base year to two years on (figures 11–12)."""
    anchor = load_staircase(params.indsatstrappe).anchor
    frame = followed(extract, params)
    frame = frame[frame["fra"] == anchor]
    category = pd.Series([movement(t, anchor) for t in frame["til"]], index=frame.index, dtype="string")
    rows = []
    for omraade, kom in areas(params):
        counts = category[in_area(frame["kom"], kom)].value_counts()
        followed_n = sum(int(counts.get(c, 0)) for c in MOVEMENTS)
        for name in (*MOVEMENTS, LEFT):
            antal = int(counts.get(name, 0))
            share = half_away(100 * antal / followed_n, 1) if name != LEFT and followed_n else None
            rows.append((omraade, name, antal, share))
    return pd.DataFrame(rows, columns=["omraade", "bevaegelse", "antal", "andel"])


def direction_share(table: pd.DataFrame, omraade: str, direction: str) -> float | None:
    """The percentage of an area's followed persons who moved `direction` ("ned" or "op"), from
    the counts of a disclosed trappe_bevaegelser (None when a count it needs is hidden)."""
    rows = table[(table["omraade"] == omraade) & table["bevaegelse"].isin(MOVEMENTS)].set_index("bevaegelse")["antal"]
    if rows.isna().any() or not rows.sum():
        return None
    return half_away(100 * float(rows[list(DIRECTIONS[direction])].sum()) / float(rows.sum()), 1)


MOVEMENT_RULES = Rules(("antal",), follows=("andel",), constraints=lambda t, p: (
    additive(t, ["omraade"], "bevaegelse", MOVEMENTS) + remainders(t, ["bevaegelse"], "omraade", nesting(p))))


def transitions(extract: Extract, params: Params) -> pd.DataFrame:
    """trappe_overgange: from every base step to every step two years on, with 95 % Wilson intervals."""
    staircase = load_staircase(params.indsatstrappe)
    frame = followed(extract, params)
    targets = [*range(len(staircase.names)), -1]
    rows = []
    for omraade, kom in areas(params):
        area = frame[in_area(frame["kom"], kom)]
        for gruppe, mask in _group_masks(area).items():
            for fra in range(1, len(staircase.names)):
                base = area.loc[mask & (area["fra"] == fra), "til"].value_counts()
                n = int(base.drop(-1, errors="ignore").sum())
                for til in targets:
                    antal = int(base.get(til, 0))
                    rows.append((omraade, gruppe, fra, LEFT if til < 0 else str(til), antal, n if til >= 0 else None))
    table = pd.DataFrame(rows, columns=["omraade", "gruppe", "fra_trin", "til_trin", "antal", "n"])
    stays = table["n"].notna() & (table["n"] > 0)
    low, high = proportion_confint(table.loc[stays, "antal"], table.loc[stays, "n"], alpha=0.05, method="wilson")
    table["andel"] = (100 * table["antal"] / table["n"].where(stays)).pipe(half_away_all, 1)
    table.loc[stays, "ci_lav"] = (100 * low).pipe(half_away_all, 1)
    table.loc[stays, "ci_hoej"] = (100 * high).pipe(half_away_all, 1)
    return table.drop(columns="n")


def _transition_constraints(table: pd.DataFrame, params: Params) -> list:
    present = table[table["til_trin"] != LEFT]
    steps_ = tuple(sorted(set(present["til_trin"])))
    return (additive(present, ["omraade", "gruppe", "fra_trin"], "til_trin", steps_)
            + remainders(table, ["gruppe", "fra_trin", "til_trin"], "omraade", nesting(params))
            + overlaps(table, ["omraade", "fra_trin", "til_trin"], "gruppe", "i_alt", *SUBGROUPS))


TRANSITION_RULES = Rules(("antal",), follows=("andel", "ci_lav", "ci_hoej"), constraints=_transition_constraints)


def difference_tests(extract: Extract, params: Params) -> pd.DataFrame:
    """trappe_test: each area's share moving down and up (DIRECTIONS) against the rest
    of the country, with a two-sided two-proportion z-test."""
    anchor = load_staircase(params.indsatstrappe).anchor
    frame = followed(extract, params)
    frame = frame[(frame["fra"] == anchor) & (frame["til"] >= 0)]
    category = frame["til"].map(lambda til: movement(til, anchor))
    kinds = {name: category.isin(moved) for name, moved in DIRECTIONS.items()}
    rows = []
    for omraade, kom in areas(params):
        if omraade == NATIONAL:
            continue
        inside = in_area(frame["kom"], kom)
        for name, moved in kinds.items():
            counts = [int((moved & inside).sum()), int((moved & ~inside).sum())]
            sizes = [int(inside.sum()), int((~inside).sum())]
            z, p = proportions_ztest(counts, sizes) if min(sizes) and 0 < sum(counts) < sum(sizes) else (None, None)
            rows.append((omraade, name, counts[0], sizes[0] - counts[0], counts[1], sizes[1] - counts[1],
                         half_away(100 * counts[0] / sizes[0], 1) if sizes[0] else None,
                         half_away(100 * counts[1] / sizes[1], 1) if sizes[1] else None,
                         None if z is None else half_away(float(z), 2), None if p is None else half_away(float(p), 4)))
    return pd.DataFrame(rows, columns=["omraade", "bevaegelse", "antal", "antal_ikke", "antal_resten",
                                       "antal_resten_ikke", "andel", "andel_resten", "z", "p_vaerdi"])


TEST_RULES = Rules(("antal", "antal_ikke", "antal_resten", "antal_resten_ikke"),
                   follows=("andel", "andel_resten", "z", "p_vaerdi"),
                   private=("antal", "antal_ikke", "antal_resten", "antal_resten_ikke"))


def _recipients(extract: Extract, year: int, staircase: Staircase) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adult recipients of the staircase's services (pnr, ydelse, kom, i_alt: in the target group)
    and adults per municipality (kom, antal) in `year`: computed once per run, summed per area."""
    def compute():
        adults = people(extract, year)[["pnr", "kom", "i_alt"]]
        services = extract.ydelser
        received = services.loc[(services["aar"] == year) & services["ydelse"].isin(list(staircase.step_of)),
                                ["pnr", "ydelse"]].drop_duplicates()
        return received.merge(adults, on="pnr"), adults["kom"].value_counts().rename("antal").reset_index()
    return extract.memo(("staircase_recipients", year, tuple(sorted(staircase.step_of.items()))), compute)


def _residents_aged(extract: Extract, year: int, youngest: int, oldest: int) -> pd.DataFrame:
    """Residents aged `youngest`–`oldest` per municipality (kom, antal) in `year`."""
    def compute():
        residents = extract.bopael
        kom = residents.loc[(residents["aar"] == year) & residents["alder"].between(youngest, oldest), "kom"]
        return kom.value_counts().rename("antal").reset_index()
    return extract.memo(("residents_aged", year, youngest, oldest), compute)


def _per_10000(antal: int, population: int) -> float | None:
    return half_away(10_000 * antal / population, 1) if population else None


def rates_per_10000(extract: Extract, params: Params) -> pd.DataFrame:
    """trappe_pr_10000 (figure 10): target-group members receiving each staircase service per
    10,000 residents aged pr_10000_alder, the reading under which the report's figures 4, 9
    and 10 agree; beside it (..._voksne), all adult recipients per 10,000 adults."""
    staircase = load_staircase(params.indsatstrappe)
    youngest, oldest = params.pr_10000_alder
    received, adults = _recipients(extract, params.aar, staircase)
    aged = _residents_aged(extract, params.aar, youngest, oldest)
    rows = []
    for omraade, kom in areas(params):
        population = int(aged[in_area(aged["kom"], kom)]["antal"].sum())
        all_adults = int(adults[in_area(adults["kom"], kom)]["antal"].sum())
        area = received[in_area(received["kom"], kom)]
        for service, step in sorted(staircase.step_of.items(), key=lambda item: item[1]):
            recipients = area["ydelse"] == service
            antal, antal_voksne = int((recipients & area["i_alt"]).sum()), int(recipients.sum())
            rows.append((params.aar, omraade, step, service, youngest, oldest, antal, population,
                         _per_10000(antal, population), antal_voksne, all_adults, _per_10000(antal_voksne, all_adults)))
    return pd.DataFrame(rows, columns=["aar", "omraade", "trin", "ydelse", "alder_fra", "alder_til", "antal",
                                       "befolkning", "pr_10000", "antal_voksne", "befolkning_voksne",
                                       "pr_10000_voksne"])


RATE_RULES = Rules(("antal", "antal_voksne", "befolkning", "befolkning_voksne"), follows=("pr_10000", "pr_10000_voksne"), constraints=lambda t, p: remainders(
    t, ["ydelse"], "omraade", nesting(p)))
