"""`roret convert`: registers named in a source file (kilde.yml) -> the five contract tables.

The files are streamed (a chunk of one file at a time; a later source of a table one year at a
time), so memory does not grow with the number of years. `--check` reports files, variables,
unmapped codes and years without converting anything.
"""
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .build import SYNTHETIC_MARKER
from .contract import CANONICAL_INTEGER, KEYS, MAX_ROWS_SHOWN, SMALL_INTEGERS, TABLES, contract_columns, parse_column
from .outputs import staged_output
from .sources import (ConvertError, Expression, Source, SourceFile, file_variables, read_chunks,
                      read_source_file, register_files)

SAS_EPOCH = pd.Timestamp("1960-01-01")  # numeric dates are SAS dates: days since this day


def _file_years(sources: SourceFile, source: Source) -> list[tuple[int | None, list[Path]]]:
    """(year, files) for every year of a per-year source, or once (None, files) for the others."""
    if source.per_year:
        return [(year, register_files(sources.data, source.pattern, year)) for year in sources.years]
    return [(None, register_files(sources.data, source.pattern, None))]


def _resolve(path: Path, source: Source, available: list[str]) -> dict[str, str]:
    """The source's variables as spelled in the file (SAS names ignore case)."""
    spelled = {name.upper(): name for name in available}
    lacking = [v for v in source.variables() if v.upper() not in spelled]
    if lacking:
        raise ConvertError(f"{path.name} ({source.label}): variable(s) {', '.join(lacking)} not found; "
                           f"the file has {', '.join(available)}")
    return {v: spelled[v.upper()] for v in source.variables()}


def _as_text(values: pd.Series) -> pd.Series:
    """Codes as text, so that 1, 1.0 and "1" are the same code (missing stays missing)."""
    if pd.api.types.is_float_dtype(values) and (np.mod(values.dropna().to_numpy(), 1) == 0).all():
        values = values.astype("Int64")
    return values.astype("string").str.strip()


def _dates(values: pd.Series) -> pd.Series:
    """A date column as datetimes: SAS day numbers, datetimes or ISO text."""
    if pd.api.types.is_numeric_dtype(values):
        return SAS_EPOCH + pd.to_timedelta(values, unit="D")
    return pd.to_datetime(values, errors="coerce")


def _evaluate(expression: Expression, frame: pd.DataFrame, year: int | None) -> pd.Series:
    if expression.function == "year":
        return pd.Series(year, index=frame.index, dtype="int64")
    values = frame[expression.variable]
    if expression.function is None:
        return values
    born = _dates(values).dt.year.astype("Int64")
    return born if expression.function == "aar" else year - born


def _rows(raw: pd.DataFrame, bad: np.ndarray) -> str:
    shown = raw[bad].head(MAX_ROWS_SHOWN)
    return "\n".join(f"    row {i + 1}: " + ", ".join(f"{c}={v!r}" for c, v in row.items())
                     for i, row in zip(shown.index, shown.to_dict("records")))


def _unmapped(values: pd.Series, mapping: dict) -> pd.Series:
    """Counts of the codes in `values` that `mapping` does not have (missing values included)."""
    text = _as_text(values).fillna("<missing>")
    return text[~text.isin(list(mapping))].value_counts()


def _codes_message(path: Path, source: Source, column: str, counts: pd.Series) -> str:
    variable = source.columns[column].variable
    listed = ", ".join(f"{code!r} ({n:,} rows)" for code, n in counts.head(10).items())
    return (f"{path.name} ({source.label}), variable {variable} -> {column}: code(s) without a translation under "
            f"'koder' for {column}: {listed}; map each one (a code mapped to ~ drops its rows; without 'koder' "
            "the data must hold roret's own codes)")


