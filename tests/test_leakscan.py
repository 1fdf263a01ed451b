"""The leak scan catches person keys, person-level tables and small counts in any output."""
import json

import pandas as pd
import pytest

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
