"""The leak scan catches person keys, person-level tables and small counts in any output."""
import json
import shutil
import site
from pathlib import Path
import struct
import zlib

import pandas as pd
import pytest

from analysis import leakscan
from analysis.leakscan import scan

KEYS = pd.Series([123456789, 987654321], dtype="int64")


@pytest.fixture
def build(tmp_path):
    (tmp_path / "tables").mkdir()
    pd.DataFrame({"aar": [2022], "omraade": ["landsplan"], "gruppe": ["i_alt"], "antal": [72000]}).to_csv(
        tmp_path / "tables" / "maalgruppe.csv", index=False)
    (tmp_path / "notebooks").mkdir()
    notebook = {"cells": [{"cell_type": "code", "source": "x = 1", "outputs": [
        {"output_type": "display_data", "data": {"text/plain": "72.000", "image/png": "iVBOR123456789w"}}]}]}
    (tmp_path / "notebooks" / "kapitel.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "kapitel.html").write_text("<p>I 2022 var 72.000 personer</p>")
    return tmp_path


def test_clean_build_has_no_findings(build):
    assert scan(build, KEYS, 5) == []


def test_person_key_in_a_notebook_output_is_caught(build):
    path = build / "notebooks" / "kapitel.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"][0]["outputs"][0]["data"]["text/plain"] = "borger 987654321"
    path.write_text(json.dumps(notebook))
    assert scan(build, KEYS, 5) == ["notebooks/kapitel.ipynb (cell 1 output): contains a person key of the input extract"]


def test_person_key_in_a_workbook_cell_is_caught_with_the_markup_left_out(build):
    from analysis.workbooks import add_sheet, new_workbook, save
    workbook = new_workbook()
    add_sheet(workbook, "tal", pd.DataFrame({"antal": [72000, 41067], "note": ["", "borger 987654321"]}))
    save(workbook, build / "kontrol.xlsx")
    assert scan(build, KEYS, 5) == ["kontrol.xlsx (xl/worksheets/sheet1.xml): contains a person key of the input extract"]


def test_person_key_in_a_table_or_page_is_caught(build):
    (build / "html" / "kapitel.html").write_text("<td>123456789</td>")
    pd.DataFrame({"antal": [10], "note": ["987654321"]}).to_csv(build / "tables" / "ekstra.csv", index=False)
    findings = scan(build, KEYS, 5)
    assert "html/kapitel.html (file): contains a person key of the input extract" in findings
    assert "tables/ekstra.csv (file): contains a person key of the input extract" in findings


def test_string_person_keys(build):
    (build / "html" / "kapitel.html").write_text("<td>ab12cd34</td>")
    assert scan(build, pd.Series(["ab12cd34"]), 5) == ["html/kapitel.html (file): contains a person key of the input extract"]


def test_person_level_table_and_column_are_caught(build):
    pd.DataFrame({"pnr": [1, 2], "antal": [10, 10]}).to_csv(build / "tables" / "personer.csv", index=False)
    pd.DataFrame({"x": range(20_001)}).to_csv(build / "tables" / "lang.csv", index=False)
    findings = scan(build, KEYS, 5)
    assert "tables/personer.csv: person-key column ['pnr']" in findings
    assert "tables/lang.csv: 20,001 rows — looks person-level" in findings


def test_a_displayed_frame_with_a_person_key_is_caught(build):
    path = build / "notebooks" / "kapitel.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"][0]["outputs"][0]["data"]["text/html"] = "<table><tr><th>pnr</th><th>alder</th></tr></table>"
    path.write_text(json.dumps(notebook))
    assert scan(build, KEYS, 5) == ["notebooks/kapitel.ipynb (cell 1 output): shows a person-key column"]


def test_small_count_in_a_registered_table_is_caught(build):
    pd.DataFrame({"aar": [2022, 2022], "omraade": ["landsplan", "751"], "gruppe": ["i_alt", "i_alt"],
                  "antal": [72000, 3]}).to_csv(build / "tables" / "maalgruppe.csv", index=False)
    assert scan(build, KEYS, 5) == ["tables/maalgruppe.csv: column 'antal' below 5 in row(s) [2]"]


