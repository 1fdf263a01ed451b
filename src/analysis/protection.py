"""Disclosure control of a result package as one system (METHODS.md §4).

Every count of the package is a cell. The package states linear relations between cells
(landsplan = the sum of the regions, a region = the sum of its municipalities, the
staircase's transitions = the base year's target group, …) and implies derived counts
(persons in both sub-groups, persons without a measure, adults outside the target group).
Protection hides, in order:

* primary: every count below the threshold (zero included);
* until nothing changes, a further cell (the smallest visible one that helps) wherever
  - a relation's hidden parts together count fewer than the threshold while its total is shown,
  - a derived count below the threshold can be computed from shown cells, or
  - a hidden cell, or a small derived count, is determined by the relations: it lies in the
    row space of the relations restricted to the hidden cells (checked exactly, block by
    block, with a singular value decomposition).

A volume (`maengde`) is hidden with the count of its row. Money and means formed from the
package are therefore never computed from a hidden cell.
"""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .areas import NATIONAL, hierarchy, regions
from .codes import TARGET_SERVICES
from .profile import ADULTS, ALL_FIVE, BOTILBUD, ON_BOTILBUD, POPULATION, age_band
from .staircase import load_staircase, movement_of_step

PRIMARY, SECONDARY = "primary", "secondary"
TOLERANCE = 1e-8  # a form whose residual off the relations' row space is below this is determined
ROUNDING = 1e-10  # far above the rounding in a squared distance, far below a form's that is not determined


@dataclass(frozen=True)
class Block:
    """Linear forms Σ coefs · cell over rows of cell ids: relations (= 0) or derived counts."""
    ids: np.ndarray  # (forms, width)
    coefs: np.ndarray  # (width,)
    kind: str


@dataclass
class System:
    """The package's cells (one per row of every table, its `antal`), relations and derived counts."""
    tables: dict[str, pd.DataFrame]
    offsets: dict[str, int]
    values: np.ndarray
    relations: list[Block] = field(default_factory=list)
    derived: list[Block] = field(default_factory=list)
    levels: np.ndarray | None = None  # per cell: 0 municipality, 1 region, 2 landsplan (hidden last)

    def grid(self, table: str, index: list[str], columns: list[str], **fixed) -> pd.DataFrame:
        """Cell ids of `table`'s rows matching `fixed`, indexed by `index` with `columns` across."""
        rows = self.tables[table]
        mask = np.ones(len(rows), dtype=bool)
        for column, value in fixed.items():
            mask &= (rows[column] == value).to_numpy()
        ids = pd.Series(self.offsets[table] + np.flatnonzero(mask), index=pd.MultiIndex.from_frame(
            rows.loc[mask, index + columns]) if len(index + columns) > 1 else rows.loc[mask, (index + columns)[0]])
        return ids.unstack(columns) if columns else ids.to_frame()

    def add(self, target: list, parts: list[pd.DataFrame], coefs: list[float], kind: str) -> None:
        """Forms Σ coef · part, the parts aligned on their common index (each a frame of ids)."""
        frame = pd.concat(parts, axis=1, join="inner")
        widths = [p.shape[1] for p in parts]
        target.append(Block(frame.to_numpy(dtype=np.int64), np.repeat(np.asarray(coefs, dtype=float), widths), kind))


def build_system(tables: dict[str, pd.DataFrame], params) -> System:
    """The cells of the package tables and every relation and derived count between them."""
    offsets, start = {}, 0
    for name, table in tables.items():
        offsets[name] = start
        start += len(table)
    values = np.concatenate([t["antal"].to_numpy(dtype=np.int64) for t in tables.values()])
    rank = {NATIONAL: 2, **{region: 1 for region in regions()}}
    levels = np.concatenate([t["omraade"].map(rank).fillna(0).to_numpy(dtype=np.int64) for t in tables.values()])
    system = System(tables, offsets, values, levels=levels)
    for name, table in tables.items():
        keys = [c for c in table.columns if c not in ("omraade", "antal", "maengde")]
        by_area = system.grid(name, keys, ["omraade"])
        for outer, inner in hierarchy():
            system.add(system.relations, [by_area[[outer]], by_area[inner]], [1, -1], "sum")
    _group_forms(system, params.aar, params.trappe_basisaar, age_band(params))
    _movement_forms(system, params)
    return system


