"""PKG/kontrol.xlsx: the result package as DST's output checker reads it (Danish).

One sheet per table with every published value and the counts it rests on, suppressed
cells written as "skjult"; a sheet listing every suppression with its rule and reason.
The file is byte-reproducible (`workbooks`).
"""
from pathlib import Path

import pandas as pd

from .registry import Package
from .workbooks import add_sheet, new_workbook, save

HIDDEN = "skjult"


def _overview(package: Package) -> pd.DataFrame:
    rows = [("Grænse (min_celle)", package.params.min_celle)]
    rows += [(f"Skjulte celler i {table_id}", len(records)) for table_id, records in package.audit.items()]
    rows.append(("Skjult celle", f'står som "{HIDDEN}"; alle andre tal er offentliggjort som vist'))
    return pd.DataFrame(rows, columns=["felt", "vaerdi"])


def _suppressions(package: Package) -> pd.DataFrame:
    rows = [(table_id, ", ".join(f"{k}={v}" for k, v in record["celle"].items()), record["regel"],
             record["begrundelse"]) for table_id, records in package.audit.items() for record in records]
    return pd.DataFrame(rows, columns=["tabel", "celle", "regel", "begrundelse"])


def write_kontrol(package: Package, path: Path) -> None:
    """kontrol.xlsx for `package`, reproducibly."""
    workbook = new_workbook()
    add_sheet(workbook, "oversigt", _overview(package))
    for table_id, table in package.tables.items():
        add_sheet(workbook, table_id, table, HIDDEN)
    add_sheet(workbook, "skjulte_celler", _suppressions(package))
    save(workbook, path)
