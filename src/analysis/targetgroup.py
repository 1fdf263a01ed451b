"""The target group (METHODS.md §1)."""
import numpy as np
import pandas as pd

from .areas import complete
from .codes import TARGET_REASONS, TARGET_SERVICES
from .contract import Extract
from .params import Params
from .rowkeys import positions

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
    residents, index = extract.bopael, extract.resident_keys()
    if index is None:  # text keys
        found = positions(residents, flags, ["pnr", "aar"])
        rows = np.flatnonzero(found >= 0)
        matched = found[rows]
    else:
        rows, matched = index.matches(flags)
    adult = residents["alder"].to_numpy()[rows] >= 18
    rows, matched = rows[adult], matched[adult]
    group = residents.iloc[rows][["pnr", "aar", "kom"]].reset_index(drop=True)  # in bopael's order
    return group.assign(**{g: flags[g].to_numpy()[matched] for g in SUBGROUPS})


def size_counts(extract: Extract, params: Params) -> pd.DataFrame:
    """maalgruppe (package): members per municipality, year and sub-group (i_alt counts each
    once), for every year of the extract."""
    people = members(extract)
    years = extract.years()
    frame = pd.concat([people.assign(gruppe="i_alt"), *[people[people[g]].assign(gruppe=g) for g in SUBGROUPS]])
    table = complete(frame.assign(antal=1), {"aar": years, "gruppe": ["i_alt", *SUBGROUPS]}, ["antal"])
    return table[["kom", "aar", "gruppe", "antal"]]


def size_by_year(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """maalgruppe: persons in the target group by year, area and sub-group."""
    return tables["maalgruppe"][["aar", "omraade", "gruppe", "antal"]]