@pytest.mark.parametrize("text", ["pnr_123456789", "id123456789x", "1.23456789e+08", "123.456.789", "123,456,789",
                                  "123\u00a0456\u00a0789"])
def test_a_key_written_in_another_form_is_caught(build, text):
    (build / "html" / "kapitel.html").write_text(f"<p>{text}</p>")
    assert scan(build, KEYS, 5) == ["html/kapitel.html (file): contains a person key of the input extract"]


@pytest.mark.parametrize("path", ["html/_static/script.js", "html/_images/figur.svg", "build.log", "html/x.yml",
                                  "html/_static/locale/da/sphinx.mo"])
def test_every_published_file_is_scanned(build, path):
    (build / path).parent.mkdir(parents=True, exist_ok=True)
    data = b"var borger = 987654321;" if not path.endswith(".mo") else b"\x95\x04\x12\xde\x00\x01987654321\x00\xff"
    (build / path).write_bytes(data)
    assert scan(build, KEYS, 5) == [f"{path} (file): contains a person key of the input extract"
                                    if not path.endswith(".mo") else
                                    f"{path} (printable text): contains a person key of the input extract"]


def png_with_text(text: str) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + text.encode()) + chunk(b"IEND", b""))


def test_text_chunks_of_images_are_scanned(build):
    (build / "html" / "_images").mkdir()
    (build / "html" / "_images" / "figur.png").write_bytes(png_with_text("borger 123456789"))
    assert scan(build, KEYS, 5) == ["html/_images/figur.png (text chunks): contains a person key of the input extract"]
    (build / "html" / "_images" / "figur.png").write_bytes(png_with_text("Software: matplotlib"))
    assert scan(build, KEYS, 5) == []


def test_a_short_key_is_caught_where_a_key_stands_and_years_are_not_keys(build):
    short = pd.Series([2022, 4711], dtype="int64")
    assert scan(build, short, 5) == []  # "I 2022 var ..." is a year, not person 2022
    (build / "html" / "kapitel.html").write_text("<p>I 2022 var 72.000 personer; pnr=4711</p>")
    assert scan(build, short, 5) == ["html/kapitel.html (file): contains a person key of the input extract"]


def test_a_published_number_is_not_taken_for_a_key(build):
    """A potential of 418.266 kr. where the person keys run from 400001 up."""
    pd.DataFrame({"scenarie": ["beskaeftigelse"], "metode": ["raa"], "kr_pr_borger_4aar": [418_266],
                  "ci_lav": [300_000], "ci_hoej": [500_000], "n_succes": [50], "n_ikke_succes": [60]}).to_csv(
        build / "tables" / "som_potentiale_samlet.csv", index=False)
    (build / "html" / "kapitel.html").write_text("<p>Potentialet er 418.266 kr. pr. borger</p>")
    keys = pd.Series(range(400_001, 500_001), dtype="int64")
    assert scan(build, keys, 5) == []
    (build / "html" / "kapitel.html").write_text("<p>Potentialet er 418.267 kr. pr. borger</p>")  # not published
    assert scan(build, keys, 5) == ["html/kapitel.html (file): contains a person key of the input extract"]


def test_hashes_are_not_read_as_keys(build):
    (build / "manifest.json").write_text(json.dumps({"sha256": "ab" + "123456789" + "f" * 53}))
    assert scan(build, KEYS, 5) == []


def test_copies_of_installed_package_files_are_passed_over_and_changed_copies_are_not(build):
    """The theme's icon font script holds long numbers; a copy of it holds nothing of the data."""
    shipped = next(Path(p) for p in site.getsitepackages()
                   for p in Path(p).glob("pydata_sphinx_theme/theme/pydata_sphinx_theme/static/scripts/fontawesome.js"))
    number = sorted(t for t, _ in leakscan._candidates(shipped.read_text(), True) if len(t) >= 6 and t[0] != "0")[0]
    key = pd.Series([int(number)], dtype="int64")
    copy = build / "html" / "_static" / "scripts" / "fontawesome.js"
    copy.parent.mkdir(parents=True)
    shutil.copy(shipped, copy)
    assert scan(build, key, 5) == []
    copy.write_text(shipped.read_text() + f"\n// borger {number}\n")
    assert scan(build, key, 5) == ["html/_static/scripts/fontawesome.js (file): contains a person key of the input extract"]
