"""The source file of `roret convert` (kilde.yml, see examples/dst/kilde.yml) and reading the
register files it names: SAS, Parquet or CSV, in chunks and only the variables needed."""
import glob
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import yaml

from . import codes as contract_codes
from .contract import KEYS, TABLES, contract_columns, csv_dialect, parse_column
from .errors import RoretError

CHUNK_ROWS = 1_000_000
YEAR = "{aar}"
EXPRESSION = re.compile(r"(?P<function>aar|alder)\(\s*(?P<argument>\w+)\s*\)|(?P<variable>\w+)|(?P<year>\{aar\})")
FORMATS = {".sas7bdat": "SAS", ".parquet": "Parquet", ".csv": "CSV"}
TOP_LEVEL = {"version", "aar", "data", "tabeller"}
SOURCE_KEYS = {"filer", "kolonner", "koder", "mangler"}
# A code column without 'koder' must hold the contract's own codes.
CODE_LISTS = {"koen": ("M", "K"), "ydelse": contract_codes.SERVICES, "maalgruppe": contract_codes.REASONS,
              "diagnosegruppe": contract_codes.DIAGNOSES, "status_uge48": contract_codes.STATUSES}


class ConvertError(RoretError, ValueError):
    """The source file or a register breaks what convert needs; the message names file, variable, code."""


@dataclass(frozen=True)
class Expression:
    """How a contract column is computed: a variable, the file's year, or a function of a variable."""
    text: str
    function: str | None = None  # None (the variable itself), "year" (the file's year), "aar", "alder"
    variable: str | None = None


@dataclass(frozen=True)
class Source:
    """One register (a file pattern) giving some of a contract table's columns."""
    table: str
    number: int
    pattern: str
    columns: dict[str, Expression]
    codes: dict[str, dict[str, object]] = field(default_factory=dict)
    missing: dict[str, object] = field(default_factory=dict)

    @property
    def per_year(self) -> bool:
        return YEAR in self.pattern

    @property
    def label(self) -> str:
        return f"{self.table}, source {self.number} ({self.pattern})"

    def variables(self) -> list[str]:
        return sorted({e.variable for e in self.columns.values() if e.variable})


@dataclass(frozen=True)
class SourceFile:
    path: Path
    years: tuple[int, ...]
    data: Path
    tables: dict[str, list[Source]]


def _fail(path: Path, where: str, message: str):
    raise ConvertError(f"{path.name}, {where}: {message}")


def _years(path: Path, value) -> tuple[int, ...]:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        value = f"{value[0]}-{value[1]}"
    try:
        return contract_codes.year_span(value)
    except ValueError as error:
        _fail(path, "aar", str(error))


def _expression(path: Path, where: str, text, per_year: bool) -> Expression:
    found = EXPRESSION.fullmatch(str(text).strip())
    if found is None:
        _fail(path, where, f"cannot read the expression {text!r} (a variable, \"{{aar}}\", aar(VARIABLE) "
                           "or alder(VARIABLE))")
    if found["year"]:
        if not per_year:
            _fail(path, where, '"{aar}" needs a file pattern with {aar} in it')
        return Expression(str(text), "year")
    if found["function"] == "alder" and not per_year:
        _fail(path, where, "alder(...) is the age at the end of the file's year and needs {aar} in the file pattern")
    if found["function"]:
        return Expression(str(text), found["function"], found["argument"])
    return Expression(str(text), None, found["variable"])


