"""The result package: made from an extract, read with no extract, books built from it alone."""
import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest

from analysis.cli import main
from analysis.contract import load_extract
from analysis.manifest import sha256
from analysis.package import PackageError, book_params, read_package
from analysis.params import Params, ParamsError
from analysis.project import ROOT
from analysis.registry import book_tables, compute_tables, write_tables
from analysis.synth import write_synthetic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A package of a small synthetic extract, made by `roret package`; the extract is kept."""
    root = tmp_path_factory.mktemp("package")
    write_synthetic(root / "data", scale=0.01, seed=7, progress=lambda _: None)
    assert main(["package", "--data", str(root / "data"), "--out", str(root / "pkg")]) == 0
    return root


def csv_text(tables, directory, params) -> dict[str, str]:
    write_tables(tables, directory, params)
    return {p.name: p.read_text() for p in sorted((directory / "tables").glob("*.csv"))}


def test_package_holds_aggregates_of_every_area_and_a_manifest_of_every_file(made):
    package, manifest = read_package(made / "pkg")
    assert manifest["synthetic"] is True and manifest["parameters"]["enhedspriser"] == "enhedspriser.csv"
    assert set(manifest["files"]) >= {"tables/maalgruppe.csv", "tables/forbrug.csv", "disclosure.json",
                                      "LAESMIG.md", "enhedspriser.csv", "indsatstrappe.csv"}
    areas = set(package.tables["maalgruppe"]["omraade"])
    assert len(areas) == 1 + 5 + 98 and {"landsplan", "region_midtjylland", "825"} <= areas
    assert "Diskretionering" in (made / "pkg" / "LAESMIG.md").read_text(encoding="utf-8")
    for table in package.tables.values():
        assert "pnr" not in table


@pytest.mark.parametrize("kommune", [None, 751, 825])
def test_book_tables_from_the_package_equal_those_from_the_extract(made, tmp_path, kommune):
    params = Params(kommune=kommune)
    direct = compute_tables(load_extract(made / "data"), params, progress=lambda _: None)
    package, _ = read_package(made / "pkg")
    from_package = book_tables(package, book_params(package, kommune=kommune), progress=lambda _: None)
    assert csv_text(direct, tmp_path / "a", params) == csv_text(from_package, tmp_path / "b", params)


def test_a_book_from_the_package_alone_equals_the_book_from_the_extract(made, tmp_path):
    """Built with no extract on the machine (moved away), and verified from the package."""
    assert main(["build", "--data", str(made / "data"), "--out", str(tmp_path / "direct"), "--no-pdf",
                 "--kommune", "751"]) == 0
    away = tmp_path / "elsewhere"
    shutil.move(made / "data", away)
    try:
        assert main(["build", "--pakke", str(made / "pkg"), "--out", str(tmp_path / "book"), "--no-pdf",
                     "--kommune", "751"]) == 0
    finally:
        shutil.move(away, made / "data")
    for folder, pattern in (("tables", "*.csv"), ("notebooks", "*.ipynb")):
        for path in sorted((tmp_path / "direct" / folder).glob(pattern)):
            if path.name != "reproducerbarhed.ipynb":  # the appendix names its source: an extract, a package
                assert path.read_bytes() == (tmp_path / "book" / folder / path.name).read_bytes(), path.name
    manifest = json.loads((tmp_path / "book" / "manifest.json").read_text())
    assert manifest["data"]["kind"] == "resultatpakke"
    assert main(["verify", str(tmp_path / "book")]) == 0


def test_own_prices_discount_rate_and_scenario_from_the_package_equal_the_extract_run(made, tmp_path):
    """No microdata needed for SØM at other prices: the book's tables from the package equal
    those computed from the extract with the same parameters, and they did change."""
    prices = pd.read_csv(Params().enhedspriser)
    prices.assign(kr=prices["kr"] * 1.5).to_csv(tmp_path / "priser.csv", index=False)
    (tmp_path / "p.yml").write_text("enhedspriser: priser.csv\ndiskonteringsrente: 0.03\n"
                                    "ekstra_succeser: {beskaeftigelse: 4, botilbud: 2}\n")
    package, _ = read_package(made / "pkg")
    params = book_params(package, tmp_path / "p.yml")
    direct = compute_tables(load_extract(made / "data"), Params.load(tmp_path / "p.yml"), progress=lambda _: None)
    own = csv_text(book_tables(package, params, progress=lambda _: None), tmp_path / "b", params)
    assert csv_text(direct, tmp_path / "a", params) == own
    default = csv_text(book_tables(package, package.params, progress=lambda _: None), tmp_path / "c", params)
    for table_id in ("som_potentiale", "som_potentiale_betaler", "som_scenarie"):
        assert own[f"{table_id}.csv"] != default[f"{table_id}.csv"], table_id
    shown = pd.read_csv(tmp_path / "b" / "tables" / "som_potentiale.csv")["kr_pr_borger"]
    assert shown.notna().mean() > 0.5  # this small package hides the four-year totals, not the early years


def test_a_changed_missing_or_foreign_package_file_is_refused_by_name(made, tmp_path, capsys):
    copy = tmp_path / "pkg"
    shutil.copytree(made / "pkg", copy)
    table = copy / "tables" / "maalgruppe.csv"
    table.write_text(table.read_text().replace("landsplan", "landsplan ", 1))
    with pytest.raises(PackageError, match=r"maalgruppe\.csv: changed since the package was written"):
        read_package(copy)
    table.unlink()
    assert main(["build", "--pakke", str(copy), "--out", str(tmp_path / "out"), "--no-pdf"]) == 1
    assert "maalgruppe.csv: missing from the result package" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    manifest = json.loads((made / "pkg" / "manifest.json").read_text())
    shutil.rmtree(copy)
    shutil.copytree(made / "pkg", copy)
    (copy / "manifest.json").write_text(json.dumps(manifest | {"format_version": 0}))
    with pytest.raises(PackageError, match="package format 0"):
        read_package(copy)


def test_parameters_that_need_the_microdata_are_refused_by_name(made, tmp_path):
    package, _ = read_package(made / "pkg")
    for key, value in (("aar", 2021), ("min_celle", 10), ("trappe_basisaar", 2019), ("pr_10000_alder", [18, 66])):
        (tmp_path / "p.yml").write_text(f"{key}: {json.dumps(value)}\n")
        with pytest.raises(ParamsError, match=rf"parameter '{key}': .* needs the microdata"):
            book_params(package, tmp_path / "p.yml")
    (tmp_path / "p.yml").write_text(f"indsatstrappe: {ROOT / 'examples' / 'aarhus' / 'indsatstrappe.csv'}\n")
    with pytest.raises(ParamsError, match="parameter 'indsatstrappe': another assignment of services to steps"):
        book_params(package, tmp_path / "p.yml")  # Aarhus's staircase merges two steps


def test_a_book_may_choose_its_municipality_comparison_group_and_step_names(made, tmp_path):
    package, _ = read_package(made / "pkg")
    renamed = pd.read_csv(package.params.indsatstrappe)
    renamed["navn"] = [f"Trin {t}" for t in renamed["trin"]]
    renamed.to_csv(tmp_path / "trappe.csv", index=False)
    (tmp_path / "p.yml").write_text("kommune: 101\nsammenligning: [147, 155]\nindsatstrappe: trappe.csv\n")
    params = book_params(package, tmp_path / "p.yml")
    assert (params.kommune, params.sammenligning, params.aar) == (101, [147, 155], package.params.aar)
    steps = book_tables(package, params, progress=lambda _: None).frames["trappe_trin"]
    assert steps["navn"].tolist()[:2] == ["Trin 0", "Trin 1"]


def test_the_reports_case_figures_are_compared_with_its_case_municipalities_whatever_the_books_group(made):
    package, _ = read_package(made / "pkg")
    own = book_tables(package, replace(package.params, kommune=751, sammenligning=[101, 461, 851]),
                      progress=lambda _: None).frames
    reports = book_tables(package, replace(package.params, kommune=751), progress=lambda _: None).frames
    pd.testing.assert_frame_equal(own["sammenligning"], reports["sammenligning"])
    case = reports["maalgruppe"][(reports["maalgruppe"]["omraade"] == "casekommuner")]
    assert not case.equals(own["maalgruppe"][own["maalgruppe"]["omraade"] == "casekommuner"])  # the groups differ


def test_a_package_is_verified_against_its_extract(made, tmp_path, capsys):
    """Inside DST: the package recomputed from its extract is the same; a value changed (and
    the manifest made to match) is found, naming the table and cell."""
    assert main(["verify", str(made / "pkg"), "--data", str(made / "data")]) == 0
    assert main(["verify", str(made / "pkg")]) == 1
    assert "give the extract it was made from with --data" in capsys.readouterr().err
    copy = tmp_path / "pkg"
    shutil.copytree(made / "pkg", copy)
    table = copy / "tables" / "befolkning.csv"
    lines = table.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",1"
    table.write_text("\n".join(lines) + "\n")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["tables/befolkning.csv"] = sha256(table)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert main(["verify", str(copy), "--data", str(made / "data")]) == 1
    assert "table befolkning.csv, row 2, column 'antal'" in capsys.readouterr().out


def test_kontrol_xlsx_shows_every_table_and_every_suppression_reproducibly(made, tmp_path):
    from openpyxl import load_workbook
    from analysis.kontrol import write_kontrol
    package, _ = read_package(made / "pkg")
    workbook = load_workbook(made / "pkg" / "kontrol.xlsx", read_only=True)
    assert workbook.sheetnames == ["oversigt", *package.tables, "skjulte_celler"]
    rows = list(workbook["maalgruppe"].values)
    hidden = package.tables["maalgruppe"]["antal"].isna().to_numpy()
    assert [row[-1] == "skjult" for row in rows[1:]] == hidden.tolist()
    listed = [row for row in workbook["skjulte_celler"].values][1:]
    assert len(listed) == sum(len(records) for records in package.audit.values())
    write_kontrol(package, tmp_path / "again.xlsx")
    assert (tmp_path / "again.xlsx").read_bytes() == (made / "pkg" / "kontrol.xlsx").read_bytes()
