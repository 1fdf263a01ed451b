"""Reproducibility helpers: the manifest as the appendix shows it, stripping volatile notebook
metadata, and verify's comparison of tables and notebooks."""
import hashlib

import nbformat

from analysis.execution import strip_volatile
from analysis.manifest import describe, sha256
from analysis.verify import notebook_differences, table_differences

MANIFEST = {
    "version": "9.9.9", "git_commit": None, "git_dirty": False, "build_time": "2026-01-02T03:04:05+00:00",
    "parameters": {"kommune": None, "sammenligning": [169, 751], "enhedspriser": "/x/y/enhedspriser.csv",
                   "ekstra_succeser": {"beskaeftigelse": 10, "botilbud": 5}, "diskonteringsrente": 0.0},
    "data": {"directory": "/data/udtraek", "kind": "udtraek", "synthetic": True},
    "inputs": {"data/bopael.parquet": "ab" * 32, "pakke/enhedspriser.csv": "ef" * 32, "enhedspriser": "ef" * 32},
    "tables": {"tables/maalgruppe.csv": "cd" * 32},
    "packages": {"pandas": "3.1.1"},
}


def test_sha256_of_a_file(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"roret")
    assert sha256(path) == hashlib.sha256(b"roret").hexdigest()


def test_manifest_as_the_appendix_shows_it():
    tables = describe(MANIFEST)
    parameters = dict(zip(tables["parametre"]["parameter"], tables["parametre"]["vaerdi"]))
    assert parameters == {"kommune": "ingen", "sammenligning": "169, 751", "enhedspriser": "enhedspriser.csv",
                          "ekstra_succeser": "beskaeftigelse: 10, botilbud: 5", "diskonteringsrente": "0.0"}
    build = dict(zip(tables["bygning"]["felt"], tables["bygning"]["vaerdi"]))
    assert build["git_commit"] == "ukendt" and build["syntetisk"] == "ja" and build["version"] == "9.9.9"
    assert build["build_time"] == "2026-01-02T03:04:05+00:00"
    assert build["data"] == "udtraek (udtraek)"  # its name, never the local path "/data/udtraek"
    assert tables["input"].values.tolist() == [["data/bopael.parquet", " ".join(["abababababababab"] * 4)],
                                               ["pakke/enhedspriser.csv", " ".join(["efefefefefefefef"] * 4)]]
    assert tables["tabeller"].values.tolist() == [["tables/maalgruppe.csv", " ".join(["cdcdcdcdcdcdcdcd"] * 4)]]


def test_strip_volatile_metadata_and_number_the_cells():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_markdown_cell("x")])
    notebook.metadata["papermill"] = {"start_time": "t0", "end_time": "t1", "duration": 1.5, "input_path": "/a",
                                      "output_path": "/b", "parameters": {"aar": 2022}}
    notebook.cells[0].metadata.update({"papermill": {"duration": 0.1}, "execution": {"iopub.status.busy": "t"},
                                       "tags": ["parameters"]})
    stripped = strip_volatile(notebook)
    assert stripped.metadata["papermill"] == {"parameters": {"aar": 2022}}
    assert stripped.cells[0].metadata == {"tags": ["parameters"]}
    assert [c.id for c in stripped.cells] == ["cell-1", "cell-2"]


def test_table_differences_name_row_column_and_values(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("omraade,antal\nlandsplan,100\ncasekommuner,\n")
    new.write_text("omraade,antal\nlandsplan,101\ncasekommuner,7\n")
    assert table_differences("t.csv", old, new) == ["table t.csv, row 2, column 'antal': 100 → 101",
                                                   "table t.csv, row 3, column 'antal': (tom) → 7"]
    new.write_text("omraade,antal\nlandsplan,100\n")
    assert table_differences("t.csv", old, new)[0].startswith("table t.csv: shape 2×")


def test_notebook_differences_name_the_cell(tmp_path):
    def write(name, text):
        cell = nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", text=text)])
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("a"), cell]), tmp_path / name)
        return tmp_path / name
    assert notebook_differences("n.ipynb", write("a.ipynb", "1\n"), write("b.ipynb", "1\n")) == []
    assert notebook_differences("n.ipynb", write("a.ipynb", "1\n"), write("b.ipynb", "2\n")) == \
        ["notebook n.ipynb, cell 2: outputs differ"]
