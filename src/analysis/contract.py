"""The register-extract data contract (DATA_CONTRACT.md): load an extract and validate it.

Types are parsed strictly here (pandera's coercion would silently truncate 1.5 to 1); the
value rules (code lists, ranges, unique keys) are pandera schemas.
"""
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.parquet as pq

from . import codes, rowkeys
from .errors import RoretError
from .reference import municipality_codes

TABLES = ("bopael", "stamdata", "ydelser", "diagnoser", "forbrug")
MAX_ROWS_SHOWN = 5
SMALL_INTEGERS = ("aar", "kom", "alder", "foed_aar")  # years, municipality codes, ages
YEAR_RANGE = (1900, 2100)  # a calendar year (also keeps years within the int16 they are stored in)
BOOLEAN_TEXT = {"true": True, "false": False, "1": True, "0": False, "ja": True, "nej": False}
TYPE_RULES = {"float": "not a finite number", "bool": "not of type bool (true/false, 1/0 or ja/nej)"}
CANONICAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")  # a key written as an integer, no leading zeros


class ContractError(RoretError, ValueError):
    """The extract breaks the data contract; the message names file, column, rule and rows."""


@dataclass(frozen=True)
class Column:
    kind: str  # "pnr", "int", "float", "bool" or "code"
    checks: tuple = ()


def _isin(values) -> pa.Check:
    return pa.Check.isin(sorted(values))


def contract_columns() -> dict[str, dict[str, Column]]:
    kom = Column("int", (_isin(municipality_codes()),))
    year = Column("int", (pa.Check.in_range(*YEAR_RANGE),))
    weeks = Column("float", (pa.Check.in_range(0, 53),))
    nonnegative = Column("float", (pa.Check.ge(0),))
    return {
        "bopael": {"pnr": Column("pnr"), "aar": year, "kom": kom,
                   "alder": Column("int", (pa.Check.in_range(0, 120),))},
        "stamdata": {"pnr": Column("pnr"), "koen": Column("code", (_isin(("M", "K")),)),
                     "foed_aar": year, "foranstaltning_barndom": Column("bool")},
        "ydelser": {"pnr": Column("pnr"), "aar": year, "kom": kom,
                    "ydelse": Column("code", (_isin(codes.SERVICES),)),
                    "maalgruppe": Column("code", (_isin(codes.REASONS),)),
                    "dage": Column("int", (pa.Check.in_range(1, 366),))},
        "diagnoser": {"pnr": Column("pnr"), "diagnosegruppe": Column("code", (_isin(codes.DIAGNOSES),))},
        "forbrug": {"pnr": Column("pnr"), "aar": year,
                    "beskaeftigelse_uger": weeks, "foertidspension_uger": weeks, "kontanthjaelp_uger": weeks,
                    "beskaeftigelsesindsats_timer": nonnegative, "uddannelse_uger": weeks,
                    "psyk_indlagt_dage": nonnegative, "psyk_ambulante_kontakter": nonnegative,
                    "som_indlagt_dage": nonnegative, "som_ambulante_kontakter": nonnegative,
                    "fysioterapi": Column("bool"), "psykofarmaka": Column("bool"), "kriminalitet": Column("bool"),
                    "status_uge48": Column("code", (_isin(codes.STATUSES),))},
    }


KEYS = {
    "bopael": ["pnr", "aar"], "stamdata": ["pnr"], "ydelser": ["pnr", "aar", "ydelse", "maalgruppe"],
    "diagnoser": ["pnr", "diagnosegruppe"], "forbrug": ["pnr", "aar"],
}


