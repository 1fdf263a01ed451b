"""One registry of output tables (table id -> function), used by `roret compute` and the book."""
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .contract import Extract
from .disclosure import Rules, suppress
from .params import Params
from .targetgroup import SIZE_RULES, size_by_year


@dataclass(frozen=True)
class TableDefinition:
    id: str
    compute: Callable[[Extract, Params], pd.DataFrame]
    rules: Rules  # disclosure control
    description: str


TABLES = {definition.id: definition for definition in (
    TableDefinition("maalgruppe", size_by_year, SIZE_RULES,
                    "Persons in the target group by year, area and sub-group"),
)}


@dataclass
class Tables:
    """Every registered table after disclosure control, and the record of what was hidden."""
    frames: dict[str, pd.DataFrame]
    audit: dict[str, list[dict]]


def compute_tables(extract: Extract, params: Params, progress: Callable[[str], None] = print) -> Tables:
    frames, audit = {}, {}
    for definition in TABLES.values():
        progress(f"table {definition.id}")
        raw = definition.compute(extract, params)
        frames[definition.id], audit[definition.id] = suppress(raw, definition.rules, params.min_celle, params)
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
    if table_id not in TABLES:
        raise KeyError(f"unknown table '{table_id}' (known: {', '.join(TABLES)})")
    return pd.read_csv(Path(directory) / f"{table_id}.csv", dtype={"omraade": "string"},
                       dtype_backend="numpy_nullable")
