"""The register-extract data contract (DATA_CONTRACT.md): load an extract and validate it.

Types are parsed strictly here (pandera's coercion would silently truncate 1.5 to 1); the
value rules (code lists, ranges, unique keys) are pandera schemas.
"""
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.parquet as pq

from . import codes
from .reference import municipality_codes

TABLES = ("bopael", "stamdata", "ydelser", "diagnoser", "forbrug")
MAX_ROWS_SHOWN = 5
SMALL_INTEGERS = ("aar", "kom", "alder", "foed_aar")  # years, municipality codes, ages
DENSE_KEY_BITS = 30  # keys packed in up to 30 bits index a flag array (at most 1 GB) instead of a hash


class ContractError(ValueError):
    """The extract breaks the data contract; the message names file, column, rule and rows."""


@dataclass(frozen=True)
class Column:
    kind: str  # "pnr", "int", "float", "bool" or "code"
    checks: tuple = ()


def _isin(values) -> pa.Check:
    return pa.Check.isin(sorted(values))


def _columns() -> dict[str, dict[str, Column]]:
    kom = Column("int", (_isin(municipality_codes()),))
    weeks = Column("float", (pa.Check.in_range(0, 53),))
    nonnegative = Column("float", (pa.Check.ge(0),))
    return {
        "bopael": {"pnr": Column("pnr"), "aar": Column("int"), "kom": kom,
                   "alder": Column("int", (pa.Check.in_range(0, 120),))},
        "stamdata": {"pnr": Column("pnr"), "koen": Column("code", (_isin(("M", "K")),)),
                     "foed_aar": Column("int"), "foranstaltning_barndom": Column("bool")},
        "ydelser": {"pnr": Column("pnr"), "aar": Column("int"), "kom": kom,
                    "ydelse": Column("code", (_isin(codes.SERVICES),)),
                    "maalgruppe": Column("code", (_isin(codes.REASONS),)),
                    "dage": Column("int", (pa.Check.in_range(1, 366),))},
        "diagnoser": {"pnr": Column("pnr"), "diagnosegruppe": Column("code", (_isin(codes.DIAGNOSES),))},
        "forbrug": {"pnr": Column("pnr"), "aar": Column("int"),
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


@dataclass
class Extract:
    """A validated register extract: one DataFrame per contract table, plus the files read."""
    bopael: pd.DataFrame
    stamdata: pd.DataFrame
    ydelser: pd.DataFrame
    diagnoser: pd.DataFrame
    forbrug: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    derived: dict = field(default_factory=dict, repr=False)

    def memo(self, key, compute):
        """A value derived from the extract, computed once per run (e.g. the target group)."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]


def find_table_file(directory: Path, table: str) -> Path:
    """The Parquet or CSV file holding `table` in an extract directory."""
    for suffix in (".parquet", ".csv"):
        path = directory / f"{table}{suffix}"
        if path.is_file():
            return path
    raise ContractError(f"{directory}: table '{table}' is missing (expected {table}.parquet or {table}.csv)")


def _read(table: str, path: Path) -> pd.DataFrame:
    columns = list(_columns()[table])
    parquet = path.suffix == ".parquet"
    available = pq.read_schema(path).names if parquet else list(pd.read_csv(path, nrows=0).columns)
    missing = [c for c in columns if c not in available]
    if missing:
        raise ContractError(f"{path.name}: required column(s) missing: {', '.join(missing)}")
    if parquet:
        codes = [c for c in columns if _columns()[table][c].kind == "code"]
        table = pq.read_table(path, columns=columns, read_dictionary=codes)
        return table.to_pandas(split_blocks=True, self_destruct=True)
    return pd.read_csv(path, usecols=columns, encoding="utf-8", low_memory=False)[columns]


def _parse(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Convert a column to its contract type; return it and a mask of rows that do not fit."""
    missing = values.isna()
    if kind == "pnr":
        if pd.api.types.is_integer_dtype(values):
            return values.astype("int64"), missing
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
        bad = numbers.isna()
        if kind == "float":
            return numbers.astype("float64"), bad
        bad |= numbers != np.floor(numbers)
        return numbers.where(~bad, 0).astype("int64"), bad
    if kind == "bool":
        if pd.api.types.is_bool_dtype(values) and not missing.any():
            return values.astype(bool), missing
        text = values.astype("string").str.strip().str.lower()
        parsed = text.map({"true": True, "false": False, "1": True, "0": False})
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


def _packed_keys(frame: pd.DataFrame, keys: list[str], bounds: dict | None = None) -> tuple[np.ndarray, int] | None:
    """The key columns packed into one integer per row (equal keys, equal numbers) and the number
    of bits used, or None when they do not fit in 63 bits (e.g. string person keys). `bounds`
    (column: (lowest, highest)) packs several frames alike."""
    packed, used = np.zeros(len(frame), dtype=np.int64), 0
    for column in keys:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) and bounds is None:
            codes, low, width = values.cat.codes.to_numpy(), -1, len(values.cat.categories) + 1
        elif pd.api.types.is_integer_dtype(values) and len(values):
            low, high = bounds[column] if bounds else (int(values.min()), int(values.max()))
            codes, width = values.to_numpy(), high - low + 1
        else:
            return None
        bits = max(width - 1, 1).bit_length()
        if used + bits > 63:
            return None
        packed <<= bits  # in place: tens of millions of rows (wrap-around cancels out exactly)
        packed += codes
        packed -= low
        used += bits
    return packed, used


def _duplicated(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Mask of every row whose key occurs more than once."""
    packing = _packed_keys(frame, keys)
    if packing is None:
        return frame.duplicated(keys, keep=False).to_numpy()
    packed = packing[0]
    ordered = np.sort(packed)  # sorting beats hashing for tens of millions of keys
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    return np.isin(packed, repeated) if len(repeated) else np.zeros(len(packed), dtype=bool)


def _validate_table(table: str, path: Path, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    columns = _columns()[table]
    problems = []
    frame = raw.copy(deep=False)  # columns replaced one by one: no consolidating copy of the table
    for name, spec in columns.items():
        frame[name], bad = _parse(raw[name], spec.kind)
        if bad.any():
            rule = "missing value" if raw[name][bad].isna().all() else f"not of type {spec.kind}"
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
    duplicated = _duplicated(frame, KEYS[table])
    if duplicated.any():
        problems.append(_problem(path, "+".join(KEYS[table]), f"duplicate key ({', '.join(KEYS[table])})", raw,
                                 list(raw.index[duplicated])))
    return frame, problems


def _check_forbrug_coverage(bopael: pd.DataFrame, forbrug: pd.DataFrame, path: Path) -> list[str]:
    covered = _covered(bopael, forbrug, ["pnr", "aar"])
    uncovered = list(bopael.index[~covered])
    if not uncovered:
        return []
    return [_problem(path, "pnr+aar", "person-year in bopael without a forbrug row", bopael, uncovered)]


def _covered(frame: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Mask of the rows of `frame` whose key occurs in `other`."""
    packed = _packed_alike((frame, other), keys)
    if packed is None:
        found = frame[keys].merge(other[keys].drop_duplicates(), on=keys, how="left", indicator=True)
        return (found["_merge"] == "both").to_numpy()
    (mine, bits), (theirs, _) = packed
    seen = np.zeros(2**bits, dtype=bool)  # one flag per possible key
    seen[theirs] = True
    return seen[mine]


def _packed_alike(frames: tuple[pd.DataFrame, ...], keys: list[str]) -> list[tuple[np.ndarray, int]] | None:
    """Integer keys of several frames packed alike, or None when they are not all integers or
    need more than DENSE_KEY_BITS bits."""
    if not all(pd.api.types.is_integer_dtype(f[c]) and len(f) for f in frames for c in keys):
        return None
    bounds = {c: (min(int(f[c].min()) for f in frames), max(int(f[c].max()) for f in frames)) for c in keys}
    packed = [_packed_keys(f, keys, bounds) for f in frames]
    return None if packed[0] is None or packed[0][1] > DENSE_KEY_BITS else packed


def _check_pnr_types(frames: dict[str, pd.DataFrame], files: dict[str, Path]) -> list[str]:
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


def load_extract(directory: Path | str) -> Extract:
    """Read and validate every contract table; raise ContractError listing every problem found."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ContractError(f"{directory}: not a directory")
    files = {table: find_table_file(directory, table) for table in TABLES}
    frames, problems = {}, []
    for table, path in files.items():
        raw = _read(table, path)
        frames[table], found = _validate_table(table, path, raw)
        problems += found
    problems += _check_pnr_types(frames, files)
    if not problems:
        problems += _check_forbrug_coverage(frames["bopael"], frames["forbrug"], files["bopael"])
    if problems:
        raise ContractError(f"invalid register extract {directory}:\n" + "\n".join(f"- {p}" for p in problems))
    for table, frame in frames.items():
        for column in ("ydelse", "maalgruppe", "diagnosegruppe", "status_uge48", "koen"):
            if column in frame:
                frame[column] = frame[column].astype("category")
        for column, spec in _columns()[table].items():
            if spec.kind == "int":  # labels (years, codes, ages) in a quarter of the memory
                frame[column] = frame[column].astype("int16" if column in SMALL_INTEGERS else "int64")
    return Extract(**frames, files=files)
