"""The target group (METHODS.md §1)."""
import pandas as pd

from .areas import areas, in_area, nesting
from .codes import TARGET_REASONS, TARGET_SERVICES
from .contract import Extract
from .disclosure import Rules, overlaps, remainders
from .params import Params

SUBGROUPS = ("kognitiv", "sindslidelse")


def members(extract: Extract) -> pd.DataFrame:
    """Target-group person-years: pnr, aar, kom (residence) and a flag per sub-group.

    A member is an adult resident (bopael, alder >= 18) with one of the five target services
    given because of a cognitive disability or a mental illness that year.
    """
    return extract.memo("members", lambda: _members(extract))


def _members(extract: Extract) -> pd.DataFrame:
    services = extract.ydelser
    qualifying = services[services["ydelse"].isin(TARGET_SERVICES) & services["maalgruppe"].isin(TARGET_REASONS)]
    flags = pd.DataFrame({"pnr": qualifying["pnr"], "aar": qualifying["aar"]})
    for subgroup in SUBGROUPS:
        flags[subgroup] = (qualifying["maalgruppe"] == subgroup).to_numpy()
    flags = flags.groupby(["pnr", "aar"], as_index=False, sort=False)[list(SUBGROUPS)].any()
    adults = extract.bopael.loc[extract.bopael["alder"] >= 18, ["pnr", "aar", "kom"]]
    return adults.merge(flags, on=["pnr", "aar"], how="inner")


def size_by_year(extract: Extract, params: Params) -> pd.DataFrame:
    """maalgruppe: persons in the target group by year, area and sub-group (i_alt counts each once)."""
    people = members(extract)
    years = sorted(extract.bopael["aar"].unique().tolist())
    rows = []
    for omraade, codes in areas(params):
        area = people[in_area(people["kom"], codes)]
        by_year = area.groupby("aar")[list(SUBGROUPS)].sum().reindex(years, fill_value=0)
        totals = area.groupby("aar").size().reindex(years, fill_value=0)
        for aar in years:
            rows.append((aar, omraade, "i_alt", int(totals[aar])))
            rows += [(aar, omraade, subgroup, int(by_year.at[aar, subgroup])) for subgroup in SUBGROUPS]
    return pd.DataFrame(rows, columns=["aar", "omraade", "gruppe", "antal"])


def _size_constraints(table: pd.DataFrame, params: Params) -> list:
    return (overlaps(table, ["aar", "omraade"], "gruppe", "i_alt", *SUBGROUPS)
            + remainders(table, ["aar", "gruppe"], "omraade", nesting(params)))


SIZE_RULES = Rules(("antal",), constraints=_size_constraints)