def code_key(value) -> str:
    """A code as text: 1, 1.0 and "1" alike."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _source(path: Path, table: str, number: int, spec) -> Source:
    where = f"tabeller.{table}[{number}]"
    if not isinstance(spec, dict) or "filer" not in spec or "kolonner" not in spec:
        _fail(path, where, "each source needs 'filer' (a file name or pattern) and 'kolonner'")
    unknown = set(spec) - SOURCE_KEYS
    if unknown:
        _fail(path, where, f"unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(SOURCE_KEYS))})")
    pattern = str(spec["filer"])
    allowed = contract_columns()[table]
    given = spec["kolonner"] or {}
    for column in given:
        if column not in allowed:
            _fail(path, f"{where}.kolonner", f"'{column}' is not a column of {table} "
                                              f"(its columns: {', '.join(allowed)})")
    columns = {c: _expression(path, f"{where}.kolonner.{c}", e, YEAR in pattern) for c, e in given.items()}
    codes = {}
    for column, mapping in (spec.get("koder") or {}).items():
        if column not in columns or not isinstance(mapping, dict):
            _fail(path, f"{where}.koder.{column}", "codes need a column of this source and a mapping code: value")
        codes[column] = {code_key(k): v for k, v in mapping.items()}
    for column in columns.keys() & CODE_LISTS.keys() - codes.keys():
        if columns[column].variable:
            codes[column] = {code: code for code in CODE_LISTS[column]}
    missing = {}
    for column, value in (spec.get("mangler") or {}).items():
        if number == 1 or column not in columns or column in KEYS[table]:
            _fail(path, f"{where}.mangler.{column}", "'mangler' is for a later source's own non-key columns")
        parsed, bad = parse_column(pd.Series([value]), allowed[column].kind)
        if bad.any():
            _fail(path, f"{where}.mangler.{column}", f"{value!r} is not a value of type {allowed[column].kind}")
        missing[column] = parsed.iloc[0]
    return Source(table, number, pattern, columns, codes, missing)


def _table(path: Path, table: str, specs) -> list[Source]:
    if not isinstance(specs, list) or not specs:
        _fail(path, f"tabeller.{table}", "expected a list of sources (each with 'filer' and 'kolonner')")
    sources = [_source(path, table, number, spec) for number, spec in enumerate(specs, start=1)]
    key = KEYS[table]
    for source in sources:
        lacking = [c for c in key if c not in source.columns]
        if lacking:
            _fail(path, f"tabeller.{table}[{source.number}]", f"the key column(s) {', '.join(lacking)} are missing "
                                                                "(every source gives the table's key)")
    for source in sources[1:]:
        if source.per_year and not sources[0].per_year:
            _fail(path, f"tabeller.{table}[{source.number}]", "a source with {aar} in its pattern needs a first source "
                                                                "with {aar} too (rows are joined year by year)")
    given = [c for s in sources for c in s.columns if c not in key]
    twice = sorted({c for c in given if given.count(c) > 1})
    lacking = [c for c in contract_columns()[table] if c not in key and c not in given]
    if twice:
        _fail(path, f"tabeller.{table}", f"column(s) {', '.join(twice)} come from more than one source")
    if lacking:
        _fail(path, f"tabeller.{table}", f"no source gives the column(s) {', '.join(lacking)}")
    return sources


def read_source_file(path: Path | str, data: Path | None = None) -> SourceFile:
    """Read and check kilde.yml; `data` (--data) replaces its 'data' directory."""
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConvertError(f"{path}: cannot be read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise ConvertError(f"{path.name}: not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(spec, dict):
        raise ConvertError(f"{path.name}: expected keys {', '.join(sorted(TOP_LEVEL))}")
    unknown = set(spec) - TOP_LEVEL
    if unknown:
        raise ConvertError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))} "
                           f"(allowed: {', '.join(sorted(TOP_LEVEL))})")
    if spec.get("version") != 1:
        raise ConvertError(f"{path.name}: 'version: 1' expected (this roret reads source files of version 1)")
    if "aar" not in spec:
        raise ConvertError(f"{path.name}: 'aar' (the years to convert, e.g. 2017-2022) is missing")
    directory = data if data is not None else spec.get("data")
    if directory is None:
        raise ConvertError(f"{path.name}: no 'data' directory; give one there or with --data")
    directory = (path.parent / Path(str(directory))) if data is None else Path(directory)
    if not directory.is_dir():
        raise ConvertError(f"{directory}: the register directory does not exist"
                           + ("" if data is not None else f" (from 'data' in {path.name}; --data overrides it)"))
    tables = spec.get("tabeller") or {}
    lacking = [t for t in TABLES if t not in tables]
    extra = [t for t in tables if t not in TABLES]
    if lacking or extra:
        raise ConvertError(f"{path.name}, tabeller: " + "; ".join(
            ([f"missing: {', '.join(lacking)}"] if lacking else []) + ([f"not a contract table: {', '.join(extra)}"]
                                                                      if extra else [])))
    return SourceFile(path, _years(path, spec["aar"]), directory,
                      {table: _table(path, table, tables[table]) for table in TABLES})


def register_files(data: Path, pattern: str, year: int | None) -> list[Path]:
    """The files a pattern names (for one year, if it has {aar}), sorted."""
    name = pattern.replace(YEAR, str(year)) if year is not None else pattern
    full = name if Path(name).is_absolute() else str(data / name)
    return sorted(Path(p) for p in glob.glob(full) if Path(p).is_file())


def _format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ConvertError(f"{path.name}: not a format roret reads (SAS .sas7bdat, Parquet .parquet, CSV .csv)") \
            from None


def _unreadable(path: Path, error: Exception):
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    raise ConvertError(f"{path.name}: not a readable {_format(path)} file: {message}") from None


def file_variables(path: Path) -> tuple[list[str], int | None]:
    """The variables in a register file and its number of rows (None for CSV)."""
    kind = _format(path)
    try:
        if kind == "SAS":
            _, meta = pyreadstat.read_sas7bdat(str(path), metadataonly=True)
            return list(meta.column_names), meta.number_rows
        if kind == "Parquet":
            metadata = pq.read_metadata(path)
            return metadata.schema.to_arrow_schema().names, metadata.num_rows
        dialect = csv_dialect(path, [])
        return list(pd.read_csv(path, nrows=0, sep=dialect["sep"], encoding=dialect["encoding"]).columns), None
    except (pyreadstat.ReadstatError, pa.ArrowException, pd.errors.ParserError, UnicodeDecodeError, OSError,
            ConvertError, RoretError) as error:
        _unreadable(path, error)


def read_chunks(path: Path, variables: list[str]) -> Iterator[pd.DataFrame]:
    """The named variables of a register file in chunks; the index is the row number in the file
    (from 0). SAS dates are kept as day numbers (aar() and alder() read them)."""
    kind = _format(path)
    offset = 0
    try:
        if kind == "SAS":
            chunks = (frame for frame, _ in pyreadstat.read_file_in_chunks(
                pyreadstat.read_sas7bdat, str(path), chunksize=CHUNK_ROWS, usecols=variables,
                disable_datetime_conversion=True))
        elif kind == "Parquet":
            chunks = (batch.to_pandas() for batch in pq.ParquetFile(path).iter_batches(CHUNK_ROWS, columns=variables))
        else:
            dialect = csv_dialect(path, [])
            chunks = pd.read_csv(path, usecols=variables, chunksize=CHUNK_ROWS, dtype="string", **dialect)
        for frame in chunks:
            frame.index = pd.RangeIndex(offset, offset + len(frame))
            offset += len(frame)
            yield frame[variables]
    except (pyreadstat.ReadstatError, pa.ArrowException, pd.errors.ParserError, UnicodeDecodeError) as error:
        _unreadable(path, error)
