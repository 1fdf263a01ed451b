"""End to end: a small synthetic extract through `roret build`, then nbval over the executed notebooks."""
import json
import os
import re
import subprocess
import sys

import pytest

from analysis import __version__
from analysis import build as pipeline
from analysis.book import SYNTHETIC_MARK, tal
from analysis.cli import main
from analysis.contract import load_extract
from analysis.manifest import sha256
from analysis.params import Params
from analysis.registry import read_table
from analysis.synth import write_synthetic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    data, out = root / "data", root / "out"
    write_synthetic(data, scale=0.01, seed=2024, progress=lambda _: None)
    before = os.getcwd()
    os.chdir(root)  # relative paths, as `make book` gives them
    try:
        assert main(["build", "--data", "data", "--out", "out"]) == 0
        assert os.getcwd() == str(root)  # notebook execution leaves the working directory alone
    finally:
        os.chdir(before)
    return data, out


def test_publication_layout(built):
    _, out = built
    assert (out / "html" / "index.html").is_file()
    assert (out / "pdf" / "roret.pdf").read_bytes()[:5] == b"%PDF-"
    assert (out / "notebooks" / "maalgruppe.ipynb").is_file()
    assert (out / "tables" / "maalgruppe.csv").is_file()
    assert not list(out.parent.glob(".out.*"))  # staging removed after publishing


def test_manifest_fingerprints_inputs_and_tables(built):
    data, out = built
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == __version__
    assert manifest["data"]["synthetic"] is True
    assert manifest["parameters"] == Params().to_dict()
    assert manifest["inputs"]["data/bopael.parquet"] == sha256(data / "bopael.parquet")
    assert manifest["tables"] == {f"tables/{p.name}": sha256(p) for p in (out / "tables").glob("*.csv")}
    assert "tables/maalgruppe.csv" in manifest["tables"]
    assert manifest["disclosure"] == sha256(out / "disclosure.json")
    assert manifest["packages"]["jupyter-book"].startswith("1.")


def test_glued_numbers_come_from_the_table(built):
    _, out = built
    table = read_table(out / "tables", "maalgruppe")
    national = table[(table["aar"] == 2022) & (table["omraade"] == "landsplan")].set_index("gruppe")["antal"]
    text = re.sub(r"<[^>]+>", "", (out / "html" / "notebooks" / "maalgruppe.html").read_text())
    text = re.sub(r"\s+", " ", text)
    assert f"I 2022 var {tal(national['i_alt'])} voksne på landsplan i målgruppen" in text
    assert f"modtog {tal(national['kognitiv'])} en eller flere" in text


def test_every_page_says_synthetic(built):
    _, out = built
    pages = [p for p in (out / "html").rglob("*.html")
             if "_static" not in p.parts and "http-equiv=\"Refresh\"" not in p.read_text()]
    assert len(pages) >= 5
    for page in pages:
        assert SYNTHETIC_MARK in page.read_text(), page
    notebook = json.loads((out / "notebooks" / "maalgruppe.ipynb").read_text())
    outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any(SYNTHETIC_MARK in "".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)


def test_nbval_reproduces_the_executed_notebooks(built):
    _, out = built
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", "-q",
                             str(out / "notebooks")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_no_person_key_reaches_the_publication(built):
    data, out = built
    keys = set(load_extract(data).bopael["pnr"].astype(str))
    for path in out.rglob("*"):
        if path.suffix in (".csv", ".ipynb", ".html", ".json", ".txt"):
            numbers = set(re.findall(r"\d{9}", path.read_text(errors="ignore")))
            assert not numbers & keys, path


def test_failed_build_leaves_the_previous_publication(built, tmp_path, monkeypatch):
    data, out = built
    before = (out / "manifest.json").read_bytes()
    broken = tmp_path / "broken.py"
    broken.write_text("# %%\nraise RuntimeError('boom')\n")
    monkeypatch.setattr(pipeline, "notebook_sources", lambda: [broken])
    with pytest.raises(pipeline.BuildError, match="broken.py failed"):
        pipeline.build(data, out, Params(), pdf=False, progress=lambda _: None)
    assert (out / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["data", "out"]


def test_planted_person_key_fails_the_build_and_publishes_nothing(built, tmp_path, monkeypatch):
    data, out = built
    before = (out / "manifest.json").read_bytes()
    person = int(load_extract(data).bopael["pnr"].iloc[0])
    leaking = tmp_path / "leaking.py"
    leaking.write_text(f"# %%\nprint('borger', {person})\n")
    monkeypatch.setattr(pipeline, "notebook_sources", lambda: [leaking])
    with pytest.raises(pipeline.BuildError, match=r"(?s)leak scan failed.*notebooks/leaking.ipynb \(cell"):
        pipeline.build(data, out, Params(), pdf=False, progress=lambda _: None)
    assert (out / "manifest.json").read_bytes() == before


def test_disclosure_audit_is_published(built):
    _, out = built
    record = json.loads((out / "disclosure.json").read_text())
    table = read_table(out / "tables", "maalgruppe")
    assert record["graense"] == 5
    assert len(record["tabeller"]["maalgruppe"]) == table["antal"].isna().sum()


def test_a_municipal_book_names_the_municipality(built, tmp_path):
    data, _ = built
    out = tmp_path / "aarhus"
    assert main(["build", "--data", str(data), "--out", str(out), "--kommune", "751", "--no-pdf"]) == 0
    assert "for Aarhus Kommune" in (out / "html" / "index.html").read_text() or \
        "for Aarhus Kommune" in (out / "html" / "book" / "intro.html").read_text()
    assert "Hvis Aarhus Kommune hvert år" in re.sub(r"<[^>]+>", "", (out / "html" / "notebooks" / "som.html").read_text())
    assert "751" in set(read_table(out / "tables", "maalgruppe")["omraade"])
