"""Disclosure control (METHODS.md §4): single tables, the package as one system, and attacks on it."""
import json

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import null_space
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analysis.areas import COMPARISON, NATIONAL, aggregate, package_areas, regions
from analysis.contract import load_extract
from analysis.consequences import COVARIANCE_COLUMNS
from analysis.disclosure import protect_estimates
from analysis.params import Params
from analysis import protection
from analysis.protection import Block, System, protect
from analysis.registry import PACKAGE_TABLES, book_tables, compute_package, compute_tables, write_tables
from extracts import write_extract


def hidden(shown: pd.DataFrame, column: str = "antal") -> list[int]:
    return shown.index[shown[column].isna()].tolist()


def estimates_of(years: dict[int, tuple[int, int]], flag_persons: dict[int, int], cohort: tuple[int, int]):
    """Hand-built consequence estimates of one scenario: per follow-up year the group sizes
    (succes, ikke succes); two posts, a volume and the flag `kriminalitet`, whose success
    group has `flag_persons[k]` persons with the flag."""
    rows = []
    for k, (n1, n0) in years.items():
        rows.append(("botilbud", "sel108", k, n1, n0, 10.0, 200.0, 190.0, 185.0))
        flagged = flag_persons.get(k, n1 // 2)
        rows.append(("botilbud", "kriminalitet", k, n1, n0, flagged / n1, 0.5, 0.5 - flagged / n1, 0.4))
    items = pd.DataFrame(rows, columns=["scenarie", "post", "opfoelgningsaar", "n_succes", "n_ikke_succes",
                                        "gennemsnit_succes", "gennemsnit_ikke_succes", "forskel_raa",
                                        "forskel_justeret"])
    keys = items[["post", "opfoelgningsaar"]]
    pairs = keys.merge(keys, how="cross", suffixes=("_1", "_2"))
    pairs = pairs[pairs.index % len(keys) >= pairs.index // len(keys)]  # each pair once
    covariances = pd.concat([pairs.assign(scenarie="botilbud", metode=m, kovarians=1.0) for m in ("raa", "justeret")])
    cohorts = pd.DataFrame({"scenarie": ["beskaeftigelse", "botilbud"], "n_succes": [0, cohort[0]],
                            "n_ikke_succes": [0, cohort[1]]})  # nobody in the first scenario
    return {"som_kohorte": cohorts,
            "som_konsekvens": items, "som_kovarians": covariances[COVARIANCE_COLUMNS].reset_index(drop=True)}


def test_a_follow_up_year_with_a_small_group_is_hidden_with_its_covariances():
    shown, audit = protect_estimates(estimates_of({1: (40, 90), 2: (3, 60)}, {}, (40, 90)), 5)
    items = shown["som_konsekvens"].set_index(["post", "opfoelgningsaar"])
    values = items.drop(columns="scenarie")
    assert values.loc[("sel108", 2)].isna().all() and values.loc[("sel108", 1)].notna().all()
    assert {(r["celle"]["post"], r["celle"]["opfoelgningsaar"]) for r in audit["som_konsekvens"]} == \
        {("sel108", 2), ("kriminalitet", 2)}
    covariances = shown["som_kovarians"]
    touches = (covariances["opfoelgningsaar_1"] == 2) | (covariances["opfoelgningsaar_2"] == 2)
    assert covariances.loc[touches, "kovarians"].isna().all() and covariances.loc[~touches, "kovarians"].notna().all()


def test_a_flag_held_by_few_persons_is_hidden_and_so_is_a_flag_all_but_few_hold():
    """A flag's mean times its group's size counts persons: 2 of 40, or 38 of 40, with the flag."""
    for persons in (2, 38):
        shown, audit = protect_estimates(estimates_of({1: (40, 90), 2: (40, 60)}, {1: persons}, (40, 90)), 5)
        items = shown["som_konsekvens"].set_index(["post", "opfoelgningsaar"])
        assert items.loc[("kriminalitet", 1), ["gennemsnit_succes", "forskel_raa"]].isna().all()
        assert items.loc[("kriminalitet", 1), "n_succes"] == 40  # the year's sizes stay
        assert items.loc[("sel108", 1)].notna().all() and items.loc[("kriminalitet", 2)].notna().all()
        assert audit["som_konsekvens"][0]["regel"] == "secondary"
    shown, audit = protect_estimates(estimates_of({1: (40, 90)}, {1: 0}, (40, 90)), 5)
    assert not audit["som_konsekvens"]  # nobody with the flag: no person is singled out


def test_cohort_sizes_that_would_count_the_persons_not_followed_are_hidden():
    """40 successes in the cohort and 37 followed in year 1: 3 persons left or died."""
    shown, audit = protect_estimates(estimates_of({1: (37, 90), 2: (20, 50)}, {}, (40, 90)), 5)
    assert shown["som_kohorte"][["n_succes", "n_ikke_succes"]].isna().all(axis=None)
    record = next(r for r in audit["som_kohorte"] if r["celle"] == {"scenarie": "botilbud"})
    assert "ikke følges" in record["begrundelse"] and record["regel"] == "secondary"
    shown, _ = protect_estimates(estimates_of({1: (30, 90), 2: (20, 50)}, {}, (40, 90)), 5)
    assert shown["som_kohorte"].set_index("scenarie").loc["botilbud", "n_succes"] == 40


def test_a_potential_that_needs_a_hidden_estimate_is_missing_and_one_that_does_not_is_shown(tmp_path):
    from analysis import som
    shown, _ = protect_estimates(estimates_of({1: (40, 90), 2: (40, 60)}, {1: 2}, (40, 90)), 5)
    prices = pd.read_csv(Params().enhedspriser)
    prices.to_csv(tmp_path / "alle.csv", index=False)
    prices[prices["post"] != "kriminalitet"].to_csv(tmp_path / "uden.csv", index=False)
    for name, hidden_total in (("alle", True), ("uden", False)):
        params = Params(enhedspriser=tmp_path / f"{name}.csv")
        totals = som.totals(shown, params).set_index("metode")["kr_pr_borger_4aar"]
        assert totals.isna().all() == hidden_total, name
        by_area = som.potentials(shown, params).query("scenarie == 'botilbud'").set_index(
            ["hovedomraade", "opfoelgningsaar"])["kr_pr_borger"]
        assert by_area[("Botilbud", 1)] == 190 * 1077  # needs only sel108
        assert (pd.isna(by_area[("Politi og retsvæsen", 1)]) if hidden_total
                else ("Politi og retsvæsen", 1) not in by_area)  # kriminalitet is the area's only post


# ---- the engine on hand-built systems ----------------------------------------------------

def system(values: list[int], relations=(), derived=()) -> System:
    """Cells 0..n-1 with `values`; relations [(total, parts)] (total = Σ parts); derived [(cells, coefs)]."""
    table = pd.DataFrame({"antal": values})
    forms = System({"t": table}, {"t": 0}, np.asarray(values, dtype=np.int64))
    for total, parts in relations:
        forms.relations.append(Block(np.array([[total, *parts]]), np.array([1.0] + [-1.0] * len(parts)), "sum"))
    for cells, coefs in derived:
        forms.derived.append(Block(np.array([cells]), np.array(coefs, dtype=float), "overlap"))
    return forms


def hidden_cells(forms: System, min_cell: int = 5) -> list[int]:
    return np.flatnonzero(protect(forms, min_cell)[0]).tolist()


def test_a_total_with_one_hidden_part_hides_the_next_smallest_part():
    # a 10, b 3, c 20 under a published 33: b is primary, and would be 33 - 10 - 20; a is next.
    assert hidden_cells(system([10, 3, 20, 33], [(3, [0, 1, 2])])) == [0, 1]


def test_hidden_parts_must_together_count_at_least_the_threshold():
    """1 and 2 hidden beside 30 under a published 33: their sum, 3, would be read off the total."""
    forms = system([1, 2, 30, 33], [(3, [0, 1, 2])])
    hide, log = protect(forms, 5)
    assert np.flatnonzero(hide).tolist() == [0, 1, 2] and log[-1] == (2, "secondary", "sum")
    assert hidden_cells(system([2, 3, 30, 35], [(3, [0, 1, 2])])) == [0, 1]  # 2 + 3 = 5: protected as it is


def test_a_relation_the_counts_do_not_keep_is_a_bug_not_a_protection():
    """A relation is a fact about the counts: 10 + 3 is not 14, and protecting as if it were
    would guard the wrong cells."""
    with pytest.raises(RuntimeError, match="1 relation.*do not hold"):
        protect(system([10, 3, 14], [(2, [0, 1])]), 5)


def test_overlapping_subgroups_with_a_small_overlap():
    """i_alt 20, kognitiv 18, sindslidelse 5: 3 in both. Hiding sindslidelse (smaller) leaves
    only-sindslidelse = 20 - 18 = 2 readable, so kognitiv goes too."""
    overlap = [([1, 2, 0], [1, 1, -1]), ([0, 2], [1, -1]), ([0, 1], [1, -1])]
    assert hidden_cells(system([20, 18, 5], derived=overlap)) == [1, 2]
    assert hidden_cells(system([100, 60, 50], derived=overlap)) == []


def test_a_cell_determined_only_by_combining_relations_is_protected():
    """Two regions r1 = a + b, r2 = c + d and landsplan L = r1 + r2, with b = 2 (primary) and
    r1 hidden with it: b is then L - r2 - a, through two relations; the engine sees it."""
    forms = system([10, 2, 30, 40, 12, 70, 82], [(6, [4, 5]), (4, [0, 1]), (5, [2, 3])])
    hide = hidden_cells(forms)
    assert 1 in hide and len(hide) >= 2
    assert not _recoverable(forms, np.isin(np.arange(7), hide))


def test_property_no_hidden_cell_nor_the_sum_of_a_relations_hidden_parts_is_recoverable():
    rng = np.random.default_rng(1)
    for _ in range(300):
        parts = rng.integers(0, 25, rng.integers(2, 7)).tolist()
        forms = system(parts + [sum(parts)], [(len(parts), list(range(len(parts))))])
        hide = np.isin(np.arange(len(parts) + 1), hidden_cells(forms))
        values = np.array(parts + [sum(parts)])
        assert (values[~hide] >= 5).all()
        assert not _recoverable(forms, hide), parts
        if not hide[-1]:
            remainder = values[-1] - values[:-1][~hide[:-1]].sum()
            assert remainder == 0 or remainder >= 5, (parts, hide)


def _recoverable(forms: System, hide: np.ndarray) -> list[int]:
    """Hidden positive cells the published cells determine: an independent null-space check."""
    matrix = np.zeros((len(forms.relations), len(forms.values)))
    for row, block in enumerate(forms.relations):
        matrix[row, block.ids[0]] = block.coefs
    on_hidden = matrix[:, hide]
    kernel = null_space(on_hidden) if on_hidden.size else np.zeros((hide.sum(), 0))
    cells = np.flatnonzero(hide)
    return [int(c) for i, c in enumerate(cells) if forms.values[c] > 0 and np.abs(kernel[i]).max(initial=0) < 1e-9]


# ---- the package as one system -----------------------------------------------------------

TINY = {751: (7, 3), 169: (20, 6), 101: (50, 10), 825: (2, 1), 147: (9, 0)}  # kom: (kognitiv, sindslidelse)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Five municipalities, some tiny, members on § 85 (a few on § 108) in 2020 and 2022,
    none in both sub-groups; Læsø (825) has 3 members, Frederiksberg (147) nine."""
    bopael, ydelser, person = [], [], 0
    for kom, sizes in TINY.items():
        for gruppe, size in zip(("kognitiv", "sindslidelse"), sizes):
            for i in range(size):
                person += 1
                service = "sel108" if i % 4 == 3 else "sel85"
                for year in (2020, 2021, 2022):
                    bopael.append((person, year, kom, 40))
                    ydelser.append((person, year, kom, service, gruppe, 365))
    directory = write_extract(tmp_path_factory.mktemp("tiny") / "x", bopael, ydelser)
    return load_extract(directory)


def test_tiny_municipality_in_the_book(tiny, tmp_path):
    """Aarhus: 7 kognitiv and 3 sindslidelse. The 3 are hidden, and so is kognitiv (10 - 7 = 3)."""
    params = Params(kommune=751)
    tables = compute_tables(tiny, params, progress=lambda _: None)
    shown = tables.frames["maalgruppe"].query("aar == 2022").set_index(["omraade", "gruppe"])["antal"]
    assert shown["751"].isna().to_dict() == {"i_alt": False, "kognitiv": True, "sindslidelse": True}
    assert shown["751", "i_alt"] == 10
    assert shown[NATIONAL].tolist() == [108, 88, 20]
    assert shown[COMPARISON].isna().all()  # Herning and Roskilde have none: hidden zeros in the group
    write_tables(tables, tmp_path / "out", params)
    record = json.loads((tmp_path / "out" / "disclosure.json").read_text())
    assert record["graense"] == 5
    cells = {(c["celle"]["omraade"], c["celle"]["gruppe"], c["celle"]["aar"]): c["regel"]
             for c in record["tabeller"]["maalgruppe"]}
    assert cells[("751", "sindslidelse", 2022)] == "primary" and cells[("751", "kognitiv", 2022)] == "secondary"


def test_a_comparison_group_never_reveals_a_hidden_municipal_cell(tiny):
    """The 0.5.0 attack: the group row of [K, 101] minus that of [101] was K's hidden cell. A
    group is summed from the protected municipal cells, and is hidden where any of them is."""
    package = compute_package(tiny, Params(), progress=lambda _: None)
    municipal = package.tables["maalgruppe"].set_index(["omraade", "aar", "gruppe"])["antal"]
    for kom in (825, 147, 751):
        group = book_tables(package, Params(sammenligning=[kom, 101]), progress=lambda _: None).frames["maalgruppe"]
        rows = group[group["omraade"] == COMPARISON].set_index(["aar", "gruppe"])["antal"]
        for (aar, gruppe), value in rows.items():
            cell, base = municipal[(str(kom), aar, gruppe)], municipal[("101", aar, gruppe)]
            if pd.isna(cell) or pd.isna(base):
                assert pd.isna(value), (kom, aar, gruppe)
            else:
                assert value == cell + base


def test_no_hidden_cell_of_the_package_is_recoverable(tiny):
    """The relations a reader can write from the published package alone (areas add up,
    transitions add up to the base year's target group, movements are sums of transitions,
    every member receives a target service), solved for every hidden cell: none is determined,
    and no derived overlap below the threshold can be read off."""
    params = Params()
    package = compute_package(tiny, params, progress=lambda _: None)
    truth = {t.id: aggregate(t.count(tiny, params), package_areas(), list(t.values)) for t in PACKAGE_TABLES.values()}
    names, equations = _reader_equations(package.tables, params)
    values = np.concatenate([truth[name]["antal"].to_numpy(dtype=float) for name in names])
    shown = np.concatenate([package.tables[name]["antal"].to_numpy(dtype=float, na_value=np.nan) for name in names])
    hide = np.isnan(shown)
    assert (values[~hide] == shown[~hide]).all() and (values[~hide] >= 5).all()
    assert hide.sum() < len(hide)  # the national rows, at least, are shown
    on_hidden = equations.tocsc()[:, np.flatnonzero(hide)].tocsr()
    on_hidden = on_hidden[on_hidden.getnnz(axis=1) > 0]
    rows, cols = on_hidden.nonzero()
    graph = coo_matrix((np.ones(len(rows)), (rows, on_hidden.shape[0] + cols)), shape=(sum(on_hidden.shape),) * 2)
    _, label = connected_components(graph, directed=False)
    row_label, cell_label = label[:on_hidden.shape[0]], label[on_hidden.shape[0]:]
    hidden_values = values[hide]
    recovered = []
    for block in np.unique(cell_label[hidden_values > 0]):
        members = np.flatnonzero(cell_label == block)
        kernel = null_space(on_hidden[np.flatnonzero(row_label == block)][:, members].toarray())
        recovered += [int(m) for m in members[np.abs(kernel).max(axis=1, initial=0) < 1e-9] if hidden_values[m] > 0]
    assert not recovered, f"{len(recovered)} hidden cells recoverable"
    for omraade, rows_ in package.tables["maalgruppe"].groupby(["omraade", "aar"]):  # derived overlaps
        cell = rows_.set_index("gruppe")["antal"]
        if cell.notna().all():
            both = cell["kognitiv"] + cell["sindslidelse"] - cell["i_alt"]
            assert both == 0 or both >= 5, omraade


def _reader_equations(tables: dict[str, pd.DataFrame], params: Params):
    """Cell order (tables in order, rows in order) and the linear equations Σ coef · cell = 0 (sparse)."""
    names = ["maalgruppe", "befolkning", "diagnoser", "forbrug", "trappe_overgange", "trappe_bevaegelser"]
    offsets = np.cumsum([0] + [len(tables[n]) for n in names])
    width = offsets[-1]
    position = {n: o for n, o in zip(names, offsets)}
    equations = []

    def index(name: str) -> pd.Series:
        table = tables[name]
        keys = [c for c in table.columns if c not in ("antal", "maengde")]
        return pd.Series(position[name] + np.arange(len(table)),
                         index=pd.MultiIndex.from_frame(table[keys])).sort_index()

    def equation(plus: list[int], minus: list[int]) -> None:
        equations.append([(c, 1.0) for c in plus] + [(c, -1.0) for c in minus])

    municipalities = {region: [str(k) for k in codes] for region, codes in regions().items()}
    for name in names:
        ids = index(name)
        frame = ids.reset_index(name="id")
        keys = [c for c in frame.columns if c not in ("omraade", "id")]
        for _, slice_ in frame.groupby(keys):
            cell = dict(zip(slice_["omraade"], slice_["id"]))
            equation([cell[NATIONAL]], [cell[r] for r in municipalities])
            for region, members in municipalities.items():
                equation([cell[region]], [cell[m] for m in members])
    sizes, moves = index("maalgruppe"), index("trappe_overgange")
    movements = index("trappe_bevaegelser")
    forbrug = index("forbrug")
    categories = {"ingen": ["0"], "lavere": ["1"], "samme": ["2"], "hoejere": ["3", "4", "5"], "udgaaet": ["udgaaet"]}
    for omraade in tables["maalgruppe"]["omraade"].unique():
        for gruppe in ("i_alt", "kognitiv", "sindslidelse"):
            equation([sizes[(omraade, params.trappe_basisaar, gruppe)]], list(moves[(omraade, gruppe)]))
            equation([forbrug[(omraade, params.aar, gruppe, "alle_fem")]], [sizes[(omraade, params.aar, gruppe)]])
        for category, steps in categories.items():
            equation([movements[(omraade, category)]], [moves[(omraade, "i_alt", 2, s)] for s in steps])
        for service in ("sel107", "sel108", "abl105_sel85"):
            equation([forbrug[(omraade, params.aar, "botilbudsbeboere", service)]],
                     [forbrug[(omraade, params.aar, "i_alt", service)]])
    rows = [r for r, terms in enumerate(equations) for _ in terms]
    cols, coefs = zip(*[term for terms in equations for term in terms])
    return names, coo_matrix((coefs, (rows, cols)), shape=(len(equations), width)).tocsr()


def test_residuals_off_the_row_space_decide_as_the_dense_projection_does():
    """Forms in the row space of the relations (sums of relations) and forms off it: the sparse
    shortcut gives the dense projection's largest residual where it matters, and the same verdict."""
    rng = np.random.default_rng(4)
    relations = (rng.random((12, 40)) < 0.15).astype(float)
    _, singular, vt = np.linalg.svd(relations, full_matrices=False)
    basis = vt[singular > 1e-10]
    inside = relations[:6] + relations[6:12]  # sums of relations: determined
    outside = np.eye(40)[:10] + np.eye(40)[10:20]  # pairs of cells: not (almost surely)
    forms = np.vstack([inside, outside])
    dense = np.abs(forms - (forms @ basis.T) @ basis).max(axis=1)
    shortcut = protection._largest_residuals(coo_matrix(forms).tocsr(), basis)
    assert ((dense < protection.TOLERANCE) == (shortcut < protection.TOLERANCE)).all()
    assert (dense[:6] < protection.TOLERANCE).all() and (dense[6:] > protection.TOLERANCE).all()
    assert np.allclose(shortcut[:6], dense[:6], atol=1e-12)
