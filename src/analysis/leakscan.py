"""Leak scan: the last check of a build before it is published.

Searches every output (tables, executed notebooks, HTML, PDF text, JSON) for person keys of
the input extract, for person-level tables and for counts below the disclosure threshold.
"""
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .errors import BuildError
from .registry import TABLES

PERSON_KEY_COLUMNS = frozenset({"pnr", "cpr", "personnummer"})
MIN_KEY_LENGTH = 6  # shorter values (years, small counts) cannot be told from person keys
MAX_TABLE_ROWS = 20_000  # more rows than any aggregate table has: treated as person-level
IMAGE_TYPES = ("image/png", "image/jpeg", "application/pdf", "image/svg+xml")


def _notebook_texts(path: Path) -> Iterator[tuple[str, str, bool]]:
    """(location, text, is_output) for every cell source and every non-image output."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook["cells"], start=1):
        yield f"cell {number}", "".join(cell.get("source", "")), False
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [v for k, v in output.get("data", {}).items() if k not in IMAGE_TYPES]
            yield f"cell {number} output", "".join("".join(t) if isinstance(t, list) else str(t) for t in texts), True


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        raise BuildError("pdftotext (Debian package poppler-utils) is needed to scan the PDF")
    return subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _texts(directory: Path) -> Iterator[tuple[str, str, str, bool]]:
    """(file, location, text, is_output) for every output file in a build."""
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and "_static" not in p.parts):
        name = str(path.relative_to(directory))
        if path.suffix == ".ipynb":
            for location, text, is_output in _notebook_texts(path):
                yield name, location, text, is_output
        elif path.suffix == ".pdf":
            yield name, "text", _pdf_text(path), False
        elif path.suffix in (".csv", ".html", ".json", ".txt", ".md"):
            yield name, "file", path.read_text(encoding="utf-8", errors="replace"), False


def _person_keys_found(places: dict[str, str], person_keys: pd.Series) -> list[str]:
    """The places of the tokens that are person keys. The keys are looked up among the tokens,
    not the other way round: hashing the few thousand tokens is cheap, the millions of keys not."""
    tokens = pd.Series(list(places), dtype="string")
    if pd.api.types.is_integer_dtype(person_keys):
        tokens = tokens[tokens.str.fullmatch(r"[0-9]{1,18}")]
        values = tokens.astype("int64")
    else:
        values = tokens
        person_keys = person_keys.astype("string")
    keys = set(person_keys[person_keys.isin(values)])
    return sorted({places[token] for token, value in zip(tokens, values) if value in keys})


def _table_findings(directory: Path, min_cell: int) -> list[str]:
    findings = []
    for path in sorted((directory / "tables").glob("*.csv")):
        table = pd.read_csv(path, dtype_backend="numpy_nullable")
        name = f"tables/{path.name}"
        person_columns = PERSON_KEY_COLUMNS & set(table.columns)
        if person_columns:
            findings.append(f"{name}: person-key column {sorted(person_columns)}")
        if len(table) > MAX_TABLE_ROWS:
            findings.append(f"{name}: {len(table):,} rows — looks person-level")
        definition = TABLES.get(path.stem)
        for column in definition.rules.counts if definition else ():
            if column in table:
                small = table.index[(table[column] < min_cell).fillna(False).to_numpy()]
                if len(small):
                    findings.append(f"{name}: column '{column}' below {min_cell} in row(s) "
                                    f"{[int(r) + 1 for r in small[:5]]}")
    return findings


def scan(directory: Path, person_keys: pd.Series, min_cell: int) -> list[str]:
    """Every leak found in a build directory, as 'file (location): problem' lines."""
    findings = _table_findings(directory, min_cell)
    pattern = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z_-]{%d,}(?![0-9A-Za-z])" % MIN_KEY_LENGTH)
    places: dict[str, str] = {}
    for name, location, text, is_output in _texts(directory):
        for token in pattern.findall(text):
            places.setdefault(token, f"{name} ({location})")
        if is_output and re.search(r"\b(%s)\b" % "|".join(PERSON_KEY_COLUMNS), text):
            findings.append(f"{name} ({location}): shows a person-key column")
    findings += [f"{place}: contains a person key of the input extract"
                 for place in _person_keys_found(places, person_keys)]
    return findings
