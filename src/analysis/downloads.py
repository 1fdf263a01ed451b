"""The data a click away: each chapter page links its tables as CSV and as an Excel workbook,
its executed notebook and the PDF; the front page links one workbook with every table.

`write_downloads` puts the files in the HTML's data/ folder after the book is built;
`links` is the block of links a chapter page shows (added by the book_style extension).
"""
import html
import json
import shutil
from pathlib import Path

import pandas as pd

from . import __version__, citation
from .registry import BOOK_TABLES, DERIVED_DESCRIPTIONS, read_table
from .synth import SYNTHETIC_MARK
from .workbooks import add_sheet, new_workbook, save

FOLDER = "data"  # in the HTML
ALL_TABLES = "tabeller"  # the front page's workbook, data/tabeller.xlsx
CHAPTERS = {  # chapter notebook: the tables it shows (a test keeps this in step with the notebooks)
    "maalgruppe": ("maalgruppe", "diagnoser", "ydelser_fordeling", "udgifter_botilbud", "maalgruppe_andel"),
    "aktiviteter": ("forbrug_gennemsnit", "udgifter_hovedomraade"),
    "trappe": ("trappe_trin", "trappe_bevaegelser", "trappe_overgange", "trappe_test", "trappe_pr_10000"),
    "som": ("som_potentiale", "som_potentiale_samlet", "som_potentiale_betaler", "som_foelsomhed", "som_scenarie"),
    "sammenligning": ("sammenligning",),
}
FRONT_PAGE = "book/intro"


def description(table_id: str) -> str:
    return BOOK_TABLES[table_id].description if table_id in BOOK_TABLES else DERIVED_DESCRIPTIONS[table_id]


def definitions(tables: dict[str, pd.DataFrame], kommune: int | None, synthetic: bool, min_cell: int) -> pd.DataFrame:
    """The first sheet of a workbook: what the publication is, what an empty cell means, and
    each table's definition and columns."""
    rows = [("Publikation", f"{citation.title(kommune)}, version {__version__}"),
            ("Data", SYNTHETIC_MARK if synthetic else "Danmarks Statistiks registerdata"),
            ("Tomme celler", f"bygger på færre end {min_cell} personer og er diskretioneret"),
            ("Definitioner", "se publikationens metodekapitel")]
    rows += [(f"tabel {t}", f"{description(t)}. Kolonner: {', '.join(table.columns)}.") for t, table in tables.items()]
    return pd.DataFrame(rows, columns=["felt", "beskrivelse"])


def _workbook(tables: dict[str, pd.DataFrame], path: Path, kommune: int | None, synthetic: bool,
              min_cell: int) -> None:
    workbook = new_workbook()
    add_sheet(workbook, "definitioner", definitions(tables, kommune, synthetic, min_cell))
    for table_id, table in tables.items():
        add_sheet(workbook, table_id, table)
    save(workbook, path)


def write_downloads(stage: Path, kommune: int | None, synthetic: bool) -> None:
    """stage/html/data/: every table as CSV, a workbook per chapter and one with every table,
    and the PDF (when built), so that the HTML folder holds all it links to."""
    folder = stage / "html" / FOLDER
    folder.mkdir()
    min_cell = json.loads((stage / "disclosure.json").read_text(encoding="utf-8"))["graense"]
    for table in sorted((stage / "tables").glob("*.csv")):
        shutil.copy2(table, folder / table.name)
    tables = {t: read_table(stage / "tables", t) for ids in CHAPTERS.values() for t in ids}  # each read once
    for chapter, table_ids in CHAPTERS.items():
        _workbook({t: tables[t] for t in table_ids}, folder / f"{chapter}.xlsx", kommune, synthetic, min_cell)
    _workbook(tables, folder / f"{ALL_TABLES}.xlsx", kommune, synthetic, min_cell)
    for pdf in sorted((stage / "pdf").glob("*.pdf")) if (stage / "pdf").is_dir() else ():
        shutil.copy2(pdf, folder / pdf.name)


def links(pagename: str, pdf_name: str) -> str:
    """The block of links on a chapter page or the front page (HTML; empty on other pages)."""
    chapter = pagename.removeprefix("notebooks/")
    if pagename == FRONT_PAGE:
        items = [(f"../{FOLDER}/{ALL_TABLES}.xlsx", "Alle tabeller (Excel)")]
    elif pagename.startswith("notebooks/") and chapter in CHAPTERS:
        items = [(f"../{FOLDER}/{chapter}.xlsx", "Kapitlets tabeller (Excel)")]
        items += [(f"../{FOLDER}/{t}.csv", f"{t}.csv") for t in CHAPTERS[chapter]]
        items.append((f"../_sources/notebooks/{chapter}.ipynb", "Den kørte notebook"))
    else:
        return ""
    if pdf_name:
        items.append((f"../{FOLDER}/{pdf_name}", "Publikationen som PDF"))
    shown = " · ".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for href, text in items)
    return f'<p class="roret-data"><strong>Data:</strong> {shown}</p>\n'
