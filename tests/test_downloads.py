"""The data a click away: which tables each chapter links, and the links themselves."""
import re
from pathlib import Path

from analysis.downloads import CHAPTERS, links

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_each_chapter_links_exactly_the_tables_its_notebook_shows():
    for notebook in NOTEBOOKS.glob("*.py"):
        read = set(re.findall(r'read_table\(tabeller, "(\w+)"\)', notebook.read_text(encoding="utf-8")))
        assert read == set(CHAPTERS.get(notebook.stem, ())), notebook.name


def test_a_chapter_links_its_workbook_tables_notebook_and_pdf():
    block = links("notebooks/trappe", "roret-751.pdf")
    hrefs = re.findall(r'href="([^"]+)"', block)
    assert hrefs == ["../data/trappe.xlsx", *[f"../data/{t}.csv" for t in CHAPTERS["trappe"]],
                     "../_sources/notebooks/trappe.ipynb", "../data/roret-751.pdf"]


def test_the_front_page_links_every_table_and_no_pdf_when_none_was_built():
    assert re.findall(r'href="([^"]+)"', links("book/intro", "")) == ["../data/tabeller.xlsx"]
    assert links("book/metode", "roret.pdf") == "" and links("notebooks/reproducerbarhed", "roret.pdf") == ""
