"""Every table of the result package that plain SQL can compute, written as plain DuckDB SQL over
the extract's Parquet files and timed against roret on the same data; the results must be equal.

The tables are the package's counts for landsplan, the regions and every municipality, before
disclosure control (which SQL does not do), and SØM's cohort sizes and raw consequence estimates
(the regression-adjusted ones are left out). Each SQL query reads the Parquet files itself, as a
researcher's query would. roret's time for a table is what its function adds in a run on the
loaded extract, one table after the other (the target group, derived for the first table,
serves the others); their sum adds the loading and validation of the extract, which the SQL does
not do. A second, whole run times the tables as `roret package` makes them, from the files:
loading and validation, then SØM's part on the second core beside the counts.

    python benchmarks/duckdb_side_by_side.py DATA   → JSON on stdout
"""
import json
import sys
import time
from pathlib import Path

import analysis  # noqa: F401  first, as in roret's command line: it sets numpy's memory pages before numpy loads
import duckdb
import numpy as np
import pandas as pd

from analysis import codes, consequences
from analysis.areas import aggregate, package_areas
from analysis.consequences import POSTS, SUCCESS_STATUSES
from analysis.contract import load_extract
from analysis.params import FOLLOW_UP_YEARS, STAIRCASE_YEARS, Params
from analysis.profile import BOTILBUD, UNITS, age_band
from analysis.reference import municipality_codes
from analysis.registry import PACKAGE_TABLES, beside_the_counts, package_counts
from analysis.staircase import load_staircase

PARAMS = Params()
GROUPS = "(VALUES ('i_alt'), ('kognitiv'), ('sindslidelse')) g(gruppe)"
IN_GROUP = "(g.gruppe = 'i_alt' OR (g.gruppe = 'kognitiv' AND m.kognitiv) OR (g.gruppe = 'sindslidelse' AND m.sindslidelse))"


def _list(values) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values)


def _file(data: Path, table: str) -> str:
    return f"read_parquet('{data}/{table}.parquet')"


def _members(data: Path) -> str:
    """The target group's person-years (METHODS.md §1), as a common table expression."""
    return f"""members AS (
        SELECT b.pnr, b.aar, b.kom, q.kognitiv, q.sindslidelse
        FROM {_file(data, 'bopael')} b
        JOIN (SELECT pnr, aar, bool_or(maalgruppe = 'kognitiv') AS kognitiv,
                     bool_or(maalgruppe = 'sindslidelse') AS sindslidelse
              FROM {_file(data, 'ydelser')}
              WHERE ydelse IN ({_list(codes.TARGET_SERVICES)}) AND maalgruppe IN ({_list(codes.TARGET_REASONS)})
              GROUP BY pnr, aar) q USING (pnr, aar)
        WHERE b.alder >= 18)"""


def _by_area(query: str, keys: list[str], values: list[str]) -> str:
    """`query` (kom, keys, values per municipality) summed to every package area."""
    sums = ", ".join(f"sum({v}) AS {v}" for v in values)
    return f"SELECT a.omraade, {', '.join(keys)}, {sums} FROM ({query}) JOIN areas a USING (kom) GROUP BY ALL"


def maalgruppe(data: Path) -> str:
    return f"""WITH {_members(data)}
    {_by_area(f"SELECT m.kom, m.aar, g.gruppe, count(*) AS antal FROM members m JOIN {GROUPS} ON {IN_GROUP} GROUP BY ALL",
              ["aar", "gruppe"], ["antal"])}"""


def befolkning(data: Path) -> str:
    youngest, oldest = PARAMS.pr_10000_alder
    bands = f"(VALUES ('voksne', 18, 200), ('{age_band(PARAMS)}', {youngest}, {oldest})) g(gruppe, fra, til)"
    return _by_area(f"""SELECT b.kom, b.aar, g.gruppe, count(*) AS antal FROM {_file(data, 'bopael')} b
                        JOIN {bands} ON b.alder BETWEEN g.fra AND g.til WHERE b.aar = {PARAMS.aar} GROUP BY ALL""",
                    ["aar", "gruppe"], ["antal"])


