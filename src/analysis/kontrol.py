"""PKG/kontrol.xlsx: the result package as DST's output checker reads it (Danish).

One sheet per table with every published value and the counts it rests on, suppressed
cells written as "skjult"; a sheet listing every suppression with its rule and reason.
The file is byte-reproducible: the workbook's dates are the build time, the archive's
entries carry a fixed time.
"""
import io
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from .manifest import build_time
from .registry import Package

HIDDEN = "skjult"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _overview(package: Package) -> pd.DataFrame:
    rows = [("Grænse (min_celle)", package.params.min_celle)]
    rows += [(f"Skjulte celler i {table_id}", len(records)) for table_id, records in package.audit.items()]
    rows.append(("Skjult celle", f'står som "{HIDDEN}"; alle andre tal er offentliggjort som vist'))
    return pd.DataFrame(rows, columns=["felt", "vaerdi"])


def _suppressions(package: Package) -> pd.DataFrame:
    rows = [(table_id, ", ".join(f"{k}={v}" for k, v in record["celle"].items()), record["regel"],
             record["begrundelse"]) for table_id, records in package.audit.items() for record in records]
    return pd.DataFrame(rows, columns=["tabel", "celle", "regel", "begrundelse"])


def _sheet(workbook: Workbook, title: str, table: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append([HIDDEN if pd.isna(value) else (value.item() if hasattr(value, "item") else value)
                      for value in row])
    for number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(10, len(str(column)) + 2)
    sheet.freeze_panes = "A2"


def write_kontrol(package: Package, path: Path) -> None:
    """kontrol.xlsx for `package`, reproducibly."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "oversigt", _overview(package))
    for table_id, table in package.tables.items():
        _sheet(workbook, table_id, table)
    _sheet(workbook, "skjulte_celler", _suppressions(package))
    buffer = io.BytesIO()
    workbook.save(buffer)  # stamps the save time as modified: replaced below by the build time
    workbook.properties.created = workbook.properties.modified = build_time().replace(tzinfo=None)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            core = entry.filename == ARC_CORE
            target.writestr(fixed, tostring(workbook.properties.to_tree()) if core else source.read(entry.filename))
