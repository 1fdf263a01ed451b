"""One registry of output tables (table id -> function), used by `roret compute` and the book."""
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from .contract import Extract
from .disclosure import Rules, suppress
from .params import Params
from . import profile, som, staircase
from .comparison import compare
from .targetgroup import SIZE_RULES, size_by_year


@dataclass(frozen=True)
class TableDefinition:
    id: str
    compute: Callable[[Extract, Params], pd.DataFrame]
    rules: Rules  # disclosure control
    description: str
    by_area: bool = True  # False: national only, the same for every municipality's book


TABLES = {definition.id: definition for definition in (
    TableDefinition("maalgruppe", size_by_year, SIZE_RULES,
                    "Persons in the target group by year, area and sub-group"),
    TableDefinition("diagnoser", profile.diagnosis_shares, profile.DIAGNOSIS_RULES,
                    "Share of the target group with each diagnosis group (figures 2-3)"),
    TableDefinition("ydelser_fordeling", profile.service_distribution, profile.SERVICE_RULES,
                    "Members per target service and municipal cost shares (figures 4-5)"),
    TableDefinition("udgifter_botilbud", profile.botilbud_cost_share, profile.BOTILBUD_RULES,
                    "Members on a botilbud and their share of the municipal cost"),
    TableDefinition("forbrug_gennemsnit", profile.activity_profile, profile.ACTIVITY_RULES,
                    "The average member's services and activities against all adults (figures 6-7, 13-14)"),
    TableDefinition("udgifter_hovedomraade", profile.costs_by_main_area, profile.COST_RULES,
                    "Public cost per person by main area (figure 8)"),
    TableDefinition("maalgruppe_andel", profile.recipient_shares, profile.RECIPIENT_RULES,
                    "Members as a share of all adult recipients per service (figure 9)"),
    TableDefinition("trappe_trin", staircase.step_table, staircase.STEP_RULES,
                    "The staircase's steps, their services and the step movements are counted from",
                    by_area=False),
    TableDefinition("trappe_bevaegelser", staircase.movements, staircase.MOVEMENT_RULES,
                    "Movements from the § 85 step in the base year to two years on (figures 11-12)"),
    TableDefinition("trappe_overgange", staircase.transitions, staircase.TRANSITION_RULES,
                    "Step-to-step transitions over two years with 95 % Wilson intervals"),
    TableDefinition("trappe_test", staircase.difference_tests, staircase.TEST_RULES,
                    "Moving down and up: each area against the rest of the country (z-test)"),
    TableDefinition("trappe_pr_10000", staircase.rates_per_10000, staircase.RATE_RULES,
                    "Target-group recipients of each staircase service per 10,000 residents of an age band (figure 10)"),
    TableDefinition("som_potentiale", som.potentials, som.POTENTIAL_RULES,
                    "SØM: raw potential per person by scenario, main area and follow-up year (figures 15-16)",
                    by_area=False),
    TableDefinition("som_potentiale_samlet", som.totals, som.TOTAL_RULES,
                    "SØM: four-year potential, raw and regression-adjusted, with 95 % intervals",
                    by_area=False),
    TableDefinition("som_potentiale_betaler", som.payer_potentials, som.POTENTIAL_RULES,
                    "SØM: raw potential per person by scenario, payer and follow-up year",
                    by_area=False),
    TableDefinition("som_foelsomhed", som.sensitivity, som.SENSITIVITY_RULES,
                    "SØM: four-year potential under ±20 % prices per area and 3.5 % discounting",
                    by_area=False),
    TableDefinition("som_scenarie", som.scenario_calculator, som.SCENARIO_RULES,
                    "SØM: budget effect per year and payer of extra successes",
                    by_area=False),
)}


# Tables computed from the disclosed tables above (no microdata, no further disclosure control),
# from their national and comparison-group rows only: the same for every municipality's book.
DERIVED = {"sammenligning": compare}


@dataclass
class Tables:
    """Every registered table after disclosure control, and the record of what was hidden."""
    frames: dict[str, pd.DataFrame]
    audit: dict[str, list[dict]]


def _compute(definition: TableDefinition, extract: Extract, params: Params) -> pd.DataFrame:
    """A table before disclosure control; national-only tables are computed once per extract
    and parameters, whichever municipality the book is about."""
    if definition.by_area:
        return definition.compute(extract, params)
    national = replace(params, kommune=None)
    return extract.memo(_national_key(definition.id, params), lambda: definition.compute(extract, national))


def _national_key(table_id: str, params: Params) -> tuple:
    """Memo key of a table that is the same whichever municipality the book is about."""
    return "table", table_id, repr(replace(params, kommune=None))


def compute_tables(extract: Extract, params: Params, progress: Callable[[str], None] = print) -> Tables:
    frames, audit = {}, {}
    for definition in TABLES.values():
        progress(f"table {definition.id}")
        raw = _compute(definition, extract, params)
        frames[definition.id], audit[definition.id] = suppress(raw, definition.rules, params.min_celle, params)
    for table_id, derive in DERIVED.items():
        frames[table_id] = extract.memo(_national_key(table_id, params), lambda: derive(frames, params))
    return Tables(frames, audit)


def write_tables(tables: Tables, directory: Path, params: Params) -> None:
    """tables/<id>.csv (suppressed cells empty) and disclosure.json beside the tables folder."""
    (directory / "tables").mkdir(parents=True, exist_ok=True)
    for table_id, table in tables.frames.items():
        table.to_csv(directory / "tables" / f"{table_id}.csv", index=False, lineterminator="\n")
    record = {"graense": params.min_celle, "tabeller": tables.audit}
    (directory / "disclosure.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")


def read_table(directory: Path | str, table_id: str) -> pd.DataFrame:
    """A written table as the book shows it (suppressed cells are missing)."""
    if table_id not in TABLES and table_id not in DERIVED:
        raise KeyError(f"unknown table '{table_id}' (known: {', '.join([*TABLES, *DERIVED])})")
    return pd.read_csv(Path(directory) / f"{table_id}.csv", dtype={"omraade": "string"},
                       dtype_backend="numpy_nullable")