def diagnoser(data: Path) -> str:
    return f"""WITH {_members(data)}
    {_by_area(f'''SELECT m.kom, m.aar, g.gruppe, d.diagnosegruppe, count(*) AS antal
                  FROM members m JOIN {_file(data, 'diagnoser')} d USING (pnr) JOIN {GROUPS} ON {IN_GROUP}
                  WHERE m.aar = {PARAMS.aar} GROUP BY ALL''', ["aar", "gruppe", "diagnosegruppe"], ["antal"])}"""


def forbrug(data: Path) -> str:
    year = PARAMS.aar
    days = ", ".join(f"coalesce(sum(dage) FILTER (WHERE ydelse = '{s}'), 0) AS {s}" for s in codes.SERVICES)
    volumes = ", ".join(f"f.{c}::DOUBLE AS {c}" for c in [*UNITS, *codes.FLAG_COLUMNS])
    measures = [*codes.SERVICES, "botilbud", *codes.FLAG_COLUMNS, "psyk_kontakt", "foranstaltning_barndom", *UNITS,
                "alle_fem"]
    sums = ", ".join(f"count(*) FILTER (WHERE {m} <> 0) AS antal_{m}, sum({m}) AS maengde_{m}" for m in measures)
    targets = ", ".join(f"count(*) FILTER (WHERE {m} <> 0) AS antal_{m}, sum({m}) AS maengde_{m}"
                        for m in codes.TARGET_SERVICES)
    groups = ("(VALUES ('i_alt'), ('kognitiv'), ('sindslidelse'), ('befolkningen')) g(gruppe) ON "
              "(g.gruppe = 'befolkningen' OR (g.gruppe = 'i_alt' AND p.i_alt) OR (g.gruppe = 'kognitiv' AND p.kognitiv)"
              " OR (g.gruppe = 'sindslidelse' AND p.sindslidelse))")
    return f"""WITH {_members(data)},
    adults AS (SELECT b.pnr, b.kom, m.pnr IS NOT NULL AS i_alt, coalesce(m.kognitiv, false) AS kognitiv,
                      coalesce(m.sindslidelse, false) AS sindslidelse
               FROM {_file(data, 'bopael')} b LEFT JOIN members m ON m.pnr = b.pnr AND m.aar = b.aar
               WHERE b.aar = {year} AND b.alder >= 18),
    service_days AS (SELECT pnr, {days} FROM (SELECT pnr, ydelse, max(dage)::DOUBLE AS dage FROM {_file(data, 'ydelser')}
                                              WHERE aar = {year} GROUP BY ALL) GROUP BY pnr),
    persons AS (
        SELECT a.*, {", ".join(f"coalesce(s.{x}, 0) AS {x}" for x in codes.SERVICES)}, {volumes},
               (coalesce(s.sel107, 0) + coalesce(s.sel108, 0) + coalesce(s.abl105_sel85, 0) > 0)::DOUBLE AS botilbud,
               ({" + ".join(f"coalesce(s.{x}, 0)" for x in codes.TARGET_SERVICES)} > 0)::DOUBLE AS alle_fem,
               (f.psyk_indlagt_dage > 0 OR f.psyk_ambulante_kontakter > 0)::DOUBLE AS psyk_kontakt,
               st.foranstaltning_barndom::DOUBLE AS foranstaltning_barndom
        FROM adults a JOIN {_file(data, 'forbrug')} f ON f.pnr = a.pnr AND f.aar = {year}
        JOIN {_file(data, 'stamdata')} st ON st.pnr = a.pnr LEFT JOIN service_days s ON s.pnr = a.pnr),
    per_kom AS (SELECT p.kom, g.gruppe, {sums} FROM persons p JOIN {groups} GROUP BY ALL
                UNION ALL BY NAME
                SELECT p.kom, 'botilbudsbeboere' AS gruppe, {targets} FROM persons p WHERE p.i_alt AND p.botilbud > 0
                GROUP BY ALL)
    SELECT a.omraade, {year} AS aar, gruppe, {", ".join(f"sum(antal_{m}) AS antal_{m}, sum(maengde_{m}) AS maengde_{m}"
                                                     for m in measures)}
    FROM per_kom JOIN areas a USING (kom) GROUP BY ALL"""


