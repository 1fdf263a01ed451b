"""A quick proof that a Parquet extract keeps the data contract, the common case at national scale.

The value rules are checked by one DuckDB aggregate query per table: over the Arrow data of the
tables held in memory, and over forbrug's file, which stays where it is; the key rules (unique
keys, every person-year of bopael with a forbrug row, every person in stamdata) by flag arrays,
or, where forbrug's rows are bopael's person-years in bopael's order (as extracts are written),
by comparing forbrug's key columns with bopael's: their stored bytes, else their values. Short
of a proof — a broken rule, a column that needs converting — `screened` returns None, and the
contract's detailed path reads the tables whole to report every problem with its rows.
"""
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import rowkeys
from .contract import (KEYS, TABLES, Activities, Extract, check_pnr_types, code_columns, contract_columns,
                       duckdb_connection, final_types, integer_type, notes_on_use, parse_column, sql_literal)

IN_MEMORY = tuple(table for table in TABLES if table != "forbrug")
BATCH_ROWS = 1 << 20  # forbrug's keys are packed a million rows at a time (a few MB)
READ_ROWS = 1 << 22  # bopael is checked four million rows at a time (about 50 MB; fewer rule queries)


def screened(directory: Path, files: dict[str, Path]) -> Extract | None:
    """The validated extract, or None when it is not proven valid here."""
    if any(path.suffix != ".parquet" for path in files.values()):
        return None
    try:
        metadata = {table: pq.read_metadata(files[table]) for table in TABLES}
        schemas = {table: metadata[table].schema.to_arrow_schema() for table in TABLES}
        if not all(_types_fit(table, schemas[table], metadata[table].num_rows) for table in TABLES):
            return None
        with ThreadPoolExecutor(3) as pool:  # forbrug's rules and keys, bopael's keys: beside the other tables
            rules = pool.submit(_rules_hold, "forbrug", schemas["forbrug"], files["forbrug"])
            written_alike = pool.submit(_key_chunks_alike, files["forbrug"], files["bopael"])
            frames = {"bopael": _read_screened("bopael", files["bopael"], schemas["bopael"])}
            aligned = pool.submit(lambda: written_alike.result() or
                                  _keys_are_bopaels(files["forbrug"], frames["bopael"]))
            own = pool.submit(_own_keys, frames["bopael"])
            frames |= {table: _read_screened(table, files[table], schemas[table]) for table in IN_MEMORY
                       if table != "bopael"}
            held = _frames_agree(frames, schemas["forbrug"], files) and _small_keys_hold(frames)  # beside the packing
            own = own.result()
            aligned = own is not None and aligned.result()
            forbrug = own if aligned else (_forbrug_keys(files["forbrug"], schemas["forbrug"]) if held else None)
            if not rules.result():
                return None
    except (pa.ArrowException, duckdb.Error, OSError):  # the detailed path says what is wrong
        return None
    if not held or forbrug is None or frames["bopael"].empty:
        return None
    residents = _resident_keys(frames["bopael"], forbrug, own)
    if not _keys_hold(frames, forbrug, residents, aligned):
        return None
    notes = notes_on_use(frames, files, residents)
    return Extract(**frames, activities=Activities(path=files["forbrug"], aligned=aligned), files=files, notes=notes,
                   derived={"resident_keys": residents})


def _types_fit(table: str, schema: pa.Schema, rows: int) -> bool:
    """Every contract column is there once, stored with its contract type (nothing to convert;
    a table without rows may have columns of no type)."""
    names = schema.names
    columns = contract_columns()[table]
    return set(columns) <= set(names) and len(set(names)) == len(names) and all(
        _kind_fits(spec.kind, schema.field(name).type) or (rows == 0 and pa.types.is_null(schema.field(name).type))
        for name, spec in columns.items())


def _kind_fits(kind: str, type_: pa.DataType) -> bool:
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    text = pa.types.is_string(type_) or pa.types.is_large_string(type_)
    return {"pnr": pa.types.is_integer(type_) or text, "int": pa.types.is_integer(type_),
            "float": pa.types.is_floating(type_) or pa.types.is_integer(type_),
            "bool": pa.types.is_boolean(type_), "code": text}[kind]