def _mapped(path: Path, source: Source, raw: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """A chunk of a register as contract columns of the source's table, typed; rows whose code
    maps to ~ dropped."""
    kinds = contract_columns()[source.table]
    frame = pd.DataFrame(index=raw.index)
    keep = np.ones(len(raw), dtype=bool)
    for column, expression in source.columns.items():
        values = _evaluate(expression, raw, year)
        mapping = source.codes.get(column)
        if mapping is not None:
            counts = _unmapped(values, mapping)
            if len(counts):
                raise ConvertError(_codes_message(path, source, column, counts))
            values = _as_text(values).map(mapping)
            keep &= values.notna().to_numpy()
        elif column == "pnr" and pd.api.types.is_string_dtype(values) and \
                values.str.fullmatch(CANONICAL_INTEGER.pattern).all():
            values = values.astype("int64")  # as SAS and Parquet numbers are (text with a leading 0 stays text)
        elif kinds[column].kind == "bool" and pd.api.types.is_numeric_dtype(values) and values.isin([0, 1]).all():
            values = values == 1
        elif kinds[column].kind in ("code", "bool"):
            values = _as_text(values)
        frame[column] = values
    frame, raw = frame[keep], raw[keep]
    for column in frame:
        kind = kinds[column].kind
        given = frame[column]
        frame[column], bad = parse_column(given, kind)
        if bad.any():
            expression = source.columns[column]
            rule = "missing value" if given[bad].isna().all() else f"not of type {kind}"
            raise ConvertError(f"{path.name} ({source.label}), {expression.text} -> {column}: {rule} — "
                               f"{int(bad.sum()):,} row(s), e.g.\n{_rows(raw, bad.to_numpy())}")
        frame[column] = _final_type(frame[column], column, kind)
    return frame


def _final_type(values: pd.Series, column: str, kind: str) -> pd.Series:
    """The types load_extract gives the columns (codes as plain text)."""
    if kind == "int":
        return values.astype("int16" if column in SMALL_INTEGERS else "int64")
    if kind == "code":
        return values.astype(str)
    return values


@dataclass
class _Writer:
    """One contract table written chunk by chunk; every chunk must have the first one's types."""
    path: Path
    first_file: str = ""
    writer: pq.ParquetWriter | None = None
    rows: int = 0

    def write(self, frame: pd.DataFrame, path: Path) -> None:
        if self.writer is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self.writer, self.first_file = pq.ParquetWriter(self.path, table.schema, compression="zstd"), path.name
        else:
            try:
                table = pa.Table.from_pandas(frame, schema=self.writer.schema, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                kinds = "text" if pd.api.types.is_string_dtype(frame["pnr"]) else "a number"
                raise ConvertError(f"{path.name}: pnr is {kinds} here but not in {self.first_file}; "
                                   "person keys must have one type") from None
        self.writer.write_table(table)
        self.rows += len(frame)

    def close(self, empty: pd.DataFrame) -> None:
        if self.writer is None:
            self.write(empty, self.path)
        self.writer.close()


def _empty(table: str) -> pd.DataFrame:
    """A table with no rows, in the types of a converted one."""
    def dtype(column: str, kind: str) -> str:
        if kind == "int":
            return "int16" if column in SMALL_INTEGERS else "int64"
        return {"pnr": "int64", "float": "float64", "bool": "bool", "code": "str"}[kind]
    return pd.DataFrame({c: pd.Series([], dtype=dtype(c, k.kind)) for c, k in contract_columns()[table].items()})


def _chunks(source: Source, year: int | None, files: list[Path]) -> Iterator[tuple[Path, pd.DataFrame]]:
    """(file, chunk as contract columns) for each chunk of each file."""
    for path in files:
        names = _resolve(path, source, file_variables(path)[0])
        for raw in read_chunks(path, list(names.values())):
            raw.columns = list(names)
            yield path, _mapped(path, source, raw, year)


def _later(sources: SourceFile, source: Source, year: int | None) -> pd.DataFrame:
    """All rows of a later source (for one year, if it has one), keyed by the table's key."""
    year = year if source.per_year else None
    frames = [frame for _, frame in _chunks(source, year, register_files(sources.data, source.pattern, year))]
    frame = pd.concat(frames, ignore_index=True) if frames else _empty(source.table)[list(source.columns)]
    key = KEYS[source.table]
    repeated = frame.duplicated(key, keep=False)
    if repeated.any():
        raise ConvertError(f"{source.label}: {int(repeated.sum()):,} rows repeat a key ({', '.join(key)}), e.g. "
                           f"{frame[repeated].head(MAX_ROWS_SHOWN).to_dict('records')}")
    return frame


def _join(frame: pd.DataFrame, other: pd.DataFrame, source: Source) -> pd.DataFrame:
    key = KEYS[source.table]
    try:
        joined = frame.merge(other, on=key, how="left", indicator=True)
    except (ValueError, TypeError):
        raise ConvertError(f"{source.label}: its pnr has another type than the table's first source") from None
    unmatched = (joined.pop("_merge") == "left_only").to_numpy()
    for column in other.columns.difference(key):
        if unmatched.any():
            if column not in source.missing:
                raise ConvertError(f"{source.label}: {int(unmatched.sum()):,} row(s) of {source.table} have no row "
                                   f"here; give {column} a value under 'mangler:'")
            joined.loc[unmatched, column] = source.missing[column]
        joined[column] = joined[column].astype(other[column].dtype)
    return joined


def _convert_table(sources: SourceFile, table: str, out: Path, progress: Callable[[str], None]) -> int:
    first, *later = sources.tables[table]
    writer = _Writer(out / f"{table}.parquet")
    person_level = "aar" not in KEYS[table]
    seen = np.array([], dtype=np.int64)  # the persons written so far
    cached: dict[int, pd.DataFrame] = {}  # each later source's rows, for this year
    for year, files in _file_years(sources, first):
        progress(f"{table}: {', '.join(p.name for p in files)}")
        for number, source in enumerate(later):
            if source.per_year or number not in cached:
                cached[number] = _later(sources, source, year)
        for path, frame in _chunks(first, year, files):
            if not person_level and not first.per_year:
                frame = frame[frame["aar"].isin(sources.years)]
            if person_level and first.per_year:  # a person's first row
                frame = frame.drop_duplicates("pnr")
                new = ~np.isin(frame["pnr"].to_numpy(), seen)
                frame = frame[new]
                seen = np.concatenate([seen, frame["pnr"].to_numpy()])  # isin needs no order
            for number, source in enumerate(later):
                frame = _join(frame, cached[number], source)
            writer.write(frame[list(contract_columns()[table])].reset_index(drop=True), path)
    writer.close(_empty(table))
    return writer.rows


@dataclass
class Report:
    """What --check found: lines to show and the problems among them."""
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.lines.append(f"  PROBLEM: {text}")
        self.problems.append(text)


def _check_source(sources: SourceFile, source: Source, report: Report, codes: bool) -> None:
    report.lines.append(f"{source.label}")
    covered = []
    for year, files in _file_years(sources, source):
        when = f"{year}" if year is not None else "all years"
        if not files:
            report.problem(f"{source.label}: no file for {when} ({source.pattern.replace('{aar}', str(year))} "
                           f"in {sources.data})")
            continue
        covered.append(year)
        for path in files:
            try:
                available, rows = file_variables(path)
                _resolve(path, source, available)
            except ConvertError as error:
                report.problem(str(error))
                continue
            report.lines.append(f"  {when}: {path.name}" + (f", {rows:,} rows" if rows is not None else ""))
            if codes:
                _check_codes(path, source, available, report)
    report.lines.append(f"  variables: {', '.join(source.variables())}")
    if source.per_year:
        report.lines.append(f"  years found: {', '.join(str(y) for y in covered) or 'none'}")


def _check_codes(path: Path, source: Source, available: list[str], report: Report) -> None:
    """Codes in the file that the mapping lacks, counted (only the code variables are read)."""
    mapped = {c: m for c, m in source.codes.items() if source.columns[c].variable}
    if not mapped:
        return
    spelled = {name.upper(): name for name in available}
    variables = {c: spelled[source.columns[c].variable.upper()] for c in mapped}
    counts = {c: pd.Series(dtype="int64") for c in mapped}
    for raw in read_chunks(path, sorted(set(variables.values()))):
        for column, variable in variables.items():
            counts[column] = counts[column].add(_unmapped(raw[variable], mapped[column]), fill_value=0)
    for column, found in counts.items():
        if len(found):
            report.problem(_codes_message(path, source, column, found.astype("int64").sort_values(ascending=False)))


def _report(sources: SourceFile, codes: bool) -> Report:
    report = Report([f"source file {sources.path}: years {sources.years[0]}–{sources.years[-1]}, registers in "
                     f"{sources.data}"])
    for table in TABLES:
        for source in sources.tables[table]:
            _check_source(sources, source, report, codes)
    return report


def check(kilde: Path, data: Path | None = None) -> Report:
    """The dry run: per source, the files found per year, the variables against those needed and
    the codes the mapping does not map; nothing is converted or written."""
    return _report(read_source_file(kilde, data), codes=True)


def convert(kilde: Path, out: Path, data: Path | None = None, progress: Callable[[str], None] = print) -> dict:
    """Convert the registers to a contract extract in `out` (replaced atomically; nothing is
    written if any file, variable or code fails)."""
    sources = read_source_file(kilde, data)
    report = _report(sources, codes=False)  # files and variables first, before anything heavy
    if report.problems:
        raise ConvertError("the registers do not match the source file:\n" + "\n".join(f"- {p}" for p in report.problems))
    rows = {}
    with staged_output(Path(out), "udtraek", inputs=[sources.data], progress=progress) as staging:
        for table in TABLES:
            rows[table] = _convert_table(sources, table, staging, progress)
        if (sources.data / SYNTHETIC_MARKER).is_file():  # the practice files are synthetic, and so is this
            shutil.copy2(sources.data / SYNTHETIC_MARKER, staging / SYNTHETIC_MARKER)
    return rows