def _movement_forms(system: System, params) -> None:
    """Each movement from the § 85 step is the sum of that step's transitions to its steps."""
    anchor = load_staircase(params.indsatstrappe).anchor
    moves = system.grid("trappe_overgange", ["omraade"], ["til_trin"], gruppe="i_alt", fra_trin=anchor)
    counted = system.grid("trappe_bevaegelser", ["omraade"], ["bevaegelse"])
    categories = movement_of_step(params)
    for name in counted.columns:
        steps_ = [t for t, category in categories.items() if category == name]
        system.add(system.relations, [counted[[name]], moves[steps_]], [1, -1], "sum")


def _group_forms(system: System, aar: int, base_year: int, band: str) -> None:
    """The relations and derived counts between groups and tables."""
    size = system.grid("maalgruppe", ["omraade"], ["gruppe"], aar=aar)
    adults = system.grid("befolkning", ["omraade"], ["gruppe"])
    moves = system.grid("trappe_overgange", ["omraade", "gruppe"], ["fra_trin", "til_trin"])
    base = system.grid("maalgruppe", ["omraade", "gruppe"], [], aar=base_year)
    system.add(system.relations, [base, moves], [1, -1], "sum")  # Σ transitions = base-year target group
    relations, derived = system.relations, system.derived
    for name, index, fixed in (("maalgruppe", ["omraade", "aar"], {}), ("diagnoser", ["omraade", "diagnosegruppe"], {}),
                               ("forbrug", ["omraade", "maal"], {}),
                               ("trappe_overgange", ["omraade", "fra_trin", "til_trin"], {})):
        groups = system.grid(name, index, ["gruppe"], **fixed)
        i, k, s = (groups[[g]] for g in ("i_alt", "kognitiv", "sindslidelse"))
        system.add(derived, [k, s, i], [1, 1, -1], "overlap")  # in both sub-groups
        system.add(derived, [i, s], [1, -1], "overlap")  # only kognitiv
        system.add(derived, [i, k], [1, -1], "overlap")  # only sindslidelse
    diagnoses = system.grid("diagnoser", ["omraade", "gruppe"], ["diagnosegruppe"])
    sizes = size.stack().to_frame()
    for column in diagnoses.columns:
        system.add(derived, [sizes, diagnoses[[column]]], [1, -1], "complement")
    forbrug = system.grid("forbrug", ["omraade", "gruppe"], ["maal"])
    group_sizes = pd.concat([sizes, adults[[ADULTS]].assign(gruppe=POPULATION).set_index(
        "gruppe", append=True).rename(columns={ADULTS: 0})])
    for column in forbrug.columns:
        system.add(derived, [group_sizes, forbrug[[column]]], [1, -1], "complement")
    everyone = system.grid("forbrug", ["omraade", "maal"], ["gruppe"])
    system.add(derived, [everyone[[POPULATION]], everyone[["i_alt"]]], [1, -1], "complement")
    system.add(derived, [adults[[ADULTS]], size[["i_alt"]]], [1, -1], "complement")
    if band != ADULTS and band.startswith("alder_") and int(band.split("_")[1]) >= 18:
        system.add(derived, [adults[[ADULTS]], adults[[band]]], [1, -1], "complement")
    system.add(relations, [forbrug[[ALL_FIVE]], sizes], [1, -1], "same")  # every member has a target service
    on_botilbud = system.grid("forbrug", ["omraade"], ["maal"], gruppe=ON_BOTILBUD)
    members = system.grid("forbrug", ["omraade"], ["maal"], gruppe="i_alt")
    for service in TARGET_SERVICES:
        if service in BOTILBUD:  # every member with a botilbud service lives on a botilbud
            system.add(relations, [on_botilbud[[service]], members[[service]]], [1, -1], "same")
        else:
            system.add(derived, [members[[service]], on_botilbud[[service]]], [1, -1], "complement")
            system.add(derived, [members[["botilbud"]], on_botilbud[[service]]], [1, -1], "complement")