def _read_screened(table: str, path: Path, schema: pa.Schema) -> pd.DataFrame | None:
    """The table in memory with its contract types, or None if a value rule is broken."""
    names = list(contract_columns()[table])
    if all(pa.types.is_integer(schema.field(name).type) for name in names):
        return _read_integers(table, path, schema)
    data = pq.read_table(path, columns=names, read_dictionary=code_columns(table), pre_buffer=False)
    if not _rules_hold(table, data.schema, data):
        return None
    frame = data.to_pandas(split_blocks=True, self_destruct=True)
    frame["pnr"] = parse_column(frame["pnr"], "pnr")[0]
    return final_types(table, frame)


def _read_integers(table: str, path: Path, schema: pa.Schema) -> pd.DataFrame | None:
    """A table of integers (bopael) read part by part into its final columns, each part checked
    against the value rules before it is narrowed: the memory is touched once, and no Arrow copy
    of the whole table is made. The two halves of its row groups are read side by side."""
    metadata = pq.read_metadata(path)
    columns = {name: np.empty(metadata.num_rows, dtype=integer_type(name)) for name in contract_columns()[table]}
    groups = range(metadata.num_row_groups)
    halves = (groups[:len(groups) // 2], groups[len(groups) // 2:])
    with ThreadPoolExecutor(len(halves)) as pool:
        held = list(pool.map(lambda half: _fill(table, path, schema, half, columns), halves))
    return pd.DataFrame(columns, copy=False) if all(held) else None


def _fill(table: str, path: Path, schema: pa.Schema, groups: range, columns: dict[str, np.ndarray]) -> bool:
    """The rows of row groups `groups` put in their places in `columns`, part by part, each part
    checked against the value rules first (false where one is broken)."""
    file = pq.ParquetFile(path, pre_buffer=False)
    start = sum(file.metadata.row_group(group).num_rows for group in range(groups.start))
    with duckdb_connection() as connection:
        for part in _parts(file, groups, list(columns)):
            if not _rules_hold(table, schema, part, connection):
                return False
            for name, values in columns.items():
                at = start
                for chunk in part.column(name).chunks:
                    values[at:at + len(chunk)] = chunk.to_numpy()
                    at += len(chunk)
            start += part.num_rows
    return True


def _parts(file: pq.ParquetFile, groups: range, columns: list[str]) -> Iterator[pa.Table]:
    """The rows of row groups `groups` in parts of up to READ_ROWS rows, made of the row groups'
    own batches: a batch read across two row groups would cost a copy."""
    pending, rows = [], 0
    for group in groups:
        for batch in file.iter_batches(READ_ROWS, row_groups=[group], columns=columns, use_threads=False):
            if pending and rows + batch.num_rows > READ_ROWS:
                yield pa.Table.from_batches(pending)
                pending, rows = [], 0
            pending.append(batch)
            rows += batch.num_rows
    if pending:
        yield pa.Table.from_batches(pending)


def _bounds(rule: dict) -> tuple[float, float]:
    """(lowest, highest) of an in_range or ge check (the contract's are inclusive)."""
    return rule["min_value"], rule.get("max_value", np.inf)


def _rows_keep_rules(table: str, schema: pa.Schema) -> str:
    """An SQL aggregate, true (or null, without rows) where every row keeps the value rules: each
    code list checked once against the column's distinct values, not row by row, and a row's
    floating-point values shown finite by their sum (NaN and ±inf carry through it; a sum too
    large for a double only sends the extract to the detailed path)."""
    conditions, code_lists, floats = [], {}, []
    for name, spec in contract_columns()[table].items():
        column = f'"{name}"'
        conditions.append(f"{column} IS NOT NULL")
        if pa.types.is_floating(schema.field(name).type):
            floats.append(column)
        for check in spec.checks:
            rule = check.statistics
            if "allowed_values" in rule:
                code_lists[column] = f"[{', '.join(sql_literal(v) for v in rule['allowed_values'])}]"
            else:
                low, high = _bounds(rule)
                conditions.append(f"{column} >= {low}" + (f" AND {column} <= {high}" if np.isfinite(high) else ""))
    if floats:
        conditions.append(f"isfinite({' + '.join(floats)})")
    return " AND ".join([f"bool_and({' AND '.join(conditions)})",
                         *(f"list_has_all({codes}, list(DISTINCT {column}))" for column, codes in code_lists.items())])


def _rules_hold(table: str, schema: pa.Schema, rows: pa.Table | Path,
                connection: duckdb.DuckDBPyConnection | None = None) -> bool:
    """Every row keeps the table's value rules: one DuckDB query over an Arrow table or a
    Parquet file (on `connection`, if given, else a new one)."""
    if connection is None:
        with duckdb_connection() as connection:
            return _rules_hold(table, schema, rows, connection)
    if isinstance(rows, pa.Table):
        connection.register("data", rows)
        source = "data"
    else:
        source = f"read_parquet({sql_literal(str(rows))})"
    return connection.execute(f"SELECT {_rows_keep_rules(table, schema)} FROM {source}").fetchall()[0][0] is not False


def _key_chunks_alike(path: Path, bopael: Path) -> bool:
    """forbrug's key columns are bopael's byte for byte: row group by row group, the same number of
    rows, column type and codec and the same stored bytes, so the same keys in the same order
    (proven without decoding; files written alike, as the synthetic register's are)."""
    ours, theirs = pq.read_metadata(path), pq.read_metadata(bopael)
    if ours.num_row_groups != theirs.num_row_groups:
        return False
    with open(path, "rb") as our_file, open(bopael, "rb") as their_file:
        for group in range(ours.num_row_groups):
            if ours.row_group(group).num_rows != theirs.row_group(group).num_rows:
                return False
            for key in KEYS["forbrug"]:
                i, j = ours.schema.names.index(key), theirs.schema.names.index(key)
                a, b = ours.row_group(group).column(i), theirs.row_group(group).column(j)
                if not ours.schema.column(i).equals(theirs.schema.column(j)) or a.compression != b.compression or \
                        a.total_compressed_size != b.total_compressed_size or \
                        _chunk_bytes(our_file, a) != _chunk_bytes(their_file, b):
                    return False
    return True


def _chunk_bytes(file, chunk: pq.ColumnChunkMetaData) -> bytes:
    """A column chunk's stored bytes: its pages (dictionary first, if any), headers included."""
    file.seek(chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset)
    return file.read(chunk.total_compressed_size)


def _keys_are_bopaels(path: Path, residents: pd.DataFrame | None) -> bool:
    """forbrug's rows are bopael's person-years in bopael's order (integer person numbers): its key
    columns, read a row group at a time, equal bopael's."""
    keys = KEYS["forbrug"]
    file = pq.ParquetFile(path, pre_buffer=False)
    if residents is None or file.metadata.num_rows != len(residents) or \
            not pd.api.types.is_integer_dtype(residents["pnr"]) or \
            not pa.types.is_integer(file.schema_arrow.field("pnr").type):
        return False
    start = 0
    for group in range(file.num_row_groups):
        rows = file.read_row_group(group, columns=keys, use_threads=False)
        end = start + rows.num_rows
        if any(rows.column(k).null_count or not np.array_equal(rows.column(k).to_numpy(),
                                                               residents[k].to_numpy()[start:end]) for k in keys):
            return False
        start = end
    return True


def _forbrug_keys(path: Path, schema: pa.Schema) -> rowkeys.PackedKeys | pd.DataFrame | None:
    """forbrug's keys, not in bopael's order: integer keys packed batch by batch (a few bytes a
    row) from a DuckDB scan, any other as a frame (None where bounds from the file's statistics
    do not hold)."""
    keys = KEYS["forbrug"]
    with duckdb_connection() as connection:
        source = f"read_parquet({sql_literal(str(path))}, file_row_number = true)"
        (rows, *extremes), = connection.execute(
            f"SELECT count(*), {', '.join(f'{f}({k})' for k in keys for f in ('min', 'max'))} FROM {source}").fetchall()
        bounds = {key: (extremes[2 * i], extremes[2 * i + 1]) for i, key in enumerate(keys)}
        if not pa.types.is_integer(schema.field("pnr").type) or not rows or \
                rowkeys.key_bits(bounds) > rowkeys.DENSE_KEY_BITS:
            frame = pq.read_table(path, columns=keys, pre_buffer=False).to_pandas()
            frame["pnr"] = parse_column(frame["pnr"], "pnr")[0]
            return final_types("forbrug", frame)
        batches = connection.sql(f"SELECT file_row_number, {', '.join(keys)} FROM {source}").to_arrow_reader(BATCH_ROWS)
        packed = None
        for batch in batches:  # in no particular order: each row goes to its place in the file
            frame = pd.DataFrame({k: batch.column(k).to_numpy() for k in keys})
            if not all(low <= frame[k].min() and frame[k].max() <= high for k, (low, high) in bounds.items()):
                return None  # bounds (perhaps from the file's statistics) that do not hold
            part, bits = rowkeys.packed_keys(frame, keys, bounds)
            packed = np.empty(rows, dtype=part.dtype) if packed is None else packed
            packed[_places(batch.column("file_row_number").to_numpy())] = part
    return rowkeys.PackedKeys(packed, bits, bounds)


def _places(row_numbers: np.ndarray) -> slice | np.ndarray:
    """Where a batch's rows go: a slice where they are consecutive (as a scan returns them), else the numbers."""
    first = int(row_numbers[0])
    consecutive = np.array_equal(row_numbers, np.arange(first, first + len(row_numbers)))
    return slice(first, first + len(row_numbers)) if consecutive else row_numbers


def _own_keys(residents: pd.DataFrame | None) -> rowkeys.PackedKeys | None:
    """bopael's keys packed within their own bounds, with the flags that show repeats: made while
    forbrug is checked on the other core (forbrug's keys have the same bounds when they are bopael's)."""
    keys = None if residents is None else rowkeys.PackedKeys.of(residents, KEYS["bopael"])
    if keys is not None:
        keys.unique()  # the flags are kept with the keys
    return keys


def _resident_keys(residents: pd.DataFrame, forbrug: rowkeys.PackedKeys | pd.DataFrame,
                   own: rowkeys.PackedKeys | None) -> rowkeys.PackedKeys | None:
    """bopael's keys packed as forbrug's (`own`, bopael's keys within their own bounds, if packed
    alike), or None where they are text, too wide, or outside forbrug's bounds."""
    if isinstance(forbrug, pd.DataFrame) or own is None or not all(
            low <= own.bounds[k][0] and own.bounds[k][1] <= high for k, (low, high) in forbrug.bounds.items()):
        return None
    return own if own.bounds == forbrug.bounds else rowkeys.PackedKeys.of(residents, KEYS["bopael"], forbrug.bounds)


def _frames_agree(frames: dict[str, pd.DataFrame | None], forbrug: pa.Schema, files: dict[str, Path]) -> bool:
    """Every table held in memory kept its value rules, and pnr has one type in all and in forbrug."""
    if any(frame is None for frame in frames.values()):
        return False
    pnr_type = {"int" if pd.api.types.is_integer_dtype(f["pnr"]) else "string" for f in frames.values() if len(f)}
    return pnr_type == {"int" if pa.types.is_integer(forbrug.field("pnr").type) else "string"} and \
        not check_pnr_types(frames, files)


def _small_keys_hold(frames: dict[str, pd.DataFrame]) -> bool:
    """stamdata, ydelser and diagnoser: no key repeats; every person of ydelser and diagnoser has stamdata."""
    small = ("stamdata", "ydelser", "diagnoser")
    return not any(rowkeys.duplicated(frames[table], KEYS[table]).any() for table in small) and \
        all(rowkeys.covered(frames[table], frames["stamdata"], ["pnr"]).all() for table in ("ydelser", "diagnoser"))


def _keys_hold(frames: dict[str, pd.DataFrame], forbrug: rowkeys.PackedKeys | pd.DataFrame,
               residents: rowkeys.PackedKeys | None, aligned: bool) -> bool:
    """bopael's and forbrug's keys do not repeat; every person-year of bopael (`residents`: its
    keys packed as forbrug's) has a forbrug row; their persons have stamdata. `aligned`:
    forbrug's keys are bopael's, in its order."""
    stamdata = frames["stamdata"]
    if isinstance(forbrug, pd.DataFrame):  # keys that do not pack densely (text): row keys' general path
        return not rowkeys.duplicated(frames["bopael"], KEYS["bopael"]).any() and \
            not rowkeys.duplicated(forbrug, KEYS["forbrug"]).any() and \
            rowkeys.covered(frames["bopael"], forbrug, ["pnr", "aar"]).all() and \
            all(rowkeys.covered(frame, stamdata, ["pnr"]).all() for frame in (frames["bopael"], forbrug))
    if residents is None or not residents.unique():
        return False  # some person-year of bopael lies outside every forbrug key, or repeats
    if not aligned and not (forbrug.unique() and forbrug.present[residents.packed].all()):
        return False
    persons = pd.DataFrame({"pnr": (residents if aligned else forbrug).values("pnr")})  # forbrug's include bopael's
    return rowkeys.covered(persons, stamdata, ["pnr"]).all()