def _followed(data: Path) -> str:
    staircase = load_staircase(PARAMS.indsatstrappe)
    steps = ", ".join(f"('{service}', {step})" for service, step in staircase.step_of.items())
    base, end = PARAMS.trappe_basisaar, PARAMS.trappe_basisaar + STAIRCASE_YEARS
    return f"""WITH {_members(data)},
    steps AS (SELECT pnr, aar, max(trin) AS trin FROM {_file(data, 'ydelser')} JOIN (VALUES {steps}) t(ydelse, trin)
              USING (ydelse) WHERE aar IN ({base}, {end}) GROUP BY ALL),
    followed AS (
        SELECT m.pnr, m.kom, m.kognitiv, m.sindslidelse, coalesce(s0.trin, 0) AS fra,
               CASE WHEN b.pnr IS NULL THEN -1 ELSE coalesce(s2.trin, 0) END AS til
        FROM members m
        LEFT JOIN steps s0 ON s0.pnr = m.pnr AND s0.aar = {base}
        LEFT JOIN steps s2 ON s2.pnr = m.pnr AND s2.aar = {end}
        LEFT JOIN (SELECT pnr FROM {_file(data, 'bopael')} WHERE aar = {end}) b ON b.pnr = m.pnr
        WHERE m.aar = {base})"""


def trappe_overgange(data: Path) -> str:
    return f"""{_followed(data)}
    {_by_area(f'''SELECT m.kom, g.gruppe, m.fra AS fra_trin,
                         CASE WHEN m.til < 0 THEN 'udgaaet' ELSE m.til::VARCHAR END AS til_trin, count(*) AS antal
                  FROM followed m JOIN {GROUPS} ON {IN_GROUP} GROUP BY ALL''',
              ["gruppe", "fra_trin", "til_trin"], ["antal"])}"""


def trappe_bevaegelser(data: Path) -> str:
    anchor = load_staircase(PARAMS.indsatstrappe).anchor
    return f"""{_followed(data)}
    {_by_area(f'''SELECT kom, CASE WHEN til < 0 THEN 'udgaaet' WHEN til = 0 THEN 'ingen' WHEN til < {anchor} THEN 'lavere'
                                  WHEN til = {anchor} THEN 'samme' ELSE 'hoejere' END AS bevaegelse, count(*) AS antal
                  FROM followed WHERE fra = {anchor} GROUP BY ALL''', ["bevaegelse"], ["antal"])}"""


