"""The tables: the result package's (counted where the microdata are, protected as one system)
and the book's (formed from a package for the book's areas, with no microdata)."""
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import pandas as pd
from threadpoolctl import threadpool_limits

from . import consequences, profile, som, staircase
from .areas import COMPARISON, NATIONAL, aggregate, book_areas, package_areas, select
from .comparison import compare
from .contract import Extract
from .disclosure import protect_estimates
from .params import Params
from .prices import service_days
from .protection import apply_hidden, audit_records, build_system, protect
from .targetgroup import members, size_by_year, size_counts

T = TypeVar("T")


@dataclass(frozen=True)
class PackageTable:
    id: str
    count: Callable[[Extract, Params], pd.DataFrame]  # per municipality (kom, keys, values)
    values: tuple[str, ...]
    description: str  # Danish, for LAESMIG.md


PACKAGE_TABLES = {t.id: t for t in (
    PackageTable("maalgruppe", size_counts, ("antal",), "Personer i målgruppen efter år, område og undergruppe"),
    PackageTable("befolkning", profile.population_counts, ("antal",),
                 "Voksne og beboere i aldersgruppen til tal pr. 10.000, efter område"),
    PackageTable("diagnoser", profile.diagnosis_counts, ("antal",),
                 "Personer i målgruppen efter undergruppe og diagnosegruppe"),
    PackageTable("forbrug", profile.activity_counts, ("antal", "maengde"),
                 "Personer med hver ydelse eller aktivitet og dens mængde, efter gruppe"),
    PackageTable("trappe_overgange", staircase.transition_counts, ("antal",),
                 "Målgruppen i basisåret efter trin i basisåret og to år senere"),
    PackageTable("trappe_bevaegelser", staircase.movement_counts, ("antal",),
                 "Personer på § 85-trinnet i basisåret efter bevægelse to år senere"),
)}

# SØM's consequence estimates (METHODS.md §3): national, computed and protected together.
SOM_TABLES = {
    "som_kohorte": "SØM: succes- og ikke-succesgruppens størrelse i hvert scenarie",
    "som_konsekvens": "SØM-konsekvensestimater: gennemsnitlig mængde pr. gruppe, rå og justeret forskel, "
                      "efter scenarie, post og opfølgningsår",
    "som_kovarians": "SØM: klyngerobust kovarians mellem forskellene efter scenarie og metode",
}
SOM_VALUES = ("gennemsnit_succes", "gennemsnit_ikke_succes", "forskel_raa", "forskel_justeret", "kovarians")


@dataclass(frozen=True)
class BookTable:
    id: str
    compute: Callable[[dict[str, pd.DataFrame], Params], pd.DataFrame]  # from the book areas' package rows
    counts: tuple[str, ...]  # columns of persons
    measures: tuple[str, ...]  # shares, means, rates, costs and tests formed from counts
    description: str  # Danish: the definitions sheet of the book's workbooks