REASONS = {
    "primary": "færre end {m} personer",
    "sum": "de skjulte dele af en sum tæller tilsammen færre end {m} personer",
    "determined": "cellen kunne ellers beregnes af offentliggjorte tal",
    "overlap": "et afledt antal (personer i begge undergrupper eller i kun én) ville være under {m}",
    "complement": "et afledt antal (personer uden, eller uden for målgruppen) ville være under {m}",
}


def protect(system: System, min_cell: int) -> tuple[np.ndarray, list[tuple[int, str, str]]]:
    """The hidden cells (bool per cell) and the log (cell, primary/secondary, reason key)."""
    values = system.values
    hidden = values < min_cell
    log = [(int(c), PRIMARY, "primary") for c in np.flatnonzero(hidden)]
    matrix = _matrix(system.relations, len(values))
    broken = np.flatnonzero(matrix @ values)
    if len(broken):  # the relations are facts about the counts; a false one would misguide protection
        raise RuntimeError(f"{len(broken)} relation(s) between package cells do not hold, e.g. cells "
                           f"{matrix[broken[0]].indices.tolist()}: the package tables disagree with each other")
    forms = _forms(system.derived, len(values))
    cache: dict = {}
    by_cell = matrix.tocsc()
    while True:
        picks = _violations(system, matrix, by_cell, forms, hidden, min_cell, cache)
        picks = {cell: reason for cell, reason in picks.items() if not hidden[cell]}
        if not picks:
            return hidden, log
        for cell, reason in sorted(picks.items()):
            hidden[cell] = True
            log.append((cell, SECONDARY, reason))


def _matrix(blocks: list[Block], width: int):
    """The forms of `blocks` as one sparse matrix (one row per form, one column per cell)."""
    rows, cols, data, offset = [], [], [], 0
    for block in blocks:
        count = block.ids.shape[0]
        rows.append(np.repeat(np.arange(offset, offset + count), block.ids.shape[1]))
        cols.append(block.ids.ravel())
        data.append(np.tile(block.coefs, count))
        offset += count
    if not rows:
        return coo_matrix((0, width)).tocsr()
    return coo_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(offset, width)).tocsr()


@dataclass(frozen=True)
class Forms:
    matrix: object  # sparse, one row per derived count
    kinds: np.ndarray


def _forms(blocks: list[Block], width: int) -> Forms:
    return Forms(_matrix(blocks, width), np.concatenate([[b.kind] * b.ids.shape[0] for b in blocks])
                 if blocks else np.array([], dtype=object))


def _smallest(cells: np.ndarray, values: np.ndarray, hidden: np.ndarray, levels: np.ndarray | None) -> int | None:
    """The visible cell to hide: the lowest area level first (a municipality before a region,
    landsplan last), then the smallest value."""
    visible = cells[~hidden[cells]]
    if not len(visible):
        return None
    level = levels[visible] if levels is not None else np.zeros(len(visible))
    order = np.lexsort((visible, values[visible], level))
    return int(visible[order[0]])


