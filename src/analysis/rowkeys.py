"""Row keys of national-scale tables packed into integers: duplicate checks, coverage and
lookups in flag arrays and sorted arrays instead of hash joins (pandas where keys are text)."""
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

DENSE_KEY_BITS = 30  # keys packed in up to 30 bits index a flag array (at most 1 GB) instead of a hash
BLOCK_ROWS = 1 << 20  # rows of packed keys decoded at a time
FLAGS_PER_ROW = 16  # a flag array for fewer rows than 1/16 of its flags costs more than sorting them
DENSE_POSITION_BITS = 24  # keys in up to 24 bits (e.g. person numbers) index an array of positions (64 MB)


def _bits(width: int) -> int:
    """Bits that number `width` values from 0."""
    return max(width - 1, 1).bit_length()


def _packing_order(bits: list[int]) -> list[int]:
    """The order in which columns of these widths are packed, most significant first: the
    narrowest leads (equal widths keep their order)."""
    return sorted(range(len(bits)), key=bits.__getitem__)


def key_bits(bounds: dict[str, tuple[int, int]]) -> int:
    """Bits of keys packed within `bounds` (column: (lowest, highest))."""
    return sum(_bits(high - low + 1) for low, high in bounds.values())


def packed_keys(frame: pd.DataFrame, keys: list[str], bounds: dict | None = None) -> tuple[np.ndarray, int] | None:
    """The key columns packed into one integer per row (equal keys, equal numbers; int32 when they
    fit in 31 bits) and the number of bits used, or None when they do not fit in 63 bits (e.g.
    string person keys). `bounds` (column: (lowest, highest)) packs several frames alike. The
    narrowest column leads, so that the rows of one year, say, find their keys close together."""
    parts, used = [], 0
    for column in keys:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) and bounds is None:
            codes, low, width = values.cat.codes.to_numpy(), -1, len(values.cat.categories) + 1
        elif pd.api.types.is_integer_dtype(values) and len(values):
            codes = values.to_numpy()
            low, high = bounds[column] if bounds else (int(codes.min()), int(codes.max()))
            width = high - low + 1
        else:
            return None
        bits = _bits(width)
        parts.append((codes, low, bits))
        used += bits
    if used > 63:
        return None
    parts = [parts[i] for i in _packing_order([bits for _, _, bits in parts])]
    dtype = np.dtype(np.int32 if used <= 31 else np.int64)
    packed, offset = parts[0][0].astype(dtype), parts[0][1]
    for codes, low, bits in parts[1:]:  # in place: tens of millions of rows (wrap-around cancels out exactly)
        packed <<= bits
        packed += codes
        offset = (offset << bits) + low
    span = 1 << (8 * dtype.itemsize)
    packed -= (offset + span // 2) % span - span // 2  # the offset wrapped into the dtype, as the rows are
    return packed, used


def _dense(bits: int, rows: int) -> bool:
    """Keys of `bits` bits of `rows` rows are counted in a flag array (else sorted)."""
    return bits <= DENSE_KEY_BITS and 2**bits <= FLAGS_PER_ROW * rows


def flags(packed: np.ndarray, bits: int) -> np.ndarray:
    """One flag per possible packed key, set where a key occurs."""
    seen = np.zeros(2**bits, dtype=bool)
    seen[packed] = True
    return seen


def repeated(packed: np.ndarray, bits: int) -> np.ndarray:
    """Mask of every packed key that occurs more than once."""
    if _dense(bits, len(packed)) and np.count_nonzero(flags(packed, bits)) == len(packed):
        return np.zeros(len(packed), dtype=bool)  # every key set its own flag: none repeats
    ordered = np.sort(packed)  # sorting beats hashing for tens of millions of keys
    again = ordered[1:][ordered[1:] == ordered[:-1]]
    return np.isin(packed, again) if len(again) else np.zeros(len(packed), dtype=bool)


def distinct(frame: pd.DataFrame, keys: list[str]) -> int:
    """The number of distinct keys."""
    packing = packed_keys(frame, keys)
    if packing is None:
        return len(frame[keys].drop_duplicates())
    packed, bits = packing
    return int(np.count_nonzero(flags(packed, bits))) if _dense(bits, len(packed)) else len(np.unique(packed))


def duplicated(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Mask of every row whose key occurs more than once."""
    packing = packed_keys(frame, keys)
    return frame.duplicated(keys, keep=False).to_numpy() if packing is None else repeated(*packing)


def packed_alike(frames: tuple[pd.DataFrame, ...], keys: list[str]) -> list[tuple[np.ndarray, int]] | None:
    """Integer keys of several frames packed alike, or None when they are not all integers or
    need more than DENSE_KEY_BITS bits."""
    if not all(pd.api.types.is_integer_dtype(f[c]) and len(f) for f in frames for c in keys):
        return None
    bounds = {c: (min(int(f[c].to_numpy().min()) for f in frames), max(int(f[c].to_numpy().max()) for f in frames))
              for c in keys}
    packed = [packed_keys(f, keys, bounds) for f in frames]
    return None if packed[0] is None or packed[0][1] > DENSE_KEY_BITS else packed


def covered(frame: pd.DataFrame, other: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Mask of the rows of `frame` whose key occurs in `other`."""
    packed = packed_alike((frame, other), keys)
    if packed is None:
        found = frame[keys].merge(other[keys].drop_duplicates(), on=keys, how="left", indicator=True)
        return (found["_merge"] == "both").to_numpy()
    (mine, bits), (theirs, _) = packed
    return flags(theirs, bits)[mine]


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
    hit = flags(theirs, bits)[mine]  # a flag array screens the rows first: only those found are searched
    order = np.argsort(theirs, kind="stable")
    found = np.full(len(frame), -1, dtype=np.int64)
    found[hit] = order[np.searchsorted(theirs[order], mine[hit])]
    return found


@dataclass(frozen=True, eq=False)
class PackedKeys:
    """A table's integer keys packed within `bounds`, one per row, kept so that other tables'
    keys are looked up in it without packing its rows again (e.g. bopael's tens of millions)."""
    packed: np.ndarray
    bits: int
    bounds: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, frame: pd.DataFrame, keys: list[str], bounds: dict | None = None) -> "PackedKeys | None":
        """The frame's keys packed (within its own bounds unless given; they must hold every row),
        or None when they are not integers or need more than DENSE_KEY_BITS bits."""
        if not len(frame) or not all(pd.api.types.is_integer_dtype(frame[c]) for c in keys):
            return None
        bounds = bounds or {c: (int(frame[c].to_numpy().min()), int(frame[c].to_numpy().max())) for c in keys}
        if key_bits(bounds) > DENSE_KEY_BITS:
            return None
        return cls(*packed_keys(frame, keys, bounds), bounds)

    def alike(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The rows of `frame` whose keys lie within the bounds, and their keys packed alike."""
        inside = np.ones(len(frame), dtype=bool)
        for column, (low, high) in self.bounds.items():
            values = frame[column].to_numpy()
            inside &= (values >= low) & (values <= high)
        rows = np.flatnonzero(inside)
        packing = packed_keys(frame.iloc[rows], list(self.bounds), self.bounds) if len(rows) else None
        return rows, packing[0] if packing else self.packed[:0]

    @cached_property
    def present(self) -> np.ndarray:
        """One flag per possible key, set where this table has it (made once, kept)."""
        return flags(self.packed, self.bits)

    def unique(self) -> bool:
        """No key occurs twice."""
        return np.count_nonzero(self.present) == len(self.packed)

    def holds(self, frame: pd.DataFrame) -> np.ndarray:
        """Mask of the rows of `frame` whose key occurs in this table."""
        rows, theirs = self.alike(frame)
        found = np.zeros(len(frame), dtype=bool)
        found[rows] = self.present[theirs]
        return found

    def having(self, column: str, values: np.ndarray) -> np.ndarray:
        """Mask of this table's rows whose `column` (one of the keys) is among `values`: read
        from the packed keys, not from the column itself."""
        low, high = self.bounds[column]
        values = values[(values >= low) & (values <= high)]
        wanted = np.zeros(high - low + 1, dtype=bool)
        wanted[values - low] = True
        found = np.empty(len(self.packed), dtype=bool)
        for start, codes in self._codes(column):
            found[start:start + len(codes)] = wanted[codes]
        return found

    def values(self, column: str) -> np.ndarray:
        """The distinct values of `column` (one of the keys), ascending: read from the flags of
        the keys present (no pass over the rows)."""
        shift, width = self._layout(column)
        seen = self.present.reshape(-1, 1 << width, 1 << shift).any(axis=(0, 2))
        return np.flatnonzero(seen) + self.bounds[column][0]

    def _layout(self, column: str) -> tuple[int, int]:
        """Where `column` lies in the packed keys: the bits below it and its own."""
        widths = [_bits(high - low + 1) for low, high in self.bounds.values()]
        order = _packing_order(widths)
        place = list(self.bounds).index(column)
        return sum(widths[i] for i in order[order.index(place) + 1:]), widths[place]

    def _codes(self, column: str):
        """`column`'s values less its lowest, block by block (start, codes) in the rows' order,
        unpacked from the keys (small temporaries: no fresh memory for each step)."""
        shift, width = self._layout(column)
        for start in range(0, len(self.packed), BLOCK_ROWS):
            yield start, (self.packed[start:start + BLOCK_ROWS] >> shift) & ((1 << width) - 1)

    def matches(self, other: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """This table's rows whose key occurs in `other` (whose keys are unique), ascending, and
        for each the row of `other` with its key."""
        candidates, theirs = self.alike(other)
        rows = np.flatnonzero(flags(theirs, self.bits)[self.packed])
        order = np.argsort(theirs, kind="stable")
        return rows, candidates[order[np.searchsorted(theirs[order], self.packed[rows])]]