BOOK_TABLES = {t.id: t for t in (
    BookTable("maalgruppe", size_by_year, ("antal",), (),
              "Antal voksne i målgruppen efter år, område og undergruppe"),
    BookTable("diagnoser", profile.diagnosis_shares, ("antal",), ("andel",),
              "Andel af målgruppen med hver diagnosegruppe (rapportens figur 2–3)"),
    BookTable("ydelser_fordeling", profile.service_distribution, ("antal",), ("andel_personer", "andel_udgifter"),
              "Målgruppen fordelt på de fem ydelser og ydelsernes andel af kommunernes udgifter (figur 4–5)"),
    BookTable("udgifter_botilbud", profile.botilbud_cost_share, ("antal",), ("andel_personer", "andel_udgifter"),
              "Borgere i målgruppen på botilbud og deres andel af kommunernes udgifter til de fem ydelser"),
    BookTable("forbrug_gennemsnit", profile.activity_profile, (), ("vaerdi",),
              "Den gennemsnitlige borger i målgruppens ydelser og aktiviteter mod alle voksne (figur 6–7, 13–14)"),
    BookTable("udgifter_hovedomraade", profile.costs_by_main_area, (), ("kr_pr_person", "kr_pr_person_kommune"),
              "Offentlige udgifter pr. person efter hovedområde, alle betalere og kommunernes andel (figur 8)"),
    BookTable("maalgruppe_andel", profile.recipient_shares, ("antal_maalgruppe", "antal_modtagere"), ("andel",),
              "Målgruppens andel af alle voksne modtagere af hver ydelse (figur 9)"),
    BookTable("trappe_trin", staircase.step_table, (), (),
              "Indsatstrappens trin, deres ydelser og trinnet, bevægelserne tælles fra"),
    BookTable("trappe_bevaegelser", staircase.movements, ("antal",), ("andel",),
              "Bevægelser fra § 85-trinnet i basisåret til to år efter (figur 11–12)"),
    BookTable("trappe_overgange", staircase.transitions, ("antal",), ("andel", "ci_lav", "ci_hoej"),
              "Overgange mellem trinnene over to år med 95 pct.-konfidensintervaller (Wilson)"),
    BookTable("trappe_test", staircase.difference_tests, (), ("andel", "andel_resten", "z", "p_vaerdi"),
              "Bevægelser ned og op: hvert område mod resten af landet (test for to andele)"),
    BookTable("trappe_pr_10000", staircase.rates_per_10000,
              ("antal", "befolkning", "antal_voksne", "befolkning_voksne"), ("pr_10000", "pr_10000_voksne"),
              "Målgruppens modtagere af trappens ydelser pr. 10.000 indbyggere i aldersgruppen (figur 10)"),
    BookTable("som_potentiale", som.potentials, (), ("kr_pr_borger",),
              "SØM: råt potentiale pr. borger efter scenarie, hovedområde og opfølgningsår (figur 15–16)"),
    BookTable("som_potentiale_samlet", som.totals, ("n_succes", "n_ikke_succes"),
              ("kr_pr_borger_4aar", "ci_lav", "ci_hoej"),
              "SØM: potentiale over fire år, råt og regressionsjusteret, med 95 pct.-konfidensintervaller"),
    BookTable("som_potentiale_betaler", som.payer_potentials, (), ("kr_pr_borger",),
              "SØM: råt potentiale pr. borger efter scenarie, betaler og opfølgningsår"),
    BookTable("som_foelsomhed", som.sensitivity, (), ("kr_pr_borger_4aar",),
              "SØM: potentiale over fire år med priser ±20 pct. pr. hovedområde og 3,5 pct. diskontering"),
    BookTable("som_scenarie", som.scenario_calculator, (), ("kr",),
              "SØM: budgeteffekt pr. år og betaler af ekstra succeser (scenarieberegner)"),
)}
# Tables computed from the book's other tables (no microdata, nothing further to protect).
DERIVED = {"sammenligning": compare}
DERIVED_DESCRIPTIONS = {"sammenligning": "Rapportens offentliggjorte tal over for denne udgaves, med tolerance"}
TABLES = [*BOOK_TABLES, *DERIVED]  # the book's tables, in order


