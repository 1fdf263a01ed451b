"""Leak scan: the last check of a build before it is published.

Searches every published file — tables, executed notebooks, HTML, the PDF's text, workbooks, JSON, YAML,
logs, scripts and style sheets, the text chunks of PNG images and the printable runs of any
other binary; only exact copies of files an installed package ships (the theme's scripts and
fonts) are passed over — for person keys of the input extract, in every form a key can take (plain,
with thousands separators, in scientific notation, inside a longer token such as pnr_…), for
person-level tables and for counts below the disclosure threshold.

A number is told from a person key by where it stands: the values of the tables' counts and
measures are published numbers (a potential of 418.266 kr. is not person 418266), and keys
shorter than MIN_KEY_LENGTH digits, which cannot be told from years and small counts, are
looked for only where a key stands (after a person-key column name such as pnr).
"""
import filecmp
import json
import os
import re
import shutil
import site
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .errors import BuildError
from .registry import value_columns

PERSON_KEY_COLUMNS = frozenset({"pnr", "cpr", "personnummer"})
MIN_KEY_LENGTH = 6  # shorter numbers (years, small counts) are keys only next to a key column name
MAX_TABLE_ROWS = 20_000  # more rows than any aggregate table has: treated as person-level
IMAGE_TYPES = ("image/png", "image/jpeg", "application/pdf", "image/svg+xml")
DIGITS = re.compile(r"\d+")
XML_MARKUP = re.compile(r"<[^>]*>")
GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,\u00a0\u202f]\d{3})+(?![\d])")  # 100.012.345, 100,012,345
SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")  # 1.0e+08
WORDS = re.compile(r"[0-9A-Za-z]+")
AFTER_KEY_NAME = re.compile(r"\b(?:%s)\b\W{0,3}([0-9A-Za-z]+)" % "|".join(PERSON_KEY_COLUMNS), re.IGNORECASE)
HASHES = re.compile(r"\b[0-9a-f]{32,}\b|[A-Za-z0-9+/=]{200,}")  # hex digests and base64 blobs: not text
PRINTABLE = re.compile(rb"[\x20-\x7e]{%d,}" % MIN_KEY_LENGTH)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _notebook_texts(path: Path) -> Iterator[tuple[str, str, bool]]:
    """(location, text, is_output) for every cell source and every non-image output."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook["cells"], start=1):
        yield f"cell {number}", "".join(cell.get("source", "")), False
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [v for k, v in output.get("data", {}).items() if k not in IMAGE_TYPES]
            yield f"cell {number} output", "".join("".join(t) if isinstance(t, list) else str(t) for t in texts), True


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        raise BuildError("pdftotext (Debian package poppler-utils) is needed to scan the PDF")
    return subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _png_text(data: bytes) -> str:
    """The text chunks of a PNG image (its pixels hold no text)."""
    texts, position = [], len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"tEXt":
            texts.append(body.decode("latin-1"))
        elif kind in (b"zTXt", b"iTXt"):
            texts.append(body.decode("latin-1", errors="replace"))
            try:
                texts.append(zlib.decompress(body[body.index(b"\0") + 2:]).decode("utf-8", errors="replace"))
            except (ValueError, zlib.error):
                pass
        position += 12 + length
    return "\n".join(texts)


def _binary_text(data: bytes) -> str:
    """Text inside a binary file: its printable runs, and a zlib stream's (Sphinx's objects.inv)."""
    runs = [run.decode("ascii") for run in PRINTABLE.findall(data)]
    start = data.find(b"\nx")  # a zlib stream after text header lines
    if start >= 0:
        try:
            runs.append(zlib.decompress(data[start + 1:]).decode("utf-8", errors="replace"))
        except zlib.error:
            pass
    return "\n".join(runs)


@lru_cache(maxsize=1)
def _installed_files() -> dict[str, list[Path]]:
    """The files of the installed Python packages by name (a theme's scripts, fonts, ...)."""
    found: dict[str, list[Path]] = {}
    for root in sorted({Path(p) for p in site.getsitepackages()}):
        for folder, _, names in os.walk(root):
            for name in names:
                found.setdefault(name, []).append(Path(folder, name))
    return found


def _shipped(path: Path) -> bool:
    """Whether a file is a copy of a file an installed package ships: it holds nothing of the data."""
    if "_static" not in path.parts:
        return False
    return any(filecmp.cmp(path, copy, shallow=False) for copy in _installed_files().get(path.name, []))


def _texts(directory: Path) -> Iterator[tuple[str, str, str, bool]]:
    """(file, location, text, is_output) for every file in a build (but exact copies of the
    installed packages' files, such as the theme's scripts and fonts)."""
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and not _shipped(p)):
        name = str(path.relative_to(directory))
        if path.suffix == ".ipynb":
            for location, text, is_output in _notebook_texts(path):
                yield name, location, text, is_output
        elif path.suffix == ".pdf":
            yield name, "text", pdf_text(path), False
        elif zipfile.is_zipfile(path):  # a workbook: the text of each of its parts, the cells' values
            with zipfile.ZipFile(path) as archive:  # without the XML's markup (cell references, styles)
                for member in archive.namelist():
                    text = archive.read(member).decode("utf-8", errors="replace")
                    yield name, member, XML_MARKUP.sub(" ", text) if member.endswith(".xml") else text, False
        elif path.parent.name == "tables" and any(value_columns(path.stem)) and path.suffix == ".csv":
            yield name, "file", _identifying_cells(path), False
        else:
            data = path.read_bytes()
            if data.startswith(PNG_SIGNATURE):
                yield name, "text chunks", _png_text(data), False
                continue
            try:
                yield name, "file", data.decode("utf-8"), False
            except UnicodeDecodeError:
                yield name, "printable text", _binary_text(data), False