def som(data: Path) -> str:
    """Per scenario, follow-up year and group: persons followed and their mean volume of each post;
    the cohort sizes as follow-up year 0."""
    first, last = PARAMS.som_referenceaar
    botilbud = _list(BOTILBUD)
    services = _file(data, "ydelser")
    volumes = [c for c in POSTS if c not in codes.SERVICES]
    days = ", ".join(f"coalesce(max(dage) FILTER (WHERE ydelse = '{s}'), 0) AS {s}" for s in codes.SERVICES)
    means = ", ".join(f"avg(coalesce({p}, 0)) AS {p}" for p in POSTS)
    return f"""WITH {_members(data)},
    resident AS (SELECT pnr, aar FROM {_file(data, 'bopael')} WHERE pnr IN (SELECT pnr FROM members)),
    activity AS (SELECT * FROM {_file(data, 'forbrug')} WHERE pnr IN (SELECT pnr FROM members)),
    eligible AS (
        SELECT 'beskaeftigelse' AS scenarie, m.pnr, m.aar FROM members m
        JOIN resident r ON r.pnr = m.pnr AND r.aar = m.aar + 1
        JOIN activity f ON f.pnr = m.pnr AND f.aar = m.aar AND f.foertidspension_uger = 0
        WHERE m.aar BETWEEN {first} AND {last}
          AND EXISTS (SELECT 1 FROM {services} y WHERE y.pnr = m.pnr AND y.aar = m.aar AND y.ydelse = 'sel85')
        UNION ALL
        SELECT 'botilbud', m.pnr, m.aar FROM members m JOIN resident r ON r.pnr = m.pnr AND r.aar = m.aar + 1
        WHERE m.aar BETWEEN {first} AND {last}
          AND EXISTS (SELECT 1 FROM {services} y WHERE y.pnr = m.pnr AND y.aar = m.aar AND y.ydelse IN ({botilbud}))),
    chosen AS (SELECT scenarie, pnr, arg_min(aar, sha256(concat('{PARAMS.seed}:', pnr, ':', aar))) AS t
               FROM eligible GROUP BY ALL),
    cohort AS (
        SELECT c.scenarie, c.pnr, c.t,
               CASE WHEN c.scenarie = 'beskaeftigelse'
                    THEN coalesce(f.status_uge48 IN ({_list(SUCCESS_STATUSES)}), false)
                    ELSE NOT EXISTS (SELECT 1 FROM {services} y WHERE y.pnr = c.pnr AND y.aar = c.t + 1
                                                                   AND y.ydelse IN ({botilbud})) END AS succes
        FROM chosen c LEFT JOIN activity f ON f.pnr = c.pnr AND f.aar = c.t + 1),
    years AS (SELECT c.scenarie, c.pnr, c.succes, f.k, c.t + 1 + f.k AS aar
              FROM cohort c CROSS JOIN range(1, {FOLLOW_UP_YEARS + 1}) f(k)
              SEMI JOIN resident r ON r.pnr = c.pnr AND r.aar = c.t + 1 + f.k),
    days AS (SELECT pnr, aar, {days} FROM {services} WHERE pnr IN (SELECT pnr FROM cohort) GROUP BY ALL),
    volumes AS (SELECT y.scenarie, y.k, y.succes, {", ".join(f"f.{c}::DOUBLE AS {c}" for c in volumes)},
                       {", ".join(f"d.{s}::DOUBLE AS {s}" for s in codes.SERVICES)}
                FROM years y LEFT JOIN activity f ON f.pnr = y.pnr AND f.aar = y.aar
                LEFT JOIN days d ON d.pnr = y.pnr AND d.aar = y.aar)
    SELECT scenarie, k AS opfoelgningsaar, succes::INT AS succes, count(*) AS n, {means} FROM volumes
    GROUP BY scenarie, k, succes
    QUALIFY count(*) OVER (PARTITION BY scenarie, k) = 2  -- a follow-up year with both groups
    UNION ALL BY NAME
    SELECT scenarie, 0 AS opfoelgningsaar, succes::INT AS succes, count(*) AS n FROM cohort GROUP BY ALL"""


SQL = {"maalgruppe": maalgruppe, "befolkning": befolkning, "diagnoser": diagnoser, "forbrug": forbrug,
       "trappe_overgange": trappe_overgange, "trappe_bevaegelser": trappe_bevaegelser, "som": som}


def long_forbrug(wide: pd.DataFrame) -> pd.DataFrame:
    """The SQL's wide forbrug (antal_x, maengde_x per measure) in the package's long form."""
    measures = [c[len("antal_"):] for c in wide.columns if c.startswith("antal_")]
    parts = [wide[["omraade", "aar", "gruppe"]].assign(maal=m, antal=wide[f"antal_{m}"], maengde=wide[f"maengde_{m}"])
             for m in measures]
    table = pd.concat(parts, ignore_index=True)
    return table[table["antal"].notna()]


def roret_som(extract, params: Params) -> pd.DataFrame:
    """roret's cohort sizes and raw consequence estimates (the part SQL can compute), long form."""
    rows = []
    for scenario in consequences.SCENARIOS:
        people, years = consequences.follow_up(extract, params, scenario)
        for succes, n in people["succes"].value_counts().items():
            rows.append({"scenarie": scenario, "opfoelgningsaar": 0, "succes": succes, "n": n})
        years = consequences.comparable_years(years)
        stats = years.groupby(["k", "succes"])[list(POSTS)].mean()
        sizes = years.groupby(["k", "succes"]).size()
        for (k, succes), means in stats.iterrows():
            rows.append({"scenarie": scenario, "opfoelgningsaar": k, "succes": succes, "n": sizes[(k, succes)],
                         **means.to_dict()})
    return pd.DataFrame(rows)


def timed(compute):
    started = time.perf_counter()
    result = compute()
    return result, time.perf_counter() - started


