"""Small hand-built register extracts for tests, written as CSV in the contract format."""
from pathlib import Path

import pandas as pd

YEARS = range(2017, 2023)
FORBRUG_ZERO = {
    "beskaeftigelse_uger": 0.0, "foertidspension_uger": 0.0, "kontanthjaelp_uger": 0.0,
    "beskaeftigelsesindsats_timer": 0.0, "uddannelse_uger": 0.0, "psyk_indlagt_dage": 0.0,
    "psyk_ambulante_kontakter": 0.0, "som_indlagt_dage": 0.0, "som_ambulante_kontakter": 0.0,
    "fysioterapi": False, "psykofarmaka": False, "kriminalitet": False, "status_uge48": "andet",
}


def write_extract(directory: Path, bopael: list[tuple], ydelser: list[tuple] = (),
                  forbrug: pd.DataFrame | None = None, diagnoser: list[tuple] = ()) -> Path:
    """bopael rows (pnr, aar, kom, alder); ydelser rows (pnr, aar, kom, ydelse, maalgruppe, dage).

    stamdata is made for every person; forbrug is an all-zero row per bopael row unless given.
    """
    directory.mkdir(parents=True, exist_ok=True)
    residents = pd.DataFrame(bopael, columns=["pnr", "aar", "kom", "alder"])
    residents.to_csv(directory / "bopael.csv", index=False)
    people = residents.drop_duplicates("pnr")
    pd.DataFrame({"pnr": people["pnr"], "koen": "K", "foed_aar": 1990,
                  "foranstaltning_barndom": False}).to_csv(directory / "stamdata.csv", index=False)
    pd.DataFrame(list(ydelser), columns=["pnr", "aar", "kom", "ydelse", "maalgruppe", "dage"]).to_csv(
        directory / "ydelser.csv", index=False)
    pd.DataFrame(list(diagnoser), columns=["pnr", "diagnosegruppe"]).to_csv(directory / "diagnoser.csv", index=False)
    if forbrug is None:
        forbrug = residents[["pnr", "aar"]].assign(**FORBRUG_ZERO)
    forbrug.to_csv(directory / "forbrug.csv", index=False)
    return directory


def small_valid(directory: Path) -> Path:
    """Three adults, two of them resident in 2017-2022 (every year the default parameters need),
    one of them in the target group in 2022."""
    return write_extract(
        directory,
        bopael=[(1, year, 101, year - 1991) for year in YEARS] + [(2, year, 751, year - 1976) for year in YEARS]
        + [(3, 2022, 169, 70)],
        ydelser=[(1, 2022, 101, "sel85", "sindslidelse", 365)],
    )


def unprotected(table_id: str, extract, params):
    """A book table before disclosure control: the package counts summed straight to the book's
    areas (the methods, tested on their own)."""
    from analysis.areas import aggregate, book_areas
    from analysis.registry import BOOK_TABLES, PACKAGE_TABLES
    rows = {t.id: aggregate(t.count(extract, params), book_areas(params), list(t.values))
            for t in PACKAGE_TABLES.values()}
    return BOOK_TABLES[table_id].compute(rows, params)
