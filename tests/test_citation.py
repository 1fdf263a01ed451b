"""Citation: a valid CITATION.cff and .zenodo.json in step with the version; references name the municipality."""
import json
import tomllib

import jsonschema
import yaml

from analysis import __version__, citation
from analysis.project import BOOK_FILES, ROOT

SCHEMA = ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json"


def test_citation_cff_is_valid_against_the_cff_1_2_schema():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    cff["date-released"] = str(cff["date-released"])  # YAML reads the date as a date
    jsonschema.validate(cff, json.loads(SCHEMA.read_text()))


def test_version_has_one_source_of_truth():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == version
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text())["version"] == version
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    assert zenodo["version"] == version
    assert zenodo["title"] == citation.TITLE


def test_changelog_has_a_section_for_the_version():
    assert f"## [{__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_the_readers_page_of_changes_has_a_section_for_the_version():
    """The book tells its readers, in Danish, what changed; the developer changelog stays out of it."""
    assert f"## Udgave {__version__} (" in (ROOT / "book" / "udgaver.md").read_text()
    assert "CHANGELOG.md" not in BOOK_FILES


def test_a_municipal_reference_names_the_municipality_and_version():
    text = citation.reference(751, "1.2.3", 2026)
    assert "for Aarhus Kommune" in text and "version 1.2.3" in text and "(2026)" in text
    national = citation.reference(None, "1.2.3", 2026)
    assert f"*{citation.TITLE}*," in national  # no municipality in the national title


def test_bibtex_entry_has_title_version_year_and_a_distinct_key():
    entry = citation.bibtex(101, "0.2.0", 2026)
    assert entry.startswith("@techreport{roret_101_0_2_0,")
    assert "title       = {Borgeren ved roret — registeranalyse for København Kommune}," in entry
    assert "version     = {0.2.0}," in entry and "year        = {2026}," in entry
    assert entry.count("{") == entry.count("}")
    assert citation.bibtex(None, "0.2.0", 2026).startswith("@techreport{roret_0_2_0,")
