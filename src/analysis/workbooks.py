"""Excel workbooks (.xlsx) that are byte-reproducible: one sheet per table, the workbook's dates
the build time, the archive's entries a fixed time."""
import io
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from .manifest import build_time

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def add_sheet(workbook: Workbook, title: str, table: pd.DataFrame, hidden: str | None = None) -> None:
    """`table` as a sheet named `title`, its header frozen; a missing value as `hidden` (or empty)."""
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(table.columns))
    for row in table.astype(object).where(table.notna(), hidden).to_numpy().tolist():  # plain Python values
        sheet.append(row)
    for number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = max(10, len(str(column)) + 2)
    sheet.freeze_panes = "A2"


def save(workbook: Workbook, path: Path) -> None:
    """Write `workbook` to `path` so that the same content gives the same bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)  # stamps the save time as modified: replaced below by the build time
    workbook.properties.created = workbook.properties.modified = build_time().replace(tzinfo=None)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            core = entry.filename == ARC_CORE
            target.writestr(fixed, tostring(workbook.properties.to_tree()) if core else source.read(entry.filename))
