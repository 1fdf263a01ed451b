"""The target group and the staircase movements in plain DuckDB SQL over the extract's Parquet
files, timed against roret's own functions on the same data; the results must be equal.

    python benchmarks/duckdb_side_by_side.py DATA   → JSON on stdout
"""
import json
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

from analysis.codes import TARGET_REASONS, TARGET_SERVICES
from analysis.contract import load_extract
from analysis.params import Params
from analysis.areas import aggregate, book_areas
from analysis.staircase import load_staircase, movement_counts
from analysis.targetgroup import size_counts

MUNICIPALITY = 751


def _list(values) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values)


def members_sql(data: Path) -> str:
    return f"""
    qualifying AS (
        SELECT pnr, aar, bool_or(maalgruppe = 'kognitiv') AS kognitiv, bool_or(maalgruppe = 'sindslidelse') AS sindslidelse
        FROM '{data}/ydelser.parquet'
        WHERE ydelse IN ({_list(TARGET_SERVICES)}) AND maalgruppe IN ({_list(TARGET_REASONS)})
        GROUP BY pnr, aar),
    members AS (
        SELECT b.pnr, b.aar, b.kom, q.kognitiv, q.sindslidelse
        FROM '{data}/bopael.parquet' b JOIN qualifying q USING (pnr, aar) WHERE b.alder >= 18),
    areas AS (
        SELECT 'landsplan' AS omraade, kom FROM (SELECT DISTINCT kom FROM '{data}/bopael.parquet')
        UNION ALL SELECT 'casekommuner', unnest([{_list(Params().sammenligning)}])
        UNION ALL SELECT '{MUNICIPALITY}', {MUNICIPALITY})"""


def target_group_sql(data: Path) -> str:
    return f"""WITH {members_sql(data)}
    SELECT aar, omraade, count(*) AS i_alt, sum(kognitiv::INT) AS kognitiv, sum(sindslidelse::INT) AS sindslidelse
    FROM members JOIN areas USING (kom) GROUP BY aar, omraade"""


def movements_sql(data: Path, params: Params) -> str:
    staircase = load_staircase(params.indsatstrappe)
    steps = ", ".join(f"('{service}', {step})" for service, step in staircase.step_of.items())
    base, end, anchor = params.trappe_basisaar, params.trappe_basisaar + 2, staircase.anchor
    return f"""WITH {members_sql(data)},
    stairs(ydelse, trin) AS (VALUES {steps}),
    steps AS (SELECT pnr, aar, max(trin) AS trin FROM '{data}/ydelser.parquet' JOIN stairs USING (ydelse)
              GROUP BY pnr, aar),
    followed AS (
        SELECT m.pnr, m.kom, coalesce(s0.trin, 0) AS fra,
               CASE WHEN b.pnr IS NULL THEN -1 ELSE coalesce(s2.trin, 0) END AS til
        FROM members m
        LEFT JOIN steps s0 ON s0.pnr = m.pnr AND s0.aar = {base}
        LEFT JOIN steps s2 ON s2.pnr = m.pnr AND s2.aar = {end}
        LEFT JOIN (SELECT pnr FROM '{data}/bopael.parquet' WHERE aar = {end}) b ON b.pnr = m.pnr
        WHERE m.aar = {base})
    SELECT omraade,
           CASE WHEN til < 0 THEN 'udgaaet' WHEN til = 0 THEN 'ingen' WHEN til < {anchor} THEN 'lavere'
                WHEN til = {anchor} THEN 'samme' ELSE 'hoejere' END AS bevaegelse,
           count(*) AS antal
    FROM followed JOIN areas USING (kom) WHERE fra = {anchor} GROUP BY ALL"""


def timed(compute):
    started = time.perf_counter()
    result = compute()
    return result, time.perf_counter() - started


def main(data: Path) -> dict:
    params = Params(kommune=MUNICIPALITY)
    extract, load_seconds = timed(lambda: load_extract(data))
    areas = book_areas(params)  # the counts before disclosure control, as the SQL gives them
    ours_size, ours_size_s = timed(lambda: aggregate(size_counts(extract, params), areas, ["antal"]))
    ours_moves, ours_moves_s = timed(lambda: aggregate(movement_counts(extract, params), areas, ["antal"]))
    with duckdb.connect() as connection:
        duck_size, duck_size_s = timed(lambda: connection.sql(target_group_sql(data)).df())
        duck_moves, duck_moves_s = timed(lambda: connection.sql(movements_sql(data, params)).df())

    ours = ours_size.pivot_table(index=["aar", "omraade"], columns="gruppe", values="antal").astype(int)
    theirs = duck_size.set_index(["aar", "omraade"])[ours.columns].astype(int)
    pd.testing.assert_frame_equal(ours.sort_index(), theirs.sort_index(), check_names=False, check_index_type=False, check_dtype=False)
    ours = ours_moves.set_index(["omraade", "bevaegelse"])["antal"].astype(int)
    ours = ours[ours > 0]
    theirs = duck_moves.set_index(["omraade", "bevaegelse"])["antal"].astype(int)
    pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_names=False, check_index_type=False, check_dtype=False)

    def row(ours_s, duck_s):
        return {"roret_seconds": round(ours_s, 2), "duckdb_seconds": round(duck_s, 2), "ratio": round(ours_s / duck_s, 1)}
    # roret's member and step tables are cached on the extract: the staircase timing includes the
    # step computation but reuses the members computed for the target group.
    return {"target_group": row(ours_size_s, duck_size_s), "staircase_movements": row(ours_moves_s, duck_moves_s),
            "both_with_loading_and_validation": row(load_seconds + ours_size_s + ours_moves_s, duck_size_s + duck_moves_s),
            "roret_load_and_validate_seconds": round(load_seconds, 1)}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]).resolve())))