def _violations(system: System, matrix, by_cell, forms: Forms, hidden: np.ndarray, min_cell: int,
                cache: dict) -> dict[int, str]:
    """Cells to hide next, each with the reason key of the rule that asks for it."""
    values = system.values
    picks: dict[int, str] = {}
    small = lambda v: (v > 0) & (v < min_cell)  # noqa: E731
    for block in system.relations:  # a total shown over hidden parts that together count few
        if block.kind != "sum":
            continue
        parts = block.ids[:, 1:]
        hidden_sum = (values[parts] * hidden[parts]).sum(axis=1)
        for row in np.flatnonzero(~hidden[block.ids[:, 0]] & small(hidden_sum)):
            cell = _smallest(parts[row], values, hidden, system.levels)
            if cell is not None:
                picks.setdefault(cell, "sum")
    derived_values = forms.matrix @ values
    on_hidden = np.asarray(abs(forms.matrix) @ hidden.astype(float)).ravel() > 0
    for row in np.flatnonzero(~on_hidden & small(derived_values)):  # a small derived count read off shown cells
        cell = _smallest(forms.matrix[row].indices, values, hidden, system.levels)
        if cell is not None:
            picks.setdefault(cell, str(forms.kinds[row]))
    hidden_per_relation = np.asarray(abs(matrix) @ hidden.astype(float)).ravel()
    for cells, reason in _determined(matrix, forms, np.flatnonzero(on_hidden & small(derived_values)), hidden,
                                     values, cache):
        touching = np.unique(by_cell[:, cells].indices)
        direct = touching[hidden_per_relation[touching] <= 1]  # relations in which it is the only hidden cell
        candidates = np.unique(np.concatenate([matrix[direct if len(direct) else touching].indices, cells]))
        cell = _smallest(candidates, values, hidden, system.levels)
        if cell is not None:
            picks.setdefault(cell, reason)
    return picks


def _determined(matrix, forms: Forms, form_rows: np.ndarray, hidden: np.ndarray, values: np.ndarray, cache: dict):
    """(cells, reason) for each hidden positive cell, and each derived count of `form_rows`
    (small, resting on hidden cells), that the relations determine."""
    hidden_cells = np.flatnonzero(hidden)
    if not len(hidden_cells):
        return
    restricted = matrix[:, hidden_cells]
    restricted = restricted[restricted.getnnz(axis=1) > 0].tocsr()
    n_rows = restricted.shape[0]
    rows_of, cols_of = restricted.nonzero()
    graph = coo_matrix((np.ones(len(rows_of)), (rows_of, n_rows + cols_of)), shape=(n_rows + len(hidden_cells),) * 2)
    _, labels = connected_components(graph, directed=False)
    row_label, cell_label = labels[:n_rows], labels[n_rows:]
    entries = forms.matrix[form_rows][:, hidden_cells].tocoo()
    entry_label = cell_label[entries.col]
    entry_order = np.argsort(entry_label, kind="stable")
    cell_order = np.argsort(cell_label, kind="stable")
    row_order = np.argsort(row_label, kind="stable")
    ends = np.arange(labels.max() + 2)
    cell_bounds = np.searchsorted(cell_label[cell_order], ends)
    row_bounds = np.searchsorted(row_label[row_order], ends)
    entry_bounds = np.searchsorted(entry_label[entry_order], ends)
    local = np.empty(len(hidden_cells), dtype=np.int64)  # a hidden cell's place within its block
    positive = values[hidden_cells] > 0
    residual = np.zeros(len(form_rows))
    blocks = labels.max() + 1  # the blocks worth a look: hidden cells, some positive or in a small form
    worth = (np.bincount(cell_label, minlength=blocks) > 0) & (
        (np.bincount(cell_label, weights=positive, minlength=blocks) > 0) | (np.bincount(entry_label, minlength=blocks) > 0))
    for label in np.flatnonzero(worth):
        members = cell_order[cell_bounds[label]:cell_bounds[label + 1]]
        in_block = entry_order[entry_bounds[label]:entry_bounds[label + 1]]
        rows = row_order[row_bounds[label]:row_bounds[label + 1]]
        basis = _basis(restricted, rows, members, hidden_cells, cache)
        if len(basis):
            determined = (basis ** 2).sum(axis=0) > 1 - 1e-8
            for place in np.flatnonzero(determined & positive[members]):
                yield np.array([hidden_cells[members[place]]]), "determined"
        if len(in_block):
            local[members] = np.arange(len(members))
            form_ids, form_place = np.unique(entries.row[in_block], return_inverse=True)
            block_forms = coo_matrix((entries.data[in_block], (form_place, local[entries.col[in_block]])),
                                     shape=(len(form_ids), len(members))).tocsr()
            residual[form_ids] = np.maximum(residual[form_ids], _largest_residuals(block_forms, basis))
    for row in np.flatnonzero(residual < TOLERANCE):
        yield forms.matrix[form_rows[row]].indices, str(forms.kinds[form_rows[row]])