def _identifying_cells(path: Path) -> str:
    """A registered table's text but for its counts and measures, which are numbers, not keys."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.drop(columns=[c for c in sum(value_columns(path.stem), ()) if c in table]).to_csv(index=False)


def _published_numbers(directory: Path) -> set[int]:
    """Every whole number among the registered tables' counts and measures: what a number in
    the text may be without being a key."""
    numbers = set()
    for path in _table_files(directory):
        if any(value_columns(path.stem)):
            table = pd.read_csv(path, dtype_backend="numpy_nullable")
            for column in (c for c in sum(value_columns(path.stem), ()) if c in table):
                values = pd.to_numeric(table[column], errors="coerce").dropna().astype("float64")
                numbers |= {int(v) for v in values[values == values.round()].abs()}
    return numbers


@lru_cache(maxsize=512)  # by content: the theme's files are the same in every book of a build-all
def _candidates(text: str, numeric_keys: bool) -> frozenset[tuple[str, bool]]:
    """(token, stands where a key stands) for every form of a possible key in `text`: digit runs
    (also inside a longer token) for integer keys, words for string keys."""
    text = HASHES.sub(" ", text)
    found = {(match, True) for match in AFTER_KEY_NAME.findall(text)}
    if not numeric_keys:
        return frozenset(found | {(word, False) for word in WORDS.findall(text)})
    found |= {(re.sub(r"\D", "", match), False) for match in GROUPED.findall(text)}
    for match in set(SCIENTIFIC.findall(text)):
        value = float(match)
        if value < 1e18 and value == int(value):
            found.add((str(int(value)), False))
    return frozenset(found | {(digits, False) for digits in DIGITS.findall(text)})


def _may_be_key(token: str, key_place: bool, published: set[int]) -> bool:
    """A token is looked up among the keys where a key stands, or when it is long enough and not
    a published number."""
    return key_place or (len(token) >= MIN_KEY_LENGTH and not (token.isdigit() and int(token) in published))


def _person_keys_found(places: dict[str, str], person_keys: pd.Series) -> list[str]:
    """The places of the tokens that are person keys. The keys are looked up among the tokens,
    not the other way round: hashing the tokens is cheap, the millions of keys not."""
    tokens = pd.Series(list(places), dtype="string")
    if pd.api.types.is_integer_dtype(person_keys):
        tokens = tokens[tokens.str.fullmatch(r"[0-9]{1,18}")]
        values = tokens.astype("int64")
    else:
        values = tokens
        person_keys = person_keys.astype("string")
    keys = set(person_keys[person_keys.isin(values)])
    return sorted({places[token] for token, value in zip(tokens, values) if value in keys})


def _table_files(directory: Path) -> list[Path]:
    """The tables of a book or of a result package."""
    return sorted((directory / "tables").glob("*.csv"))


def _table_findings(directory: Path, min_cell: int) -> list[str]:
    findings = []
    for path in _table_files(directory):
        table = pd.read_csv(path, dtype_backend="numpy_nullable")
        name = f"tables/{path.name}"
        person_columns = PERSON_KEY_COLUMNS & set(table.columns)
        if person_columns:
            findings.append(f"{name}: person-key column {sorted(person_columns)}")
        if len(table) > MAX_TABLE_ROWS:
            findings.append(f"{name}: {len(table):,} rows — looks person-level")
        for column in value_columns(path.stem)[0]:
            if column in table:
                small = table.index[(table[column] < min_cell).fillna(False).to_numpy()]
                if len(small):
                    findings.append(f"{name}: column '{column}' below {min_cell} in row(s) "
                                    f"{[int(r) + 1 for r in small[:5]]}")
    return findings


def scan(directory: Path, person_keys: pd.Series, min_cell: int) -> list[str]:
    """Every leak found in a build directory, as 'file (location): problem' lines."""
    findings = _table_findings(directory, min_cell)
    numeric_keys = pd.api.types.is_integer_dtype(person_keys)
    published = _published_numbers(directory)
    places: dict[str, str] = {}  # token: the first place it stands
    for name, location, text, is_output in _texts(directory):
        for token, key_place in sorted(_candidates(text, numeric_keys)):
            if _may_be_key(token, key_place, published):
                places.setdefault(token, f"{name} ({location})")
        if is_output and re.search(r"\b(%s)\b" % "|".join(PERSON_KEY_COLUMNS), text):
            findings.append(f"{name} ({location}): shows a person-key column")
    findings += [f"{place}: contains a person key of the input extract"
                 for place in _person_keys_found(places, person_keys)]
    return findings