def value_columns(table_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(counts of persons, measures formed from them) of a book or package table (none if unknown)."""
    counts, measures = (), ()
    if table_id in BOOK_TABLES:
        counts, measures = BOOK_TABLES[table_id].counts, BOOK_TABLES[table_id].measures
    if table_id in PACKAGE_TABLES:
        counts, measures = (*counts, "antal"), (*measures, *PACKAGE_TABLES[table_id].values[1:])
    if table_id in SOM_TABLES:
        counts, measures = ("n_succes", "n_ikke_succes"), tuple(SOM_VALUES)
    return tuple(dict.fromkeys(counts)), tuple(dict.fromkeys(measures))


GROUP_REASON = "sammenligningsgruppen omfatter en kommune, hvis celle er skjult i resultatpakken"


@dataclass
class Package:
    """A result package: its protected tables (all package areas), the record of what was
    hidden, and the parameters it was computed with."""
    tables: dict[str, pd.DataFrame]
    audit: dict[str, list[dict]]
    params: Params


@dataclass
class Tables:
    """A book's tables and the record of what was hidden."""
    frames: dict[str, pd.DataFrame]
    audit: dict[str, list[dict]]


def compute_package(extract: Extract, params: Params, progress: Callable[[str], None] = print) -> Package:
    """The result package of an extract: every package table for every area, protected as one system."""
    package_params = national(params)
    return extract.memo(("package", repr(package_params)), lambda: _compute_package(extract, package_params, progress))


def national(params: Params) -> Params:
    """The parameters a package is computed with: the same for every book made from it."""
    return replace(params, kommune=None, sammenligning=Params().sammenligning)


def _compute_package(extract: Extract, params: Params, progress: Callable[[str], None]) -> Package:
    progress("SØM's consequence estimates, beside the package tables and their disclosure control")
    with beside_the_counts(extract, lambda: consequences.estimates(extract, params)) as som_estimates:
        tables = package_counts(extract, params, progress)
        progress("disclosure control over the whole package")
        system = build_system(tables, params)
        hidden, log = protect(system, params.min_celle)
        shown, audit = apply_hidden(system, hidden), audit_records(system, log, params.min_celle)
        estimates, estimates_audit = protect_estimates(som_estimates.result(), params.min_celle)
    return Package(shown | estimates, audit | estimates_audit, params)


@contextmanager
def beside_the_counts(extract: Extract, job: Callable[[], T]) -> Iterator[Future[T]]:
    """`job` (SØM's estimates) running on a second core while the block counts the package tables:
    two independent jobs, each with one BLAS thread (more would only wait for each other). What
    both build on is derived once before they start, also on both cores."""
    with ThreadPoolExecutor(1) as pool:
        days = pool.submit(service_days, extract)
        members(extract)
        days.result()
        with threadpool_limits(limits=1, user_api="blas"):
            yield pool.submit(job)


def package_counts(extract: Extract, params: Params, progress: Callable[[str], None]) -> dict[str, pd.DataFrame]:
    """Every package table for every package area, before disclosure control."""
    tables = {}
    for table in PACKAGE_TABLES.values():
        progress(f"package table {table.id}")
        tables[table.id] = aggregate(table.count(extract, params), package_areas(), list(table.values))
    return tables


def book_tables(package: Package, params: Params, progress: Callable[[str], None] = print) -> Tables:
    """A book's tables from a package: the book's areas' rows, comparison groups summed from
    protected municipal cells (missing where a member's cell is hidden). The report's figures
    are compared with the report's own case municipalities, whatever the book's group."""
    rows = _rows(package, params)
    frames = _frames(rows, params, progress)
    reports = replace(params, sammenligning=Params().sammenligning)
    reference = frames if sorted(params.sammenligning) == sorted(reports.sammenligning) else _frames(
        _rows(package, reports), reports, lambda _: None)
    frames |= {table_id: derive(reference, params) for table_id, derive in DERIVED.items()}
    shown_areas = {omraade for omraade, _ in book_areas(params)}
    audit = {table_id: [r for r in records if r["celle"].get("omraade", NATIONAL) in shown_areas]
             for table_id, records in package.audit.items()}
    for table_id in PACKAGE_TABLES:
        table = rows[table_id]
        group = table[(table["omraade"] == COMPARISON) & table["antal"].isna()]
        audit[table_id] += [{"celle": cell, "regel": "secondary", "begrundelse": GROUP_REASON,
                             "graense": params.min_celle}
                            for cell in group.drop(columns=list(PACKAGE_TABLES[table_id].values)).to_dict("records")]
    return Tables(frames, audit)


def _rows(package: Package, params: Params) -> dict[str, pd.DataFrame]:
    """The package rows of a book's areas (its comparison group summed from municipal cells)."""
    rows = {t.id: select(package.tables[t.id], book_areas(params), list(t.values)) for t in PACKAGE_TABLES.values()}
    return rows | {table_id: package.tables[table_id] for table_id in SOM_TABLES}


def _frames(rows: dict[str, pd.DataFrame], params: Params, progress: Callable[[str], None]) -> dict[str, pd.DataFrame]:
    """The book tables computed from a book's package rows."""
    frames = {}
    for table in BOOK_TABLES.values():
        progress(f"table {table.id}")
        frames[table.id] = table.compute(rows, params).reset_index(drop=True)
    return frames


def compute_tables(extract: Extract, params: Params, progress: Callable[[str], None] = print) -> Tables:
    """A book's tables straight from an extract: through the protected package, as anywhere else."""
    return book_tables(compute_package(extract, params, progress), params, progress)


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
    if table_id not in TABLES:
        raise KeyError(f"unknown table '{table_id}' (known: {', '.join(TABLES)})")
    return pd.read_csv(Path(directory) / f"{table_id}.csv", dtype={"omraade": "string"},
                       dtype_backend="numpy_nullable")