def _largest_residuals(block_forms, basis: np.ndarray) -> np.ndarray:
    """Per form (a sparse row over a block's hidden cells), the largest entry, in absolute value,
    of its residual off the row space of `basis` (orthonormal rows). Only the forms near the row
    space get it entry by entry; a form farther off, by its squared distance (Pythagoras, from
    sparse products), cannot have every entry below TOLERANCE and gets infinity."""
    if not len(basis):
        return abs(block_forms).max(axis=1).toarray().ravel()
    along = block_forms @ basis.T
    distance = np.asarray(block_forms.multiply(block_forms).sum(axis=1)).ravel() - (along ** 2).sum(axis=1)
    largest = np.full(block_forms.shape[0], np.inf)
    near = np.flatnonzero(distance <= block_forms.shape[1] * TOLERANCE ** 2 + ROUNDING)
    if len(near):
        dense = block_forms[near].toarray()
        largest[near] = np.abs(dense - (dense @ basis.T) @ basis).max(axis=1)
    return largest


def _basis(restricted, rows: np.ndarray, members: np.ndarray, hidden_cells: np.ndarray, cache: dict) -> np.ndarray:
    """An orthonormal basis of the row space of one block of relations (rows) over its hidden cells."""
    key = (hidden_cells[members].tobytes(), len(rows))
    if key not in cache:
        if not len(rows):
            cache[key] = np.zeros((0, len(members)))
        else:
            dense = restricted[rows][:, members].toarray()
            _, singular, vt = np.linalg.svd(dense, full_matrices=False)
            rank = int((singular > max(dense.shape) * np.finfo(float).eps * max(singular.max(), 1.0)).sum())
            cache[key] = vt[:rank]
    return cache[key]


def audit_records(system: System, log: list[tuple[int, str, str]], min_cell: int) -> dict[str, list[dict]]:
    """Per table, one record per hidden cell: the cell's keys, the rule and the reason in Danish."""
    records: dict[str, list[dict]] = {}
    cells = np.array([cell for cell, _, _ in log], dtype=np.int64)
    for name, table in system.tables.items():
        start = system.offsets[name]
        mine = np.flatnonzero((cells >= start) & (cells < start + len(table)))
        keys = table.drop(columns=[c for c in ("antal", "maengde") if c in table]).iloc[cells[mine] - start]
        records[name] = [{"celle": cell, "regel": log[i][1], "begrundelse": REASONS[log[i][2]].format(m=min_cell),
                          "graense": min_cell} for i, cell in zip(mine, keys.to_dict("records"))]
    return records


def apply_hidden(system: System, hidden: np.ndarray) -> dict[str, pd.DataFrame]:
    """The package tables with every hidden count, and the volume of its row, missing."""
    shown = {}
    for name, table in system.tables.items():
        mask = hidden[system.offsets[name]:system.offsets[name] + len(table)]
        table = table.copy()
        for column in ("antal", "maengde"):
            if column in table:
                table[column] = table[column].astype("Int64" if column == "antal" else "Float64").mask(mask)
        shown[name] = table
    return shown
