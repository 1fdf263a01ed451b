"""Row keys of national-scale tables packed into integers: duplicate checks, coverage and
lookups in flag arrays and sorted arrays instead of hash joins (pandas where keys are text)."""
import numpy as np
import pandas as pd

DENSE_KEY_BITS = 30  # keys packed in up to 30 bits index a flag array (at most 1 GB) instead of a hash
DENSE_POSITION_BITS = 24  # keys in up to 24 bits (e.g. person numbers) index an array of positions (64 MB)


def packed_keys(frame: pd.DataFrame, keys: list[str], bounds: dict | None = None) -> tuple[np.ndarray, int] | None:
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


def duplicated(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Mask of every row whose key occurs more than once."""
    packing = packed_keys(frame, keys)
    if packing is None:
        return frame.duplicated(keys, keep=False).to_numpy()
    packed, bits = packing
    if bits <= DENSE_KEY_BITS:  # one flag per possible key: no key repeats if every row sets its own
        seen = np.zeros(2**bits, dtype=bool)
        seen[packed] = True
        if np.count_nonzero(seen) == len(packed):
            return np.zeros(len(packed), dtype=bool)
    ordered = np.sort(packed)  # sorting beats hashing for tens of millions of keys
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    return np.isin(packed, repeated) if len(repeated) else np.zeros(len(packed), dtype=bool)


def packed_alike(frames: tuple[pd.DataFrame, ...], keys: list[str]) -> list[tuple[np.ndarray, int]] | None:
    """Integer keys of several frames packed alike, or None when they are not all integers or
    need more than DENSE_KEY_BITS bits."""
    if not all(pd.api.types.is_integer_dtype(f[c]) and len(f) for f in frames for c in keys):
        return None
    bounds = {c: (min(int(f[c].min()) for f in frames), max(int(f[c].max()) for f in frames)) for c in keys}
    packed = [packed_keys(f, keys, bounds) for f in frames]
    return None if packed[0] is None or packed[0][1] > DENSE_KEY_BITS else packed


def covered(frame: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Mask of the rows of `frame` whose key occurs in `other`."""
    packed = packed_alike((frame, other), keys)
    if packed is None:
        found = frame[keys].merge(other[keys].drop_duplicates(), on=keys, how="left", indicator=True)
        return (found["_merge"] == "both").to_numpy()
    (mine, bits), (theirs, _) = packed
    seen = np.zeros(2**bits, dtype=bool)  # one flag per possible key
    seen[theirs] = True
    return seen[mine]


def positions(frame: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """For each row of `frame`, the position of the row of `other` with its key, -1 if none
    (`other`'s keys are unique): a join index, as a left merge would pair the rows."""
    packed = packed_alike((frame, other), keys)
    if packed is None:
        numbered = other[keys].assign(_position=np.arange(len(other)))
        return frame[keys].merge(numbered, on=keys, how="left")["_position"].fillna(-1).to_numpy(np.int64)
    (mine, bits), (theirs, _) = packed
    if bits <= DENSE_POSITION_BITS:  # one position per possible key
        place = np.full(2**bits, -1, dtype=np.int32)
        place[theirs] = np.arange(len(theirs), dtype=np.int32)
        return place[mine].astype(np.int64)
    seen = np.zeros(2**bits, dtype=bool)
    seen[theirs] = True
    hit = seen[mine]  # a flag array screens the rows first: only those found are searched
    order = np.argsort(theirs, kind="stable")
    found = np.full(len(frame), -1, dtype=np.int64)
    found[hit] = order[np.searchsorted(theirs[order], mine[hit])]
    return found