@dataclass(frozen=True)
class Activities:
    """The validated forbrug table, the extract's largest: held in memory (as read from a CSV)
    or left in its Parquet file and read in parts (a year, some persons), in bounded memory."""
    frame: pd.DataFrame | None = None
    path: Path | None = None
    aligned: bool = False  # its rows are bopael's person-years in bopael's order (a year's rows pair by position)

    def read_rows(self, rows: slice, columns: list[str], batch_rows: int) -> pa_arrow.Table:
        """The file's rows at positions `rows`, in file order, in record batches of at most
        `batch_rows` rows (as Arrow, contract types proven by the screening): a DuckDB scan of the
        row groups that hold them, on every core."""
        with duckdb_connection() as connection:
            return connection.sql(
                f"SELECT {', '.join(columns)} FROM read_parquet({sql_literal(str(self.path))}, file_row_number = true) "
                f"WHERE file_row_number >= {rows.start} AND file_row_number < {rows.stop}").to_arrow_table(batch_rows)

    def read(self, years: list[int] | None = None, persons: pd.Series | None = None,
             columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of `years` and/or `persons` (every row if neither is given), in file order,
        with `columns` (default every contract column)."""
        names = list(contract_columns()["forbrug"]) if columns is None else columns
        if self.frame is not None:
            rows = self.frame
            if years is not None:
                rows = rows[rows["aar"].isin(years)]
            return (rows if persons is None else rows[rows["pnr"].isin(persons.unique())])[names]
        if persons is None:  # whole row groups of a year
            filters = [("aar", "in", list(years))] if years is not None else None
            rows = pq.read_table(self.path, columns=names, filters=filters, pre_buffer=False,
                                 read_dictionary=[c for c in code_columns("forbrug") if c in names])
        else:  # a few persons' rows, scattered over the file: a semi-join, on every core
            rows = _rows_of(self.path, names, persons, years)
        return _typed(rows)

    def read_at(self, at: np.ndarray, columns: list[str]) -> pd.DataFrame:
        """The file's rows at positions `at` (ascending), in file order, with `columns`: a DuckDB
        scan that needs no key column (where the rows are bopael's, bopael holds their keys)."""
        with duckdb_connection() as connection:
            connection.register("chosen", pd.DataFrame({"position": at}))
            return _typed(connection.sql(
                f"SELECT {', '.join(columns)} FROM read_parquet({sql_literal(str(self.path))}, file_row_number = true) "
                "WHERE file_row_number IN (SELECT position FROM chosen) ORDER BY file_row_number").arrow().read_all())


def _typed(rows: pa_arrow.Table) -> pd.DataFrame:
    """forbrug's rows read from its file, in their validated types."""
    frame = rows.to_pandas(split_blocks=True, self_destruct=True)
    for name in frame.columns:
        frame[name] = parse_column(frame[name], contract_columns()["forbrug"][name].kind)[0]
    return final_types("forbrug", frame)


def _rows_of(path: Path, columns: list[str], persons: pd.Series, years: list[int] | None) -> pa_arrow.Table:
    """The rows of a Parquet file about `persons` (and in `years`), in file order, read with DuckDB."""
    with duckdb_connection() as connection:
        connection.register("persons", pd.DataFrame({"pnr": persons.unique()}))
        in_years = f" AND aar IN ({', '.join(str(int(year)) for year in years)})" if years is not None else ""
        query = (f"SELECT {', '.join(columns)} FROM read_parquet({sql_literal(str(path))}, file_row_number = true) "
                 f"WHERE pnr IN (SELECT pnr FROM persons){in_years} ORDER BY file_row_number")
        return connection.sql(query).arrow().read_all()


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection of its own, quiet, that keeps a scan's rows in file order where a query
    has no ORDER BY (DuckDB's default, set here because the readers rely on it)."""
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    connection.execute("SET preserve_insertion_order = true")
    return connection


@dataclass
class Extract:
    """A validated register extract: one DataFrame per contract table (forbrug read in parts),
    plus the files read."""
    bopael: pd.DataFrame
    stamdata: pd.DataFrame
    ydelser: pd.DataFrame
    diagnoser: pd.DataFrame
    activities: Activities
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a user should know: how files were read, rows not used
    derived: dict = field(default_factory=dict, repr=False)

    @property
    def forbrug(self) -> pd.DataFrame:
        """The whole forbrug table (small extracts, checks); the pipeline reads its parts."""
        return self.activities.read()

    def years(self) -> list[int]:
        """The years of residence the extract covers."""
        def compute() -> list[int]:
            if not self.in_year_order():
                return sorted(int(year) for year in self.bopael["aar"].unique())
            values = self.bopael["aar"].to_numpy()
            years = [values[0]]
            while years[-1] != values[-1]:  # a binary search per year (for a value of the column's type: no copy)
                years.append(values[np.searchsorted(values, years[-1], "right")])
            return [int(year) for year in years]
        return self.memo("years", compute)

    def residents_in(self, year: int) -> pd.DataFrame:
        """bopael's rows of `year`: a slice, found by binary search, where bopael is in year order
        (as a register extract is written, year by year), else a selection."""
        rows = self.rows_of_year(year)
        return self.bopael.iloc[rows] if isinstance(rows, slice) else self.bopael[rows]

    def rows_of_year(self, year: int) -> slice | np.ndarray:
        """The positions of bopael's rows of `year`: a slice where bopael is in year order, else a mask."""
        values = self.bopael["aar"].to_numpy()
        if self.in_year_order():  # the year in the column's type, so that the search does not copy the column
            year = values.dtype.type(year)
            return slice(int(np.searchsorted(values, year, "left")), int(np.searchsorted(values, year, "right")))
        return values == year

    def in_year_order(self) -> bool:
        """bopael is in year order (then a year's rows are found by binary search)."""
        values = self.bopael["aar"].to_numpy()
        return self.memo("in_year_order", lambda: bool((values[1:] >= values[:-1]).all()))

    def resident(self, frame: pd.DataFrame) -> np.ndarray:
        """Mask of the rows of `frame` whose person-year (pnr, aar) is in bopael."""
        return resident(frame, self.bopael, self.resident_keys())

    def resident_keys(self) -> rowkeys.PackedKeys | None:
        """bopael's person-year keys packed (kept from validation), or None where they are text."""
        return self.memo("resident_keys", lambda: rowkeys.PackedKeys.of(self.bopael, KEYS["bopael"]))

    def memo(self, key, compute):
        """A value derived from the extract, computed once per run (e.g. the target group)."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]


def code_columns(table: str) -> list[str]:
    """The table's code columns, read from Parquet as dictionaries (each code stored once)."""
    return [name for name, spec in contract_columns()[table].items() if spec.kind == "code"]


def sql_literal(value) -> str:
    """A value as an SQL literal (text quoted, quotes doubled)."""
    return "'" + value.replace("'", "''") + "'" if isinstance(value, str) else str(value)


def find_table_file(directory: Path, table: str) -> Path:
    """The Parquet or CSV file holding `table` in an extract directory (exactly one of them)."""
    found = [directory / f"{table}{suffix}" for suffix in (".parquet", ".csv")]
    found = [path for path in found if path.is_file()]
    if not found:
        raise ContractError(f"{directory}: table '{table}' is missing (expected {table}.parquet or {table}.csv)")
    if len(found) > 1:
        raise ContractError(f"{directory}: table '{table}' is there twice, as {found[0].name} and {found[1].name}; "
                            "keep one of them")
    return found[0]


def _unique_names(path: Path, names: list[str]) -> list[str]:
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ContractError(f"{path.name}: column name(s) {', '.join(repeated)} appear more than once in the header")
    return names


def _missing_columns(path: Path, table: str, available: list[str]) -> None:
    missing = [c for c in contract_columns()[table] if c not in available]
    if missing:
        lower = {name.strip().lower(): name for name in available}
        hints = [f"'{lower[c]}' must be written '{c}'" for c in missing if c in lower]
        raise ContractError(f"{path.name}: required column(s) missing: {', '.join(missing)}"
                            + (f" (column names are lower-case ASCII without spaces: {'; '.join(hints)})" if hints else ""))


def _read_parquet(table: str, path: Path) -> pd.DataFrame:
    try:
        available = _unique_names(path, pq.read_schema(path).names)
        _missing_columns(path, table, available)
        columns = list(contract_columns()[table])
        frame = pq.read_table(path, columns=columns, read_dictionary=code_columns(table), pre_buffer=False)
    except pa_arrow.ArrowException as error:
        raise ContractError(f"{path.name}: not a readable Parquet file (truncated or corrupt?): "
                            f"{str(error).splitlines()[0]}") from None
    return frame.to_pandas(split_blocks=True, self_destruct=True)


def csv_dialect(path: Path, notes: list[str]) -> dict:
    """read_csv options for a contract CSV: comma-separated UTF-8, or as Danish Excel saves it
    (semicolons, decimal comma, Windows-1252), which is read too and said so in `notes`."""
    with open(path, "rb") as handle:
        sample = handle.read(1 << 20)
    if not sample.strip():
        raise ContractError(f"{path.name}: the file is empty (a contract CSV starts with a header row)")
    try:
        sample.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not just a character cut at the end of the sample
            encoding = "cp1252"
            notes.append(f"{path.name} is not UTF-8; it was read as Windows-1252 (cp1252)")
        else:
            encoding = "utf-8-sig"
    header = sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[0]
    danish = ";" in header and "," not in header
    if danish:
        notes.append(f"{path.name} is semicolon-separated with decimal comma (as Danish Excel saves CSV); "
                     "it was read as such")
    return {"sep": ";" if danish else ",", "decimal": "," if danish else ".", "encoding": encoding}


def _read_csv(table: str, path: Path, notes: list[str]) -> pd.DataFrame:
    dialect = csv_dialect(path, notes)
    with open(path, encoding=dialect["encoding"], newline="") as handle:
        header = next(csv.reader(handle, delimiter=dialect["sep"]))
    _missing_columns(path, table, _unique_names(path, header))
    columns = list(contract_columns()[table])
    try:  # person keys as written: leading zeros kept (decided for the whole extract in _person_keys)
        frame = pd.read_csv(path, usecols=columns, dtype={"pnr": "string"}, low_memory=False, **dialect)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise ContractError(f"{path.name}: not a readable CSV file: {str(error).splitlines()[0]}") from None
    return frame[columns]


def _read(table: str, path: Path, notes: list[str]) -> pd.DataFrame:
    try:
        return _read_parquet(table, path) if path.suffix == ".parquet" else _read_csv(table, path, notes)
    except OSError as error:
        raise ContractError(f"{path.name}: cannot be read: {error.strerror or error}") from None


def _person_keys(raws: dict[str, pd.DataFrame], files: dict[str, Path]) -> None:
    """CSV person keys are text as written; they become integers only if every CSV key of the
    extract is written as one (so 0101011234 keeps its zero, in every table alike)."""
    text = [t for t, path in files.items() if path.suffix == ".csv"]
    keys = [raws[t]["pnr"].dropna() for t in text]
    if keys and all(k.str.fullmatch(CANONICAL_INTEGER.pattern).all() for k in keys):
        for table in text:
            raws[table]["pnr"] = pd.to_numeric(raws[table]["pnr"]).astype("Int64")


def parse_column(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Convert a column to its contract type; return it and a mask of rows that do not fit."""
    missing = values.isna()
    if kind == "pnr":
        if pd.api.types.is_integer_dtype(values):
            return (values.fillna(0) if missing.any() else values).astype("int64"), missing
        if pd.api.types.is_float_dtype(values):
            bad = missing | (values != np.floor(values))
            return values.fillna(0).astype("int64"), bad
        return values.astype("string"), missing
    if kind in ("int", "float"):
        if pd.api.types.is_bool_dtype(values):
            return values, pd.Series(True, index=values.index)
        if kind == "int" and pd.api.types.is_integer_dtype(values):
            return values, missing  # converted to its final width (int16 or int64) once validated
        numbers = values if pd.api.types.is_numeric_dtype(values) else pd.to_numeric(values, errors="coerce")
        numbers = numbers.astype("float64") if isinstance(numbers.dtype, pd.api.extensions.ExtensionDtype) else numbers
        bad = numbers.isna() | ~np.isfinite(numbers.fillna(0))
        if kind == "float":
            return numbers.astype("float64"), bad
        bad |= numbers != np.floor(numbers)
        return numbers.where(~bad, 0).astype("int64"), bad
    if kind == "bool":
        if pd.api.types.is_bool_dtype(values) and not missing.any():
            return values.astype(bool), missing
        text = values.astype("string").str.strip().str.lower()
        parsed = text.map(BOOLEAN_TEXT)
        bad = parsed.isna()
        return parsed.fillna(False).astype(bool), bad
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.rename_categories(lambda c: str(c)), missing  # code
    return values.astype("string"), missing  # code


def _rows(frame: pd.DataFrame, index: list) -> str:
    shown = frame.loc[index[:MAX_ROWS_SHOWN]]
    lines = [f"    row {i + 1}: " + ", ".join(f"{c}={v!r}" for c, v in row.items())
             for i, row in zip(shown.index, shown.to_dict("records"))]
    return "\n".join(lines)


def _problem(path: Path, column: str, rule: str, frame: pd.DataFrame, index: list) -> str:
    return f"{path.name}, column '{column}': {rule} — {len(index)} row(s), e.g.\n{_rows(frame, index)}"


def _validate_table(table: str, path: Path, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    columns = contract_columns()[table]
    problems = []
    frame = raw.copy(deep=False)  # columns replaced one by one: no consolidating copy of the table
    for name, spec in columns.items():
        frame[name], bad = parse_column(raw[name], spec.kind)
        if bad.any():
            rule = "missing value" if raw[name][bad].isna().all() else TYPE_RULES.get(spec.kind, f"not of type {spec.kind}")
            problems.append(_problem(path, name, rule, raw, list(raw.index[bad.to_numpy()])))
    if problems:
        return frame, problems
    schema = pa.DataFrameSchema({n: pa.Column(checks=list(s.checks)) for n, s in columns.items()})
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as error:
        cases = error.failure_cases.dropna(subset=["index"])
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            problems.append(_problem(path, column, check, raw, sorted(set(int(i) for i in group["index"]))))
    duplicated = rowkeys.duplicated(frame, KEYS[table])
    if duplicated.any():
        problems.append(_problem(path, "+".join(KEYS[table]), f"duplicate key ({', '.join(KEYS[table])})", raw,
                                 list(raw.index[duplicated])))
    return frame, problems


def _check_coverage(frames: dict[str, pd.DataFrame], files: dict[str, Path]) -> list[str]:
    """Every person-year of bopael has a forbrug row; every person of every table a stamdata row."""
    problems = []
    covered = rowkeys.covered(frames["bopael"], frames["forbrug"], ["pnr", "aar"])
    if not covered.all():
        problems.append(_problem(files["bopael"], "pnr+aar", "person-year in bopael without a forbrug row",
                                 frames["bopael"], list(frames["bopael"].index[~covered])))
    for table in ("bopael", "ydelser", "diagnoser", "forbrug"):
        covered = rowkeys.covered(frames[table], frames["stamdata"], ["pnr"])
        if not covered.all():
            problems.append(_problem(files[table], "pnr", "person without a row in stamdata",
                                     frames[table], list(frames[table].index[~covered])))
    return problems


def resident(frame: pd.DataFrame, bopael: pd.DataFrame, keys: rowkeys.PackedKeys | None) -> np.ndarray:
    """Mask of the rows of `frame` whose person-year (pnr, aar) is in `bopael` (`keys`: its keys
    packed, if at hand: no pass over its rows)."""
    return rowkeys.covered(frame, bopael, ["pnr", "aar"]) if keys is None else keys.holds(frame)


def notes_on_use(frames: dict[str, pd.DataFrame], files: dict[str, Path],
                 residents: rowkeys.PackedKeys | None = None) -> list[str]:
    """What the contract allows but a reader of the results should know (`residents`: bopael's
    keys packed, if at hand)."""
    services = frames["ydelser"]
    if services.empty:
        return [f"{files['ydelser'].name} has no rows: the target group is empty in every year"]
    found = resident(services, frames["bopael"], residents)
    if not found.all():
        return [f"{files['ydelser'].name}: {int((~found).sum()):,} service row(s) for person-years without a "
                "bopael row are not counted (the target group is adult residents)"]
    return []


def check_pnr_types(frames: dict[str, pd.DataFrame], files: dict[str, Path]) -> list[str]:
    """pnr must have one type across tables; an empty table takes the others' type."""
    kinds = {t: "int" if pd.api.types.is_integer_dtype(f["pnr"]) else "string" for t, f in frames.items() if len(f)}
    if len(set(kinds.values())) > 1:
        return ["column 'pnr' must have the same type in every table: "
                + ", ".join(f"{files[t].name}={k}" for t, k in kinds.items())]
    dtype = "int64" if set(kinds.values()) == {"int"} else "string"
    for frame in frames.values():
        if frame.empty:
            frame["pnr"] = frame["pnr"].astype(dtype)
    return []


def final_types(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A validated table's storage types: codes as categories, labels in small integers."""
    for column in ("ydelse", "maalgruppe", "diagnosegruppe", "status_uge48", "koen"):
        if column in frame:
            frame[column] = frame[column].astype("category")
    for column, spec in contract_columns()[table].items():
        if spec.kind == "int" and column in frame:
            frame[column] = frame[column].astype(integer_type(column))
    return frame


def integer_type(column: str) -> np.dtype:
    """How an integer column is held once validated: labels (years, codes, ages) in a quarter of
    the memory, person keys and counts in 64 bits."""
    return np.dtype(np.int16 if column in SMALL_INTEGERS else np.int64)


def _checked(directory: Path, files: dict[str, Path]) -> Extract:
    """The detailed path: every table read whole and checked row by row, every problem reported."""
    notes: list[str] = []
    raws = {table: _read(table, files[table], notes) for table in TABLES}
    if raws["bopael"].empty:
        raise ContractError(f"invalid register extract {directory}:\n- {files['bopael'].name}: no rows "
                            "(bopael holds every resident person-year of the population studied)")
    _person_keys(raws, files)
    frames, problems = {}, []
    for table, raw in raws.items():
        frames[table], found = _validate_table(table, files[table], raw)
        problems += found
    problems += check_pnr_types(frames, files)
    if not problems:
        problems += _check_coverage(frames, files)
    if problems:
        raise ContractError(f"invalid register extract {directory}:\n" + "\n".join(f"- {p}" for p in problems))
    notes += notes_on_use(frames, files)
    for table, frame in frames.items():
        final_types(table, frame)
    activities = Activities(frame=frames.pop("forbrug"))
    return Extract(**frames, activities=activities, files=files, notes=notes)


def load_extract(directory: Path | str) -> Extract:
    """Read and validate every contract table; raise ContractError listing every problem found.

    A Parquet extract stored with the contract's types is screened quickly (`screening`), its
    forbrug left in the file (memory does not grow with it); any other, or any problem, takes the
    detailed path, which reads every table whole and reports every problem with its rows."""
    from .screening import screened  # screening builds on this module's rules

    directory = Path(directory)
    if not directory.is_dir():
        raise ContractError(f"{directory}: not a directory")
    files = {table: find_table_file(directory, table) for table in TABLES}
    return screened(directory, files) or _checked(directory, files)
