"""One registry of output tables (table id -> function), used by `roret compute` and the book."""
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .contract import Extract
from .disclosure import suppress_small_counts
from .params import Params
from .targetgroup import size_by_year


@dataclass(frozen=True)
class TableDefinition:
    id: str
    compute: Callable[[Extract, Params], pd.DataFrame]
    count_columns: tuple[str, ...]  # under primary suppression
    description: str


TABLES = {definition.id: definition for definition in (
    TableDefinition("maalgruppe", size_by_year, ("antal",),
                    "Persons in the target group by year, area and sub-group"),
)}


def compute_tables(extract: Extract, params: Params, progress: Callable[[str], None] = print) -> dict[str, pd.DataFrame]:
    """Every registered table, after disclosure control."""
    tables = {}
    for definition in TABLES.values():
        progress(f"table {definition.id}")
        raw = definition.compute(extract, params)
        tables[definition.id] = suppress_small_counts(raw, definition.count_columns, params.min_celle)
    return tables


def write_tables(tables: dict[str, pd.DataFrame], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for table_id, table in tables.items():
        table.to_csv(directory / f"{table_id}.csv", index=False, lineterminator="\n")


def read_table(directory: Path | str, table_id: str) -> pd.DataFrame:
    """A written table as the book shows it (suppressed cells are missing)."""
    if table_id not in TABLES:
        raise KeyError(f"unknown table '{table_id}' (known: {', '.join(TABLES)})")
    return pd.read_csv(Path(directory) / f"{table_id}.csv", dtype={"omraade": "string"},
                       dtype_backend="numpy_nullable")