def roret_tables(data: Path) -> tuple[dict[str, pd.DataFrame], dict[str, float], float]:
    """roret's tables (package areas, before disclosure control), one after the other in the
    package's order: what one table derives (the target group, say) is there for the next ones."""
    extract, load_seconds = timed(lambda: load_extract(data))
    tables, seconds = {}, {}
    for table in PACKAGE_TABLES.values():
        tables[table.id], seconds[table.id] = timed(
            lambda: aggregate(table.count(extract, PARAMS), package_areas(), list(table.values)))
    tables["som"], seconds["som"] = timed(lambda: roret_som(extract, PARAMS))
    return tables, seconds, load_seconds


def roret_run(data: Path) -> tuple[dict[str, pd.DataFrame], float]:
    """roret's tables as a package run makes them, loading and validation included: SØM's part on
    a second core beside the count tables (`registry.beside_the_counts`)."""
    def run() -> dict[str, pd.DataFrame]:
        extract = load_extract(data)
        with beside_the_counts(extract, lambda: roret_som(extract, PARAMS)) as som:
            return package_counts(extract, PARAMS, progress=lambda _: None) | {"som": som.result()}
    return timed(run)


def duckdb_tables(data: Path) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    every = municipality_codes()
    areas = pd.DataFrame([(omraade, kom) for omraade, members in package_areas()
                          for kom in (every if members is None else members)], columns=["omraade", "kom"])
    tables, seconds = {}, {}
    with duckdb.connect() as connection:
        connection.execute("SET enable_progress_bar = false")
        connection.register("areas", areas)
        for name, query in SQL.items():
            tables[name], seconds[name] = timed(lambda: connection.execute(query(data)).df())
    tables["forbrug"] = long_forbrug(tables["forbrug"])
    return tables, seconds


def assert_equal(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str], name: str) -> None:
    """The same cells; counts equal, volumes and means equal to rounding (SQL sums in another order)."""
    values = [c for c in theirs.columns if c not in keys]
    ours = ours.assign(**{k: ours[k].astype(str) for k in keys}).set_index(keys)[values]
    theirs = theirs.assign(**{k: theirs[k].astype(str) for k in keys}).set_index(keys)[values]
    ours = ours[(ours.fillna(0) != 0).any(axis=1)]  # the package lists zero cells, SQL leaves them out
    theirs = theirs[(theirs.fillna(0) != 0).any(axis=1)]
    assert sorted(ours.index) == sorted(theirs.index), f"{name}: different cells"
    ours, theirs = ours.sort_index(), theirs.sort_index()
    for column in values:
        assert np.allclose(ours[column].astype(float), theirs[column].astype(float), rtol=1e-9, atol=1e-9, equal_nan=True), \
            f"{name}: {column} differs"


KEYS = {"maalgruppe": ["omraade", "aar", "gruppe"], "befolkning": ["omraade", "aar", "gruppe"],
        "diagnoser": ["omraade", "aar", "gruppe", "diagnosegruppe"], "forbrug": ["omraade", "aar", "gruppe", "maal"],
        "trappe_overgange": ["omraade", "gruppe", "fra_trin", "til_trin"], "trappe_bevaegelser": ["omraade", "bevaegelse"],
        "som": ["scenarie", "opfoelgningsaar", "succes"]}


def main(data: Path) -> dict:
    ours, ours_seconds, load_seconds = roret_tables(data)
    as_run, run_seconds = roret_run(data)
    theirs, their_seconds = duckdb_tables(data)
    for name, keys in KEYS.items():
        assert_equal(ours[name], theirs[name], keys, name)
        assert_equal(as_run[name], theirs[name], keys, name)

    def row(ours_s, duck_s, aim=True):
        """A comparison; `aim`: the ratio is held to issue #21's aim (else shown as a bound)."""
        return {"roret_seconds": round(ours_s, 2), "duckdb_seconds": round(duck_s, 2), "ratio": round(ours_s / duck_s, 2),
                "aim": aim}
    result = {name: row(ours_seconds[name], their_seconds[name]) for name in SQL}
    result["all_tables"] = row(sum(ours_seconds.values()), sum(their_seconds.values()))
    result["all_tables_with_loading_and_validation"] = row(load_seconds + sum(ours_seconds.values()),
                                                           sum(their_seconds.values()), aim=False)
    result["all_tables_as_run_with_loading_and_validation"] = row(run_seconds, sum(their_seconds.values()))
    result["roret_load_and_validate_seconds"] = round(load_seconds, 2)
    return result


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]).resolve()), indent=1))
